//! Searching the audit log (newest first).

use async_trait::async_trait;
use kaigo_core::audit::AuditEvent;
use kaigo_core::audit::repo::AuditSearchRepo;
use kaigo_core::audit::search::{AuditEntry, AuditQuery};
use kaigo_core::error::RepoResult;
use sqlx::any::AnyRow;

use crate::SqlStore;
use crate::error::repo_err;
use crate::row::get;

/// `$1` actor, `$2` action LIKE pattern, `$3` object, `$4` source, `$5`/`$6` time range;
/// NULL: any.
macro_rules! searched {
    () => {
        "WHERE ($1 IS NULL OR actor = $1) \
         AND ($2 IS NULL OR action LIKE $2 ESCAPE '\\') \
         AND ($3 IS NULL OR object = $3) \
         AND ($4 IS NULL OR source = $4) \
         AND ($5 IS NULL OR at >= $5) \
         AND ($6 IS NULL OR at <= $6) "
    };
}

/// A LIKE pattern matching what starts with `prefix` (wildcards escaped).
fn prefix_pattern(prefix: &str) -> String {
    let mut out = String::new();
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

macro_rules! bind_search {
    ($query:expr, $q:expr) => {
        $query
            .bind($q.actor.clone())
            .bind($q.action_prefix.as_deref().map(prefix_pattern))
            .bind($q.object.clone())
            .bind($q.source.clone())
            .bind($q.from)
            .bind($q.to)
    };
}

fn entry(row: &AnyRow) -> RepoResult<AuditEntry> {
    Ok(AuditEntry {
        id: get(row, "id")?,
        event: AuditEvent {
            at: get(row, "at")?,
            actor: get(row, "actor")?,
            action: get(row, "action")?,
            object: get(row, "object")?,
            source: get(row, "source")?,
            detail: get(row, "detail")?,
        },
    })
}

#[async_trait]
impl AuditSearchRepo for SqlStore {
    async fn search_audit(
        &self,
        q: &AuditQuery,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<AuditEntry>> {
        let rows = bind_search!(
            sqlx::query(concat!(
                "SELECT id, at, actor, action, object, source, detail FROM audit_log ",
                searched!(),
                "ORDER BY id DESC LIMIT $7 OFFSET $8"
            )),
            q
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await
        .map_err(repo_err("search audit"))?;
        rows.iter().map(entry).collect()
    }

    async fn count_audit(&self, q: &AuditQuery) -> RepoResult<i64> {
        bind_search!(
            sqlx::query_scalar(concat!("SELECT COUNT(*) FROM audit_log ", searched!())),
            q
        )
        .fetch_one(&self.pool)
        .await
        .map_err(repo_err("count audit"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_patterns_escape_wildcards() {
        assert_eq!(prefix_pattern("login."), "login.%");
        assert_eq!(prefix_pattern("a_b%\\"), "a\\_b\\%\\\\%");
    }
}
