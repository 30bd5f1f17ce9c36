//! The issuance worker: takes applications from the durable queue and issues certificates.

use std::sync::Arc;
use std::time::Duration;

use kaigo_core::certificate::issue::{IssuanceService, JobOutcome};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::Shutdown;

/// How often an idle worker looks at the queue even without a wake-up (other nodes may have
/// queued work, or a retry may have come due).
const POLL: Duration = Duration::from_millis(1000);

pub struct IssuanceWorker {
    pub service: IssuanceService,
    /// Number of jobs built at once; building is CPU-bound, so about the number of cores.
    pub concurrency: usize,
    pub wakeup: Arc<Notify>,
}

impl IssuanceWorker {
    pub fn spawn(self, shutdown: Shutdown) -> Vec<JoinHandle<()>> {
        (0..self.concurrency.max(1))
            .map(|n| {
                let service = self.service.clone();
                let wakeup = self.wakeup.clone();
                let shutdown = shutdown.clone();
                tokio::spawn(async move { run(n, service, wakeup, shutdown).await })
            })
            .collect()
    }
}

async fn run(n: usize, service: IssuanceService, wakeup: Arc<Notify>, mut shutdown: Shutdown) {
    tracing::debug!(worker = n, "issuance worker started");
    loop {
        if *shutdown.borrow() {
            break;
        }
        match process_one(&service).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::error!(worker = n, error = %e, "issuance worker error"),
        }
        tokio::select! {
            _ = wakeup.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
            _ = shutdown.changed() => {}
        }
    }
    tracing::debug!(worker = n, "issuance worker stopped");
}

/// Claims and finishes one application; false when the queue was empty.
pub async fn process_one(service: &IssuanceService) -> Result<bool, kaigo_core::CoreError> {
    let Some(job) = service.claim().await? else {
        return Ok(false);
    };
    let builder = service.clone();
    let id = job.application.id;
    let claimed = job.application.clone();
    // Key generation, signing and PKCS#12 are CPU-bound: keep them off the async threads.
    let mut building = tokio::task::spawn_blocking(move || {
        let built = builder.build(&job);
        (job, built)
    });
    // The lease is short (a crashed node's jobs come back soon); keep it alive while building.
    let renew_every = service.lease_renewal_interval();
    let joined = loop {
        tokio::select! {
            joined = &mut building => break joined,
            () = tokio::time::sleep(renew_every) => {
                match service.renew_lease(&claimed).await {
                    Ok(true) => {}
                    // Taken over after a stall: the other worker's result will count (the
                    // completing transaction accepts one result per application).
                    Ok(false) => tracing::warn!(application = %id, "lease lost while building"),
                    Err(e) => tracing::warn!(application = %id, error = %e, "lease renewal failed"),
                }
            }
        }
    };
    let (job, built) = match joined {
        Ok(done) => done,
        Err(e) => {
            // A panic while building would recur on every retry: fail it now.
            service
                .abandon(id, &format!("issuance task panicked: {e}"))
                .await?;
            return Ok(true);
        }
    };
    match service.finish(job, built).await? {
        JobOutcome::Issued(id) => tracing::info!(certificate = %id, "certificate issued"),
        JobOutcome::Retry(reason) => tracing::warn!(%reason, "issuance will be retried"),
        JobOutcome::Failed(reason) => tracing::error!(%reason, "issuance failed for good"),
    }
    Ok(true)
}
