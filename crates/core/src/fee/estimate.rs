//! What a 見積書 (estimate of the 介護保険証明書 fee) shows. A leaf: the renderer seam reads it,
//! and the use case that makes one is `estimate_issue.rs`.

/// The item printed on estimates.
pub const FEE_ITEM: &str = "電子証明書発行手数料";

/// How long an estimate is valid, days.
pub const ESTIMATE_VALID_DAYS: i64 = 30;

/// The document kind of estimates in 照会一覧.
pub const ESTIMATE_KIND: &str = "estimate";

/// Everything an estimate shows (the PDF is rendered by the app's `DocumentRenderer`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Estimate {
    pub number: String,
    pub office_name: String,
    pub office_number: String,
    /// 見積日, e.g. 2026年11月24日.
    pub date: String,
    pub valid_until: String,
    pub item: String,
    pub detail: String,
    pub unit_price_yen: i64,
    pub tax_rate_percent: i64,
    pub issuer: String,
}

/// An estimate made and kept for the office: what the confirmation page shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedEstimate {
    pub estimate: Estimate,
    /// Its row in 照会一覧, downloadable at `/documents/{id}`.
    pub document: crate::document::OfficeDocumentId,
}

/// The title of an estimate in 照会一覧 and on the confirmation page: it carries the amount
/// and the date, so a kept estimate says what it was for without opening it.
pub fn estimate_title(e: &Estimate) -> String {
    format!(
        "{} 見積書 {}円（{}）",
        e.item,
        crate::fee::format_yen(e.unit_price_yen),
        e.date
    )
}
