//! The estimate PDF, checked with poppler's pdftotext and pdffonts (a missing tool fails).

use std::process::Command;

use kaigo_docs::{EstimateData, estimate_pdf, render_pdf};

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} is required (Debian poppler-utils): {e}"));
    assert!(out.status.success(), "{name} failed: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn data() -> EstimateData {
    EstimateData {
        number: "1310000001-20261124".into(),
        office_name: "ケアセンター#さくら [PKCS#12] *太字* _x_ $y$".into(),
        office_number: "1310000001".into(),
        date: "2026年11月24日".into(),
        valid_until: "2026年12月24日".into(),
        item: "電子証明書発行手数料".into(),
        detail: "介護保険証明書（1枚）".into(),
        quantity: 1,
        unit_price_yen: 7_800,
        tax_rate_percent: 10,
        issuer: "東京都国民健康保険団体連合会".into(),
    }
}

#[test]
fn estimate_shows_japanese_text_and_embeds_fonts() {
    let pdf = estimate_pdf(&data()).expect("render");
    assert!(pdf.starts_with(b"%PDF-"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("estimate.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let p = path.to_str().unwrap();
    let text = tool("pdftotext", &[p, "-"]);
    let flat: String = text.split_whitespace().collect();
    for needle in [
        "御見積書",
        "電子証明書発行手数料",
        "7,800",
        "709",
        "1310000001",
        "東京都国民健康保険団体連合会",
        "2026年12月24日",
        // User data is data, never markup: '#', '*', '_', '$' survive literally.
        "ケアセンター#さくら[PKCS#12]*太字*_x_$y$",
    ] {
        assert!(flat.contains(needle), "{needle} missing in:\n{text}");
    }
    let fonts = tool("pdffonts", &[p]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "no fonts: {fonts}");
    for row in &rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // columns: name type [encoding...] emb sub uni object ID
        let n = cols.len();
        assert_eq!(cols[n - 5], "yes", "font not embedded: {row}");
    }
    assert!(fonts.contains("IPAex"), "IPAex font expected: {fonts}");
    let info = tool("pdfinfo", &[p]);
    assert!(
        info.contains("595.") && info.contains("841."),
        "A4 expected: {info}"
    );
}

#[test]
fn generic_render_reads_data_from_json() {
    let pdf = render_pdf(
        "#let d = json(\"/data.json\")\n#set text(font: \"IPAexGothic\", lang: \"ja\")\n#d.greeting\n",
        &serde_json::json!({ "greeting": "証明書発行用パスワード通知書 #not-code" }),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let text = tool("pdftotext", &[path.to_str().unwrap(), "-"]);
    assert!(
        text.contains("証明書発行用パスワード通知書 #not-code"),
        "{text}"
    );
}

#[test]
fn template_errors_are_reported() {
    let err = render_pdf("#let x = ", &serde_json::json!({})).unwrap_err();
    assert!(matches!(err, kaigo_docs::DocsError::Template(_)), "{err}");
}
