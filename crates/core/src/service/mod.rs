//! Use cases, one module each. Handlers and workers call these; none of them knows HTTP or SQL.

pub mod account;
pub mod admin;
pub mod admin_accounts;
pub mod admin_audit;
pub mod admin_certs;
pub mod admin_fees;
pub mod admin_inquiries;
pub mod admin_notices;
pub mod admin_offices;
pub mod apply;
pub mod auth;
pub mod fees;
pub mod issuance_reissue;
pub mod issue;
pub mod notices;
pub mod office_import;
pub mod portal;
pub mod register;
pub mod renewal;
pub mod submission;
pub mod throttle;

use std::sync::Arc;

use crate::clock::Clock;
use crate::password::PasswordHasher;
use crate::pki::{CertificateFactory, SecretSealer};
use crate::repo::{AuditEvent, Store};

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
}

impl Settings {
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
            terms_version: crate::terms::TERMS_VERSION.to_owned(),
            helpdesk: "電子請求受付システム ヘルプデスク（受付時間 平日 9:00〜17:00）".to_owned(),
            hoken_fee_yen: crate::fees::DEFAULT_HOKEN_FEE_YEN,
            renewal_notice_days: 90,
            letters_per_pdf: DEFAULT_LETTERS_PER_PDF,
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
    pub settings: Settings,
}

impl Deps {
    /// Appends to the audit trail; a failure there is logged but does not undo the action.
    pub async fn audit(&self, actor: &str, action: &str, object: &str, source: &str, detail: &str) {
        let event = AuditEvent {
            at: self.clock.unix(),
            actor: actor.to_owned(),
            action: action.to_owned(),
            object: object.to_owned(),
            source: source.to_owned(),
            detail: detail.to_owned(),
        };
        if let Err(e) = self.store.append_audit(&event).await {
            tracing::error!(error = %e, action, "audit append failed");
        }
    }
}

/// All services, as the web layer and the workers receive them.
#[derive(Clone)]
pub struct Services {
    pub auth: auth::AuthService,
    pub register: register::RegistrationService,
    pub apply: apply::ApplicationService,
    pub issue: issue::IssuanceService,
    pub notices: notices::NoticeService,
    pub account: account::AccountService,
    pub issuance_reissue: issuance_reissue::IssuancePasswordReissue,
    pub portal: portal::PortalService,
    pub fees: fees::FeeService,
    pub renewal: renewal::RenewalService,
    pub admin_fees: admin_fees::AdminFeeService,
    pub admin_notices: admin_notices::AdminNoticeService,
    pub admin_certs: admin_certs::CertificateAdminService,
    pub admin_inquiries: admin_inquiries::InquiryAdminService,
    pub admin_audit: admin_audit::AuditSearchService,
    pub admin_offices: admin_offices::AdminOfficeService,
    pub deps: Arc<Deps>,
}

impl Services {
    pub fn new(deps: Deps) -> Self {
        let deps = Arc::new(deps);
        Self {
            auth: auth::AuthService::new(deps.clone()),
            register: register::RegistrationService::new(deps.clone()),
            apply: apply::ApplicationService::new(deps.clone()),
            issue: issue::IssuanceService::new(deps.clone()),
            notices: notices::NoticeService::new(deps.clone()),
            account: account::AccountService::new(deps.clone()),
            issuance_reissue: issuance_reissue::IssuancePasswordReissue::new(deps.clone()),
            portal: portal::PortalService::new(deps.clone()),
            fees: fees::FeeService::new(deps.clone()),
            renewal: renewal::RenewalService::new(deps.clone()),
            admin_fees: admin_fees::AdminFeeService::new(deps.clone()),
            admin_notices: admin_notices::AdminNoticeService::new(deps.clone()),
            admin_certs: admin_certs::CertificateAdminService::new(deps.clone()),
            admin_inquiries: admin_inquiries::InquiryAdminService::new(deps.clone()),
            admin_audit: admin_audit::AuditSearchService::new(deps.clone()),
            admin_offices: admin_offices::AdminOfficeService::new(deps.clone()),
            deps,
        }
    }
}
