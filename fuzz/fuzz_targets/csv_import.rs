//! The office CSV import (console upload and `kaigo-pki office import`): decoding (UTF-8 with or
//! without BOM, Shift_JIS/CP932), header mapping, row parsing and validation, without the
//! database (`office_import::check_rows`, which the service runs before its lookup of numbers
//! already registered).
//!
//! The first byte picks the admin role and how the rest is fed in:
//! bits 0–1: 0 = the bytes as they are, 1 = UTF-8 BOM + bytes, 2 = the bytes (read as UTF-8,
//! lossily) encoded as Shift_JIS, 3 = the same with a BOM; bit 2: federation of Tokyo (13)
//! instead of the central operator.
//!
//! Invariants: no panic; a refusal is `CoreError::Refused` (a message for the admin, never an
//! internal error); every reported row (valid or not) has a distinct line number in
//! 2..=the number of lines of the file, valid rows and errors in line order; valid rows have
//! unique numbers that begin with their prefecture's code, inside the admin's scope; and a
//! text that Shift_JIS represents exactly gives the same result as its UTF-8 form.
#![no_main]

use std::collections::HashSet;

use kaigo_core::CoreError;
use kaigo_core::admin::AdminRole;
use kaigo_core::ids::PrefectureCode;
use kaigo_core::office::import::{ImportCheck, check_rows, decode};
use libfuzzer_sys::fuzz_target;

/// Lines of a text as an editor counts them: `\r\n`, `\r` and `\n` each end one.
fn physical_lines(text: &str) -> u64 {
    let b = text.as_bytes();
    let mut n = 1;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\r' if b.get(i + 1) == Some(&b'\n') => {
                n += 1;
                i += 1;
            }
            b'\r' | b'\n' => n += 1,
            _ => {}
        }
        i += 1;
    }
    n
}

fn check_invariants(role: AdminRole, text: &str, check: &ImportCheck) {
    let last = physical_lines(text);
    let mut lines = HashSet::new();
    for line in check
        .valid
        .iter()
        .map(|(l, _)| *l)
        .chain(check.errors.iter().map(|e| e.line))
    {
        assert!(
            (2..=last).contains(&line),
            "line {line} outside 2..={last}: {check:?}"
        );
        assert!(lines.insert(line), "line {line} reported twice: {check:?}");
    }
    assert!(check.valid.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(check.errors.windows(2).all(|w| w[0].line <= w[1].line));
    assert!(check.errors.iter().all(|e| !e.reason.is_empty()));
    let mut numbers = HashSet::new();
    for (_, v) in &check.valid {
        assert!(numbers.insert(v.number.clone()), "duplicate {}", v.number);
        assert!(v.number.as_str().starts_with(&v.prefecture.to_string()));
        assert!(role.covers(Some(v.prefecture)), "{role:?} {}", v.prefecture);
    }
}

/// The comparable part of a result.
fn summary(r: &Result<ImportCheck, CoreError>) -> Result<(Vec<u64>, Vec<(u64, String)>), String> {
    match r {
        Ok(c) => Ok((
            c.valid.iter().map(|(l, _)| *l).collect(),
            c.errors
                .iter()
                .map(|e| (e.line, e.reason.clone()))
                .collect(),
        )),
        Err(e) => Err(e.to_string()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let role = if mode & 4 != 0 {
        AdminRole::Federation(PrefectureCode::new(13).unwrap())
    } else {
        AdminRole::Central
    };
    let mut bytes = Vec::new();
    if mode & 1 != 0 {
        bytes.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let mut utf8_twin = None;
    if mode & 2 != 0 {
        let text = String::from_utf8_lossy(rest);
        let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
        bytes.extend_from_slice(&sjis);
        // WHATWG maps ¥ and ‾ to the ASCII bytes 0x5C and 0x7E, which decode as \ and ~; and
        // Shift_JIS bytes that happen to be valid UTF-8 are read as UTF-8 (a known limit of
        // the detection, see docs/FUZZING.md). Otherwise the text must come back unchanged.
        let lossless = !unmappable && !text.contains(['\u{a5}', '\u{203e}', '\u{feff}']);
        let ambiguous = !sjis.is_ascii() && std::str::from_utf8(&sjis).is_ok();
        if lossless && !ambiguous {
            assert_eq!(decode(&bytes).unwrap(), text);
            let mut twin = Vec::new();
            if mode & 1 != 0 {
                twin.extend_from_slice(b"\xEF\xBB\xBF");
            }
            twin.extend_from_slice(text.as_bytes());
            utf8_twin = Some(twin);
        }
    } else {
        bytes.extend_from_slice(rest);
    }
    let result = check_rows(role, &bytes);
    match &result {
        Ok(check) => check_invariants(role, &decode(&bytes).unwrap(), check),
        Err(CoreError::Refused(msg)) => assert!(!msg.is_empty()),
        Err(e) => panic!("not a refusal: {e:?}"),
    }
    if let Some(twin) = utf8_twin {
        assert_eq!(summary(&result), summary(&check_rows(role, &twin)));
    }
});
