//! The fee ledger for the admin console: entries with who entered them and the payment date,
//! and the offices with a balance.

use async_trait::async_trait;
use kaigo_core::RepoError;
use kaigo_core::error::RepoResult;
use kaigo_core::fee::admin::{FeeEntryRecord, NewFeeRecord, OfficeBalance};
use kaigo_core::fee::repo::AdminFeeRepo;
use kaigo_core::fee::{FeeEntry, FeeEntryKind, PaymentMethod};
use kaigo_core::ids::{CertificateId, OfficeId, PrefectureCode};
use kaigo_core::office::repo::OfficeRepo;
use sqlx::any::AnyRow;

use crate::SqlStore;
use crate::error::{bad_value, repo_err};
use crate::row::{code, get};

fn record(row: &AnyRow) -> RepoResult<FeeEntryRecord> {
    let method: Option<String> = get(row, "method")?;
    Ok(FeeEntryRecord {
        entry: FeeEntry {
            id: get(row, "id")?,
            office_id: OfficeId(get(row, "office_id")?),
            kind: code(row, "entry_kind", FeeEntryKind::from_code)?,
            amount: get(row, "amount")?,
            method: method
                .map(|m| PaymentMethod::from_code(&m).ok_or_else(|| bad_value("method", &m)))
                .transpose()?,
            note: get(row, "note")?,
            certificate_id: get::<Option<i64>>(row, "certificate_id")?.map(CertificateId),
            at: get(row, "at")?,
        },
        entered_by: get(row, "entered_by")?,
        paid_on: get(row, "paid_on")?,
    })
}

#[async_trait]
impl AdminFeeRepo for SqlStore {
    async fn add_fee_record(&self, r: &NewFeeRecord) -> RepoResult<i64> {
        let e = &r.entry;
        crate::fee::check_amount(e.amount)?;
        sqlx::query_scalar(
            "INSERT INTO fee_ledger (office_id, entry_kind, amount, method, note, \
             certificate_id, at, entered_by, paid_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(e.office_id.0)
        .bind(e.kind.code())
        .bind(e.amount)
        .bind(e.method.map(PaymentMethod::code))
        .bind(e.note.as_str())
        .bind(e.certificate_id.map(|c| c.0))
        .bind(e.at)
        .bind(r.entered_by.as_str())
        .bind(r.paid_on)
        .fetch_one(&self.pool)
        .await
        .map_err(|err| match &err {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => RepoError::NotFound,
            _ => repo_err("add fee record")(err),
        })
    }

    async fn fee_records(&self, office_id: OfficeId) -> RepoResult<Vec<FeeEntryRecord>> {
        let rows = sqlx::query(
            "SELECT id, office_id, entry_kind, amount, method, note, certificate_id, at, \
             entered_by, paid_on FROM fee_ledger WHERE office_id = $1 ORDER BY at, id",
        )
        .bind(office_id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(repo_err("fee records"))?;
        rows.iter().map(record).collect()
    }

    async fn office_balances(
        &self,
        prefecture: Option<PrefectureCode>,
    ) -> RepoResult<Vec<OfficeBalance>> {
        // The totals per office; the office rows come from OfficeRepo so that they are read
        // one way only. `$1` NULL means every prefecture.
        let rows = sqlx::query(
            "SELECT o.id AS office_id, \
             CAST(COALESCE(SUM(CASE WHEN l.amount > 0 THEN l.amount ELSE 0 END), 0) AS BIGINT) \
               AS charged, \
             CAST(COALESCE(SUM(CASE WHEN l.amount < 0 THEN -l.amount ELSE 0 END), 0) AS BIGINT) \
               AS paid, \
             CAST(COALESCE(SUM(l.amount), 0) AS BIGINT) AS balance \
             FROM fee_ledger l JOIN offices o ON o.id = l.office_id \
             WHERE ($1 IS NULL OR o.prefecture = $1) \
             GROUP BY o.id, o.number HAVING SUM(l.amount) <> 0 ORDER BY o.number",
        )
        .bind(prefecture.map(|p| p.to_string()))
        .fetch_all(&self.pool)
        .await
        .map_err(repo_err("office balances"))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let id = OfficeId(get(row, "office_id")?);
            let office = self.office_by_id(id).await?.ok_or(RepoError::NotFound)?;
            out.push(OfficeBalance {
                office,
                charged: get(row, "charged")?,
                paid: get(row, "paid")?,
                balance: get(row, "balance")?,
            });
        }
        Ok(out)
    }
}
