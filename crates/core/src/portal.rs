//! Types of the portal's help and archive pages: the notice search (お知らせ一覧の検索), notice
//! attachments (添付ファイル), the documents issued to an office (照会一覧) and inquiries
//! (お問い合わせ). Kept apart from `notice.rs` so that `Notice`/`NewNotice` stay unchanged.

use crate::ids::{NoticeId, OfficeId};

crate::ids::row_id!(
    /// Database key of a notice attachment.
    AttachmentId
);
crate::ids::row_id!(
    /// Database key of a document issued to an office (見積書 etc.).
    OfficeDocumentId
);
crate::ids::row_id!(
    /// Database key of an inquiry (お問い合わせ); also its reception number.
    InquiryId
);

/// 対象 of the notice search. The manual's list filters by whom a notice addresses; an office
/// only ever sees notices that target it, so the choices narrow that set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum NoticeAudience {
    /// すべて
    #[default]
    Any,
    /// 全事業所向け (target all)
    All,
    /// 都道府県向け (target the office's prefecture)
    Prefecture,
    /// 自事業所あて (target this office alone)
    Office,
}

impl NoticeAudience {
    pub const ALL: [Self; 4] = [Self::Any, Self::All, Self::Prefecture, Self::Office];
    pub fn code(self) -> &'static str {
        match self {
            Self::Any => "any",
            Self::All => "all",
            Self::Prefecture => "prefecture",
            Self::Office => "office",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Any => "すべて",
            Self::All => "全事業所向け",
            Self::Prefecture => "都道府県向け",
            Self::Office => "自事業所あて",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == s)
    }
}

/// The search of the notice list. Times are Unix seconds; `start_to` is exclusive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoticeQuery {
    pub audience: NoticeAudience,
    /// 提示開始日 from (inclusive).
    pub start_from: Option<i64>,
    /// 提示開始日 to (exclusive: the start of the day after the "to" date).
    pub start_to: Option<i64>,
    /// キーワード, searched in title and body. Matching ignores ASCII case; the store also tries
    /// the NFKC form of the keyword so that full-width ASCII input finds half-width text.
    pub keyword: Option<String>,
}

impl NoticeQuery {
    /// The LIKE patterns (lower case, wildcards escaped with `\\`) for the keyword: as typed and,
    /// if different, in NFKC form. Empty without a keyword.
    pub fn keyword_patterns(&self) -> Vec<String> {
        use unicode_normalization::UnicodeNormalization;
        let Some(k) = self.keyword.as_deref() else {
            return Vec::new();
        };
        let escape = |s: &str| {
            let mut out = String::from("%");
            for c in s.to_lowercase().chars() {
                if matches!(c, '%' | '_' | '\\') {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('%');
            out
        };
        let raw = escape(k);
        let nfkc = escape(&k.nfkc().collect::<String>());
        if raw == nfkc {
            vec![raw]
        } else {
            vec![raw, nfkc]
        }
    }
}

/// A file to attach to a new notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAttachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// An attachment without its bytes (for tables).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentInfo {
    pub id: AttachmentId,
    pub notice_id: NoticeId,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: i64,
}

/// An attachment with its bytes (for download).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub info: AttachmentInfo,
    pub bytes: Vec<u8>,
}

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

    #[test]
    fn keyword_patterns_escape() {
        let q = |k: &str| NoticeQuery {
            keyword: Some(k.into()),
            ..Default::default()
        };
        assert_eq!(q("100%_a\\").keyword_patterns(), vec!["%100\\%\\_a\\\\%"]);
        assert_eq!(q("ＰＫＩ").keyword_patterns(), vec!["%ｐｋｉ%", "%pki%"]);
        assert!(NoticeQuery::default().keyword_patterns().is_empty());
    }

    #[test]
    fn reception_numbers() {
        // 2026-04-01 00:00 JST
        assert_eq!(
            reception_number(InquiryId(12), 1_774_969_200),
            "Q20260401-000012"
        );
    }
}
