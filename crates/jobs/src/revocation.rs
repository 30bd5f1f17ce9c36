//! Keeps what relying parties see current, on every node: every few seconds it reads the
//! certificate counts, drops stale OCSP answers when they moved, signs a CRL when one is due
//! (a new revocation, or nextUpdate near) and renews the OCSP responder when it must.

use std::time::Duration;

use kaigo_core::CoreResult;
use kaigo_core::revocation::crl::CrlService;
use kaigo_core::revocation::ocsp::OcspService;
use kaigo_core::revocation::responder::ResponderKeys;
use tokio::task::JoinHandle;

use crate::{Shutdown, sleep_or_stop};

pub struct RevocationPublisher {
    pub crl: CrlService,
    pub ocsp: OcspService,
    pub responders: ResponderKeys,
    /// Time between checks.
    pub every: Duration,
}

impl RevocationPublisher {
    /// One pass; returns the numbers of the CRLs it signed (one per issuing CA generation
    /// whose CRL was due).
    pub async fn run_once(&self) -> CoreResult<Vec<i64>> {
        let marker = self.crl.marker().await?;
        self.ocsp.note_marker(marker);
        // Responder upkeep runs even when a CRL failed; the first error is reported after.
        let published = self.crl.publish_if_due(marker).await;
        let responders = self.responders.ensure().await;
        let published = published?;
        responders?;
        Ok(published.into_iter().map(|c| c.number).collect())
    }

    pub fn spawn(self, mut shutdown: Shutdown) -> JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                if let Err(e) = self.run_once().await {
                    tracing::error!(error = %e, "CRL/OCSP publication pass failed");
                }
                if sleep_or_stop(&mut shutdown, self.every).await {
                    break;
                }
            }
        })
    }
}
