//! Operating a node (issue 13 §2): Prometheus `/metrics` on its own listener shows the counters
//! moving as offices use the portal (requests by route and status, latency histograms, logins
//! and failures, lockouts, issuance latency, mail, certificates by state, CRL age), and the log
//! is JSON lines by configuration, each request's lines naming its request ID, with no colour
//! codes and no secret.

mod common;

use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

use kaigo_pki::walk::Walker;

struct Node {
    child: std::process::Child,
    base: String,
    metrics: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `serve --metrics-listen`, JSON logs to `log`; reads both URLs from the banner.
fn serve(data: &std::path::Path, log: &std::path::Path) -> Node {
    let mut cmd = Command::new(common::BIN);
    cmd.arg("--data-dir")
        .arg(data)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "127.0.0.1:0",
        ])
        .env_remove("KAIGO_PKI_CA_PASSPHRASE")
        .env("KAIGO_PKI_PKCS12_ITERATIONS", "20000")
        .env("KAIGO_PKI_LOG", "info,kaigo_web=debug,sqlx=warn")
        .env("KAIGO_PKI_LOG_FORMAT", "json")
        .stderr(std::fs::File::create(log).unwrap());
    let started = kaigo_pki::serve_child::ServeChild::spawn(cmd).unwrap();
    let metrics = started
        .url_after("metrics (Prometheus):")
        .expect("serve printed no metrics URL")
        .to_owned();
    Node {
        child: started.child,
        base: started.base,
        metrics,
    }
}

/// One scrape as `series → value` (the series with its labels, as the text shows it).
async fn scrape(url: &str) -> (HashMap<String, f64>, String) {
    let resp = reqwest::get(url).await.unwrap();
    assert_eq!(resp.status(), 200);
    let ctype = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ctype.starts_with("text/plain; version=0.0.4"), "{ctype}");
    let text = resp.text().await.unwrap();
    let map = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            Some((series.to_owned(), value.parse().ok()?))
        })
        .collect();
    (map, text)
}

fn value(m: &HashMap<String, f64>, series: &str) -> f64 {
    m.get(series).copied().unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_move_with_use_and_logs_are_json_with_request_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let a = common::init_with_office(&data, "1310000001", Some("office-a@example.jp"));
    let b = common::add_office(&data, "1310000002", None);
    let log = tmp.path().join("serve.log");
    let node = serve(&data, &log);

    let (before, _) = scrape(&node.metrics).await;

    // The portal does not publish /metrics.
    let portal = reqwest::get(format!("{}/metrics", node.base))
        .await
        .unwrap();
    assert_eq!(
        portal.status(),
        404,
        "/metrics is not on the portal listener"
    );

    // A request ID from the load balancer is kept and echoed; otherwise one is made.
    let client = reqwest::Client::new();
    let resp = client
        .get(format!("{}/login", node.base))
        .header("x-request-id", "lb-test-4711")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "lb-test-4711");
    let resp = client
        .get(format!("{}/login", node.base))
        .header("x-request-id", "bad id\"}")
        .send()
        .await
        .unwrap();
    let made = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
    // Unknown objects and paths are labelled by pattern, never by what the client typed.
    for path in [
        "/notices/999999",
        "/no-such-page-7f3a",
        "/static/../../etc/passwd",
    ] {
        let r = client
            .get(format!("{}{path}", node.base))
            .send()
            .await
            .unwrap();
        assert!(r.headers().contains_key("x-request-id"), "{path}");
    }
    assert!(
        made.len() == 16 && made.bytes().all(|c| c.is_ascii_hexdigit()),
        "{made}"
    );

    // Office A: one wrong password, then in, then a DX certificate.
    let user_a = common::s(&a, "user_id");
    let temp_a = common::s(&a, "login_password");
    let w = Walker::new(&node.base).unwrap();
    w.login(&user_a, "wrong-password").await.unwrap();
    w.login(&user_a, &temp_a).await.unwrap();
    w.change_password(&temp_a, "Kaigo2026pass").await.unwrap();
    w.apply_dx(&common::s(&a, "issuance_password"))
        .await
        .unwrap();
    w.wait_for_issued(Duration::from_secs(60)).await.unwrap();
    // Office B: three wrong passwords lock the login.
    let wb = Walker::new(&node.base).unwrap();
    for _ in 0..3 {
        wb.login(&common::s(&b, "user_id"), "wrong-password")
            .await
            .unwrap();
    }

    // The issued-notice mail leaves the outbox (the .eml spool by default).
    let start = Instant::now();
    let after = loop {
        let (m, text) = scrape(&node.metrics).await;
        if value(&m, "kaigo_mail_deliveries_total{result=\"sent\"}") >= 1.0 {
            break (m, text);
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no mail sent: {text}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let (m, text) = after;
    let moved = |series: &str| value(&m, series) - value(&before, series);
    assert!(
        moved("kaigo_http_requests_total{route=\"/login\",method=\"POST\",status=\"303\"}") >= 1.0,
        "a successful login is a POST /login answered 303:\n{text}"
    );
    assert!(
        moved("kaigo_http_requests_total{route=\"/login\",method=\"GET\",status=\"200\"}") >= 2.0,
        "{text}"
    );
    assert!(
        moved("kaigo_http_request_duration_seconds_count{route=\"/notices\"}") >= 1.0,
        "latency is a histogram by route pattern:\n{text}"
    );
    assert!(
        text.contains("kaigo_http_request_duration_seconds_bucket{route=\"/notices\",le=\"0.05\"}"),
        "the histogram has a 50 ms bucket:\n{text}"
    );
    assert!(
        text.contains("route=\"/notices/{id}\"") && text.contains("route=\"unmatched\""),
        "routes are patterns: {text}"
    );
    let routes: Vec<&str> = text
        .split("route=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(
        routes
            .iter()
            .all(|r| !r.contains("999999") && !r.contains("no-such-page") && !r.contains("passwd")),
        "never raw paths: {routes:?}"
    );
    assert_eq!(
        moved("kaigo_logins_total{outcome=\"success\"}"),
        1.0,
        "{text}"
    );
    assert!(
        moved("kaigo_logins_total{outcome=\"failure\"}") >= 3.0,
        "{text}"
    );
    assert_eq!(moved("kaigo_lockouts_total{kind=\"login\"}"), 1.0, "{text}");
    assert_eq!(moved("kaigo_issuance_seconds_count"), 1.0, "{text}");
    assert_eq!(
        moved("kaigo_audit_events_total{action=\"certificate.issue\"}"),
        1.0
    );
    assert_eq!(
        value(&m, "kaigo_certificates{state=\"valid\"}"),
        1.0,
        "{text}"
    );
    assert_eq!(value(&m, "kaigo_certificates{state=\"revoked\"}"), 0.0);
    assert!(
        text.contains("kaigo_applications{state=\"queued\"} 0")
            && text.contains("kaigo_applications{state=\"running\"} 0"),
        "the queue is empty again: {text}"
    );
    assert_eq!(value(&m, "kaigo_mail_outbox{state=\"failed\"}"), 0.0);
    assert_eq!(value(&m, "kaigo_stats_up"), 1.0);
    let crl_age = value(&m, "kaigo_crl_age_seconds{issuer=\"issuing\"}");
    assert!(
        text.contains("kaigo_crl_age_seconds{issuer=\"issuing\"}")
            && (0.0..3600.0).contains(&crl_age),
        "the first CRL was signed at start: {crl_age}\n{text}"
    );

    drop(node);
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(!log.contains('\u{1b}'), "no colour codes in a log file");
    assert!(
        !log.contains("Kaigo2026pass") && !log.contains(&temp_a),
        "no password in the log"
    );
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let with_id = lines
        .iter()
        .filter(|v| v["span"]["request_id"] == "lb-test-4711")
        .count();
    assert!(
        with_id >= 1,
        "the request's log lines carry the load balancer's ID:\n{log}"
    );
    assert!(
        lines
            .iter()
            .any(|v| v["span"]["route"] == "/dx/apply/submit" && v["fields"]["status"] == 303),
        "each request is logged with its route pattern and status:\n{log}"
    );
}
