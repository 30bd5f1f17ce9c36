//! What every service shares: the store, the clock, the hasher, the sealer, the certificate factory
//! and the tunable settings.

use crate::account::password::PasswordHasher;
use crate::audit::{AuditAction, AuditEvent};
use crate::certificate::pki::{CertificateFactory, SecretSealer};
use crate::clock::Clock;
use crate::document::render::DocumentRenderer;
use crate::store::Store;
use std::sync::Arc;

/// Tunable rules of the domain. Defaults follow the public record (see docs/domain decisions).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Wrong entries before an account (or the issuance password) locks.
    pub lockout_threshold: i64,
    /// How long a lock lasts.
    pub lockout_seconds: i64,
    /// How long a worker may hold an issuance job before another may take it over.
    pub job_lease_seconds: i64,
    /// Attempts before an application is failed for good.
    pub max_job_attempts: i64,
    /// Version of the terms of use shown to offices.
    pub terms_version: String,
    /// The helpdesk line printed in notices and mail.
    pub helpdesk: String,
    /// Fee charged for each issued 介護保険証明書, yen, tax included.
    pub hoken_fee_yen: i64,
    /// Days before expiry when the renewal notice is posted and renewal is offered.
    pub renewal_notice_days: i64,
    /// Offices per letters PDF: a larger batch is printed in parts (「1〜500件目」…).
    pub letters_per_pdf: usize,
    /// Timing of CRLs, OCSP answers and the responder certificate.
    pub revocation: crate::revocation::RevocationSettings,
    /// How the ZIP of the 証明書発行用パスワード通知書 is encrypted.
    pub password_zip: crate::account::zip_protection::ZipProtection,
}

impl Settings {
    /// The renewal window in seconds (`renewal_notice_days`).
    pub fn renewal_window_seconds(&self) -> i64 {
        self.renewal_notice_days.saturating_mul(86_400)
    }

    /// The configured threshold as the messages say it: 「3回」.
    pub fn lockout_times(&self) -> String {
        format!("{}回", self.lockout_threshold)
    }

    /// The configured lock as the messages say it: 「30分」, 「1時間」, 「1時間30分」.
    pub fn lockout_span(&self) -> String {
        let minutes = (self.lockout_seconds + 59) / 60;
        match (minutes / 60, minutes % 60) {
            (0, m) => format!("{m}分"),
            (h, 0) => format!("{h}時間"),
            (h, m) => format!("{h}時間{m}分"),
        }
    }

    /// 「3回続けて誤るとアカウントが30分間ロックされます。」 with the configured values.
    pub fn lockout_warning(&self) -> String {
        format!(
            "{}続けて誤るとアカウントが{}間ロックされます。",
            self.lockout_times(),
            self.lockout_span()
        )
    }
}

/// Default offices per letters PDF.
pub const DEFAULT_LETTERS_PER_PDF: usize = 500;

impl Default for Settings {
    fn default() -> Self {
        Self {
            lockout_threshold: 3,
            lockout_seconds: 30 * 60,
            // Short, so that a crashed node's applications are taken up again within half a
            // minute; the worker renews it every third of it while it builds.
            job_lease_seconds: 30,
            max_job_attempts: 5,
            terms_version: crate::certificate::terms::TERMS_VERSION.to_owned(),
            helpdesk: "電子請求受付システム ヘルプデスク（受付時間 平日 9:00〜17:00）".to_owned(),
            hoken_fee_yen: crate::fee::DEFAULT_HOKEN_FEE_YEN,
            renewal_notice_days: 90,
            letters_per_pdf: DEFAULT_LETTERS_PER_PDF,
            revocation: crate::revocation::RevocationSettings::default(),
            password_zip: crate::account::zip_protection::ZipProtection::default(),
        }
    }
}

/// What every service shares. Built once at start and handed around in an `Arc`.
pub struct Deps {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub hasher: PasswordHasher,
    pub sealer: Arc<dyn SecretSealer>,
    pub factory: Arc<dyn CertificateFactory>,
    /// CRL and OCSP signing (the issuing CA and its delegated responder).
    pub status: Arc<dyn crate::revocation::pki::StatusSigner>,
    /// Renders the PDFs core produces (letters).
    pub documents: Arc<dyn DocumentRenderer>,
    pub settings: Settings,
}

impl Deps {
    /// The same dependencies on another clock (a node's tests run time forward with one).
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> Self {
        Self {
            store: self.store.clone(),
            clock,
            hasher: self.hasher.clone(),
            sealer: self.sealer.clone(),
            factory: self.factory.clone(),
            status: self.status.clone(),
            documents: self.documents.clone(),
            settings: self.settings.clone(),
        }
    }

    /// Appends to the audit trail; a failure there is logged but does not undo the action.
    pub async fn audit(
        &self,
        actor: &str,
        action: AuditAction,
        object: &str,
        source: &str,
        detail: &str,
    ) {
        crate::observe::event(action);
        let event = AuditEvent {
            at: self.clock.unix(),
            actor: actor.to_owned(),
            action: action.name().to_owned(),
            object: object.to_owned(),
            source: source.to_owned(),
            detail: detail.to_owned(),
        };
        if let Err(e) = self.store.append_audit(&event).await {
            tracing::error!(error = %e, action = action.name(), "audit append failed");
        }
    }
}
