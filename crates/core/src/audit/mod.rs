//! The audit trail: one record per security-relevant event, chained by hash in the store.

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

/// Every action the audit trail records, with its stored name. One list, so that a search
/// can offer them and a new action cannot be spelled two ways.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuditAction {
    LoginSuccess,
    LoginFailure,
    LoginLocked,
    LoginRefusedInactive,
    PasswordChange,
    PasswordResetRequest,
    PasswordReset,
    PasswordResetFailure,
    SecurityMailCodeSent,
    SecurityMailCodeWrong,
    SecurityMailConfirmed,
    IssuancePasswordFailure,
    IssuancePasswordReissue,
    ApplicationSubmit,
    CertificateIssue,
    CertificateDownload,
    EstimateIssue,
    FeePayment,
    InquirySubmit,
    NoticeAdd,
    OfficeRegister,
    OfficeImport,
    RenewalNotice,
    DocumentDownload,
    AttachmentDownload,
    AdminLogin,
    AdminLoginPassword,
    AdminLoginFailed,
    AdminLoginLocked,
    AdminAccountAdd,
    AdminAccountDisable,
    AdminAccountEnable,
    AdminAccountUnlock,
    AdminAuditSearch,
    AdminCertificateRevoke,
    AdminFeePayment,
    AdminFeeCorrection,
    AdminFeeInvoice,
    AdminInquiryReply,
    AdminInquiryClose,
    AdminNoticeCreate,
    AdminNoticeEdit,
    AdminNoticeWithdraw,
    AdminOfficeEdit,
    AdminOfficeClose,
    AdminOfficeSuspend,
    AdminOfficeResume,
    AdminOfficeUnlock,
    AdminOfficeLoginReissue,
    AdminOfficeLettersDownload,
    AdminOfficeLettersDiscard,
}

impl AuditAction {
    pub const ALL: [Self; 51] = [
        Self::LoginSuccess,
        Self::LoginFailure,
        Self::LoginLocked,
        Self::LoginRefusedInactive,
        Self::PasswordChange,
        Self::PasswordResetRequest,
        Self::PasswordReset,
        Self::PasswordResetFailure,
        Self::SecurityMailCodeSent,
        Self::SecurityMailCodeWrong,
        Self::SecurityMailConfirmed,
        Self::IssuancePasswordFailure,
        Self::IssuancePasswordReissue,
        Self::ApplicationSubmit,
        Self::CertificateIssue,
        Self::CertificateDownload,
        Self::EstimateIssue,
        Self::FeePayment,
        Self::InquirySubmit,
        Self::NoticeAdd,
        Self::OfficeRegister,
        Self::OfficeImport,
        Self::RenewalNotice,
        Self::DocumentDownload,
        Self::AttachmentDownload,
        Self::AdminLogin,
        Self::AdminLoginPassword,
        Self::AdminLoginFailed,
        Self::AdminLoginLocked,
        Self::AdminAccountAdd,
        Self::AdminAccountDisable,
        Self::AdminAccountEnable,
        Self::AdminAccountUnlock,
        Self::AdminAuditSearch,
        Self::AdminCertificateRevoke,
        Self::AdminFeePayment,
        Self::AdminFeeCorrection,
        Self::AdminFeeInvoice,
        Self::AdminInquiryReply,
        Self::AdminInquiryClose,
        Self::AdminNoticeCreate,
        Self::AdminNoticeEdit,
        Self::AdminNoticeWithdraw,
        Self::AdminOfficeEdit,
        Self::AdminOfficeClose,
        Self::AdminOfficeSuspend,
        Self::AdminOfficeResume,
        Self::AdminOfficeUnlock,
        Self::AdminOfficeLoginReissue,
        Self::AdminOfficeLettersDownload,
        Self::AdminOfficeLettersDiscard,
    ];

    /// The name stored in `audit_log.action` (dotted, singular: `admin.office.edit`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::LoginSuccess => "login.success",
            Self::LoginFailure => "login.failure",
            Self::LoginLocked => "login.locked",
            Self::LoginRefusedInactive => "login.refused_inactive",
            Self::PasswordChange => "password.change",
            Self::PasswordResetRequest => "password.reset_request",
            Self::PasswordReset => "password.reset",
            Self::PasswordResetFailure => "password.reset_failure",
            Self::SecurityMailCodeSent => "security_mail.code_sent",
            Self::SecurityMailCodeWrong => "security_mail.code_wrong",
            Self::SecurityMailConfirmed => "security_mail.confirmed",
            Self::IssuancePasswordFailure => "issuance_password.failure",
            Self::IssuancePasswordReissue => "issuance_password.reissue",
            Self::ApplicationSubmit => "application.submit",
            Self::CertificateIssue => "certificate.issue",
            Self::CertificateDownload => "certificate.download",
            Self::EstimateIssue => "estimate.issue",
            Self::FeePayment => "fee.payment",
            Self::InquirySubmit => "inquiry.submit",
            Self::NoticeAdd => "notice.add",
            Self::OfficeRegister => "office.register",
            Self::OfficeImport => "office.import",
            Self::RenewalNotice => "renewal.notice",
            Self::DocumentDownload => "document.download",
            Self::AttachmentDownload => "attachment.download",
            Self::AdminLogin => "admin.login",
            Self::AdminLoginPassword => "admin.login.password",
            Self::AdminLoginFailed => "admin.login.failed",
            Self::AdminLoginLocked => "admin.login.locked",
            Self::AdminAccountAdd => "admin.account.add",
            Self::AdminAccountDisable => "admin.account.disable",
            Self::AdminAccountEnable => "admin.account.enable",
            Self::AdminAccountUnlock => "admin.account.unlock",
            Self::AdminAuditSearch => "admin.audit.search",
            Self::AdminCertificateRevoke => "admin.certificate.revoke",
            Self::AdminFeePayment => "admin.fee.payment",
            Self::AdminFeeCorrection => "admin.fee.correction",
            Self::AdminFeeInvoice => "admin.fee.invoice",
            Self::AdminInquiryReply => "admin.inquiry.reply",
            Self::AdminInquiryClose => "admin.inquiry.close",
            Self::AdminNoticeCreate => "admin.notice.create",
            Self::AdminNoticeEdit => "admin.notice.edit",
            Self::AdminNoticeWithdraw => "admin.notice.withdraw",
            Self::AdminOfficeEdit => "admin.office.edit",
            Self::AdminOfficeClose => "admin.office.close",
            Self::AdminOfficeSuspend => "admin.office.suspend",
            Self::AdminOfficeResume => "admin.office.resume",
            Self::AdminOfficeUnlock => "admin.office.unlock",
            Self::AdminOfficeLoginReissue => "admin.office.login_reissue",
            Self::AdminOfficeLettersDownload => "admin.office.letters_download",
            Self::AdminOfficeLettersDiscard => "admin.office.letters_discard",
        }
    }
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
        for a in AuditAction::ALL {
            let n = a.name();
            assert!(seen.insert(n), "{n} twice");
            assert!(n.contains('.') && !n.contains("offices"), "{n}");
        }
    }
}
