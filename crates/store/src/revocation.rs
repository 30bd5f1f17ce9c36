//! CRLs, responder credentials and the status lookups of the OCSP responder.

use async_trait::async_trait;
use kaigo_core::certificate::revocation::RevocationReason;
use kaigo_core::error::RepoResult;
use kaigo_core::ids::{CaGeneration, Serial};
use kaigo_core::revocation::repo::{RevocationRepo, StoredResponder};
use kaigo_core::revocation::{CertStatus, PublishedCrl, RevokedEntry, StatusMarker};
use sqlx::any::AnyRow;

use crate::SqlStore;
use crate::error::{bad_value, repo_err};
use crate::row::{code, get};

/// The CRL issuer key of a generation: `issuing` for the first (as stored before rollovers
/// existed), `issuing-g2` and so on.
fn issuer(generation: CaGeneration) -> String {
    if generation == CaGeneration::FIRST {
        "issuing".to_owned()
    } else {
        format!("issuing-g{generation}")
    }
}

fn gen_value(generation: CaGeneration) -> i64 {
    i64::from(generation.get())
}

fn reason(row: &AnyRow) -> RepoResult<RevocationReason> {
    code(row, "revocation_reason", RevocationReason::from_name)
}

fn crl(row: &AnyRow) -> RepoResult<PublishedCrl> {
    Ok(PublishedCrl {
        number: get(row, "number")?,
        this_update: get(row, "this_update")?,
        next_update: get(row, "next_update")?,
        entries: get(row, "entries")?,
        covered: get(row, "covered")?,
        der: get(row, "der")?,
    })
}

#[async_trait]
impl RevocationRepo for SqlStore {
    async fn status_marker(&self) -> RepoResult<StatusMarker> {
        let row = sqlx::query(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM certificates) AS certificates, \
             (SELECT COUNT(*) FROM certificates WHERE status = 'revoked') AS revoked",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(repo_err("status marker"))?;
        Ok(StatusMarker {
            certificates: get(&row, "certificates")?,
            revoked: get(&row, "revoked")?,
        })
    }

    async fn revoked_entries(
        &self,
        generation: CaGeneration,
        since: i64,
    ) -> RepoResult<Vec<RevokedEntry>> {
        let rows = sqlx::query(
            "SELECT serial, revoked_at, revocation_reason, invalidity_at FROM certificates \
             WHERE status = 'revoked' AND not_after >= $1 AND issuer_generation = $2 \
             ORDER BY id",
        )
        .bind(since)
        .bind(gen_value(generation))
        .fetch_all(&self.pool)
        .await
        .map_err(repo_err("revoked certificates"))?;
        rows.iter()
            .map(|row| {
                let serial: String = get(row, "serial")?;
                Ok(RevokedEntry {
                    serial: Serial::parse(&serial).map_err(|_| bad_value("serial", &serial))?,
                    revoked_at: get::<Option<i64>>(row, "revoked_at")?.unwrap_or(0),
                    reason: reason(row)?,
                    invalidity_at: get(row, "invalidity_at")?,
                })
            })
            .collect()
    }

    async fn certificate_status(
        &self,
        generation: CaGeneration,
        serial: &Serial,
    ) -> RepoResult<CertStatus> {
        let row = sqlx::query(
            "SELECT status, revoked_at, revocation_reason FROM certificates \
             WHERE serial = $1 AND issuer_generation = $2",
        )
        .bind(serial.as_str())
        .bind(gen_value(generation))
        .fetch_optional(&self.pool)
        .await
        .map_err(repo_err("certificate status"))?;
        let Some(row) = row else {
            return Ok(CertStatus::Unknown);
        };
        let status: String = get(&row, "status")?;
        Ok(match status.as_str() {
            "revoked" => CertStatus::Revoked {
                at: get::<Option<i64>>(&row, "revoked_at")?.unwrap_or(0),
                reason: reason(&row)?,
            },
            _ => CertStatus::Good,
        })
    }

    async fn next_crl_number(&self, generation: CaGeneration) -> RepoResult<i64> {
        self.ensure_crl_counter(generation).await?;
        sqlx::query_scalar(
            "UPDATE crl_numbers SET last = last + 1 WHERE issuer = $1 RETURNING last",
        )
        .bind(issuer(generation))
        .fetch_one(&self.pool)
        .await
        .map_err(repo_err("next CRL number"))
    }

    async fn take_crl_turn(
        &self,
        generation: CaGeneration,
        now: i64,
        until: i64,
    ) -> RepoResult<bool> {
        self.ensure_crl_counter(generation).await?;
        let taken = sqlx::query(
            "UPDATE crl_numbers SET turn_until = $3 \
             WHERE issuer = $1 AND (turn_until IS NULL OR turn_until <= $2)",
        )
        .bind(issuer(generation))
        .bind(now)
        .bind(until)
        .execute(&self.pool)
        .await
        .map_err(repo_err("take the CRL turn"))?;
        Ok(taken.rows_affected() == 1)
    }

    async fn release_crl_turn(&self, generation: CaGeneration) -> RepoResult<()> {
        sqlx::query("UPDATE crl_numbers SET turn_until = NULL WHERE issuer = $1")
            .bind(issuer(generation))
            .execute(&self.pool)
            .await
            .map_err(repo_err("release the CRL turn"))?;
        Ok(())
    }

    async fn store_crl(&self, generation: CaGeneration, crl: &PublishedCrl) -> RepoResult<()> {
        sqlx::query(
            "INSERT INTO crls (issuer, number, this_update, next_update, entries, covered, der) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(issuer(generation))
        .bind(crl.number)
        .bind(crl.this_update)
        .bind(crl.next_update)
        .bind(crl.entries)
        .bind(crl.covered)
        .bind(crl.der.as_slice())
        .execute(&self.pool)
        .await
        .map_err(repo_err("store CRL"))?;
        Ok(())
    }

    async fn latest_crl(&self, generation: CaGeneration) -> RepoResult<Option<PublishedCrl>> {
        let row = sqlx::query(
            "SELECT number, this_update, next_update, entries, covered, der FROM crls \
             WHERE issuer = $1 ORDER BY number DESC LIMIT 1",
        )
        .bind(issuer(generation))
        .fetch_optional(&self.pool)
        .await
        .map_err(repo_err("latest CRL"))?;
        row.as_ref().map(crl).transpose()
    }

    async fn prune_crls(&self, generation: CaGeneration, keep: i64) -> RepoResult<()> {
        sqlx::query(
            "DELETE FROM crls WHERE issuer = $1 AND number <= \
             (SELECT MAX(number) FROM crls WHERE issuer = $1) - $2",
        )
        .bind(issuer(generation))
        .bind(keep)
        .execute(&self.pool)
        .await
        .map_err(repo_err("prune CRLs"))?;
        Ok(())
    }

    async fn latest_responder(
        &self,
        generation: CaGeneration,
    ) -> RepoResult<Option<StoredResponder>> {
        let row = sqlx::query(
            "SELECT id, cert_der, sealed_key, not_after FROM ocsp_responders \
             WHERE issuer_generation = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(gen_value(generation))
        .fetch_optional(&self.pool)
        .await
        .map_err(repo_err("OCSP responder"))?;
        row.map(|row| {
            Ok(StoredResponder {
                id: get(&row, "id")?,
                cert_der: get(&row, "cert_der")?,
                sealed_key: get(&row, "sealed_key")?,
                not_after: get(&row, "not_after")?,
            })
        })
        .transpose()
    }

    async fn expired_responders(&self, now: i64) -> RepoResult<Vec<(i64, Vec<u8>)>> {
        let rows = sqlx::query(
            "SELECT id, sealed_key FROM ocsp_responders \
             WHERE not_after < $1 AND key_retired_at IS NULL ORDER BY id",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .map_err(repo_err("expired OCSP responders"))?;
        rows.iter()
            .map(|row| Ok((get(row, "id")?, get(row, "sealed_key")?)))
            .collect()
    }

    async fn retire_responder(&self, id: i64, at: i64) -> RepoResult<bool> {
        let done = sqlx::query(
            "UPDATE ocsp_responders SET key_retired_at = $2, sealed_key = $3 \
             WHERE id = $1 AND key_retired_at IS NULL",
        )
        .bind(id)
        .bind(at)
        .bind(Vec::<u8>::new())
        .execute(&self.pool)
        .await
        .map_err(repo_err("retire OCSP responder"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn store_responder(
        &self,
        generation: CaGeneration,
        cert_der: &[u8],
        sealed_key: &[u8],
        not_after: i64,
        at: i64,
    ) -> RepoResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO ocsp_responders (cert_der, sealed_key, not_after, created_at, \
             issuer_generation) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(cert_der)
        .bind(sealed_key)
        .bind(not_after)
        .bind(at)
        .bind(gen_value(generation))
        .fetch_one(&self.pool)
        .await
        .map_err(repo_err("store OCSP responder"))
    }
}

impl SqlStore {
    /// The counter row of `generation`: a new generation's starts with its first CRL (or
    /// publication turn); two nodes may both insert it.
    async fn ensure_crl_counter(&self, generation: CaGeneration) -> RepoResult<()> {
        sqlx::query(
            "INSERT INTO crl_numbers (issuer, last) VALUES ($1, 0) ON CONFLICT (issuer) DO NOTHING",
        )
        .bind(issuer(generation))
        .execute(&self.pool)
        .await
        .map_err(repo_err("CRL counter"))?;
        Ok(())
    }
}
