//! Issue 4 §3: the fee ledger in the admin console. Every method takes the acting admin and
//! checks that the office is in its scope (an office of another prefecture is `NotFound`).

use std::sync::Arc;

use crate::admin::AdminActor;
use crate::audit::AuditAction;
use crate::certificate::CertKind;
use crate::clock::jst_date;
use crate::deps::Deps;
use crate::error::{CoreResult, ValidationError};
use crate::fee::admin::{FeeEntryRecord, NewFeeRecord, OfficeBalance};
use crate::fee::{
    FeeEntryKind, MAX_ENTRY_YEN, NewFeeEntry, PaymentMethod, TAX_RATE_PERCENT, sum_yen,
};
use crate::ids::{OfficeId, PrefectureCode};
use crate::notice::admin::parse_jst_date;
use crate::office::Office;
use crate::office::prefectures::{kokuhoren_name, prefecture_name};

/// The payment form as typed (validated here, so the messages live in the domain).
#[derive(Clone, Debug, Default)]
pub struct PaymentInput {
    /// `transfer` (振込) or `offset` (相殺).
    pub method: String,
    /// 入金日, `YYYY-MM-DD`.
    pub paid_on: String,
    pub amount: String,
    pub note: String,
}

/// The correction form as typed.
#[derive(Clone, Debug, Default)]
pub struct CorrectionInput {
    /// Signed yen: positive raises the balance, negative lowers it.
    pub amount: String,
    pub reason: String,
}

/// One line of the ledger with the balance after it.
#[derive(Clone, Debug)]
pub struct LedgerLine {
    pub record: FeeEntryRecord,
    /// The certificate's serial (hex) for charges.
    pub serial: Option<String>,
    pub running: i64,
}

/// An office's ledger.
#[derive(Clone, Debug)]
pub struct Ledger {
    pub office: Office,
    pub lines: Vec<LedgerLine>,
    pub balance: i64,
}

/// The balance list with its totals.
#[derive(Clone, Debug, Default)]
pub struct BalanceList {
    pub rows: Vec<OfficeBalance>,
    pub charged: i64,
    pub paid: i64,
    pub balance: i64,
}

/// One outstanding charge on a bill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceLine {
    pub item: String,
    pub serial: String,
    pub date: String,
    pub amount: i64,
}

/// Everything a 請求書 shows (rendered by kaigo-docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invoice {
    pub number: String,
    pub date: String,
    pub office_name: String,
    pub office_number: String,
    pub postal_code: String,
    pub address: String,
    pub issuer: String,
    pub lines: Vec<InvoiceLine>,
    pub total: i64,
    pub tax: i64,
    pub tax_rate_percent: i64,
    pub instructions: Vec<String>,
    /// ASCII file name stem: `invoice_1310000001_20261124`.
    pub file_stem: String,
}

const MAX_TEXT: usize = 200;

fn parse_yen(raw: &str, field: &'static str) -> Result<i64, ValidationError> {
    let s: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | '円'))
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '－' | 'ー' | '−' => '-',
            _ => c,
        })
        .collect();
    s.parse::<i64>()
        .ok()
        .filter(|v| v.unsigned_abs() <= MAX_ENTRY_YEN.unsigned_abs())
        .ok_or_else(|| ValidationError::new(field, "金額は半角数字（円単位）で入力してください。"))
}

fn clean_text(raw: &str, field: &'static str, label: &str) -> Result<String, ValidationError> {
    let Some(s) = crate::text::single_line(raw) else {
        return Err(ValidationError::new(
            field,
            format!("{label}に改行や制御文字は使えません。"),
        ));
    };
    if s.chars().count() > MAX_TEXT {
        return Err(ValidationError::new(
            field,
            format!("{label}は{MAX_TEXT}文字以内で入力してください。"),
        ));
    }
    Ok(s)
}

/// The balance list as CSV: UTF-8 with a BOM (so that Excel opens it), CRLF lines.
pub fn balances_csv(list: &BalanceList) -> Vec<u8> {
    fn field(s: &str) -> String {
        // Quote always; neutralise spreadsheet formulas in text cells.
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_owned()
        };
        format!("\"{}\"", s.replace('"', "\"\""))
    }
    let mut out = String::from("\u{feff}事業所番号,事業所名,都道府県,請求額,入金額,残高\r\n");
    for r in &list.rows {
        let pref = r
            .office
            .prefecture
            .map(|p| prefecture_name(p).to_owned())
            .unwrap_or_default();
        out.push_str(&format!(
            "{},{},{},{},{},{}\r\n",
            field(&r.office.number.to_string()),
            field(&r.office.name),
            field(&pref),
            r.charged,
            r.paid,
            r.balance
        ));
    }
    out.into_bytes()
}

/// The consumption tax contained in a tax-included amount (rounded down).
pub fn contained_tax(total: i64) -> i64 {
    (i128::from(total) * i128::from(TAX_RATE_PERCENT) / i128::from(100 + TAX_RATE_PERCENT)) as i64
}

#[derive(Clone)]
pub struct AdminFeeService {
    deps: Arc<Deps>,
}

impl AdminFeeService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// The office, if it exists and the admin covers its prefecture.
    pub async fn office(&self, actor: &AdminActor, id: OfficeId) -> CoreResult<Office> {
        self.deps.office_in_scope(actor, id).await
    }

    pub async fn ledger(&self, actor: &AdminActor, id: OfficeId) -> CoreResult<Ledger> {
        let office = self.office(actor, id).await?;
        let records = self.deps.store.fee_records(office.id).await?;
        let mut running: i64 = 0;
        let mut lines = Vec::with_capacity(records.len());
        for record in records {
            running = running.saturating_add(record.entry.amount);
            let serial = match record.entry.certificate_id {
                Some(c) => self
                    .deps
                    .store
                    .certificate(c)
                    .await?
                    .map(|c| c.serial.to_string()),
                None => None,
            };
            lines.push(LedgerLine {
                record,
                serial,
                running,
            });
        }
        Ok(Ledger {
            office,
            lines,
            balance: running,
        })
    }

    /// Records a payment (振込 or 相殺). Returns the new balance.
    pub async fn record_payment(
        &self,
        actor: &AdminActor,
        id: OfficeId,
        input: &PaymentInput,
    ) -> CoreResult<i64> {
        let office = self.office(actor, id).await?;
        let method = PaymentMethod::from_code(input.method.trim()).ok_or_else(|| {
            ValidationError::new("method", "入金方法（振込または相殺）を選択してください。")
        })?;
        let paid_on = parse_jst_date(&input.paid_on, "paid_on", "入金日")?;
        let amount = parse_yen(&input.amount, "amount")?;
        if amount <= 0 {
            return Err(
                ValidationError::new("amount", "入金額は1円以上で入力してください。").into(),
            );
        }
        let now = self.deps.clock.unix();
        if paid_on > now + 86_400 {
            return Err(
                ValidationError::new("paid_on", "入金日に未来の日付は指定できません。").into(),
            );
        }
        let note = clean_text(&input.note, "note", "備考")?;
        let entry_id = self
            .deps
            .store
            .add_fee_record(&NewFeeRecord {
                entry: NewFeeEntry {
                    office_id: office.id,
                    kind: FeeEntryKind::Payment,
                    amount: -amount,
                    method: Some(method),
                    note,
                    certificate_id: None,
                    at: now,
                },
                entered_by: actor.audit_name(),
                paid_on: Some(paid_on),
            })
            .await?;
        let balance = self.deps.store.fee_balance(office.id).await?;
        self.deps
            .audit(
                &actor.audit_name(),
                AuditAction::AdminFeePayment,
                &format!("office:{}", office.id),
                &actor.source,
                &format!(
                    "entry={entry_id} amount={amount} method={} paid_on={} balance={balance}",
                    method.code(),
                    jst_date(paid_on)
                ),
            )
            .await;
        Ok(balance)
    }

    /// Records a correction (signed, not zero, with a reason). Returns the new balance.
    pub async fn record_correction(
        &self,
        actor: &AdminActor,
        id: OfficeId,
        input: &CorrectionInput,
    ) -> CoreResult<i64> {
        let office = self.office(actor, id).await?;
        let amount = parse_yen(&input.amount, "correction_amount")?;
        if amount == 0 {
            return Err(ValidationError::new(
                "correction_amount",
                "訂正額は0円以外で入力してください（減額はマイナス）。",
            )
            .into());
        }
        let reason = clean_text(&input.reason, "reason", "訂正理由")?;
        if reason.is_empty() {
            return Err(ValidationError::new("reason", "訂正理由を入力してください。").into());
        }
        let now = self.deps.clock.unix();
        let entry_id = self
            .deps
            .store
            .add_fee_record(&NewFeeRecord {
                entry: NewFeeEntry {
                    office_id: office.id,
                    kind: FeeEntryKind::Correction,
                    amount,
                    method: None,
                    note: reason,
                    certificate_id: None,
                    at: now,
                },
                entered_by: actor.audit_name(),
                paid_on: None,
            })
            .await?;
        let balance = self.deps.store.fee_balance(office.id).await?;
        self.deps
            .audit(
                &actor.audit_name(),
                AuditAction::AdminFeeCorrection,
                &format!("office:{}", office.id),
                &actor.source,
                &format!("entry={entry_id} amount={amount} balance={balance}"),
            )
            .await;
        Ok(balance)
    }

    /// Offices with a balance other than zero in the admin's scope, by 事業所番号, with totals.
    pub async fn balances(&self, actor: &AdminActor) -> CoreResult<BalanceList> {
        let scope: Option<PrefectureCode> = actor.role.prefecture();
        let rows: Vec<OfficeBalance> = self
            .deps
            .store
            .office_balances(scope)
            .await?
            .into_iter()
            // Defence in depth: the store filtered already.
            .filter(|r| actor.role.covers(r.office.prefecture))
            .collect();
        Ok(BalanceList {
            charged: sum_yen(rows.iter().map(|r| r.charged)),
            paid: sum_yen(rows.iter().map(|r| r.paid)),
            balance: sum_yen(rows.iter().map(|r| r.balance)),
            rows,
        })
    }

    /// The 請求書 of an office: its outstanding charges, newest first.
    pub async fn invoice(&self, actor: &AdminActor, id: OfficeId) -> CoreResult<Invoice> {
        let ledger = self.ledger(actor, id).await?;
        let office = &ledger.office;
        let charges: Vec<_> = ledger
            .lines
            .iter()
            .filter(|l| l.record.entry.kind == FeeEntryKind::Charge)
            .filter_map(|l| {
                l.record
                    .entry
                    .certificate_id
                    .map(|c| (c, l.record.entry.amount, l.record.entry.at))
            })
            .collect();
        let outstanding = crate::fee::outstanding_per_certificate(ledger.balance, &charges);
        let mut lines = Vec::new();
        for (cert, amount) in outstanding.into_iter().filter(|(_, a)| *a > 0) {
            let line = ledger
                .lines
                .iter()
                .find(|l| l.record.entry.certificate_id == Some(cert));
            lines.push(InvoiceLine {
                item: format!("{} 発行手数料", CertKind::KaigoHoken.label()),
                serial: line.and_then(|l| l.serial.clone()).unwrap_or_default(),
                date: line
                    .map(|l| jst_date(l.record.entry.at))
                    .unwrap_or_default(),
                amount,
            });
        }
        let total = ledger.balance.max(0);
        let listed = sum_yen(lines.iter().map(|l| l.amount));
        if total > listed {
            lines.push(InvoiceLine {
                item: "訂正による加算額".to_owned(),
                serial: String::new(),
                date: String::new(),
                amount: total - listed,
            });
        }
        let now = self.deps.clock.unix();
        let ymd = crate::clock::jst_date(now).replace('/', "");
        let issuer = office
            .prefecture
            .map(kokuhoren_name)
            .unwrap_or_else(|| "国民健康保険団体連合会".to_owned());
        let invoice = Invoice {
            number: format!("{}-{}", office.number, ymd),
            date: crate::clock::jst_japanese_date(now),
            office_name: office.name.clone(),
            office_number: office.number.to_string(),
            postal_code: office.postal_code.clone(),
            address: office.address.clone(),
            issuer: issuer.clone(),
            lines,
            total,
            tax: contained_tax(total),
            tax_rate_percent: TAX_RATE_PERCENT,
            instructions: vec![
                format!("上記金額を、{issuer}の指定口座へお振込みください。"),
                "振込手数料は貴事業所にてご負担ください。".to_owned(),
                "介護給付費等の支払額との相殺をご希望の場合は、国保連合会へご連絡ください。"
                    .to_owned(),
                format!(
                    "振込の際は、依頼人名の前に事業所番号「{}」を付してください。",
                    office.number
                ),
            ],
            file_stem: format!("invoice_{}_{}", office.number, ymd),
        };
        self.deps
            .audit(
                &actor.audit_name(),
                AuditAction::AdminFeeInvoice,
                &format!("office:{}", office.id),
                &actor.source,
                &format!("total={total} number={}", invoice.number),
            )
            .await;
        Ok(invoice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yen_parsing() {
        assert_eq!(parse_yen("7,800", "a").unwrap(), 7800);
        assert_eq!(parse_yen("７８００円", "a").unwrap(), 7800);
        assert_eq!(parse_yen("-500", "a").unwrap(), -500);
        assert!(parse_yen("abc", "a").is_err());
        assert!(parse_yen("", "a").is_err());
        assert!(parse_yen("1000000000000", "a").is_err());
        // i64::MIN has no absolute value: refused, never a panic or a stored extreme.
        assert!(parse_yen("-9223372036854775808", "a").is_err());
        assert!(parse_yen("-1000000000000", "a").is_err());
    }

    #[test]
    fn tax_contained() {
        assert_eq!(contained_tax(7800), 709);
        assert_eq!(contained_tax(11000), 1000);
        assert_eq!(contained_tax(0), 0);
    }
}
