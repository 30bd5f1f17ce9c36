//! Manual 4: 【通知書を紛失してしまった】 → 【再発行する】. A new 証明書発行用パスワード replaces the
//! old one (only its Argon2id hash is stored) and the office is told through the notice
//! 「証明書発行用パスワード再発行通知」.
//!
//! The notice is built by a [`ReissueNotifier`]. The default, [`PlainReissueNotice`], builds
//! the notice text without an attachment. The notice of the manual carries
//! 「証明書発行用パスワード通知書.zip」 (a PDF with the new password, AES-256 under the office's
//! login password): plug a notifier that builds it into
//! [`IssuancePasswordReissue::with_notifier`]. It receives the new password and the login
//! password captured at login; nothing else needs to change.

use std::sync::Arc;

use async_trait::async_trait;
use secrecy::SecretString;

use crate::account::password::generate_issuance_password;
pub use crate::account::zip_protection::ZipProtection;
use crate::audit::AuditAction;
use crate::deps::Deps;
use crate::error::CoreResult;
use crate::ids::NoticeId;
use crate::notice::attachment::NewAttachment;
use crate::notice::{NewNotice, NoticeCategory, NoticeTarget};
use crate::office::Office;
use crate::submission::{Claim, SubmissionKey};

/// Title of the notice, as in the manual.
pub const REISSUE_NOTICE_TITLE: &str = "証明書発行用パスワード再発行通知";
/// Name of the attachment the manual shows.
pub const REISSUE_ATTACHMENT_NAME: &str = "証明書発行用パスワード通知書.zip";

/// Days the notice (and so its ZIP) stays on display.
pub const REISSUE_NOTICE_DAYS: i64 = 30;

/// The notice body of the manual, with the user ID and the helpdesk. It never contains the
/// password itself.
pub fn reissue_notice_body(office: &Office, helpdesk: &str, zip: ZipProtection) -> String {
    let note = match zip {
        ZipProtection::Traditional => String::new(),
        ZipProtection::Aes256 => format!("※{}\n\n", zip.open_hint()),
    };
    format!(
        "介護電子請求受付システムからのお知らせです。\n\
         再発行された証明書発行用パスワードを通知いたします。\n\n\
         添付された証明書発行用パスワード通知書のZIPファイルを取得してください。\n\
         添付のZIPファイルを開くにはパスワードが必要です。\n\
         パスワードは、ログイン用パスワードをご入力ください。\n\n\
         {note}\
         [ユーザID]\n{}\n\
         [問い合わせ先]\n{}\n",
        office.user_id.as_str(),
        helpdesk
    )
}

/// Tells the office its new issuance password. Called once per reissue, after the new hash is
/// stored; returns the notice to open from the completion page.
/// Builds the notice 「証明書発行用パスワード再発行通知」 for a new password: its text and its
/// attachments. It only builds; the service stores the new hash and the notice together.
#[async_trait]
pub trait ReissueNotifier: Send + Sync {
    async fn build_reissue_notice(
        &self,
        office: &Office,
        new_password: &SecretString,
        login_password: Option<&SecretString>,
        now: i64,
    ) -> CoreResult<(NewNotice, Vec<NewAttachment>)>;
}

pub struct PlainReissueNotice {
    deps: Arc<Deps>,
}

impl PlainReissueNotice {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }
}

#[async_trait]
impl ReissueNotifier for PlainReissueNotice {
    async fn build_reissue_notice(
        &self,
        office: &Office,
        _new_password: &SecretString,
        _login_password: Option<&SecretString>,
        now: i64,
    ) -> CoreResult<(NewNotice, Vec<NewAttachment>)> {
        Ok((reissue_notice(office, &self.deps.settings, now), Vec::new()))
    }
}

/// The notice without its attachment. It is shown for `REISSUE_NOTICE_DAYS`; after that
/// neither it nor its ZIP can be fetched.
pub fn reissue_notice(office: &Office, settings: &crate::deps::Settings, now: i64) -> NewNotice {
    NewNotice {
        category: NoticeCategory::Certificate,
        title: REISSUE_NOTICE_TITLE.to_owned(),
        body: reissue_notice_body(office, &settings.helpdesk, settings.password_zip),
        target: NoticeTarget::Office(office.id),
        start_at: now,
        end_at: Some(now + REISSUE_NOTICE_DAYS * 86_400),
        created_at: now,
    }
}

pub struct Reissued {
    pub password: SecretString,
    pub notice_id: NoticeId,
}

/// The outcome of one 【再発行する】 form.
pub enum ReissueOutcome {
    Reissued(Reissued),
    /// The same form was sent before (double click, reload, parallel requests): nothing new
    /// was made. The notice of the first request, once it is stored.
    AlreadySubmitted(Option<NoticeId>),
}

#[derive(Clone)]
pub struct IssuancePasswordReissue {
    deps: Arc<Deps>,
    notifier: Arc<dyn ReissueNotifier>,
}

impl IssuancePasswordReissue {
    pub fn new(deps: Arc<Deps>) -> Self {
        let notifier = Arc::new(PlainReissueNotice::new(deps.clone()));
        Self { deps, notifier }
    }

    pub fn with_notifier(deps: Arc<Deps>, notifier: Arc<dyn ReissueNotifier>) -> Self {
        Self { deps, notifier }
    }

    /// Generates and stores a new issuance password, lifts the issuance-password lock, posts
    /// the notice and returns the password. Certificates already built keep their old
    /// password; applications from now on need the new one.
    ///
    /// `form_token` is the one-time token of the form on screen: one form reissues once,
    /// however many requests carry it.
    pub async fn reissue_once(
        &self,
        office: &Office,
        login_password: Option<&SecretString>,
        form_token: &str,
        source: &str,
    ) -> CoreResult<ReissueOutcome> {
        let key = SubmissionKey::new("issuance_password.reissue", office.id.0, form_token);
        let key = match self.deps.claim_once(key).await? {
            Claim::First(key) => key,
            Claim::Repeated(notice) => {
                return Ok(ReissueOutcome::AlreadySubmitted(notice.map(NoticeId)));
            }
        };
        match self.reissue(office, login_password, source).await {
            Ok(r) => {
                self.deps.finish_once(key, r.notice_id.0).await?;
                Ok(ReissueOutcome::Reissued(r))
            }
            Err(e) => {
                self.deps.release_once(key).await?;
                Err(e)
            }
        }
    }

    /// One reissue, without the form-token guard (the CLI and tests).
    pub async fn reissue(
        &self,
        office: &Office,
        login_password: Option<&SecretString>,
        source: &str,
    ) -> CoreResult<Reissued> {
        let d = &self.deps;
        let now = d.clock.unix();
        let password = generate_issuance_password();
        let hash = d.hasher.hash_async(&password).await?;
        // Build first (the letter, the ZIP): if that fails, nothing has changed.
        let (notice, attachments) = self
            .notifier
            .build_reissue_notice(office, &password, login_password, now)
            .await
            .inspect_err(|e| tracing::error!(error = %e, office = %office.id, "reissue notice could not be built"))?;
        let notice_id = d
            .store
            .reissue_issuance_password(office.id, &hash, &notice, &attachments)
            .await?;
        d.store
            .throttle_clear(&format!("issuance:{}", office.id))
            .await?;
        d.audit(
            office.user_id.as_str(),
            AuditAction::IssuancePasswordReissue,
            &format!("office:{}", office.id),
            source,
            if attachments.is_empty() {
                "notice without attachment"
            } else {
                "notice with attachment"
            },
        )
        .await;
        Ok(Reissued {
            password,
            notice_id,
        })
    }
}
