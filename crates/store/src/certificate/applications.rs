//! Certificate applications: the durable issuance queue shared by the workers of all nodes.
//!
//! States: `queued` → (claim) `running` → `done` | `failed`, or back to `queued` with a
//! `retry_at`. While an application is queued or running its `pending_key` holds
//! `office_id:kind`; the column is UNIQUE, so the database itself guarantees that an office
//! has at most one waiting application per kind, whichever node submitted it.

use async_trait::async_trait;
use kaigo_core::RepoError;
use kaigo_core::certificate::repo::ApplicationRepo;
use kaigo_core::certificate::{
    Application, ApplicationState, CertKind, NewApplication, NewCertificate,
};
use kaigo_core::error::RepoResult;
use kaigo_core::ids::{ApplicationId, CertificateId, OfficeId};
use kaigo_core::mail::NewMail;
use kaigo_core::notice::NewNotice;
use sqlx::any::AnyRow;

use crate::SqlStore;
use crate::error::{clip, repo_err};
use crate::row::{code, get};

/// A submit races with at most a few state changes of the same office's queue; more rounds
/// than this mean something is wrong.
const SUBMIT_ROUNDS: usize = 5;

/// The columns `application()` reads.
macro_rules! columns {
    () => {
        "id, office_id, kind, state, requested_at, terms_version, consented_at, \
         sealed_password, not_before, attempts, last_error, certificate_id"
    };
}

/// Applications a worker may take at `$1`: queued and due, or running with an expired lease
/// (its worker died or stalled).
macro_rules! claimable {
    () => {
        "((state = 'queued' AND (retry_at IS NULL OR retry_at <= $1)) \
          OR (state = 'running' AND lease_until < $1))"
    };
}

/// Takes the oldest claimable application in one statement. `$lock` is the PostgreSQL row
/// lock clause (empty on SQLite, whose single writer makes the statement atomic); the outer
/// condition re-checks the row so that a lost race updates nothing instead of stealing it.
macro_rules! claim_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE applications SET state = 'running', attempts = attempts + 1, \
             lease_until = $2, retry_at = NULL \
             WHERE id = (SELECT id FROM applications WHERE ",
            claimable!(),
            " ORDER BY id LIMIT 1",
            $lock,
            ") AND ",
            claimable!(),
            " RETURNING ",
            columns!()
        )
    };
}

fn application(row: &AnyRow) -> RepoResult<Application> {
    Ok(Application {
        id: ApplicationId(get(row, "id")?),
        office_id: OfficeId(get(row, "office_id")?),
        kind: code(row, "kind", CertKind::from_code)?,
        state: code(row, "state", ApplicationState::from_code)?,
        requested_at: get(row, "requested_at")?,
        terms_version: get(row, "terms_version")?,
        consented_at: get(row, "consented_at")?,
        sealed_password: get(row, "sealed_password")?,
        not_before: get(row, "not_before")?,
        attempts: get(row, "attempts")?,
        last_error: get(row, "last_error")?,
        certificate_id: get::<Option<i64>>(row, "certificate_id")?.map(CertificateId),
    })
}

/// The value of `pending_key` while an application of this office and kind waits.
fn pending_key(office_id: OfficeId, kind: CertKind) -> String {
    format!("{}:{}", office_id.0, kind.code())
}

impl SqlStore {
    async fn application_where(
        &self,
        sql: &'static str,
        office_id: OfficeId,
        key: &str,
    ) -> RepoResult<Option<Application>> {
        sqlx::query(sql)
            .bind(office_id.0)
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(repo_err("select application"))?
            .as_ref()
            .map(application)
            .transpose()
    }

    /// Why an update guarded by "still queued or running" changed nothing: the application
    /// is missing (`NotFound`) or already finished (`Conflict`).
    async fn not_updated(&self, id: ApplicationId) -> RepoError {
        match self.application(id).await {
            Ok(None) => RepoError::NotFound,
            Ok(Some(app)) => RepoError::Conflict(format!(
                "application {id} is {}, not waiting",
                app.state.code()
            )),
            Err(e) => e,
        }
    }
}

#[async_trait]
impl ApplicationRepo for SqlStore {
    async fn submit_application(&self, a: &NewApplication) -> RepoResult<(Application, bool)> {
        let pending = pending_key(a.office_id, a.kind);
        let by_key = concat!(
            "SELECT ",
            columns!(),
            " FROM applications WHERE office_id = $1 AND idempotency_key = $2"
        );
        let by_pending = concat!(
            "SELECT ",
            columns!(),
            " FROM applications WHERE office_id = $1 AND pending_key = $2"
        );
        for _ in 0..SUBMIT_ROUNDS {
            if let Some(app) = self
                .application_where(by_key, a.office_id, &a.idempotency_key)
                .await?
            {
                return Ok((app, false));
            }
            // DO NOTHING without a target covers both rules (idempotency key, one waiting
            // application per kind): a concurrent submit that won either of them makes this
            // insert return no row, and the lookups find the winner.
            let inserted = sqlx::query(concat!(
                "INSERT INTO applications (office_id, kind, state, requested_at, terms_version, \
                 consented_at, sealed_password, not_before, idempotency_key, pending_key, attempts) \
                 VALUES ($1, $2, 'queued', $3, $4, $5, $6, $7, $8, $9, 0) \
                 ON CONFLICT DO NOTHING RETURNING ",
                columns!()
            ))
            .bind(a.office_id.0)
            .bind(a.kind.code())
            .bind(a.requested_at)
            .bind(a.terms_version.as_str())
            .bind(a.consented_at)
            .bind(a.sealed_password.as_slice())
            .bind(a.not_before)
            .bind(a.idempotency_key.as_str())
            .bind(pending.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.is_foreign_key_violation() => RepoError::NotFound,
                _ => repo_err("submit application")(e),
            })?;
            if let Some(row) = inserted {
                return Ok((application(&row)?, true));
            }
            if let Some(app) = self
                .application_where(by_pending, a.office_id, &pending)
                .await?
            {
                return Ok((app, false));
            }
            // The application we collided with finished in between: try again.
        }
        Err(RepoError::Backend(
            "submit application: no stable outcome".into(),
        ))
    }

    async fn renew_application_lease(
        &self,
        id: ApplicationId,
        claim: i64,
        lease_until: i64,
    ) -> RepoResult<bool> {
        // `attempts` counts claims: a worker whose lease was taken over holds an older count
        // and cannot extend the new owner's lease.
        let done = sqlx::query(
            "UPDATE applications SET lease_until = $3 \
             WHERE id = $1 AND attempts = $2 AND state = 'running'",
        )
        .bind(id.0)
        .bind(claim)
        .bind(lease_until)
        .execute(&self.pool)
        .await
        .map_err(repo_err("renew application lease"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn claim_application(
        &self,
        now: i64,
        lease_until: i64,
    ) -> RepoResult<Option<Application>> {
        let queue = crate::lease::LeasedQueue {
            claim: self
                .backend
                .pick(claim_sql!(""), claim_sql!(" FOR UPDATE SKIP LOCKED")),
            waiting: concat!(
                "SELECT id FROM applications WHERE ",
                claimable!(),
                " LIMIT 1"
            ),
            what: "claim application",
        };
        queue
            .claim(&self.pool, now, lease_until)
            .await?
            .as_ref()
            .map(application)
            .transpose()
    }

    async fn complete_application(
        &self,
        id: ApplicationId,
        cert: &NewCertificate,
        notice: &NewNotice,
        mail: Option<&NewMail>,
    ) -> RepoResult<CertificateId> {
        self.complete_application_charging(id, cert, notice, mail, 0)
            .await
    }

    async fn fail_application(
        &self,
        id: ApplicationId,
        error: &str,
        retry_at: Option<i64>,
    ) -> RepoResult<()> {
        let error = clip(error);
        let query = match retry_at {
            Some(at) => sqlx::query(
                "UPDATE applications SET state = 'queued', retry_at = $2, last_error = $3, \
                 lease_until = NULL WHERE id = $1 AND state IN ('queued', 'running')",
            )
            .bind(id.0)
            .bind(at)
            .bind(error),
            // Failed for good: the sealed password has no further use, and the office may
            // apply again (pending_key released).
            None => sqlx::query(
                "UPDATE applications SET state = 'failed', last_error = $2, \
                 sealed_password = NULL, pending_key = NULL, lease_until = NULL, retry_at = NULL \
                 WHERE id = $1 AND state IN ('queued', 'running')",
            )
            .bind(id.0)
            .bind(error),
        };
        let done = query
            .execute(&self.pool)
            .await
            .map_err(repo_err("fail application"))?;
        if done.rows_affected() == 0 {
            return Err(self.not_updated(id).await);
        }
        Ok(())
    }

    /// Newest first.
    async fn applications_for_office(
        &self,
        office_id: OfficeId,
        kind: CertKind,
    ) -> RepoResult<Vec<Application>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM applications WHERE office_id = $1 AND kind = $2 \
             ORDER BY requested_at DESC, id DESC"
        ))
        .bind(office_id.0)
        .bind(kind.code())
        .fetch_all(&self.pool)
        .await
        .map_err(repo_err("applications for office"))?;
        rows.iter().map(application).collect()
    }

    async fn application(&self, id: ApplicationId) -> RepoResult<Option<Application>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM applications WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(repo_err("select application"))?;
        row.as_ref().map(application).transpose()
    }
}
