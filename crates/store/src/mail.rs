//! The mail outbox. Mail is written in the same transaction as the event that causes it and
//! sent later by a worker, so a crash loses none; states: `pending` → (claim) `sending` →
//! `sent` | `failed`, or back to `pending` with a `retry_at`.

use async_trait::async_trait;
use kaigo_core::RepoError;
use kaigo_core::error::RepoResult;
use kaigo_core::ids::MailId;
use kaigo_core::mail::repo::MailRepo;
use kaigo_core::mail::{DeadLetter, NewMail, QueuedMail};
use sqlx::Executor;
use sqlx::any::{Any, AnyRow};

use crate::SqlStore;
use crate::error::{clip, repo_err};
use crate::row::get;

/// Mail a worker may take at `$1`: pending and due, or being sent under an expired lease.
macro_rules! claimable {
    () => {
        "((state = 'pending' AND (retry_at IS NULL OR retry_at <= $1)) \
          OR (state = 'sending' AND lease_until < $1))"
    };
}

/// Takes the oldest claimable mail in one statement; see `claim_sql!` in applications.rs.
macro_rules! claim_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE mail_outbox SET state = 'sending', attempts = attempts + 1, \
             lease_until = $2, retry_at = NULL \
             WHERE id = (SELECT id FROM mail_outbox WHERE ",
            claimable!(),
            " ORDER BY id LIMIT 1",
            $lock,
            ") AND ",
            claimable!(),
            " RETURNING id, to_addr, subject, body, attempts, created_at"
        )
    };
}

fn queued(row: &AnyRow) -> RepoResult<QueuedMail> {
    Ok(QueuedMail {
        id: MailId(get(row, "id")?),
        to: get(row, "to_addr")?,
        subject: get(row, "subject")?,
        body: get(row, "body")?,
        attempts: get(row, "attempts")?,
        created_at: get(row, "created_at")?,
    })
}

/// Queues a mail through any executor, so that an event can queue it in its transaction.
pub(crate) async fn insert<'c, E>(executor: E, m: &NewMail) -> Result<MailId, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO mail_outbox (to_addr, subject, body, state, attempts, created_at) \
         VALUES ($1, $2, $3, 'pending', 0, $4) RETURNING id",
    )
    .bind(m.to.as_str())
    .bind(m.subject.as_str())
    .bind(m.body.as_str())
    .bind(m.created_at)
    .fetch_one(executor)
    .await?;
    Ok(MailId(id))
}

impl SqlStore {
    /// Why a guarded outbox update changed nothing: the mail is missing (`NotFound`) or
    /// already finished (`Conflict`).
    async fn mail_not_updated(&self, id: MailId) -> RepoError {
        let state: Result<Option<String>, _> =
            sqlx::query_scalar("SELECT state FROM mail_outbox WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await;
        match state {
            Ok(None) => RepoError::NotFound,
            Ok(Some(state)) => RepoError::Conflict(format!("mail {id} is {state}")),
            Err(e) => repo_err("mail state")(e),
        }
    }
}

#[async_trait]
impl MailRepo for SqlStore {
    async fn enqueue_mail(&self, m: &NewMail) -> RepoResult<MailId> {
        insert(&self.pool, m)
            .await
            .map_err(repo_err("enqueue mail"))
    }

    async fn claim_mail(&self, now: i64, lease_until: i64) -> RepoResult<Option<QueuedMail>> {
        let queue = crate::lease::LeasedQueue {
            claim: self
                .backend
                .pick(claim_sql!(""), claim_sql!(" FOR UPDATE SKIP LOCKED")),
            waiting: concat!(
                "SELECT id FROM mail_outbox WHERE ",
                claimable!(),
                " LIMIT 1"
            ),
            what: "claim mail",
        };
        queue
            .claim(&self.pool, now, lease_until)
            .await?
            .as_ref()
            .map(queued)
            .transpose()
    }

    async fn mark_mail_sent(&self, id: MailId, attempts: i64, at: i64) -> RepoResult<()> {
        let done = sqlx::query(
            // The body goes once the mail is delivered: it may carry a one-time code, which
            // must not outlive its purpose in the database.
            "UPDATE mail_outbox SET state = 'sent', sent_at = $2, lease_until = NULL, \
             retry_at = NULL, body = '' WHERE id = $1 AND state = 'sending' AND attempts = $3",
        )
        .bind(id.0)
        .bind(at)
        .bind(attempts)
        .execute(&self.pool)
        .await
        .map_err(repo_err("mark mail sent"))?;
        if done.rows_affected() == 0 {
            return Err(self.mail_not_updated(id).await);
        }
        Ok(())
    }

    async fn dead_letters(&self, limit: i64) -> RepoResult<Vec<DeadLetter>> {
        let rows = sqlx::query(
            "SELECT id, to_addr, subject, attempts, last_error, created_at FROM mail_outbox \
             WHERE state = 'failed' ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(repo_err("dead letters"))?;
        rows.iter()
            .map(|r| {
                Ok(DeadLetter {
                    id: MailId(get(r, "id")?),
                    to: get(r, "to_addr")?,
                    subject: get(r, "subject")?,
                    attempts: get(r, "attempts")?,
                    last_error: get::<Option<String>>(r, "last_error")?.unwrap_or_default(),
                    created_at: get(r, "created_at")?,
                })
            })
            .collect()
    }

    async fn requeue_dead_letter(&self, id: MailId) -> RepoResult<bool> {
        let done = sqlx::query(
            "UPDATE mail_outbox SET state = 'pending', attempts = 0, retry_at = NULL, \
             lease_until = NULL WHERE id = $1 AND state = 'failed'",
        )
        .bind(id.0)
        .execute(&self.pool)
        .await
        .map_err(repo_err("requeue mail"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn mark_mail_failed(
        &self,
        id: MailId,
        attempts: i64,
        error: &str,
        retry_at: Option<i64>,
    ) -> RepoResult<()> {
        let error = clip(error);
        // Without a retry time the mail is given up: it stays in the table for operators.
        let state = if retry_at.is_some() {
            "pending"
        } else {
            "failed"
        };
        let done = sqlx::query(
            "UPDATE mail_outbox SET state = $2, retry_at = $3, last_error = $4, lease_until = NULL \
             WHERE id = $1 AND state = 'sending' AND attempts = $5",
        )
        .bind(id.0)
        .bind(state)
        .bind(retry_at)
        .bind(error)
        .bind(attempts)
        .execute(&self.pool)
        .await
        .map_err(repo_err("mark mail failed"))?;
        if done.rows_affected() == 0 {
            return Err(self.mail_not_updated(id).await);
        }
        Ok(())
    }
}
