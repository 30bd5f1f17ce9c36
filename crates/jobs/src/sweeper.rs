//! Periodic cleanup: expired sessions.

use std::sync::Arc;
use std::time::Duration;

use kaigo_core::clock::Clock;
use kaigo_core::repo::SessionRepo;
use tokio::task::JoinHandle;

use crate::{Shutdown, sleep_or_stop};

pub struct SessionSweeper {
    pub store: Arc<dyn SessionRepo>,
    pub clock: Arc<dyn Clock>,
    pub every: Duration,
}

impl SessionSweeper {
    pub fn spawn(self, mut shutdown: Shutdown) -> JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.store.delete_expired_sessions(self.clock.unix()).await {
                    Ok(n) if n > 0 => tracing::debug!(removed = n, "expired sessions removed"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "session sweep failed"),
                }
                if sleep_or_stop(&mut shutdown, self.every).await {
                    break;
                }
            }
        })
    }
}
