//! No secret at rest or in the logs, shown: the whole flow runs (registration one by one and by
//! CSV with letters, admin login with TOTP, first login and password change, application,
//! issuance, download, issuance password reissue), with the server logging at debug level, and
//! then every file of the data dir, the database (with its WAL) and the log are searched for
//! every password used, the TOTP secret, and the private key of the issued certificate. None
//! may appear in plaintext.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{BIN, kaigo, run, s, stderr, write};
use kaigo_pki::walk::Walker;

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.len() <= haystack.len() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// `serve` with the log at debug level written to `log`.
struct LoggedServer {
    child: std::process::Child,
    base: String,
}

impl LoggedServer {
    fn start(data: &Path, log: &Path) -> Self {
        let port = common::free_port();
        let child = Command::new(BIN)
            .arg("--data-dir")
            .arg(data)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env_remove("KAIGO_PKI_CA_PASSPHRASE")
            .env("KAIGO_PKI_PKCS12_ITERATIONS", "20000")
            .env("KAIGO_PKI_LOG", "debug")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap();
        Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_password_totp_secret_or_private_key_is_stored_or_logged_in_plaintext() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let office = common::init_with_office(&data, "1310000001", Some("office@example.jp"));
    let o = kaigo(
        &data,
        &[
            "admin",
            "add",
            "--login",
            "central-ops",
            "--role",
            "central",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let admin: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();

    // Registration by CSV with its letters (written outside the data dir, as an operator
    // prints them): the passwords on the letters join the secrets searched for.
    let csv = write(
        tmp.path(),
        "offices.csv",
        "事業所番号,事業所名,種別,都道府県,郵便番号,住所,メールアドレス\n\
         1310000008,ひまわり介護,介護,13,100-0002,東京都千代田区2,\n\
         1310000009,あおば居宅,居宅,13,100-0003,東京都千代田区3,\n"
            .as_bytes(),
    );
    let letters = tmp.path().join("letters.pdf");
    let o = kaigo(
        &data,
        &[
            "office",
            "import",
            csv.to_str().unwrap(),
            "--letters",
            letters.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (ok, text) = run("pdftotext", &["-layout", letters.to_str().unwrap(), "-"]);
    assert!(ok, "{text}");
    let letter_passwords: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("仮パスワード") || l.starts_with("証明書発行用パスワード"))
        .filter_map(|l| l.split_whitespace().nth(1).map(str::to_owned))
        .collect();
    assert_eq!(
        letter_passwords.len(),
        4,
        "two letters, two passwords each:\n{text}"
    );

    let log = tmp.path().join("serve.log");
    let server = LoggedServer::start(&data, &log);
    let w = Walker::new(&server.base).unwrap();
    for _ in 0..100 {
        if w.get("/healthz").await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The console, with password and TOTP code.
    let a = Walker::new(&server.base).unwrap();
    a.admin_login(
        &s(&admin, "login"),
        &s(&admin, "password"),
        &s(&admin, "totp_secret"),
    )
    .await
    .unwrap();
    // The office: first login, password change, application, download.
    let login_pw = "Hygiene2026pw";
    w.login(&s(&office, "user_id"), &s(&office, "login_password"))
        .await
        .unwrap();
    w.change_password(&s(&office, "login_password"), login_pw)
        .await
        .unwrap();
    w.apply_dx(&s(&office, "issuance_password")).await.unwrap();
    w.wait_for_issued(Duration::from_secs(60)).await.unwrap();
    let file = w.download_dx().await.unwrap();
    assert_eq!(file.status, 200);
    let p12 = write(tmp.path(), "office.p12", &file.bytes);
    // Manual 4: the issuance password reissued (the new one travels in the encrypted ZIP).
    let confirm = w
        .get("/issuance-password/reissue?back=/dx/apply/password")
        .await
        .unwrap();
    let token = confirm.input_value("token").unwrap();
    let done = w
        .post(
            &confirm,
            "/issuance-password/reissue",
            &[("back", "/dx/apply/password"), ("token", &token)],
        )
        .await
        .unwrap();
    assert_eq!(done.path, "/issuance-password/reissue/done");
    server.stop();

    // The private key of the issued certificate, as PKCS#8 DER.
    let key_pem = tmp.path().join("key.pem");
    let (ok, text) = run(
        "openssl",
        &[
            "pkcs12",
            "-in",
            p12.to_str().unwrap(),
            "-passin",
            &format!("pass:{}", s(&office, "issuance_password")),
            "-nocerts",
            "-nodes",
            "-out",
            key_pem.to_str().unwrap(),
        ],
    );
    assert!(ok, "{text}");
    let key_der = tmp.path().join("key.der");
    let (ok, text) = run(
        "openssl",
        &[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            key_pem.to_str().unwrap(),
            "-outform",
            "DER",
            "-out",
            key_der.to_str().unwrap(),
        ],
    );
    assert!(ok, "{text}");
    let key = std::fs::read(&key_der).unwrap();
    // The middle of the key (inside the private exponent and primes), as a stored copy would
    // carry it whatever wrapping it had.
    let key_core = &key[key.len() / 2..key.len() / 2 + 64];

    let mut secrets: Vec<(&str, Vec<u8>)> = vec![
        (
            "first login password",
            s(&office, "login_password").into_bytes(),
        ),
        ("changed login password", login_pw.as_bytes().to_vec()),
        (
            "issuance password",
            s(&office, "issuance_password").into_bytes(),
        ),
        ("admin password", s(&admin, "password").into_bytes()),
        ("admin TOTP secret", s(&admin, "totp_secret").into_bytes()),
        ("certificate private key", key_core.to_vec()),
    ];
    for pw in &letter_passwords {
        secrets.push(("password on a registration letter", pw.clone().into_bytes()));
    }
    let mut searched = files(&data);
    searched.push(log.clone());
    assert!(
        searched.iter().any(|p| p.ends_with("kaigo.db")),
        "the database is searched"
    );
    let log_text = std::fs::read_to_string(&log).unwrap();
    assert!(
        log_text.contains("DEBUG") || log_text.contains("INFO"),
        "the log was written: {}",
        &log_text[..log_text.len().min(500)]
    );
    let mut found = Vec::new();
    for path in &searched {
        let bytes = std::fs::read(path).unwrap();
        for (what, secret) in &secrets {
            if contains(&bytes, secret) {
                found.push(format!("{what} in {}", path.display()));
            }
        }
    }
    assert!(found.is_empty(), "secrets in plaintext: {found:#?}");
    // The search can find what is stored: the (public) user ID is in the database files.
    let user_id = s(&office, "user_id").into_bytes();
    assert!(
        searched
            .iter()
            .filter(|p| p.to_string_lossy().contains("kaigo.db"))
            .any(|p| contains(&std::fs::read(p).unwrap(), &user_id)),
        "control: the user ID is found in the database"
    );
}
