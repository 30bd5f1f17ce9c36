//! Persistence traits. `kaigo-store` implements them for SQLite and PostgreSQL; nothing in the
//! domain knows which. Timestamps are Unix seconds (i64) so that both databases store them alike.

use async_trait::async_trait;

use crate::certificate::{
    Application, CertKind, CertificateRecord, NewApplication, NewCertificate,
};
use crate::error::RepoError;
use crate::ids::{ApplicationId, CertificateId, MailId, NoticeId, OfficeId, OfficeNumber, UserId};
use crate::mail::{NewMail, QueuedMail};
use crate::notice::{NewNotice, Notice, NoticeView};
use crate::office::{NewOffice, Office};
use crate::portal::{
    Attachment, AttachmentId, AttachmentInfo, DocumentEntry, InquiryId, NewAttachment, NewInquiry,
    NewOfficeDocument, NoticeQuery, OfficeDocument, OfficeDocumentId,
};
use crate::security_mail::{CodePurpose, OneTimeCode, SecurityAddress};

pub type RepoResult<T> = Result<T, RepoError>;

#[async_trait]
pub trait OfficeRepo: Send + Sync {
    /// Inserts an office; `RepoError::Conflict` if the 事業所番号 or the user ID is taken.
    async fn insert_office(&self, office: &NewOffice) -> RepoResult<Office>;
    async fn office_by_id(&self, id: OfficeId) -> RepoResult<Option<Office>>;
    async fn office_by_user_id(&self, user_id: &UserId) -> RepoResult<Option<Office>>;
    async fn office_by_number(&self, number: &OfficeNumber) -> RepoResult<Option<Office>>;
    async fn set_login_hash(&self, id: OfficeId, hash: &str, must_change: bool) -> RepoResult<()>;
}

/// Counts failed password entries per key (e.g. `login:KJ…`, `issuance:12`) and holds locks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ThrottleState {
    pub failures: i64,
    pub locked_until: Option<i64>,
}

#[async_trait]
pub trait ThrottleRepo: Send + Sync {
    async fn throttle_state(&self, key: &str) -> RepoResult<ThrottleState>;
    /// Reserves one attempt on `key` at `now` in a single statement and returns the state
    /// after it: a lock still in force is returned unchanged (and the attempt not counted); a
    /// lock that has run out is lifted and the count restarts at 1; otherwise the count grows
    /// by one. One statement, so parallel attempts can neither skip a count nor reset each
    /// other's.
    async fn throttle_reserve(&self, key: &str, now: i64) -> RepoResult<ThrottleState>;
    /// Locks the key until `until`; the count stays, so attempts racing the lock still see it
    /// above the threshold.
    async fn throttle_lock(&self, key: &str, until: i64) -> RepoResult<()>;
    async fn throttle_clear(&self, key: &str) -> RepoResult<()>;
    /// Deletes counters whose last failure is older than `stale_before` and whose lock, if
    /// any, has run out by `now`. Returns how many were deleted.
    async fn throttle_purge(&self, stale_before: i64, now: i64) -> RepoResult<u64>;
}

/// Form submissions that must take effect once, whatever the parallel requests (a double
/// click, a script): the first request to claim the form's key does the work.
#[async_trait]
pub trait SubmissionRepo: Send + Sync {
    /// Claims `key`; true only for the one caller that inserted it.
    async fn claim_submission(&self, key: &str, now: i64) -> RepoResult<bool>;
    /// Records what the claimed submission produced.
    async fn finish_submission(&self, key: &str, result: i64) -> RepoResult<()>;
    /// What an earlier submission produced: `Some(None)` while it is still running, `None`
    /// when the key was never claimed.
    async fn submission_result(&self, key: &str) -> RepoResult<Option<Option<i64>>>;
    /// Forgets a claim whose work failed, so that the form can be sent again.
    async fn release_submission(&self, key: &str) -> RepoResult<()>;
    /// Deletes claims made before `before`.
    async fn purge_submissions(&self, before: i64) -> RepoResult<u64>;
}

/// A browser session. The cookie holds a random token; only its SHA-256 is stored.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub token_hash: String,
    pub office_id: Option<OfficeId>,
    pub csrf_token: String,
    /// Small JSON document of per-session state (e.g. which notes were read).
    pub data: String,
    pub created_at: i64,
    pub expires_at: i64,
}

#[async_trait]
pub trait SessionRepo: Send + Sync {
    async fn insert_session(&self, session: &SessionRecord) -> RepoResult<()>;
    /// The session if it exists and has not expired at `now`.
    async fn session(&self, token_hash: &str, now: i64) -> RepoResult<Option<SessionRecord>>;
    async fn update_session(&self, token_hash: &str, data: &str, expires_at: i64)
    -> RepoResult<()>;
    async fn delete_session(&self, token_hash: &str) -> RepoResult<()>;
    async fn delete_expired_sessions(&self, now: i64) -> RepoResult<u64>;
}

#[async_trait]
pub trait NoticeRepo: Send + Sync {
    async fn insert_notice(&self, notice: &NewNotice) -> RepoResult<NoticeId>;
    /// Notices that target this office (all, its prefecture, or it alone) and are displayed at
    /// `now`, newest 提示開始日 first, with the office's read mark.
    async fn notices_for_office(
        &self,
        office: &Office,
        now: i64,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<NoticeView>>;
    async fn count_notices_for_office(&self, office: &Office, now: i64) -> RepoResult<i64>;
    /// One notice, only if it targets this office and is displayed at `now`.
    async fn notice_for_office(
        &self,
        office: &Office,
        id: NoticeId,
        now: i64,
    ) -> RepoResult<Option<Notice>>;
    async fn mark_notice_read(&self, office_id: OfficeId, id: NoticeId, at: i64) -> RepoResult<()>;
}

/// The issuance queue: applications are jobs that a worker on any node may claim.
#[async_trait]
pub trait ApplicationRepo: Send + Sync {
    /// Stores an application unless it is a repeat: the same idempotency key, or an application
    /// of the same kind for the office still queued or running. Returns the application and
    /// whether it was created now.
    async fn submit_application(&self, app: &NewApplication) -> RepoResult<(Application, bool)>;
    /// Claims the oldest queued application, or a running one whose lease has expired, and
    /// leases it until `lease_until`.
    async fn claim_application(
        &self,
        now: i64,
        lease_until: i64,
    ) -> RepoResult<Option<Application>>;
    /// Extends the lease of a running application to `lease_until`, if it is still held by
    /// the claim numbered `claim` (its `attempts` when claimed). False when it is no longer
    /// ours: finished, failed, or taken over by another worker after the lease ran out.
    async fn renew_application_lease(
        &self,
        id: ApplicationId,
        claim: i64,
        lease_until: i64,
    ) -> RepoResult<bool>;
    /// In one transaction: stores the certificate, marks the application done and erases its
    /// sealed password, revokes (superseded) the office's earlier valid certificate of the same
    /// kind, and posts the notice and the mail.
    async fn complete_application(
        &self,
        id: ApplicationId,
        cert: &NewCertificate,
        notice: &NewNotice,
        mail: Option<&NewMail>,
    ) -> RepoResult<CertificateId>;
    /// Records a failed attempt. With `retry_at` the job is queued again at that time; without,
    /// it is failed for good and its sealed password erased.
    async fn fail_application(
        &self,
        id: ApplicationId,
        error: &str,
        retry_at: Option<i64>,
    ) -> RepoResult<()>;
    async fn applications_for_office(
        &self,
        office_id: OfficeId,
        kind: CertKind,
    ) -> RepoResult<Vec<Application>>;
    async fn application(&self, id: ApplicationId) -> RepoResult<Option<Application>>;
}

#[async_trait]
pub trait CertificateRepo: Send + Sync {
    async fn certificates_for_office(
        &self,
        office_id: OfficeId,
        kind: CertKind,
    ) -> RepoResult<Vec<CertificateRecord>>;
    async fn certificate(&self, id: CertificateId) -> RepoResult<Option<CertificateRecord>>;
    /// The stored PKCS#12 file of a certificate.
    async fn pkcs12(&self, id: CertificateId) -> RepoResult<Option<Vec<u8>>>;
    async fn certificate_der(&self, id: CertificateId) -> RepoResult<Option<Vec<u8>>>;
}

#[async_trait]
pub trait MailRepo: Send + Sync {
    async fn enqueue_mail(&self, mail: &NewMail) -> RepoResult<MailId>;
    /// Claims the oldest unsent mail due at `now`, leasing it until `lease_until`.
    async fn claim_mail(&self, now: i64, lease_until: i64) -> RepoResult<Option<QueuedMail>>;
    /// Marks a mail delivered and erases its body (it may carry a one-time code).
    async fn mark_mail_sent(&self, id: MailId, at: i64) -> RepoResult<()>;
    async fn mark_mail_failed(
        &self,
        id: MailId,
        error: &str,
        retry_at: Option<i64>,
    ) -> RepoResult<()>;
}

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

#[async_trait]
pub trait AuditRepo: Send + Sync {
    async fn append_audit(&self, event: &AuditEvent) -> RepoResult<()>;
    /// Recomputes the hash chain; returns the number of entries, or the id of the first broken one.
    async fn verify_audit_chain(&self) -> RepoResult<Result<u64, i64>>;
}

/// The セキュリティメールアドレス and the one-time codes mailed to it.
#[async_trait]
pub trait SecurityMailRepo: Send + Sync {
    /// The office's confirmed security address, if any.
    async fn security_address(&self, office_id: OfficeId) -> RepoResult<Option<SecurityAddress>>;
    /// In one transaction: stores the code (replacing the office's earlier code of the same
    /// purpose) and queues the mail that carries it.
    async fn put_one_time_code(&self, code: &OneTimeCode, mail: &NewMail) -> RepoResult<()>;
    async fn one_time_code(
        &self,
        office_id: OfficeId,
        purpose: CodePurpose,
    ) -> RepoResult<Option<OneTimeCode>>;
    /// Reserves one entry of the code whose hash is `code_hash`, before it is checked, in one
    /// statement: the count grows only while it is below `max`. Returns the new count, or
    /// `None` when the code is exhausted or gone. Parallel entries therefore get at most `max`
    /// checks between them.
    async fn one_time_code_reserve(
        &self,
        office_id: OfficeId,
        purpose: CodePurpose,
        code_hash: &str,
        max: i64,
    ) -> RepoResult<Option<i64>>;
    /// Deletes the code whose hash is `code_hash`; true only for the one caller that deleted
    /// it, so a code is used once even by concurrent requests.
    async fn take_one_time_code(
        &self,
        office_id: OfficeId,
        purpose: CodePurpose,
        code_hash: &str,
    ) -> RepoResult<bool>;
    /// Sets (or replaces) the confirmed security address.
    async fn set_security_address(&self, address: &SecurityAddress) -> RepoResult<()>;
    /// Ends every session of the office (after its password was reset); returns how many.
    async fn delete_office_sessions(&self, office_id: OfficeId) -> RepoResult<u64>;
}

/// Replacing the 証明書発行用パスワード (manual 4).
#[async_trait]
pub trait IssuancePasswordRepo: Send + Sync {
    /// Stores a new Argon2id hash of the office's issuance password.
    async fn set_issuance_hash(&self, office_id: OfficeId, hash: &str) -> RepoResult<()>;
    /// In one transaction: replaces the issuance password hash and posts the notice that
    /// carries the new password (with its attachments). Either both happen or neither, so an
    /// office never ends up with a password it was not told.
    async fn reissue_issuance_password(
        &self,
        office_id: OfficeId,
        hash: &str,
        notice: &NewNotice,
        attachments: &[NewAttachment],
    ) -> RepoResult<NoticeId>;
}

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
{
}

/// The notice search of the list (対象, 提示開始日, キーワード) and notice attachments.
#[async_trait]
pub trait NoticeSearchRepo: Send + Sync {
    /// Like `notices_for_office`, narrowed by `query`; newest 提示開始日 first.
    async fn search_notices_for_office(
        &self,
        office: &Office,
        now: i64,
        query: &NoticeQuery,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<NoticeView>>;
    async fn count_search_notices_for_office(
        &self,
        office: &Office,
        now: i64,
        query: &NoticeQuery,
    ) -> RepoResult<i64>;
    /// Inserts a notice and its attachments in one transaction.
    async fn insert_notice_with_attachments(
        &self,
        notice: &NewNotice,
        attachments: &[NewAttachment],
    ) -> RepoResult<NoticeId>;
    /// The attachments of a notice the office may see at `now` (empty otherwise).
    async fn notice_attachments_for_office(
        &self,
        office: &Office,
        notice: NoticeId,
        now: i64,
    ) -> RepoResult<Vec<AttachmentInfo>>;
    /// One attachment, only if its notice targets this office and is displayed at `now`.
    async fn notice_attachment_for_office(
        &self,
        office: &Office,
        id: AttachmentId,
        now: i64,
    ) -> RepoResult<Option<Attachment>>;
}

/// 照会一覧: documents issued to one office. Features that produce a file for an office (the
/// 見積書 PDF, for example) call `insert_office_document`; the file is then listed in 照会一覧
/// and downloadable again from there.
#[async_trait]
pub trait OfficeDocumentRepo: Send + Sync {
    async fn insert_office_document(&self, doc: &NewOfficeDocument)
    -> RepoResult<OfficeDocumentId>;
    /// The office's documents and the attachments of notices addressed to it alone that are
    /// on display at `now` (the notice's own rule), newest first, without bytes.
    async fn office_documents(
        &self,
        office_id: OfficeId,
        now: i64,
    ) -> RepoResult<Vec<DocumentEntry>>;
    /// One document with its bytes, only if it belongs to this office.
    async fn office_document(
        &self,
        office_id: OfficeId,
        id: OfficeDocumentId,
    ) -> RepoResult<Option<OfficeDocument>>;
    /// One attachment of a notice addressed to this office alone and on display at `now`
    /// (for 照会一覧).
    async fn office_notice_attachment(
        &self,
        office_id: OfficeId,
        id: AttachmentId,
        now: i64,
    ) -> RepoResult<Option<Attachment>>;
}

/// お問い合わせ, stored for the 国保連合会.
#[async_trait]
pub trait InquiryRepo: Send + Sync {
    /// Stores the inquiry (status 'open') and queues the acknowledgment mail in one
    /// transaction. The mail's body may contain `{reception}`, replaced by the number.
    async fn insert_inquiry(
        &self,
        inquiry: &NewInquiry,
        ack: Option<&NewMail>,
    ) -> RepoResult<InquiryId>;
    /// How many inquiries an office has sent since `since` (to limit floods).
    async fn count_inquiries_since(&self, office_id: OfficeId, since: i64) -> RepoResult<i64>;
}

/// The issuance fee ledger (発行手数料).
#[async_trait]
pub trait FeeRepo: Send + Sync {
    /// Records a ledger entry; `RepoError::NotFound` if the office does not exist.
    async fn add_fee_entry(&self, entry: &crate::fees::NewFeeEntry) -> RepoResult<i64>;
    /// The office's balance: the sum of its entries (positive = owed).
    async fn fee_balance(&self, office_id: OfficeId) -> RepoResult<i64>;
    /// The office's entries, oldest first.
    async fn fee_entries(&self, office_id: OfficeId) -> RepoResult<Vec<crate::fees::FeeEntry>>;
    /// Like [`ApplicationRepo::complete_application`], and in the same transaction charges
    /// `fee_yen` for the new certificate to the office's ledger.
    async fn complete_application_with_fee(
        &self,
        id: ApplicationId,
        cert: &NewCertificate,
        notice: &NewNotice,
        mail: Option<&NewMail>,
        fee_yen: i64,
    ) -> RepoResult<CertificateId>;
}

/// Marks of the renewal notice (証明書有効期限切れ事前通知), one per certificate.
#[async_trait]
pub trait RenewalRepo: Send + Sync {
    /// Valid certificates (any kind) with `now <= not_after <= until` whose renewal notice has
    /// not been posted yet.
    async fn certificates_due_for_renewal_notice(
        &self,
        now: i64,
        until: i64,
    ) -> RepoResult<Vec<CertificateRecord>>;
    /// In one transaction: records the mark for the certificate, posts the notice and queues
    /// the mail. Returns false (and posts nothing) if the mark already existed.
    async fn post_renewal_notice(
        &self,
        certificate_id: CertificateId,
        notice: &NewNotice,
        mail: Option<&NewMail>,
        at: i64,
    ) -> RepoResult<bool>;
}

/// Admin accounts of the console.
#[async_trait]
pub trait AdminRepo: Send + Sync {
    /// Inserts an account; `RepoError::Conflict` if the login is taken.
    async fn insert_admin(&self, admin: &crate::admin::NewAdmin)
    -> RepoResult<crate::admin::Admin>;
    /// Every account, central operators first, then by prefecture and login.
    async fn list_admins(&self) -> RepoResult<Vec<crate::admin::Admin>>;
    async fn admin_by_id(
        &self,
        id: crate::admin::AdminId,
    ) -> RepoResult<Option<crate::admin::Admin>>;
    async fn admin_by_login(
        &self,
        login: &crate::admin::AdminLogin,
    ) -> RepoResult<Option<crate::admin::Admin>>;
    /// Records `step` as the last accepted TOTP step and confirms enrolment, atomically and
    /// only if `step` is later than the one recorded: false when it is not (a replay).
    async fn accept_totp_step(&self, id: crate::admin::AdminId, step: i64) -> RepoResult<bool>;
    async fn set_admin_disabled(&self, id: crate::admin::AdminId, disabled: bool)
    -> RepoResult<()>;
}

/// The fee ledger as the admin console needs it (issue 4 §3).
#[async_trait]
pub trait AdminFeeRepo: Send + Sync {
    /// Records an entry with who entered it and the payment date; `NotFound` if the office
    /// does not exist.
    async fn add_fee_record(&self, record: &crate::fee_admin::NewFeeRecord) -> RepoResult<i64>;
    /// The office's entries with their console fields, oldest first.
    async fn fee_records(
        &self,
        office_id: OfficeId,
    ) -> RepoResult<Vec<crate::fee_admin::FeeEntryRecord>>;
    /// Offices whose balance is not zero, of one prefecture (None: all), by 事業所番号.
    async fn office_balances(
        &self,
        prefecture: Option<crate::ids::PrefectureCode>,
    ) -> RepoResult<Vec<crate::fee_admin::OfficeBalance>>;
}

/// Notices as the admin console manages them (issue 4 §4).
#[async_trait]
pub trait AdminNoticeRepo: Send + Sync {
    /// Inserts a notice, its author and its attachments in one transaction.
    async fn create_admin_notice(
        &self,
        notice: &NewNotice,
        created_by: &str,
        attachments: &[NewAttachment],
    ) -> RepoResult<NoticeId>;
    /// Every notice (withdrawn ones too), newest first. With a prefecture: the notices for
    /// all offices, for that prefecture, or for one of its offices.
    async fn admin_notices(
        &self,
        prefecture: Option<crate::ids::PrefectureCode>,
    ) -> RepoResult<Vec<crate::notice_admin::AdminNotice>>;
    async fn admin_notice(
        &self,
        id: NoticeId,
    ) -> RepoResult<Option<crate::notice_admin::AdminNotice>>;
    /// Replaces the fields of a notice not withdrawn; false if there is none.
    async fn update_notice(
        &self,
        id: NoticeId,
        edit: &crate::notice_admin::NoticeEdit,
    ) -> RepoResult<bool>;
    /// Withdraws a notice (kept, hidden from offices); false if absent or already withdrawn.
    async fn withdraw_notice(&self, id: NoticeId, by: &str, at: i64) -> RepoResult<bool>;
    /// The attachments of a notice, without bytes.
    async fn admin_notice_attachments(&self, id: NoticeId) -> RepoResult<Vec<AttachmentInfo>>;
    async fn add_notice_attachment(
        &self,
        id: NoticeId,
        attachment: &NewAttachment,
        at: i64,
    ) -> RepoResult<AttachmentId>;
    /// Removes one attachment of this notice; false if it has no such attachment.
    async fn remove_notice_attachment(
        &self,
        notice: NoticeId,
        attachment: AttachmentId,
    ) -> RepoResult<bool>;
}

/// The console's view of issued certificates: search across offices and revocation.
#[async_trait]
pub trait CertificateAdminRepo: Send + Sync {
    /// Certificates matching `query`, newest issued first.
    async fn search_certificates(
        &self,
        query: &crate::cert_admin::CertificateQuery,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<crate::cert_admin::CertificateListing>>;
    async fn count_certificates(
        &self,
        query: &crate::cert_admin::CertificateQuery,
    ) -> RepoResult<i64>;
    /// One certificate with its office.
    async fn certificate_listing(
        &self,
        id: CertificateId,
    ) -> RepoResult<Option<crate::cert_admin::CertificateListing>>;
    async fn certificate_by_serial(
        &self,
        serial: &crate::ids::Serial,
    ) -> RepoResult<Option<crate::cert_admin::CertificateListing>>;
    /// Revokes the certificate if it is still valid, in one UPDATE; true only for the caller
    /// that revoked it (a double submit revokes once).
    async fn revoke_certificate(
        &self,
        id: CertificateId,
        at: i64,
        reason: &str,
    ) -> RepoResult<bool>;
}

/// The console's inbox of inquiries (お問い合わせ).
#[async_trait]
pub trait InquiryAdminRepo: Send + Sync {
    /// Newest first.
    async fn admin_inquiries(
        &self,
        scope: crate::inquiry_admin::InquiryScope,
        status: Option<crate::inquiry_admin::InquiryStatus>,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<crate::inquiry_admin::InquiryRecord>>;
    async fn count_admin_inquiries(
        &self,
        scope: crate::inquiry_admin::InquiryScope,
        status: Option<crate::inquiry_admin::InquiryStatus>,
    ) -> RepoResult<i64>;
    async fn admin_inquiry(
        &self,
        id: InquiryId,
    ) -> RepoResult<Option<crate::inquiry_admin::InquiryRecord>>;
    /// In one transaction, only if the inquiry is still open: stores the reply, marks it
    /// answered, posts the notice (if any) and queues the mail. False if it was not open.
    async fn answer_inquiry(
        &self,
        reply: &crate::inquiry_admin::InquiryReply,
        notice: Option<&NewNotice>,
        mail: Option<&NewMail>,
    ) -> RepoResult<bool>;
    /// Closes the inquiry unless it is closed already; false if it was.
    async fn close_inquiry(&self, id: InquiryId, at: i64) -> RepoResult<bool>;
}

/// Searching the audit trail.
#[async_trait]
pub trait AuditSearchRepo: Send + Sync {
    /// Entries matching `query`, newest first.
    async fn search_audit(
        &self,
        query: &crate::audit_search::AuditQuery,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<crate::audit_search::AuditEntry>>;
    async fn count_audit(&self, query: &crate::audit_search::AuditQuery) -> RepoResult<i64>;
}

/// The console's office administration: search, bulk registration, edits, lifecycle, and the
/// sealed batches of letters.
#[async_trait]
pub trait OfficeAdminRepo: Send + Sync {
    async fn search_offices(
        &self,
        query: &crate::office_admin::OfficeQuery,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<Office>>;
    async fn count_offices(&self, query: &crate::office_admin::OfficeQuery) -> RepoResult<i64>;
    /// Which of `numbers` are already registered.
    async fn registered_office_numbers(
        &self,
        numbers: &[OfficeNumber],
    ) -> RepoResult<Vec<OfficeNumber>>;
    /// Inserts all offices in one transaction, or none (`RepoError::Conflict` on a duplicate
    /// 事業所番号 or user ID).
    async fn insert_offices(&self, offices: &[NewOffice]) -> RepoResult<Vec<Office>>;
    async fn update_office(
        &self,
        id: OfficeId,
        edit: &crate::office_admin::OfficeEdit,
    ) -> RepoResult<()>;
    /// Sets the status; an office that is not active also loses its sessions (one transaction).
    async fn set_office_status(
        &self,
        id: OfficeId,
        status: crate::office::OfficeStatus,
    ) -> RepoResult<()>;
    /// 廃止, in one transaction: status closed, sessions ended, waiting applications failed, and
    /// every valid certificate revoked at `at` with reason `cessationOfOperation`. Returns the
    /// number of certificates revoked.
    async fn close_office(&self, id: OfficeId, at: i64) -> RepoResult<u64>;
    /// In one transaction: a new temporary login hash (must change at the next login) and the
    /// end of the office's sessions.
    async fn reset_login_password(&self, id: OfficeId, hash: &str) -> RepoResult<()>;
    async fn insert_letter_batch(
        &self,
        batch: &crate::office_admin::NewLetterBatch,
    ) -> RepoResult<i64>;
    /// A batch that has not expired at `now`.
    async fn letter_batch(
        &self,
        id: i64,
        now: i64,
    ) -> RepoResult<Option<crate::office_admin::LetterBatch>>;
    /// True if the batch existed.
    async fn delete_letter_batch(&self, id: i64) -> RepoResult<bool>;
    /// Deletes the batches expired at `now`; returns how many.
    async fn purge_letter_batches(&self, now: i64) -> RepoResult<u64>;
}
