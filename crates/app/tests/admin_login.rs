//! Issue 4 §1: admin accounts from the CLI (`kaigo-pki admin add`) and their TOTP secret.

mod common;

use common::{kaigo, stderr, stdout};

/// RFC 6238 TOTP (SHA-1, 30 s, 6 digits) through kaigo-core, first checked against the RFC's
/// own vectors so that a broken core cannot agree with itself.
fn totp_code(secret: &[u8], unix: i64) -> String {
    use kaigo_core::admin::totp;
    for (t, expected) in [
        (59, "287082"),
        (1_111_111_109, "081804"),
        (2_000_000_000, "279037"),
    ] {
        assert_eq!(totp::code_at(b"12345678901234567890", t), expected);
    }
    totp::code_at(secret, unix)
}

fn init(data: &std::path::Path) {
    let o = kaigo(data, &["init"]);
    assert!(o.status.success(), "init failed: {}", stderr(&o));
}

fn admin_add(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["admin", "add"];
    all.extend_from_slice(args);
    kaigo(data, &all)
}

fn one_line_error(o: &std::process::Output, needle: &str) {
    assert!(!o.status.success(), "must fail: {}", stdout(o));
    let err = stderr(o);
    assert!(err.contains(needle), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one-line reason: {err}");
    assert!(stdout(o).trim().is_empty(), "nothing on stdout");
}

#[test]
fn admin_add_prints_one_json_object_with_password_and_totp_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    init(&data);
    let o = admin_add(
        &data,
        &["--login", "central1", "--role", "central", "--json"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert!(v.is_object());
    assert_eq!(v["login"], "central1");
    let password = v["password"].as_str().unwrap();
    assert_eq!(password.len(), 16, "{password}");
    assert!(password.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert!(password.bytes().any(|b| b.is_ascii_digit()));
    assert!(password.bytes().any(|b| b.is_ascii_alphabetic()));
    let secret_b32 = v["totp_secret"].as_str().unwrap();
    assert!(!secret_b32.contains('='), "no padding: {secret_b32}");
    assert!(
        secret_b32
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)),
        "RFC 4648 base32: {secret_b32}"
    );
    let secret = kaigo_core::admin::totp::base32_decode(secret_b32).unwrap();
    assert_eq!(secret.len(), 20, "160-bit secret");
    assert_eq!(totp_code(&secret, 0).len(), 6);
    let uri = v["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    assert!(uri.contains(&format!("secret={secret_b32}")), "{uri}");
    assert!(uri.contains(":central1?"), "{uri}");

    // Neither the password nor the secret is stored in clear.
    for file in ["kaigo.db", "kaigo.db-wal"] {
        let Ok(bytes) = std::fs::read(data.join(file)) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(password), "password in clear in {file}");
        assert!(
            !text.contains(secret_b32),
            "base32 secret in clear in {file}"
        );
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_slice()),
            "raw secret in clear in {file}"
        );
    }

    // A federation admin.
    let o = admin_add(
        &data,
        &[
            "--login",
            "fed13",
            "--role",
            "federation",
            "--prefecture",
            "13",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let fed: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(fed["login"], "fed13");
    assert_eq!(fed["prefecture"], "13");
    assert_ne!(fed["totp_secret"], v["totp_secret"]);
    assert_ne!(fed["password"], v["password"]);
}

#[test]
fn admin_add_validations_are_one_line_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    init(&data);
    one_line_error(
        &admin_add(&data, &["--login", "fed", "--role", "federation", "--json"]),
        "--prefecture",
    );
    for bad in ["00", "48", "x", "130"] {
        one_line_error(
            &admin_add(
                &data,
                &[
                    "--login",
                    "fed",
                    "--role",
                    "federation",
                    "--prefecture",
                    bad,
                ],
            ),
            "01-47",
        );
    }
    one_line_error(
        &admin_add(
            &data,
            &["--login", "c1x", "--role", "central", "--prefecture", "13"],
        ),
        "omit --prefecture",
    );
    one_line_error(
        &admin_add(&data, &["--login", "c1x", "--role", "root"]),
        "central or federation",
    );
    one_line_error(
        &admin_add(&data, &["--login", "a b", "--role", "central"]),
        "--login",
    );
    let first = admin_add(
        &data,
        &["--login", "central1", "--role", "central", "--json"],
    );
    assert!(first.status.success(), "{}", stderr(&first));
    one_line_error(
        &admin_add(
            &data,
            &["--login", "central1", "--role", "central", "--json"],
        ),
        "already exists",
    );
}

/// The two login steps through the service, in process: password, code, replay, lockout.
#[tokio::test]
async fn password_then_code_with_replay_refused_and_lockout() {
    use kaigo_core::admin::login::{AdminService, AdminStep};
    use secrecy::ExposeSecret;

    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    init(&data);
    let dir = kaigo_pki::datadir::DataDir::new(data.clone());
    let app = kaigo_pki::wiring::open(&dir, false).await.unwrap();
    let svc = AdminService::new(app.services.deps.clone());
    let created = svc
        .add(
            kaigo_core::admin::AdminLogin::parse("central1").unwrap(),
            kaigo_core::admin::AdminRole::Central,
            &kaigo_core::actor::Actor::Cli,
        )
        .await
        .unwrap();
    let password = created.password.expose_secret().to_owned();
    let secret =
        kaigo_core::admin::totp::base32_decode(created.totp_secret.expose_secret()).unwrap();

    // Step 1.
    let AdminStep::Ok(admin) = svc
        .check_password("central1", &password, "test")
        .await
        .unwrap()
    else {
        panic!("the right password passes")
    };
    assert!(!admin.totp_confirmed, "not enrolled yet");

    // Step 2 with the code computed from the printed secret.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let code = totp_code(&secret, now);
    let AdminStep::Ok(done) = svc.check_code(admin.id, &code, "test").await.unwrap() else {
        panic!("the right code passes")
    };
    assert!(done.totp_confirmed, "enrolment confirmed");
    // The same code (same time step) is refused as reused, and does not count as a guess.
    for _ in 0..5 {
        assert!(matches!(
            svc.check_code(admin.id, &code, "test").await.unwrap(),
            AdminStep::Reused
        ));
    }

    // Wrong codes count on their own: a right password in between does not clear them, and
    // the third locks the account, the password step included.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..2 {
        assert!(matches!(
            svc.check_code(admin.id, wrong, "test").await.unwrap(),
            AdminStep::Wrong
        ));
        assert!(matches!(
            svc.check_password("central1", &password, "test")
                .await
                .unwrap(),
            AdminStep::Ok(_)
        ));
    }
    assert!(matches!(
        svc.check_code(admin.id, wrong, "test").await.unwrap(),
        AdminStep::Locked(_)
    ));
    assert!(matches!(
        svc.check_password("central1", &password, "test")
            .await
            .unwrap(),
        AdminStep::Locked(_)
    ));

    // Three wrong passwords lock another account; the right one is then refused too.
    let fed = svc
        .add(
            kaigo_core::admin::AdminLogin::parse("fed27").unwrap(),
            kaigo_core::admin::AdminRole::parse("federation", Some("27")).unwrap(),
            &kaigo_core::actor::Actor::Cli,
        )
        .await
        .unwrap();
    for expected_locked in [false, false, true] {
        let step = svc
            .check_password("fed27", "wrong-password", "test")
            .await
            .unwrap();
        assert_eq!(
            matches!(step, AdminStep::Locked(_)),
            expected_locked,
            "{step:?}"
        );
    }
    assert!(matches!(
        svc.check_password("fed27", fed.password.expose_secret(), "test")
            .await
            .unwrap(),
        AdminStep::Locked(_)
    ));
    // An unknown login answers like a wrong password.
    assert!(matches!(
        svc.check_password("nobody", "x", "test").await.unwrap(),
        AdminStep::Wrong
    ));
    app.store.close().await;
}

/// The web login over HTTP: /admin/login, enrolment with the QR code, the code step, the
/// console, replay and lockout, and the separation of office and admin sessions.
mod web {
    use super::*;
    use kaigo_pki::datadir::DataDir;
    use kaigo_pki::walk::{Page, Walker};
    use kaigo_pki::{serve, wiring};

    fn now() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    }

    fn add(data: &std::path::Path, args: &[&str]) -> serde_json::Value {
        let o = admin_add(data, args);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str(stdout(&o).trim()).unwrap()
    }

    fn s(v: &serde_json::Value, k: &str) -> String {
        v[k].as_str().unwrap().to_owned()
    }

    async fn password_step(w: &Walker, login: &str, password: &str) -> Page {
        let form = w.get("/admin/login").await.unwrap();
        assert!(form.contains("ログインID") && form.contains("パスワード"));
        assert_eq!(form.label_for("login").as_deref(), Some("ログインID"));
        w.post(
            &form,
            "/admin/login",
            &[("login", login), ("password", password)],
        )
        .await
        .unwrap()
    }

    async fn code_step(w: &Walker, from: &Page, code: &str) -> Page {
        w.post(from, "/admin/login/code", &[("code", code)])
            .await
            .unwrap()
    }

    /// A code that is wrong now (neither the current step nor its neighbours).
    fn wrong_code(secret: &[u8]) -> String {
        let t = now();
        let valid: Vec<String> = (-2..=2).map(|d| totp_code(secret, t + 30 * d)).collect();
        (0..10)
            .map(|d| format!("{d}{d}{d}{d}{d}{d}"))
            .find(|c| !valid.contains(c))
            .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn admin_login_over_http() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let office = common::init_with_office(&data, "1310000001", None);
        let central = add(
            &data,
            &["--login", "central1", "--role", "central", "--json"],
        );
        let fed = add(
            &data,
            &[
                "--login",
                "fed13",
                "--role",
                "federation",
                "--prefecture",
                "13",
                "--json",
            ],
        );
        let locked_by_code = add(&data, &["--login", "lockme", "--role", "central", "--json"]);
        let app = wiring::open(&DataDir::new(data.clone()), true)
            .await
            .unwrap();
        let running = serve::start(app, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let base = format!("http://{}", running.addr);

        // Not logged in: the console sends to the admin login.
        let w = Walker::new(&base).unwrap();
        assert_eq!(w.get("/admin").await.unwrap().path, "/admin/login");

        // First login: password, then the code step. The key was shown once to whoever
        // created the account (here the CLI); the login page never shows it, so knowing the
        // password alone does not give the second factor.
        let secret_b32 = s(&central, "totp_secret");
        let secret = kaigo_core::admin::totp::base32_decode(&secret_b32).unwrap();
        let enrol = password_step(&w, "central1", &s(&central, "password")).await;
        assert_eq!(enrol.path, "/admin/login/code", "{}", enrol.html);
        assert!(
            !enrol.contains(&secret_b32),
            "the key is never on the login page"
        );
        assert!(!enrol.contains("<svg"), "no QR code on the login page");
        assert!(
            !enrol.contains("otpauth"),
            "no otpauth URI on the login page"
        );
        assert!(enrol.contains("初回のログインです"), "{}", enrol.html);
        assert!(enrol.contains("認証コード"));
        // Before the code, the console stays closed.
        assert_eq!(w.get("/admin").await.unwrap().path, "/admin/login");
        let enrol = w.get("/admin/login/code").await.unwrap();
        let code = totp_code(&secret, now());
        let console = code_step(&w, &enrol, &code).await;
        assert_eq!(console.path, "/admin", "{}", console.html);
        assert!(console.contains("管理メニュー"));
        assert!(console.contains("central1"));
        assert!(console.contains("国保中央会"));
        assert!(console.contains("action=\"/admin/logout\"") && console.contains("ログアウト"));

        // An admin session does not open office pages.
        assert_eq!(w.get("/top").await.unwrap().path, "/login");

        // Replay: the same code in another browser is refused.
        let other = Walker::new(&base).unwrap();
        let step = password_step(&other, "central1", &s(&central, "password")).await;
        assert_eq!(step.path, "/admin/login/code");
        assert!(
            !step.contains(&secret_b32),
            "enrolled: the secret is not shown again"
        );
        let replay = code_step(&other, &step, &code).await;
        assert_eq!(replay.path, "/admin/login/code");
        assert!(replay.contains("使用済み"), "{}", replay.html);
        assert_eq!(other.get("/admin").await.unwrap().path, "/admin/login");

        // Logout ends the admin session.
        let console = w.get("/admin").await.unwrap();
        let out = w.post(&console, "/admin/logout", &[]).await.unwrap();
        assert_eq!(out.path, "/admin/login");
        assert_eq!(w.get("/admin").await.unwrap().path, "/admin/login");

        // A federation admin sees its prefecture.
        let fw = Walker::new(&base).unwrap();
        let fsecret = kaigo_core::admin::totp::base32_decode(&s(&fed, "totp_secret")).unwrap();
        let step = password_step(&fw, "fed13", &s(&fed, "password")).await;
        let console = code_step(&fw, &step, &totp_code(&fsecret, now())).await;
        assert_eq!(console.path, "/admin");
        assert!(
            console.contains("国保連合会") && console.contains("13 東京都"),
            "{}",
            console.html
        );

        // Three wrong passwords lock; then the right one is refused too.
        let lw = Walker::new(&base).unwrap();
        for _ in 0..2 {
            let p = password_step(&lw, "fed13", "wrong-password").await;
            assert!(p.contains("正しくありません"), "{}", p.html);
        }
        let p = password_step(&lw, "fed13", "wrong-password").await;
        assert!(p.contains("ロック"), "{}", p.html);
        let p = password_step(&lw, "fed13", &s(&fed, "password")).await;
        assert_eq!(p.path, "/admin/login");
        assert!(p.contains("ロック"), "{}", p.html);

        // Three wrong codes lock.
        let cw = Walker::new(&base).unwrap();
        let csecret =
            kaigo_core::admin::totp::base32_decode(&s(&locked_by_code, "totp_secret")).unwrap();
        let bad = wrong_code(&csecret);
        let mut page = password_step(&cw, "lockme", &s(&locked_by_code, "password")).await;
        for _ in 0..2 {
            page = code_step(&cw, &page, &bad).await;
            assert!(
                page.contains("認証コードが正しくありません"),
                "{}",
                page.html
            );
        }
        page = code_step(&cw, &page, &bad).await;
        assert!(page.contains("ロック"), "{}", page.html);
        let p = password_step(&cw, "lockme", &s(&locked_by_code, "password")).await;
        assert!(p.contains("ロック"), "{}", p.html);

        // An office session does not open the console.
        let ow = Walker::new(&base).unwrap();
        let top = ow
            .login(&s(&office, "user_id"), &s(&office, "login_password"))
            .await
            .unwrap();
        assert_ne!(top.path, "/login", "the office is logged in: {}", top.html);
        assert_eq!(ow.get("/admin").await.unwrap().path, "/admin/login");

        running.shutdown().await.unwrap();
    }
}
