//! Logging in, the lockout, and changing the login password.

use std::sync::Arc;

use secrecy::SecretString;

use crate::account::password::{PasswordProblem, check_new_password};
use crate::account::throttle::Attempt;
use crate::audit::AuditAction;
use crate::deps::Deps;
use crate::error::{CoreError, CoreResult};
use crate::ids::{OfficeId, UserId};
use crate::office::Office;

/// Why a login did not succeed. Neither variant tells whether the user ID exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRefusal {
    Invalid,
    /// Locked until this Unix time.
    Locked(i64),
    /// The password was right but the office is suspended (利用停止) or closed (廃止).
    Inactive(crate::office::OfficeStatus),
}

#[derive(Debug)]
pub enum ChangePasswordError {
    WrongCurrent,
    Rules(Vec<PasswordProblem>),
    Locked(i64),
    Core(CoreError),
}

impl From<CoreError> for ChangePasswordError {
    fn from(e: CoreError) -> Self {
        Self::Core(e)
    }
}

#[derive(Clone)]
pub struct AuthService {
    deps: Arc<Deps>,
}

/// The throttle key of a login. It uses the ID as typed, so unknown IDs lock just like known ones.
pub(crate) fn login_key(user_id: &str) -> String {
    let id: String = user_id.trim().chars().take(32).collect();
    format!("login:{id}")
}

impl AuthService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// Checks the user ID and password; three wrong entries lock the ID for 30 minutes.
    pub async fn login(
        &self,
        user_id: &str,
        password: &str,
        source: &str,
    ) -> CoreResult<Result<Office, LoginRefusal>> {
        let d = &self.deps;
        let key = login_key(user_id);
        let office = match UserId::parse(user_id) {
            Ok(id) => d.store.office_by_user_id(&id).await?,
            Err(_) => None,
        };
        let attempt = d
            // Unknown IDs take as long as a real check (a dummy verification), so timing
            // does not tell whether the ID exists.
            .attempt(
                &key,
                d.hasher
                    .verify_async(password, office.as_ref().map(|o| o.login_hash.as_str())),
            )
            .await?;
        match (attempt, office) {
            (Attempt::Ok, Some(o)) if o.status != crate::office::OfficeStatus::Active => {
                d.audit(
                    o.user_id.as_str(),
                    AuditAction::LoginRefusedInactive,
                    &format!("office:{}", o.id),
                    source,
                    o.status.code(),
                )
                .await;
                crate::observe::login("inactive");
                Ok(Err(LoginRefusal::Inactive(o.status)))
            }
            (Attempt::Ok, Some(o)) => {
                d.audit(
                    o.user_id.as_str(),
                    AuditAction::LoginSuccess,
                    &format!("office:{}", o.id),
                    source,
                    "",
                )
                .await;
                crate::observe::login("success");
                Ok(Ok(o))
            }
            (Attempt::Locked(until), _) => {
                d.audit(user_id.trim(), AuditAction::LoginLocked, "", source, "")
                    .await;
                crate::observe::login("locked");
                Ok(Err(LoginRefusal::Locked(until)))
            }
            _ => {
                d.audit(user_id.trim(), AuditAction::LoginFailure, "", source, "")
                    .await;
                crate::observe::login("failure");
                Ok(Err(LoginRefusal::Invalid))
            }
        }
    }

    /// Changes the login password after checking the current one and the rules.
    pub async fn change_password(
        &self,
        office_id: OfficeId,
        current: &str,
        new: &str,
        confirm: &str,
        source: &str,
    ) -> Result<(), ChangePasswordError> {
        let d = &self.deps;
        let office = d
            .store
            .office_by_id(office_id)
            .await
            .map_err(CoreError::from)?
            .ok_or(CoreError::NotFound)?;
        let key = login_key(office.user_id.as_str());
        match d
            .attempt(
                &key,
                d.hasher.verify_async(current, Some(&office.login_hash)),
            )
            .await?
        {
            Attempt::Ok => {}
            Attempt::Wrong => return Err(ChangePasswordError::WrongCurrent),
            Attempt::Locked(until) => return Err(ChangePasswordError::Locked(until)),
        }
        let problems = check_new_password(current, new, confirm);
        if !problems.is_empty() {
            return Err(ChangePasswordError::Rules(problems));
        }
        let hash = d
            .hasher
            .hash_async(&SecretString::from(new.to_owned()))
            .await?;
        d.store
            .set_login_hash(office_id, &hash, false)
            .await
            .map_err(CoreError::from)?;
        // Every session of the office ends; the caller opens a fresh one for the user at hand.
        d.store
            .delete_office_sessions(office_id)
            .await
            .map_err(CoreError::from)?;
        d.audit(
            office.user_id.as_str(),
            AuditAction::PasswordChange,
            &format!("office:{office_id}"),
            source,
            "",
        )
        .await;
        Ok(())
    }

    pub async fn office(&self, id: OfficeId) -> CoreResult<Option<Office>> {
        Ok(self.deps.store.office_by_id(id).await?)
    }
}
