//! Issuance fees: the balance that blocks applications, payments (CLI today, 国保連合会 admin
//! next) and the per-certificate outstanding amounts of the history table. The estimate is in
//! `estimate.rs`.

use std::sync::Arc;

use crate::actor::Actor;
use crate::audit::AuditAction;
use crate::certificate::CertKind;
use crate::deps::Deps;
use crate::error::{CoreError, CoreResult, ValidationError};
use crate::fee::{FeeEntryKind, NewFeeEntry, PaymentMethod, check_entry_amount, sum_yen};
use crate::ids::{CertificateId, OfficeNumber};
use crate::office::Office;

/// The message shown instead of the application choice while a fee is outstanding.
pub const BALANCE_BLOCKS_APPLICATION: &str = "現在、証明書発行手数料の残高があるため、発行申請ができません。発行申請を行うためには、証明書発行手数料の残高の支払を行う必要があります。手続きの方法等に関しては、国保連合会へお問合せください。";

#[derive(Clone)]
pub struct FeeService {
    pub(super) deps: Arc<Deps>,
}

impl FeeService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// The configured fee for one 介護保険証明書.
    pub fn hoken_fee(&self) -> i64 {
        self.deps.settings.hoken_fee_yen
    }

    /// The fee charged when a certificate of this kind is issued (DX is free).
    pub fn fee_for(&self, kind: CertKind) -> i64 {
        kind.fee_yen(self.hoken_fee())
    }

    pub async fn balance(&self, office: &Office) -> CoreResult<i64> {
        Ok(self.deps.store.fee_balance(office.id).await?)
    }

    /// Whether an outstanding fee blocks applications for this kind (only 介護保険証明書).
    pub async fn blocks_application(&self, office: &Office, kind: CertKind) -> CoreResult<bool> {
        Ok(kind == CertKind::KaigoHoken && self.balance(office).await? > 0)
    }

    /// Outstanding amount per charged certificate (payments settle the oldest charges first).
    pub async fn outstanding_by_certificate(
        &self,
        office: &Office,
    ) -> CoreResult<Vec<(CertificateId, i64)>> {
        let entries = self.deps.store.fee_entries(office.id).await?;
        let balance = sum_yen(entries.iter().map(|e| e.amount));
        let charges: Vec<_> = entries
            .iter()
            .filter(|e| e.kind == FeeEntryKind::Charge)
            .filter_map(|e| e.certificate_id.map(|c| (c, e.amount, e.at)))
            .collect();
        Ok(crate::fee::outstanding_per_certificate(balance, &charges))
    }

    /// Records a payment for an office (CLI `fee pay`). Returns the new balance.
    pub async fn record_payment(
        &self,
        office_number: &str,
        amount: i64,
        method: PaymentMethod,
        actor: &Actor,
    ) -> CoreResult<i64> {
        let d = &self.deps;
        let number = OfficeNumber::parse(office_number)?;
        if amount <= 0 {
            return Err(ValidationError::new("amount", "金額は1円以上で指定してください。").into());
        }
        let amount = check_entry_amount(amount, "amount")?;
        let office = d
            .store
            .office_by_number(&number)
            .await?
            .ok_or(CoreError::NotFound)?;
        // Checked before anything is stored: a command that fails leaves the ledger as it was.
        let before = d.store.fee_balance(office.id).await?;
        let after = before
            .checked_sub(amount)
            .ok_or_else(|| ValidationError::new("amount", "この金額では残高を計算できません。"))?;
        let now = d.clock.unix();
        d.store
            .add_fee_entry(&NewFeeEntry {
                office_id: office.id,
                kind: FeeEntryKind::Payment,
                amount: -amount,
                method: Some(method),
                note: String::new(),
                certificate_id: None,
                at: now,
            })
            .await?;
        d.audit(
            &actor.audit_name(),
            AuditAction::FeePayment,
            &format!("office:{}", office.id),
            actor.source(),
            &format!("amount={amount} method={}", method.code()),
        )
        .await;
        // The balance this entry made (reading it again could only add a failure after the
        // entry is stored).
        Ok(after)
    }
}
