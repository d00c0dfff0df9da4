//! The servers under measurement run on a tokio runtime of their own; the load
//! generator runs on the main one. Each request then crosses threads, as it does
//! between two processes. On one shared runtime, whether a connection's client and
//! server tasks ran on the same worker was up to tokio's work stealing, and
//! 1-connection results flipped between two modes (2.5 × apart) from run to run.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Runtime};

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// The servers' runtime: one worker per core.
fn runtime() -> &'static Runtime {
    RUNTIME.get_or_init(|| {
        Builder::new_multi_thread()
            .worker_threads(
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(2),
            )
            .thread_name("server")
            .enable_all()
            .build()
            .expect("the servers' runtime starts")
    })
}

/// Runs `start` (a server's start-up) on the servers' runtime, so the server's tasks
/// live there, and returns what it returns.
pub async fn start<F>(start: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    runtime()
        .spawn(start)
        .await
        .expect("a server start-up does not panic")
}
