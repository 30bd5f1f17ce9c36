//! Administrators of the console: the 国保中央会's central operators and each 国保連合会's
//! federation admins (one prefecture each).

pub mod accounts;
pub mod login;
pub mod repo;
pub mod totp;

use std::fmt;

use crate::error::ValidationError;
use crate::ids::PrefectureCode;

crate::ids::row_id!(
    /// Database key of an admin account.
    AdminId
);

/// What an admin may reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminRole {
    /// 国保中央会: everything, all prefectures.
    Central,
    /// 国保連合会 of one prefecture: only that prefecture's offices and notices.
    Federation(PrefectureCode),
}

impl AdminRole {
    /// The stored code: `central` or `federation`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Central => "central",
            Self::Federation(_) => "federation",
        }
    }

    /// The prefecture of a federation admin.
    pub fn prefecture(self) -> Option<PrefectureCode> {
        match self {
            Self::Central => None,
            Self::Federation(p) => Some(p),
        }
    }

    /// Rebuilds a role from its stored columns; `None` if they disagree.
    pub fn from_parts(code: &str, prefecture: Option<PrefectureCode>) -> Option<Self> {
        match (code, prefecture) {
            ("central", None) => Some(Self::Central),
            ("federation", Some(p)) => Some(Self::Federation(p)),
            _ => None,
        }
    }

    /// Parses the CLI's `--role` and `--prefecture`, with one-line messages.
    pub fn parse(role: &str, prefecture: Option<&str>) -> Result<Self, ValidationError> {
        match (role.trim(), prefecture) {
            ("central", None) => Ok(Self::Central),
            ("central", Some(_)) => Err(ValidationError::new(
                "prefecture",
                "a central operator has no prefecture: omit --prefecture",
            )),
            ("federation", None) => Err(ValidationError::new(
                "prefecture",
                "a federation admin needs --prefecture 01-47",
            )),
            ("federation", Some(p)) => PrefectureCode::parse(p)
                .map(Self::Federation)
                .map_err(|_| ValidationError::new("prefecture", "--prefecture must be 01-47")),
            _ => Err(ValidationError::new(
                "role",
                "--role must be central or federation",
            )),
        }
    }

    /// Whether this admin may see and act on things of `prefecture`. A central operator
    /// covers everything; a federation admin only its own prefecture (never an office without
    /// one).
    pub fn covers(self, prefecture: Option<PrefectureCode>) -> bool {
        match self {
            Self::Central => true,
            Self::Federation(own) => prefecture == Some(own),
        }
    }

    /// `Ok` when the admin covers `prefecture`; otherwise `NotFound`, so that an object
    /// outside the admin's reach looks exactly like one that does not exist.
    pub fn ensure_covers(self, prefecture: Option<PrefectureCode>) -> crate::CoreResult<()> {
        if self.covers(prefecture) {
            Ok(())
        } else {
            Err(crate::CoreError::NotFound)
        }
    }

    /// The role as shown in the console.
    pub fn label(self) -> &'static str {
        match self {
            Self::Central => "国保中央会（中央運用者）",
            Self::Federation(_) => "国保連合会（連合会管理者）",
        }
    }
}

/// An admin's login name: 3–32 ASCII letters, digits, `.`, `_` or `-`, starting with a letter
/// or digit.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AdminLogin(String);

impl AdminLogin {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        let ok = (3..=32).contains(&s.len())
            && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValidationError::new(
                "login",
                "--login must be 3-32 letters, digits, '.', '_' or '-'",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AdminLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An account to create. The TOTP secret is already sealed under the server key.
#[derive(Clone, Debug)]
pub struct NewAdmin {
    pub login: AdminLogin,
    pub role: AdminRole,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub totp_sealed: Vec<u8>,
    pub created_at: i64,
}

/// A stored admin account.
#[derive(Clone, Debug)]
pub struct Admin {
    pub id: AdminId,
    pub login: AdminLogin,
    pub role: AdminRole,
    pub password_hash: String,
    pub totp_sealed: Vec<u8>,
    /// True once the admin has entered one valid code (enrolment done).
    pub totp_confirmed: bool,
    /// The last accepted time step: a code of this step or an earlier one is refused.
    pub totp_last_step: Option<i64>,
    pub created_at: i64,
    pub disabled: bool,
}

/// Who acts in the console, as services receive it from the web layer: the account and the
/// client address, for authorization and the audit trail.
#[derive(Clone, Debug)]
pub struct AdminActor {
    pub id: AdminId,
    pub login: AdminLogin,
    pub role: AdminRole,
    /// Client IP address (audit `source`).
    pub source: String,
}

impl AdminActor {
    pub fn new(admin: &Admin, source: &str) -> Self {
        Self {
            id: admin.id,
            login: admin.login.clone(),
            role: admin.role,
            source: source.to_owned(),
        }
    }

    /// `Ok` for a central operator (国保中央会); `NotFound` for anyone else, so that a
    /// central-only page looks to a federation admin like one that does not exist.
    pub fn ensure_central(&self) -> crate::CoreResult<()> {
        match self.role {
            AdminRole::Central => Ok(()),
            AdminRole::Federation(_) => Err(crate::CoreError::NotFound),
        }
    }

    /// The audit trail's `actor`: `admin:LOGIN`.
    pub fn audit_name(&self) -> String {
        format!("admin:{}", self.login)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope() {
        let p13 = PrefectureCode::new(13).unwrap();
        let p27 = PrefectureCode::new(27).unwrap();
        let fed = AdminRole::Federation(p13);
        assert!(fed.covers(Some(p13)));
        assert!(!fed.covers(Some(p27)));
        assert!(!fed.covers(None));
        assert!(fed.ensure_covers(Some(p27)).is_err());
        assert!(AdminRole::Central.covers(None));
        assert!(AdminRole::Central.covers(Some(p27)));
    }

    #[test]
    fn roles_parse_with_their_rules() {
        assert_eq!(
            AdminRole::parse("central", None).unwrap(),
            AdminRole::Central
        );
        let fed = AdminRole::parse("federation", Some("13")).unwrap();
        assert_eq!(fed.prefecture().unwrap().to_string(), "13");
        assert!(AdminRole::parse("central", Some("13")).is_err());
        assert!(AdminRole::parse("federation", None).is_err());
        assert!(AdminRole::parse("federation", Some("48")).is_err());
        assert!(AdminRole::parse("federation", Some("00")).is_err());
        assert!(AdminRole::parse("root", None).is_err());
        assert_eq!(
            AdminRole::from_parts(fed.code(), fed.prefecture()),
            Some(fed)
        );
        assert_eq!(AdminRole::from_parts("central", fed.prefecture()), None);
    }

    #[test]
    fn logins() {
        assert!(AdminLogin::parse("central1").is_ok());
        assert!(AdminLogin::parse("fed-13.a_b").is_ok());
        assert!(AdminLogin::parse("ab").is_err());
        assert!(AdminLogin::parse("-abc").is_err());
        assert!(AdminLogin::parse("a b c").is_err());
        assert!(AdminLogin::parse(&"a".repeat(33)).is_err());
    }
}
