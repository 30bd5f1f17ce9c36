//! Revocation as relying parties see it, with nothing mocked: an office gets its certificate
//! over HTTP, then OpenSSL, pkilint, nginx (once with `ssl_crl`, once with `ssl_ocsp`) and
//! the JDK's PKIX validator admit it, using only the URLs written into the certificates; the
//! certificate is revoked with the CLI, and each of them refuses it within seconds.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Server, free_port, kaigo_with, require_tool, run, write};
use kaigo_pki::walk::Walker;

fn check_tools() {
    require_tool("openssl", "apt-get install openssl");
    require_tool("curl", "apt-get install curl");
    require_tool("nginx", "apt-get install nginx-light");
    require_tool("javac", "apt-get install default-jdk-headless");
    require_tool("lint_crl", "pip install pkilint");
    require_tool("lint_ocsp_response", "pip install pkilint");
    require_tool("lint_pkix_cert", "pip install pkilint");
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// No finding of ERROR or FATAL severity (pkilint exits non-zero for INFO findings too).
fn lint_clean(tool: &str, args: &[&str]) {
    let (_, out) = run(tool, args);
    assert!(
        !out.contains("(ERROR)") && !out.contains("(FATAL)") && !out.contains("Traceback"),
        "{tool} {args:?}:\n{out}"
    );
}

async fn get(url: &str) -> (u16, String, Vec<u8>) {
    let resp = reqwest::get(url).await.unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, resp.bytes().await.unwrap().to_vec())
}

/// Fetches the CA material from the public URLs and writes PEM files for the tools.
async fn fetch_public(base: &str, dir: &Path) -> (PathBuf, PathBuf, PathBuf, PathBuf) {
    let (status, ct, issuing) = get(&format!("{base}/ca/e-seikyuu-ca.crt")).await;
    assert_eq!((status, ct.as_str()), (200, "application/pkix-cert"));
    let (status, _, root) = get(&format!("{base}/ca/e-seikyuu-root.crt")).await;
    assert_eq!(status, 200);
    let (status, ct, crl) = get(&format!("{base}/ca/e-seikyuu-ca.crl")).await;
    assert_eq!((status, ct.as_str()), (200, "application/pkix-crl"));
    let (status, ct, root_crl) = get(&format!("{base}/ca/e-seikyuu-root.crl")).await;
    assert_eq!((status, ct.as_str()), (200, "application/pkix-crl"));
    let der = |name: &str, bytes: &[u8]| write(dir, name, bytes);
    let to_pem = |kind: &str, name: &str, from: &Path| {
        let out = dir.join(name);
        let (ok, text) = run(
            "openssl",
            &[kind, "-inform", "DER", "-in", p(from), "-out", p(&out)],
        );
        assert!(ok, "{text}");
        out
    };
    let issuing_pem = to_pem("x509", "issuing.pem", &der("issuing.der", &issuing));
    let root_pem = to_pem("x509", "root.pem", &der("root.der", &root));
    let crl_pem = to_pem("crl", "crl.pem", &der("crl.der", &crl));
    let root_crl_pem = to_pem("crl", "root-crl.pem", &der("root-crl.der", &root_crl));
    let crls = dir.join("crls.pem");
    std::fs::write(
        &crls,
        [
            std::fs::read(&crl_pem).unwrap(),
            std::fs::read(&root_crl_pem).unwrap(),
        ]
        .concat(),
    )
    .unwrap();
    let chain = dir.join("chain.pem");
    std::fs::write(
        &chain,
        [
            std::fs::read(&issuing_pem).unwrap(),
            std::fs::read(&root_pem).unwrap(),
        ]
        .concat(),
    )
    .unwrap();
    (issuing_pem, root_pem, chain, crls)
}

/// `openssl ocsp` against our responder: the status line, after verifying the response
/// (delegated responder, chain to the root) and with a nonce.
fn openssl_ocsp(
    base: &str,
    issuing: &Path,
    chain: &Path,
    cert_args: &[&str],
    out: &Path,
) -> String {
    let url = format!("{base}/ocsp");
    let mut args = vec!["ocsp", "-issuer", p(issuing)];
    args.extend_from_slice(cert_args);
    args.extend_from_slice(&["-url", &url, "-CAfile", p(chain), "-respout", p(out)]);
    let (ok, text) = run("openssl", &args);
    assert!(ok, "openssl ocsp failed:\n{text}");
    assert!(text.contains("Response verify OK"), "{text}");
    assert!(
        !text.contains("WARNING: no nonce"),
        "nonce not echoed:\n{text}"
    );
    text
}

/// nginx as an independent relying party on `port`, with the extra TLS lines given.
struct Nginx {
    child: Child,
    port: u16,
}

impl Nginx {
    fn start(dir: &Path, name: &str, chain: &Path, extra: &str) -> Self {
        let prefix = dir.join(name);
        std::fs::create_dir_all(prefix.join("logs")).unwrap();
        let key = prefix.join("srv.key");
        let cert = prefix.join("srv.pem");
        let (ok, text) = run(
            "openssl",
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=127.0.0.1",
                "-days",
                "1",
                "-keyout",
                p(&key),
                "-out",
                p(&cert),
            ],
        );
        assert!(ok, "{text}");
        let port = free_port();
        let conf = format!(
            "daemon off;\nmaster_process off;\nerror_log {logs}/error.log info;\npid {logs}/nginx.pid;\n\
             events {{}}\nhttp {{\n access_log off;\n client_body_temp_path {logs};\n\
             server {{\n  listen 127.0.0.1:{port} ssl;\n  ssl_certificate {cert};\n  ssl_certificate_key {key};\n\
             ssl_verify_client on;\n  ssl_verify_depth 2;\n  ssl_client_certificate {chain};\n  {extra}\n\
             location / {{ return 200 \"admitted $ssl_client_serial\\n\"; }}\n }}\n}}\n",
            logs = p(&prefix.join("logs")),
            cert = p(&cert),
            key = p(&key),
            chain = p(chain),
        );
        let conf_path = write(&prefix, "nginx.conf", conf.as_bytes());
        let (ok, text) = run("nginx", &["-t", "-p", p(&prefix), "-c", p(&conf_path)]);
        assert!(ok, "nginx -t:\n{text}\n{conf}");
        let child = Command::new("nginx")
            .args(["-p", p(&prefix), "-c", p(&conf_path)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "nginx did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port }
    }

    /// curl with the office's .p12, as a client that presents it: HTTP status and body.
    fn curl(&self, p12: &Path, password: &str) -> (String, String) {
        let (_, out) = run(
            "curl",
            &[
                "-sk",
                "--cert-type",
                "P12",
                "--cert",
                &format!("{}:{password}", p(p12)),
                "-w",
                "\n%{http_code}",
                &format!("https://127.0.0.1:{}/", self.port),
            ],
        );
        let (body, code) = out.trim_end().rsplit_once('\n').unwrap_or(("", out.trim()));
        (code.to_owned(), body.to_owned())
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// curl against an HTTPS page, trusting `root`: (status, body).
fn curl_check(url: &str, root: &Path, extra: &[&str]) -> (String, String) {
    let mut args = vec!["-s", "--cacert", p(root), "-w", "\n%{http_code}"];
    args.extend_from_slice(extra);
    args.push(url);
    let (_, out) = run("curl", &args);
    let (body, code) = out.trim_end().rsplit_once('\n').unwrap_or(("", out.trim()));
    (code.to_owned(), body.to_owned())
}

/// An example relying service (`kaigo-pki relying`) as a child process.
struct Relying {
    child: Child,
    port: u16,
}

impl Relying {
    fn start(ca_url: &str, service: &str) -> Self {
        let port = free_port();
        let child = Command::new(common::BIN)
            .args([
                "relying",
                "--service",
                service,
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--ca-url",
                ca_url,
            ])
            .env("KAIGO_PKI_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("start kaigo-pki relying");
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "relying service did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port }
    }

    fn curl(&self, extra: &[&str]) -> (String, String) {
        let mut args = vec!["-sk", "-w", "\n%{http_code}"];
        args.extend_from_slice(extra);
        let url = format!("https://127.0.0.1:{}/", self.port);
        args.push(&url);
        let (_, out) = run("curl", &args);
        let (body, code) = out.trim_end().rsplit_once('\n').unwrap_or(("", out.trim()));
        (code.to_owned(), body.to_owned())
    }
}

impl Drop for Relying {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn java(classes: &Path, root: &Path, issuing: &Path, leaf: &Path) -> (bool, String) {
    let o = Command::new("java")
        .args(["-cp", p(classes), "PkixCheck", p(root), p(issuing), p(leaf)])
        .output()
        .expect("run java");
    let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&o.stderr));
    (o.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relying_parties_admit_a_valid_certificate_and_refuse_it_once_revoked() {
    check_tools();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let data = dir.join("data");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let env = [("KAIGO_PKI_PUBLIC_URL", base.as_str())];

    // The Java relying party compiles while the CA starts.
    let classes = dir.join("classes");
    let javac = Command::new("javac")
        .args(["-d", p(&classes)])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/java/PkixCheck.java"
        ))
        .spawn()
        .expect("javac");

    let o = kaigo_with(&data, &["init"], &env);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let o = kaigo_with(
        &data,
        &[
            "office",
            "add",
            "--postal-code",
            "100-0001",
            "--address",
            "東京都千代田区千代田1-1",
            "--number",
            "1310000001",
            "--name",
            "請求事業所A",
            "--kind",
            "kaigo",
            "--prefecture",
            "13",
            "--json",
        ],
        &env,
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    let office: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = |k: &str| office[k].as_str().unwrap().to_owned();
    let tls_port = free_port();
    let server = Server::start_args(
        &data,
        &[
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--tls-listen",
            &format!("127.0.0.1:{tls_port}"),
        ],
        &env,
    );
    assert_eq!(server.base, base);
    let check = format!("https://127.0.0.1:{tls_port}/check");

    // The office gets its 介護DX証明書 as the manual says.
    let w = Walker::new(&base).unwrap();
    w.login(&s("user_id"), &s("login_password")).await.unwrap();
    w.change_password(&s("login_password"), "KaigoRevoke2026")
        .await
        .unwrap();
    w.apply_dx(&s("issuance_password")).await.unwrap();
    w.wait_for_issued(Duration::from_secs(60)).await.unwrap();
    let file = w.download_dx().await.unwrap();
    assert_eq!(file.status, 200);
    let p12 = write(dir, "office.p12", &file.bytes);
    let pw = s("issuance_password");
    let leaf = dir.join("leaf.pem");
    let (ok, text) = run(
        "openssl",
        &[
            "pkcs12",
            "-in",
            p(&p12),
            "-passin",
            &format!("pass:{pw}"),
            "-nokeys",
            "-clcerts",
            "-out",
            p(&leaf),
        ],
    );
    assert!(ok, "{text}");
    let (_, text) = run(
        "openssl",
        &["x509", "-in", p(&leaf), "-noout", "-text", "-serial"],
    );
    for url in ["/ca/e-seikyuu-ca.crl", "/ocsp", "/ca/e-seikyuu-ca.crt"] {
        assert!(
            text.contains(&format!("{base}{url}")),
            "{url} not in:\n{text}"
        );
    }
    let serial = text
        .lines()
        .find_map(|l| l.strip_prefix("serial="))
        .unwrap()
        .to_owned();

    // Everything a relying party needs is public (no login) at the URLs in the certificates.
    let (issuing, root, chain, crls) = fetch_public(&base, dir).await;
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
                p(&leaf),
            ],
        )
    };
    let (ok, text) = verify(&crls);
    assert!(
        ok,
        "openssl verify -crl_check_all refused a valid certificate:\n{text}"
    );
    let resp = dir.join("good.der");
    let text = openssl_ocsp(&base, &issuing, &chain, &["-cert", p(&leaf)], &resp);
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
        &base,
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
    let (code, body) = nginx_crl.curl(&p12, &pw);
    assert_eq!(
        code, "200",
        "nginx with ssl_crl refused a valid certificate: {body}"
    );
    let (code, body) = nginx_ocsp.curl(&p12, &pw);
    assert_eq!(
        code, "200",
        "nginx with ssl_ocsp refused a valid certificate: {body}"
    );
    let javac = javac.wait_with_output().unwrap();
    assert!(javac.status.success(), "javac failed");
    let (ok, text) = java(&classes, &root, &issuing, &leaf);
    assert!(
        ok && text.contains("VALID"),
        "Java PKIX refused a valid certificate:\n{text}"
    );

    // `kaigo-pki verify` says usable, from the .p12 against the server and from the PEM
    // with the data dir's root and the certificate's own URLs.
    let o = kaigo_with(
        &data,
        &["verify", p(&p12), "--password", &pw, "--url", &base],
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
    let o = kaigo_with(&data, &["verify", p(&leaf), "--json"], &env);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["verdict"]["verdict"], "usable");
    let o = kaigo_with(
        &data,
        &["verify", p(&p12), "--password", "wrong-password1"],
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
    let (code, page) = curl_check(
        &check,
        &root_pem,
        &["--cert-type", "P12", "--cert", &format!("{}:{pw}", p(&p12))],
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
    let (code, page) = curl_check(&check, &root_pem, &[]);
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
        &check,
        &root_pem,
        &["--cert", p(&foreign_cert), "--key", p(&foreign_key)],
    );
    assert!(
        code == "200" && page.contains("e-seikyuu CA が発行した事業所の証明書ではありません"),
        "{page}"
    );
    let (_, plain) = curl_check(&format!("{base}/check"), &root_pem, &[]);
    assert!(
        plain.contains(&check),
        "the HTTP page links the HTTPS check:\n{plain}"
    );

    // The example relying services: 資格確認 admits the 介護DX証明書, 請求 does not.
    let eligibility = Relying::start(&base, "eligibility");
    let claims = Relying::start(&base, "claims");
    let p12_arg = format!("{}:{pw}", p(&p12));
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

    // Revoked for keyCompromise with the CLI (another process): OCSP says so within seconds.
    let o = kaigo_with(
        &data,
        &["cert", "revoke", &serial, "--reason", "keyCompromise"],
        &env,
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    let start = Instant::now();
    let revoked = loop {
        let text = openssl_ocsp(
            &base,
            &issuing,
            &chain,
            &["-cert", p(&leaf)],
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
        text.contains("Key Compromise") && !text.contains("CRL Number: \n                1\n"),
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
    let (code, body) = nginx_crl.curl(&p12, &pw);
    assert_eq!(
        code, "400",
        "nginx with ssl_crl admitted a revoked certificate: {body}"
    );
    let (code, body) = nginx_ocsp.curl(&p12, &pw);
    assert_eq!(
        code, "400",
        "nginx with ssl_ocsp admitted a revoked certificate: {body}"
    );
    let (ok, text) = java(&classes, &root, &issuing, &leaf);
    assert!(
        !ok && text.contains("REVOKED"),
        "Java PKIX admitted a revoked certificate:\n{text}"
    );
}
