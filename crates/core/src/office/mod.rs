//! Care offices (介護事業所) and their accounts.

pub mod admin;
pub mod console;
pub mod form;
pub mod import;
pub mod letters;
pub mod prefectures;
pub mod register;
pub mod repo;
pub mod service;

use crate::ids::{OfficeId, OfficeNumber, PrefectureCode, UserId};

/// Whether the office files as a care office or a care-plan office; it decides the subject CN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OfficeKind {
    /// 介護事業所: certificates are issued to `KaigoJigyousho`.
    Kaigo,
    /// 居宅介護支援事業所: certificates are issued to `CarePlanJigyousho`.
    CarePlan,
}

impl OfficeKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Kaigo => "kaigo",
            Self::CarePlan => "careplan",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "kaigo" => Some(Self::Kaigo),
            "careplan" => Some(Self::CarePlan),
            _ => None,
        }
    }
    /// The subject common name of this office's certificates.
    pub fn subject_cn(self) -> &'static str {
        match self {
            Self::Kaigo => "KaigoJigyousho",
            Self::CarePlan => "CarePlanJigyousho",
        }
    }
}

/// Where an office is in its life: only an active office may log in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OfficeStatus {
    Active,
    /// 利用停止: cannot log in; certificates stay valid.
    Suspended,
    /// 廃止: cannot log in; its certificates are revoked (cessationOfOperation).
    Closed,
}

impl OfficeStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Closed => "closed",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "suspended" => Some(Self::Suspended),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
    /// The label of the console.
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "利用中",
            Self::Suspended => "利用停止",
            Self::Closed => "廃止",
        }
    }
}

/// An office as stored. Hashes are Argon2id PHC strings; no password is kept in clear.
#[derive(Clone, Debug)]
pub struct Office {
    pub id: OfficeId,
    pub number: OfficeNumber,
    pub name: String,
    pub kind: OfficeKind,
    pub email: Option<String>,
    pub prefecture: Option<PrefectureCode>,
    pub user_id: UserId,
    pub login_hash: String,
    /// True while the temporary password from the registration letter is in use.
    pub must_change_password: bool,
    pub issuance_hash: String,
    pub created_at: i64,
    /// 郵便番号 (e.g. `100-0001`) and 住所 for the letters; empty when unknown.
    pub postal_code: String,
    pub address: String,
    pub status: OfficeStatus,
}

/// What registration stores.
#[derive(Clone, Debug)]
pub struct NewOffice {
    pub number: OfficeNumber,
    pub name: String,
    pub kind: OfficeKind,
    pub email: Option<String>,
    pub prefecture: Option<PrefectureCode>,
    pub user_id: UserId,
    pub login_hash: String,
    pub issuance_hash: String,
    pub created_at: i64,
    pub postal_code: String,
    pub address: String,
}

/// Checks an e-mail address: one `@`, a local part of at most 64 printable ASCII characters, a
/// dotted domain of letters, digits and hyphens, at most 254 in all. The one rule for every
/// address the system mails (office, security address, admin input).
pub fn validate_email(raw: &str) -> Result<String, crate::error::ValidationError> {
    let s = raw.trim();
    let bad = || {
        crate::error::ValidationError::new(
            "email",
            "メールアドレスの形式が正しくありません。（例: jimusho@example.jp）",
        )
    };
    if s.len() > 254 || !s.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad());
    }
    let (local, domain) = s.split_once('@').ok_or_else(bad)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local
            .bytes()
            .any(|b| matches!(b, b'"' | b'<' | b'>' | b'(' | b')' | b',' | b';'));
    if local_ok && domain_ok {
        Ok(s.to_owned())
    } else {
        Err(bad())
    }
}

/// The 事業所番号 begins with its prefecture's two-digit code: an office of another prefecture
/// can be neither registered nor probed under this one. The one check for every registration
/// path (console form, CSV import, CLI).
pub fn check_number_prefecture(
    number: &crate::ids::OfficeNumber,
    prefecture: crate::ids::PrefectureCode,
) -> Result<(), crate::error::ValidationError> {
    let head = &number.as_str()[..2];
    if head == prefecture.to_string() {
        Ok(())
    } else {
        Err(crate::error::ValidationError::new(
            "number",
            format!("事業所番号の先頭2桁（{head}）が都道府県 {prefecture} と一致しません。"),
        ))
    }
}

/// Checks an office name: 1–100 characters, no control characters.
pub fn validate_office_name(raw: &str) -> Result<String, crate::error::ValidationError> {
    let error = || {
        crate::error::ValidationError::new(
            "name",
            "事業所名は1文字以上100文字以内で入力してください（改行や制御文字は使えません）。",
        )
    };
    let s = crate::text::single_line(raw).ok_or_else(error)?;
    let n = s.chars().count();
    if n == 0 || n > 100 {
        Err(error())
    } else {
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(validate_email("a@example.jp").is_ok());
        assert!(validate_email("a@@example.jp").is_err());
        assert!(validate_email("a b@example.jp").is_err());
        assert!(validate_email("@example.jp").is_err());
        assert!(validate_email("a@localhost").is_err());
        assert!(validate_email(" jimusho.1@care.example.co.jp ").is_ok());
        for bad in [
            "",
            "a",
            "a@b",
            "あ@example.jp",
            "a@.jp",
            "a@b..jp",
            "a<b>@c.jp",
        ] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names() {
        assert_eq!(
            validate_office_name(" 請求事業所A ").unwrap(),
            "請求事業所A"
        );
        assert!(validate_office_name("").is_err());
        assert!(validate_office_name("a\u{0}").is_err());
    }
}
