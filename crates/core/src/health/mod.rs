//! Readiness of a node: the database answers and the CA signer (key file or HSM token) can
//! sign. `/readyz` reports it, so a load balancer takes a node whose token failed out of
//! service instead of sending it applications that would fail.

use std::sync::Arc;

pub mod repo;
pub mod server_key;

pub use repo::ServiceStats;

use crate::deps::Deps;

/// Each dependency, ok or why not (no secrets in the reasons).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readiness {
    pub database: Result<(), String>,
    pub signer: Result<(), String>,
}

impl Readiness {
    pub fn ready(&self) -> bool {
        self.database.is_ok() && self.signer.is_ok()
    }
}

/// How long a readiness check may take before it counts as failed.
pub const CHECK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

#[derive(Clone)]
pub struct HealthService {
    deps: Arc<Deps>,
}

impl HealthService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// Each check is bounded by [`CHECK_TIMEOUT`]; the signer's (a real signature in an HSM,
    /// which may hang) runs on the blocking pool, never on the request's worker.
    pub async fn readiness(&self) -> Readiness {
        let database = match tokio::time::timeout(CHECK_TIMEOUT, self.deps.store.ping()).await {
            Ok(r) => r.map_err(|e| e.to_string()),
            Err(_) => Err("no answer within the timeout".to_owned()),
        };
        let factory = self.deps.factory.clone();
        let probe = tokio::task::spawn_blocking(move || factory.signer_ready());
        let signer = match tokio::time::timeout(CHECK_TIMEOUT, probe).await {
            Ok(Ok(r)) => r.map_err(|e| e.to_string()),
            Ok(Err(_)) => Err("the check failed".to_owned()),
            Err(_) => Err("no answer within the timeout".to_owned()),
        };
        Readiness { database, signer }
    }

    /// The counts behind the gauges of `/metrics`, bounded by [`CHECK_TIMEOUT`] per scrape.
    pub async fn stats(&self) -> crate::error::CoreResult<ServiceStats> {
        let now = self.deps.clock.unix();
        match tokio::time::timeout(CHECK_TIMEOUT * 2, self.deps.store.service_stats(now)).await {
            Ok(r) => Ok(r?),
            Err(_) => Err(crate::error::RepoError::Backend(
                "service statistics: no answer within the timeout".into(),
            )
            .into()),
        }
    }
}
