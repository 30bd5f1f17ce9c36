//! Notice attachments (添付ファイル).

use crate::error::ValidationError;
use crate::ids::NoticeId;
use crate::notice::NewNotice;

crate::ids::row_id!(
    /// Database key of a notice attachment.
    AttachmentId
);

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

/// Largest attachment accepted (each).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Most attachments per notice.
pub const MAX_ATTACHMENTS: usize = 10;
/// A validated `notice add` of the CLI.
#[derive(Clone, Debug)]
pub struct NoticeDraft {
    pub notice: NewNotice,
    pub attachments: Vec<NewAttachment>,
}

/// A file as uploaded.
#[derive(Clone, Debug)]
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// The allowed attachment types: extension, content type, and a check of the bytes. The one
/// policy of the console and the CLI's `notice add`.
fn file_type(ext: &str, bytes: &[u8]) -> Option<&'static str> {
    let zip = bytes.starts_with(b"PK\x03\x04");
    // The Compound File header of the Excel 97–2003 and Word 97–2003 formats.
    let ole = bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    let text = !bytes.contains(&0) && !bytes.starts_with(b"%PDF") && !bytes.starts_with(b"PK");
    match ext {
        "pdf" if bytes.starts_with(b"%PDF-") => Some("application/pdf"),
        "xlsx" if zip => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "docx" if zip => {
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        }
        "pptx" if zip => {
            Some("application/vnd.openxmlformats-officedocument.presentationml.presentation")
        }
        "csv" if text => Some("text/csv"),
        "txt" if text => Some("text/plain"),
        "zip" if zip => Some("application/zip"),
        "xls" if ole => Some("application/vnd.ms-excel"),
        "doc" if ole => Some("application/msword"),
        // A DER certificate is a SEQUENCE with a long-form length.
        "crt" | "cer" | "der" if bytes.starts_with(b"\x30\x82") => Some("application/pkix-cert"),
        "pem" | "crt" | "cer" if bytes.starts_with(b"-----BEGIN ") => {
            Some("application/x-pem-file")
        }
        "png" if bytes.starts_with(b"\x89PNG\r\n\x1a\n") => Some("image/png"),
        "jpg" | "jpeg" if bytes.starts_with(b"\xFF\xD8\xFF") => Some("image/jpeg"),
        _ => None,
    }
}

/// The file name as stored: the last path component, without control characters or
/// characters that Windows refuses, at most 100 characters (keeping the extension).
pub fn sanitize_filename(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        // Every Bidi_Control character (the one rule in `text`): embeddings, overrides,
        // isolates and the marks (LRM, RLM, ALM) can all reorder how the name is shown.
        .filter(|c| !c.is_control() && !crate::text::is_bidi_control(*c))
        .map(|c| {
            if matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') {
                '_'
            } else {
                c
            }
        })
        .collect();
    // No leading dots or spaces in any mix (". .x" is a hidden file too), none trailing.
    let cleaned = cleaned
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end()
        .to_owned();
    if cleaned.chars().count() <= 100 {
        return cleaned;
    }
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((s, e)) if e.len() <= 5 => (s.to_owned(), format!(".{e}")),
        _ => (cleaned.clone(), String::new()),
    };
    let keep = 100 - ext.chars().count();
    let stem: String = stem.chars().take(keep).collect();
    // Cut without an extension, the name may now end in a space.
    format!("{stem}{ext}").trim_end().to_owned()
}

/// Checks an upload: size, extension and content agree, name. Japanese messages.
pub fn check_upload(u: &Upload) -> Result<NewAttachment, ValidationError> {
    let name = sanitize_filename(&u.filename);
    if name.is_empty() {
        return Err(ValidationError::new(
            "file",
            "添付ファイルの名前が正しくありません。",
        ));
    }
    if u.bytes.is_empty() {
        return Err(ValidationError::new(
            "file",
            format!("添付ファイル「{name}」が空です。"),
        ));
    }
    if u.bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(ValidationError::new(
            "file",
            format!("添付ファイル「{name}」が大きすぎます（1ファイル10MBまで）。"),
        ));
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let content_type = file_type(&ext, &u.bytes).ok_or_else(|| {
        ValidationError::new(
            "file",
            format!(
                "添付ファイル「{name}」は添付できない形式です（PDF、Excel・Word・PowerPoint（xlsx・docx・pptx・xls・doc）、CSV、テキスト、PNG、JPEG、ZIP、証明書（crt・cer・der・pem）のみ。拡張子と内容が一致している必要があります）。"
            ),
        )
    })?;
    Ok(NewAttachment {
        filename: name,
        content_type: content_type.to_owned(),
        bytes: u.bytes.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(name: &str, bytes: &[u8]) -> Upload {
        Upload {
            filename: name.into(),
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn file_names() {
        assert_eq!(sanitize_filename("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_filename("C:\\a\\b\\資料.pdf"), "資料.pdf");
        assert_eq!(sanitize_filename("a\u{0}b\nc.pdf"), "abc.pdf");
        assert_eq!(sanitize_filename("..hidden.txt"), "hidden.txt");
        // Found by fuzz/attachment_check: dots and spaces mixed left a leading dot.
        assert_eq!(sanitize_filename(". . .x.csv"), "x.csv");
        assert_eq!(sanitize_filename(" . .x "), "x");
        assert_eq!(sanitize_filename("evil\u{202e}fdp.exe"), "evilfdp.exe");
        // Found by fuzz/attachment_check: the bidi marks were kept.
        assert_eq!(
            sanitize_filename("a\u{200e}b\u{200f}c\u{61c}.pdf\u{2066}"),
            "abc.pdf"
        );
        let long = format!("{}.pdf", "あ".repeat(200));
        let s = sanitize_filename(&long);
        assert_eq!(s.chars().count(), 100);
        assert!(s.ends_with(".pdf"));
    }

    #[test]
    fn uploads() {
        assert_eq!(
            check_upload(&up("a.pdf", b"%PDF-1.7 x"))
                .unwrap()
                .content_type,
            "application/pdf"
        );
        assert!(check_upload(&up("a.xlsx", b"PK\x03\x04rest")).is_ok());
        assert!(check_upload(&up("a.csv", "a,b\r\n1,2".as_bytes())).is_ok());
        // Extension and content disagree.
        assert!(check_upload(&up("a.pdf", b"MZ\x90\x00")).is_err());
        assert!(check_upload(&up("a.txt", b"%PDF-1.7")).is_err());
        assert!(check_upload(&up("a.exe", b"MZ\x90\x00")).is_err());
        assert!(check_upload(&up("a.html", b"<script>")).is_err());
        assert!(check_upload(&up("a.pdf", b"")).is_err());
        let big = vec![b'a'; MAX_ATTACHMENT_BYTES + 1];
        let e = check_upload(&up("a.txt", &big)).unwrap_err();
        assert!(e.message.contains("大きすぎます"), "{}", e.message);
        // The types the CLI used to take on the name alone, now checked by content too.
        let ct = |name: &str, bytes: &[u8]| check_upload(&up(name, bytes)).map(|a| a.content_type);
        assert_eq!(ct("通知書.zip", b"PK\x03\x04x").unwrap(), "application/zip");
        assert!(ct("a.zip", b"MZ\x90\x00").is_err());
        let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest";
        assert_eq!(ct("a.xls", ole).unwrap(), "application/vnd.ms-excel");
        assert_eq!(ct("a.doc", ole).unwrap(), "application/msword");
        assert_eq!(
            ct("ca.crt", b"\x30\x82\x05\x00").unwrap(),
            "application/pkix-cert"
        );
        assert_eq!(
            ct("ca.pem", b"-----BEGIN CERTIFICATE-----\n").unwrap(),
            "application/x-pem-file"
        );
        assert!(ct("ca.der", b"-----BEGIN CERTIFICATE-----\n").is_err());
    }
}
