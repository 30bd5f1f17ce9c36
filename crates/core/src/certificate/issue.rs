//! The issuance pipeline run by the worker: claim → authorize → build (key, certificate,
//! PKCS#12) → store → notify. `build` is CPU-bound and synchronous; the worker runs it on a
//! blocking thread between the two async steps.

use std::sync::Arc;

use secrecy::SecretString;
use time::OffsetDateTime;

use crate::actor::Actor;
use crate::audit::AuditAction;
use crate::certificate::pki::{IssueRequest, IssuedBundle};
use crate::certificate::{Application, CertKind, NewCertificate};
use crate::clock::jst_date;
use crate::deps::Deps;
use crate::error::{CoreError, CoreResult, PkiError};
use crate::ids::CertificateId;
use crate::mail::NewMail;
use crate::notice::{NewNotice, NoticeCategory, NoticeTarget};
use crate::office::Office;

/// A claimed application with what is needed to build its certificate. The password is only
/// in memory, and zeroized when the job is dropped.
pub struct Job {
    pub application: Application,
    pub office: Office,
    pub request: IssueRequest,
    password: SecretString,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("application", &self.application.id)
            .finish_non_exhaustive()
    }
}

/// What happened to a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    Issued(CertificateId),
    Retry(String),
    Failed(String),
}

#[derive(Clone)]
pub struct IssuanceService {
    deps: Arc<Deps>,
}

/// The title of the notice posted when a certificate is ready.
pub const ISSUED_NOTICE_TITLE: &str = "証明書発行完了通知";

impl IssuanceService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// Claims the next application, if any, and prepares its job. An application that cannot be
    /// prepared (its office vanished, its sealed password does not open) is failed for good.
    pub async fn claim(&self) -> CoreResult<Option<Job>> {
        let d = &self.deps;
        loop {
            let now = d.clock.unix();
            let Some(app) = d
                .store
                .claim_application(now, now + d.settings.job_lease_seconds)
                .await?
            else {
                return Ok(None);
            };
            // `attempts` counts claims, so a job that keeps killing its worker (a panic, the
            // process dying) stops being re-claimed after the last attempt.
            if app.attempts > d.settings.max_job_attempts {
                self.abandon(app.id, "too many attempts").await?;
                continue;
            }
            // A database error while preparing is passed up: the lease expires and another
            // attempt follows. Only what can never succeed fails the application for good.
            let office = d.store.office_by_id(app.office_id).await?;
            match self.prepare(app.clone(), office) {
                Ok(job) => return Ok(Some(job)),
                Err(reason) => self.abandon(app.id, &reason).await?,
            }
        }
    }

    /// How often a worker renews the lease of the job it is building.
    pub fn lease_renewal_interval(&self) -> std::time::Duration {
        let secs = (self.deps.settings.job_lease_seconds / 3).max(1);
        std::time::Duration::from_secs(secs.unsigned_abs())
    }

    /// Renews the lease of a job being built; false if it is no longer ours.
    pub async fn renew_lease(&self, app: &Application) -> CoreResult<bool> {
        let until = self.deps.clock.unix() + self.deps.settings.job_lease_seconds;
        Ok(self
            .deps
            .store
            .renew_application_lease(app.id, app.attempts, until)
            .await?)
    }

    /// Fails an application for good (its sealed password is erased with it).
    pub async fn abandon(&self, id: crate::ids::ApplicationId, reason: &str) -> CoreResult<()> {
        tracing::error!(application = %id, %reason, "application cannot be issued");
        self.deps.store.fail_application(id, reason, None).await?;
        Ok(())
    }

    fn prepare(&self, app: Application, office: Option<Office>) -> Result<Job, String> {
        let d = &self.deps;
        let office = office.ok_or_else(|| "office not found".to_owned())?;
        let sealed = app
            .sealed_password
            .as_deref()
            .ok_or_else(|| "no sealed password".to_owned())?;
        let plain = d.sealer.open(sealed).map_err(|e| e.to_string())?;
        let password = String::from_utf8(plain.to_vec())
            .map_err(|_| "sealed password is not UTF-8".to_owned())?;
        let not_before = app
            .not_before
            .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
            .filter(|t| *t > d.clock.now())
            .unwrap_or_else(|| d.clock.now());
        let request = IssueRequest {
            kind: app.kind,
            office_kind: office.kind,
            office_number: office.number.clone(),
            office_name: office.name.clone(),
            user_id: office.user_id.clone(),
            not_before,
        };
        Ok(Job {
            application: app,
            office,
            request,
            password: SecretString::from(password),
        })
    }

    /// Builds the key, certificate and PKCS#12. Synchronous and CPU-bound.
    pub fn build(&self, job: &Job) -> Result<IssuedBundle, PkiError> {
        self.deps.factory.issue(&job.request, &job.password)
    }

    /// Stores the result, posts the notice and the mail; or records the failure.
    pub async fn finish(
        &self,
        job: Job,
        built: Result<IssuedBundle, PkiError>,
    ) -> CoreResult<JobOutcome> {
        let d = &self.deps;
        let app = &job.application;
        let bundle = match built {
            Ok(b) => b,
            Err(e) => {
                let reason = e.to_string();
                tracing::error!(application = %app.id, %reason, "issuance failed");
                if app.attempts < d.settings.max_job_attempts {
                    let retry_at = d.clock.unix() + 30 * app.attempts.max(1);
                    d.store
                        .fail_application(app.id, &reason, Some(retry_at))
                        .await?;
                    return Ok(JobOutcome::Retry(reason));
                }
                d.store.fail_application(app.id, &reason, None).await?;
                crate::observe::issuance_failed();
                return Ok(JobOutcome::Failed(reason));
            }
        };
        let now = d.clock.unix();
        let cert = NewCertificate {
            office_id: job.office.id,
            application_id: app.id,
            kind: app.kind,
            serial: bundle.serial.clone(),
            subject: bundle.subject.clone(),
            not_before: bundle.not_before.unix_timestamp(),
            not_after: bundle.not_after.unix_timestamp(),
            fingerprint_sha256: bundle.fingerprint_sha256.clone(),
            cert_der: bundle.cert_der.clone(),
            pkcs12: bundle.pkcs12.clone(),
            issued_at: now,
            generation: bundle.generation,
        };
        let body = issued_body(app.kind, &cert, &d.settings.helpdesk, &job.office);
        // Which certificate, so that two notices of two kinds can be told apart.
        let title = format!("{ISSUED_NOTICE_TITLE}（{}）", app.kind.label());
        let notice = NewNotice {
            category: NoticeCategory::Certificate,
            title: title.clone(),
            body: body.clone(),
            target: NoticeTarget::Office(job.office.id),
            start_at: now,
            end_at: None,
            created_at: now,
        };
        let mail = job.office.email.as_ref().map(|to| NewMail {
            to: to.clone(),
            subject: format!("【電子請求受付システム】{title}"),
            body,
            created_at: now,
        });
        // 介護保険証明書 charge the configured fee in the same transaction; DX stays free.
        let fee = app.kind.fee_yen(d.settings.hoken_fee_yen);
        let id = if fee > 0 {
            d.store
                .complete_application_with_fee(app.id, &cert, &notice, mail.as_ref(), fee)
                .await
        } else {
            d.store
                .complete_application(app.id, &cert, &notice, mail.as_ref())
                .await
        }
        .map_err(CoreError::from)?;
        crate::observe::issued(now - app.requested_at);
        let system = Actor::System;
        d.audit(
            &system.audit_name(),
            AuditAction::CertificateIssue,
            &format!("certificate:{}", cert.serial),
            system.source(),
            app.kind.code(),
        )
        .await;
        Ok(JobOutcome::Issued(id))
    }
}

fn issued_body(kind: CertKind, cert: &NewCertificate, helpdesk: &str, office: &Office) -> String {
    let (tab, choice) = (kind.tab_label(), kind.download_choice());
    format!(
        "介護電子請求受付システムからのお知らせです。\n\
         {label}の発行が完了しました。\n\n\
         メインメニューの「{tab}」タブをクリックし、「{choice}」を選択して【次へ】ボタンを押し、\
         【ダウンロード】ボタンから証明書を取得してください。\n\
         インストールの際は証明書発行用パスワードを入力してください。\n\n\
         [事業所番号] {number}\n\
         [ユーザID] {user}\n\
         [有効期間] {from} 〜 {to}\n\
         [シリアル番号] {serial}\n\n\
         [問い合わせ先]\n{helpdesk}",
        label = kind.label(),
        number = office.number,
        user = office.user_id,
        from = jst_date(crate::certificate::shown_start(cert.not_before)),
        to = jst_date(cert.not_after),
        serial = cert.serial,
    )
}
