//! What the console keeps and asks about offices: list queries, edits, and the sealed batches
//! of registration letters (the only place where generated passwords exist after registration,
//! encrypted under the server key, for a limited time).

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::PrefectureCode;
use crate::office::{OfficeKind, OfficeStatus};

/// How long a batch of letters stays downloadable before it is purged.
pub const LETTER_BATCH_SECONDS: i64 = 72 * 3600;

/// A search of the office list. `prefecture` is the admin's scope (None: all).
#[derive(Clone, Debug, Default)]
pub struct OfficeQuery {
    pub prefecture: Option<PrefectureCode>,
    /// Matches the start of the 事業所番号 or any part of the 事業所名.
    pub keyword: Option<String>,
    pub status: Option<OfficeStatus>,
}

/// The fields an admin may change (never the 事業所番号 or the prefecture).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficeEdit {
    pub name: String,
    pub kind: OfficeKind,
    pub postal_code: String,
    pub address: String,
    pub email: Option<String>,
}

/// Which letter a batch prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LetterKind {
    /// 電子請求登録結果に関するお知らせ: user ID, temporary and issuance passwords.
    Registration,
    /// 電子請求ログイン情報発行通知書: user ID and a new temporary password.
    LoginReissue,
}

impl LetterKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Registration => "registration",
            Self::LoginReissue => "login_reissue",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "registration" => Some(Self::Registration),
            "login_reissue" => Some(Self::LoginReissue),
            _ => None,
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Self::Registration => "電子請求登録結果に関するお知らせ",
            Self::LoginReissue => "電子請求ログイン情報発行通知書",
        }
    }
}

/// One office's letter. Serialised to JSON and sealed; never stored in clear.
#[derive(Clone, Serialize, Deserialize)]
pub struct LetterEntry {
    pub office_id: i64,
    pub number: String,
    pub name: String,
    pub postal_code: String,
    pub address: String,
    /// The sender, e.g. 東京都国民健康保険団体連合会.
    pub issuer: String,
    pub user_id: String,
    pub login_password: String,
    /// Only in registration letters.
    pub issuance_password: Option<String>,
}

impl std::fmt::Debug for LetterEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LetterEntry")
            .field("office_id", &self.office_id)
            .field("number", &self.number)
            .finish_non_exhaustive()
    }
}

/// A batch to store: the entries are already sealed.
#[derive(Clone, Debug)]
pub struct NewLetterBatch {
    pub kind: LetterKind,
    /// The batch is visible to the admins covering this prefecture (None: central only).
    pub prefecture: Option<PrefectureCode>,
    pub created_by: String,
    pub office_count: i64,
    pub sealed: Vec<u8>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A stored batch (still sealed).
#[derive(Clone, Debug)]
pub struct LetterBatch {
    pub id: i64,
    pub kind: LetterKind,
    pub prefecture: Option<PrefectureCode>,
    pub created_by: String,
    pub office_count: i64,
    pub sealed: Vec<u8>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// 郵便番号: `NNN-NNNN` or seven digits (full-width digits and hyphens accepted), stored as
/// `NNN-NNNN`.
pub fn validate_postal_code(raw: &str) -> Result<String, ValidationError> {
    let digits: String = raw
        .trim()
        .trim_start_matches('〒')
        .chars()
        .filter(|c| !matches!(c, '-' | '－' | 'ー' | '‐' | '−'))
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            other => other,
        })
        .collect();
    if digits.len() == 7 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(format!("{}-{}", &digits[..3], &digits[3..]))
    } else {
        Err(ValidationError::new(
            "postal_code",
            "郵便番号は「123-4567」の形式（数字7桁）で入力してください。",
        ))
    }
}

/// 住所: 1–200 characters, no control characters.
pub fn validate_address(raw: &str) -> Result<String, ValidationError> {
    let error = || {
        ValidationError::new(
            "address",
            "住所は1文字以上200文字以内で入力してください（改行や制御文字は使えません）。",
        )
    };
    let s = crate::text::single_line(raw).ok_or_else(error)?;
    let n = s.chars().count();
    if n == 0 || n > 200 {
        Err(error())
    } else {
        Ok(s)
    }
}

/// 種別: `kaigo`/`careplan`, or 介護/居宅 (also 介護事業所, 居宅介護支援事業所).
pub fn parse_office_kind(raw: &str) -> Result<OfficeKind, ValidationError> {
    match raw.trim() {
        "kaigo" | "介護" | "介護事業所" => Ok(OfficeKind::Kaigo),
        "careplan" | "居宅" | "居宅介護支援" | "居宅介護支援事業所" => {
            Ok(OfficeKind::CarePlan)
        }
        _ => Err(ValidationError::new(
            "kind",
            "種別は kaigo（介護）か careplan（居宅）を指定してください。",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postal_codes() {
        assert_eq!(validate_postal_code("100-0001").unwrap(), "100-0001");
        assert_eq!(validate_postal_code("1000001").unwrap(), "100-0001");
        assert_eq!(
            validate_postal_code("〒１００－０００１").unwrap(),
            "100-0001"
        );
        assert!(validate_postal_code("100-001").is_err());
        assert!(validate_postal_code("abc-defg").is_err());
        assert!(validate_postal_code("").is_err());
    }

    #[test]
    fn kinds() {
        assert_eq!(parse_office_kind("介護").unwrap(), OfficeKind::Kaigo);
        assert_eq!(
            parse_office_kind(" careplan ").unwrap(),
            OfficeKind::CarePlan
        );
        assert_eq!(parse_office_kind("居宅").unwrap(), OfficeKind::CarePlan);
        assert!(parse_office_kind("病院").is_err());
    }

    #[test]
    fn addresses() {
        assert!(validate_address("東京都千代田区1-1").is_ok());
        assert!(validate_address(" ").is_err());
        assert!(validate_address(&"あ".repeat(201)).is_err());
    }
}
