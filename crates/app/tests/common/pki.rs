//! The relying side's test bed: an office with an issued 介護DX証明書 on a server whose URLs
//! answer, and the independent clients (OpenSSL, pkilint, nginx, Java, curl) that judge it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kaigo_pki::walk::Walker;

use super::{Server, free_port, kaigo_with, run, write};

pub fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// No finding of ERROR or FATAL severity (pkilint exits non-zero for INFO findings too).
pub fn lint_clean(tool: &str, args: &[&str]) {
    let (_, out) = run(tool, args);
    assert!(
        !out.contains("(ERROR)") && !out.contains("(FATAL)") && !out.contains("Traceback"),
        "{tool} {args:?}:\n{out}"
    );
}

pub async fn get(url: &str) -> (u16, String, Vec<u8>) {
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
pub async fn fetch_public(base: &str, dir: &Path) -> (PathBuf, PathBuf, PathBuf, PathBuf) {
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
pub fn openssl_ocsp(
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
pub struct Nginx {
    child: Child,
    port: u16,
}

impl Nginx {
    pub fn start(dir: &Path, name: &str, chain: &Path, extra: &str) -> Self {
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
    pub fn curl(&self, p12: &Path, password: &str) -> (String, String) {
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
pub fn curl_check(url: &str, root: &Path, extra: &[&str]) -> (String, String) {
    let mut args = vec!["-s", "--cacert", p(root), "-w", "\n%{http_code}"];
    args.extend_from_slice(extra);
    args.push(url);
    let (_, out) = run("curl", &args);
    let (body, code) = out.trim_end().rsplit_once('\n').unwrap_or(("", out.trim()));
    (code.to_owned(), body.to_owned())
}

/// An example relying service (`kaigo-pki relying`) as a child process.
pub struct Relying {
    child: Child,
    port: u16,
}

impl Relying {
    pub fn start(ca_url: &str, service: &str) -> Self {
        let port = free_port();
        let child = Command::new(super::BIN)
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

    pub fn curl(&self, extra: &[&str]) -> (String, String) {
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

pub fn java(classes: &Path, root: &Path, issuing: &Path, leaf: &Path) -> (bool, String) {
    let o = Command::new("java")
        .args(["-cp", p(classes), "PkixCheck", p(root), p(issuing), p(leaf)])
        .output()
        .expect("run java");
    let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&o.stderr));
    (o.status.success(), text)
}

/// Starts compiling the Java relying party into `dir/classes` (it runs while the CA starts).
pub fn javac(dir: &Path) -> (Child, PathBuf) {
    let classes = dir.join("classes");
    let child = Command::new("javac")
        .args(["-d", p(&classes)])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/java/PkixCheck.java"
        ))
        .spawn()
        .expect("javac");
    (child, classes)
}

/// A server (HTTP and HTTPS) and an office holding its downloaded 介護DX証明書.
pub struct Issued {
    pub tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub data: PathBuf,
    pub base: String,
    /// The HTTPS 「証明書の確認」 page.
    pub check: String,
    pub tls_port: u16,
    pub server: Server,
    pub p12: PathBuf,
    pub pw: String,
    pub leaf: PathBuf,
    pub serial: String,
    /// Environment every command of this bed gets besides the public URL (e.g. the HSM).
    pub extra_env: Vec<(String, String)>,
}

impl Issued {
    pub fn env(&self) -> Vec<(&str, &str)> {
        let mut env = vec![("KAIGO_PKI_PUBLIC_URL", self.base.as_str())];
        env.extend(self.extra_env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        env
    }

    /// Revokes the certificate in the admin console, as a 国保中央会 operator would: search by
    /// serial, open it, choose the reason, give the invalidity date, confirm.
    pub async fn revoke_in_console(&self, reason: &str, invalidity_date: &str) {
        let admin = super::add_admin(&self.data, "central-revoker", None);
        let w = Walker::new(&self.base).unwrap();
        let s = |k: &str| admin[k].as_str().unwrap().to_owned();
        w.admin_login(&s("login"), &s("password"), &s("totp_secret"))
            .await
            .unwrap();
        let list = w
            .get(&format!("/admin/certificates?serial={}", self.serial))
            .await
            .unwrap();
        let start = list
            .html
            .find("href=\"/admin/certificates/")
            .expect("the certificate is listed")
            + "href=\"".len();
        let end = start + list.html[start..].find('"').unwrap();
        let detail_path = list.html[start..end].to_owned();
        let detail = w.get(&detail_path).await.unwrap();
        assert!(detail.contains("id=\"revoke-form\""), "{}", detail.html);
        let done = w
            .post(
                &detail,
                &format!("{detail_path}/revoke"),
                &[
                    ("reason", reason),
                    ("invalidity_date", invalidity_date),
                    ("confirm", "yes"),
                ],
            )
            .await
            .unwrap();
        assert_eq!(done.status, 200, "{}", done.html);
        assert!(done.path.starts_with(&detail_path), "{}", done.path);
    }

    /// Revokes the certificate with the CLI (another process than the server).
    pub fn revoke(&self, reason: &str) {
        let o = kaigo_with(
            &self.data,
            &["cert", "revoke", &self.serial, "--reason", reason],
            &self.env(),
        );
        assert!(o.status.success(), "{}", super::stderr(&o));
    }
}

/// Initialises a CA whose certificates name this server's URLs, registers an office, serves
/// HTTP and HTTPS, and walks the office through manual 3-1 to its .p12.
pub async fn issue_dx() -> Issued {
    issue_dx_with(tempfile::tempdir().unwrap(), &[]).await
}

/// As [`issue_dx`] in `tmp`, every command run with `extra_env` too.
pub async fn issue_dx_with(tmp: tempfile::TempDir, extra_env: &[(&str, &str)]) -> Issued {
    issue_dx_after(tmp, extra_env, |data, env| {
        let o = kaigo_with(data, &["init"], env);
        assert!(o.status.success(), "{}", super::stderr(&o));
    })
    .await
}

/// As [`issue_dx_with`], with the data dir made by `init` (given the data dir and the
/// environment, which names the server's public URL).
pub async fn issue_dx_after(
    tmp: tempfile::TempDir,
    extra_env: &[(&str, &str)],
    init: impl FnOnce(&Path, &[(&str, &str)]),
) -> Issued {
    let dir = tmp.path().to_owned();
    let data = dir.join("data");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut env = vec![("KAIGO_PKI_PUBLIC_URL", base.as_str())];
    env.extend_from_slice(extra_env);
    init(&data, &env);
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
            "--email",
            "office-a@example.jp",
            "--json",
        ],
        &env,
    );
    assert!(o.status.success(), "{}", super::stderr(&o));
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
    let p12 = write(&dir, "office.p12", &file.bytes);
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

    Issued {
        tmp,
        dir,
        data,
        base,
        check,
        tls_port,
        server,
        p12,
        pw,
        leaf,
        serial,
        extra_env: extra_env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

/// Headless Chromium as an office PC: the .p12 imported into its NSS database (as the office
/// imports it into Windows), our root trusted for the HTTPS page, and the managed policy
/// `AutoSelectCertificateForUrls` choosing the e-seikyuu CA certificate (the office clicks
/// 【OK】 in 証明書の選択). The policy file is removed when this is dropped.
pub struct Chromium {
    home: PathBuf,
    policy: PathBuf,
}

impl Chromium {
    pub fn new(dir: &Path, p12: &Path, pw: &str, root_pem: &Path, origin: &str, tag: u16) -> Self {
        let home = dir.join("chromium-home");
        let db = home.join(".pki/nssdb");
        std::fs::create_dir_all(&db).unwrap();
        let db_arg = format!("sql:{}", p(&db));
        let (ok, text) = run("certutil", &["-N", "-d", &db_arg, "--empty-password"]);
        assert!(ok, "certutil -N: {text}");
        let (ok, text) = run("pk12util", &["-i", p(p12), "-d", &db_arg, "-W", pw]);
        assert!(ok, "pk12util: {text}");
        let (ok, text) = run(
            "certutil",
            &[
                "-A",
                "-d",
                &db_arg,
                "-n",
                "e-seikyuu root",
                "-t",
                "CT,,",
                "-i",
                p(root_pem),
            ],
        );
        assert!(ok, "certutil -A: {text}");
        let policy_dir = Path::new("/etc/chromium/policies/managed");
        std::fs::create_dir_all(policy_dir).unwrap_or_else(|e| {
            panic!("Chromium's managed policy directory needs root ({e}); run the suite as root (.ci/run does)")
        });
        let policy = policy_dir.join(format!("kaigo-pki-check-{tag}.json"));
        let rule =
            serde_json::json!({"pattern": origin, "filter": {"ISSUER": {"CN": "e-seikyuu CA"}}});
        let body = serde_json::json!({"AutoSelectCertificateForUrls": [rule.to_string()]});
        std::fs::write(&policy, body.to_string()).unwrap();
        Self { home, policy }
    }

    fn run(&self, extra: &[&str], url: &str) -> Vec<u8> {
        let profile = tempfile::tempdir().unwrap();
        let user_data = format!("--user-data-dir={}", p(profile.path()));
        let mut args = vec![
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &user_data,
        ];
        args.extend_from_slice(extra);
        args.push(url);
        Command::new("chromium")
            .env("HOME", &self.home)
            .args(&args)
            .stderr(Stdio::null())
            .output()
            .expect("run chromium")
            .stdout
    }

    /// The page's DOM after loading `url` in a fresh browser process.
    pub fn dump_dom(&self, url: &str) -> String {
        String::from_utf8_lossy(&self.run(&["--dump-dom"], url)).into_owned()
    }

    /// A screenshot of `url` at `width`x`height` into target/screenshots/`name`.png.
    pub fn screenshot(&self, url: &str, name: &str, width: u32, height: u32) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let shot = format!("--screenshot={}", p(&dir.join(format!("{name}.png"))));
        let size = format!("--window-size={width},{height}");
        self.run(&[&shot, &size, "--hide-scrollbars"], url);
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.policy);
    }
}
