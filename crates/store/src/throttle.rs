//! Failure counters and locks for password entry (login, issuance password).

use async_trait::async_trait;
use kaigo_core::repo::{RepoResult, ThrottleRepo, ThrottleState};

use crate::SqlStore;
use crate::error::repo_err;
use crate::row::get;

#[async_trait]
impl ThrottleRepo for SqlStore {
    async fn throttle_state(&self, key: &str) -> RepoResult<ThrottleState> {
        let row =
            sqlx::query("SELECT failures, locked_until FROM throttle WHERE throttle_key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await
                .map_err(repo_err("throttle state"))?;
        match row {
            None => Ok(ThrottleState::default()),
            Some(row) => Ok(ThrottleState {
                failures: get(&row, "failures")?,
                locked_until: get(&row, "locked_until")?,
            }),
        }
    }

    async fn throttle_fail(&self, key: &str, now: i64) -> RepoResult<i64> {
        // One statement, so that concurrent wrong entries each count (no read-modify-write).
        let row = sqlx::query(
            "INSERT INTO throttle (throttle_key, failures, last_failure_at) VALUES ($1, 1, $2) \
             ON CONFLICT (throttle_key) DO UPDATE \
             SET failures = throttle.failures + 1, last_failure_at = excluded.last_failure_at \
             RETURNING failures",
        )
        .bind(key)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(repo_err("throttle fail"))?;
        get(&row, "failures")
    }

    async fn throttle_lock(&self, key: &str, until: i64) -> RepoResult<()> {
        // The count stays: requests racing the lock still see a count above the threshold.
        // The service clears the key when the next attempt comes after the lock expired.
        sqlx::query(
            "INSERT INTO throttle (throttle_key, failures, locked_until) VALUES ($1, 0, $2) \
             ON CONFLICT (throttle_key) DO UPDATE \
             SET locked_until = excluded.locked_until",
        )
        .bind(key)
        .bind(until)
        .execute(&self.pool)
        .await
        .map_err(repo_err("throttle lock"))?;
        Ok(())
    }

    async fn throttle_clear(&self, key: &str) -> RepoResult<()> {
        sqlx::query("DELETE FROM throttle WHERE throttle_key = $1")
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(repo_err("throttle clear"))?;
        Ok(())
    }
}
