//! Mail leaves over real SMTP when `mail.smtp_url` is set: a real SMTP server (Python's
//! aiosmtpd) receives the 証明書発行完了通知, nothing is written to the `.eml` spool, and the
//! delivered mail's body is erased from the outbox. A mail the relay refuses until its last
//! attempt becomes a dead letter in the console, and 「再送」 delivers it once the relay is up.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kaigo_pki::walk::Walker;

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts aiosmtpd printing every message to stdout; returns the process and what it printed.
fn smtp_server(port: u16) -> (Child, Arc<Mutex<String>>) {
    let check = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .output()
        .expect("python3");
    assert!(
        check.status.success(),
        "required Python package `aiosmtpd` is missing: pip install aiosmtpd (.ci/run installs it)"
    );
    let mut child = Command::new("python3")
        .args([
            "-u",
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Debugging",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start aiosmtpd");
    let out = child.stdout.take().unwrap();
    let seen = Arc::new(Mutex::new(String::new()));
    let sink = seen.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let mut s = sink.lock().unwrap();
            s.push_str(&line);
            s.push('\n');
        }
    });
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "aiosmtpd did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (Child(child), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_issued_notice_is_mailed_over_smtp() {
    let port = free_port();
    let (_smtp, seen) = smtp_server(port);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let j = common::init_with_office(&data, "1310000001", Some("office-a@example.jp"));

    let mut server = Command::new(common::BIN)
        .arg("--data-dir")
        .arg(&data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("KAIGO_PKI_SMTP_URL", format!("smtp://127.0.0.1:{port}"))
        .env("KAIGO_PKI_PKCS12_ITERATIONS", "20000")
        .env("KAIGO_PKI_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut banner = String::new();
    let mut reader = BufReader::new(server.stdout.take().unwrap());
    while !banner.contains("kaigo-pki portal:") {
        banner.clear();
        assert!(reader.read_line(&mut banner).unwrap() > 0, "serve exited");
    }
    let base = banner
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .trim_end_matches("/login")
        .to_owned();
    let server = Child(server);

    let w = Walker::new(&base).unwrap();
    let temp = j["login_password"].as_str().unwrap();
    w.login(j["user_id"].as_str().unwrap(), temp).await.unwrap();
    w.change_password(temp, "Kaigo2026pass").await.unwrap();
    w.apply_dx(j["issuance_password"].as_str().unwrap())
        .await
        .unwrap();
    w.wait_for_issued(Duration::from_secs(60)).await.unwrap();

    let start = Instant::now();
    loop {
        let text = seen.lock().unwrap().clone();
        if text.contains("office-a@example.jp") && text.contains("END MESSAGE") {
            assert!(
                text.contains("Subject: =?utf-8?"),
                "a MIME-encoded Japanese subject: {text}"
            );
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no mail reached the SMTP server: {text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let spool: Vec<_> = std::fs::read_dir(data.join("mail"))
        .unwrap()
        .flatten()
        .collect();
    assert!(
        spool.is_empty(),
        "with SMTP configured nothing goes to the .eml spool"
    );

    // Delivered mail keeps no body in the database.
    let start = Instant::now();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", data.join("kaigo.db").display()))
        .await
        .unwrap();
    loop {
        let (sent, with_body): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN body <> '' THEN 1 ELSE 0 END), 0) FROM mail_outbox WHERE state = 'sent'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        if sent >= 1 {
            assert_eq!(with_body, 0, "a delivered mail's body is erased");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the mail is not marked sent"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(server);
}

/// Polls `path` on the console until `pred` holds.
async fn wait_page(
    w: &Walker,
    path: &str,
    what: &str,
    pred: impl Fn(&kaigo_pki::walk::Page) -> bool,
) -> kaigo_pki::walk::Page {
    let start = Instant::now();
    loop {
        let page = w.get(path).await.unwrap();
        if pred(&page) {
            return page;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{what}: {}",
            page.html
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_letter_is_listed_and_resent_from_the_console() {
    // The relay is down: nothing listens on the port yet.
    let port = free_port();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let j = common::init_with_office(&data, "1310000001", Some("office-a@example.jp"));
    let central = common::add_admin(&data, "central1", None);
    let fed = common::add_admin(&data, "fed13", Some("13"));
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let server = common::Server::start_on(
        &data,
        "127.0.0.1:0",
        &[
            ("KAIGO_PKI_SMTP_URL", smtp_url.as_str()),
            ("KAIGO_PKI_MAIL_MAX_ATTEMPTS", "1"),
        ],
    );

    let w = Walker::new(&server.base).unwrap();
    let temp = j["login_password"].as_str().unwrap();
    w.login(j["user_id"].as_str().unwrap(), temp).await.unwrap();
    w.change_password(temp, "Kaigo2026pass").await.unwrap();
    w.apply_dx(j["issuance_password"].as_str().unwrap())
        .await
        .unwrap();
    w.wait_for_issued(Duration::from_secs(60)).await.unwrap();

    // A federation admin has no such page, by menu or by URL.
    let fw = Walker::new(&server.base).unwrap();
    let fconsole = fw
        .admin_login(
            "fed13",
            &common::s(&fed, "password"),
            &common::s(&fed, "totp_secret"),
        )
        .await
        .unwrap();
    assert!(!fconsole.contains("/admin/mail"));
    assert_eq!(fw.get("/admin/mail").await.unwrap().status, 404);

    let cw = Walker::new(&server.base).unwrap();
    let console = cw
        .admin_login(
            "central1",
            &common::s(&central, "password"),
            &common::s(&central, "totp_secret"),
        )
        .await
        .unwrap();
    assert!(
        console.contains("href=\"/admin/mail\""),
        "a menu entry for central operators"
    );
    let listed = wait_page(
        &cw,
        "/admin/mail",
        "the mail never became a dead letter",
        |p| p.contains("office-a@example.jp"),
    )
    .await;
    assert!(listed.contains("証明書発行完了通知"), "{}", listed.html);
    assert!(
        listed.contains("Connection refused") || listed.contains("connection"),
        "the transport's last error is shown: {}",
        listed.html
    );
    let action = listed
        .html
        .split("action=\"")
        .map(|s| s.split('"').next().unwrap_or(""))
        .find(|a| a.starts_with("/admin/mail/") && a.ends_with("/retry"))
        .expect("a 再送 form")
        .to_owned();
    // Not for a federation admin, even with the right URL and a valid token.
    assert_eq!(fw.post(&fconsole, &action, &[]).await.unwrap().status, 404);

    // The relay comes up; 「再送」 queues the mail again and it is delivered.
    let (_smtp, seen) = smtp_server(port);
    let after = cw.post(&listed, &action, &[]).await.unwrap();
    assert!(
        after.contains("メールを送信待ちに戻しました。"),
        "{}",
        after.html
    );
    let start = Instant::now();
    while !seen.lock().unwrap().contains("office-a@example.jp") {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the resent mail did not arrive"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_page(
        &cw,
        "/admin/mail",
        "the delivered mail is still listed",
        |p| p.contains("送信できなかったメールはありません。"),
    )
    .await;
    // Resending it again finds nothing to resend.
    assert_eq!(cw.post(&listed, &action, &[]).await.unwrap().status, 404);

    let pool = common::pool(&data).await;
    let retries: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'admin.mail.retry'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(retries, 1, "the resend is audited once");
    drop(server);
}
