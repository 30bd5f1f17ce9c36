//! Revocation as relying parties see it, with nothing mocked: an office gets its certificate
//! over HTTP, then OpenSSL, pkilint, nginx (once with `ssl_crl`, once with `ssl_ocsp`) and
//! the JDK's PKIX validator admit it, using only the URLs written into the certificates; the
//! certificate is revoked in the admin console, and each of them refuses it within seconds.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::pki::{Nginx, fetch_public, get, issue_dx, java, javac, lint_clean, openssl_ocsp, p};
use common::{require_tool, run, write};

fn check_tools() {
    require_tool("openssl", "apt-get install openssl");
    require_tool("curl", "apt-get install curl");
    require_tool("nginx", "apt-get install nginx-light");
    require_tool("javac", "apt-get install default-jdk-headless");
    require_tool("lint_crl", "pip install pkilint");
    require_tool("lint_ocsp_response", "pip install pkilint");
    require_tool("lint_pkix_cert", "pip install pkilint");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relying_parties_admit_a_valid_certificate_and_refuse_it_once_revoked() {
    check_tools();
    let (javac, classes) =
        javac(&std::env::temp_dir().join(format!("kaigo-java-{}", std::process::id())));
    let bed = issue_dx().await;
    let (dir, base, p12, pw, leaf, serial) = (
        bed.dir.as_path(),
        bed.base.as_str(),
        &bed.p12,
        bed.pw.as_str(),
        &bed.leaf,
        bed.serial.as_str(),
    );
    // Everything a relying party needs is public (no login) at the URLs in the certificates.
    let (issuing, root, chain, crls) = fetch_public(base, dir).await;
    let (_, text) = run("openssl", &["x509", "-in", p(&issuing), "-noout", "-text"]);
    assert!(
        text.contains(&format!("URI:{base}/ca/e-seikyuu-root.crl")),
        "{text}"
    );
    assert!(
        text.contains(&format!("CA Issuers - URI:{base}/ca/e-seikyuu-root.crt")),
        "{text}"
    );

    // OpenSSL: the CRL reads, the chain with both CRLs verifies, OCSP says good.
    let (ok, text) = run(
        "openssl",
        &["crl", "-in", p(&dir.join("crl.pem")), "-noout", "-text"],
    );
    assert!(
        ok && text.contains("X509v3 CRL Number") && text.contains("Authority Key Identifier"),
        "{text}"
    );
    let verify = |crls: &Path| {
        run(
            "openssl",
            &[
                "verify",
                "-crl_check_all",
                "-CAfile",
                p(&root),
                "-untrusted",
                p(&issuing),
                "-CRLfile",
                p(crls),
                p(leaf),
            ],
        )
    };
    let (ok, text) = verify(&crls);
    assert!(
        ok,
        "openssl verify -crl_check_all refused a valid certificate:\n{text}"
    );
    let resp = dir.join("good.der");
    let text = openssl_ocsp(base, &issuing, &chain, &["-cert", p(leaf)], &resp);
    assert!(text.contains(": good"), "{text}");

    // pkilint: the CRLs, the OCSP response and the responder certificate.
    lint_clean(
        "lint_crl",
        &["lint", "-t", "CRL", "-p", "PKIX", p(&dir.join("crl.der"))],
    );
    lint_clean(
        "lint_crl",
        &[
            "lint",
            "-t",
            "ARL",
            "-p",
            "PKIX",
            p(&dir.join("root-crl.der")),
        ],
    );
    lint_clean("lint_ocsp_response", &["lint", p(&resp)]);
    let (_, text) = run(
        "openssl",
        &["ocsp", "-respin", p(&resp), "-resp_text", "-noverify"],
    );
    assert!(
        text.contains("OCSP Signing") && text.contains("OCSP No Check"),
        "{text}"
    );
    let begin = text
        .find("-----BEGIN CERTIFICATE-----")
        .expect("responder certificate in the response");
    let end = text.find("-----END CERTIFICATE-----").unwrap() + "-----END CERTIFICATE-----".len();
    let responder = write(
        dir,
        "responder.pem",
        format!("{}\n", &text[begin..end]).as_bytes(),
    );
    lint_clean("lint_pkix_cert", &["lint", p(&responder)]);

    // A serial we never issued is unknown; a malformed request is malformedRequest.
    let text = openssl_ocsp(
        base,
        &issuing,
        &chain,
        &["-serial", "0x7f0011223344"],
        &dir.join("unknown.der"),
    );
    assert!(text.contains(": unknown"), "{text}");
    let resp = reqwest::Client::new()
        .post(format!("{base}/ocsp"))
        .header("content-type", "application/ocsp-request")
        .body(vec![0x30, 0x80, 0xff, 0x00])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "application/ocsp-response");
    assert_eq!(
        resp.bytes().await.unwrap().as_ref(),
        [0x30, 0x03, 0x0a, 0x01, 0x01]
    );
    let (_, ct, bytes) = get(&format!("{base}/ocsp/not%20base64")).await;
    assert_eq!(
        (ct.as_str(), bytes.as_slice()),
        (
            "application/ocsp-response",
            [0x30, 0x03, 0x0a, 0x01, 0x01].as_slice()
        )
    );

    // nginx and Java admit the certificate.
    let nginx_crl = Nginx::start(dir, "nginx-crl", &chain, &format!("ssl_crl {};", p(&crls)));
    let nginx_ocsp = Nginx::start(
        dir,
        "nginx-ocsp",
        &chain,
        &format!("ssl_ocsp leaf;\n  ssl_ocsp_responder {base}/ocsp;"),
    );
    let (code, body) = nginx_crl.curl(p12, pw);
    assert_eq!(
        code, "200",
        "nginx with ssl_crl refused a valid certificate: {body}"
    );
    let (code, body) = nginx_ocsp.curl(p12, pw);
    assert_eq!(
        code, "200",
        "nginx with ssl_ocsp refused a valid certificate: {body}"
    );
    let javac = javac.wait_with_output().unwrap();
    assert!(javac.status.success(), "javac failed");
    let (ok, text) = java(&classes, &root, &issuing, leaf);
    assert!(
        ok && text.contains("VALID"),
        "Java PKIX refused a valid certificate:\n{text}"
    );

    // Revoked in the console, with the day the key was found compromised (yesterday, JST):
    // OCSP says so within seconds.
    let yesterday = (time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+9))
        - time::Duration::days(1))
    .date()
    .to_string();
    bed.revoke_in_console("keyCompromise", &yesterday).await;
    // The office is told: a mail (and a notice) naming the certificate, when, why, what next.
    let start = Instant::now();
    let told = loop {
        let found = common::mail::mails(&bed.data)
            .into_iter()
            .find(|m| m.body.contains("次の証明書を失効しました"));
        if let Some(m) = found {
            break m;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no revocation mail"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        told.to.contains("office-a@example.jp")
            && told.body.contains("介護DX証明書（シリアル番号")
            && told.body.contains("秘密鍵が漏えいしたおそれがあるため")
            && told.body.contains("新しい証明書を申請"),
        "{}",
        told.body
    );
    let start = Instant::now();
    let revoked = loop {
        let text = openssl_ocsp(
            base,
            &issuing,
            &chain,
            &["-cert", p(leaf)],
            &dir.join("revoked.der"),
        );
        if text.contains(": revoked") {
            break text;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "still not revoked:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert!(
        revoked.contains("Reason: keyCompromise") && revoked.contains("Revocation Time"),
        "{revoked}"
    );
    lint_clean("lint_ocsp_response", &["lint", p(&dir.join("revoked.der"))]);

    // The published CRL lists it with its reason, under a larger number, within seconds.
    let (crl_der, text) = loop {
        let (_, _, crl) = get(&format!("{base}/ca/e-seikyuu-ca.crl")).await;
        let crl_der = write(dir, "crl2.der", &crl);
        let (_, text) = run(
            "openssl",
            &[
                "crl",
                "-inform",
                "DER",
                "-in",
                p(&crl_der),
                "-noout",
                "-text",
            ],
        );
        if text.contains(&format!("Serial Number: {serial}")) {
            break (crl_der, text);
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "not in the CRL yet:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert!(
        text.contains("Key Compromise")
            && text.contains("Invalidity Date")
            && !text.contains("CRL Number: \n                1\n"),
        "{text}"
    );
    lint_clean(
        "lint_crl",
        &["lint", "-t", "CRL", "-p", "PKIX", p(&crl_der)],
    );
    let (_, crls2) = {
        let (_, _, root_crl) = get(&format!("{base}/ca/e-seikyuu-root.crl")).await;
        let root_crl = write(dir, "root-crl2.der", &root_crl);
        let crl_pem = dir.join("crl2.pem");
        let root_pem = dir.join("root-crl2.pem");
        run(
            "openssl",
            &[
                "crl",
                "-inform",
                "DER",
                "-in",
                p(&crl_der),
                "-out",
                p(&crl_pem),
            ],
        );
        run(
            "openssl",
            &[
                "crl",
                "-inform",
                "DER",
                "-in",
                p(&root_crl),
                "-out",
                p(&root_pem),
            ],
        );
        let both = dir.join("crls2.pem");
        std::fs::write(
            &both,
            [
                std::fs::read(&crl_pem).unwrap(),
                std::fs::read(&root_pem).unwrap(),
            ]
            .concat(),
        )
        .unwrap();
        ((), both)
    };
    let (ok, text) = verify(&crls2);
    assert!(!ok && text.contains("certificate revoked"), "{text}");

    // nginx (CRL reloaded, OCSP live) and Java refuse it.
    drop(nginx_crl);
    let nginx_crl = Nginx::start(
        dir,
        "nginx-crl2",
        &chain,
        &format!("ssl_crl {};", p(&crls2)),
    );
    let (code, body) = nginx_crl.curl(p12, pw);
    assert_eq!(
        code, "400",
        "nginx with ssl_crl admitted a revoked certificate: {body}"
    );
    let (code, body) = nginx_ocsp.curl(p12, pw);
    assert_eq!(
        code, "400",
        "nginx with ssl_ocsp admitted a revoked certificate: {body}"
    );
    let (ok, text) = java(&classes, &root, &issuing, leaf);
    assert!(
        !ok && text.contains("REVOKED"),
        "Java PKIX admitted a revoked certificate:\n{text}"
    );
}
