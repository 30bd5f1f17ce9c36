//! The central operator's management of admin accounts: list, create, disable, unlock.
//! Federation admins reach none of it (`NotFound`, as for any object outside their scope).

use std::sync::Arc;

use crate::admin::login::{AdminCredentials, AdminService, code_throttle_key, throttle_key};
use crate::admin::{Admin, AdminActor, AdminId, AdminLogin, AdminRole};
use crate::audit::AuditAction;
use crate::deps::Deps;
use crate::error::{CoreError, CoreResult};

/// An account as the console lists it.
#[derive(Clone, Debug)]
pub struct AdminSummary {
    pub admin: Admin,
    /// Locked by failed logins until this time.
    pub locked_until: Option<i64>,
}

#[derive(Clone)]
pub struct AdminAccounts {
    deps: Arc<Deps>,
}

impl AdminAccounts {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    pub async fn list(&self, actor: &AdminActor) -> CoreResult<Vec<AdminSummary>> {
        actor.ensure_central()?;
        let now = self.deps.clock.unix();
        let mut out = Vec::new();
        for admin in self.deps.store.list_admins().await? {
            let mut locked_until = None;
            for key in [
                throttle_key(admin.login.as_str()),
                code_throttle_key(admin.login.as_str()),
            ] {
                let state = self.deps.store.throttle_state(&key).await?;
                locked_until = locked_until.max(state.locked_until.filter(|t| *t > now));
            }
            out.push(AdminSummary {
                locked_until,
                admin,
            });
        }
        Ok(out)
    }

    /// Creates an account; the password and TOTP secret are shown once, to the creator.
    pub async fn create(
        &self,
        actor: &AdminActor,
        login: &str,
        role: &str,
        prefecture: Option<&str>,
    ) -> CoreResult<AdminCredentials> {
        actor.ensure_central()?;
        let login = AdminLogin::parse(login).map_err(|_| {
            crate::error::ValidationError::new(
                "login",
                "ログインIDは英数字と . _ - の3〜32文字で、英数字で始めてください。",
            )
        })?;
        let role = AdminRole::parse(role, prefecture.filter(|p| !p.trim().is_empty()))
            .map_err(|_| {
                crate::error::ValidationError::new(
                    "role",
                    "連合会管理者には都道府県（01〜47）を、中央運用者には都道府県なしを指定してください。",
                )
            })?;
        let created = AdminService::new(self.deps.clone())
            .add(login.clone(), role, &actor.into())
            .await
            .map_err(|e| match e {
                CoreError::Refused(_) => {
                    CoreError::Refused(format!("ログインID {login} は既に使われています。"))
                }
                other => other,
            })?;
        Ok(created)
    }

    /// Disables or enables an account. An operator cannot disable itself.
    pub async fn set_disabled(
        &self,
        actor: &AdminActor,
        id: AdminId,
        disabled: bool,
    ) -> CoreResult<()> {
        actor.ensure_central()?;
        if id == actor.id && disabled {
            return Err(CoreError::Refused(
                "自分自身のアカウントは利用停止できません。".to_owned(),
            ));
        }
        let admin = self
            .deps
            .store
            .admin_by_id(id)
            .await?
            .ok_or(CoreError::NotFound)?;
        self.deps.store.set_admin_disabled(id, disabled).await?;
        let action = if disabled {
            AuditAction::AdminAccountDisable
        } else {
            AuditAction::AdminAccountEnable
        };
        self.deps
            .audit(
                &actor.audit_name(),
                action,
                &format!("admin:{}", admin.login),
                &actor.source,
                "",
            )
            .await;
        Ok(())
    }

    /// Lifts a login lock of an account.
    pub async fn unlock(&self, actor: &AdminActor, id: AdminId) -> CoreResult<()> {
        actor.ensure_central()?;
        let admin = self
            .deps
            .store
            .admin_by_id(id)
            .await?
            .ok_or(CoreError::NotFound)?;
        for key in [
            throttle_key(admin.login.as_str()),
            code_throttle_key(admin.login.as_str()),
        ] {
            self.deps.store.throttle_clear(&key).await?;
        }
        self.deps
            .audit(
                &actor.audit_name(),
                AuditAction::AdminAccountUnlock,
                &format!("admin:{}", admin.login),
                &actor.source,
                "",
            )
            .await;
        Ok(())
    }
}
