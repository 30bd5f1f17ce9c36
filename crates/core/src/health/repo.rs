//! The database side of the readiness probe.

use async_trait::async_trait;

use crate::error::RepoResult;

#[async_trait]
pub trait HealthRepo: Send + Sync {
    /// A trivial round trip to the database.
    async fn ping(&self) -> RepoResult<()>;
}
