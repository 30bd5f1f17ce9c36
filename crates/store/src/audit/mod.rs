//! The audit log, a hash chain: each entry stores the hash of the previous one and its own
//! hash over that and its fields, so that altering or removing an entry (other than the
//! newest ones) breaks the chain at a detectable place.

pub(crate) mod search;

use async_trait::async_trait;
use kaigo_core::audit::AuditEvent;
use kaigo_core::audit::repo::AuditRepo;
use kaigo_core::error::RepoResult;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;

use crate::SqlStore;
use crate::dialect::AUDIT_LOCK;
use crate::error::repo_err;
use crate::row::get;

/// The `prev_hash` of the first entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Names the serialization below; change it if the format ever changes.
const FORMAT_TAG: &[u8] = b"kaigo-audit-v1";
/// Entries read per round when verifying, so that a long log does not fill memory.
const VERIFY_PAGE: i64 = 500;

/// The hash of an entry: lowercase hex SHA-256 of the previous entry's hash (as its 64 hex
/// characters), then [`FORMAT_TAG`], then for each of `at` (decimal), `actor`, `action`,
/// `object`, `source` and `detail`: its byte length as 8 bytes big-endian followed by its
/// UTF-8 bytes. The length prefixes make the serialization unambiguous: moving text from one
/// field to the next changes the hash.
fn entry_hash(prev_hash: &str, event: &AuditEvent) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(FORMAT_TAG);
    let at = event.at.to_string();
    for field in [
        at.as_str(),
        &event.actor,
        &event.action,
        &event.object,
        &event.source,
        &event.detail,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

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
            let rows = sqlx::query(
                "SELECT id, at, actor, action, object, source, detail, prev_hash, hash \
                 FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(after)
            .bind(VERIFY_PAGE)
            .fetch_all(&self.pool)
            .await
            .map_err(repo_err("verify audit chain"))?;
            if rows.is_empty() {
                return Ok(Ok(count));
            }
            for row in &rows {
                let id: i64 = get(row, "id")?;
                let prev_hash: String = get(row, "prev_hash")?;
                let hash: String = get(row, "hash")?;
                let computed = entry_hash(&expected_prev, &event(row)?);
                if prev_hash != expected_prev || hash != computed {
                    return Ok(Err(id));
                }
                expected_prev = computed;
                count += 1;
                after = id;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(actor: &str, action: &str) -> AuditEvent {
        AuditEvent {
            at: 1,
            actor: actor.into(),
            action: action.into(),
            object: String::new(),
            source: String::new(),
            detail: String::new(),
        }
    }

    #[test]
    fn field_boundaries_matter() {
        assert_ne!(
            entry_hash(GENESIS, &ev("ab", "c")),
            entry_hash(GENESIS, &ev("a", "bc"))
        );
    }

    #[test]
    fn chained_to_previous() {
        let e = ev("system", "login.success");
        assert_ne!(
            entry_hash(GENESIS, &e),
            entry_hash(&entry_hash(GENESIS, &e), &e)
        );
        assert_eq!(entry_hash(GENESIS, &e).len(), 64);
    }
}
