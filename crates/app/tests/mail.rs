//! Mail leaves over real SMTP when `mail.smtp_url` is set: a real SMTP server (Python's
//! aiosmtpd) receives the 証明書発行完了通知, nothing is written to the `.eml` spool, and the
//! delivered mail's body is erased from the outbox.

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
