//! The notice attachment policy of the console (`admin_notices::check_upload`): the file name
//! as stored (`sanitize_filename`), the extension allow-list and the check of the first bytes.
//!
//! Input: the first byte is the length n of the file name, the next n bytes the name (read as
//! UTF-8, lossily, as multer does), the rest the file's content.
//!
//! Invariants: no panic; the cleaned name has no path separator, no control character, no
//! bidirectional control (U+061C, U+200E/F, U+202A–E, U+2066–9), none of `<>:"|?*`, does not
//! begin with a dot or a space, is at most 100 characters, and cleaning it again changes
//! nothing; an accepted upload keeps that name and the bytes unchanged, is non-empty and at
//! most 10 MiB, and its content type is the one its extension allows with the bytes to match.
#![no_main]

use kaigo_core::notice::attachment::{
    MAX_ATTACHMENT_BYTES, Upload, check_upload, sanitize_filename,
};
use libfuzzer_sys::fuzz_target;

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn check_name(raw: &str) -> String {
    let name = sanitize_filename(raw);
    for c in name.chars() {
        assert!(
            !matches!(c, '/' | '\\' | '<' | '>' | ':' | '"' | '|' | '?' | '*'),
            "{c:?} in {name:?} (from {raw:?})"
        );
        assert!(!c.is_control(), "control {c:?} in {name:?} (from {raw:?})");
        assert!(!is_bidi_control(c), "bidi {c:?} in {name:?} (from {raw:?})");
    }
    assert!(!name.starts_with(['.', ' ']), "{name:?} (from {raw:?})");
    assert!(name.chars().count() <= 100, "{name:?}");
    assert_eq!(
        sanitize_filename(&name),
        name,
        "not idempotent (from {raw:?})"
    );
    name
}

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n).min(rest.len());
    let filename = String::from_utf8_lossy(&rest[..n]).into_owned();
    let bytes = rest[n..].to_vec();
    // A long name on its own, beyond the 255 bytes of the length prefix.
    check_name(&String::from_utf8_lossy(data));
    let name = check_name(&filename);
    let upload = Upload {
        filename,
        bytes: bytes.clone(),
    };
    match check_upload(&upload) {
        Ok(a) => {
            assert_eq!(a.filename, name);
            assert!(!a.filename.is_empty());
            assert_eq!(a.bytes, bytes);
            assert!(!bytes.is_empty() && bytes.len() <= MAX_ATTACHMENT_BYTES);
            let ext = name
                .rsplit_once('.')
                .map(|(_, e)| e.to_ascii_lowercase())
                .unwrap_or_default();
            let zip = bytes.starts_with(b"PK\x03\x04");
            let text =
                !bytes.contains(&0) && !bytes.starts_with(b"%PDF") && !bytes.starts_with(b"PK");
            let ok = match (ext.as_str(), a.content_type.as_str()) {
                ("pdf", "application/pdf") => bytes.starts_with(b"%PDF-"),
                ("xlsx", t) if t.ends_with("spreadsheetml.sheet") => zip,
                ("docx", t) if t.ends_with("wordprocessingml.document") => zip,
                ("pptx", t) if t.ends_with("presentationml.presentation") => zip,
                ("csv", "text/csv") | ("txt", "text/plain") => text,
                ("png", "image/png") => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
                ("jpg" | "jpeg", "image/jpeg") => bytes.starts_with(b"\xFF\xD8\xFF"),
                _ => false,
            };
            assert!(
                ok,
                "accepted {name:?} as {} ({} bytes)",
                a.content_type,
                bytes.len()
            );
        }
        Err(e) => assert!(!e.message.is_empty()),
    }
});
