//! Admin accounts in the console (central operators only) and the admin session's idle
//! timeout.

mod common;

use common::{kaigo, stderr, stdout};
use kaigo_pki::datadir::DataDir;
use kaigo_pki::walk::Walker;
use kaigo_pki::{serve, wiring};

fn add(data: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["admin", "add"];
    all.extend_from_slice(args);
    all.push("--json");
    let o = kaigo(data, &all);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(stdout(&o).trim()).unwrap()
}

fn s(v: &serde_json::Value, k: &str) -> String {
    v[k].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn central_manages_accounts_and_federation_cannot() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    common::init_with_office(&data, "1310000001", None);
    let central = add(&data, &["--login", "central1", "--role", "central"]);
    let fed = add(
        &data,
        &[
            "--login",
            "fed13",
            "--role",
            "federation",
            "--prefecture",
            "13",
        ],
    );
    let app = wiring::open(&DataDir::new(data.clone()), true)
        .await
        .unwrap();
    let running = serve::start(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = format!("http://{}", running.addr);

    // A federation admin sees no account management, by menu or by URL.
    let fw = Walker::new(&base).unwrap();
    let fconsole = fw
        .admin_login("fed13", &s(&fed, "password"), &s(&fed, "totp_secret"))
        .await
        .unwrap();
    assert!(!fconsole.contains("/admin/accounts"), "no menu entry");
    assert_eq!(fw.get("/admin/accounts").await.unwrap().status, 404);
    let refused = fw
        .post(
            &fconsole,
            "/admin/accounts",
            &[("login", "sneaky"), ("role", "central"), ("prefecture", "")],
        )
        .await
        .unwrap();
    assert_eq!(refused.status, 404);

    // The central operator lists, creates, and disables.
    let w = Walker::new(&base).unwrap();
    w.admin_login(
        "central1",
        &s(&central, "password"),
        &s(&central, "totp_secret"),
    )
    .await
    .unwrap();
    let list = w.get("/admin/accounts").await.unwrap();
    assert_eq!(list.status, 200);
    assert!(list.contains("central1") && list.contains("fed13"));
    assert!(
        !list.contains("sneaky"),
        "the federation's attempt created nothing"
    );

    // Bad input: a clear message and the input kept.
    let bad = w
        .post(
            &list,
            "/admin/accounts",
            &[
                ("login", "fed27"),
                ("role", "federation"),
                ("prefecture", "48"),
            ],
        )
        .await
        .unwrap();
    assert!(bad.contains("都道府県（01〜47）"), "{}", bad.html);
    assert_eq!(bad.input_value("login").as_deref(), Some("fed27"));
    let dup = w
        .post(
            &list,
            "/admin/accounts",
            &[
                ("login", "fed13"),
                ("role", "federation"),
                ("prefecture", "13"),
            ],
        )
        .await
        .unwrap();
    assert!(dup.contains("既に使われています"), "{}", dup.html);

    let created = w
        .post(
            &list,
            "/admin/accounts",
            &[
                ("login", "fed27"),
                ("role", "federation"),
                ("prefecture", "27"),
            ],
        )
        .await
        .unwrap();
    let password = created.texts("#new-password").pop().unwrap();
    let secret = created.texts("#new-totp-secret").pop().unwrap();
    assert_eq!(password.len(), 16);
    // The key is shown here, to the creator, as text and as a QR code (and never again).
    assert!(
        created.contains("<svg"),
        "a QR code of the key: {}",
        created.html
    );
    let svg = &created.html[created.html.find("<svg").unwrap()..];
    let svg = &svg[..svg.find("</svg>").expect("a closed <svg>")];
    assert!(!svg.contains("<script"), "the QR code needs no JavaScript");
    assert!(
        svg.contains("<path") || svg.contains("<rect"),
        "the QR code is drawn"
    );
    // The new account works with what the page showed.
    let nw = Walker::new(&base).unwrap();
    let nconsole = nw.admin_login("fed27", &password, &secret).await.unwrap();
    assert!(nconsole.contains("27 大阪府"), "{}", nconsole.html);

    // Disabling fed13 ends its access at the next request.
    let db = common::pool(&data).await;
    let fed13_id: i64 = sqlx::query_scalar("SELECT id FROM admins WHERE login = 'fed13'")
        .fetch_one(&db)
        .await
        .unwrap();
    let list = w.get("/admin/accounts").await.unwrap();
    let done = w
        .post(&list, &format!("/admin/accounts/{fed13_id}/disable"), &[])
        .await
        .unwrap();
    assert_eq!(done.path, "/admin/accounts");
    assert_eq!(fw.get("/admin").await.unwrap().path, "/admin/login");
    // An operator cannot disable itself.
    let me: i64 = sqlx::query_scalar("SELECT id FROM admins WHERE login = 'central1'")
        .fetch_one(&db)
        .await
        .unwrap();
    let refused = w
        .post(&done, &format!("/admin/accounts/{me}/disable"), &[])
        .await
        .unwrap();
    assert!(refused.contains("自分自身"), "{}", refused.html);
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE actor = 'admin:central1'")
            .fetch_all(&db)
            .await
            .unwrap();
    assert!(actions.iter().any(|a| a == "admin.account.add"));
    assert!(actions.iter().any(|a| a == "admin.account.disable"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_session_ends_after_idle_time_and_slides_with_use() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    common::init_with_office(&data, "1310000001", None);
    let central = add(&data, &["--login", "central1", "--role", "central"]);
    let app = wiring::open(&DataDir::new(data.clone()), true)
        .await
        .unwrap();
    let running = serve::start(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let w = Walker::new(&format!("http://{}", running.addr)).unwrap();
    w.admin_login(
        "central1",
        &s(&central, "password"),
        &s(&central, "totp_secret"),
    )
    .await
    .unwrap();
    let db = common::pool(&data).await;
    let admin_expiry = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT expires_at - created_at FROM sessions WHERE office_id IS NULL \
             AND data LIKE '%\"verified\":true%'",
        )
        .fetch_one(&db)
        .await
        .unwrap()
    };
    // Fifteen minutes of idle time, much shorter than the office portal's.
    let idle = admin_expiry().await;
    assert!((15 * 60..15 * 60 + 5).contains(&idle), "idle window {idle}");
    // Each request pushes the end forward (sliding window).
    sqlx::query("UPDATE sessions SET expires_at = expires_at - 600 WHERE office_id IS NULL")
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(w.get("/admin").await.unwrap().path, "/admin");
    let after = admin_expiry().await;
    assert!(
        after >= 15 * 60,
        "the request extended the session: {after}"
    );
    // Past the idle time, the console sends back to the login.
    sqlx::query("UPDATE sessions SET expires_at = 1 WHERE office_id IS NULL")
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(w.get("/admin").await.unwrap().path, "/admin/login");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_prints_office_and_admin_credentials_that_work() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = DataDir::new(tmp.path().join("data"));
    let (app, text) = kaigo_pki::demo::prepare(&dir, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    assert!(text.contains("ユーザID"), "{text}");
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("demo-central"))
        .unwrap_or_else(|| panic!("no demo-central line: {text}"));
    let word_after = |key: &str| {
        let rest = &line[line.find(key).unwrap() + key.len()..];
        rest.split_whitespace().next().unwrap().to_owned()
    };
    let (password, key) = (word_after("password "), word_after("TOTP key "));
    assert!(text.contains("demo-fed13"), "{text}");
    let running = serve::start(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let w = Walker::new(&format!("http://{}", running.addr)).unwrap();
    let console = w
        .admin_login("demo-central", &password, &key)
        .await
        .unwrap();
    assert!(console.contains("全都道府県"), "{}", console.html);
}
