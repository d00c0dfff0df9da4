//! `GET /__admin/dashboard/stream`: Server-Sent Events telling the page that something
//! changed (`event: change`, data: the counters that moved). The stream samples a few
//! cheap counters at most every [`TICK`], so a burst of a thousand events a second is one
//! message per tick, and the page fetches the bounded tree once per message.

use std::convert::Infallible;
use std::time::Duration;

use axum::Extension;
use axum::extract::State;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::Stream;
use kustomer_mock::AppState;
use serde::Serialize;

use crate::workflow::{Engine, RunFilter, RunState};

/// How often the counters are compared.
pub const TICK: Duration = Duration::from_millis(250);

/// What the page's view depends on, in counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    /// The next event's sequence number.
    pub events: u64,
    /// The newest journal entry's sequence number.
    pub requests: u64,
    pub runs: usize,
    /// Runs queued or running (a run that ends changes it).
    pub unfinished: usize,
    pub loops: usize,
}

impl Counters {
    pub fn now(app: &AppState, engine: &Engine) -> Counters {
        let unfinished = [RunState::Queued, RunState::Running]
            .into_iter()
            .map(|state| {
                let filter = RunFilter {
                    state: Some(state),
                    ..RunFilter::default()
                };
                engine.runs_matching(&filter, usize::MAX).len()
            })
            .sum();
        Counters {
            events: app.store.bus().next_seq(),
            requests: app.journal.last_seq(),
            runs: engine.run_count(),
            unfinished,
            loops: engine.loops().len(),
        }
    }
}

/// The change stream; it ends when the server shuts down (the event bus closes).
pub async fn stream(
    State(app): State<AppState>,
    Extension(engine): Extension<Engine>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let stream = futures::stream::unfold(
        (app, engine, None::<Counters>),
        |(app, engine, last)| async move {
            loop {
                let now = Counters::now(&app, &engine);
                if last != Some(now) {
                    let event = SseEvent::default()
                        .event("change")
                        .data(serde_json::to_string(&now).unwrap_or_default());
                    return Some((Ok(event), (app, engine, Some(now))));
                }
                let bus = app.store.bus().clone();
                tokio::select! {
                    _ = bus.wait_closed() => return None,
                    _ = tokio::time::sleep(TICK) => {}
                }
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}
