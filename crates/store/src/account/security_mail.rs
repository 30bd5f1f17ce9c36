//! Security addresses and one-time codes.

use async_trait::async_trait;
use kaigo_core::account::repo::SecurityMailRepo;
use kaigo_core::account::security_mail::{CodePurpose, OneTimeCode, SecurityAddress};
use kaigo_core::error::RepoResult;
use kaigo_core::ids::OfficeId;
use kaigo_core::mail::NewMail;
use sqlx::any::AnyRow;

use crate::SqlStore;
use crate::error::repo_err;
use crate::row::{code, get};

fn one_time_code(row: &AnyRow) -> RepoResult<OneTimeCode> {
    Ok(OneTimeCode {
        office_id: OfficeId(get(row, "office_id")?),
        purpose: code(row, "purpose", CodePurpose::from_code)?,
        email: get(row, "email")?,
        code_hash: get(row, "code_hash")?,
        sent_at: get(row, "sent_at")?,
        expires_at: get(row, "expires_at")?,
        attempts: get(row, "attempts")?,
    })
}

#[async_trait]
impl SecurityMailRepo for SqlStore {
    async fn security_address(&self, office_id: OfficeId) -> RepoResult<Option<SecurityAddress>> {
        let row = sqlx::query(
            "SELECT office_id, email, confirmed_at FROM security_addresses WHERE office_id = $1",
        )
        .bind(office_id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(repo_err("select security address"))?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SecurityAddress {
            office_id: OfficeId(get(&row, "office_id")?),
            email: get(&row, "email")?,
            confirmed_at: get(&row, "confirmed_at")?,
        }))
    }

    async fn put_one_time_code(&self, c: &OneTimeCode, mail: &NewMail) -> RepoResult<()> {
        let mut tx = self
            .begin_write()
            .await
            .map_err(repo_err("put one-time code"))?;
        sqlx::query(
            "INSERT INTO one_time_codes \
             (office_id, purpose, email, code_hash, sent_at, expires_at, attempts) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (office_id, purpose) DO UPDATE SET \
             email = excluded.email, code_hash = excluded.code_hash, \
             sent_at = excluded.sent_at, expires_at = excluded.expires_at, \
             attempts = excluded.attempts",
        )
        .bind(c.office_id.0)
        .bind(c.purpose.code())
        .bind(c.email.as_str())
        .bind(c.code_hash.as_str())
        .bind(c.sent_at)
        .bind(c.expires_at)
        .bind(c.attempts)
        .execute(&mut *tx)
        .await
        .map_err(repo_err("put one-time code"))?;
        crate::mail::insert(&mut *tx, mail)
            .await
            .map_err(repo_err("queue one-time code mail"))?;
        tx.commit().await.map_err(repo_err("put one-time code"))?;
        Ok(())
    }

    async fn one_time_code(
        &self,
        office_id: OfficeId,
        purpose: CodePurpose,
    ) -> RepoResult<Option<OneTimeCode>> {
        let row = sqlx::query(
            "SELECT office_id, purpose, email, code_hash, sent_at, expires_at, attempts \
             FROM one_time_codes WHERE office_id = $1 AND purpose = $2",
        )
        .bind(office_id.0)
        .bind(purpose.code())
        .fetch_optional(&self.pool)
        .await
        .map_err(repo_err("select one-time code"))?;
        row.as_ref().map(one_time_code).transpose()
    }

    async fn one_time_code_reserve(
        &self,
        office_id: OfficeId,
        purpose: CodePurpose,
        code_hash: &str,
        max: i64,
    ) -> RepoResult<Option<i64>> {
        // Test and count in one statement: a read-check-count let parallel entries all pass
        // the test before any of them counted.
        let row = sqlx::query(
            "UPDATE one_time_codes SET attempts = attempts + 1 \
             WHERE office_id = $1 AND purpose = $2 AND code_hash = $3 AND attempts < $4 \
             RETURNING attempts",
        )
        .bind(office_id.0)
        .bind(purpose.code())
        .bind(code_hash)
        .bind(max)
        .fetch_optional(&self.pool)
        .await
        .map_err(repo_err("reserve one-time code entry"))?;
        row.as_ref().map(|r| get(r, "attempts")).transpose()
    }

    async fn take_one_time_code(
        &self,
        office_id: OfficeId,
        purpose: CodePurpose,
        code_hash: &str,
    ) -> RepoResult<bool> {
        let done = sqlx::query(
            "DELETE FROM one_time_codes WHERE office_id = $1 AND purpose = $2 AND code_hash = $3",
        )
        .bind(office_id.0)
        .bind(purpose.code())
        .bind(code_hash)
        .execute(&self.pool)
        .await
        .map_err(repo_err("take one-time code"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_security_address(&self, a: &SecurityAddress) -> RepoResult<()> {
        sqlx::query(
            "INSERT INTO security_addresses (office_id, email, confirmed_at) VALUES ($1, $2, $3) \
             ON CONFLICT (office_id) DO UPDATE SET \
             email = excluded.email, confirmed_at = excluded.confirmed_at",
        )
        .bind(a.office_id.0)
        .bind(a.email.as_str())
        .bind(a.confirmed_at)
        .execute(&self.pool)
        .await
        .map_err(repo_err("set security address"))?;
        Ok(())
    }

    async fn delete_office_sessions(&self, office_id: OfficeId) -> RepoResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE office_id = $1")
            .bind(office_id.0)
            .execute(&self.pool)
            .await
            .map_err(repo_err("delete office sessions"))?;
        Ok(done.rows_affected())
    }
}
