//! Posts 「証明書有効期限切れ事前通知」 for certificates entering the renewal window (90 days
//! before expiry by default), once per certificate. Time comes from the injected clock, so a
//! test drives it with a `ManualClock` and `run_once`.

use std::time::Duration;

use kaigo_core::CoreResult;
use kaigo_core::certificate::renewal::RenewalService;
use tokio::task::JoinHandle;

use crate::{Shutdown, sleep_or_stop};

pub struct RenewalNotifier {
    pub service: RenewalService,
    /// How often to look for certificates entering the window.
    pub every: Duration,
}

impl RenewalNotifier {
    /// One pass; returns the number of notices posted.
    pub async fn run_once(&self) -> CoreResult<usize> {
        self.service.run_once().await
    }

    pub fn spawn(self, mut shutdown: Shutdown) -> JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.run_once().await {
                    Ok(n) if n > 0 => tracing::info!(posted = n, "renewal notices posted"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "renewal notice pass failed"),
                }
                if sleep_or_stop(&mut shutdown, self.every).await {
                    break;
                }
            }
        })
    }
}
