//! Applying for a certificate (manual 3-1 steps 3–5), the history table and the download.

use std::sync::Arc;

use crate::account::throttle::Attempt;
use crate::audit::AuditAction;
use crate::certificate::renewal::in_renewal_window;
use crate::certificate::{ApplicationState, CertKind, CertStatus, NewApplication};
use crate::clock::jst_date;
use crate::deps::Deps;
use crate::error::{CoreError, CoreResult};
use crate::ids::CertificateId;
use crate::office::Office;

/// Result of checking the 証明書発行用パスワード.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssuancePasswordCheck {
    Ok,
    Wrong,
    /// Locked until this Unix time.
    Locked(i64),
}

/// Where a row of the history table stands (状況).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryStatus {
    /// Waiting in the queue or being built.
    Requested,
    Failed,
    Issued,
    Expired,
    Revoked,
}

impl HistoryStatus {
    /// The manual's word for it.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Requested => "申請中",
            Self::Failed => "発行エラー",
            Self::Issued => "発行済み",
            Self::Expired => "有効期限切れ",
            Self::Revoked => "失効",
        }
    }
}

/// One row of the manual's history table (発行申請日 / 有効開始年月日 / 有効終了年月日 / 状況 / 発行手数料残高):
/// typed fields for decisions, and the labels the templates print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// The certificate of the row; `None` for an application not (yet) issued.
    pub certificate_id: Option<CertificateId>,
    pub state: HistoryStatus,
    pub requested_on: String,
    pub valid_from: String,
    pub valid_to: String,
    /// `state.label()`.
    pub status: &'static str,
    /// Outstanding fee in yen for this certificate (0 for 介護DX証明書).
    pub fee_balance: i64,
}

/// A checked 証明書発行用パスワード sealed under the server key: what the session holds between
/// the steps of an application and what the queue holds until the file is built. Opaque: only
/// core opens it. In the session it is a base64 string.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedPassword(Vec<u8>);

impl SealedPassword {
    /// Seals `secret` under the server key.
    pub(crate) fn seal(
        sealer: &dyn crate::certificate::pki::SecretSealer,
        secret: &str,
    ) -> Result<Self, crate::error::PkiError> {
        Ok(Self(sealer.seal(secret.as_bytes())?))
    }

    /// The secret, if it opens under the server key and is text.
    pub(crate) fn open(
        &self,
        sealer: &dyn crate::certificate::pki::SecretSealer,
    ) -> Option<secrecy::SecretString> {
        let opened = sealer.open(&self.0).ok()?;
        let text = std::str::from_utf8(&opened).ok()?;
        Some(secrecy::SecretString::from(text.to_owned()))
    }
}

impl std::fmt::Debug for SealedPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealedPassword(..)")
    }
}

impl serde::Serialize for SealedPassword {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use base64::Engine as _;
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> serde::Deserialize<'de> for SealedPassword {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use base64::Engine as _;
        let s = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s.as_bytes())
            .map(Self)
            .map_err(serde::de::Error::custom)
    }
}

/// When the new certificate's validity starts (有効開始年月日), as the office chose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValidityStart {
    /// 申請日から: when it is issued.
    #[default]
    Now,
    /// As a renewal: when the current certificate ends (only inside the renewal window).
    Renewal,
}

impl ValidityStart {
    /// The form's value (`now`, `renewal`).
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "now" => Some(Self::Now),
            "renewal" => Some(Self::Renewal),
            _ => None,
        }
    }
}

/// What the validity-start step of an application offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartStep {
    /// Whether the step is shown: always for 介護保険証明書 (manual 3-2); for 介護DX証明書 only
    /// when a renewal is possible (manual 3-1 goes straight to the terms).
    pub shown: bool,
    /// The end of the current certificate when a renewal is possible.
    pub renewal_end: Option<i64>,
}

/// The message when a renewal is asked for without a certificate to renew.
pub const NOTHING_TO_RENEW: &str =
    "更新できる証明書がありません。「申請日から」を選択してください。";

#[derive(Clone)]
pub struct ApplicationService {
    pub(crate) deps: Arc<Deps>,
}

pub(crate) fn issuance_key(office: &Office) -> String {
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
                    AuditAction::IssuancePasswordFailure,
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
    pub fn seal_password(&self, password: &str) -> CoreResult<SealedPassword> {
        Ok(SealedPassword::seal(&*self.deps.sealer, password)?)
    }

    /// The validity-start step for this office and kind: whether it is shown, and until when
    /// the current certificate runs if it may be renewed.
    pub async fn start_step(&self, office: &Office, kind: CertKind) -> CoreResult<StartStep> {
        let renewal_end = self.renewal_end(office, kind).await?;
        Ok(StartStep {
            shown: kind == CertKind::KaigoHoken || renewal_end.is_some(),
            renewal_end,
        })
    }

    /// The end of the current certificate when it is inside the renewal window.
    async fn renewal_end(&self, office: &Office, kind: CertKind) -> CoreResult<Option<i64>> {
        let now = self.deps.clock.unix();
        Ok(self
            .current_certificate(office, kind)
            .await?
            .filter(|c| in_renewal_window(c, now, &self.deps.settings))
            .map(|c| c.not_after))
    }

    /// The `not_before` of a new certificate for the office's choice, or the message when a
    /// renewal is asked for without a certificate to renew.
    pub async fn resolve_start(
        &self,
        office: &Office,
        kind: CertKind,
        start: ValidityStart,
    ) -> CoreResult<Result<Option<i64>, &'static str>> {
        Ok(match start {
            ValidityStart::Now => Ok(None),
            ValidityStart::Renewal => self
                .renewal_end(office, kind)
                .await?
                .map(Some)
                .ok_or(NOTHING_TO_RENEW),
        })
    }

    /// Submits an application with the sealed password from step 3. A repeat (same form token,
    /// or one of the same kind already waiting) returns the existing application.
    pub async fn submit(
        &self,
        office: &Office,
        kind: CertKind,
        sealed_password: SealedPassword,
        idempotency_key: &str,
        source: &str,
    ) -> CoreResult<crate::certificate::Application> {
        self.submit_starting(
            office,
            kind,
            sealed_password,
            idempotency_key,
            source,
            ValidityStart::Now,
        )
        .await
    }

    /// Like [`submit`](Self::submit), with the office's choice of the start of validity; core
    /// resolves it (a renewal starts when the current certificate ends, and is refused when
    /// there is none to renew). Refused while an outstanding fee blocks the kind.
    pub async fn submit_starting(
        &self,
        office: &Office,
        kind: CertKind,
        sealed_password: SealedPassword,
        idempotency_key: &str,
        source: &str,
        start: ValidityStart,
    ) -> CoreResult<crate::certificate::Application> {
        let d = &self.deps;
        let not_before = match self.resolve_start(office, kind, start).await? {
            Ok(at) => at,
            Err(message) => return Err(CoreError::Refused(message.to_owned())),
        };
        let SealedPassword(sealed_password) = sealed_password;
        if crate::fee::service::FeeService::new(self.deps.clone())
            .blocks_application(office, kind)
            .await?
        {
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
                AuditAction::ApplicationSubmit,
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
            let state = match app.state {
                ApplicationState::Queued | ApplicationState::Running => HistoryStatus::Requested,
                ApplicationState::Failed => HistoryStatus::Failed,
                ApplicationState::Done => continue,
            };
            rows.push((
                app.requested_at,
                HistoryRow {
                    certificate_id: None,
                    state,
                    requested_on: jst_date(app.requested_at),
                    valid_from: String::new(),
                    valid_to: String::new(),
                    status: state.label(),
                    fee_balance: 0,
                },
            ));
        }
        for cert in &certs {
            let requested_at = apps
                .iter()
                .find(|a| a.id == cert.application_id)
                .map_or(cert.issued_at, |a| a.requested_at);
            let state = match cert.status {
                CertStatus::Revoked => HistoryStatus::Revoked,
                CertStatus::Valid if cert.not_after < now => HistoryStatus::Expired,
                CertStatus::Valid => HistoryStatus::Issued,
            };
            rows.push((
                requested_at,
                HistoryRow {
                    certificate_id: Some(cert.id),
                    state,
                    requested_on: jst_date(requested_at),
                    valid_from: jst_date(crate::certificate::shown_start(cert.not_before)),
                    valid_to: jst_date(cert.not_after),
                    status: state.label(),
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
}
