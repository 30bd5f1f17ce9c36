//! What of a logged-in office's state an answer of the AIチャット may show; named by the FAQ
//! entries and the manual's sections, written out by `assist::facts`.

use serde::Deserialize;

/// A part of a logged-in office's state that an answer may show (the AIチャット writes each
/// from a reviewed sentence; see `assist::facts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateFact {
    /// Lockouts of the login and of the 証明書発行用パスワード, and until when.
    Locks,
    /// Whether and when the 証明書発行用パスワード was reissued.
    Reissue,
    /// The newest certificate of each kind and its expiry.
    Certificates,
    /// When a renewal may be applied for.
    Renewal,
    /// Applications waiting to be issued (or failed).
    Pending,
    /// The fee balance and whether it blocks an application.
    Fee,
    /// Revoked certificates.
    Revoked,
    /// Unread notices.
    Unread,
    /// Whether a セキュリティメールアドレス is registered.
    SecurityMail,
}
