//! The wrappers the accept loop (`connections.rs`) puts around a connection's socket and
//! bodies: a request body with a deadline, a response body that keeps the connection busy
//! until sent, and a socket that notes when a request header starts.

use axum::body::{Body, Bytes};
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::{Instant, Sleep};

/// The client took too long to send a request body.
#[derive(Debug)]
pub(crate) struct BodyTimeout;

impl std::fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("request body not received within the time limit")
    }
}

impl std::error::Error for BodyTimeout {}

/// A request body that fails once its deadline has passed, however slowly bytes trickle in.
pub(crate) struct DeadlineBody {
    pub(crate) inner: Incoming,
    pub(crate) sleep: Pin<Box<Sleep>>,
    pub(crate) timed_out: Arc<AtomicBool>,
}

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.sleep.as_mut().poll(cx).is_ready() {
            self.timed_out.store(true, Ordering::Relaxed);
            return Poll::Ready(Some(Err(Box::new(BodyTimeout))));
        }
        Pin::new(&mut self.inner)
            .poll_frame(cx)
            .map(|f| f.map(|r| r.map_err(Into::into)))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A response body that keeps the connection marked busy until hyper has sent it.
pub(crate) struct GuardedBody {
    pub(crate) inner: Body,
    pub(crate) _guard: BusyGuard,
}

impl http_body::Body for GuardedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The socket (plain TCP or TLS over it), noting when the first byte of a request header
/// arrives.
pub(crate) struct TrackedIo<S = TcpStream> {
    pub(crate) inner: S,
    pub(crate) activity: Arc<Activity>,
}

impl<S: AsyncRead + Unpin> AsyncRead for TrackedIo<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.bytes_read();
        }
        r
    }
}

impl<S> TrackedIo<S> {
    pub(crate) fn note_write(&self, r: &Poll<io::Result<usize>>) {
        match r {
            Poll::Pending => self.activity.write_pending(),
            Poll::Ready(Ok(n)) if *n > 0 => self.activity.write_progress(),
            Poll::Ready(_) => {}
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for TrackedIo<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.note_write(&r);
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.note_write(&r);
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

pub(crate) struct Activity {
    pub(crate) phase: Mutex<Phase>,
    pub(crate) changed: Notify,
}

impl Activity {
    pub(crate) fn new() -> Self {
        Self {
            phase: Mutex::new(Phase {
                busy: 0,
                since: Instant::now(),
                first_byte: None,
                fresh: true,
                write_blocked: None,
            }),
            changed: Notify::new(),
        }
    }

    pub(crate) fn update(&self, f: impl FnOnce(&mut Phase) -> bool) {
        let changed = f(&mut self.phase.lock().unwrap_or_else(|e| e.into_inner()));
        if changed {
            self.changed.notify_one();
        }
    }

    pub(crate) fn get(&self) -> Phase {
        *self.phase.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn bytes_read(&self) {
        self.update(|p| {
            let first = p.busy == 0 && p.first_byte.is_none();
            if first {
                p.first_byte = Some(Instant::now());
            }
            first
        });
    }

    /// A write found the socket full: the stall clock starts (once).
    pub(crate) fn write_pending(&self) {
        self.update(|p| {
            let start = p.write_blocked.is_none();
            if start {
                p.write_blocked = Some(Instant::now());
            }
            start
        });
    }

    /// A write went through: the stall clock stops.
    pub(crate) fn write_progress(&self) {
        self.update(|p| p.write_blocked.take().is_some());
    }

    /// When the connection must be closed unless a request starts (or, while one is served,
    /// unless the client reads its response), and why.
    pub(crate) fn deadline(&self, limits: &Limits) -> Option<(Instant, &'static str)> {
        let p = self.get();
        if p.busy > 0 {
            p.write_blocked
                .map(|t| (t + limits.keepalive_idle, "response not read"))
        } else if p.fresh {
            Some((p.since + limits.header_read_timeout, "header read timeout"))
        } else if let Some(t) = p.first_byte {
            Some((t + limits.header_read_timeout, "header read timeout"))
        } else {
            Some((p.since + limits.keepalive_idle, "keep-alive idle"))
        }
    }

    /// No request in flight (at most part of a header): closing loses no work.
    pub(crate) fn is_idle(&self) -> bool {
        self.get().busy == 0
    }
}

/// Counts a request as in flight while it lives.
pub(crate) struct BusyGuard(pub(crate) Arc<Activity>);

impl BusyGuard {
    pub(crate) fn new(activity: Arc<Activity>) -> Self {
        activity.update(|p| {
            p.busy += 1;
            true
        });
        Self(activity)
    }
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.0.update(|p| {
            p.busy -= 1;
            if p.busy == 0 {
                p.since = Instant::now();
                p.first_byte = None;
                p.fresh = false;
            }
            true
        });
    }
}

/// The limits, from `[server]` in the configuration.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub keepalive_idle: Duration,
    pub request_body_timeout: Duration,
    pub max_connections: usize,
}

impl Limits {
    pub fn from_config(c: &crate::config::ServerConfig) -> Self {
        Self {
            header_read_timeout: Duration::from_secs(c.header_read_timeout_seconds),
            keepalive_idle: Duration::from_secs(c.keepalive_idle_seconds),
            request_body_timeout: Duration::from_secs(c.request_body_timeout_seconds),
            max_connections: c.max_connections,
        }
    }
}

/// Where a connection stands, for the header and idle deadlines.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Phase {
    /// Requests being served (from the call of the service until hyper drops the response body).
    busy: usize,
    /// When the connection started waiting for its next request header.
    pub(crate) since: Instant,
    /// When the first byte arrived while waiting.
    pub(crate) first_byte: Option<Instant>,
    /// No request yet on this connection.
    fresh: bool,
    /// Since when the socket has refused to take more of a response (the client reads nothing).
    pub(crate) write_blocked: Option<Instant>,
}
