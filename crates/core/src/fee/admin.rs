//! What the admin console keeps and shows about the fee ledger (issue 4 §3): who entered each
//! entry, the payment date, and the per-office totals of the balance list.

use crate::fee::{FeeEntry, NewFeeEntry};
use crate::office::Office;

/// A ledger entry with its console fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeeEntryRecord {
    pub entry: FeeEntry,
    /// Who entered it: `admin:LOGIN`, `cli`, or empty for charges of the issuance worker.
    pub entered_by: String,
    /// 入金日 of a payment (Unix seconds, JST midnight).
    pub paid_on: Option<i64>,
}

/// An entry to record from the console.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFeeRecord {
    pub entry: NewFeeEntry,
    pub entered_by: String,
    pub paid_on: Option<i64>,
}

/// One row of the balance list: an office and its totals.
#[derive(Clone, Debug)]
pub struct OfficeBalance {
    pub office: Office,
    /// 請求額: the sum of the positive entries (charges and upward corrections).
    pub charged: i64,
    /// 入金額: the sum of the negative entries, as a positive number.
    pub paid: i64,
    /// 残高 = charged − paid: the ledger's sum.
    pub balance: i64,
}
