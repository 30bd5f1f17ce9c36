//! Rendering is bounded per node: at most `permits` renders at once (default one), each on the
//! blocking pool, and a short queue of callers waiting for their turn. A caller that finds the
//! queue full, or waits longer than `wait`, gets [`DocsError::Busy`] (the web answers 503 with
//! `Retry-After`) instead of piling up renders whose memory adds up.
//!
//! Every PDF of the service goes through [`renders`], the node's one gate. The permit travels
//! into the blocking task, so a request that is cancelled while its render runs (the browser
//! closed) still holds its place until the render really ends.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::DocsError;

/// How many renders run at once and how long callers may queue.
#[derive(Clone, Debug)]
pub struct RenderLimits {
    /// Renders at once on this node (1: one at a time).
    pub permits: usize,
    /// Callers that may wait for a permit; one more is refused at once.
    pub max_waiting: usize,
    /// How long a caller waits for a permit before it is refused.
    pub wait: Duration,
}

impl Default for RenderLimits {
    fn default() -> Self {
        Self {
            permits: 1,
            max_waiting: 8,
            wait: Duration::from_secs(60),
        }
    }
}

/// A node's limiter of renders.
pub struct RenderGate {
    limits: RenderLimits,
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
}

/// Counts a caller as waiting while it exists.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl RenderGate {
    pub fn new(limits: RenderLimits) -> Self {
        let limits = RenderLimits {
            permits: limits.permits.max(1),
            ..limits
        };
        Self {
            permits: Arc::new(Semaphore::new(limits.permits)),
            limits,
            waiting: AtomicUsize::new(0),
        }
    }

    pub fn limits(&self) -> &RenderLimits {
        &self.limits
    }

    /// Callers waiting for a permit now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// Permits free now.
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }

    /// Seconds a refused caller is told to wait before trying again.
    pub fn retry_after_seconds(&self) -> u64 {
        self.limits.wait.as_secs().clamp(5, 120)
    }

    /// Runs `job` (a render) on the blocking pool once a permit is free.
    pub async fn run<T, F>(&self, job: F) -> Result<T, DocsError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, DocsError> + Send + 'static,
    {
        let busy = || DocsError::Busy {
            retry_after: self.retry_after_seconds(),
        };
        let permit = match self.permits.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                let before = self.waiting.fetch_add(1, Ordering::SeqCst);
                let _waiting = Waiting(&self.waiting);
                if before >= self.limits.max_waiting {
                    return Err(busy());
                }
                match tokio::time::timeout(self.limits.wait, self.permits.clone().acquire_owned())
                    .await
                {
                    Ok(Ok(p)) => p,
                    Ok(Err(_)) | Err(_) => return Err(busy()),
                }
            }
        };
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            job()
        })
        .await
        .map_err(|e| DocsError::Pdf(format!("render task: {e}")))?
    }
}

static GATE: OnceLock<RenderGate> = OnceLock::new();

/// Sets this node's limits; only the first call counts (at start, before any render).
/// Returns whether these limits are now in force.
pub fn configure_renders(limits: RenderLimits) -> bool {
    GATE.set(RenderGate::new(limits)).is_ok()
}

/// This node's gate (default limits unless [`configure_renders`] came first).
pub fn renders() -> &'static RenderGate {
    GATE.get_or_init(|| RenderGate::new(RenderLimits::default()))
}
