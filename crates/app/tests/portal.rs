//! Portal behaviour that the manual walk does not show: lockout, sessions, headers, CSRF,
//! authorization of notices, and the durability of the issuance queue across a restart.

mod common;

use kaigo_core::certificate::CertKind;
use kaigo_core::notice::repo::NoticeRepo;
use kaigo_core::notice::{NewNotice, NoticeCategory, NoticeTarget};
use kaigo_core::office::repo::OfficeRepo;
use kaigo_pki::datadir::DataDir;
use kaigo_pki::walk::Walker;
use kaigo_pki::{serve, wiring};

struct Fixture {
    _tmp: tempfile::TempDir,
    dir: DataDir,
    offices: Vec<serde_json::Value>,
}

fn fixture(numbers: &[&str]) -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut offices = vec![common::init_with_office(&data, numbers[0], None)];
    for n in &numbers[1..] {
        let o = common::kaigo(
            &data,
            &[
                "office",
                "add",
                "--postal-code",
                "100-0001",
                "--address",
                "東京都千代田区千代田1-1",
                "--number",
                n,
                "--name",
                "別の事業所",
                "--kind",
                "careplan",
                "--prefecture",
                "27",
                "--json",
            ],
        );
        assert!(o.status.success(), "{}", common::stderr(&o));
        offices.push(serde_json::from_slice(&o.stdout).unwrap());
    }
    Fixture {
        dir: DataDir::new(data),
        _tmp: tmp,
        offices,
    }
}

fn s(v: &serde_json::Value, k: &str) -> String {
    v[k].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_wrong_passwords_lock_known_and_unknown_ids_alike() {
    let f = fixture(&["1310000001"]);
    let app = wiring::open(&f.dir, true).await.unwrap();
    let running = serve::start(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let w = Walker::new(&format!("http://{}", running.addr)).unwrap();
    let user = s(&f.offices[0], "user_id");
    let pw = s(&f.offices[0], "login_password");
    for id in [user.as_str(), "KJNOSUCHUSER01"] {
        for _ in 0..2 {
            let p = w.login(id, "badpass123").await.unwrap();
            assert!(
                p.contains("ユーザIDまたはパスワードが正しくありません。"),
                "{id}"
            );
        }
        let locked = w.login(id, "badpass123").await.unwrap();
        assert!(
            locked.contains("アカウントをロックしました。30分後"),
            "{id}: the third failure locks"
        );
    }
    // Even the right password is refused while locked.
    let p = w.login(&user, &pw).await.unwrap();
    assert_eq!(p.path, "/login");
    assert!(p.contains("ロックしました"));
    running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_rotate_at_login_and_pages_carry_strict_headers() {
    let f = fixture(&["1310000001"]);
    let app = wiring::open(&f.dir, true).await.unwrap();
    let running = serve::start(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = format!("http://{}", running.addr);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let resp = client.get(format!("{base}/login")).send().await.unwrap();
    let h = resp.headers().clone();
    let cookie = h.get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "not over plain HTTP");
    for (name, expect) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(h.get(name).unwrap().to_str().unwrap(), expect, "{name}");
    }
    assert!(
        h.get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    let pre_login = cookie.split(';').next().unwrap().to_owned();
    let html = resp.text().await.unwrap();
    let csrf = kaigo_pki::walk::Page {
        status: 200,
        path: "/login".into(),
        html,
    }
    .csrf()
    .unwrap();

    let resp = client
        .post(format!("{base}/login"))
        .header("cookie", &pre_login)
        .form(&[
            ("csrf", csrf.as_str()),
            ("user_id", &s(&f.offices[0], "user_id")),
            ("password", &s(&f.offices[0], "login_password")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let new_cookie = resp
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(new_cookie, pre_login, "a new session ID at login");
    // The pre-login ID is worthless afterwards.
    let old = client
        .get(format!("{base}/password/change"))
        .header("cookie", &pre_login)
        .send()
        .await
        .unwrap();
    assert_eq!(old.headers().get("location").unwrap(), "/login");
    let new = client
        .get(format!("{base}/password/change"))
        .header("cookie", &new_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(new.status(), 200);

    // A cross-site POST is refused even with the right cookie and token.
    let cross = client
        .post(format!("{base}/logout"))
        .header("cookie", &new_cookie)
        .header("origin", "http://evil.example")
        .form(&[("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_sees_only_notices_meant_for_it() {
    let f = fixture(&["1310000001", "2710000002"]);
    let app = wiring::open(&f.dir, true).await.unwrap();
    let a = app
        .store
        .office_by_number(&kaigo_core::ids::OfficeNumber::parse("1310000001").unwrap())
        .await
        .unwrap()
        .unwrap();
    let b = app
        .store
        .office_by_number(&kaigo_core::ids::OfficeNumber::parse("2710000002").unwrap())
        .await
        .unwrap()
        .unwrap();
    let now = app.services.deps.clock.unix();
    let mut ids = vec![];
    for (title, target) in [
        ("全体向け", NoticeTarget::All),
        ("東京向け", NoticeTarget::Prefecture(a.prefecture.unwrap())),
        ("A事業所向け", NoticeTarget::Office(a.id)),
        ("B事業所向け", NoticeTarget::Office(b.id)),
    ] {
        let n = NewNotice {
            category: NoticeCategory::System,
            title: title.into(),
            body: "本文<script>alert(1)</script>".into(),
            target,
            start_at: now - 60,
            end_at: None,
            created_at: now - 60,
        };
        ids.push(app.store.insert_notice(&n).await.unwrap());
    }
    let running = serve::start(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let w = Walker::new(&format!("http://{}", running.addr)).unwrap();
    let pw = s(&f.offices[0], "login_password");
    w.login(&s(&f.offices[0], "user_id"), &pw).await.unwrap();
    w.change_password(&pw, "Newpass2026").await.unwrap();
    let list = w.get("/notices").await.unwrap();
    assert!(list.contains("3件が該当しています。"), "{}", list.html);
    assert!(list.contains("全体向け") && list.contains("東京向け") && list.contains("A事業所向け"));
    assert!(!list.contains("B事業所向け"));
    assert_eq!(list.texts("span.new").len(), 3);
    let detail = w.get(&format!("/notices/{}", ids[2])).await.unwrap();
    assert_eq!(detail.status, 200);
    assert!(
        detail.contains("&lt;script&gt;") || detail.contains("&#60;script&#62;"),
        "notice bodies are escaped"
    );
    assert!(!detail.contains("<script>alert"));
    let list = w.get("/notices").await.unwrap();
    assert_eq!(
        list.texts("span.new").len(),
        2,
        "an opened notice loses its New mark"
    );
    let other = w.get(&format!("/notices/{}", ids[3])).await.unwrap();
    assert_eq!(other.status, 404, "another office's notice is not found");
    assert_eq!(w.get("/notices/not-a-number").await.unwrap().status, 404);
    running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_application_survives_a_restart() {
    let f = fixture(&["1310000001"]);
    let number = kaigo_core::ids::OfficeNumber::parse("1310000001").unwrap();
    {
        // Submit, then "crash": the process goes away before any worker ran.
        let app = wiring::open(&f.dir, true).await.unwrap();
        let office = app.store.office_by_number(&number).await.unwrap().unwrap();
        let sealed = app
            .services
            .apply
            .seal_password(&s(&f.offices[0], "issuance_password"))
            .unwrap();
        app.services
            .apply
            .submit(&office, CertKind::KaigoDx, sealed, "tok-1", "")
            .await
            .unwrap();
        assert!(
            app.services
                .apply
                .pending(&office, CertKind::KaigoDx)
                .await
                .unwrap()
        );
        app.store.close().await;
    }
    let app = wiring::open(&f.dir, true).await.unwrap();
    let office = app.store.office_by_number(&number).await.unwrap().unwrap();
    assert!(
        kaigo_jobs::issuance::process_one(&app.services.issue)
            .await
            .unwrap(),
        "the job is still queued"
    );
    let cert = app
        .services
        .apply
        .current_certificate(&office, CertKind::KaigoDx)
        .await
        .unwrap();
    assert!(cert.is_some(), "issued after the restart");
    assert!(
        !app.services
            .apply
            .pending(&office, CertKind::KaigoDx)
            .await
            .unwrap()
    );
    assert!(
        !kaigo_jobs::issuance::process_one(&app.services.issue)
            .await
            .unwrap(),
        "issued once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_compat_profile_is_chosen_by_configuration() {
    common::require_tool("openssl", "apt-get install openssl");
    let f = fixture(&["1310000001"]);
    let cfg_path = f.dir.config_file();
    let cfg = std::fs::read_to_string(&cfg_path).unwrap();
    assert!(cfg.contains("pkcs12_profile = \"modern\""), "{cfg}");
    std::fs::write(
        &cfg_path,
        cfg.replace("pkcs12_profile = \"modern\"", "pkcs12_profile = \"compat\""),
    )
    .unwrap();

    let app = wiring::open(&f.dir, true).await.unwrap();
    let number = kaigo_core::ids::OfficeNumber::parse("1310000001").unwrap();
    let office = app.store.office_by_number(&number).await.unwrap().unwrap();
    let issuance = s(&f.offices[0], "issuance_password");
    let sealed = app.services.apply.seal_password(&issuance).unwrap();
    app.services
        .apply
        .submit(&office, CertKind::KaigoDx, sealed, "tok-compat", "")
        .await
        .unwrap();
    assert!(
        kaigo_jobs::issuance::process_one(&app.services.issue)
            .await
            .unwrap()
    );
    let (_, bytes) = app
        .services
        .apply
        .download(&office, CertKind::KaigoDx, None, "")
        .await
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let p12 = common::write(tmp.path(), "compat.p12", &bytes);
    let (ok, info) = common::run(
        "openssl",
        &[
            "pkcs12",
            "-in",
            p12.to_str().unwrap(),
            "-passin",
            &format!("pass:{issuance}"),
            "-info",
            "-noout",
        ],
    );
    assert!(ok, "{info}");
    assert!(info.contains("pbeWithSHA1And3-KeyTripleDES-CBC"), "{info}");
    assert!(info.contains("MAC: sha1"), "{info}");
    assert!(!info.contains("AES-256-CBC"), "{info}");
}

#[test]
fn a_wrong_configuration_value_is_named() {
    let f = fixture(&["1310000001"]);
    let cfg_path = f.dir.config_file();
    let cfg = std::fs::read_to_string(&cfg_path).unwrap();
    std::fs::write(
        &cfg_path,
        cfg.replace("pkcs12_profile = \"modern\"", "pkcs12_profile = \"rc2\""),
    )
    .unwrap();
    let o = common::kaigo(&f.dir.root, &["serve", "--listen", "127.0.0.1:0"]);
    assert!(!o.status.success());
    let err = common::stderr(&o);
    assert!(err.contains("pkcs12_profile"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_change_ends_the_offices_other_sessions() {
    let f = fixture(&["1310000001"]);
    let app = wiring::open(&f.dir, true).await.unwrap();
    let running = serve::start(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = format!("http://{}", running.addr);
    let user = s(&f.offices[0], "user_id");
    let temp = s(&f.offices[0], "login_password");
    let (a, b) = (Walker::new(&base).unwrap(), Walker::new(&base).unwrap());
    a.login(&user, &temp).await.unwrap();
    assert_eq!(
        a.change_password(&temp, "First2026pw").await.unwrap().path,
        "/top"
    );
    b.login(&user, "First2026pw").await.unwrap();
    assert_eq!(b.get("/dx").await.unwrap().path, "/dx", "b is logged in");
    // a changes the password again: b's session (a stolen cookie, say) ends.
    let form = a.get("/password/change").await.unwrap();
    let done = a
        .post(
            &form,
            "/password/change",
            &[
                ("current", "First2026pw"),
                ("new", "Second2026pw"),
                ("confirm", "Second2026pw"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(done.path, "/top", "the user who changed it stays logged in");
    assert_eq!(a.get("/dx").await.unwrap().path, "/dx");
    assert_eq!(
        b.get("/dx").await.unwrap().path,
        "/login",
        "the other session ended"
    );
    running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_parallel_guesses_gets_no_more_than_three_checks() {
    let f = fixture(&["1310000001"]);
    let app = wiring::open(&f.dir, true).await.unwrap();
    let running = serve::start(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = format!("http://{}", running.addr);
    let user = s(&f.offices[0], "user_id");
    // Ten wrong guesses at once: only the first three are checked; the third locks.
    let mut tasks = Vec::new();
    for i in 0..10 {
        let (base, user) = (base.clone(), user.clone());
        let pw = format!("wrong{i}pass");
        tasks.push(tokio::spawn(async move {
            Walker::new(&base).unwrap().login(&user, &pw).await.unwrap()
        }));
    }
    let mut locked = 0;
    for t in tasks {
        if t.await.unwrap().contains("ロックしました") {
            locked += 1;
        }
    }
    assert!(
        locked >= 7,
        "the third and later attempts are refused as locked ({locked} of 10)"
    );
    running.shutdown().await.unwrap();
    // The audit trail shows how many passwords were actually checked and found wrong.
    let url = format!("sqlite://{}", f.dir.database().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let (wrong,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'login.failure'")
            .fetch_one(&pool)
            .await
            .unwrap();
    // Without the reservation all ten would be checked; with it, two are (the third locks).
    assert_eq!(wrong, 2, "{wrong} wrong passwords were checked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_tls_cookies_are_secure_and_hsts_is_sent() {
    let f = fixture(&["1310000001"]);
    let cfg_path = f.dir.config_file();
    let cfg = std::fs::read_to_string(&cfg_path).unwrap();
    assert!(cfg.contains("secure_cookies = false"), "{cfg}");
    std::fs::write(
        &cfg_path,
        cfg.replace("secure_cookies = false", "secure_cookies = true"),
    )
    .unwrap();
    let app = wiring::open(&f.dir, true).await.unwrap();
    let running = serve::start(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let resp = reqwest::get(format!("http://{}/login", running.addr))
        .await
        .unwrap();
    let cookie = resp
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
    let hsts = resp
        .headers()
        .get("strict-transport-security")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(hsts.starts_with("max-age="), "{hsts}");
    running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lockout_and_the_helpdesk_line_come_from_configuration() {
    let f = fixture(&["1310000001"]);
    let cfg_path = f.dir.config_file();
    let cfg = std::fs::read_to_string(&cfg_path).unwrap();
    assert!(cfg.contains("lockout_threshold = 3"), "{cfg}");
    let cfg = cfg.replace("lockout_threshold = 3", "lockout_threshold = 2");
    std::fs::write(&cfg_path, cfg).unwrap();
    let app = wiring::open(&f.dir, true).await.unwrap();
    assert_eq!(app.services.deps.settings.lockout_threshold, 2);
    assert_eq!(app.services.deps.settings.lockout_seconds, 30 * 60);
    let running = serve::start(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let w = Walker::new(&format!("http://{}", running.addr)).unwrap();
    let user = s(&f.offices[0], "user_id");
    assert!(
        w.login(&user, "badpass123")
            .await
            .unwrap()
            .contains("ユーザIDまたはパスワードが正しくありません。")
    );
    assert!(
        w.login(&user, "badpass123")
            .await
            .unwrap()
            .contains("ロックしました"),
        "the second failure locks"
    );
    running.shutdown().await.unwrap();
}
