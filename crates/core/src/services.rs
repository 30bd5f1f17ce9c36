//! The bundle of every service, as the web layer and the workers receive it.

use std::sync::Arc;

use crate::deps::Deps;

/// All services, as the web layer and the workers receive them.
#[derive(Clone)]
pub struct Services {
    pub auth: crate::account::login::AuthService,
    pub apply: crate::certificate::apply::ApplicationService,
    pub issue: crate::certificate::issue::IssuanceService,
    pub notices: crate::notice::service::NoticeService,
    pub account: crate::account::recovery::AccountService,
    pub issuance_reissue: crate::account::issuance_password::IssuancePasswordReissue,
    pub documents: crate::document::service::DocumentService,
    pub sessions: crate::account::session::SessionService,
    pub admin: crate::admin::login::AdminService,
    pub admin_accounts: crate::admin::accounts::AdminAccounts,
    pub inquiries: crate::inquiry::service::InquiryService,
    pub assist: crate::assist::service::AssistService,
    pub ca_files: crate::certificate::ca_files::CaFiles,
    pub fees: crate::fee::service::FeeService,
    pub renewal: crate::certificate::renewal::RenewalService,
    pub admin_fees: crate::fee::console::AdminFeeService,
    pub admin_notices: crate::notice::console::AdminNoticeService,
    pub admin_certs: crate::certificate::console::CertificateAdminService,
    pub admin_inquiries: crate::inquiry::console::InquiryAdminService,
    pub admin_audit: crate::audit::service::AuditSearchService,
    pub admin_mail: crate::mail::console::MailConsole,
    pub admin_offices: crate::office::service::AdminOfficeService,
    pub crl: crate::revocation::crl::CrlService,
    pub ocsp: crate::revocation::ocsp::OcspService,
    pub responders: crate::revocation::responder::ResponderKeys,
    pub health: crate::health::HealthService,
    pub audit_checkpoints: crate::audit::checkpoint::AuditCheckpoints,
    pub deps: Arc<Deps>,
}

impl Services {
    pub fn new(deps: Deps) -> Self {
        let deps = Arc::new(deps);
        let responders = crate::revocation::responder::ResponderKeys::new(deps.clone());
        Self {
            auth: crate::account::login::AuthService::new(deps.clone()),
            apply: crate::certificate::apply::ApplicationService::new(deps.clone()),
            issue: crate::certificate::issue::IssuanceService::new(deps.clone()),
            notices: crate::notice::service::NoticeService::new(deps.clone()),
            account: crate::account::recovery::AccountService::new(deps.clone()),
            issuance_reissue: crate::account::issuance_password::IssuancePasswordReissue::new(
                deps.clone(),
            ),
            documents: crate::document::service::DocumentService::new(deps.clone()),
            sessions: crate::account::session::SessionService::new(deps.clone()),
            admin: crate::admin::login::AdminService::new(deps.clone()),
            admin_accounts: crate::admin::accounts::AdminAccounts::new(deps.clone()),
            inquiries: crate::inquiry::service::InquiryService::new(deps.clone()),
            assist: crate::assist::service::AssistService::new(deps.clone()),
            ca_files: crate::certificate::ca_files::CaFiles::new(deps.clone()),
            fees: crate::fee::service::FeeService::new(deps.clone()),
            renewal: crate::certificate::renewal::RenewalService::new(deps.clone()),
            admin_fees: crate::fee::console::AdminFeeService::new(deps.clone()),
            admin_notices: crate::notice::console::AdminNoticeService::new(deps.clone()),
            admin_certs: crate::certificate::console::CertificateAdminService::new(deps.clone()),
            admin_inquiries: crate::inquiry::console::InquiryAdminService::new(deps.clone()),
            admin_audit: crate::audit::service::AuditSearchService::new(deps.clone()),
            admin_mail: crate::mail::console::MailConsole::new(deps.clone()),
            admin_offices: crate::office::service::AdminOfficeService::new(deps.clone()),
            crl: crate::revocation::crl::CrlService::new(deps.clone()),
            ocsp: crate::revocation::ocsp::OcspService::new(deps.clone(), responders.clone()),
            responders,
            health: crate::health::HealthService::new(deps.clone()),
            audit_checkpoints: crate::audit::checkpoint::AuditCheckpoints::new(deps.clone()),
            deps,
        }
    }
}
