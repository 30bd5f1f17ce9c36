//! The relying side an office and a service operator see: the 「証明書の確認」 page over
//! HTTPS (curl presenting the .p12, and Chromium with the .p12 in its NSS database as an
//! office imports it into Windows), the example relying services, and `kaigo-pki verify` —
//! each says usable for a valid certificate, and revoked once it is.

mod common;

use std::time::{Duration, Instant};

use common::pki::{Chromium, Relying, curl_check, fetch_public, issue_dx, p};
use common::{kaigo_with, require_tool, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_page_services_and_verify_follow_the_certificate_through_revocation() {
    require_tool("openssl", "apt-get install openssl");
    require_tool("curl", "apt-get install curl");
    let bed = issue_dx().await;
    let (dir, base, p12, pw, leaf, data, check) = (
        bed.dir.as_path(),
        bed.base.as_str(),
        &bed.p12,
        bed.pw.as_str(),
        &bed.leaf,
        &bed.data,
        bed.check.as_str(),
    );
    let env = bed.env();
    let (_, root, _, _) = fetch_public(base, dir).await;

    // `kaigo-pki verify` says usable, from the .p12 against the server and from the PEM
    // with the data dir's root and the certificate's own URLs.
    let o = kaigo_with(
        data,
        &["verify", p(p12), "--password", pw, "--url", base],
        &env,
    );
    let text = common::stdout(&o);
    assert!(o.status.success(), "{text}{}", common::stderr(&o));
    for want in [
        "発行先:       KaigoJigyousho",
        "発行者:       e-seikyuu CA",
        "種類:         介護DX証明書",
        "事業所番号:   1310000001",
        "この証明書は有効です。",
        "失効確認:     OCSP",
    ] {
        assert!(text.contains(want), "{want} missing:\n{text}");
    }
    let o = kaigo_with(data, &["verify", p(leaf), "--json"], &env);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["verdict"]["verdict"], "usable");
    let o = kaigo_with(
        data,
        &["verify", p(p12), "--password", "wrong-password1"],
        &env,
    );
    assert!(
        !o.status.success() && common::stderr(&o).contains("password"),
        "{}",
        common::stderr(&o)
    );

    // 「証明書の確認」 over HTTPS (server certificate from our root): curl presenting the
    // .p12 as a browser does sees its certificate judged usable; without one, or with a
    // foreign one, the page explains instead of a TLS error.
    let root_pem = root.clone();
    let p12_arg = format!("{}:{pw}", p(p12));
    let (code, page) = curl_check(
        check,
        &root_pem,
        &["--cert-type", "P12", "--cert", &format!("{}:{pw}", p(p12))],
    );
    assert_eq!(code, "200", "{page}");
    for want in [
        "この証明書は有効です。",
        "KaigoJigyousho",
        "e-seikyuu CA",
        "介護DX証明書",
        "1310000001",
    ] {
        assert!(page.contains(want), "{want} missing:\n{page}");
    }
    let (code, page) = curl_check(check, &root_pem, &[]);
    assert!(
        code == "200" && page.contains("電子証明書が提示されませんでした"),
        "{page}"
    );
    let (foreign_cert, foreign_key) = (dir.join("foreign.pem"), dir.join("foreign.key"));
    let (ok, text) = run(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=KaigoJigyousho",
            "-days",
            "1",
            "-keyout",
            p(&foreign_key),
            "-out",
            p(&foreign_cert),
        ],
    );
    assert!(ok, "{text}");
    let (code, page) = curl_check(
        check,
        &root_pem,
        &["--cert", p(&foreign_cert), "--key", p(&foreign_key)],
    );
    assert!(
        code == "200" && page.contains("e-seikyuu CA が発行した事業所の証明書ではありません"),
        "{page}"
    );
    let (_, plain) = curl_check(&format!("{base}/check"), &root_pem, &[]);
    assert!(
        plain.contains(check),
        "the HTTP page links the HTTPS check:\n{plain}"
    );

    // Chromium, with the .p12 in its certificate store, opens the page and sees its own
    // certificate judged usable.
    require_tool("chromium", "apt-get install chromium");
    require_tool("pk12util", "apt-get install libnss3-tools");
    let origin = format!("https://127.0.0.1:{}", bed.tls_port);
    let chromium = Chromium::new(dir, p12, pw, &root_pem, &origin, bed.tls_port);
    let dom = chromium.dump_dom(check);
    assert!(
        dom.contains("この証明書は有効です。")
            && dom.contains("KaigoJigyousho")
            && dom.contains("1310000001"),
        "Chromium did not present the certificate:\n{dom}"
    );
    chromium.screenshot(check, "check-usable-desktop", 1366, 768);
    chromium.screenshot(check, "check-usable-phone", 390, 844);

    // The example relying services: 資格確認 admits the 介護DX証明書, 請求 does not.
    let eligibility = Relying::start(base, "eligibility");
    let claims = Relying::start(base, "claims");
    let (code, body) = eligibility.curl(&["--cert-type", "P12", "--cert", &p12_arg]);
    assert!(
        code == "200" && body.contains("\"admitted\""),
        "{code} {body}"
    );
    let (code, body) = claims.curl(&["--cert-type", "P12", "--cert", &p12_arg]);
    assert!(
        code == "403" && body.contains("wrong_kind") && body.contains("介護保険証明書が必要"),
        "{code} {body}"
    );
    let (code, body) = eligibility.curl(&["--cert", p(&foreign_cert), "--key", p(&foreign_key)]);
    assert!(code == "403" && body.contains("not_ours"), "{code} {body}");

    // Revoked (by the CLI, another process): within seconds every one of them says so.
    bed.revoke("keyCompromise");
    let start = Instant::now();
    loop {
        let (_, page) = curl_check(
            check,
            &root_pem,
            &["--cert-type", "P12", "--cert", &p12_arg],
        );
        if page.contains("に失効しています") {
            assert!(page.contains("verdict-revoked"), "{page}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "check page still says:\n{page}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let (code, body) = eligibility.curl(&["--cert-type", "P12", "--cert", &p12_arg]);
    assert!(
        code == "403" && body.contains("\"revoked\""),
        "{code} {body}"
    );
    let dom = chromium.dump_dom(check);
    assert!(
        dom.contains("に失効しています") && dom.contains("verdict-revoked"),
        "Chromium:\n{dom}"
    );
    chromium.screenshot(check, "check-revoked-desktop", 1366, 768);
    chromium.screenshot(&format!("{base}/check"), "check-http-phone", 390, 844);
    let o = kaigo_with(
        data,
        &["verify", p(p12), "--password", pw, "--url", base],
        &env,
    );
    let text = common::stdout(&o);
    assert!(!o.status.success(), "{text}");
    assert!(
        text.contains("に失効しています") && text.contains("keyCompromise"),
        "{text}"
    );
}
