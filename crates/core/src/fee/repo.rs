//! Persistence of the fee ledger (発行手数料), for the office and for the console.

use crate::certificate::NewCertificate;
use crate::error::RepoResult;
use crate::ids::{ApplicationId, CertificateId, OfficeId};
use crate::mail::NewMail;
use crate::notice::NewNotice;
use async_trait::async_trait;

/// The issuance fee ledger (発行手数料).
#[async_trait]
pub trait FeeRepo: Send + Sync {
    /// Records a ledger entry; `RepoError::NotFound` if the office does not exist.
    async fn add_fee_entry(&self, entry: &crate::fee::NewFeeEntry) -> RepoResult<i64>;
    /// The office's balance: the sum of its entries (positive = owed).
    async fn fee_balance(&self, office_id: OfficeId) -> RepoResult<i64>;
    /// The office's entries, oldest first.
    async fn fee_entries(&self, office_id: OfficeId) -> RepoResult<Vec<crate::fee::FeeEntry>>;
    /// Like [`ApplicationRepo::complete_application`], and in the same transaction charges
    /// `fee_yen` for the new certificate to the office's ledger.
    async fn complete_application_with_fee(
        &self,
        id: ApplicationId,
        cert: &NewCertificate,
        notice: &NewNotice,
        mail: Option<&NewMail>,
        fee_yen: i64,
    ) -> RepoResult<CertificateId>;
}

/// The fee ledger as the admin console needs it (issue 4 §3).
#[async_trait]
pub trait AdminFeeRepo: Send + Sync {
    /// Records an entry with who entered it and the payment date; `NotFound` if the office
    /// does not exist.
    async fn add_fee_record(&self, record: &crate::fee::admin::NewFeeRecord) -> RepoResult<i64>;
    /// The office's entries with their console fields, oldest first.
    async fn fee_records(
        &self,
        office_id: OfficeId,
    ) -> RepoResult<Vec<crate::fee::admin::FeeEntryRecord>>;
    /// Offices whose balance is not zero, of one prefecture (None: all), by 事業所番号.
    async fn office_balances(
        &self,
        prefecture: Option<crate::ids::PrefectureCode>,
    ) -> RepoResult<Vec<crate::fee::admin::OfficeBalance>>;
}
