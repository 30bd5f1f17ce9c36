//! お問い合わせ: categories, reception numbers, the FAQ, and the console's inbox.

pub mod admin;
pub mod console;
pub mod faq;
pub mod faq_search;
pub mod help_index;
pub mod manual;
pub mod outside;
pub mod repo;
pub mod search;
pub mod service;
pub mod state_fact;

use crate::ids::OfficeId;

crate::ids::row_id!(
    /// Database key of an inquiry (お問い合わせ); also its reception number.
    InquiryId
);

/// お問い合わせの種別.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InquiryCategory {
    Certificate,
    Password,
    Install,
    Fee,
    Other,
}

impl InquiryCategory {
    pub const ALL: [Self; 5] = [
        Self::Certificate,
        Self::Password,
        Self::Install,
        Self::Fee,
        Self::Other,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::Certificate => "certificate",
            Self::Password => "password",
            Self::Install => "install",
            Self::Fee => "fee",
            Self::Other => "other",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Certificate => "証明書の発行申請・ダウンロード",
            Self::Password => "パスワード（ログイン・証明書発行用）",
            Self::Install => "証明書のインストール・エラー",
            Self::Fee => "証明書発行手数料",
            Self::Other => "その他",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == s)
    }
}

/// A validated inquiry, ready to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewInquiry {
    pub office_id: OfficeId,
    pub category: InquiryCategory,
    pub subject: String,
    pub body: String,
    pub reply_to: String,
    pub created_at: i64,
}

/// The reception number shown to the office: 「Q」, the JST date and the row id.
pub fn reception_number(id: InquiryId, created_at: i64) -> String {
    let date: String = crate::clock::jst_date(created_at)
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    format!("Q{date}-{:06}", id.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reception_numbers() {
        // 2026-04-01 00:00 JST
        assert_eq!(
            reception_number(InquiryId(12), 1_774_969_200),
            "Q20260401-000012"
        );
    }
}
