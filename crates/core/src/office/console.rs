//! The console's office pages: list, detail, edit, suspend/resume, close (廃止, with
//! revocation), reissue the login password, unlock.

use secrecy::ExposeSecret;

use crate::account::login::login_key;
use crate::account::password::generate_login_password;
use crate::admin::AdminActor;
use crate::audit::AuditAction;
use crate::error::{CoreError, CoreResult};
use crate::ids::OfficeId;
use crate::office::admin::{LetterEntry, LetterKind, OfficeQuery};
use crate::office::form::{OfficeForm, validate_details};
use crate::office::letters::issuer;
use crate::office::service::{AdminOfficeService, PAGE_SIZE};
use crate::office::{Office, OfficeStatus};

impl AdminOfficeService {
    /// One office in the admin's scope, or `NotFound`.
    pub async fn office(&self, actor: &AdminActor, id: OfficeId) -> CoreResult<Office> {
        self.deps.office_in_scope(actor, id).await
    }

    /// A page (from 1) of the offices in scope, and the total count.
    pub async fn list(
        &self,
        actor: &AdminActor,
        keyword: Option<String>,
        status: Option<OfficeStatus>,
        page: i64,
    ) -> CoreResult<(Vec<Office>, i64)> {
        let query = OfficeQuery {
            prefecture: actor.role.prefecture(),
            keyword,
            status,
        };
        let s = &self.deps.store;
        let total = s.count_offices(&query).await?;
        let offset = (page.max(1) - 1).saturating_mul(PAGE_SIZE);
        Ok((s.search_offices(&query, PAGE_SIZE, offset).await?, total))
    }

    /// Whether the office's login is locked now (three wrong passwords).
    pub async fn locked_until(&self, actor: &AdminActor, id: OfficeId) -> CoreResult<Option<i64>> {
        let office = self.office(actor, id).await?;
        let state = self
            .deps
            .store
            .throttle_state(&login_key(office.user_id.as_str()))
            .await?;
        let now = self.deps.clock.unix();
        Ok(state.locked_until.filter(|u| *u > now))
    }

    /// Changes name, kind, postal code, address and e-mail (never the 事業所番号).
    pub async fn edit(
        &self,
        actor: &AdminActor,
        id: OfficeId,
        form: &OfficeForm,
    ) -> CoreResult<Result<(), Vec<String>>> {
        let office = self.office(actor, id).await?;
        let mut errors = Vec::new();
        let Some(edit) = validate_details(form, &mut errors) else {
            return Ok(Err(errors));
        };
        self.deps.store.update_office(office.id, &edit).await?;
        self.deps
            .audit(
                &actor.audit_name(),
                AuditAction::AdminOfficeEdit,
                &format!("office:{}", office.id),
                &actor.source,
                office.number.as_str(),
            )
            .await;
        Ok(Ok(()))
    }

    /// 利用停止 (`suspend = true`) or 利用再開. A closed office stays closed.
    pub async fn set_suspended(
        &self,
        actor: &AdminActor,
        id: OfficeId,
        suspend: bool,
    ) -> CoreResult<()> {
        let office = self.office(actor, id).await?;
        if office.status == OfficeStatus::Closed {
            return Err(CoreError::Refused(
                "廃止した事業所の利用状態は変更できません。".into(),
            ));
        }
        let (status, action) = if suspend {
            (OfficeStatus::Suspended, AuditAction::AdminOfficeSuspend)
        } else {
            (OfficeStatus::Active, AuditAction::AdminOfficeResume)
        };
        self.deps.store.set_office_status(office.id, status).await?;
        self.deps
            .audit(
                &actor.audit_name(),
                action,
                &format!("office:{}", office.id),
                &actor.source,
                office.number.as_str(),
            )
            .await;
        Ok(())
    }

    /// 廃止: closes the office and revokes its valid certificates (cessationOfOperation).
    /// Returns how many certificates were revoked.
    pub async fn close(&self, actor: &AdminActor, id: OfficeId) -> CoreResult<u64> {
        let office = self.office(actor, id).await?;
        if office.status == OfficeStatus::Closed {
            return Err(CoreError::Refused(
                "この事業所は既に廃止されています。".into(),
            ));
        }
        let d = &self.deps;
        let now = d.clock.unix();
        // The certificates the closure revokes, to tell the office which ones (by mail: a
        // closed office no longer logs in, but the notice stays in its record too).
        let mut valid = Vec::new();
        for kind in [
            crate::certificate::CertKind::KaigoDx,
            crate::certificate::CertKind::KaigoHoken,
        ] {
            valid.extend(
                d.store
                    .certificates_for_office(office.id, kind)
                    .await?
                    .into_iter()
                    .filter(|c| {
                        c.status == crate::certificate::CertStatus::Valid && c.not_after >= now
                    }),
            );
        }
        let revoked = d.store.close_office(office.id, now).await?;
        for cert in valid {
            let listing = crate::certificate::query::CertificateListing {
                cert,
                office_number: office.number.clone(),
                office_name: office.name.clone(),
                user_id: office.user_id.clone(),
                prefecture: office.prefecture,
            };
            crate::certificate::revoked_notice::tell_office(
                d,
                &listing,
                office.email.as_deref(),
                now,
                crate::certificate::revocation::RevocationReason::CessationOfOperation,
            )
            .await;
        }
        d.audit(
            &actor.audit_name(),
            AuditAction::AdminOfficeClose,
            &format!("office:{}", office.id),
            &actor.source,
            &format!(
                "{} revoked={revoked} reason=cessationOfOperation",
                office.number
            ),
        )
        .await;
        Ok(revoked)
    }

    /// Issues a new temporary login password (must be changed at the next login), ends the
    /// office's sessions and clears its lock; returns the batch holding the letter
    /// 「電子請求ログイン情報発行通知書」.
    pub async fn reissue_login(&self, actor: &AdminActor, id: OfficeId) -> CoreResult<i64> {
        let office = self.office(actor, id).await?;
        if office.status == OfficeStatus::Closed {
            return Err(CoreError::Refused(
                "廃止した事業所のパスワードは再発行できません。".into(),
            ));
        }
        let d = &self.deps;
        let password = generate_login_password();
        let hash = d.hasher.hash_generated(&password)?;
        d.store.reset_login_password(office.id, &hash).await?;
        d.store
            .throttle_clear(&login_key(office.user_id.as_str()))
            .await?;
        let entry = LetterEntry {
            office_id: office.id.0,
            number: office.number.to_string(),
            name: office.name.clone(),
            postal_code: office.postal_code.clone(),
            address: office.address.clone(),
            issuer: issuer(office.prefecture),
            user_id: office.user_id.to_string(),
            login_password: password.expose_secret().to_owned(),
            issuance_password: None,
        };
        let batch = self
            .seal_batch(
                LetterKind::LoginReissue,
                office.prefecture,
                &actor.audit_name(),
                &[entry],
            )
            .await?;
        d.audit(
            &actor.audit_name(),
            AuditAction::AdminOfficeLoginReissue,
            &format!("office:{}", office.id),
            &actor.source,
            office.number.as_str(),
        )
        .await;
        Ok(batch)
    }

    /// Clears the login lock of the office (three wrong passwords).
    pub async fn unlock(&self, actor: &AdminActor, id: OfficeId) -> CoreResult<()> {
        let office = self.office(actor, id).await?;
        self.deps
            .store
            .throttle_clear(&login_key(office.user_id.as_str()))
            .await?;
        self.deps
            .audit(
                &actor.audit_name(),
                AuditAction::AdminOfficeUnlock,
                &format!("office:{}", office.id),
                &actor.source,
                office.number.as_str(),
            )
            .await;
        Ok(())
    }
}
