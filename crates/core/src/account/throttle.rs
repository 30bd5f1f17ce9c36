//! The lockout shared by every secret check (login, the current password on the change form,
//! the 証明書発行用パスワード, the admin's password and, on a key of its own, the admin's
//! second factor): `lockout_threshold` wrong entries lock the key for `lockout_seconds`.
//!
//! An attempt is reserved *before* the secret is verified, in one statement that also lifts a
//! lock that has run out. Checking the lock, verifying and only then counting would let a
//! burst of parallel requests all pass the check and make far more guesses than the
//! threshold; reserving first bounds the verifications to it.

use std::future::Future;

use crate::deps::Deps;
use crate::error::CoreResult;

/// The outcome of a checked attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    Ok,
    Wrong,
    /// Locked until this Unix time (either already, or by this attempt).
    Locked(i64),
}

impl Deps {
    /// Reserves an attempt on `key`, awaits `verify` unless the key is locked or the
    /// reservation is past the threshold, and settles: cleared on success, locked when this
    /// failure reaches the threshold.
    pub(crate) async fn attempt(
        &self,
        key: &str,
        verify: impl Future<Output = bool>,
    ) -> CoreResult<Attempt> {
        let now = self.clock.unix();
        let reserved = self.store.throttle_reserve(key, now).await?;
        if let Some(until) = reserved.locked_until {
            return Ok(Attempt::Locked(until));
        }
        let threshold = self.settings.lockout_threshold;
        if reserved.failures > threshold {
            // Parallel attempts beyond the threshold are refused without a verification.
            let until = now + self.settings.lockout_seconds;
            self.store.throttle_lock(key, until).await?;
            crate::observe::lockout(key);
            return Ok(Attempt::Locked(until));
        }
        if verify.await {
            self.store.throttle_clear(key).await?;
            return Ok(Attempt::Ok);
        }
        if reserved.failures >= threshold {
            let until = now + self.settings.lockout_seconds;
            self.store.throttle_lock(key, until).await?;
            crate::observe::lockout(key);
            return Ok(Attempt::Locked(until));
        }
        Ok(Attempt::Wrong)
    }

    /// Whether `key` is locked now (without counting an attempt).
    pub(crate) async fn locked_until(&self, key: &str) -> CoreResult<Option<i64>> {
        let now = self.clock.unix();
        Ok(self
            .store
            .throttle_state(key)
            .await?
            .locked_until
            .filter(|u| *u > now))
    }
}
