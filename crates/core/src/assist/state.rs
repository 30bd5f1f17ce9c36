//! The logged-in office's own state, as the chat reads it: plain data, filled by the service
//! from the office's rows only (and by the question set's scenarios directly).

use crate::certificate::CertKind;
use crate::ids::NoticeId;

/// One certificate of the office.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertFact {
    pub kind: CertKind,
    pub not_before: i64,
    pub not_after: i64,
    pub revoked: bool,
}

/// An application not yet issued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingFact {
    pub kind: CertKind,
    pub requested_at: i64,
    /// The build failed (「発行失敗」) rather than waiting.
    pub failed: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OfficeState {
    /// The time the state was read.
    pub now: i64,
    /// The office's 国保連合会 (e.g. 東京都国民健康保険団体連合会), if its prefecture is known.
    pub kokuhoren: Option<String>,
    /// Newest first.
    pub certificates: Vec<CertFact>,
    /// Waiting applications, and failed ones not followed by an issued certificate.
    pub pending: Vec<PendingFact>,
    pub login_locked_until: Option<i64>,
    pub issuance_locked_until: Option<i64>,
    /// Outstanding 証明書発行手数料 in yen, and whether it blocks a 介護保険証明書 application.
    pub fee_balance: i64,
    pub fee_blocks: bool,
    /// When the 証明書発行用パスワード was last reissued (from the audit trail), and the
    /// notice that carried it while it is on display.
    pub reissued: Option<i64>,
    pub reissue_notice: Option<NoticeId>,
    pub unread_notices: i64,
    pub security_mail: bool,
    /// Seconds before expiry from which a renewal may be applied for.
    pub renewal_window: i64,
}
