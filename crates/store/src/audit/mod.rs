//! The audit log, a hash chain: each entry stores the hash of the previous one and its own
//! hash over that and its fields, so that altering or removing an entry (other than the
//! newest ones) breaks the chain at a detectable place.

pub(crate) mod search;

use async_trait::async_trait;
use kaigo_core::audit::AuditEvent;
use kaigo_core::audit::chain::{AuditRecord, Checkpoint, GENESIS, entry_hash};
use kaigo_core::audit::repo::AuditRepo;
use kaigo_core::error::RepoResult;
use sqlx::any::AnyRow;

use crate::SqlStore;
use crate::dialect::AUDIT_LOCK;
use crate::error::repo_err;
use crate::row::get;

/// Entries read per round when verifying, so that a long log does not fill memory.
const VERIFY_PAGE: i64 = 500;

fn event(row: &AnyRow) -> RepoResult<AuditEvent> {
    Ok(AuditEvent {
        at: get(row, "at")?,
        actor: get(row, "actor")?,
        action: get(row, "action")?,
        object: get(row, "object")?,
        source: get(row, "source")?,
        detail: get(row, "detail")?,
    })
}

#[async_trait]
impl AuditRepo for SqlStore {
    async fn append_audit(&self, e: &AuditEvent) -> RepoResult<()> {
        let err = repo_err("append audit");
        // Reading the last hash and appending must not interleave with another append, or
        // two entries would follow the same one (a fork). SQLite: the write transaction
        // excludes other writers; PostgreSQL: an advisory lock held until commit.
        let mut tx = self.begin_write().await.map_err(&err)?;
        self.backend.lock(&mut tx, AUDIT_LOCK).await.map_err(&err)?;
        let prev: Option<String> =
            sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await
                .map_err(&err)?;
        let prev = prev.unwrap_or_else(|| GENESIS.to_owned());
        let hash = entry_hash(&prev, e);
        sqlx::query(
            "INSERT INTO audit_log (at, actor, action, object, source, detail, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(e.at)
        .bind(e.actor.as_str())
        .bind(e.action.as_str())
        .bind(e.object.as_str())
        .bind(e.source.as_str())
        .bind(e.detail.as_str())
        .bind(prev.as_str())
        .bind(hash.as_str())
        .execute(&mut *tx)
        .await
        .map_err(&err)?;
        tx.commit().await.map_err(&err)?;
        Ok(())
    }

    async fn verify_audit_chain(&self) -> RepoResult<Result<u64, i64>> {
        let mut expected_prev = GENESIS.to_owned();
        let mut count = 0u64;
        let mut after = 0i64;
        loop {
            let records = self.audit_records(after, VERIFY_PAGE).await?;
            if records.is_empty() {
                return Ok(Ok(count));
            }
            for r in &records {
                let computed = entry_hash(&expected_prev, &r.event);
                if r.prev_hash != expected_prev || r.hash != computed {
                    return Ok(Err(r.id));
                }
                expected_prev = computed;
                count += 1;
                after = r.id;
            }
        }
    }

    async fn audit_records(&self, after: i64, limit: i64) -> RepoResult<Vec<AuditRecord>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, object, source, detail, prev_hash, hash \
             FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(repo_err("audit records"))?;
        rows.iter()
            .map(|row| {
                Ok(AuditRecord {
                    id: get(row, "id")?,
                    event: event(row)?,
                    prev_hash: get(row, "prev_hash")?,
                    hash: get(row, "hash")?,
                })
            })
            .collect()
    }

    async fn last_audit_record(&self) -> RepoResult<Option<(i64, String)>> {
        let row = sqlx::query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(repo_err("last audit record"))?;
        row.map(|r| Ok((get(&r, "id")?, get(&r, "hash")?)))
            .transpose()
    }

    async fn add_audit_checkpoint(&self, c: &Checkpoint) -> RepoResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO audit_checkpoints (at, last_id, last_hash, signature) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(c.at)
        .bind(c.last_id)
        .bind(c.last_hash.as_str())
        .bind(c.signature.as_slice())
        .fetch_one(&self.pool)
        .await
        .map_err(repo_err("add audit checkpoint"))
    }

    async fn newest_checkpointed_id(&self) -> RepoResult<Option<i64>> {
        sqlx::query_scalar("SELECT MAX(last_id) FROM audit_checkpoints")
            .fetch_one(&self.pool)
            .await
            .map_err(repo_err("newest checkpoint"))
    }

    async fn audit_checkpoints(&self) -> RepoResult<Vec<Checkpoint>> {
        let rows = sqlx::query(
            "SELECT id, at, last_id, last_hash, signature FROM audit_checkpoints ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(repo_err("audit checkpoints"))?;
        rows.iter()
            .map(|r| {
                Ok(Checkpoint {
                    id: get(r, "id")?,
                    at: get(r, "at")?,
                    last_id: get(r, "last_id")?,
                    last_hash: get(r, "last_hash")?,
                    signature: get(r, "signature")?,
                })
            })
            .collect()
    }
}
