//! The HTTP client of REST steps aimed at the mock itself: hyper HTTP/1.1 keep-alive
//! connections to its address, pooled. Requests to other hosts go through reqwest
//! (names to resolve, redirects to follow); these are real requests over loopback too,
//! with the same headers, but without reqwest's layers around hyper, which were a tenth
//! of a workflow burst's CPU.
//!
//! A connection is reused while it is open and has been idle less than `IDLE_FOR`; a
//! request that a pooled connection could not even send (it had closed meanwhile) is
//! sent again on a new one. Like reqwest, the pool opens a connection whenever none is
//! idle, so a slow request never holds up another run's.

use parking_lot::Mutex;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{HeaderMap, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// How long an idle connection is kept for the next request.
const IDLE_FOR: Duration = Duration::from_secs(30);

/// Idle connections kept at most (more are closed when they come back).
const MAX_IDLE: usize = 64;

/// Why a request got no answer.
#[derive(Debug)]
pub enum SendError {
    /// No connection could be made.
    Connect(std::io::Error),
    /// The connection failed while the request was sent or answered.
    Transport(hyper::Error),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Connect(e) => write!(f, "{e}"),
            SendError::Transport(e) => write!(f, "{e}"),
        }
    }
}

struct Idle {
    sender: SendRequest<Full<Bytes>>,
    since: Instant,
}

/// Keep-alive connections to one address.
pub struct MockClient {
    addr: SocketAddr,
    idle: Mutex<Vec<Idle>>,
}

/// A whole response.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl MockClient {
    pub fn new(addr: SocketAddr) -> MockClient {
        MockClient {
            addr,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Sends `request` (origin-form URI, `host` set) and reads the whole response.
    pub async fn send(&self, request: Request<Full<Bytes>>) -> Result<Answer, SendError> {
        let mut request = request;
        // A retry connects anew: the next idle connection may have closed as well.
        let mut retried = false;
        loop {
            let pooled = if retried { None } else { self.checkout() };
            let from_pool = pooled.is_some();
            let mut sender = match pooled {
                Some(sender) => sender,
                None => self.connect().await.map_err(SendError::Connect)?,
            };
            match sender.try_send_request(request).await {
                Ok(response) => {
                    let (parts, body) = response.into_parts();
                    let body = body
                        .collect()
                        .await
                        .map_err(SendError::Transport)?
                        .to_bytes();
                    self.checkin(sender);
                    return Ok(Answer {
                        status: parts.status,
                        headers: parts.headers,
                        body,
                    });
                }
                Err(mut failed) => match failed.take_message() {
                    // Never written: the pooled connection had closed. Once more, anew.
                    Some(unsent) if from_pool => {
                        request = unsent;
                        retried = true;
                    }
                    _ => return Err(SendError::Transport(failed.into_error())),
                },
            }
        }
    }

    /// An idle connection still open and fresh, if there is one.
    fn checkout(&self) -> Option<SendRequest<Full<Bytes>>> {
        let mut idle = self.idle.lock();
        while let Some(Idle { sender, since }) = idle.pop() {
            if !sender.is_closed() && since.elapsed() < IDLE_FOR {
                return Some(sender);
            }
        }
        None
    }

    fn checkin(&self, sender: SendRequest<Full<Bytes>>) {
        if sender.is_closed() {
            return;
        }
        let mut idle = self.idle.lock();
        if idle.len() < MAX_IDLE {
            idle.push(Idle {
                sender,
                since: Instant::now(),
            });
        }
    }

    async fn connect(&self) -> std::io::Result<SendRequest<Full<Bytes>>> {
        connect(self.addr).await
    }
}

/// A keep-alive HTTP/1.1 connection (Nagle off, as any HTTP client), driven by its own
/// task. Also the bench's load generator's connection.
pub async fn connect(addr: SocketAddr) -> std::io::Result<SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(std::io::Error::other)?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use hyper::Response;
    use hyper::header::HOST;
    use hyper::server::conn::http1 as server;
    use hyper::service::service_fn;
    use tokio::net::TcpListener;

    /// A server answering `ok` that counts its connections; `keep_alive: false` closes
    /// each after one answer.
    async fn serve(keep_alive: bool) -> (SocketAddr, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&accepted);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let service = service_fn(|request: Request<hyper::body::Incoming>| async move {
                    let host = request.headers()[HOST].clone();
                    Ok::<_, std::convert::Infallible>(
                        Response::builder()
                            .header("x-host", host)
                            .body(Full::new(Bytes::from_static(b"ok")))
                            .unwrap(),
                    )
                });
                tokio::spawn(
                    server::Builder::new()
                        .keep_alive(keep_alive)
                        .serve_connection(TokioIo::new(stream), service),
                );
            }
        });
        (addr, accepted)
    }

    fn request(addr: SocketAddr) -> Request<Full<Bytes>> {
        Request::builder()
            .uri("/v1/x?y=1")
            .header(HOST, addr.to_string())
            .body(Full::new(Bytes::new()))
            .unwrap()
    }

    #[tokio::test]
    async fn requests_in_a_row_share_one_connection() {
        let (addr, accepted) = serve(true).await;
        let client = MockClient::new(addr);
        for _ in 0..3 {
            let answer = client.send(request(addr)).await.expect("answered");
            assert_eq!(answer.status, StatusCode::OK);
            assert_eq!(&answer.body[..], b"ok");
            assert_eq!(answer.headers["x-host"], addr.to_string().as_str());
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_connection_the_server_closed_is_replaced() {
        let (addr, accepted) = serve(false).await;
        let client = MockClient::new(addr);
        for _ in 0..3 {
            let answer = client.send(request(addr)).await.expect("answered");
            assert_eq!(answer.status, StatusCode::OK);
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn no_server_is_a_connect_error() {
        let gone = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = gone.local_addr().unwrap();
        drop(gone);
        let failed = MockClient::new(addr).send(request(addr)).await;
        assert!(matches!(failed, Err(SendError::Connect(_))));
    }
}
