//! Marks of the renewal notice, one per certificate, so that restarts never repeat it.

use async_trait::async_trait;
use kaigo_core::certificate::CertificateRecord;
use kaigo_core::certificate::repo::RenewalRepo;
use kaigo_core::error::RepoResult;
use kaigo_core::ids::CertificateId;
use kaigo_core::mail::NewMail;
use kaigo_core::notice::NewNotice;

use crate::error::repo_err;
use crate::{SqlStore, certificate, mail, notice};

#[async_trait]
impl RenewalRepo for SqlStore {
    async fn certificates_due_for_renewal_notice(
        &self,
        now: i64,
        until: i64,
    ) -> RepoResult<Vec<CertificateRecord>> {
        let rows = sqlx::query(
            "SELECT id, office_id, application_id, kind, serial, subject, not_before, not_after, \
             status, revoked_at, revocation_reason, fingerprint_sha256, issued_at \
             FROM certificates c WHERE status = 'valid' AND not_after >= $1 AND not_after <= $2 \
             AND NOT EXISTS (SELECT 1 FROM renewal_notices r WHERE r.certificate_id = c.id) \
             ORDER BY not_after, id",
        )
        .bind(now)
        .bind(until)
        .fetch_all(&self.pool)
        .await
        .map_err(repo_err("certificates due for renewal notice"))?;
        rows.iter().map(certificate::record).collect()
    }

    async fn post_renewal_notice(
        &self,
        certificate_id: CertificateId,
        notice: &NewNotice,
        mail: Option<&NewMail>,
        at: i64,
    ) -> RepoResult<bool> {
        let err = repo_err("post renewal notice");
        let mut tx = self.begin_write().await.map_err(&err)?;
        let seen: Option<i64> = sqlx::query_scalar(
            "SELECT certificate_id FROM renewal_notices WHERE certificate_id = $1",
        )
        .bind(certificate_id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(&err)?;
        if seen.is_some() {
            tx.rollback().await.map_err(&err)?;
            return Ok(false);
        }
        let notice_id = notice::insert(&mut *tx, notice).await.map_err(&err)?;
        // The primary key makes a concurrent second poster fail here (and roll back).
        let inserted = sqlx::query(
            "INSERT INTO renewal_notices (certificate_id, notice_id, sent_at) VALUES ($1, $2, $3)",
        )
        .bind(certificate_id.0)
        .bind(notice_id.0)
        .bind(at)
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            tx.rollback().await.map_err(&err)?;
            return match &e {
                sqlx::Error::Database(db) if db.is_unique_violation() => Ok(false),
                _ => Err(err(e)),
            };
        }
        if let Some(m) = mail {
            mail::insert(&mut *tx, m).await.map_err(&err)?;
        }
        tx.commit().await.map_err(&err)?;
        Ok(true)
    }
}
