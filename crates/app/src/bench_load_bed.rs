//! The test bed of `kaigo-pki bench load`: a data dir on SQLite or on a fresh PostgreSQL
//! database, offices registered and past their first-login password change, one notice for
//! all, and `serve` nodes as child processes (so that their CPU time can be read apart from
//! the load generator's and the database's).

use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::Context;

use crate::bench::register;
use crate::config::AppConfig;
use crate::datadir::DataDir;
use crate::walk::Walker;
use crate::{serve, wiring};

/// The login password every bench office ends up with.
pub(crate) const PASSWORD: &str = "Bench2026pass";

/// A `serve` child process.
pub(crate) struct Node {
    child: Child,
    pub base: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Node {
    fn start(dir: &Path) -> anyhow::Result<Self> {
        let mut cmd = Command::new(std::env::current_exe()?);
        cmd.arg("--data-dir")
            .arg(dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("KAIGO_PKI_LOG", "error")
            .stderr(Stdio::inherit());
        let started = crate::serve_child::ServeChild::spawn(cmd).context("start a serve node")?;
        Ok(Self {
            child: started.child,
            base: started.base,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// A fresh PostgreSQL database, dropped with [`PgDatabase::drop_now`].
pub(crate) struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    pub async fn create(admin_url: &str) -> anyhow::Result<Self> {
        let name = format!("kaigo_bench_{}", std::process::id());
        let url = kaigo_store::provision::create_postgres_database(admin_url, &name)
            .await
            .with_context(|| format!("create a database on {admin_url}"))?;
        Ok(Self {
            admin_url: admin_url.to_owned(),
            name,
            url,
        })
    }

    pub async fn drop_now(self) -> anyhow::Result<()> {
        kaigo_store::provision::drop_postgres_database(&self.admin_url, &self.name).await?;
        Ok(())
    }
}

/// A data dir with `offices` offices whose login password is [`PASSWORD`], and one notice.
pub(crate) struct Bed {
    _tmp: tempfile::TempDir,
    pub dir: DataDir,
    /// User IDs and issuance passwords.
    pub offices: Vec<(String, String)>,
}

impl Bed {
    pub async fn new(database_url: Option<&str>, offices: usize) -> anyhow::Result<Self> {
        let tmp = tempfile::tempdir()?;
        let dir = DataDir::new(tmp.path().join("data"));
        let mut config = AppConfig::defaults_with_env()?;
        if let Some(url) = database_url {
            config.database.url = url.to_owned();
        }
        crate::init::init_with_root(&dir, &config, None).await?;
        crate::notice::add(
            &dir,
            crate::notice::AddArgs {
                title: "請求受付期間のお知らせ".into(),
                category: "schedule".into(),
                body: "今月の請求受付は1日から10日までです。".repeat(20),
                office: None,
                prefecture: None,
                attach: Vec::new(),
                days: None,
            },
        )
        .await?;
        let app = wiring::open(&dir, true).await?;
        let creds = register(&app, offices, 0).await?;
        let running = serve::start(app, "127.0.0.1:0".parse()?).await?;
        let base = format!("http://{}", running.addr);
        let mut out = Vec::with_capacity(creds.len());
        for (user, login, issuance) in creds {
            let w = Walker::new(&base)?;
            w.login(&user, &login).await?;
            w.change_password(&login, PASSWORD).await?;
            out.push((user, issuance));
        }
        running.shutdown().await?;
        Ok(Self {
            _tmp: tmp,
            dir,
            offices: out,
        })
    }

    /// `n` nodes serving this data dir (they share its files, as provisioned nodes do).
    pub fn nodes(&self, n: usize) -> anyhow::Result<Vec<Node>> {
        (0..n).map(|_| Node::start(&self.dir.root)).collect()
    }
}

/// CPU seconds (user + system) a process has used, from `/proc/PID/stat`.
pub(crate) fn cpu_seconds(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat; 12 and 13 after the name and state.
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU seconds of every PostgreSQL server process on this machine.
pub(crate) fn postgres_cpu_seconds() -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .map(|c| c.trim() == "postgres")
                .unwrap_or(false)
        })
        .map(cpu_seconds)
        .sum()
}
