//! The ceiling of this stack: a bare axum route answering `hello` on loopback, served
//! the way the mock is served (`axum::serve`, same runtime), so the ratios measure what
//! the mock adds on top of axum, hyper and tokio.

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use tokio::net::TcpListener;

/// Starts the baseline server; returns its address (it runs until the process ends).
pub async fn start() -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(serve(listener));
    Ok(addr)
}

/// Serves `GET /hello` on `listener` until the process ends.
pub async fn serve(listener: TcpListener) {
    let app = Router::new().route("/hello", get(|| async { "hello" }));
    let _ = axum::serve(listener, app).await;
}
