//! The audit trail: one record per security-relevant event, chained by hash in the store.

pub mod chain;
pub mod checkpoint;
pub mod repo;
pub mod search;
pub mod service;

/// One security-relevant event. The store chains each entry to the previous one by hash, so
/// that a removed or altered entry is detectable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    pub at: i64,
    /// Who: a user ID, `system`, or `cli`.
    pub actor: String,
    /// What: e.g. `login.success`, `application.submit`, `certificate.download`.
    pub action: String,
    /// On which object, e.g. `office:12`, `certificate:ab12…`.
    pub object: String,
    /// From where: a client IP address, or empty.
    pub source: String,
    pub detail: String,
}

macro_rules! audit_actions {
    ($($variant:ident => $name:literal,)*) => {
        /// Every action the audit trail records, with its stored name. One list (this macro's
        /// input), so that a search can offer them and a new action cannot be spelled two ways.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum AuditAction {
            $($variant,)*
        }

        impl AuditAction {
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// The name stored in `audit_log.action` (dotted, singular: `admin.office.edit`).
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }
        }
    };
}

// Renamed when the list was made (older records keep the old names, the chain forbids
// rewriting them; a prefix search such as `admin.office` finds both): `admin.offices.*` →
// `admin.office.*`, `admin.add` → `admin.account.add`, the console's
// `admin.offices.register`/`import` → `office.register`/`import` (one path for every actor).
audit_actions! {
    LoginSuccess => "login.success",
    LoginFailure => "login.failure",
    LoginLocked => "login.locked",
    LoginRefusedInactive => "login.refused_inactive",
    PasswordChange => "password.change",
    PasswordResetRequest => "password.reset_request",
    PasswordReset => "password.reset",
    PasswordResetFailure => "password.reset_failure",
    SecurityMailCodeSent => "security_mail.code_sent",
    SecurityMailCodeWrong => "security_mail.code_wrong",
    SecurityMailConfirmed => "security_mail.confirmed",
    IssuancePasswordFailure => "issuance_password.failure",
    IssuancePasswordReissue => "issuance_password.reissue",
    ApplicationSubmit => "application.submit",
    CertificateIssue => "certificate.issue",
    CertificateDownload => "certificate.download",
    EstimateIssue => "estimate.issue",
    FeePayment => "fee.payment",
    InquirySubmit => "inquiry.submit",
    NoticeAdd => "notice.add",
    OfficeRegister => "office.register",
    OfficeImport => "office.import",
    RenewalNotice => "renewal.notice",
    DocumentDownload => "document.download",
    AttachmentDownload => "attachment.download",
    AdminLogin => "admin.login",
    AdminLoginPassword => "admin.login.password",
    AdminLoginFailed => "admin.login.failed",
    AdminLoginLocked => "admin.login.locked",
    AdminAccountAdd => "admin.account.add",
    AdminAccountDisable => "admin.account.disable",
    AdminAccountEnable => "admin.account.enable",
    AdminAccountUnlock => "admin.account.unlock",
    AdminMailRetry => "admin.mail.retry",
    AdminAuditSearch => "admin.audit.search",
    AdminCertificateRevoke => "admin.certificate.revoke",
    AdminFeePayment => "admin.fee.payment",
    AdminFeeCorrection => "admin.fee.correction",
    AdminFeeInvoice => "admin.fee.invoice",
    AdminInquiryReply => "admin.inquiry.reply",
    AdminInquiryClose => "admin.inquiry.close",
    AdminNoticeCreate => "admin.notice.create",
    AdminNoticeEdit => "admin.notice.edit",
    AdminNoticeWithdraw => "admin.notice.withdraw",
    AdminOfficeEdit => "admin.office.edit",
    AdminOfficeClose => "admin.office.close",
    AdminOfficeSuspend => "admin.office.suspend",
    AdminOfficeResume => "admin.office.resume",
    AdminOfficeUnlock => "admin.office.unlock",
    AdminOfficeLoginReissue => "admin.office.login_reissue",
    AdminOfficeLettersDownload => "admin.office.letters_download",
    AdminOfficeLettersDiscard => "admin.office.letters_discard",
    CrlPublish => "ca.crl_publish",
    OcspResponderIssue => "ca.ocsp_responder_issue",
    OcspResponderRetire => "ca.ocsp_responder_retire",
    CaInit => "ca.init",
    RootCrlSign => "ca.root_crl",
    IssuingRecertify => "ca.recertify_issuing",
    IssuingRequest => "ca.issuing_request",
    IssuingInstall => "ca.issuing_install",
    RootCrlInstall => "ca.root_crl_install",
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_are_unique_dotted_and_singular() {
        let mut seen = std::collections::HashSet::new();
        for a in AuditAction::ALL.iter().copied() {
            let n = a.name();
            assert!(seen.insert(n), "{n} twice");
            assert!(n.contains('.') && !n.contains("offices"), "{n}");
        }
    }
}
