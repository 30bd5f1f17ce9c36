//! Outgoing mail. Mail is written to an outbox in the same transaction as the event that causes
//! it, and a worker hands it to a [`Mailer`]; so no mail is lost when the process stops.

pub mod console;
pub mod repo;

use async_trait::async_trait;

use crate::error::MailError;
use crate::ids::MailId;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMail {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
}

#[derive(Clone, Debug)]
pub struct QueuedMail {
    pub id: MailId,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
    /// When the mail was queued; with `id`, a name that stays the same if it is sent again.
    pub created_at: i64,
}

/// A mail given up after its last attempt (a dead letter), as the console lists it.
#[derive(Clone, Debug)]
pub struct DeadLetter {
    pub id: MailId,
    pub to: String,
    pub subject: String,
    pub attempts: i64,
    pub last_error: String,
    pub created_at: i64,
}

/// How often a mail is tried before it becomes a dead letter.
pub const DEFAULT_MAX_ATTEMPTS: i64 = 8;

/// Wait before the next attempt after `attempts` failed ones: one minute, doubling each
/// time, at most six hours (8 attempts span about two hours).
pub fn retry_delay_seconds(attempts: i64) -> i64 {
    let doublings = attempts.clamp(1, 16) - 1;
    (60_i64 << doublings).min(6 * 3600)
}

/// A mail transport: a directory of `.eml` files (embedded default) or SMTP.
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: &QueuedMail) -> Result<(), MailError>;
}
