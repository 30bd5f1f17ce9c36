//! Certificate kinds, applications (the issuance queue) and issued certificates.

pub mod apply;
pub mod ca_files;
pub mod console;
pub mod download;
pub mod issue;
pub mod pki;
pub mod query;
pub mod renewal;
pub mod repo;
pub mod revocation;
pub mod revoked_notice;
pub mod terms;

/// How far a certificate's notBefore lies before its intended start, so that a PC whose clock
/// runs a little slow does not see it as not yet valid. What offices read (有効開始年月日, file
/// names) is the intended start: near midnight the backdated time would fall on the day before
/// the 発行申請日.
pub const STARTS_EARLY_SECONDS: i64 = 300;

/// The 有効開始年月日 shown for a certificate whose notBefore is `not_before`.
pub fn shown_start(not_before: i64) -> i64 {
    not_before.saturating_add(STARTS_EARLY_SECONDS)
}

/// フレンドリ名: what Windows' certificate list (manual 参考) and the browser's 証明書の選択
/// show for the certificate, where every subject reads KaigoJigyousho. The kind, the
/// 事業所番号 and the last day of validity (JST) tell an office's certificates apart, e.g.
/// `介護DX証明書 1310000001 2029-11-27`.
pub fn friendly_name(
    kind: CertKind,
    office_number: &crate::ids::OfficeNumber,
    not_after: i64,
) -> String {
    format!(
        "{} {} {}",
        kind.label(),
        office_number,
        crate::clock::jst_date(not_after).replace('/', "-")
    )
}

use crate::ids::{ApplicationId, CertificateId, OfficeId, Serial};

/// The kinds of office certificate. Each has its own certificatePolicies OID so that a relying
/// service can tell them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CertKind {
    /// 介護保険証明書: paid, used for claims and the web services.
    KaigoHoken,
    /// 介護DX証明書: free, only for the 介護保険資格確認等WEBサービス.
    KaigoDx,
}

impl CertKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::KaigoHoken => "hoken",
            Self::KaigoDx => "dx",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "hoken" => Some(Self::KaigoHoken),
            "dx" => Some(Self::KaigoDx),
            _ => None,
        }
    }
    /// The name offices know it by.
    pub const fn label(self) -> &'static str {
        match self {
            Self::KaigoHoken => "介護保険証明書",
            Self::KaigoDx => "介護DX証明書",
        }
    }

    /// The main-menu tab of the portal where it is applied for and downloaded (manual 3-1,
    /// 3-2).
    pub const fn tab_label(self) -> &'static str {
        match self {
            Self::KaigoHoken => "証明書",
            Self::KaigoDx => "介護DX証明書",
        }
    }

    /// The choice on that tab that leads to the download.
    pub const fn download_choice(self) -> &'static str {
        match self {
            Self::KaigoHoken => "証明書をダウンロード・インストールする",
            Self::KaigoDx => "介護DX証明書をダウンロード・インストールする",
        }
    }

    /// The choice on that tab that starts an application.
    pub const fn apply_choice(self) -> &'static str {
        match self {
            Self::KaigoHoken => "証明書の発行申請をする",
            Self::KaigoDx => "介護DX証明書の発行申請をする",
        }
    }

    /// The start of the downloaded file's name: `KaigoDX_1310000001_20261127.p12`.
    pub const fn file_prefix(self) -> &'static str {
        match self {
            Self::KaigoHoken => "KaigoHoken",
            Self::KaigoDx => "KaigoDX",
        }
    }

    /// The issuance fee (tax included): the configured fee for a 介護保険証明書, nothing for
    /// the free 介護DX証明書.
    pub fn fee_yen(self, hoken_fee_yen: i64) -> i64 {
        match self {
            Self::KaigoHoken => hoken_fee_yen,
            Self::KaigoDx => 0,
        }
    }
}

/// Where an application stands in the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplicationState {
    Queued,
    Running,
    Done,
    Failed,
}

impl ApplicationState {
    pub fn code(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "queued" => Some(Self::Queued),
            "running" => Some(Self::Running),
            "done" => Some(Self::Done),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// An application for a certificate, which is also the durable job that issues it.
#[derive(Clone, Debug)]
pub struct Application {
    pub id: ApplicationId,
    pub office_id: OfficeId,
    pub kind: CertKind,
    pub state: ApplicationState,
    pub requested_at: i64,
    /// Version of the terms of use the office agreed to, and when.
    pub terms_version: String,
    pub consented_at: i64,
    /// The issuance password sealed under the server key; erased when the file is built.
    pub sealed_password: Option<Vec<u8>>,
    /// Requested start of validity (None: at issuance).
    pub not_before: Option<i64>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub certificate_id: Option<CertificateId>,
}

/// What an office submits.
#[derive(Clone, Debug)]
pub struct NewApplication {
    pub office_id: OfficeId,
    pub kind: CertKind,
    pub requested_at: i64,
    pub terms_version: String,
    pub consented_at: i64,
    pub sealed_password: Vec<u8>,
    pub not_before: Option<i64>,
    /// A token from the form; the same token never makes two applications.
    pub idempotency_key: String,
}

/// Status of an issued certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertStatus {
    Valid,
    Revoked,
}

impl CertStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Revoked => "revoked",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "valid" => Some(Self::Valid),
            "revoked" => Some(Self::Revoked),
            _ => None,
        }
    }
}

/// An issued certificate as stored. The PKCS#12 file is kept (encrypted under the issuance
/// password) so that the office can download the same certificate again on another PC.
#[derive(Clone, Debug)]
pub struct CertificateRecord {
    pub id: CertificateId,
    pub office_id: OfficeId,
    pub application_id: ApplicationId,
    pub kind: CertKind,
    pub serial: Serial,
    pub subject: String,
    pub not_before: i64,
    pub not_after: i64,
    pub status: CertStatus,
    pub revoked_at: Option<i64>,
    pub revocation_reason: Option<crate::certificate::revocation::RevocationReason>,
    pub fingerprint_sha256: String,
    pub issued_at: i64,
}

/// What the issuance worker stores for a finished application.
#[derive(Clone, Debug)]
pub struct NewCertificate {
    pub office_id: OfficeId,
    pub application_id: ApplicationId,
    pub kind: CertKind,
    pub serial: Serial,
    pub subject: String,
    pub not_before: i64,
    pub not_after: i64,
    pub fingerprint_sha256: String,
    pub cert_der: Vec<u8>,
    pub pkcs12: Vec<u8>,
    pub issued_at: i64,
    /// The issuing CA that signed it: its CRL and OCSP answers cover it.
    pub generation: crate::ids::CaGeneration,
}

#[cfg(test)]
mod start_tests {
    use super::*;
    use crate::clock::{jst_date, parse_jst_date};

    #[test]
    fn the_shown_start_is_the_intended_one_even_near_midnight() {
        // Applied at 00:02 JST on 2026-11-28: notBefore is 23:57 the day before.
        let applied = parse_jst_date("2026-11-28").unwrap() + 120;
        let not_before = applied - STARTS_EARLY_SECONDS;
        assert_eq!(jst_date(not_before), "2026/11/27");
        assert_eq!(jst_date(shown_start(not_before)), "2026/11/28");
    }
}
