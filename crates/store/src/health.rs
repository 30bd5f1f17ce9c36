//! The readiness probe's database round trip.

use async_trait::async_trait;
use kaigo_core::error::RepoResult;
use kaigo_core::health::repo::HealthRepo;

use crate::SqlStore;
use crate::error::repo_err;
use crate::row::get;

/// The one row of `node_checks` that holds the server key check.
const SERVER_KEY: &str = "server_key";

#[async_trait]
impl HealthRepo for SqlStore {
    async fn ping(&self) -> RepoResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(repo_err("ping"))?;
        Ok(())
    }

    async fn server_key_check(&self) -> RepoResult<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT sealed FROM node_checks WHERE name = $1")
            .bind(SERVER_KEY)
            .fetch_optional(&self.pool)
            .await
            .map_err(repo_err("server key check"))?;
        row.map(|r| get(&r, "sealed")).transpose()
    }

    async fn record_server_key_check(&self, sealed: &[u8], at: i64) -> RepoResult<bool> {
        let done = sqlx::query(
            "INSERT INTO node_checks (name, sealed, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(SERVER_KEY)
        .bind(sealed)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(repo_err("record server key check"))?;
        Ok(done.rows_affected() == 1)
    }
}
