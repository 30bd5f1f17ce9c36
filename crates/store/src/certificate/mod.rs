//! Issued certificates and their stored files.

pub(crate) mod applications;
pub(crate) mod console;
pub(crate) mod renewal;

use async_trait::async_trait;
use kaigo_core::certificate::repo::CertificateRepo;
use kaigo_core::certificate::revocation::RevocationReason;
use kaigo_core::certificate::{CertKind, CertStatus, CertificateRecord, NewCertificate};
use kaigo_core::error::RepoResult;
use kaigo_core::ids::{ApplicationId, CertificateId, OfficeId, Serial};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::SqlStore;
use crate::error::{bad_value, repo_err};
use crate::row::{code, get};

/// Why a certificate was revoked when a newer one of the same kind was issued to its office.
pub(crate) const SUPERSEDED: &str = RevocationReason::Superseded.name();

/// A certificate ending at most this long after its successor starts is a renewal's
/// predecessor and is not revoked.
const RENEWAL_SLACK_SECONDS: i64 = 3_600;

/// The columns `record()` reads (the files are fetched separately: they are large).
macro_rules! columns {
    () => {
        "id, office_id, application_id, kind, serial, subject, not_before, not_after, status, \
         revoked_at, revocation_reason, fingerprint_sha256, issued_at"
    };
}

pub(crate) fn record(row: &AnyRow) -> RepoResult<CertificateRecord> {
    let serial: String = get(row, "serial")?;
    Ok(CertificateRecord {
        id: CertificateId(get(row, "id")?),
        office_id: OfficeId(get(row, "office_id")?),
        application_id: ApplicationId(get(row, "application_id")?),
        kind: code(row, "kind", CertKind::from_code)?,
        serial: Serial::parse(&serial).map_err(|_| bad_value("serial", &serial))?,
        subject: get(row, "subject")?,
        not_before: get(row, "not_before")?,
        not_after: get(row, "not_after")?,
        status: code(row, "status", CertStatus::from_code)?,
        revoked_at: get(row, "revoked_at")?,
        revocation_reason: get::<Option<String>>(row, "revocation_reason")?
            .map(|name| {
                RevocationReason::from_name(&name).ok_or_else(|| {
                    kaigo_core::RepoError::Backend(format!("unknown revocation reason {name:?}"))
                })
            })
            .transpose()?,
        fingerprint_sha256: get(row, "fingerprint_sha256")?,
        issued_at: get(row, "issued_at")?,
    })
}

/// Stores a new, valid certificate (inside the issuing transaction).
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    c: &NewCertificate,
) -> Result<CertificateId, sqlx::Error> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO certificates (office_id, application_id, kind, serial, subject, \
         not_before, not_after, status, fingerprint_sha256, cert_der, pkcs12, issued_at, \
         issuer_generation) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'valid', $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(c.office_id.0)
    .bind(c.application_id.0)
    .bind(c.kind.code())
    .bind(c.serial.as_str())
    .bind(c.subject.as_str())
    .bind(c.not_before)
    .bind(c.not_after)
    .bind(c.fingerprint_sha256.as_str())
    .bind(c.cert_der.as_slice())
    .bind(c.pkcs12.as_slice())
    .bind(c.issued_at)
    .bind(i64::from(c.generation.get()))
    .fetch_one(conn)
    .await?;
    Ok(CertificateId(id))
}

/// Revokes the office's other valid certificates of the same kind: an office holds one
/// current certificate per kind, and a new one supersedes the old.
pub(crate) async fn revoke_superseded(
    conn: &mut AnyConnection,
    new_id: CertificateId,
    c: &NewCertificate,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE certificates SET status = 'revoked', revoked_at = $1, revocation_reason = $2 \
         WHERE office_id = $3 AND kind = $4 AND status = 'valid' AND id <> $5 \
         AND not_after > $6",
    )
    .bind(c.issued_at)
    .bind(SUPERSEDED)
    .bind(c.office_id.0)
    .bind(c.kind.code())
    .bind(new_id.0)
    // A renewal starts when the current certificate ends: that one stays valid until then.
    // The CA starts certificates a few minutes early (clock skew), hence the slack.
    .bind(c.not_before + RENEWAL_SLACK_SECONDS)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

impl SqlStore {
    /// One blob column of a certificate; `sql` selects it by id.
    async fn certificate_blob(
        &self,
        sql: &'static str,
        id: CertificateId,
    ) -> RepoResult<Option<Vec<u8>>> {
        sqlx::query_scalar(sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(repo_err("certificate file"))
    }
}

#[async_trait]
impl CertificateRepo for SqlStore {
    /// Newest first.
    async fn certificates_for_office(
        &self,
        office_id: OfficeId,
        kind: CertKind,
    ) -> RepoResult<Vec<CertificateRecord>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM certificates WHERE office_id = $1 AND kind = $2 \
             ORDER BY issued_at DESC, id DESC"
        ))
        .bind(office_id.0)
        .bind(kind.code())
        .fetch_all(&self.pool)
        .await
        .map_err(repo_err("certificates for office"))?;
        rows.iter().map(record).collect()
    }

    async fn certificate(&self, id: CertificateId) -> RepoResult<Option<CertificateRecord>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM certificates WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(repo_err("certificate"))?;
        row.as_ref().map(record).transpose()
    }

    async fn pkcs12(&self, id: CertificateId) -> RepoResult<Option<Vec<u8>>> {
        self.certificate_blob("SELECT pkcs12 FROM certificates WHERE id = $1", id)
            .await
    }

    async fn certificate_der(&self, id: CertificateId) -> RepoResult<Option<Vec<u8>>> {
        self.certificate_blob("SELECT cert_der FROM certificates WHERE id = $1", id)
            .await
    }
}
