//! The issuance fee ledger, and the completion of an application that charges its fee.

pub(crate) mod console;

use async_trait::async_trait;
use kaigo_core::RepoError;
use kaigo_core::certificate::NewCertificate;
use kaigo_core::certificate::repo::ApplicationRepo;
use kaigo_core::error::RepoResult;
use kaigo_core::fee::repo::FeeRepo;
use kaigo_core::fee::{FeeEntry, FeeEntryKind, NewFeeEntry, PaymentMethod};
use kaigo_core::ids::{ApplicationId, CertificateId, OfficeId};
use kaigo_core::mail::NewMail;
use kaigo_core::notice::NewNotice;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::error::repo_err;
use crate::row::{code, get};
use crate::{SqlStore, certificate, mail, notice};

/// Inserts one ledger entry (inside a caller's transaction or on its own).
/// Core checks every amount; this keeps a caller that skipped it from storing an entry whose
/// sums would overflow. Every insert into `fee_ledger` goes through it.
pub(crate) fn check_amount(amount: i64) -> RepoResult<()> {
    if amount.unsigned_abs() > kaigo_core::fee::MAX_ENTRY_YEN.unsigned_abs() {
        return Err(RepoError::Conflict(format!(
            "fee entry amount {amount} outside ±{}",
            kaigo_core::fee::MAX_ENTRY_YEN
        )));
    }
    Ok(())
}

pub(crate) async fn insert_entry(
    conn: &mut AnyConnection,
    e: &NewFeeEntry,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO fee_ledger (office_id, entry_kind, amount, method, note, certificate_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(e.office_id.0)
    .bind(e.kind.code())
    .bind(e.amount)
    .bind(e.method.map(PaymentMethod::code))
    .bind(e.note.as_str())
    .bind(e.certificate_id.map(|c| c.0))
    .bind(e.at)
    .fetch_one(conn)
    .await
}

fn entry(row: &AnyRow) -> RepoResult<FeeEntry> {
    let method: Option<String> = get(row, "method")?;
    Ok(FeeEntry {
        id: get(row, "id")?,
        office_id: OfficeId(get(row, "office_id")?),
        kind: code(row, "entry_kind", FeeEntryKind::from_code)?,
        amount: get(row, "amount")?,
        method: match method {
            None => None,
            Some(m) => Some(
                PaymentMethod::from_code(&m)
                    .ok_or_else(|| crate::error::bad_value("method", &m))?,
            ),
        },
        note: get(row, "note")?,
        certificate_id: get::<Option<i64>>(row, "certificate_id")?.map(CertificateId),
        at: get(row, "at")?,
    })
}

impl SqlStore {
    /// The completion of an application (see `ApplicationRepo::complete_application`), with
    /// the fee charged in the same transaction when `fee_yen > 0`.
    pub(crate) async fn complete_application_charging(
        &self,
        id: ApplicationId,
        cert: &NewCertificate,
        notice: &NewNotice,
        mail: Option<&NewMail>,
        fee_yen: i64,
    ) -> RepoResult<CertificateId> {
        if cert.application_id != id {
            return Err(RepoError::Backend(format!(
                "complete application {id}: the certificate is for application {}",
                cert.application_id
            )));
        }
        let err = repo_err("complete application");
        let mut tx = self.begin_write().await.map_err(&err)?;
        // First, so that on PostgreSQL the row lock orders two workers finishing the same
        // application (after a lease expiry): the second finds it done and stops here.
        let finished = sqlx::query(
            "UPDATE applications SET state = 'done', sealed_password = NULL, pending_key = NULL, \
             lease_until = NULL, retry_at = NULL \
             WHERE id = $1 AND state = 'running' AND office_id = $2 AND kind = $3",
        )
        .bind(id.0)
        .bind(cert.office_id.0)
        .bind(cert.kind.code())
        .execute(&mut *tx)
        .await
        .map_err(&err)?;
        if finished.rows_affected() == 0 {
            tx.rollback().await.map_err(&err)?;
            return Err(match self.application(id).await? {
                None => RepoError::NotFound,
                Some(app) if app.office_id != cert.office_id || app.kind != cert.kind => {
                    RepoError::Backend(format!(
                        "complete application {id}: the certificate is for another office or kind"
                    ))
                }
                Some(app) => RepoError::Conflict(format!(
                    "application {id} is {}, not running",
                    app.state.code()
                )),
            });
        }
        let cert_id = certificate::insert(&mut tx, cert).await.map_err(&err)?;
        sqlx::query("UPDATE applications SET certificate_id = $1 WHERE id = $2")
            .bind(cert_id.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
        certificate::revoke_superseded(&mut tx, cert_id, cert)
            .await
            .map_err(&err)?;
        if fee_yen > 0 {
            insert_entry(
                &mut tx,
                &NewFeeEntry {
                    office_id: cert.office_id,
                    kind: FeeEntryKind::Charge,
                    amount: fee_yen,
                    method: None,
                    note: format!("{}発行手数料", cert.kind.label()),
                    certificate_id: Some(cert_id),
                    at: cert.issued_at,
                },
            )
            .await
            .map_err(&err)?;
        }
        notice::insert(&mut *tx, notice).await.map_err(&err)?;
        if let Some(m) = mail {
            mail::insert(&mut *tx, m).await.map_err(&err)?;
        }
        tx.commit().await.map_err(&err)?;
        Ok(cert_id)
    }
}

#[async_trait]
impl FeeRepo for SqlStore {
    async fn add_fee_entry(&self, e: &NewFeeEntry) -> RepoResult<i64> {
        check_amount(e.amount)?;
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(repo_err("add fee entry"))?;
        insert_entry(&mut conn, e).await.map_err(|err| match &err {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => RepoError::NotFound,
            _ => repo_err("add fee entry")(err),
        })
    }

    async fn fee_balance(&self, office_id: OfficeId) -> RepoResult<i64> {
        let sum: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM fee_ledger WHERE office_id = $1",
        )
        .bind(office_id.0)
        .fetch_one(&self.pool)
        .await
        .map_err(repo_err("fee balance"))?;
        Ok(sum.unwrap_or(0))
    }

    async fn fee_entries(&self, office_id: OfficeId) -> RepoResult<Vec<FeeEntry>> {
        let rows = sqlx::query(
            "SELECT id, office_id, entry_kind, amount, method, note, certificate_id, at \
             FROM fee_ledger WHERE office_id = $1 ORDER BY at, id",
        )
        .bind(office_id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(repo_err("fee entries"))?;
        rows.iter().map(entry).collect()
    }

    async fn complete_application_with_fee(
        &self,
        id: ApplicationId,
        cert: &NewCertificate,
        notice: &NewNotice,
        mail: Option<&NewMail>,
        fee_yen: i64,
    ) -> RepoResult<CertificateId> {
        self.complete_application_charging(id, cert, notice, mail, fee_yen)
            .await
    }
}
