//! Issue 8 over HTTP against the real server: the admin's second factor under guessing,
//! parallel requests against the limits (one-time codes, the admin code, a reissue form),
//! fee bounds on the CLI, attachments of notices not yet on display, and what an inquiry can
//! make the system mail. Each test fails without its fix.

mod common;

use std::sync::Arc;

use common::{add_admin, kaigo, s, stderr};
use kaigo_pki::datadir::DataDir;
use kaigo_pki::walk::{Page, Walker};
use kaigo_pki::{serve, wiring};

struct Env {
    _tmp: tempfile::TempDir,
    data: std::path::PathBuf,
    running: serve::Running,
    base: String,
    office: serde_json::Value,
}

async fn env_with_email(email: Option<&str>) -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let office = common::init_with_office(&data, "1310000001", email);
    let app = wiring::open(&DataDir::new(data.clone()), false)
        .await
        .unwrap();
    let running = serve::start(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = format!("http://{}", running.addr);
    Env {
        _tmp: tmp,
        data,
        running,
        base,
        office,
    }
}

async fn count(db: &sqlx::AnyPool, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(db)
        .await
        .unwrap()
}

/// The office logged in with its password changed to `pw`.
async fn office_walker(e: &Env, pw: &str) -> Walker {
    let w = Walker::new(&e.base).unwrap();
    let temp = s(&e.office, "login_password");
    w.login(&s(&e.office, "user_id"), &temp).await.unwrap();
    let p = w.change_password(&temp, pw).await.unwrap();
    assert_eq!(p.path, "/top", "{}", p.html);
    w
}

fn totp_now(secret_b32: &str) -> (Vec<u8>, i64) {
    let secret = kaigo_core::admin::totp::base32_decode(secret_b32).unwrap();
    (secret, common::now())
}

/// A code that is wrong now and in the neighbouring time steps.
fn wrong_code(secret: &[u8], now: i64) -> String {
    let valid: Vec<String> = (-2..=2)
        .map(|d| kaigo_core::admin::totp::code_at(secret, now + 30 * d))
        .collect();
    (0..10)
        .map(|d| format!("{d}{d}{d}{d}{d}{d}"))
        .find(|c| !valid.contains(c))
        .unwrap()
}

async fn password_step(w: &Walker, login: &str, password: &str) -> Page {
    let form = w.get("/admin/login").await.unwrap();
    w.post(
        &form,
        "/admin/login",
        &[("login", login), ("password", password)],
    )
    .await
    .unwrap()
}

/// Point 1: "right password, wrong code" repeated must lock; a right password in between
/// clears nothing. Point 2: the login page never shows the key of an unenrolled account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_code_guesses_lock_whatever_the_password_step_does() {
    let e = env_with_email(None).await;
    let admin = add_admin(&e.data, "central1", None);
    let (secret, now) = totp_now(&s(&admin, "totp_secret"));
    let bad = wrong_code(&secret, now);
    let w = Walker::new(&e.base).unwrap();

    let mut answers = Vec::new();
    for _ in 0..3 {
        let step = password_step(&w, "central1", &s(&admin, "password")).await;
        if step.path != "/admin/login/code" {
            answers.push(step);
            break;
        }
        assert!(
            !step.contains(&s(&admin, "totp_secret")) && !step.contains("<svg"),
            "the key is never shown at login: {}",
            step.html
        );
        let p = w
            .post(&step, "/admin/login/code", &[("code", &bad)])
            .await
            .unwrap();
        answers.push(p);
    }
    let last = answers.last().unwrap();
    assert!(
        last.contains("ロック"),
        "third wrong code locks: {}",
        last.html
    );
    // Now even the right password and the right code are refused.
    let step = password_step(&w, "central1", &s(&admin, "password")).await;
    assert_eq!(step.path, "/admin/login", "{}", step.html);
    assert!(step.contains("ロック"), "{}", step.html);
    e.running.shutdown().await.unwrap();
}

/// Point 6: many parallel wrong codes get no more checks than the threshold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_admin_codes_are_bounded_by_the_lockout() {
    let e = env_with_email(None).await;
    let admin = add_admin(&e.data, "central1", None);
    let (secret, now) = totp_now(&s(&admin, "totp_secret"));
    let bad = wrong_code(&secret, now);
    let w = Arc::new(Walker::new(&e.base).unwrap());
    let step = password_step(&w, "central1", &s(&admin, "password")).await;
    let csrf = step.csrf().unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (w, csrf, bad) = (w.clone(), csrf.clone(), bad.clone());
            tokio::spawn(async move {
                w.post_with_token("/admin/login/code", &csrf, &[("code", &bad)])
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut wrong = 0;
    for t in tasks {
        if t.await.unwrap().contains("認証コードが正しくありません") {
            wrong += 1;
        }
    }
    assert!(
        wrong <= 2,
        "{wrong} answers of 'wrong' (at most 2 before the lock)"
    );
    let db = common::pool(&e.data).await;
    let checked = count(
        &db,
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('admin.login.failed', 'admin.login.locked') \
         AND detail = 'code'",
    )
    .await;
    assert!(checked >= 1);
    let failed = count(
        &db,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'admin.login.failed' AND detail = 'code'",
    )
    .await;
    assert!(
        failed <= 3,
        "{failed} codes were checked wrong (threshold 3)"
    );
    e.running.shutdown().await.unwrap();
}

/// Point 6: 40 parallel wrong one-time codes get at most the limit (5) of checks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_one_time_codes_get_at_most_the_limit_of_checks() {
    let e = env_with_email(None).await;
    let w = Arc::new(office_walker(&e, "newpass123").await);
    let page = w.get("/settings").await.unwrap();
    let p = w
        .post(
            &page,
            "/settings/security-mail",
            &[
                ("email", "jimu@example.jp"),
                ("current_password", "newpass123"),
            ],
        )
        .await
        .unwrap();
    let csrf = p.csrf().unwrap();
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let (w, csrf) = (w.clone(), csrf.clone());
            tokio::spawn(async move {
                let code = format!("{:08}", 11_111_111 + i);
                w.post_with_token("/settings/security-mail/confirm", &csrf, &[("code", &code)])
                    .await
                    .unwrap()
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let db = common::pool(&e.data).await;
    let checked = count(
        &db,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'security_mail.code_wrong'",
    )
    .await;
    assert!(
        (1..=5).contains(&checked),
        "{checked} wrong codes were checked against a limit of 5"
    );
    e.running.shutdown().await.unwrap();
}

/// Point 6: ten parallel submissions of one 【再発行する】 form make one reissue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_reissue_form_reissues_once_under_parallel_submits() {
    let e = env_with_email(None).await;
    let w = Arc::new(office_walker(&e, "newpass123").await);
    let form = w
        .get("/issuance-password/reissue?back=/dx/apply/password")
        .await
        .unwrap();
    let csrf = form.csrf().unwrap();
    let token = form.input_value("token").expect("the form token");
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (w, csrf, token) = (w.clone(), csrf.clone(), token.clone());
            tokio::spawn(async move {
                w.post_with_token(
                    "/issuance-password/reissue",
                    &csrf,
                    &[("token", &token), ("back", "/dx/apply/password")],
                )
                .await
                .unwrap()
            })
        })
        .collect();
    for t in tasks {
        let p = t.await.unwrap();
        assert_eq!(p.status, 200, "{}", p.html);
    }
    let db = common::pool(&e.data).await;
    let notices = count(
        &db,
        "SELECT COUNT(*) FROM notices WHERE title = '証明書発行用パスワード再発行通知'",
    )
    .await;
    let reissues = count(
        &db,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'issuance_password.reissue'",
    )
    .await;
    assert_eq!((notices, reissues), (1, 1), "one form, one reissue");
    e.running.shutdown().await.unwrap();
}

/// Point 5: one bound for every path; a refused command stores nothing, and the pages that
/// sum the ledger keep working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fee_amounts_are_bounded_on_the_cli_and_a_failure_stores_nothing() {
    let e = env_with_email(None).await;
    let number = "1310000001";
    for amount in ["9223372036854775807", "100000001", "0", "-5"] {
        let o = kaigo(
            &e.data,
            &["fee", "pay", "--office", number, "--amount", amount],
        );
        assert!(!o.status.success(), "{amount} accepted");
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
    let db = common::pool(&e.data).await;
    assert_eq!(count(&db, "SELECT COUNT(*) FROM fee_ledger").await, 0);
    let o = kaigo(
        &e.data,
        &["fee", "pay", "--office", number, "--amount", "100000000"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM fee_ledger").await, 1);
    // The office's 証明書 tab sums the ledger.
    let w = office_walker(&e, "newpass123").await;
    assert_eq!(w.get("/certificate").await.unwrap().status, 200);
    e.running.shutdown().await.unwrap();
}

/// Point 7: an attachment of a notice whose display starts later is neither listed in
/// 照会一覧 nor downloadable by URL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_of_future_notices_stay_hidden() {
    let e = env_with_email(None).await;
    let file = common::write(&e.data, "schedule.pdf", b"%PDF-1.4 later");
    let o = kaigo(
        &e.data,
        &[
            "notice",
            "add",
            "--title",
            "来年の予定",
            "--category",
            "schedule",
            "--body",
            "x",
            "--office",
            "1310000001",
            "--attach",
            file.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let db = common::pool(&e.data).await;
    let w = office_walker(&e, "newpass123").await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM notice_attachments")
        .fetch_one(&db)
        .await
        .unwrap();
    let url = format!("/documents/attachments/{id}");
    // On display now: listed and downloadable.
    assert!(w.get("/documents").await.unwrap().contains("schedule.pdf"));
    assert_eq!(w.download(&url).await.unwrap().status, 200);
    // Moved to start in 2030: hidden from お知らせ, and from 照会一覧 and the URL as well.
    sqlx::query("UPDATE notices SET start_at = 1893456000")
        .execute(&db)
        .await
        .unwrap();
    assert!(!w.get("/notices").await.unwrap().contains("来年の予定"));
    assert!(!w.get("/documents").await.unwrap().contains("schedule.pdf"));
    assert_eq!(w.download(&url).await.unwrap().status, 404);
    e.running.shutdown().await.unwrap();
}

/// Point 8: the inquiry acknowledgment goes only to the office's registered address, and
/// control characters never reach the mail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inquiry_mail_goes_only_to_the_offices_own_address() {
    let e = env_with_email(Some("jimusho@example.jp")).await;
    let w = office_walker(&e, "newpass123").await;
    let form = w.get("/inquiry/form").await.unwrap();
    assert!(
        form.contains("jimusho@example.jp"),
        "offered: {}",
        form.html
    );
    let refused = w
        .post(
            &form,
            "/inquiry/form",
            &[
                ("category", "other"),
                ("subject", "件名"),
                ("body", "本文"),
                ("reply_to", "victim@example.com"),
            ],
        )
        .await
        .unwrap();
    assert!(
        refused.contains("登録済みのメールアドレスから選択してください"),
        "{}",
        refused.html
    );
    let db = common::pool(&e.data).await;
    assert_eq!(count(&db, "SELECT COUNT(*) FROM inquiries").await, 0);
    let done = w
        .post(
            &form,
            "/inquiry/form",
            &[
                ("category", "other"),
                ("subject", "件名\u{202e}abc"),
                ("body", "一行目\u{0}\u{1b}[2J\r\n二行目"),
                ("reply_to", "JIMUSHO@example.jp"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(done.path, "/inquiry/done", "{}", done.html);
    let to: Vec<String> = sqlx::query_scalar("SELECT to_addr FROM mail_outbox")
        .fetch_all(&db)
        .await
        .unwrap();
    let (subject, body): (String, String) = sqlx::query_as("SELECT subject, body FROM inquiries")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(subject, "件名abc", "bidi override removed");
    assert_eq!(body, "一行目[2J\n二行目", "NUL and ESC removed");
    assert!(
        !to.is_empty() && to.iter().all(|t| t == "jimusho@example.jp"),
        "mail only to the registered address: {to:?}"
    );
    e.running.shutdown().await.unwrap();
}

/// Point 6: when a lock runs out, parallel wrong attempts share one fresh window: at most two
/// are answered "wrong", the third locks again (before, each attempt cleared the others' count).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_attempts_after_a_lock_runs_out_share_one_window() {
    let e = env_with_email(None).await;
    let user = s(&e.office, "user_id");
    for _ in 0..3 {
        Walker::new(&e.base)
            .unwrap()
            .login(&user, "wrong-password-1")
            .await
            .unwrap();
    }
    let db = common::pool(&e.data).await;
    let key = format!("login:{user}");
    let locked: Option<i64> =
        sqlx::query_scalar("SELECT locked_until FROM throttle WHERE throttle_key = $1")
            .bind(&key)
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(locked.is_some(), "three wrong passwords lock");
    // The lock runs out (as 30 minutes later).
    sqlx::query("UPDATE throttle SET locked_until = $1 WHERE throttle_key = $2")
        .bind(common::now() - 1)
        .bind(&key)
        .execute(&db)
        .await
        .unwrap();
    let mut walkers = Vec::new();
    for _ in 0..12 {
        let w = Walker::new(&e.base).unwrap();
        let form = w.get("/login").await.unwrap();
        walkers.push((w, form.csrf().unwrap()));
    }
    let tasks: Vec<_> = walkers
        .into_iter()
        .map(|(w, csrf)| {
            let user = user.clone();
            tokio::spawn(async move {
                w.post_with_token(
                    "/login",
                    &csrf,
                    &[("user_id", &user), ("password", "wrong-password-2")],
                )
                .await
                .unwrap()
            })
        })
        .collect();
    let mut wrong = 0;
    for t in tasks {
        let p = t.await.unwrap();
        if p.contains("ユーザIDまたはパスワードが正しくありません") {
            wrong += 1;
        } else {
            assert!(p.contains("ロック"), "{}", p.html);
        }
    }
    assert!(
        wrong <= 2,
        "{wrong} wrong-password answers in the fresh window (at most 2)"
    );
    // And the right password is refused: locked again.
    let p = Walker::new(&e.base)
        .unwrap()
        .login(&user, &s(&e.office, "login_password"))
        .await
        .unwrap();
    assert!(p.contains("ロック"), "{}", p.html);
    e.running.shutdown().await.unwrap();
}
