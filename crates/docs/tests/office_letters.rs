//! The registration and login-reissue letters, checked with pdftotext and pdfinfo.

use std::process::Command;

use kaigo_docs::{OfficeLetter, OfficeLetterKind, office_letters_pdf};

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} is required (Debian poppler-utils): {e}"));
    assert!(out.status.success(), "{name} failed: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn letter(n: u32) -> OfficeLetter {
    OfficeLetter {
        postal_code: "100-0001".into(),
        address: "東京都千代田区千代田1-1 #[x] *y*".into(),
        name: format!("ケアセンターさくら{n}"),
        number: format!("131000000{n}"),
        issuer: "東京都国民健康保険団体連合会".into(),
        user_id: format!("KJABCDEFGHJKL{n}"),
        login_password: format!("Tmp{n}pass2345"),
        issuance_password: format!("Iss{n}word6789"),
    }
}

fn text_of(pdf: &[u8]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.pdf");
    std::fs::write(&path, pdf).unwrap();
    let p = path.to_str().unwrap();
    (tool("pdftotext", &[p, "-"]), tool("pdfinfo", &[p]))
}

#[test]
fn registration_letters_one_page_per_office() {
    let letters = [letter(1), letter(2), letter(3)];
    let pdf = office_letters_pdf(
        OfficeLetterKind::Registration,
        "2026年11月24日",
        "ヘルプデスク",
        &letters,
    )
    .unwrap();
    let (text, info) = text_of(&pdf);
    assert!(info.contains("Pages:           3"), "{info}");
    assert!(info.contains("A4"), "{info}");
    let compact: String = text.split_whitespace().collect();
    assert!(
        compact.contains("電子請求登録結果に関するお知らせ"),
        "{text}"
    );
    for l in &letters {
        assert!(compact.contains(&l.user_id), "{text}");
        assert!(compact.contains(&l.login_password), "{text}");
        assert!(compact.contains(&l.issuance_password), "{text}");
        assert!(compact.contains(&format!("{}御中", l.name)), "{text}");
    }
    assert!(compact.contains("〒100-0001"), "{text}");
    assert!(
        compact.contains("#[x]*y*"),
        "markup in data stays text: {text}"
    );
    assert!(compact.contains("東京都国民健康保険団体連合会"), "{text}");
    assert!(compact.contains("仮パスワード"), "{text}");
}

#[test]
fn login_reissue_letter_has_no_issuance_password() {
    let pdf = office_letters_pdf(
        OfficeLetterKind::LoginReissue,
        "2026年11月24日",
        "ヘルプデスク",
        &[letter(4)],
    )
    .unwrap();
    let (text, _) = text_of(&pdf);
    let compact: String = text.split_whitespace().collect();
    assert!(compact.contains("電子請求ログイン情報発行通知書"), "{text}");
    assert!(compact.contains("Tmp4pass2345"), "{text}");
    assert!(!compact.contains("Iss4word6789"), "{text}");
    assert!(
        !compact.contains("証明書発行用パスワードは、電子証明書"),
        "{text}"
    );
}

#[test]
fn one_pdf_holds_at_most_max_letters() {
    let letters: Vec<_> = (0..kaigo_docs::MAX_LETTERS_PER_PDF as u32 + 1)
        .map(letter)
        .collect();
    let err = office_letters_pdf(
        OfficeLetterKind::Registration,
        "2026年11月24日",
        "ヘルプデスク",
        &letters,
    )
    .unwrap_err();
    assert!(
        matches!(err, kaigo_docs::DocsError::TooLarge(_)),
        "a whole large batch is never laid out as one document: {err}"
    );
}
