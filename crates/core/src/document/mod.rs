//! Documents issued to an office (照会一覧): estimates, invoices, notices as files that stay
//! downloadable.

pub mod render;
pub mod repo;
pub mod service;

use crate::ids::OfficeId;
use crate::notice::attachment::AttachmentId;

crate::ids::row_id!(
    /// Database key of a document issued to an office (見積書 etc.).
    OfficeDocumentId
);

/// A document issued to one office, for 照会一覧. Other features (見積書, 通知書) store their
/// files with `OfficeDocumentRepo::insert_office_document`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOfficeDocument {
    pub office_id: OfficeId,
    /// A short code of what it is, e.g. "estimate" (見積書). See [`document_kind_label`].
    pub kind: String,
    /// The title shown in 照会一覧, e.g. 「電子証明書発行手数料 見積書」.
    pub title: String,
    /// The download file name, e.g. 「見積書_20260401.pdf」.
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub created_at: i64,
}

/// A stored office document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfficeDocument {
    pub id: OfficeDocumentId,
    pub office_id: OfficeId,
    pub kind: String,
    pub title: String,
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub created_at: i64,
}

/// Where an entry of 照会一覧 comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentSource {
    /// A row of `office_documents`.
    Issued(OfficeDocumentId),
    /// An attachment of a notice addressed to this office alone.
    NoticeAttachment(AttachmentId),
}

/// One row of 照会一覧 (no bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentEntry {
    pub source: DocumentSource,
    pub kind: String,
    pub title: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: i64,
}

/// The label of a document kind in 照会一覧.
pub fn document_kind_label(kind: &str) -> &str {
    match kind {
        "estimate" => "見積書",
        "notice" => "お知らせ添付ファイル",
        "password_notice" => "証明書発行用パスワード通知書",
        other => other,
    }
}

/// Formats a byte count as the manual does: 「9,999Byte」.
pub fn format_size(bytes: i64) -> String {
    let digits = bytes.max(0).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str("Byte");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_like_the_manual() {
        assert_eq!(format_size(9999), "9,999Byte");
        assert_eq!(format_size(0), "0Byte");
        assert_eq!(format_size(1_234_567), "1,234,567Byte");
        assert_eq!(format_size(999), "999Byte");
    }
}
