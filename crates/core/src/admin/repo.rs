//! Persistence of the console's admin accounts.

use crate::error::RepoResult;
use async_trait::async_trait;

/// Admin accounts of the console.
#[async_trait]
pub trait AdminRepo: Send + Sync {
    /// Inserts an account; `RepoError::Conflict` if the login is taken.
    async fn insert_admin(&self, admin: &crate::admin::NewAdmin)
    -> RepoResult<crate::admin::Admin>;
    /// Every account, central operators first, then by prefecture and login.
    async fn list_admins(&self) -> RepoResult<Vec<crate::admin::Admin>>;
    async fn admin_by_id(
        &self,
        id: crate::admin::AdminId,
    ) -> RepoResult<Option<crate::admin::Admin>>;
    async fn admin_by_login(
        &self,
        login: &crate::admin::AdminLogin,
    ) -> RepoResult<Option<crate::admin::Admin>>;
    /// Records `step` as the last accepted TOTP step and confirms enrolment, atomically and
    /// only if `step` is later than the one recorded: false when it is not (a replay).
    async fn accept_totp_step(&self, id: crate::admin::AdminId, step: i64) -> RepoResult<bool>;
    async fn set_admin_disabled(&self, id: crate::admin::AdminId, disabled: bool)
    -> RepoResult<()>;
}
