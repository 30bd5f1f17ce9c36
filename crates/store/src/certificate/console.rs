//! The console's certificate search across offices, and revocation.

use async_trait::async_trait;
use kaigo_core::certificate::query::{CertState, CertificateListing, CertificateQuery};
use kaigo_core::certificate::repo::CertificateAdminRepo;
use kaigo_core::certificate::revocation::RevocationReason;
use kaigo_core::error::RepoResult;
use kaigo_core::ids::{CertificateId, OfficeNumber, PrefectureCode, Serial, UserId};
use sqlx::any::AnyRow;

use crate::SqlStore;
use crate::error::{bad_value, repo_err};
use crate::row::get;

/// The certificate's columns (as `certificates::record` reads them) and its office's.
macro_rules! select {
    () => {
        "SELECT c.id, c.office_id, c.application_id, c.kind, c.serial, c.subject, \
         c.not_before, c.not_after, c.status, c.revoked_at, c.revocation_reason, \
         c.fingerprint_sha256, c.issued_at, o.number AS office_number, \
         o.name AS office_name, o.user_id AS office_user_id, \
         o.prefecture AS office_prefecture \
         FROM certificates c JOIN offices o ON o.id = c.office_id "
    };
}

/// The search condition: `$1` prefecture, `$2` 事業所番号, `$3` user ID, `$4` serial LIKE
/// pattern, `$5` kind, `$6` state code, `$7` now, `$8`/`$9` the expiry range (NULL: any).
macro_rules! searched {
    () => {
        "WHERE ($1 IS NULL OR o.prefecture = $1) \
         AND ($2 IS NULL OR o.number = $2) \
         AND ($3 IS NULL OR o.user_id = $3) \
         AND ($4 IS NULL OR c.serial LIKE $4) \
         AND ($5 IS NULL OR c.kind = $5) \
         AND ($6 IS NULL \
              OR ($6 = 'revoked' AND c.status = 'revoked') \
              OR ($6 = 'valid' AND c.status = 'valid' AND c.not_after >= $7) \
              OR ($6 = 'expired' AND c.status = 'valid' AND c.not_after < $7)) \
         AND ($8 IS NULL OR c.not_after >= $8) \
         AND ($9 IS NULL OR c.not_after <= $9) "
    };
}

macro_rules! bind_search {
    ($query:expr, $q:expr) => {
        $query
            .bind($q.prefecture.map(|p| p.to_string()))
            .bind($q.office_number.as_ref().map(|n| n.as_str().to_owned()))
            .bind($q.user_id.as_ref().map(|u| u.as_str().to_owned()))
            // Hex digits only: nothing to escape.
            .bind(
                $q.serial_prefix
                    .as_ref()
                    .map(|s| format!("{}%", s.as_str())),
            )
            .bind($q.kind.map(|k| k.code()))
            .bind($q.state.map(CertState::code))
            .bind($q.now)
            .bind($q.expires_from)
            .bind($q.expires_to)
    };
}

fn listing(row: &AnyRow) -> RepoResult<CertificateListing> {
    let number: String = get(row, "office_number")?;
    let user_id: String = get(row, "office_user_id")?;
    let prefecture = get::<Option<String>>(row, "office_prefecture")?
        .map(|p| PrefectureCode::parse(&p).map_err(|_| bad_value("prefecture", &p)))
        .transpose()?;
    Ok(CertificateListing {
        cert: crate::certificate::record(row)?,
        office_number: OfficeNumber::parse(&number).map_err(|_| bad_value("number", &number))?,
        office_name: get(row, "office_name")?,
        user_id: UserId::parse(&user_id).map_err(|_| bad_value("user_id", &user_id))?,
        prefecture,
    })
}

#[async_trait]
impl CertificateAdminRepo for SqlStore {
    async fn search_certificates(
        &self,
        q: &CertificateQuery,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<CertificateListing>> {
        let rows = bind_search!(
            sqlx::query(concat!(
                select!(),
                searched!(),
                "ORDER BY c.issued_at DESC, c.id DESC LIMIT $10 OFFSET $11"
            )),
            q
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await
        .map_err(repo_err("search certificates"))?;
        rows.iter().map(listing).collect()
    }

    async fn count_certificates(&self, q: &CertificateQuery) -> RepoResult<i64> {
        bind_search!(
            sqlx::query_scalar(concat!(
                "SELECT COUNT(*) FROM certificates c JOIN offices o ON o.id = c.office_id ",
                searched!()
            )),
            q
        )
        .fetch_one(&self.pool)
        .await
        .map_err(repo_err("count certificates"))
    }

    async fn certificate_listing(
        &self,
        id: CertificateId,
    ) -> RepoResult<Option<CertificateListing>> {
        let row = sqlx::query(concat!(select!(), "WHERE c.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(repo_err("certificate listing"))?;
        row.as_ref().map(listing).transpose()
    }

    async fn certificate_by_serial(
        &self,
        serial: &Serial,
    ) -> RepoResult<Option<CertificateListing>> {
        let row = sqlx::query(concat!(select!(), "WHERE c.serial = $1"))
            .bind(serial.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(repo_err("certificate by serial"))?;
        row.as_ref().map(listing).transpose()
    }

    async fn revoke_certificate(
        &self,
        id: CertificateId,
        at: i64,
        reason: RevocationReason,
        invalidity_at: Option<i64>,
    ) -> RepoResult<bool> {
        let done = sqlx::query(
            "UPDATE certificates SET status = 'revoked', revoked_at = $1, revocation_reason = $2, \
             invalidity_at = $3 WHERE id = $4 AND status = 'valid'",
        )
        .bind(at)
        .bind(reason.name())
        .bind(invalidity_at)
        .bind(id.0)
        .execute(&self.pool)
        .await
        .map_err(repo_err("revoke certificate"))?;
        Ok(done.rows_affected() == 1)
    }
}
