//! The lockout shared by every password check (login, the current password on the change form,
//! the 証明書発行用パスワード): three wrong entries lock the key for 30 minutes.
//!
//! An attempt is counted *before* the password is verified. Checking the lock, verifying and
//! only then counting would let a burst of parallel requests all pass the check and make far
//! more than three guesses; reserving first bounds the verifications to the threshold.

use super::Deps;
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
    /// Counts an attempt on `key`, runs `verify` unless the key is locked, and settles the
    /// count: cleared on success, locked when this failure reaches the threshold.
    pub(crate) async fn attempt(
        &self,
        key: &str,
        verify: impl FnOnce() -> bool,
    ) -> CoreResult<Attempt> {
        let now = self.clock.unix();
        let state = self.store.throttle_state(key).await?;
        match state.locked_until {
            Some(until) if until > now => return Ok(Attempt::Locked(until)),
            // The lock has run out: a fresh window of attempts.
            Some(_) => self.store.throttle_clear(key).await?,
            None => {}
        }
        let reserved = self.store.throttle_fail(key, now).await?;
        let threshold = self.settings.lockout_threshold;
        if reserved > threshold {
            // Parallel attempts beyond the threshold are refused without a verification.
            let until = now + self.settings.lockout_seconds;
            self.store.throttle_lock(key, until).await?;
            return Ok(Attempt::Locked(until));
        }
        if verify() {
            self.store.throttle_clear(key).await?;
            return Ok(Attempt::Ok);
        }
        if reserved >= threshold {
            let until = now + self.settings.lockout_seconds;
            self.store.throttle_lock(key, until).await?;
            return Ok(Attempt::Locked(until));
        }
        Ok(Attempt::Wrong)
    }
}
