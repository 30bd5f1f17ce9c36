//! 見積書 (estimate) for the certificate issuance fee.

use serde::Serialize;

use crate::{DocsError, format_yen, render_pdf};

const TEMPLATE: &str = include_str!("../templates/estimate.typ");

/// What an estimate shows. Amounts are yen, tax included; dates are already formatted for
/// display (e.g. 「2026年11月24日」).
#[derive(Debug, Clone, Serialize)]
pub struct EstimateData {
    /// 見積番号 (e.g. the audit event id or a date-based number).
    pub number: String,
    /// 事業所名.
    pub office_name: String,
    /// 事業所番号 (10 digits).
    pub office_number: String,
    /// 見積日.
    pub date: String,
    /// 有効期限 of the estimate.
    pub valid_until: String,
    /// The item, e.g. 電子証明書発行手数料.
    pub item: String,
    /// Item detail, e.g. 介護保険証明書（1枚）.
    pub detail: String,
    /// Quantity.
    pub quantity: u32,
    /// Unit price, tax included.
    pub unit_price_yen: i64,
    /// 10% consumption tax rate in percent.
    pub tax_rate_percent: i64,
    /// The issuer, e.g. 東京都国民健康保険団体連合会.
    pub issuer: String,
}

#[derive(Serialize)]
struct Rendered<'a> {
    #[serde(flatten)]
    data: &'a EstimateData,
    unit_price: String,
    total: String,
    tax: String,
    net: String,
}

impl EstimateData {
    /// Total, tax included.
    pub fn total_yen(&self) -> i64 {
        self.unit_price_yen * i64::from(self.quantity)
    }

    /// The tax part contained in the total (tax-included pricing, rounded down).
    pub fn tax_yen(&self) -> i64 {
        let total = self.total_yen();
        total * self.tax_rate_percent / (100 + self.tax_rate_percent)
    }
}

/// Renders the estimate as an A4 PDF.
pub fn estimate_pdf(data: &EstimateData) -> Result<Vec<u8>, DocsError> {
    let total = data.total_yen();
    let tax = data.tax_yen();
    let rendered = Rendered {
        data,
        unit_price: format_yen(data.unit_price_yen),
        total: format_yen(total),
        tax: format_yen(tax),
        net: format_yen(total - tax),
    };
    render_pdf(TEMPLATE, &serde_json::to_value(&rendered)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_of_7800_is_709() {
        let d = EstimateData {
            number: "1".into(),
            office_name: "x".into(),
            office_number: "1310000001".into(),
            date: "".into(),
            valid_until: "".into(),
            item: "".into(),
            detail: "".into(),
            quantity: 1,
            unit_price_yen: 7800,
            tax_rate_percent: 10,
            issuer: "".into(),
        };
        assert_eq!(d.total_yen(), 7800);
        assert_eq!(d.tax_yen(), 709);
    }
}
