//! Browser sessions, keyed by the SHA-256 of the cookie token.

use async_trait::async_trait;
use kaigo_core::RepoError;
use kaigo_core::account::repo::{SessionRecord, SessionRepo};
use kaigo_core::error::RepoResult;
use kaigo_core::ids::OfficeId;

use crate::SqlStore;
use crate::error::repo_err;
use crate::row::get;

#[async_trait]
impl SessionRepo for SqlStore {
    async fn insert_session(&self, s: &SessionRecord) -> RepoResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, office_id, csrf_token, data, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(s.token_hash.as_str())
        .bind(s.office_id.map(|o| o.0))
        .bind(s.csrf_token.as_str())
        .bind(s.data.as_str())
        .bind(s.created_at)
        .bind(s.expires_at)
        .execute(&self.pool)
        .await
        .map_err(repo_err("insert session"))?;
        Ok(())
    }

    async fn session(&self, token_hash: &str, now: i64) -> RepoResult<Option<SessionRecord>> {
        let row = sqlx::query(
            "SELECT token_hash, office_id, csrf_token, data, created_at, expires_at \
             FROM sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(repo_err("select session"))?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SessionRecord {
            token_hash: get(&row, "token_hash")?,
            office_id: get::<Option<i64>>(&row, "office_id")?.map(OfficeId),
            csrf_token: get(&row, "csrf_token")?,
            data: get(&row, "data")?,
            created_at: get(&row, "created_at")?,
            expires_at: get(&row, "expires_at")?,
        }))
    }

    /// `NotFound` if the session is gone (logged out or purged meanwhile): the caller must
    /// not believe the new state was saved.
    async fn update_session(
        &self,
        token_hash: &str,
        data: &str,
        expires_at: i64,
    ) -> RepoResult<()> {
        let done =
            sqlx::query("UPDATE sessions SET data = $1, expires_at = $2 WHERE token_hash = $3")
                .bind(data)
                .bind(expires_at)
                .bind(token_hash)
                .execute(&self.pool)
                .await
                .map_err(repo_err("update session"))?;
        if done.rows_affected() == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }

    async fn delete_session(&self, token_hash: &str) -> RepoResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(repo_err("delete session"))?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: i64) -> RepoResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(repo_err("delete expired sessions"))?;
        Ok(done.rows_affected())
    }
}
