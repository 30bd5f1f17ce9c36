//! Outgoing mail. Mail is written to an outbox in the same transaction as the event that causes
//! it, and a worker hands it to a [`Mailer`]; so no mail is lost when the process stops.

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
}

/// A mail transport: a directory of `.eml` files (embedded default) or SMTP.
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: &QueuedMail) -> Result<(), MailError>;
}
