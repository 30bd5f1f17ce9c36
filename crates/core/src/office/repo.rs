//! Persistence of offices, for the portal and for the console.

use crate::error::RepoResult;
use crate::ids::{OfficeId, OfficeNumber, UserId};
use crate::office::{NewOffice, Office};
use async_trait::async_trait;

#[async_trait]
pub trait OfficeRepo: Send + Sync {
    /// Inserts an office; `RepoError::Conflict` if the 事業所番号 or the user ID is taken.
    async fn insert_office(&self, office: &NewOffice) -> RepoResult<Office>;
    async fn office_by_id(&self, id: OfficeId) -> RepoResult<Option<Office>>;
    async fn office_by_user_id(&self, user_id: &UserId) -> RepoResult<Option<Office>>;
    async fn office_by_number(&self, number: &OfficeNumber) -> RepoResult<Option<Office>>;
    async fn set_login_hash(&self, id: OfficeId, hash: &str, must_change: bool) -> RepoResult<()>;
}

/// The console's office administration: search, bulk registration, edits, lifecycle, and the
/// sealed batches of letters.
#[async_trait]
pub trait OfficeAdminRepo: Send + Sync {
    async fn search_offices(
        &self,
        query: &crate::office::admin::OfficeQuery,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<Office>>;
    async fn count_offices(&self, query: &crate::office::admin::OfficeQuery) -> RepoResult<i64>;
    /// Which of `numbers` are already registered.
    async fn registered_office_numbers(
        &self,
        numbers: &[OfficeNumber],
    ) -> RepoResult<Vec<OfficeNumber>>;
    /// Inserts all offices in one transaction, or none (`RepoError::Conflict` on a duplicate
    /// 事業所番号 or user ID).
    async fn insert_offices(&self, offices: &[NewOffice]) -> RepoResult<Vec<Office>>;
    async fn update_office(
        &self,
        id: OfficeId,
        edit: &crate::office::admin::OfficeEdit,
    ) -> RepoResult<()>;
    /// Sets the status; an office that is not active also loses its sessions (one transaction).
    async fn set_office_status(
        &self,
        id: OfficeId,
        status: crate::office::OfficeStatus,
    ) -> RepoResult<()>;
    /// 廃止, in one transaction: status closed, sessions ended, waiting applications failed, and
    /// every valid certificate revoked at `at` with reason `cessationOfOperation`. Returns the
    /// number of certificates revoked.
    async fn close_office(&self, id: OfficeId, at: i64) -> RepoResult<u64>;
    /// In one transaction: a new temporary login hash (must change at the next login) and the
    /// end of the office's sessions.
    async fn reset_login_password(&self, id: OfficeId, hash: &str) -> RepoResult<()>;
    async fn insert_letter_batch(
        &self,
        batch: &crate::office::admin::NewLetterBatch,
    ) -> RepoResult<i64>;
    /// A batch that has not expired at `now`.
    async fn letter_batch(
        &self,
        id: i64,
        now: i64,
    ) -> RepoResult<Option<crate::office::admin::LetterBatch>>;
    /// True if the batch existed.
    async fn delete_letter_batch(&self, id: i64) -> RepoResult<bool>;
    /// Deletes the batches expired at `now`; returns how many.
    async fn purge_letter_batches(&self, now: i64) -> RepoResult<u64>;
}
