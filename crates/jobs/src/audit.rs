//! Signs a checkpoint of the audit trail every interval, and once more when the node stops,
//! so that at most one interval of records is ever unanchored.

use std::sync::Arc;
use std::time::Duration;

use kaigo_core::audit::checkpoint::{AuditCheckpoints, AuditSigner};
use tokio::task::JoinHandle;

use crate::{Shutdown, sleep_or_stop};

pub struct AuditCheckpointer {
    pub service: AuditCheckpoints,
    pub signer: Arc<dyn AuditSigner>,
    pub every: Duration,
}

impl AuditCheckpointer {
    async fn once(&self) {
        match self.service.checkpoint(self.signer.as_ref()).await {
            Ok(Some(c)) => tracing::info!(
                checkpoint = c.id,
                last_id = c.last_id,
                "audit checkpoint signed"
            ),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "audit checkpoint failed"),
        }
    }

    pub fn spawn(self, mut shutdown: Shutdown) -> JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                if sleep_or_stop(&mut shutdown, self.every).await {
                    break;
                }
                self.once().await;
            }
            // At shutdown: anchor what this node wrote.
            self.once().await;
        })
    }
}
