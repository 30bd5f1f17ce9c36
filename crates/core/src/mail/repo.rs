//! Persistence of the mail outbox.

use crate::error::RepoResult;
use crate::ids::MailId;
use crate::mail::{DeadLetter, NewMail, QueuedMail};
use async_trait::async_trait;

#[async_trait]
pub trait MailRepo: Send + Sync {
    async fn enqueue_mail(&self, mail: &NewMail) -> RepoResult<MailId>;
    /// Claims the oldest unsent mail due at `now`, leasing it until `lease_until`.
    async fn claim_mail(&self, now: i64, lease_until: i64) -> RepoResult<Option<QueuedMail>>;
    /// Marks a mail delivered and erases its body (it may carry a one-time code). `attempts`
    /// is the claim's: a worker whose lease ran out (another took the mail) gets `Conflict`
    /// and changes nothing.
    async fn mark_mail_sent(&self, id: MailId, attempts: i64, at: i64) -> RepoResult<()>;
    /// Dead letters, newest first, at most `limit`.
    async fn dead_letters(&self, limit: i64) -> RepoResult<Vec<DeadLetter>>;
    /// Puts a dead letter back in the queue with fresh attempts; `false` if it was not one.
    async fn requeue_dead_letter(&self, id: MailId) -> RepoResult<bool>;
    /// As [`MailRepo::mark_mail_sent`], for a failed attempt: back to the queue at
    /// `retry_at`, or given up (a dead letter) without one.
    async fn mark_mail_failed(
        &self,
        id: MailId,
        attempts: i64,
        error: &str,
        retry_at: Option<i64>,
    ) -> RepoResult<()>;
}
