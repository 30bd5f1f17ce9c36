//! The console's multipart forms as their handlers read them with axum's `Multipart` (multer):
//! the notice form with attachments (`console/notices.rs`, `read_form`) and the office CSV
//! upload (`console/offices/register.rs`, `import_upload`), then the attachment check and
//! the CSV check on what was read.
//!
//! Input: the first byte picks the handler (even: notice form, odd: CSV upload); the rest is
//! the request body, sent with `Content-Type: multipart/form-data; boundary=X-KAIGO-FUZZ-BOUNDARY`.
//!
//! Invariants: no panic and no hang (libFuzzer's -timeout); the field loop ends; every file's
//! bytes appear verbatim in the body (multer decodes no transfer encoding), so all files
//! together are never larger than the body; there are fewer fields than body bytes; an
//! accepted attachment's stored name is free of separators, control and bidi characters; a
//! refused CSV is a refusal with a message.
#![no_main]

use axum::body::Body;
use axum::extract::{FromRequest, Multipart};
use axum::http::{Request, header};
use kaigo_core::CoreError;
use kaigo_core::admin::AdminRole;
use kaigo_core::notice::attachment::{Upload, check_upload};
use kaigo_core::office::import::check_rows;
use libfuzzer_sys::fuzz_target;

const BOUNDARY: &str = "X-KAIGO-FUZZ-BOUNDARY";

thread_local! {
    static RT: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// As `read_form`: the text fields by name, files from the `files` fields (an empty field with
/// no name is "no file chosen"). None where the handler answers 400.
async fn notice_form(mut mp: Multipart) -> Option<(Vec<(String, String)>, Vec<Upload>, usize)> {
    let mut texts = Vec::new();
    let mut uploads = Vec::new();
    let mut fields = 0;
    while let Some(field) = mp.next_field().await.ok()? {
        fields += 1;
        let name = field.name().unwrap_or("").to_owned();
        if name == "files" {
            let filename = field.file_name().unwrap_or("").to_owned();
            let bytes = field.bytes().await.ok()?;
            if filename.is_empty() && bytes.is_empty() {
                continue;
            }
            uploads.push(Upload {
                filename,
                bytes: bytes.to_vec(),
            });
            continue;
        }
        let text = field.text().await.ok()?;
        texts.push((name, text));
    }
    Some((texts, uploads, fields))
}

/// As `import_upload`: the token and the file.
async fn csv_upload(mut mp: Multipart) -> Option<(Option<String>, Option<Vec<u8>>, usize)> {
    let mut csrf = None;
    let mut file = None;
    let mut fields = 0;
    while let Some(field) = mp.next_field().await.ok()? {
        fields += 1;
        match field.name() {
            Some("csrf") => csrf = Some(field.text().await.ok()?),
            Some("file") => file = Some(field.bytes().await.ok()?.to_vec()),
            _ => {}
        }
    }
    Some((csrf, file, fields))
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    let req = Request::builder()
        .method("POST")
        .uri("/admin/notices/new")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body.to_vec()))
        .unwrap();
    RT.with(|rt| {
        rt.block_on(async {
            let mp = Multipart::from_request(req, &())
                .await
                .expect("a multipart content type is accepted");
            if which & 1 == 0 {
                let Some((_texts, uploads, fields)) = notice_form(mp).await else {
                    return;
                };
                assert!(
                    fields <= body.len(),
                    "{fields} fields from {} bytes",
                    body.len()
                );
                let total: usize = uploads.iter().map(|u| u.bytes.len()).sum();
                assert!(total <= body.len());
                for u in &uploads {
                    assert!(contains(body, &u.bytes), "file bytes not in the body");
                    if let Ok(a) = check_upload(u) {
                        assert!(!a.filename.is_empty());
                        assert!(!a.filename.contains(['/', '\\']), "{:?}", a.filename);
                        assert!(
                            !a.filename.chars().any(char::is_control),
                            "{:?}",
                            a.filename
                        );
                        assert!(
                            !a.filename.chars().any(|c| matches!(c,
                                '\u{061c}' | '\u{200e}' | '\u{200f}'
                                | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
                            "{:?}",
                            a.filename
                        );
                    }
                }
            } else {
                let Some((_csrf, file, fields)) = csv_upload(mp).await else {
                    return;
                };
                assert!(fields <= body.len());
                if let Some(bytes) = file.filter(|b| !b.is_empty()) {
                    assert!(contains(body, &bytes), "file bytes not in the body");
                    match check_rows(AdminRole::Central, &bytes) {
                        Ok(_) => {}
                        Err(CoreError::Refused(m)) => assert!(!m.is_empty()),
                        Err(e) => panic!("not a refusal: {e:?}"),
                    }
                }
            }
        })
    });
});
