//! The readiness probe's database round trip.

use async_trait::async_trait;
use kaigo_core::error::RepoResult;
use kaigo_core::health::repo::HealthRepo;

use crate::SqlStore;
use crate::error::repo_err;

#[async_trait]
impl HealthRepo for SqlStore {
    async fn ping(&self) -> RepoResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(repo_err("ping"))?;
        Ok(())
    }
}
