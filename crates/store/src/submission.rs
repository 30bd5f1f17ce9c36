//! Claims of one-time form submissions (`form_submissions`).

use async_trait::async_trait;
use kaigo_core::error::RepoResult;
use kaigo_core::submission::repo::SubmissionRepo;

use crate::SqlStore;
use crate::error::repo_err;
use crate::row::get;

#[async_trait]
impl SubmissionRepo for SqlStore {
    async fn claim_submission(&self, key: &str, now: i64) -> RepoResult<bool> {
        // The primary key decides: exactly one of any number of parallel inserts lands.
        let done = sqlx::query(
            "INSERT INTO form_submissions (submission_key, created_at) VALUES ($1, $2) \
             ON CONFLICT (submission_key) DO NOTHING",
        )
        .bind(key)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(repo_err("claim submission"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn finish_submission(&self, key: &str, result: i64) -> RepoResult<()> {
        sqlx::query("UPDATE form_submissions SET result = $1 WHERE submission_key = $2")
            .bind(result)
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(repo_err("finish submission"))?;
        Ok(())
    }

    async fn submission_result(&self, key: &str) -> RepoResult<Option<Option<i64>>> {
        let row = sqlx::query("SELECT result FROM form_submissions WHERE submission_key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(repo_err("submission result"))?;
        row.as_ref().map(|r| get(r, "result")).transpose()
    }

    async fn release_submission(&self, key: &str) -> RepoResult<()> {
        sqlx::query("DELETE FROM form_submissions WHERE submission_key = $1")
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(repo_err("release submission"))?;
        Ok(())
    }

    async fn purge_submissions(&self, before: i64) -> RepoResult<u64> {
        let done = sqlx::query("DELETE FROM form_submissions WHERE created_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await
            .map_err(repo_err("purge submissions"))?;
        Ok(done.rows_affected())
    }
}
