//! Validated identifiers. Each is parsed once at the edge (CLI, form, database row)
//! and then passed around as its own type, never as a bare string.

use std::fmt;

use crate::error::ValidationError;

/// 事業所番号: exactly ten ASCII digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OfficeNumber(String);

impl OfficeNumber {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        if s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValidationError::new(
                "office_number",
                "事業所番号は半角数字10桁で入力してください。",
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OfficeNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Login user ID: "KJ" followed by 12 ASCII letters or digits (14 characters, case-sensitive).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UserId(String);

impl UserId {
    pub const PREFIX: &'static str = "KJ";
    pub const LEN: usize = 14;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        if s.len() == Self::LEN
            && s.starts_with(Self::PREFIX)
            && s.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValidationError::new(
                "user_id",
                "ユーザIDはKJから始まる14桁の英数字です。",
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Prefecture code 01–47 (the 国保連合会 that registered the office).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PrefectureCode(u8);

impl PrefectureCode {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        match s.parse::<u8>() {
            Ok(n)
                if (1..=47).contains(&n)
                    && s.len() <= 2
                    && s.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Ok(Self(n))
            }
            _ => Err(ValidationError::new(
                "prefecture",
                "都道府県コードは01から47の数字で入力してください。",
            )),
        }
    }
    pub fn new(n: u8) -> Result<Self, ValidationError> {
        Self::parse(&n.to_string())
    }
    pub fn get(self) -> u8 {
        self.0
    }
}

impl fmt::Display for PrefectureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

/// Which issuing CA: 1 for the one made at `init`, one more at each rollover. Every
/// certificate records the generation that issued it, and each generation publishes its own
/// CRL and answers OCSP for its own certificates until it expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaGeneration(u32);

impl CaGeneration {
    pub const FIRST: Self = Self(1);

    pub fn new(n: u32) -> Option<Self> {
        (n >= 1).then_some(Self(n))
    }

    /// From a stored value; anything below 1 is not a generation.
    pub fn from_i64(n: i64) -> Option<Self> {
        u32::try_from(n).ok().and_then(Self::new)
    }

    pub fn get(self) -> u32 {
        self.0
    }

    pub fn next(self) -> Self {
        Self(self.0.saturating_add(1))
    }
}

impl fmt::Display for CaGeneration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Certificate serial number as lowercase hex without leading zeros (how OpenSSL prints it, minus case).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Serial(String);

impl Serial {
    /// Builds a serial from its big-endian bytes.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        let hex = hex::encode(bytes);
        let trimmed = hex.trim_start_matches('0');
        Self(if trimmed.is_empty() {
            "0".into()
        } else {
            trimmed.into()
        })
    }
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s: String = raw
            .trim()
            .chars()
            .filter(|c| *c != ':')
            .collect::<String>()
            .to_ascii_lowercase();
        if !s.is_empty() && s.len() <= 40 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            let t = s.trim_start_matches('0');
            Ok(Self(if t.is_empty() { "0".into() } else { t.into() }))
        } else {
            Err(ValidationError::new(
                "serial",
                "シリアル番号は16進数で入力してください。",
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A typed database key (`i64`), displayed as its number. Every row id of the domain is made
/// with this one macro.
macro_rules! row_id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
        impl ::std::str::FromStr for $name {
            type Err = $crate::ids::BadRowId;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $crate::ids::parse_row_id(s).map(Self)
            }
        }
    };
}

/// A path segment that is not a row id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadRowId;

/// The one rule for ids in URLs: ASCII digits only (no sign, no spaces), at most 18 of them, not 0.
pub fn parse_row_id(s: &str) -> Result<i64, BadRowId> {
    if s.is_empty() || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BadRowId);
    }
    match s.parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(BadRowId),
    }
}

pub(crate) use row_id;

row_id!(
    /// Database key of an office.
    OfficeId
);
row_id!(
    /// Database key of a certificate application (an entry of the issuance queue).
    ApplicationId
);
row_id!(
    /// Database key of an issued certificate.
    CertificateId
);
row_id!(
    /// Database key of a notice (お知らせ).
    NoticeId
);
row_id!(
    /// Database key of an outgoing mail.
    MailId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_ids_in_urls() {
        assert_eq!("12".parse::<OfficeId>(), Ok(OfficeId(12)));
        for bad in ["", "0", "-1", "+1", " 1", "1a", "１", "9999999999999999999"] {
            assert_eq!(bad.parse::<NoticeId>(), Err(BadRowId), "{bad:?}");
        }
    }

    #[test]
    fn office_number_is_ten_digits() {
        assert!(OfficeNumber::parse("1310000001").is_ok());
        assert!(OfficeNumber::parse(" 1310000001 ").is_ok());
        assert!(OfficeNumber::parse("131000000").is_err());
        assert!(OfficeNumber::parse("13100000011").is_err());
        assert!(OfficeNumber::parse("13100000a1").is_err());
        assert!(OfficeNumber::parse("１３１０００００01").is_err());
    }

    #[test]
    fn user_id_is_kj_plus_twelve() {
        assert!(UserId::parse("KJ0123456789AB").is_ok());
        assert!(UserId::parse("kj0123456789AB").is_err());
        assert!(UserId::parse("KJ0123456789A").is_err());
        assert!(UserId::parse("KJ0123456789A-").is_err());
    }

    #[test]
    fn prefecture_range() {
        assert_eq!(PrefectureCode::parse("13").unwrap().to_string(), "13");
        assert_eq!(PrefectureCode::parse("1").unwrap().to_string(), "01");
        assert!(PrefectureCode::parse("0").is_err());
        assert!(PrefectureCode::parse("48").is_err());
        assert!(PrefectureCode::parse("x").is_err());
    }

    #[test]
    fn serial_normalises() {
        assert_eq!(Serial::from_bytes(&[0, 0x0a, 0xbc]).as_str(), "abc");
        assert_eq!(Serial::parse("0A:BC").unwrap().as_str(), "abc");
        assert!(Serial::parse("xyz").is_err());
    }
}
