//! Persistence of form claims (`form_submissions`).

use crate::error::RepoResult;
use async_trait::async_trait;

/// Form submissions that must take effect once, whatever the parallel requests (a double
/// click, a script): the first request to claim the form's key does the work.
#[async_trait]
pub trait SubmissionRepo: Send + Sync {
    /// Claims `key`; true only for the one caller that inserted it.
    async fn claim_submission(&self, key: &str, now: i64) -> RepoResult<bool>;
    /// Records what the claimed submission produced.
    async fn finish_submission(&self, key: &str, result: i64) -> RepoResult<()>;
    /// What an earlier submission produced: `Some(None)` while it is still running, `None`
    /// when the key was never claimed.
    async fn submission_result(&self, key: &str) -> RepoResult<Option<Option<i64>>>;
    /// Forgets a claim whose work failed, so that the form can be sent again.
    async fn release_submission(&self, key: &str) -> RepoResult<()>;
    /// Deletes claims made before `before`.
    async fn purge_submissions(&self, before: i64) -> RepoResult<u64>;
}
