//! The database side of the readiness probe.

use async_trait::async_trait;

use crate::error::RepoResult;

#[async_trait]
pub trait HealthRepo: Send + Sync {
    /// A trivial round trip to the database.
    async fn ping(&self) -> RepoResult<()>;
    /// The known text sealed under the server key of the first node, if recorded.
    async fn server_key_check(&self) -> RepoResult<Option<Vec<u8>>>;
    /// Records the sealed check unless one is there; `true` when this call recorded it.
    async fn record_server_key_check(&self, sealed: &[u8], at: i64) -> RepoResult<bool>;
    /// Counts for the operators' gauges (see [`super::ServiceStats`]).
    async fn service_stats(&self, now: i64) -> RepoResult<ServiceStats>;
}

/// What the service holds now, for `/metrics`: each list is (label, count), the labels coming
/// from closed sets (application and mail states, certificate states, CRL issuers).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceStats {
    /// Applications not done, by state: `queued`, `running`, `failed` (the done ones only
    /// grow; `kaigo_audit_events_total{action="certificate.issue"}` counts them).
    pub applications: Vec<(String, i64)>,
    /// Mail not yet delivered by state: `pending`, `sending`, `failed` (dead letters).
    pub mail: Vec<(String, i64)>,
    /// Certificates: `valid` (not expired), `expired`, `revoked`.
    pub certificates: Vec<(String, i64)>,
    /// The newest CRL's thisUpdate (Unix time) by issuer (`issuing`, `issuing-g2`, …).
    pub crl_this_update: Vec<(String, i64)>,
}
