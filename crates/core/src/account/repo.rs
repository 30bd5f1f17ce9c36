//! Persistence of what guards an office account: lockout counters, sessions, the セキュリティメールアドレス with
//! its one-time codes, and the 証明書発行用パスワード.

use crate::account::security_mail::{CodePurpose, OneTimeCode, SecurityAddress};
use crate::error::RepoResult;
use crate::ids::{NoticeId, OfficeId};
use crate::mail::NewMail;
use crate::notice::NewNotice;
use crate::notice::attachment::NewAttachment;
use async_trait::async_trait;

/// Counts failed password entries per key (e.g. `login:KJ…`, `issuance:12`) and holds locks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ThrottleState {
    pub failures: i64,
    pub locked_until: Option<i64>,
}

#[async_trait]
pub trait ThrottleRepo: Send + Sync {
    async fn throttle_state(&self, key: &str) -> RepoResult<ThrottleState>;
    /// Reserves one attempt on `key` at `now` in a single statement and returns the state
    /// after it: a lock still in force is returned unchanged (and the attempt not counted); a
    /// lock that has run out is lifted and the count restarts at 1; otherwise the count grows
    /// by one. One statement, so parallel attempts can neither skip a count nor reset each
    /// other's.
    async fn throttle_reserve(&self, key: &str, now: i64) -> RepoResult<ThrottleState>;
    /// Locks the key until `until`; the count stays, so attempts racing the lock still see it
    /// above the threshold.
    async fn throttle_lock(&self, key: &str, until: i64) -> RepoResult<()>;
    async fn throttle_clear(&self, key: &str) -> RepoResult<()>;
    /// Deletes counters whose last failure is older than `stale_before` and whose lock, if
    /// any, has run out by `now`. Returns how many were deleted.
    async fn throttle_purge(&self, stale_before: i64, now: i64) -> RepoResult<u64>;
}

/// A browser session. The cookie holds a random token; only its SHA-256 is stored.
#[derive(Clone, Debug)]
pub struct SessionRecord {
    pub token_hash: String,
    pub office_id: Option<OfficeId>,
    pub csrf_token: String,
    /// Small JSON document of per-session state (e.g. which notes were read).
    pub data: String,
    pub created_at: i64,
    pub expires_at: i64,
}

#[async_trait]
pub trait SessionRepo: Send + Sync {
    async fn insert_session(&self, session: &SessionRecord) -> RepoResult<()>;
    /// The session if it exists and has not expired at `now`.
    async fn session(&self, token_hash: &str, now: i64) -> RepoResult<Option<SessionRecord>>;
    async fn update_session(&self, token_hash: &str, data: &str, expires_at: i64)
    -> RepoResult<()>;
    async fn delete_session(&self, token_hash: &str) -> RepoResult<()>;
    async fn delete_expired_sessions(&self, now: i64) -> RepoResult<u64>;
}

/// The セキュリティメールアドレス and the one-time codes mailed to it.
#[async_trait]
pub trait SecurityMailRepo: Send + Sync {
    /// The office's confirmed security address, if any.
    async fn security_address(&self, office_id: OfficeId) -> RepoResult<Option<SecurityAddress>>;
    /// In one transaction: stores the code (replacing the office's earlier code of the same
    /// purpose) and queues the mail that carries it.
    async fn put_one_time_code(&self, code: &OneTimeCode, mail: &NewMail) -> RepoResult<()>;
    async fn one_time_code(
        &self,
        office_id: OfficeId,
        purpose: CodePurpose,
    ) -> RepoResult<Option<OneTimeCode>>;
    /// Reserves one entry of the code whose hash is `code_hash`, before it is checked, in one
    /// statement: the count grows only while it is below `max`. Returns the new count, or
    /// `None` when the code is exhausted or gone. Parallel entries therefore get at most `max`
    /// checks between them.
    async fn one_time_code_reserve(
        &self,
        office_id: OfficeId,
        purpose: CodePurpose,
        code_hash: &str,
        max: i64,
    ) -> RepoResult<Option<i64>>;
    /// Deletes the code whose hash is `code_hash`; true only for the one caller that deleted
    /// it, so a code is used once even by concurrent requests.
    async fn take_one_time_code(
        &self,
        office_id: OfficeId,
        purpose: CodePurpose,
        code_hash: &str,
    ) -> RepoResult<bool>;
    /// Sets (or replaces) the confirmed security address.
    async fn set_security_address(&self, address: &SecurityAddress) -> RepoResult<()>;
    /// Ends every session of the office (after its password was reset); returns how many.
    async fn delete_office_sessions(&self, office_id: OfficeId) -> RepoResult<u64>;
}

/// Replacing the 証明書発行用パスワード (manual 4).
#[async_trait]
pub trait IssuancePasswordRepo: Send + Sync {
    /// Stores a new Argon2id hash of the office's issuance password.
    async fn set_issuance_hash(&self, office_id: OfficeId, hash: &str) -> RepoResult<()>;
    /// In one transaction: replaces the issuance password hash and posts the notice that
    /// carries the new password (with its attachments). Either both happen or neither, so an
    /// office never ends up with a password it was not told.
    async fn reissue_issuance_password(
        &self,
        office_id: OfficeId,
        hash: &str,
        notice: &NewNotice,
        attachments: &[NewAttachment],
    ) -> RepoResult<NoticeId>;
}
