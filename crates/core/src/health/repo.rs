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
}
