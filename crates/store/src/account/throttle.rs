//! Failure counters and locks for password and code entry (login, issuance password, the
//! admin's second factor).

use async_trait::async_trait;
use kaigo_core::account::repo::{ThrottleRepo, ThrottleState};
use kaigo_core::error::RepoResult;
use sqlx::any::AnyRow;

use crate::SqlStore;
use crate::error::repo_err;
use crate::row::get;

fn state(row: &AnyRow) -> RepoResult<ThrottleState> {
    Ok(ThrottleState {
        failures: get(row, "failures")?,
        locked_until: get(row, "locked_until")?,
    })
}

#[async_trait]
impl ThrottleRepo for SqlStore {
    async fn throttle_state(&self, key: &str) -> RepoResult<ThrottleState> {
        let row =
            sqlx::query("SELECT failures, locked_until FROM throttle WHERE throttle_key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await
                .map_err(repo_err("throttle state"))?;
        row.as_ref().map_or(Ok(ThrottleState::default()), state)
    }

    async fn throttle_reserve(&self, key: &str, now: i64) -> RepoResult<ThrottleState> {
        // Expiry, counting and the answer in one statement: a read-then-clear would let
        // parallel attempts after a lock ran out wipe each other's counts.
        let row = sqlx::query(
            "INSERT INTO throttle (throttle_key, failures, last_failure_at) VALUES ($1, 1, $2) \
             ON CONFLICT (throttle_key) DO UPDATE SET \
             failures = CASE \
               WHEN throttle.locked_until IS NULL THEN throttle.failures + 1 \
               WHEN throttle.locked_until <= excluded.last_failure_at THEN 1 \
               ELSE throttle.failures END, \
             locked_until = CASE \
               WHEN throttle.locked_until <= excluded.last_failure_at THEN NULL \
               ELSE throttle.locked_until END, \
             last_failure_at = excluded.last_failure_at \
             RETURNING failures, locked_until",
        )
        .bind(key)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(repo_err("throttle reserve"))?;
        state(&row)
    }

    async fn throttle_lock(&self, key: &str, until: i64) -> RepoResult<()> {
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

    async fn throttle_purge(&self, stale_before: i64, now: i64) -> RepoResult<u64> {
        let done = sqlx::query(
            "DELETE FROM throttle WHERE COALESCE(last_failure_at, 0) < $1 \
             AND (locked_until IS NULL OR locked_until <= $2)",
        )
        .bind(stale_before)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(repo_err("throttle purge"))?;
        Ok(done.rows_affected())
    }
}
