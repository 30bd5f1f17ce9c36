//! The readiness probe's database round trip.

use async_trait::async_trait;
use kaigo_core::error::RepoResult;
use kaigo_core::health::ServiceStats;
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

    async fn service_stats(&self, now: i64) -> RepoResult<ServiceStats> {
        Ok(ServiceStats {
            applications: self
                .counts(
                    "SELECT state AS label, COUNT(*) AS n FROM applications \
                     WHERE state IN ('queued', 'running', 'failed') GROUP BY state",
                )
                .await?,
            mail: self
                .counts(
                    "SELECT state AS label, COUNT(*) AS n FROM mail_outbox \
                     WHERE state IN ('pending', 'sending', 'failed') GROUP BY state",
                )
                .await?,
            certificates: self.certificate_counts(now).await?,
            crl_this_update: self
                .counts("SELECT issuer AS label, MAX(this_update) AS n FROM crls GROUP BY issuer")
                .await?,
        })
    }
}

impl SqlStore {
    /// `(label, n)` rows of a grouped count, sorted by label.
    async fn counts(&self, sql: &'static str) -> RepoResult<Vec<(String, i64)>> {
        let rows = sqlx::query(sql)
            .fetch_all(&self.pool)
            .await
            .map_err(repo_err("service statistics"))?;
        labelled(&rows)
    }

    async fn certificate_counts(&self, now: i64) -> RepoResult<Vec<(String, i64)>> {
        // A valid certificate past its notAfter counts as `expired`.
        let rows = sqlx::query(
            "SELECT CASE WHEN status = 'valid' AND not_after < $1 THEN 'expired' ELSE status END \
             AS label, COUNT(*) AS n FROM certificates GROUP BY label",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .map_err(repo_err("certificate statistics"))?;
        labelled(&rows)
    }
}

fn labelled(rows: &[sqlx::any::AnyRow]) -> RepoResult<Vec<(String, i64)>> {
    let mut out = rows
        .iter()
        .map(|r| Ok((get::<String>(r, "label")?, get::<i64>(r, "n")?)))
        .collect::<RepoResult<Vec<_>>>()?;
    out.sort();
    Ok(out)
}
