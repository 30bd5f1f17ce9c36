//! The mail outbox worker and the two transports: `.eml` files (embedded default) and SMTP.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use kaigo_core::clock::Clock;
use kaigo_core::error::MailError;
use kaigo_core::mail::repo::MailRepo;
use kaigo_core::mail::{Mailer, QueuedMail, retry_delay_seconds};
use kaigo_core::observe;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::task::JoinHandle;

use crate::{Shutdown, sleep_or_stop};

/// The mail's own name: the same each time the same outbox row is sent (after a node died
/// between handing it over and recording it), so a spool keeps one file and a mail client or
/// relay can tell a repeat by its Message-ID.
fn stable_name(mail: &QueuedMail) -> String {
    format!("{:012}-{:010}", mail.created_at.max(0), mail.id.0)
}

fn build_message(from: &Mailbox, mail: &QueuedMail) -> Result<Message, MailError> {
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|e| MailError(format!("bad recipient: {e}")))?;
    Message::builder()
        .message_id(Some(format!(
            "<{}@{}>",
            stable_name(mail),
            from.email.domain()
        )))
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|e| MailError(e.to_string()))
}

/// Writes each mail as an `.eml` file into a directory (which several nodes may share). A file
/// appears whole or not at all: it is written under a hidden temporary name and renamed, so
/// whoever picks mails up never reads half a mail. Its name comes from the outbox row, so a
/// mail sent again after a node died replaces its own file instead of making a second one.
pub struct FileMailer {
    from: Mailbox,
    pub dir: PathBuf,
}

impl FileMailer {
    pub fn new(dir: PathBuf, from: &str) -> Result<Self, MailError> {
        std::fs::create_dir_all(&dir).map_err(|e| MailError(e.to_string()))?;
        let from = from
            .parse()
            .map_err(|e| MailError(format!("bad sender: {e}")))?;
        sweep_stale_parts(&dir);
        Ok(Self { from, dir })
    }
}

/// Removes temporary files an earlier process left when it died mid-write (older than an
/// hour, so that another node's write in progress is never touched). Best effort.
fn sweep_stale_parts(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(3600));
        if name.starts_with('.') && name.ends_with(".eml.part") && old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, mail: &QueuedMail) -> Result<(), MailError> {
        let bytes = build_message(&self.from, mail)?.formatted();
        let name = stable_name(mail);
        // The temporary name is this attempt's own (nodes in containers may share a process
        // ID), so two nodes writing the same mail at once each rename a whole file.
        let nonce: u64 = rand::random();
        let part = self.dir.join(format!(".{name}.{nonce:016x}.eml.part"));
        let done = self.dir.join(format!("{name}.eml"));
        let io = |e: std::io::Error| MailError(format!("{}: {e}", self.dir.display()));
        let mut file = tokio::fs::File::create(&part).await.map_err(io)?;
        tokio::io::AsyncWriteExt::write_all(&mut file, &bytes)
            .await
            .map_err(io)?;
        file.sync_all().await.map_err(io)?;
        drop(file);
        tokio::fs::rename(&part, &done).await.map_err(io)
    }
}

/// Delivers through an SMTP server. The URL is lettre's: `smtp://host:25` (plain, or
/// `?tls=required` for STARTTLS), `smtps://user:password@host:465` (implicit TLS).
pub struct SmtpMailer {
    from: Mailbox,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    timeout: Duration,
}

impl SmtpMailer {
    /// `timeout` bounds each conversation with the relay; keep it below the mail lease, so that
    /// no other node takes a mail over while this one may still be sending it.
    pub fn from_url(url: &str, from: &str, timeout: Duration) -> Result<Self, MailError> {
        let from = from
            .parse()
            .map_err(|e| MailError(format!("bad sender: {e}")))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailError(format!("bad SMTP URL: {e}")))?
            .timeout(Some(timeout))
            .build();
        Ok(Self {
            from,
            transport,
            timeout,
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: &QueuedMail) -> Result<(), MailError> {
        let msg = build_message(&self.from, mail)?;
        // lettre's own timeout covers connecting only; a relay that accepts and then stalls
        // must not keep the mail past its lease (another node would send it again).
        match tokio::time::timeout(self.timeout, self.transport.send(msg)).await {
            Ok(sent) => sent.map(|_| ()).map_err(|e| MailError(e.to_string())),
            Err(_) => Err(MailError(format!(
                "the relay did not finish within {} s",
                self.timeout.as_secs()
            ))),
        }
    }
}

/// Delivers queued mail through a [`Mailer`], retrying with doubling back-off; after
/// `max_attempts` failures a mail is a dead letter (state `failed`), listed in the console.
pub struct MailWorker {
    pub store: Arc<dyn MailRepo>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    pub max_attempts: i64,
    /// How long a claimed mail stays this node's before another node may send it.
    pub lease_seconds: i64,
}

impl MailWorker {
    pub fn spawn(self, mut shutdown: Shutdown) -> JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.deliver_one().await {
                    Ok(true) => continue,
                    Ok(false) => {}
                    Err(e) => tracing::error!(error = %e, "mail worker error"),
                }
                if sleep_or_stop(&mut shutdown, Duration::from_millis(1000)).await {
                    break;
                }
            }
        })
    }

    /// Sends one due mail; false when none was due.
    pub async fn deliver_one(&self) -> Result<bool, kaigo_core::RepoError> {
        let now = self.clock.unix();
        let Some(mail) = self.store.claim_mail(now, now + self.lease_seconds).await? else {
            return Ok(false);
        };
        let recorded = match self.mailer.send(&mail).await {
            Ok(()) => {
                observe::mail_delivery("sent");
                self.store
                    .mark_mail_sent(mail.id, mail.attempts, self.clock.unix())
                    .await
            }
            Err(e) => {
                let retry = (mail.attempts < self.max_attempts)
                    .then(|| now + retry_delay_seconds(mail.attempts));
                match retry {
                    Some(at) => {
                        tracing::warn!(mail = %mail.id, attempts = mail.attempts, retry_at = at, error = %e, "mail delivery failed; will retry");
                        observe::mail_delivery("retry");
                    }
                    None => {
                        tracing::error!(mail = %mail.id, attempts = mail.attempts, error = %e, "mail delivery failed for good: dead letter (console: メール)");
                        observe::mail_delivery("dead");
                    }
                }
                self.store
                    .mark_mail_failed(mail.id, mail.attempts, &e.to_string(), retry)
                    .await
            }
        };
        match recorded {
            Ok(()) => {}
            // The lease ran out while sending and another node took the mail over: its
            // outcome is that node's to record.
            Err(kaigo_core::RepoError::Conflict(why)) => {
                tracing::warn!(mail = %mail.id, %why, "mail lease lost while sending");
            }
            Err(e) => return Err(e),
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use kaigo_core::ids::MailId;
    use kaigo_core::mail::{Mailer, QueuedMail};

    use super::FileMailer;

    #[tokio::test]
    async fn each_mail_appears_whole_under_its_own_name() {
        let dir = std::env::temp_dir().join(format!("kaigo-mailer-{}", std::process::id()));
        let mailer = FileMailer::new(dir.clone(), "ca@example.jp").unwrap();
        // Mail 1 is sent twice, as after a node died before recording the first send.
        for i in [0, 1, 2, 1] {
            mailer
                .send(&QueuedMail {
                    id: MailId(i),
                    to: "office@example.jp".into(),
                    subject: "【電子請求受付システム】お知らせ".into(),
                    body: "本文".into(),
                    attempts: 0,
                    created_at: 1_700_000_000,
                })
                .await
                .unwrap();
        }
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        let first = std::fs::read_to_string(dir.join(&names[0])).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(names.len(), 3, "a repeat replaces its own file: {names:?}");
        assert!(
            names
                .iter()
                .all(|n| n.ends_with(".eml") && !n.starts_with('.')),
            "no temporary file is left: {names:?}"
        );
        assert!(
            first.contains("To: office@example.jp") && first.contains("\r\n\r\n"),
            "{first}"
        );
        assert!(
            first.contains("Message-ID: <001700000000-0000000000@example.jp>"),
            "a Message-ID from the outbox row: {first}"
        );
    }
}
