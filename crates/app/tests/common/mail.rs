//! The mail spool of the tests: the `.eml` files the file transport writes under
//! `DIR/mail/`, parsed (headers unfolded, base64 and quoted-printable bodies decoded).

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;

/// One mail as the `.eml` transport wrote it: recipient and decoded text body.
#[derive(Debug, Clone)]
pub struct Mail {
    pub file: PathBuf,
    pub to: String,
    pub body: String,
}

pub fn decode_qp(text: &str) -> Vec<u8> {
    let bytes = text.replace("=\r\n", "").replace("=\n", "").into_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

pub fn parse_eml(path: &Path) -> Mail {
    let raw = std::fs::read_to_string(path).unwrap();
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").expect("headers and body");
    // Unfold continuation lines.
    let head = head.replace("\n ", " ").replace("\n\t", " ");
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
            })
            .unwrap_or_default()
    };
    let encoding = header("Content-Transfer-Encoding").to_ascii_lowercase();
    let body = match encoding.as_str() {
        "base64" => {
            let compact: String = body.split_whitespace().collect();
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .expect("base64 body"),
            )
            .expect("UTF-8 body")
        }
        "quoted-printable" => String::from_utf8(decode_qp(body)).expect("UTF-8 body"),
        _ => body.to_owned(),
    };
    Mail {
        file: path.to_owned(),
        to: header("To"),
        body,
    }
}

pub fn mails(data: &Path) -> Vec<Mail> {
    let Ok(dir) = std::fs::read_dir(data.join("mail")) else {
        return vec![];
    };
    // The file transport may still be writing a mail: one without its blank line between
    // headers and body is not there yet (the next poll reads it whole).
    let mut v: Vec<Mail> = dir
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .filter(|e| {
            std::fs::read_to_string(e.path())
                .is_ok_and(|t| t.contains("\r\n\r\n") || t.contains("\n\n"))
        })
        .map(|e| parse_eml(&e.path()))
        .collect();
    v.sort_by(|a, b| a.file.cmp(&b.file));
    v
}

/// Waits for `count` mails to `to` that were not in `seen`; returns them and marks them seen.
/// (The transport names files by random IDs, so order cannot come from the names.)
pub async fn new_mails_to(
    data: &Path,
    to: &str,
    count: usize,
    seen: &mut std::collections::HashSet<PathBuf>,
) -> Vec<Mail> {
    for _ in 0..100 {
        let found: Vec<Mail> = mails(data)
            .into_iter()
            .filter(|m| m.to.contains(to) && !seen.contains(&m.file))
            .collect();
        if found.len() >= count {
            assert_eq!(found.len(), count, "more mail than expected to {to}");
            seen.extend(found.iter().map(|m| m.file.clone()));
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "no {count} new mail(s) to {to} within 10 s: {:?}",
        mails(data)
    );
}

/// The 8-digit code after 「確認コード：」 in a mail body.
pub fn code_in(mail: &Mail) -> String {
    let (_, rest) = mail
        .body
        .split_once("確認コード：")
        .unwrap_or_else(|| panic!("no code in {:?}", mail.body));
    let code: String = rest.chars().take_while(char::is_ascii_digit).collect();
    assert_eq!(code.len(), 8, "{:?}", mail.body);
    code
}

/// Waits (up to 10 s) until at least one mail is in the spool, then a moment for late ones;
/// returns them all.
pub async fn wait_for_mails(data: &Path) -> Vec<Mail> {
    for _ in 0..100 {
        if !mails(data).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    mails(data)
}
