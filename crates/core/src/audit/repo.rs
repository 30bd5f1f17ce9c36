//! Persistence of the audit trail: appending (hash-chained) and searching.

use crate::audit::AuditEvent;
use crate::audit::chain::{AuditRecord, Checkpoint};
use crate::error::RepoResult;
use async_trait::async_trait;

#[async_trait]
pub trait AuditRepo: Send + Sync {
    async fn append_audit(&self, event: &AuditEvent) -> RepoResult<()>;
    /// Recomputes the hash chain; returns the number of entries, or the id of the first broken one.
    async fn verify_audit_chain(&self) -> RepoResult<Result<u64, i64>>;
    /// Up to `limit` records with ids above `after`, in id order.
    async fn audit_records(&self, after: i64, limit: i64) -> RepoResult<Vec<AuditRecord>>;
    /// The newest record's id and hash.
    async fn last_audit_record(&self) -> RepoResult<Option<(i64, String)>>;
    /// Stores a signed checkpoint; returns its id.
    async fn add_audit_checkpoint(&self, checkpoint: &Checkpoint) -> RepoResult<i64>;
    /// The highest record id a checkpoint names, if any.
    async fn newest_checkpointed_id(&self) -> RepoResult<Option<i64>>;
    /// Every checkpoint, oldest first.
    async fn audit_checkpoints(&self) -> RepoResult<Vec<Checkpoint>>;
}

/// Searching the audit trail.
#[async_trait]
pub trait AuditSearchRepo: Send + Sync {
    /// Entries matching `query`, newest first.
    async fn search_audit(
        &self,
        query: &crate::audit::search::AuditQuery,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<crate::audit::search::AuditEntry>>;
    async fn count_audit(&self, query: &crate::audit::search::AuditQuery) -> RepoResult<i64>;
}
