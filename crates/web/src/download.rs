//! File downloads: a safe `Content-Type` and a `Content-Disposition` that carries Japanese
//! file names (RFC 6266 / RFC 8187: an ASCII fallback and `filename*=UTF-8''…`).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// Content types that a browser might render or run are served as octet streams.
pub fn safe_content_type(declared: &str) -> HeaderValue {
    let lower = declared.to_ascii_lowercase();
    let risky = lower.contains("html")
        || lower.contains("xml")
        || lower.contains("javascript")
        || lower.contains("ecmascript")
        || lower.contains("svg")
        || lower.contains("css")
        || !lower.is_ascii()
        || lower.contains(['\r', '\n']);
    if risky {
        return HeaderValue::from_static("application/octet-stream");
    }
    HeaderValue::from_str(declared)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
}

/// `attachment; filename="ASCII fallback"; filename*=UTF-8''percent-encoded`.
pub fn content_disposition(filename: &str) -> HeaderValue {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| e.chars().all(|c| c.is_ascii_alphanumeric()) && e.len() <= 8)
        .unwrap_or("");
    let stem: String = filename
        .chars()
        .take_while(|_| true)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // A name that is mostly non-ASCII falls back to "download.EXT".
    let fallback = if filename.is_ascii() && !stem.is_empty() {
        stem
    } else if ext.is_empty() {
        "download".to_owned()
    } else {
        format!("download.{ext}")
    };
    content_disposition_as(&fallback, filename)
}

/// `attachment` with a chosen ASCII fallback name and the real name as RFC 8187 `filename*`.
/// The fallback must be plain ASCII without quotes.
pub fn content_disposition_as(fallback: &str, filename: &str) -> HeaderValue {
    let mut encoded = String::new();
    for b in filename.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let fallback: String = fallback
        .chars()
        .filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\')
        .collect();
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// A download response: always `attachment`, never cached by shared caches. Every file the
/// portal and the console hand out is built here (or by [`file_response_as`]).
pub fn file_response(filename: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    with_disposition(content_disposition(filename), content_type, bytes)
}

/// As [`file_response`], with a chosen ASCII name for clients that do not read `filename*`.
pub fn file_response_as(
    fallback: &str,
    filename: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> Response {
    with_disposition(
        content_disposition_as(fallback, filename),
        content_type,
        bytes,
    )
}

fn with_disposition(disposition: HeaderValue, content_type: &str, bytes: Vec<u8>) -> Response {
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, safe_content_type(content_type));
    h.insert(header::CONTENT_DISPOSITION, disposition);
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_names_have_a_fallback_and_utf8() {
        let v = content_disposition("証明書発行用パスワード通知書.zip");
        let s = v.to_str().unwrap();
        assert!(s.starts_with("attachment; filename=\"download.zip\"; filename*=UTF-8''%E8%A8%BC"));
        assert!(s.ends_with(".zip"));
        let v = content_disposition("a b\".pdf");
        assert_eq!(
            v.to_str().unwrap(),
            "attachment; filename=\"a_b_.pdf\"; filename*=UTF-8''a%20b%22.pdf"
        );
    }

    #[test]
    fn risky_types_become_octet_stream() {
        for t in [
            "text/html",
            "TEXT/HTML; charset=utf-8",
            "image/svg+xml",
            "application/xhtml+xml",
            "text/javascript",
        ] {
            assert_eq!(safe_content_type(t), "application/octet-stream", "{t}");
        }
        assert_eq!(safe_content_type("application/zip"), "application/zip");
        assert_eq!(safe_content_type("application/pdf"), "application/pdf");
    }
}
