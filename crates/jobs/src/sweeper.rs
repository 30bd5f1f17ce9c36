//! Periodic cleanup: expired sessions, batches of registration letters past their download
//! window (they hold sealed passwords; none should outlive it), failure counters with no
//! failure for a day and no lock in force, form-submission claims older than a day, and the
//! AIチャット's questions older than a year.

use std::sync::Arc;
use std::time::Duration;

use kaigo_core::clock::Clock;
use kaigo_core::store::Store;
use tokio::task::JoinHandle;

use crate::{Shutdown, sleep_or_stop};

/// Failure counters and submission claims older than this are purged.
pub const STALE_AFTER_SECONDS: i64 = 24 * 3600;

pub struct SessionSweeper {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub every: Duration,
}

impl SessionSweeper {
    pub fn spawn(self, mut shutdown: Shutdown) -> JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                let now = self.clock.unix();
                match self.store.delete_expired_sessions(now).await {
                    Ok(n) if n > 0 => tracing::debug!(removed = n, "expired sessions removed"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "session sweep failed"),
                }
                match self.store.purge_letter_batches(now).await {
                    Ok(n) if n > 0 => tracing::info!(removed = n, "expired letter batches purged"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "letter batch purge failed"),
                }
                match self
                    .store
                    .throttle_purge(now - STALE_AFTER_SECONDS, now)
                    .await
                {
                    Ok(n) if n > 0 => tracing::debug!(removed = n, "stale failure counters purged"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "failure counter purge failed"),
                }
                match self
                    .store
                    .purge_submissions(now - STALE_AFTER_SECONDS)
                    .await
                {
                    Ok(n) if n > 0 => tracing::debug!(removed = n, "old form claims purged"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "form claim purge failed"),
                }
                match self
                    .store
                    .purge_assist_questions(
                        now - kaigo_core::assist::service::LOG_RETENTION_SECONDS,
                    )
                    .await
                {
                    Ok(n) if n > 0 => tracing::debug!(removed = n, "old chat questions purged"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "chat question purge failed"),
                }
                if sleep_or_stop(&mut shutdown, self.every).await {
                    break;
                }
            }
        })
    }
}
