//! The certificate issuance fee ledger (発行手数料): charges for issued 介護保険証明書, payments
//! recorded by the 国保連合会, corrections. The balance is the sum of the entries.

pub mod admin;
pub mod console;
pub mod estimate;
pub mod estimate_issue;
pub mod repo;
pub mod service;

use crate::error::ValidationError;
use crate::ids::{CertificateId, OfficeId};

/// The largest amount of one ledger entry (a charge, a payment or a correction), in yen. Every
/// path that records an entry — the console, the CLI, the issuance worker — goes through
/// [`check_entry_amount`], so a balance (a sum of entries) stays far inside `i64`.
pub const MAX_ENTRY_YEN: i64 = 100_000_000;

/// Refuses an entry amount outside ±[`MAX_ENTRY_YEN`] (and zero).
pub fn check_entry_amount(amount: i64, field: &'static str) -> Result<i64, ValidationError> {
    if amount == 0 || amount.unsigned_abs() > MAX_ENTRY_YEN.unsigned_abs() {
        return Err(ValidationError::new(
            field,
            format!(
                "金額は1円以上{}円以下で指定してください。",
                format_yen(MAX_ENTRY_YEN)
            ),
        ));
    }
    Ok(amount)
}

/// Adds yen amounts without overflow: a sum that would leave `i64` stops at its bound
/// instead of wrapping (or panicking in a debug build).
pub fn sum_yen(amounts: impl IntoIterator<Item = i64>) -> i64 {
    amounts.into_iter().fold(0, i64::saturating_add)
}

/// `12,345` — thousands separated, for messages.
pub fn format_yen(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if amount < 0 { format!("-{out}") } else { out }
}

/// The default fee for one 介護保険証明書, yen, tax included.
pub const DEFAULT_HOKEN_FEE_YEN: i64 = 7_800;

/// Consumption tax rate (percent) contained in the fee.
pub const TAX_RATE_PERCENT: i64 = 10;

/// What a ledger entry is. Charges are positive amounts, payments negative.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeeEntryKind {
    Charge,
    Payment,
    Correction,
}

impl FeeEntryKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Charge => "charge",
            Self::Payment => "payment",
            Self::Correction => "correction",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "charge" => Some(Self::Charge),
            "payment" => Some(Self::Payment),
            "correction" => Some(Self::Correction),
            _ => None,
        }
    }
}

/// How a payment was made: bank transfer, or offset against the office's claim payments (相殺).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentMethod {
    Transfer,
    Offset,
}

impl PaymentMethod {
    pub fn code(self) -> &'static str {
        match self {
            Self::Transfer => "transfer",
            Self::Offset => "offset",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "transfer" => Some(Self::Transfer),
            "offset" => Some(Self::Offset),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Transfer => "振込",
            Self::Offset => "相殺",
        }
    }
}

/// One ledger entry. `amount` is signed: what it adds to the balance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeeEntry {
    pub id: i64,
    pub office_id: OfficeId,
    pub kind: FeeEntryKind,
    pub amount: i64,
    pub method: Option<PaymentMethod>,
    pub note: String,
    pub certificate_id: Option<CertificateId>,
    pub at: i64,
}

/// An entry to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFeeEntry {
    pub office_id: OfficeId,
    pub kind: FeeEntryKind,
    pub amount: i64,
    pub method: Option<PaymentMethod>,
    pub note: String,
    pub certificate_id: Option<CertificateId>,
    pub at: i64,
}

/// The balance left on each charged certificate, newest first, when payments settle the
/// oldest charges first. `charges` are (certificate, amount, time) in ledger order; returns
/// (certificate, outstanding).
pub fn outstanding_per_certificate(
    balance: i64,
    charges: &[(CertificateId, i64, i64)],
) -> Vec<(CertificateId, i64)> {
    // Stable sort by time, then reversed: charges of the same second keep ledger order.
    let mut sorted: Vec<_> = charges.to_vec();
    sorted.sort_by_key(|c| c.2);
    sorted.reverse();
    let mut left = balance.max(0);
    sorted
        .into_iter()
        .map(|(id, amount, _)| {
            let here = left.min(amount.max(0));
            left -= here;
            (id, here)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_second_charges_keep_ledger_order() {
        let c = [(CertificateId(1), 7800, 100), (CertificateId(2), 7800, 100)];
        assert_eq!(
            outstanding_per_certificate(7800, &c),
            vec![(CertificateId(2), 7800), (CertificateId(1), 0)]
        );
    }

    #[test]
    fn newest_charges_stay_outstanding() {
        let c = [(CertificateId(1), 7800, 100), (CertificateId(2), 7800, 200)];
        assert_eq!(
            outstanding_per_certificate(7800, &c),
            vec![(CertificateId(2), 7800), (CertificateId(1), 0)]
        );
        assert_eq!(
            outstanding_per_certificate(10000, &c),
            vec![(CertificateId(2), 7800), (CertificateId(1), 2200)]
        );
        assert_eq!(
            outstanding_per_certificate(0, &c),
            vec![(CertificateId(2), 0), (CertificateId(1), 0)]
        );
    }
}
