//! Admin accounts and their two-step login (password, then a TOTP code).

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::account::throttle::Attempt;
use crate::actor::Actor;
use crate::admin::totp;
use crate::admin::{Admin, AdminId, AdminLogin, AdminRole, NewAdmin};
use crate::audit::AuditAction;
use crate::deps::Deps;
use crate::error::{CoreError, CoreResult, RepoError};

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

/// The outcome of either login step.
#[derive(Debug, Clone)]
pub enum AdminStep {
    Ok(Box<Admin>),
    Wrong,
    /// The code of a time step already used (or older): refused without counting as a
    /// guess, since whoever sent it once knew it.
    Reused,
    Locked(i64),
}

#[derive(Clone)]
pub struct AdminService {
    deps: Arc<Deps>,
}

/// The throttle key of an admin's password step.
pub fn throttle_key(login: &str) -> String {
    format!("admin:{login}")
}

/// The throttle key of an admin's second step. It has its own count, which a right password
/// does not clear: otherwise "right password, wrong code" repeated forever never locks.
pub fn code_throttle_key(login: &str) -> String {
    format!("admin-code:{login}")
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
        actor: &Actor,
    ) -> CoreResult<AdminCredentials> {
        let password = SecretString::from(random_password());
        let secret = Zeroizing::new(totp::generate_secret());
        let new = NewAdmin {
            login: login.clone(),
            role,
            password_hash: self.deps.hasher.hash_async(&password).await?,
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
                &actor.audit_name(),
                AuditAction::AdminAccountAdd,
                &format!("admin:{login}"),
                actor.source(),
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
            self.deps.hasher.verify_async(password, None).await;
            return Ok(AdminStep::Wrong);
        };
        let admin = self.deps.store.admin_by_login(&parsed).await?;
        let actor = format!("admin:{parsed}");
        // A second step locked by wrong codes locks the account: no new code step until it
        // runs out, whatever the password.
        if let Some(until) = self
            .deps
            .locked_until(&code_throttle_key(parsed.as_str()))
            .await?
        {
            self.deps
                .audit(
                    &actor,
                    AuditAction::AdminLoginLocked,
                    &actor,
                    source,
                    "code",
                )
                .await;
            return Ok(AdminStep::Locked(until));
        }
        let key = throttle_key(parsed.as_str());
        let phc = admin
            .as_ref()
            .filter(|a| !a.disabled)
            .map(|a| a.password_hash.as_str());
        let outcome = self
            .deps
            .attempt(&key, self.deps.hasher.verify_async(password, phc))
            .await?;
        match (outcome, admin) {
            (Attempt::Ok, Some(a)) => {
                self.deps
                    .audit(
                        &actor,
                        AuditAction::AdminLoginPassword,
                        &actor,
                        source,
                        "ok",
                    )
                    .await;
                Ok(AdminStep::Ok(Box::new(a)))
            }
            (Attempt::Locked(until), _) => {
                self.deps
                    .audit(&actor, AuditAction::AdminLoginLocked, &actor, source, "")
                    .await;
                Ok(AdminStep::Locked(until))
            }
            _ => {
                self.deps
                    .audit(
                        &actor,
                        AuditAction::AdminLoginFailed,
                        &actor,
                        source,
                        "password",
                    )
                    .await;
                Ok(AdminStep::Wrong)
            }
        }
    }

    /// Step 2: the 6-digit code (the first one also confirms enrolment). Wrong codes count
    /// on their own key and lock the account at the threshold. A code of a time step already
    /// used, or older, is refused as `Reused` without counting (replay).
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
        let actor = format!("admin:{}", admin.login);
        let key = code_throttle_key(admin.login.as_str());
        if let Some(until) = self.deps.locked_until(&key).await? {
            return Ok(AdminStep::Locked(until));
        }
        let secret = self.deps.sealer.open(&admin.totp_sealed)?;
        let now = self.deps.clock.unix();
        let matched = totp::matching_step(&secret, code, now);
        let fresh = |s: i64| admin.totp_last_step.is_none_or(|last| s > last);
        if matched.is_some_and(|s| !fresh(s)) {
            self.deps
                .audit(
                    &actor,
                    AuditAction::AdminLoginFailed,
                    &actor,
                    source,
                    "code reused",
                )
                .await;
            return Ok(AdminStep::Reused);
        }
        let outcome = self.deps.attempt(&key, async { matched.is_some() }).await?;
        match (outcome, matched) {
            (Attempt::Ok, Some(s)) => {
                // Only one request can move the step forward past `s`.
                if !self.deps.store.accept_totp_step(id, s).await? {
                    return Ok(AdminStep::Reused);
                }
                self.deps
                    .audit(&actor, AuditAction::AdminLogin, &actor, source, "ok")
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
                    .audit(
                        &actor,
                        AuditAction::AdminLoginLocked,
                        &actor,
                        source,
                        "code",
                    )
                    .await;
                Ok(AdminStep::Locked(until))
            }
            _ => {
                self.deps
                    .audit(
                        &actor,
                        AuditAction::AdminLoginFailed,
                        &actor,
                        source,
                        "code",
                    )
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
