//! The claim of a leased work queue (the issuance queue, the mail outbox): take the oldest
//! claimable row in one `UPDATE … RETURNING`, and when that updated nothing, tell an empty
//! queue from a race lost to another worker.

use kaigo_core::error::RepoResult;
use sqlx::AnyPool;
use sqlx::any::AnyRow;

use crate::error::repo_err;

/// A claim that lost a race retries this many times before reporting an empty queue.
const CLAIM_ROUNDS: usize = 3;

/// The statements of one queue. `claim` takes `$1` now and `$2` the lease's end and returns the
/// claimed row; `waiting` takes `$1` now and returns any claimable id.
pub(crate) struct LeasedQueue {
    pub claim: &'static str,
    pub waiting: &'static str,
    /// Names the queue in error messages.
    pub what: &'static str,
}

impl LeasedQueue {
    pub(crate) async fn claim(
        &self,
        pool: &AnyPool,
        now: i64,
        lease_until: i64,
    ) -> RepoResult<Option<AnyRow>> {
        for _ in 0..CLAIM_ROUNDS {
            let row = sqlx::query(self.claim)
                .bind(now)
                .bind(lease_until)
                .fetch_optional(pool)
                .await
                .map_err(repo_err(self.what))?;
            if row.is_some() {
                return Ok(row);
            }
            // Nothing taken: an empty queue, or another worker won the row we chose.
            let waiting: Option<i64> = sqlx::query_scalar(self.waiting)
                .bind(now)
                .fetch_optional(pool)
                .await
                .map_err(repo_err(self.what))?;
            if waiting.is_none() {
                return Ok(None);
            }
        }
        Ok(None)
    }
}
