//! The console's office administration: search, bulk registration, edits, lifecycle (suspend,
//! close with revocation), login password reset, and sealed letter batches.

use async_trait::async_trait;
use kaigo_core::RepoError;
use kaigo_core::certificate::revocation::RevocationReason;
use kaigo_core::error::RepoResult;
use kaigo_core::ids::{OfficeId, OfficeNumber, PrefectureCode};
use kaigo_core::office::admin::{LetterBatch, LetterKind, NewLetterBatch, OfficeEdit, OfficeQuery};
use kaigo_core::office::repo::OfficeAdminRepo;
use kaigo_core::office::{NewOffice, Office, OfficeStatus};
use sqlx::any::AnyRow;

use crate::SqlStore;
use crate::error::{bad_value, repo_err};
use crate::office::{columns, office};
use crate::row::{code, get};

/// The RFC 5280 CRLReason of a closed office's certificates.
const CESSATION: &str = RevocationReason::CessationOfOperation.name();

/// `$1` prefecture (NULL: all), `$2` number prefix pattern, `$3` name pattern (NULL: none),
/// `$4` status (NULL: any).
const FILTER: &str = "($1 IS NULL OR prefecture = $1) \
     AND ($2 IS NULL OR number LIKE $2 ESCAPE '\\' OR name LIKE $3 ESCAPE '\\') \
     AND ($4 IS NULL OR status = $4)";

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

struct Filter {
    prefecture: Option<String>,
    prefix: Option<String>,
    contains: Option<String>,
    status: Option<String>,
}

fn filter(q: &OfficeQuery) -> Filter {
    let keyword = q
        .keyword
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(like_escape);
    Filter {
        prefecture: q.prefecture.map(|p| p.to_string()),
        prefix: keyword.as_ref().map(|k| format!("{k}%")),
        contains: keyword.as_ref().map(|k| format!("%{k}%")),
        status: q.status.map(|s| s.code().to_owned()),
    }
}

fn batch(row: &AnyRow) -> RepoResult<LetterBatch> {
    let prefecture = get::<Option<String>>(row, "prefecture")?
        .map(|p| PrefectureCode::parse(&p).map_err(|_| bad_value("prefecture", &p)))
        .transpose()?;
    Ok(LetterBatch {
        id: get(row, "id")?,
        kind: code(row, "kind", LetterKind::from_code)?,
        prefecture,
        created_by: get(row, "created_by")?,
        office_count: get(row, "office_count")?,
        sealed: get(row, "sealed")?,
        created_at: get(row, "created_at")?,
        expires_at: get(row, "expires_at")?,
    })
}

#[async_trait]
impl OfficeAdminRepo for SqlStore {
    async fn search_offices(
        &self,
        query: &OfficeQuery,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<Office>> {
        let f = filter(query);
        let sql = format!(
            "SELECT {} FROM offices WHERE {FILTER} ORDER BY number LIMIT $5 OFFSET $6",
            columns!()
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(f.prefecture)
            .bind(f.prefix)
            .bind(f.contains)
            .bind(f.status)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await
            .map_err(repo_err("search offices"))?;
        rows.iter().map(office).collect()
    }

    async fn count_offices(&self, query: &OfficeQuery) -> RepoResult<i64> {
        let f = filter(query);
        let sql = format!("SELECT COUNT(*) FROM offices WHERE {FILTER}");
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(f.prefecture)
            .bind(f.prefix)
            .bind(f.contains)
            .bind(f.status)
            .fetch_one(&self.pool)
            .await
            .map_err(repo_err("count offices"))
    }

    async fn registered_office_numbers(
        &self,
        numbers: &[OfficeNumber],
    ) -> RepoResult<Vec<OfficeNumber>> {
        let mut found = Vec::new();
        // Chunks keep the parameter count well under both databases' limits.
        for chunk in numbers.chunks(500) {
            let params: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT number FROM offices WHERE number IN ({})",
                params.join(", ")
            );
            let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
            for n in chunk {
                q = q.bind(n.as_str().to_owned());
            }
            for n in q
                .fetch_all(&self.pool)
                .await
                .map_err(repo_err("registered numbers"))?
            {
                found.push(OfficeNumber::parse(&n).map_err(|_| bad_value("number", &n))?);
            }
        }
        Ok(found)
    }

    async fn insert_offices(&self, offices: &[NewOffice]) -> RepoResult<Vec<Office>> {
        let mut tx = self
            .begin_write()
            .await
            .map_err(repo_err("begin insert offices"))?;
        let mut out = Vec::with_capacity(offices.len());
        for o in offices {
            out.push(crate::office::insert_office_row(&mut *tx, o).await?);
        }
        tx.commit()
            .await
            .map_err(repo_err("commit insert offices"))?;
        Ok(out)
    }

    async fn update_office(&self, id: OfficeId, e: &OfficeEdit) -> RepoResult<()> {
        let done = sqlx::query(
            "UPDATE offices SET name = $1, kind = $2, postal_code = $3, address = $4, \
             email = $5 WHERE id = $6",
        )
        .bind(e.name.as_str())
        .bind(e.kind.code())
        .bind(e.postal_code.as_str())
        .bind(e.address.as_str())
        .bind(e.email.as_deref())
        .bind(id.0)
        .execute(&self.pool)
        .await
        .map_err(repo_err("update office"))?;
        if done.rows_affected() == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }

    async fn set_office_status(&self, id: OfficeId, status: OfficeStatus) -> RepoResult<()> {
        let mut tx = self
            .begin_write()
            .await
            .map_err(repo_err("begin office status"))?;
        let done = sqlx::query("UPDATE offices SET status = $1 WHERE id = $2")
            .bind(status.code())
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(repo_err("office status"))?;
        if done.rows_affected() == 0 {
            return Err(RepoError::NotFound);
        }
        if status != OfficeStatus::Active {
            sqlx::query("DELETE FROM sessions WHERE office_id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await
                .map_err(repo_err("end office sessions"))?;
        }
        tx.commit().await.map_err(repo_err("commit office status"))
    }

    async fn close_office(&self, id: OfficeId, at: i64) -> RepoResult<u64> {
        let mut tx = self
            .begin_write()
            .await
            .map_err(repo_err("begin close office"))?;
        let done = sqlx::query("UPDATE offices SET status = 'closed' WHERE id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(repo_err("close office"))?;
        if done.rows_affected() == 0 {
            return Err(RepoError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE office_id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(repo_err("end office sessions"))?;
        // A waiting application would otherwise issue a certificate to a closed office.
        sqlx::query(
            "UPDATE applications SET state = 'failed', pending_key = NULL, \
             sealed_password = NULL, last_error = 'office closed', lease_until = NULL \
             WHERE office_id = $1 AND state IN ('queued', 'running')",
        )
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(repo_err("fail waiting applications"))?;
        let revoked = sqlx::query(
            "UPDATE certificates SET status = 'revoked', revoked_at = $1, \
             revocation_reason = $2 WHERE office_id = $3 AND status = 'valid'",
        )
        .bind(at)
        .bind(CESSATION)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(repo_err("revoke office certificates"))?
        .rows_affected();
        tx.commit().await.map_err(repo_err("commit close office"))?;
        Ok(revoked)
    }

    async fn reset_login_password(&self, id: OfficeId, hash: &str) -> RepoResult<()> {
        let mut tx = self
            .begin_write()
            .await
            .map_err(repo_err("begin reset login"))?;
        let done = sqlx::query(
            "UPDATE offices SET login_hash = $1, must_change_password = 1 WHERE id = $2",
        )
        .bind(hash)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(repo_err("reset login"))?;
        if done.rows_affected() == 0 {
            return Err(RepoError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE office_id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(repo_err("end office sessions"))?;
        tx.commit().await.map_err(repo_err("commit reset login"))
    }

    async fn insert_letter_batch(&self, b: &NewLetterBatch) -> RepoResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO letter_batches (kind, prefecture, created_by, office_count, sealed, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(b.kind.code())
        .bind(b.prefecture.map(|p| p.to_string()))
        .bind(b.created_by.as_str())
        .bind(b.office_count)
        .bind(b.sealed.as_slice())
        .bind(b.created_at)
        .bind(b.expires_at)
        .fetch_one(&self.pool)
        .await
        .map_err(repo_err("insert letter batch"))
    }

    async fn letter_batch(&self, id: i64, now: i64) -> RepoResult<Option<LetterBatch>> {
        sqlx::query(
            "SELECT id, kind, prefecture, created_by, office_count, sealed, created_at, \
             expires_at FROM letter_batches WHERE id = $1 AND expires_at > $2",
        )
        .bind(id)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(repo_err("letter batch"))?
        .as_ref()
        .map(batch)
        .transpose()
    }

    async fn delete_letter_batch(&self, id: i64) -> RepoResult<bool> {
        let done = sqlx::query("DELETE FROM letter_batches WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(repo_err("delete letter batch"))?;
        Ok(done.rows_affected() > 0)
    }

    async fn purge_letter_batches(&self, now: i64) -> RepoResult<u64> {
        let done = sqlx::query("DELETE FROM letter_batches WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(repo_err("purge letter batches"))?;
        Ok(done.rows_affected())
    }
}
