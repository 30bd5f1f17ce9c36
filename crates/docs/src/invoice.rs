//! 請求書 (bill) of the outstanding certificate issuance fees of one office.

use serde::Serialize;

use crate::{DocsError, format_yen, render_pdf};

const TEMPLATE: &str = include_str!("../templates/invoice.typ");

/// One outstanding charge.
#[derive(Debug, Clone, Serialize)]
pub struct InvoiceLineData {
    pub item: String,
    pub serial: String,
    pub date: String,
    pub amount_yen: i64,
}

/// What a bill shows. Amounts are yen, tax included; dates already formatted.
#[derive(Debug, Clone, Serialize)]
pub struct InvoiceData {
    pub number: String,
    pub date: String,
    pub office_name: String,
    pub office_number: String,
    pub postal_code: String,
    pub address: String,
    /// The sender, e.g. 東京都国民健康保険団体連合会.
    pub issuer: String,
    /// Serialized through `Rendered` with the formatted amounts.
    #[serde(skip)]
    pub lines: Vec<InvoiceLineData>,
    pub total_yen: i64,
    /// The consumption tax contained in the total.
    pub tax_yen: i64,
    pub tax_rate_percent: i64,
    pub instructions: Vec<String>,
}

#[derive(Serialize)]
struct Line<'a> {
    #[serde(flatten)]
    line: &'a InvoiceLineData,
    amount_text: String,
}

#[derive(Serialize)]
struct Rendered<'a> {
    #[serde(flatten)]
    data: &'a InvoiceData,
    lines: Vec<Line<'a>>,
    total_text: String,
    tax_text: String,
}

/// Renders the bill as an A4 PDF.
pub fn invoice_pdf(data: &InvoiceData) -> Result<Vec<u8>, DocsError> {
    let rendered = Rendered {
        data,
        lines: data
            .lines
            .iter()
            .map(|line| Line {
                line,
                amount_text: format_yen(line.amount_yen),
            })
            .collect(),
        total_text: format_yen(data.total_yen),
        tax_text: format_yen(data.tax_yen),
    };
    render_pdf(TEMPLATE, &serde_json::to_value(&rendered)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_pdf() {
        let d = InvoiceData {
            number: "1310000001-20261124".into(),
            date: "2026年11月24日".into(),
            office_name: "請求事業所A".into(),
            office_number: "1310000001".into(),
            postal_code: "100-0001".into(),
            address: "東京都千代田区千代田1-1 #set text(red)".into(),
            issuer: "東京都国民健康保険団体連合会".into(),
            lines: vec![InvoiceLineData {
                item: "介護保険証明書 発行手数料".into(),
                serial: "0a1b2c".into(),
                date: "2026/11/01".into(),
                amount_yen: 7800,
            }],
            total_yen: 7800,
            tax_yen: 709,
            tax_rate_percent: 10,
            instructions: vec!["お振込みください。".into()],
        };
        let pdf = invoice_pdf(&d).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
