//! Slow and idle clients cannot hold the server's connections (issue 8, point 3): raw sockets
//! against the real server with short `[server]` limits. Every wait is bounded; the bounds are
//! generous multiples of the settings and only prove that a connection is closed at all.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use kaigo_pki::config::ServerConfig;
use kaigo_pki::datadir::DataDir;
use kaigo_pki::{serve, wiring};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Served {
    _tmp: tempfile::TempDir,
    running: serve::Running,
}

impl Served {
    fn addr(&self) -> SocketAddr {
        self.running.addr
    }
}

async fn start(server: ServerConfig) -> Served {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let o = common::kaigo(&data, &["init"]);
    assert!(o.status.success(), "init failed: {}", common::stderr(&o));
    let mut app = wiring::open(&DataDir::new(data), true).await.unwrap();
    app.config.server = server;
    let running = serve::start(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    Served { _tmp: tmp, running }
}

fn limits(header: u64, keepalive: u64, body: u64, max_connections: usize) -> ServerConfig {
    ServerConfig {
        header_read_timeout_seconds: header,
        keepalive_idle_seconds: keepalive,
        request_body_timeout_seconds: body,
        max_connections,
        ..ServerConfig::default()
    }
}

#[derive(Debug, PartialEq)]
enum Read {
    /// The server closed the connection (EOF or reset).
    Closed,
    /// The server sent these bytes.
    Data(Vec<u8>),
    /// Nothing within the wait.
    Silent,
}

async fn read_once(s: &mut TcpStream, wait: Duration) -> Read {
    let mut buf = vec![0u8; 16 * 1024];
    match tokio::time::timeout(wait, s.read(&mut buf)).await {
        Err(_) => Read::Silent,
        Ok(Ok(0)) | Ok(Err(_)) => Read::Closed,
        Ok(Ok(n)) => Read::Data(buf[..n].to_vec()),
    }
}

/// Reads one whole `/healthz` response (`ok` body) within `wait`.
async fn read_healthz(s: &mut TcpStream, wait: Duration) -> Result<String, Read> {
    let deadline = Instant::now() + wait;
    let mut got = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match read_once(s, left).await {
            Read::Data(d) => got.extend_from_slice(&d),
            other => return Err(other),
        }
        let text = String::from_utf8_lossy(&got).into_owned();
        if text.contains("\r\n\r\n") && text.ends_with("ok") {
            return Ok(text);
        }
    }
}

/// Waits (bounded) until the server closes `s`, ignoring what it sends first.
async fn closed_within(s: &mut TcpStream, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        match read_once(s, left).await {
            Read::Closed => return true,
            Read::Silent => return false,
            Read::Data(_) => {}
        }
    }
}

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
const HALF_HEADER: &[u8] = b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_header_is_closed_after_the_header_timeout() {
    let s = start(limits(1, 60, 60, 64)).await;
    let mut c = TcpStream::connect(s.addr()).await.unwrap();
    c.write_all(HALF_HEADER).await.unwrap();
    let t = Instant::now();
    assert!(
        closed_within(&mut c, Duration::from_secs(10)).await,
        "a connection that stalls in its header must be closed (header_read_timeout_seconds = 1)"
    );
    eprintln!("stalled header closed after {:?}", t.elapsed());
    // A connection that sends nothing at all is closed the same way.
    let mut silent = TcpStream::connect(s.addr()).await.unwrap();
    assert!(closed_within(&mut silent, Duration::from_secs(10)).await);
    s.running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    // The header timeout is long, so only the idle timeout can close the connection.
    let s = start(limits(60, 1, 60, 64)).await;
    let mut c = TcpStream::connect(s.addr()).await.unwrap();
    c.write_all(HEALTHZ).await.unwrap();
    let first = read_healthz(&mut c, Duration::from_secs(10)).await.unwrap();
    assert!(first.starts_with("HTTP/1.1 200"), "{first}");
    let t = Instant::now();
    assert!(
        closed_within(&mut c, Duration::from_secs(10)).await,
        "an idle kept-alive connection must be closed (keepalive_idle_seconds = 1)"
    );
    eprintln!("idle keep-alive closed after {:?}", t.elapsed());
    s.running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_outlasts_the_header_timeout_while_under_the_idle_timeout() {
    // hyper restarts its header timer on an idle connection; the idle setting must still rule.
    let s = start(limits(1, 30, 60, 64)).await;
    let mut c = TcpStream::connect(s.addr()).await.unwrap();
    for round in 0..2 {
        c.write_all(HEALTHZ).await.unwrap();
        let r = read_healthz(&mut c, Duration::from_secs(10)).await;
        assert!(
            r.as_ref().is_ok_and(|t| t.starts_with("HTTP/1.1 200")),
            "request {round} on the kept-alive connection: {r:?}"
        );
        // Idle for three header timeouts, well under the idle timeout.
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    s.running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_request_body_is_ended_by_the_body_time_limit() {
    let s = start(limits(60, 60, 2, 64)).await;
    let mut c = TcpStream::connect(s.addr()).await.unwrap();
    c.write_all(
        b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n\
          Content-Type: application/x-www-form-urlencoded\r\n\
          Content-Length: 100000\r\n\r\nuser_id=",
    )
    .await
    .unwrap();
    let t = Instant::now();
    // One byte every 100 ms: bytes keep arriving, the body is never complete.
    let mut answer = Vec::new();
    let mut ended = false;
    while t.elapsed() < Duration::from_secs(20) {
        if c.write_all(b"a").await.is_err() {
            ended = true;
            break;
        }
        match read_once(&mut c, Duration::from_millis(100)).await {
            Read::Silent => {}
            Read::Data(d) => answer.extend_from_slice(&d),
            Read::Closed => {
                ended = true;
                break;
            }
        }
    }
    let answer = String::from_utf8_lossy(&answer).into_owned();
    assert!(
        ended || answer.starts_with("HTTP/1.1 408"),
        "a body trickled for 20 s must be cut off (request_body_timeout_seconds = 2); got {answer:?}"
    );
    if !answer.is_empty() {
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    }
    eprintln!("trickled body ended after {:?}: {answer:?}", t.elapsed());
    s.running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connection_cap_holds_and_healthz_answers_once_stalled_clients_are_dropped() {
    const CAP: usize = 8;
    let s = start(limits(3, 60, 60, CAP)).await;
    // Twice the cap of clients that stall in their header.
    let mut stalled = Vec::new();
    for _ in 0..2 * CAP {
        let mut c = TcpStream::connect(s.addr()).await.unwrap();
        c.write_all(HALF_HEADER).await.unwrap();
        stalled.push(c);
    }
    // A complete request beyond the cap is not served while the slots are taken…
    let t = Instant::now();
    let mut probe = TcpStream::connect(s.addr()).await.unwrap();
    probe.write_all(HEALTHZ).await.unwrap();
    assert_eq!(
        read_once(&mut probe, Duration::from_secs(1)).await,
        Read::Silent,
        "the server must not serve more than max_connections = {CAP} connections at once"
    );
    // …and is answered once the stalled clients have been dropped by the header timeout.
    let answered = read_healthz(&mut probe, Duration::from_secs(60)).await;
    assert!(
        answered
            .as_ref()
            .is_ok_and(|t| t.starts_with("HTTP/1.1 200")),
        "{answered:?}"
    );
    eprintln!(
        "/healthz behind {} stalled clients answered after {:?}",
        2 * CAP,
        t.elapsed()
    );
    for (i, c) in stalled.iter_mut().enumerate() {
        assert!(
            closed_within(c, Duration::from_secs(30)).await,
            "stalled client {i} still open"
        );
    }
    s.running.shutdown().await.unwrap();
}

/// A client that sends many requests and never reads the answers fills the socket; the server
/// gives up on it after `keepalive_idle` (a response handed to hyper whole counts as idle
/// time; one still streaming counts as a send stall), so it cannot hold a slot for ever. With
/// one slot, `/healthz` from another client is answered once that happens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_its_responses_is_dropped() {
    let s = start(limits(60, 2, 60, 1)).await;
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut greedy = socket.connect(s.addr()).await.unwrap();
    // Pipelined requests for a page of several KiB, never read: the responses pile up until
    // the socket takes no more.
    let one = b"GET /login HTTP/1.1\r\nHost: x\r\n\r\n";
    let burst: Vec<u8> = one.iter().copied().cycle().take(one.len() * 4000).collect();
    let writer = tokio::spawn(async move {
        let _ = tokio::time::timeout(Duration::from_secs(60), greedy.write_all(&burst)).await;
        greedy
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let t = Instant::now();
    let mut probe = TcpStream::connect(s.addr()).await.unwrap();
    probe.write_all(HEALTHZ).await.unwrap();
    let answered = read_healthz(&mut probe, Duration::from_secs(40)).await;
    assert!(
        answered
            .as_ref()
            .is_ok_and(|t| t.starts_with("HTTP/1.1 200")),
        "the only slot stays held by a client that reads nothing: {answered:?}"
    );
    eprintln!(
        "/healthz behind a non-reading client answered after {:?}",
        t.elapsed()
    );
    drop(writer);
    s.running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_idle_and_half_sent_connections_at_once() {
    let s = start(limits(60, 60, 60, 64)).await;
    let mut idle = TcpStream::connect(s.addr()).await.unwrap();
    idle.write_all(HEALTHZ).await.unwrap();
    read_healthz(&mut idle, Duration::from_secs(10))
        .await
        .unwrap();
    let mut stalled = TcpStream::connect(s.addr()).await.unwrap();
    stalled.write_all(HALF_HEADER).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let t = Instant::now();
    s.running.shutdown().await.unwrap();
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "connections without a request in flight must not delay shutdown (timeouts are 60 s)"
    );
    assert!(closed_within(&mut idle, Duration::from_secs(5)).await);
    assert!(closed_within(&mut stalled, Duration::from_secs(5)).await);
}

#[test]
fn settings_are_validated_with_the_name_of_the_wrong_value() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let o = common::kaigo(&data, &["init"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let text = std::fs::read_to_string(data.join("config.toml")).unwrap();
    for key in [
        "[server]",
        "header_read_timeout_seconds = 10",
        "keepalive_idle_seconds = 60",
        "request_body_timeout_seconds = 60",
        "max_connections = 512",
    ] {
        assert!(text.contains(key), "config.toml lacks {key}:\n{text}");
    }
    let mut child = std::process::Command::new(common::BIN)
        .arg("--data-dir")
        .arg(&data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("KAIGO_PKI_MAX_CONNECTIONS", "0")
        .env("KAIGO_PKI_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let t = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if t.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("serve started with max_connections = 0");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let o = child.wait_with_output().unwrap();
    assert!(!o.status.success());
    assert!(
        common::stderr(&o).contains("server.max_connections must be between 1 and 65536"),
        "{}",
        common::stderr(&o)
    );
}
