//! A PostgreSQL database of its own for a test, and `serve` nodes on it.

use std::path::Path;
use std::process::{Child, Command};

const PG_URL_VAR: &str = "KAIGO_TEST_PG_URL";
const PG_DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A fresh database, dropped by [`TestDb::drop_now`] (a failed test leaves it for a look).
pub struct TestDb {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl TestDb {
    pub async fn create(prefix: &str) -> Self {
        let admin_url = std::env::var(PG_URL_VAR).unwrap_or_else(|_| PG_DEFAULT_URL.to_owned());
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("kaigo_{prefix}_{}_{nanos}", std::process::id());
        let url = kaigo_store::provision::create_postgres_database(&admin_url, &name)
            .await
            .unwrap_or_else(|e| {
                panic!("PostgreSQL at {admin_url} ({e}): the suite needs it; set {PG_URL_VAR}")
            });
        Self {
            admin_url,
            name,
            url,
        }
    }

    pub async fn drop_now(self) {
        kaigo_store::provision::drop_postgres_database(&self.admin_url, &self.name)
            .await
            .unwrap();
    }
}

/// A `serve` child process on `url`, killed (SIGKILL) when dropped.
pub struct Node {
    pub child: Child,
    pub base: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Node {
    pub fn start(data: &Path, url: &str, env: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new(super::BIN);
        cmd.arg("--data-dir")
            .arg(data)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env_remove("KAIGO_PKI_CA_PASSPHRASE")
            .env("KAIGO_PKI_DATABASE_URL", url)
            .env("KAIGO_PKI_PKCS12_ITERATIONS", "20000")
            .env("KAIGO_PKI_LOG", "warn")
            .envs(env.iter().copied());
        let started = kaigo_pki::serve_child::ServeChild::spawn(cmd).expect("a serve node");
        Self {
            child: started.child,
            base: started.base,
        }
    }

    /// SIGTERM, and whether it stopped cleanly.
    pub fn stop(mut self) -> bool {
        kaigo_pki::serve_child::terminate(&mut self.child)
    }
}

/// Runs the binary on `url`; the parsed JSON when `--json` was given.
pub fn kaigo(data: &Path, url: &str, args: &[&str]) -> serde_json::Value {
    let o = super::kaigo_with(data, args, &[("KAIGO_PKI_DATABASE_URL", url)]);
    assert!(o.status.success(), "{args:?}: {}", super::stderr(&o));
    if args.contains(&"--json") {
        super::json(&o)
    } else {
        serde_json::Value::Null
    }
}
