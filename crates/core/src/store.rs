//! The one object through which services reach persistence: every aggregate's repository traits
//! together.

use crate::account::repo::{IssuancePasswordRepo, SecurityMailRepo, SessionRepo, ThrottleRepo};
use crate::admin::repo::AdminRepo;
use crate::assist::repo::AssistRepo;
use crate::audit::repo::{AuditRepo, AuditSearchRepo};
use crate::certificate::repo::{
    ApplicationRepo, CertificateAdminRepo, CertificateRepo, RenewalRepo,
};
use crate::document::repo::OfficeDocumentRepo;
use crate::fee::repo::{AdminFeeRepo, FeeRepo};
use crate::inquiry::repo::{InquiryAdminRepo, InquiryRepo};
use crate::mail::repo::MailRepo;
use crate::notice::repo::{AdminNoticeRepo, NoticeRepo, NoticeSearchRepo};
use crate::office::repo::{OfficeAdminRepo, OfficeRepo};
use crate::revocation::repo::RevocationRepo;
use crate::submission::repo::SubmissionRepo;

/// Everything the services need from persistence, as one object to hand around.
pub trait Store:
    OfficeRepo
    + ThrottleRepo
    + SessionRepo
    + NoticeRepo
    + ApplicationRepo
    + CertificateRepo
    + MailRepo
    + AuditRepo
    + SecurityMailRepo
    + IssuancePasswordRepo
    + NoticeSearchRepo
    + OfficeDocumentRepo
    + InquiryRepo
    + FeeRepo
    + RenewalRepo
    + AdminRepo
    + AdminFeeRepo
    + AdminNoticeRepo
    + CertificateAdminRepo
    + InquiryAdminRepo
    + AuditSearchRepo
    + OfficeAdminRepo
    + SubmissionRepo
    + RevocationRepo
    + crate::health::repo::HealthRepo
    + AssistRepo
{
}

impl<T> Store for T where
    T: OfficeRepo
        + ThrottleRepo
        + SessionRepo
        + NoticeRepo
        + ApplicationRepo
        + CertificateRepo
        + MailRepo
        + AuditRepo
        + SecurityMailRepo
        + IssuancePasswordRepo
        + NoticeSearchRepo
        + OfficeDocumentRepo
        + InquiryRepo
        + FeeRepo
        + RenewalRepo
        + AdminRepo
        + AdminFeeRepo
        + AdminNoticeRepo
        + CertificateAdminRepo
        + InquiryAdminRepo
        + AuditSearchRepo
        + OfficeAdminRepo
        + SubmissionRepo
        + RevocationRepo
        + crate::health::repo::HealthRepo
        + AssistRepo
{
}
