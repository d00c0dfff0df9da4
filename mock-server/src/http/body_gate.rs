//! Every request's body is read, up to the body limit, before any route answers.
//!
//! Why: a route that answers without reading the body (a 404 outside `/v1`, the admin
//! guard's 401, a 405, ...) used to leave the rest of the body on the connection. hyper
//! then gives up on the connection after the answer, and a keep-alive client's next
//! request on it fails although it did nothing wrong. Reading the body here, once, for
//! every router (`/v1`, `/__admin`, the fallback, and the dashboard to come at `/`) means
//! every answer within the limit leaves the connection usable.
//!
//! A body over the limit is a 413 in the error shape of its namespace, with
//! `Connection: close`: the connection cannot carry another request after a body nobody
//! reads whole. The rest of that body is still read and dropped for a while (a bounded
//! lingering close), so that the client finishes sending and reads the 413 instead of
//! having its connection reset under it.

use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::CONNECTION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::BytesMut;
use http_body_util::BodyExt;

use crate::error::ApiError;
use crate::http::app::AppState;

/// At most this much of an over-limit body is read and dropped after its 413.
const LINGER_BYTES: usize = 64 * 1024 * 1024;
/// ... and for at most this long; after that the connection is closed as it is.
const LINGER_TIME: Duration = Duration::from_secs(10);

/// The middleware: reads the body, then lets the route answer (or answers the 413).
pub async fn gate(State(app): State<AppState>, request: Request, next: Next) -> Response {
    if request.body().is_end_stream() {
        return next.run(request).await;
    }
    let limit = app.config.body_limit;
    // `/v1` answers its own errors: its pipeline journals them and gives them a request id.
    let v1 = is_v1(request.uri().path());
    let (parts, body) = request.into_parts();
    let response = match read(body, limit).await {
        Read::Whole(bytes) => {
            return next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
        }
        Read::TooLarge { read, rest } => {
            tokio::spawn(linger(rest));
            if v1 {
                // What was read is over the limit: the pipeline answers its 413 from it.
                let replay = futures::stream::iter(read.into_iter().map(Ok::<_, axum::Error>));
                next.run(Request::from_parts(parts, Body::from_stream(replay)))
                    .await
            } else {
                ApiError::payload_too_large(limit).into_response()
            }
        }
        Read::Broken(error) => {
            if v1 {
                let replay = futures::stream::once(async move { Err::<Bytes, _>(error) });
                next.run(Request::from_parts(parts, Body::from_stream(replay)))
                    .await
            } else {
                ApiError::bad_request(
                    "unreadable_body",
                    format!("The request body could not be read: {error}"),
                )
                .into_response()
            }
        }
    };
    close_after(response)
}

/// Whether the path is served by the `/v1` router (as `Router::nest` matches it).
fn is_v1(path: &str) -> bool {
    path == "/v1" || path.starts_with("/v1/")
}

/// What reading a body found.
enum Read {
    /// The whole body, within the limit.
    Whole(Bytes),
    /// More than the limit: the chunks read so far (over the limit) and the unread rest.
    TooLarge { read: Vec<Bytes>, rest: Body },
    /// The body could not be read (the client went away, a broken chunked encoding).
    Broken(axum::Error),
}

async fn read(mut body: Body, limit: usize) -> Read {
    let mut chunks = Vec::new();
    let mut len = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = match frame {
            Ok(frame) => frame,
            Err(error) => return Read::Broken(error),
        };
        // Trailers carry no body bytes.
        let Ok(data) = frame.into_data() else {
            continue;
        };
        len += data.len();
        chunks.push(data);
        if len > limit {
            return Read::TooLarge {
                read: chunks,
                rest: body,
            };
        }
    }
    Read::Whole(concat(chunks, len))
}

/// One `Bytes` of the chunks (without a copy when there is a single chunk).
fn concat(mut chunks: Vec<Bytes>, len: usize) -> Bytes {
    if chunks.len() == 1 {
        return chunks.swap_remove(0);
    }
    let mut whole = BytesMut::with_capacity(len);
    for chunk in chunks {
        whole.extend_from_slice(&chunk);
    }
    whole.freeze()
}

/// Reads and drops the rest of an over-limit body, bounded in bytes and time.
async fn linger(mut rest: Body) {
    let drain = async {
        let mut left = LINGER_BYTES;
        while let Some(Ok(frame)) = rest.frame().await {
            if let Some(data) = frame.data_ref() {
                left = left.saturating_sub(data.len());
                if left == 0 {
                    return;
                }
            }
        }
    };
    let _ = tokio::time::timeout(LINGER_TIME, drain).await;
}

/// Marks the answer as the connection's last.
fn close_after(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_v1_tree_is_v1() {
        assert!(is_v1("/v1"));
        assert!(is_v1("/v1/tags"));
        assert!(!is_v1("/v10/tags"));
        assert!(!is_v1("/v2/x"));
        assert!(!is_v1("/"));
        assert!(!is_v1("/__admin/v1"));
    }

    #[tokio::test]
    async fn a_body_within_the_limit_is_read_whole() {
        let body = Body::from_stream(futures::stream::iter(
            ["ab", "cd", "e"].map(|s| Ok::<_, axum::Error>(Bytes::from(s))),
        ));
        match read(body, 5).await {
            Read::Whole(bytes) => assert_eq!(&bytes[..], b"abcde"),
            _ => panic!("a 5-byte body fits a 5-byte limit"),
        }
    }

    #[tokio::test]
    async fn a_body_over_the_limit_stops_being_read_past_it() {
        let body = Body::from_stream(futures::stream::iter(
            ["abc", "def", "ghi"].map(|s| Ok::<_, axum::Error>(Bytes::from(s))),
        ));
        match read(body, 4).await {
            Read::TooLarge { read, rest } => {
                assert_eq!(read.concat(), b"abcdef");
                let left = rest.collect().await.expect("the rest").to_bytes();
                assert_eq!(&left[..], b"ghi");
            }
            _ => panic!("9 bytes are over a 4-byte limit"),
        }
    }
}
