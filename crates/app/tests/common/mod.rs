//! Shared helpers of the end-to-end tests: running the real binary, the independent tools.
#![allow(dead_code)]

pub mod mail;
pub mod pg;
pub mod pki;
pub mod softhsm;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_kaigo-pki");

/// Fails the test (never skips) when a tool the test needs is missing.
pub fn require_tool(tool: &str, install_hint: &str) {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "required tool `{tool}` is missing: {install_hint} (.ci/run installs it)"
    );
}

/// Runs the binary with a data dir and returns its output.
pub fn kaigo(data: &Path, args: &[&str]) -> Output {
    kaigo_with(data, args, &[])
}

/// As [`kaigo`], with extra environment variables.
pub fn kaigo_with(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("KAIGO_PKI_CA_PASSPHRASE")
        .envs(env.iter().copied())
        .env("KAIGO_PKI_PKCS12_ITERATIONS", "20000")
        .env("KAIGO_PKI_LOG", "warn")
        .output()
        .expect("run kaigo-pki")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `init` then `office add --json`; returns the JSON.
pub fn init_with_office(data: &Path, number: &str, email: Option<&str>) -> serde_json::Value {
    let o = kaigo(data, &["init"]);
    assert!(o.status.success(), "init failed: {}", stderr(&o));
    add_office(data, number, email)
}

/// `office add --json` of a 介護 office in Tokyo; returns the JSON.
pub fn add_office(data: &Path, number: &str, email: Option<&str>) -> serde_json::Value {
    add_office_with(data, number, email, &[])
}

/// As [`add_office`], with extra environment variables (e.g. the database URL).
pub fn add_office_with(
    data: &Path,
    number: &str,
    email: Option<&str>,
    env: &[(&str, &str)],
) -> serde_json::Value {
    let mut args = vec![
        "office",
        "add",
        "--postal-code",
        "100-0001",
        "--address",
        "東京都千代田区千代田1-1",
        "--number",
        number,
        "--name",
        "請求事業所A",
        "--kind",
        "kaigo",
        "--prefecture",
        "13",
        "--json",
    ];
    if let Some(e) = email {
        args.extend(["--email", e]);
    }
    let o = kaigo_with(data, &args, env);
    assert!(o.status.success(), "office add failed: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("office add --json prints one JSON object")
}

/// A `kaigo-pki serve` child process on a free port.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    pub fn start(data: &Path) -> Self {
        Self::start_on(data, "127.0.0.1:0", &[])
    }

    /// Serves on `listen` with extra environment variables.
    pub fn start_on(data: &Path, listen: &str, env: &[(&str, &str)]) -> Self {
        Self::start_args(data, &["serve", "--listen", listen], env)
    }

    /// Runs the binary with `args` (a `serve` or `demo` command) and waits for its banner.
    pub fn start_args(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new(BIN);
        cmd.arg("--data-dir")
            .arg(data)
            .args(args)
            .envs(env.iter().copied())
            .env_remove("KAIGO_PKI_CA_PASSPHRASE")
            .env("KAIGO_PKI_PKCS12_ITERATIONS", "20000")
            .env("KAIGO_PKI_LOG", "warn")
            .stderr(Stdio::inherit());
        let started = kaigo_pki::serve_child::ServeChild::spawn(cmd).expect("kaigo-pki serve");
        Self {
            child: started.child,
            base: started.base,
        }
    }

    /// Sends SIGTERM and returns whether the process exited cleanly.
    pub fn terminate(mut self) -> bool {
        kaigo_pki::serve_child::terminate(&mut self.child)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// A loopback port that was free a moment ago (for a server whose URLs must be known before
/// it starts, e.g. the ones written into certificates).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Runs a tool; returns (success, stdout + stderr).
pub fn run(cmd: &str, args: &[&str]) -> (bool, String) {
    let o = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd}: {e}"));
    let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&o.stderr));
    (o.status.success(), text)
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write file");
    p
}

/// The data dir's SQLite database, for what a test checks behind the pages.
pub async fn pool(data: &Path) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}", data.join("kaigo.db").display());
    sqlx::AnyPool::connect(&url).await.unwrap()
}

/// The current Unix time.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The JSON a successful command printed.
pub fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", stderr(o));
    serde_json::from_str(stdout(o).trim()).expect("JSON")
}

/// A string field of a JSON object.
pub fn s(v: &serde_json::Value, k: &str) -> String {
    v[k].as_str().unwrap().to_owned()
}

/// `kaigo-pki admin add --json`: a federation admin of `prefecture`, or a central operator.
pub fn add_admin(data: &Path, login: &str, prefecture: Option<&str>) -> serde_json::Value {
    let mut args = vec!["admin", "add", "--login", login, "--json"];
    match prefecture {
        Some(p) => args.extend(["--role", "federation", "--prefecture", p]),
        None => args.extend(["--role", "central"]),
    }
    json(&kaigo(data, &args))
}
