//! The console's certificates: search, details and revocation, scoped by the admin's
//! prefecture (the certificate's office's); and the same for the CLI (`cert list/revoke`).

use std::sync::Arc;

use crate::actor::Actor;
use crate::admin::{AdminActor, AdminRole};
use crate::audit::AuditAction;
use crate::certificate::query::{CertState, CertificateListing, CertificateQuery};
use crate::certificate::revocation::RevocationReason;
use crate::certificate::{CertKind, CertStatus};
use crate::clock::parse_date_range;
use crate::deps::Deps;
use crate::error::{CoreError, CoreResult, ValidationError};
use crate::ids::{CertificateId, OfficeNumber, Serial, UserId};

/// Rows per page of the search.
pub const PAGE_SIZE: i64 = 50;

/// The search form as typed (every field optional).
#[derive(Clone, Debug, Default)]
pub struct CertSearchInput {
    pub office_number: String,
    pub user_id: String,
    pub serial: String,
    /// `dx`, `hoken` or empty.
    pub kind: String,
    /// `valid`, `revoked`, `expired` or empty.
    pub status: String,
    /// `YYYY-MM-DD` (JST), inclusive.
    pub expires_from: String,
    pub expires_to: String,
}

impl CertSearchInput {
    /// Validates the form into a query within `role`'s scope; Japanese messages, all at once.
    pub fn parse(&self, role: AdminRole, now: i64) -> Result<CertificateQuery, Vec<String>> {
        let mut errors = Vec::new();
        let mut q = CertificateQuery {
            prefecture: role.prefecture(),
            now,
            ..CertificateQuery::default()
        };
        let t = |s: &str| s.trim().to_owned();
        let number = t(&self.office_number);
        if !number.is_empty() {
            match OfficeNumber::parse(&number) {
                Ok(n) => q.office_number = Some(n),
                Err(_) => errors.push("事業所番号は10桁の数字で入力してください。".to_owned()),
            }
        }
        let user = t(&self.user_id);
        if !user.is_empty() {
            match UserId::parse(&user.to_ascii_uppercase()) {
                Ok(u) => q.user_id = Some(u),
                Err(e) => errors.push(e.message),
            }
        }
        let serial = t(&self.serial);
        if !serial.is_empty() {
            match Serial::parse(&serial) {
                Ok(s) => q.serial_prefix = Some(s),
                Err(e) => errors.push(e.message),
            }
        }
        match self.kind.trim() {
            "" => {}
            k => match CertKind::from_code(k) {
                Some(k) => q.kind = Some(k),
                None => errors.push("証明書の種類の選択が正しくありません。".to_owned()),
            },
        }
        match self.status.trim() {
            "" => {}
            s => match CertState::from_code(s) {
                Some(s) => q.state = Some(s),
                None => errors.push("状態の選択が正しくありません。".to_owned()),
            },
        }
        // The whole last day (JST) is included.
        let range = parse_date_range(
            "有効期限",
            &self.expires_from,
            &self.expires_to,
            &mut errors,
        );
        q.expires_from = range.from;
        q.expires_to = range.to;
        if errors.is_empty() {
            Ok(q)
        } else {
            Err(errors)
        }
    }
}

/// One page of results.
#[derive(Clone, Debug)]
pub struct CertSearchPage {
    pub rows: Vec<CertificateListing>,
    pub total: i64,
    /// 1-based.
    pub page: i64,
    pub pages: i64,
}

#[derive(Clone)]
pub struct CertificateAdminService {
    deps: Arc<Deps>,
}

impl CertificateAdminService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    pub fn now(&self) -> i64 {
        self.deps.clock.unix()
    }

    /// Searches within the admin's scope. `Ok(Err(messages))` for an invalid form.
    pub async fn search(
        &self,
        actor: &AdminActor,
        input: &CertSearchInput,
        page: i64,
    ) -> CoreResult<Result<CertSearchPage, Vec<String>>> {
        let query = match input.parse(actor.role, self.now()) {
            Ok(q) => q,
            Err(errors) => return Ok(Err(errors)),
        };
        let store = &self.deps.store;
        let total = store.count_certificates(&query).await?;
        let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        let page = page.clamp(1, pages);
        let rows = store
            .search_certificates(&query, PAGE_SIZE, (page - 1) * PAGE_SIZE)
            .await?;
        Ok(Ok(CertSearchPage {
            rows,
            total,
            page,
            pages,
        }))
    }

    /// One certificate; `NotFound` if it does not exist or is outside the admin's scope.
    pub async fn detail(
        &self,
        actor: &AdminActor,
        id: CertificateId,
    ) -> CoreResult<CertificateListing> {
        let found = self
            .deps
            .store
            .certificate_listing(id)
            .await?
            .ok_or(CoreError::NotFound)?;
        actor.role.ensure_covers(found.prefecture)?;
        Ok(found)
    }

    /// Revokes a certificate of the admin's scope with an RFC 5280 reason (its name).
    pub async fn revoke(
        &self,
        actor: &AdminActor,
        id: CertificateId,
        reason: &str,
        invalidity_date: &str,
    ) -> CoreResult<CertificateListing> {
        let found = self.detail(actor, id).await?;
        self.revoke_found(
            found,
            reason,
            invalidity_date,
            &actor.audit_name(),
            &actor.source,
        )
        .await
    }

    /// The CLI's `cert list`: every certificate, or one office's, newest first.
    pub async fn list_all(&self, office: Option<&str>) -> CoreResult<Vec<CertificateListing>> {
        let mut query = CertificateQuery {
            now: self.now(),
            ..CertificateQuery::default()
        };
        if let Some(number) = office {
            query.office_number = Some(OfficeNumber::parse(number).map_err(|_| {
                ValidationError::new("office", "--office must be a 10-digit 事業所番号")
            })?);
        }
        let store = &self.deps.store;
        let total = store.count_certificates(&query).await?;
        Ok(store.search_certificates(&query, total.max(1), 0).await?)
    }

    /// The CLI's `cert revoke SERIAL --reason REASON` (actor `cli`, all prefectures).
    pub async fn revoke_by_serial(
        &self,
        serial: &str,
        reason: &str,
        invalidity_date: &str,
    ) -> CoreResult<CertificateListing> {
        let serial = Serial::parse(serial)
            .map_err(|_| ValidationError::new("serial", "the serial must be hexadecimal"))?;
        let found = self
            .deps
            .store
            .certificate_by_serial(&serial)
            .await?
            .ok_or(CoreError::NotFound)?;
        let cli = Actor::Cli;
        self.revoke_found(
            found,
            reason,
            invalidity_date,
            &cli.audit_name(),
            cli.source(),
        )
        .await
    }

    async fn revoke_found(
        &self,
        mut found: CertificateListing,
        reason: &str,
        invalidity_date: &str,
        actor: &str,
        source: &str,
    ) -> CoreResult<CertificateListing> {
        let reason = RevocationReason::from_name(reason.trim())
            .ok_or_else(|| ValidationError::new("reason", "失効理由を選択してください。"))?;
        if !reason.allowed() {
            return Err(CoreError::Refused(
                "certificateHold（一時停止）は使用できません。失効は取り消せません。".to_owned(),
            ));
        }
        if found.cert.status == CertStatus::Revoked {
            return Err(already_revoked());
        }
        let d = &self.deps;
        let now = d.clock.unix();
        let invalidity_at = invalidity(invalidity_date, now)?;
        if !d
            .store
            .revoke_certificate(found.cert.id, now, reason, invalidity_at)
            .await?
        {
            return Err(already_revoked());
        }
        // Tell the office: which certificate, when, why, and what to do.
        let email = match d.store.office_by_id(found.cert.office_id).await {
            Ok(Some(o)) => o.email.map(|e| e.to_string()),
            _ => None,
        };
        crate::certificate::revoked_notice::tell_office(d, &found, email.as_deref(), now, reason)
            .await;
        d.audit(
            actor,
            AuditAction::AdminCertificateRevoke,
            &format!("certificate:{}", found.cert.serial),
            source,
            &format!("office:{} reason:{}", found.cert.office_id, reason.name()),
        )
        .await;
        found.cert.status = CertStatus::Revoked;
        found.cert.revoked_at = Some(now);
        found.cert.revocation_reason = Some(reason);
        Ok(found)
    }
}

/// The optional invalidity date (RFC 5280 §5.3.2: when the key is known or suspected to have
/// been compromised), a JST date not after today; empty means unknown.
fn invalidity(raw: &str, now: i64) -> CoreResult<Option<i64>> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    match crate::clock::parse_jst_date(raw) {
        Some(at) if at <= now => Ok(Some(at)),
        Some(_) => Err(ValidationError::new(
            "invalidity_date",
            "危殆化が判明した日に未来の日付は指定できません。",
        )
        .into()),
        None => Err(ValidationError::new(
            "invalidity_date",
            "危殆化が判明した日は 2026-11-27 の形で入力してください。",
        )
        .into()),
    }
}

fn already_revoked() -> CoreError {
    CoreError::Refused("この証明書は既に失効しています。".to_owned())
}
