//! What the console searches and shows of issued certificates.

use crate::certificate::{CertKind, CertStatus, CertificateRecord};
use crate::ids::{OfficeNumber, PrefectureCode, Serial, UserId};

/// The status filter of the search. `Expired` is computed: valid but past `not_after`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertState {
    Valid,
    Revoked,
    Expired,
}

impl CertState {
    pub const ALL: [Self; 3] = [Self::Valid, Self::Revoked, Self::Expired];

    pub fn code(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Valid => "有効",
            Self::Revoked => "失効",
            Self::Expired => "有効期限切れ",
        }
    }
    /// The state of a stored certificate at `now`.
    pub fn of(cert: &CertificateRecord, now: i64) -> Self {
        match cert.status {
            CertStatus::Revoked => Self::Revoked,
            CertStatus::Valid if cert.not_after < now => Self::Expired,
            CertStatus::Valid => Self::Valid,
        }
    }
}

/// Search criteria; every set field narrows the result. `prefecture` is the admin's scope
/// (set by the service for a federation admin, never from a form).
#[derive(Clone, Debug, Default)]
pub struct CertificateQuery {
    pub prefecture: Option<PrefectureCode>,
    pub office_number: Option<OfficeNumber>,
    pub user_id: Option<UserId>,
    /// A serial or its leading digits (canonical lowercase hex).
    pub serial_prefix: Option<Serial>,
    pub kind: Option<CertKind>,
    pub state: Option<CertState>,
    /// `not_after` at or after / at or before (Unix seconds).
    pub expires_from: Option<i64>,
    pub expires_to: Option<i64>,
    /// The time `state` is judged at.
    pub now: i64,
}

/// A certificate with the office it belongs to.
#[derive(Clone, Debug)]
pub struct CertificateListing {
    pub cert: CertificateRecord,
    pub office_number: OfficeNumber,
    pub office_name: String,
    pub user_id: UserId,
    pub prefecture: Option<PrefectureCode>,
}
