//! Applying for a certificate (manual 3-1 steps 3–5), the history table and the download.

use std::sync::Arc;

use crate::account::throttle::Attempt;
use crate::certificate::{
    ApplicationState, CertKind, CertStatus, CertificateRecord, NewApplication,
};
use crate::clock::jst_date;
use crate::deps::Deps;
use crate::error::{CoreError, CoreResult};
use crate::office::Office;

/// Result of checking the 証明書発行用パスワード.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssuancePasswordCheck {
    Ok,
    Wrong,
    /// Locked until this Unix time.
    Locked(i64),
}

/// One row of the manual's history table (発行申請日 / 有効開始年月日 / 有効終了年月日 / 状況 / 発行手数料残高).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    pub requested_on: String,
    pub valid_from: String,
    pub valid_to: String,
    pub status: String,
    /// Outstanding fee in yen for this certificate (0 for 介護DX証明書).
    pub fee_balance: i64,
}

#[derive(Clone)]
pub struct ApplicationService {
    deps: Arc<Deps>,
}

fn issuance_key(office: &Office) -> String {
    format!("issuance:{}", office.id)
}

impl ApplicationService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// Checks the issuance password; wrong entries are limited like the login.
    pub async fn check_issuance_password(
        &self,
        office: &Office,
        password: &str,
        source: &str,
    ) -> CoreResult<IssuancePasswordCheck> {
        let d = &self.deps;
        let key = issuance_key(office);
        let attempt = d
            .attempt(
                &key,
                d.hasher.verify_async(password, Some(&office.issuance_hash)),
            )
            .await?;
        match attempt {
            Attempt::Ok => Ok(IssuancePasswordCheck::Ok),
            Attempt::Wrong | Attempt::Locked(_) => {
                d.audit(
                    office.user_id.as_str(),
                    "issuance_password.failure",
                    &format!("office:{}", office.id),
                    source,
                    "",
                )
                .await;
                Ok(match attempt {
                    Attempt::Locked(until) => IssuancePasswordCheck::Locked(until),
                    _ => IssuancePasswordCheck::Wrong,
                })
            }
        }
    }

    /// Seals a checked issuance password for the queue (and for the session between steps).
    pub fn seal_password(&self, password: &str) -> CoreResult<Vec<u8>> {
        Ok(self.deps.sealer.seal(password.as_bytes())?)
    }

    /// Submits an application with the sealed password from step 3. A repeat (same form token,
    /// or one of the same kind already waiting) returns the existing application.
    pub async fn submit(
        &self,
        office: &Office,
        kind: CertKind,
        sealed_password: Vec<u8>,
        idempotency_key: &str,
        source: &str,
    ) -> CoreResult<crate::certificate::Application> {
        self.submit_starting(office, kind, sealed_password, idempotency_key, source, None)
            .await
    }

    /// Like [`submit`](Self::submit), with a requested start of validity (renewal: the end of
    /// the current certificate). Refused while an outstanding fee blocks the kind.
    pub async fn submit_starting(
        &self,
        office: &Office,
        kind: CertKind,
        sealed_password: Vec<u8>,
        idempotency_key: &str,
        source: &str,
        not_before: Option<i64>,
    ) -> CoreResult<crate::certificate::Application> {
        let d = &self.deps;
        if kind == CertKind::KaigoHoken && d.store.fee_balance(office.id).await? > 0 {
            return Err(CoreError::Refused(
                crate::fee::service::BALANCE_BLOCKS_APPLICATION.to_owned(),
            ));
        }
        // Refuse a sealed blob that does not open (it was not made by this server), and one
        // whose password is no longer the office's: it may have been reissued since step 3
        // in another window, and then only the new password may be used.
        let plain = d.sealer.open(&sealed_password)?;
        let current = match std::str::from_utf8(&plain) {
            Ok(pw) => d.hasher.verify_async(pw, Some(&office.issuance_hash)).await,
            Err(_) => false,
        };
        if !current {
            return Err(CoreError::Refused(
                "証明書発行用パスワードが再発行されたため、この申請は送信できません。もう一度、最初から発行申請を行ってください。".into(),
            ));
        }
        let now = d.clock.unix();
        let new = NewApplication {
            office_id: office.id,
            kind,
            requested_at: now,
            terms_version: d.settings.terms_version.clone(),
            consented_at: now,
            sealed_password,
            not_before,
            idempotency_key: idempotency_key.to_owned(),
        };
        let (app, created) = d.store.submit_application(&new).await?;
        if created {
            let detail = format!("kind={} terms={}", kind.code(), d.settings.terms_version);
            d.audit(
                office.user_id.as_str(),
                "application.submit",
                &format!("application:{}", app.id),
                source,
                &detail,
            )
            .await;
        }
        Ok(app)
    }

    /// The history table: waiting or failed applications, then issued certificates, newest first.
    pub async fn history(&self, office: &Office, kind: CertKind) -> CoreResult<Vec<HistoryRow>> {
        let d = &self.deps;
        let now = d.clock.unix();
        let apps = d.store.applications_for_office(office.id, kind).await?;
        let certs = d.store.certificates_for_office(office.id, kind).await?;
        let outstanding = match kind {
            CertKind::KaigoHoken => {
                crate::fee::service::FeeService::new(self.deps.clone())
                    .outstanding_by_certificate(office)
                    .await?
            }
            CertKind::KaigoDx => Vec::new(),
        };
        let mut rows: Vec<(i64, HistoryRow)> = Vec::new();
        for app in &apps {
            let status = match app.state {
                ApplicationState::Queued | ApplicationState::Running => "申請中",
                ApplicationState::Failed => "発行エラー",
                ApplicationState::Done => continue,
            };
            rows.push((
                app.requested_at,
                HistoryRow {
                    requested_on: jst_date(app.requested_at),
                    valid_from: String::new(),
                    valid_to: String::new(),
                    status: status.into(),
                    fee_balance: 0,
                },
            ));
        }
        for cert in &certs {
            let requested_at = apps
                .iter()
                .find(|a| a.id == cert.application_id)
                .map_or(cert.issued_at, |a| a.requested_at);
            let status = match cert.status {
                CertStatus::Revoked => "失効",
                CertStatus::Valid if cert.not_after < now => "有効期限切れ",
                CertStatus::Valid => "発行済み",
            };
            rows.push((
                requested_at,
                HistoryRow {
                    requested_on: jst_date(requested_at),
                    valid_from: jst_date(cert.not_before),
                    valid_to: jst_date(cert.not_after),
                    status: status.into(),
                    fee_balance: outstanding
                        .iter()
                        .find(|(id, _)| *id == cert.id)
                        .map_or(0, |(_, a)| *a),
                },
            ));
        }
        rows.sort_by_key(|r| std::cmp::Reverse(r.0));
        Ok(rows.into_iter().map(|(_, r)| r).collect())
    }

    /// The office's current certificate of this kind: valid, not revoked, not expired.
    pub async fn current_certificate(
        &self,
        office: &Office,
        kind: CertKind,
    ) -> CoreResult<Option<CertificateRecord>> {
        let now = self.deps.clock.unix();
        let certs = self
            .deps
            .store
            .certificates_for_office(office.id, kind)
            .await?;
        Ok(certs
            .into_iter()
            .filter(|c| c.status == CertStatus::Valid && c.not_after >= now)
            .max_by_key(|c| c.issued_at))
    }

    /// Whether an application of this kind is waiting in the queue.
    pub async fn pending(&self, office: &Office, kind: CertKind) -> CoreResult<bool> {
        let apps = self
            .deps
            .store
            .applications_for_office(office.id, kind)
            .await?;
        Ok(apps.iter().any(|a| {
            matches!(
                a.state,
                ApplicationState::Queued | ApplicationState::Running
            )
        }))
    }

    /// The PKCS#12 file of the current certificate, with a file name for the download.
    pub async fn download(
        &self,
        office: &Office,
        kind: CertKind,
        source: &str,
    ) -> CoreResult<(String, Vec<u8>)> {
        let d = &self.deps;
        let cert = self
            .current_certificate(office, kind)
            .await?
            .ok_or(CoreError::NotFound)?;
        let bytes = d.store.pkcs12(cert.id).await?.ok_or(CoreError::NotFound)?;
        d.audit(
            office.user_id.as_str(),
            "certificate.download",
            &format!("certificate:{}", cert.serial),
            source,
            kind.code(),
        )
        .await;
        let prefix = kind.file_prefix();
        Ok((
            format!(
                "{prefix}_{}_{}.p12",
                office.number,
                jst_date(cert.not_before).replace('/', "")
            ),
            bytes,
        ))
    }
}
