//! The HTTP accept loop: hyper's HTTP/1 server under limits that slow or idle clients cannot
//! outlast (issue 8).
//!
//! - at most `max_connections` connections are served at once (a semaphore permit per
//!   connection); while all are taken the loop stops accepting and new clients wait in the
//!   kernel's listen backlog;
//! - a connection's request header must arrive within `header_read_timeout` (counted from the
//!   accept for the first request, from the first byte for later ones);
//! - a kept-alive connection that starts no request within `keepalive_idle` is closed;
//! - a request body must arrive whole within `request_body_timeout` of the header; past it the
//!   body reports an error, the request is answered 408 and the connection closed;
//! - a response the client stops reading (the socket accepts nothing) for `keepalive_idle` is
//!   abandoned and the connection closed, so a client that never reads cannot hold a slot;
//! - accept errors (EMFILE when the open-file limit is reached, …) pause the loop with a growing
//!   sleep and are logged at most once per `LOG_EVERY`, never a busy loop or a flood of lines;
//! - on the stop signal the loop stops accepting, connections without a request in flight
//!   (idle, or still sending a header) close at once, requests in flight get `SHUTDOWN_GRACE`.
//!
//! Every request carries `ConnectInfo<SocketAddr>` as `into_make_service_with_connect_info`
//! would insert it (the audit trail's client address).

pub use crate::connection_io::Limits;
use crate::connection_io::{Activity, BusyGuard, DeadlineBody, GuardedBody, TrackedIo};
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::ServiceExt;

use kaigo_web::tls_peer::{OverTls, PeerCertificates};
use tokio_rustls::TlsAcceptor;

/// The answer to a request whose body did not arrive in time: built outside the router, so it
/// is a complete page of its own.
const BODY_TIMEOUT_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">\
<title>送信に時間がかかりすぎました</title></head><body><h1>送信に時間がかかりすぎました</h1>\
<p>通信が混み合っているか、送信するファイルが大きすぎる可能性があります。前の画面に戻り、もう一度送信してください。</p>\
</body></html>\n";

/// How long requests in flight may run after the stop signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// At most one log line per this interval for accept errors and a full connection table.
const LOG_EVERY: Duration = Duration::from_secs(10);
const BACKOFF_MIN: Duration = Duration::from_millis(10);
const BACKOFF_MAX: Duration = Duration::from_secs(1);

/// Serves `router` on `listener` until `stop` turns true, then drains the connections.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    stop: watch::Receiver<bool>,
) {
    serve_with(listener, router, limits, stop, None).await;
}

/// As [`serve`], with TLS: the handshake must complete within the header timeout, and the
/// client certificates it carried reach the handlers as [`PeerCertificates`].
pub async fn serve_tls(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    stop: watch::Receiver<bool>,
    tls: TlsAcceptor,
) {
    serve_with(listener, router, limits, stop, Some(tls)).await;
}

async fn serve_with(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
    tls: Option<TlsAcceptor>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut connections = JoinSet::new();
    let mut accept_errors = RateLimitedLog::default();
    let mut full = RateLimitedLog::default();
    let mut backoff = BACKOFF_MIN;
    loop {
        while connections.try_join_next().is_some() {}
        let permit = match slots.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                full.log(|n| {
                    tracing::warn!(
                        max_connections = limits.max_connections,
                        times = n,
                        "connection limit reached: new clients wait in the listen backlog"
                    )
                });
                tokio::select! {
                    p = slots.clone().acquire_owned() => p.expect("the semaphore is never closed"),
                    _ = stop.wait_for(|s| *s) => break,
                }
            }
        };
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = stop.wait_for(|s| *s) => break,
        };
        match accepted {
            Ok((stream, peer)) => {
                backoff = BACKOFF_MIN;
                let _ = stream.set_nodelay(true);
                connections.spawn(accept_connection(
                    stream,
                    peer,
                    router.clone(),
                    limits,
                    stop.clone(),
                    permit,
                    tls.clone(),
                ));
            }
            // The client gave up before we accepted: nothing to wait for.
            Err(e) if is_connection_error(&e) => {}
            Err(e) => {
                accept_errors.log(|n| {
                    tracing::error!(error = %e, times = n, "accept error (open-file limit?); pausing")
                });
                drop(permit);
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = stop.wait_for(|s| *s) => break,
                }
                backoff = (backoff * 2).min(BACKOFF_MAX);
            }
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = connections.len(),
            "connections still open after the shutdown grace period: closing them"
        );
        connections.abort_all();
        while connections.join_next().await.is_some() {}
    }
}

fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Logs the first event, then at most one line per `LOG_EVERY` with the count since the last.
#[derive(Default)]
struct RateLimitedLog {
    last: Option<Instant>,
    suppressed: u64,
}

impl RateLimitedLog {
    fn log(&mut self, line: impl FnOnce(u64)) {
        self.suppressed += 1;
        let now = Instant::now();
        if self.last.is_none_or(|t| now.duration_since(t) >= LOG_EVERY) {
            line(self.suppressed);
            self.suppressed = 0;
            self.last = Some(now);
        }
    }
}

/// Completes the TLS handshake (bounded by the header timeout) where there is one.
async fn accept_connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: Limits,
    stop: watch::Receiver<bool>,
    slot: OwnedSemaphorePermit,
    tls: Option<TlsAcceptor>,
) {
    let Some(acceptor) = tls else {
        return serve_connection(stream, peer, router, limits, stop, slot, None).await;
    };
    let stream =
        match tokio::time::timeout(limits.header_read_timeout, acceptor.accept(stream)).await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                tracing::debug!(%peer, error = %e, "TLS handshake failed");
                return;
            }
            Err(_) => {
                tracing::debug!(%peer, "TLS handshake timed out");
                return;
            }
        };
    let certs = stream
        .get_ref()
        .1
        .peer_certificates()
        .map(|c| PeerCertificates(c.iter().map(|d| d.to_vec()).collect()));
    serve_connection(stream, peer, router, limits, stop, slot, Some(certs)).await;
}

/// `tls`: `None` for plain HTTP, `Some(certificates)` for a TLS connection.
async fn serve_connection<S>(
    stream: S,
    peer: SocketAddr,
    router: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
    tls: Option<Option<PeerCertificates>>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(TrackedIo {
        inner: stream,
        activity: activity.clone(),
    });
    let service_activity = activity.clone();
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let guard = BusyGuard::new(service_activity.clone());
        handle(req, peer, router.clone(), limits, guard, tls.clone())
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    // hyper restarts its own header timer whenever a kept-alive connection turns idle, which
    // would cut keep-alive to the header timeout; the deadlines here are ours, hyper's is a
    // backstop.
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout + limits.keepalive_idle)
        .keep_alive(true);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    let mut stopping = false;
    loop {
        let deadline = activity.deadline(&limits);
        let sleep = async {
            match deadline {
                Some((at, _)) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
                return;
            }
            () = sleep => {
                // Still the same deadline (no request started meanwhile): close.
                if let Some((at, why)) = activity.deadline(&limits)
                    && at <= Instant::now()
                {
                    tracing::debug!(%peer, reason = why, "closing connection");
                    return;
                }
            }
            () = activity.changed.notified() => {}
            _ = stop.wait_for(|s| *s), if !stopping => {
                if activity.is_idle() {
                    return;
                }
                // Finish the request in flight, then close.
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

async fn handle(
    req: Request<Incoming>,
    peer: SocketAddr,
    router: Router,
    limits: Limits,
    guard: BusyGuard,
    tls: Option<Option<PeerCertificates>>,
) -> Result<Response<Body>, Infallible> {
    let timed_out = Arc::new(AtomicBool::new(false));
    let mut req = req.map(|body| {
        if http_body::Body::is_end_stream(&body) {
            Body::new(body)
        } else {
            Body::new(DeadlineBody {
                inner: body,
                sleep: Box::pin(tokio::time::sleep(limits.request_body_timeout)),
                timed_out: timed_out.clone(),
            })
        }
    });
    req.extensions_mut().insert(ConnectInfo(peer));
    if let Some(certs) = tls {
        req.extensions_mut().insert(OverTls);
        if let Some(certs) = certs {
            req.extensions_mut().insert(certs);
        }
    }
    let response = match router.oneshot(req).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let response = if timed_out.load(Ordering::Relaxed) {
        let mut r = Response::new(Body::from(BODY_TIMEOUT_PAGE));
        *r.status_mut() = StatusCode::REQUEST_TIMEOUT;
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        r.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
        r.headers_mut().insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        r
    } else {
        response
    };
    Ok(response.map(|body| {
        Body::new(GuardedBody {
            inner: body,
            _guard: guard,
        })
    }))
}
