//! Admin accounts and their two-step login (password, then a TOTP code).

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::Deps;
use super::throttle::Attempt;
use crate::admin::{Admin, AdminId, AdminLogin, AdminRole, NewAdmin};
use crate::error::{CoreError, CoreResult, RepoError};
use crate::totp;

/// Issuer shown by authenticator apps.
pub const TOTP_ISSUER: &str = "e-seikyuu CA admin";
/// Characters of a generated admin password.
pub const ADMIN_PASSWORD_CHARS: usize = 16;

/// What `add` hands out once: the only time the password and the secret are visible.
pub struct AdminCredentials {
    pub admin: Admin,
    pub password: SecretString,
    /// Base32 (RFC 4648, no padding).
    pub totp_secret: SecretString,
    pub otpauth_uri: SecretString,
}

/// The secret as shown on the enrolment page.
pub struct Enrolment {
    pub secret_base32: SecretString,
    pub otpauth_uri: SecretString,
}

/// The outcome of either login step.
#[derive(Debug, Clone)]
pub enum AdminStep {
    Ok(Box<Admin>),
    Wrong,
    Locked(i64),
}

#[derive(Clone)]
pub struct AdminService {
    deps: Arc<Deps>,
}

/// The throttle key of an admin's login (both steps share it).
pub fn throttle_key(login: &str) -> String {
    format!("admin:{login}")
}

fn random_password() -> String {
    use rand::Rng;
    const SET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    loop {
        let p: String = (0..ADMIN_PASSWORD_CHARS)
            .map(|_| char::from(SET[rng.gen_range(0..SET.len())]))
            .collect();
        // Letters and digits both present.
        if p.bytes().any(|b| b.is_ascii_digit()) && p.bytes().any(|b| b.is_ascii_alphabetic()) {
            return p;
        }
    }
}

impl AdminService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// Creates an account with a generated password and TOTP secret.
    ///
    /// # Errors
    /// `Refused` when the login is taken.
    /// `actor` and `source` are who creates it and from where, for the audit trail.
    pub async fn add(
        &self,
        login: AdminLogin,
        role: AdminRole,
        actor: &str,
        source: &str,
    ) -> CoreResult<AdminCredentials> {
        let password = SecretString::from(random_password());
        let secret = Zeroizing::new(totp::generate_secret());
        let new = NewAdmin {
            login: login.clone(),
            role,
            password_hash: self.deps.hasher.hash(&password)?,
            totp_sealed: self.deps.sealer.seal(&secret)?,
            created_at: self.deps.clock.unix(),
        };
        let admin = match self.deps.store.insert_admin(&new).await {
            Ok(a) => a,
            Err(RepoError::Conflict(_)) => {
                return Err(CoreError::Refused(format!(
                    "admin login {login} already exists"
                )));
            }
            Err(e) => return Err(e.into()),
        };
        self.deps
            .audit(
                actor,
                "admin.add",
                &format!("admin:{login}"),
                source,
                role.code(),
            )
            .await;
        Ok(AdminCredentials {
            admin,
            password,
            totp_secret: SecretString::from(totp::base32_encode(&secret)),
            otpauth_uri: SecretString::from(totp::otpauth_uri(
                TOTP_ISSUER,
                login.as_str(),
                &secret,
            )),
        })
    }

    pub async fn admin(&self, id: AdminId) -> CoreResult<Option<Admin>> {
        Ok(self.deps.store.admin_by_id(id).await?)
    }

    /// Step 1: the password. An unknown or disabled login answers like a wrong password.
    pub async fn check_password(
        &self,
        login: &str,
        password: &str,
        source: &str,
    ) -> CoreResult<AdminStep> {
        let Ok(parsed) = AdminLogin::parse(login) else {
            self.deps.hasher.verify_dummy(password);
            return Ok(AdminStep::Wrong);
        };
        let admin = self.deps.store.admin_by_login(&parsed).await?;
        let hasher = &self.deps.hasher;
        let key = throttle_key(parsed.as_str());
        let outcome = self
            .deps
            .attempt(&key, || match &admin {
                Some(a) if !a.disabled => hasher.verify(password, &a.password_hash),
                _ => {
                    hasher.verify_dummy(password);
                    false
                }
            })
            .await?;
        let actor = format!("admin:{parsed}");
        match (outcome, admin) {
            (Attempt::Ok, Some(a)) => {
                self.deps
                    .audit(&actor, "admin.login.password", &actor, source, "ok")
                    .await;
                Ok(AdminStep::Ok(Box::new(a)))
            }
            (Attempt::Locked(until), _) => {
                self.deps
                    .audit(&actor, "admin.login.locked", &actor, source, "")
                    .await;
                Ok(AdminStep::Locked(until))
            }
            _ => {
                self.deps
                    .audit(&actor, "admin.login.failed", &actor, source, "password")
                    .await;
                Ok(AdminStep::Wrong)
            }
        }
    }

    /// The secret for the enrolment page (only while enrolment is not confirmed).
    pub async fn enrolment(&self, id: AdminId) -> CoreResult<Enrolment> {
        let admin = self
            .deps
            .store
            .admin_by_id(id)
            .await?
            .ok_or(CoreError::NotFound)?;
        if admin.totp_confirmed {
            return Err(CoreError::Refused("already enrolled".to_owned()));
        }
        let secret = self.deps.sealer.open(&admin.totp_sealed)?;
        Ok(Enrolment {
            secret_base32: SecretString::from(totp::base32_encode(&secret)),
            otpauth_uri: SecretString::from(totp::otpauth_uri(
                TOTP_ISSUER,
                admin.login.as_str(),
                &secret,
            )),
        })
    }

    /// Step 2: the 6-digit code (also confirms enrolment). A code of a step already used, or
    /// older than it, is refused (replay).
    pub async fn check_code(&self, id: AdminId, code: &str, source: &str) -> CoreResult<AdminStep> {
        let admin = self
            .deps
            .store
            .admin_by_id(id)
            .await?
            .ok_or(CoreError::NotFound)?;
        if admin.disabled {
            return Ok(AdminStep::Wrong);
        }
        let secret = self.deps.sealer.open(&admin.totp_sealed)?;
        let now = self.deps.clock.unix();
        let mut step = None;
        let key = throttle_key(admin.login.as_str());
        let outcome = self
            .deps
            .attempt(&key, || {
                step = totp::matching_step(&secret, code, now)
                    .filter(|s| admin.totp_last_step.is_none_or(|last| *s > last));
                step.is_some()
            })
            .await?;
        let actor = format!("admin:{}", admin.login);
        match (outcome, step) {
            (Attempt::Ok, Some(s)) if self.deps.store.accept_totp_step(id, s).await? => {
                self.deps
                    .audit(&actor, "admin.login", &actor, source, "ok")
                    .await;
                let fresh = self
                    .deps
                    .store
                    .admin_by_id(id)
                    .await?
                    .ok_or(CoreError::NotFound)?;
                Ok(AdminStep::Ok(Box::new(fresh)))
            }
            (Attempt::Locked(until), _) => {
                self.deps
                    .audit(&actor, "admin.login.locked", &actor, source, "")
                    .await;
                Ok(AdminStep::Locked(until))
            }
            _ => {
                self.deps
                    .audit(&actor, "admin.login.failed", &actor, source, "code")
                    .await;
                Ok(AdminStep::Wrong)
            }
        }
    }

    /// Whether `password` is the plaintext shown by `add` (for tests and scripts).
    pub fn password_matches(&self, admin: &Admin, password: &SecretString) -> bool {
        self.deps
            .hasher
            .verify(password.expose_secret(), &admin.password_hash)
    }
}
