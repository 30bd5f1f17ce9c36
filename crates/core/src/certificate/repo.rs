//! Persistence of applications (the issuance queue), issued certificates, renewal marks and the
//! console's certificate search.

use crate::certificate::{
    Application, CertKind, CertificateRecord, NewApplication, NewCertificate,
};
use crate::error::RepoResult;
use crate::ids::{ApplicationId, CertificateId, OfficeId};
use crate::mail::NewMail;
use crate::notice::NewNotice;
use async_trait::async_trait;

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

/// The console's view of issued certificates: search across offices and revocation.
#[async_trait]
pub trait CertificateAdminRepo: Send + Sync {
    /// Certificates matching `query`, newest issued first.
    async fn search_certificates(
        &self,
        query: &crate::certificate::query::CertificateQuery,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<crate::certificate::query::CertificateListing>>;
    async fn count_certificates(
        &self,
        query: &crate::certificate::query::CertificateQuery,
    ) -> RepoResult<i64>;
    /// One certificate with its office.
    async fn certificate_listing(
        &self,
        id: CertificateId,
    ) -> RepoResult<Option<crate::certificate::query::CertificateListing>>;
    async fn certificate_by_serial(
        &self,
        serial: &crate::ids::Serial,
    ) -> RepoResult<Option<crate::certificate::query::CertificateListing>>;
    /// Revokes the certificate if it is still valid, in one UPDATE; true only for the caller
    /// that revoked it (a double submit revokes once).
    async fn revoke_certificate(
        &self,
        id: CertificateId,
        at: i64,
        reason: crate::certificate::revocation::RevocationReason,
        invalidity_at: Option<i64>,
    ) -> RepoResult<bool>;
}
