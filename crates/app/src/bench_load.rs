//! `kaigo-pki bench load`: the first days of a claim month. Many offices log in, read the
//! notice list and a notice, some look at their documents, and a share applies for a
//! certificate. Throughput and p50/p99 per step, for SQLite on one node and PostgreSQL on one
//! and two nodes, against baselines measured in the same run: the machine's Argon2id rate for
//! logins, and nginx serving the same notice-list page as a static file for pages.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::bench::cores;
use crate::bench_load_bed::{Bed, PASSWORD, PgDatabase, cpu_seconds, postgres_cpu_seconds};
use crate::bench_login::percentile;
use crate::walk::Walker;

/// Latencies (ms) per step name.
type Samples = Arc<Mutex<BTreeMap<&'static str, Vec<f64>>>>;

pub struct LoadArgs {
    pub seconds: u64,
    pub clients: usize,
    pub offices: usize,
    /// PostgreSQL to create the bench database in; `None`: SQLite only.
    pub pg_url: Option<String>,
    /// Pause of each user after each page while browsing: 0 saturates the node (throughput);
    /// a reading pause measures the latency users see at that many users.
    pub think_ms: u64,
}

async fn timed<T>(
    samples: &Samples,
    step: &'static str,
    f: impl Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    let t = Instant::now();
    let out = f.await?;
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    samples.lock().await.entry(step).or_default().push(ms);
    Ok(out)
}

/// One run's figures: per step (count, rate, p50, p99), and CPU seconds per page.
pub(crate) struct Outcome {
    pub(crate) lines: Vec<(String, usize, f64, f64, f64)>,
    pages_per_second: f64,
    node_cpu_per_login_ms: f64,
    node_cpu_per_page_ms: f64,
    db_cpu_per_page_ms: f64,
}

/// Logs every office in once (spread over the nodes), then browses for `seconds`.
pub(crate) async fn drive(
    bed: &Bed,
    bases: &[String],
    pids: &[u32],
    args: &LoadArgs,
) -> anyhow::Result<Outcome> {
    let samples: Samples = Arc::default();
    let clients = args.clients.min(bed.offices.len()).max(1);
    // Logins: each client logs its office in, in parallel, over and over for a third of the time.
    let login_time = Duration::from_secs((args.seconds / 3).max(2));
    let login_cpu_before: f64 = pids.iter().map(|p| cpu_seconds(*p)).sum();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (i, (user, _)) in bed.offices.iter().take(clients).enumerate() {
        let (base, user, samples) = (
            bases[i % bases.len()].clone(),
            user.clone(),
            samples.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut last = None;
            while last.is_none() || start.elapsed() < login_time {
                let w = Walker::new(&base)?;
                let page = timed(&samples, "login", w.login(&user, PASSWORD)).await?;
                anyhow::ensure!(page.path == "/top", "login of {user} led to {}", page.path);
                last = Some(w);
            }
            last.ok_or_else(|| anyhow::anyhow!("no login"))
        }));
    }
    let mut walkers = Vec::new();
    for t in tasks {
        walkers.push(t.await??);
    }
    let login_elapsed = start.elapsed().as_secs_f64();
    let login_cpu = pids.iter().map(|p| cpu_seconds(*p)).sum::<f64>() - login_cpu_before;
    let logins = samples.lock().await.get("login").map_or(1, Vec::len).max(1);

    // Browsing: the notice list, a notice, every fourth round the documents page; one office
    // in ten applies for its 介護DX証明書 once.
    let notice = {
        let list = walkers[0].get("/notices").await?;
        let at = list
            .html
            .find("href=\"/notices/")
            .ok_or_else(|| anyhow::anyhow!("no notice"))?;
        let rest = &list.html[at + 6..];
        rest[..rest.find('"').unwrap_or(0)].to_owned()
    };
    let cpu_before: f64 = pids.iter().map(|p| cpu_seconds(*p)).sum();
    let db_before = postgres_cpu_seconds();
    let browse = Duration::from_secs(args.seconds.max(2));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (i, w) in walkers.into_iter().enumerate() {
        let (samples, notice, think_ms) = (samples.clone(), notice.clone(), args.think_ms);
        let issuance = bed.offices[i].1.clone();
        tasks.push(tokio::spawn(async move {
            let mut pages = 0usize;
            if i.is_multiple_of(10) {
                timed(&samples, "apply (5 pages)", w.apply_dx(&issuance)).await?;
            }
            let mut round = 0usize;
            let think = Duration::from_millis(think_ms);
            // Paced users start spread over one pause, not all in the same instant.
            if think_ms > 0 {
                tokio::time::sleep(think.mul_f64((i % 100) as f64 / 100.0)).await;
            }
            while start.elapsed() < browse {
                let list = timed(&samples, "notice list", w.get("/notices")).await?;
                anyhow::ensure!(list.status == 200, "/notices: {}", list.status);
                tokio::time::sleep(think).await;
                timed(&samples, "notice", w.get(&notice)).await?;
                tokio::time::sleep(think).await;
                pages += 2;
                if round.is_multiple_of(4) {
                    timed(&samples, "documents", w.get("/documents")).await?;
                    tokio::time::sleep(think).await;
                    pages += 1;
                }
                round += 1;
            }
            Ok::<_, anyhow::Error>(pages)
        }));
    }
    let mut pages = 0;
    for t in tasks {
        pages += t.await??;
    }
    let browse_elapsed = start.elapsed().as_secs_f64();
    let cpu = pids.iter().map(|p| cpu_seconds(*p)).sum::<f64>() - cpu_before;
    let db = postgres_cpu_seconds() - db_before;

    let mut lines = Vec::new();
    for (step, mut v) in std::mem::take(&mut *samples.lock().await) {
        let elapsed = if step == "login" {
            login_elapsed
        } else {
            browse_elapsed
        };
        let n = v.len();
        lines.push((
            step.to_owned(),
            n,
            n as f64 / elapsed,
            percentile(&mut v, 0.5),
            percentile(&mut v, 0.99),
        ));
    }
    Ok(Outcome {
        lines,
        pages_per_second: pages as f64 / browse_elapsed,
        node_cpu_per_login_ms: login_cpu * 1000.0 / logins as f64,
        node_cpu_per_page_ms: cpu * 1000.0 / pages.max(1) as f64,
        db_cpu_per_page_ms: db * 1000.0 / pages.max(1) as f64,
    })
}

/// nginx serving `body` as a static file, loaded by `clients` clients for `seconds`.
async fn nginx_baseline(
    body: &str,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<Option<(f64, f64, f64)>> {
    let Ok(nginx) = which("nginx") else {
        return Ok(None);
    };
    let tmp = tempfile::tempdir()?;
    let root = tmp.path();
    std::fs::write(root.join("notices.html"), body)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let conf = format!(
        "worker_processes {}; pid {r}/nginx.pid; error_log {r}/error.log; daemon off;\n\
         events {{ worker_connections 4096; }}\n\
         http {{ access_log off; client_body_temp_path {r}; proxy_temp_path {r}; fastcgi_temp_path {r}; \
         uwsgi_temp_path {r}; scgi_temp_path {r};\n server {{ listen 127.0.0.1:{port}; root {r}; }} }}\n",
        cores(),
        r = root.display()
    );
    std::fs::write(root.join("nginx.conf"), conf)?;
    let mut child = std::process::Command::new(nginx)
        .args([
            "-p",
            &root.display().to_string(),
            "-c",
            &root.join("nginx.conf").display().to_string(),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let url = format!("http://127.0.0.1:{port}/notices.html");
    let client = reqwest::Client::new();
    let started = Instant::now();
    while client.get(&url).send().await.is_err() {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(5),
            "nginx did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let duration = Duration::from_secs(seconds.max(2));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, url) = (reqwest::Client::new(), url.clone());
        tasks.push(tokio::spawn(async move {
            let mut v = Vec::new();
            while start.elapsed() < duration {
                let t = Instant::now();
                client.get(&url).send().await?.bytes().await?;
                v.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            Ok::<_, anyhow::Error>(v)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let rate = all.len() as f64 / start.elapsed().as_secs_f64();
    // SIGTERM to the master stops its workers too (SIGKILL would orphan them).
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    Ok(Some((
        rate,
        percentile(&mut all, 0.5),
        percentile(&mut all, 0.99),
    )))
}

fn which(tool: &str) -> anyhow::Result<std::path::PathBuf> {
    for dir in [
        "/usr/sbin",
        "/usr/bin",
        "/sbin",
        "/usr/local/sbin",
        "/usr/local/bin",
    ] {
        let p = std::path::Path::new(dir).join(tool);
        if p.exists() {
            return Ok(p);
        }
    }
    anyhow::bail!("{tool} not found")
}

pub(crate) fn report(out: &mut String, name: &str, o: &Outcome, ceiling: f64) -> std::fmt::Result {
    writeln!(out, "\n  {name}")?;
    writeln!(
        out,
        "    {:<16} {:>7} {:>9} {:>9} {:>9}",
        "step", "count", "per s", "p50 ms", "p99 ms"
    )?;
    for (step, n, rate, p50, p99) in &o.lines {
        writeln!(
            out,
            "    {step:<16} {n:>7} {rate:>9.1} {p50:>9.1} {p99:>9.1}"
        )?;
        if step == "login" {
            // What one verification costs a core at the ceiling, against what a whole login
            // cost the node: the share of the node's work that is the hash itself.
            let argon_ms = cores() as f64 * 1000.0 / ceiling;
            writeln!(
                out,
                "    {:<16} logins/s = {:.2} of the Argon2id ceiling; node CPU per login {:.1} ms \
                 (Argon2id alone {argon_ms:.1} ms: {:.2})",
                "",
                rate / ceiling,
                o.node_cpu_per_login_ms,
                argon_ms / o.node_cpu_per_login_ms
            )?;
        }
    }
    writeln!(
        out,
        "    pages (logged in): {:.0}/s; CPU per page: node {:.2} ms, PostgreSQL {:.2} ms",
        o.pages_per_second, o.node_cpu_per_page_ms, o.db_cpu_per_page_ms
    )
}

pub async fn run(args: LoadArgs) -> anyhow::Result<String> {
    let mut out = String::new();
    writeln!(
        out,
        "bench load: {} cores, {} offices, {} clients, {} s of browsing per setup",
        cores(),
        args.offices,
        args.clients,
        args.seconds
    )?;
    let ceiling =
        tokio::task::spawn_blocking(|| crate::bench_login::argon_ceiling(Duration::from_secs(3)))
            .await?;
    writeln!(
        out,
        "  Argon2id ceiling (19 MiB, t=2, every core): {ceiling:.1} verifications/s"
    )?;

    let bed = Bed::new(None, args.offices).await?;
    let nodes = bed.nodes(1)?;
    let page = Walker::new(&nodes[0].base)?;
    page.login(&bed.offices[0].0, PASSWORD).await?;
    let list_html = page.get("/notices").await?.html;
    let o = drive(&bed, &[nodes[0].base.clone()], &[nodes[0].pid()], &args).await?;
    report(&mut out, "SQLite, 1 node", &o, ceiling)?;
    drop(nodes);

    if let Some(admin) = &args.pg_url {
        let db = PgDatabase::create(admin).await?;
        let bed = Bed::new(Some(&db.url), args.offices).await?;
        let mut one_rate = 0.0;
        for n in [1, 2] {
            let nodes = bed.nodes(n)?;
            let bases: Vec<String> = nodes.iter().map(|n| n.base.clone()).collect();
            let pids: Vec<u32> = nodes.iter().map(|n| n.pid()).collect();
            let o = drive(&bed, &bases, &pids, &args).await?;
            report(&mut out, &format!("PostgreSQL, {n} node(s)"), &o, ceiling)?;
            if n == 1 {
                one_rate = o.pages_per_second;
                // Nodes add capacity until the database's CPU is used up.
                let node_capacity = cores() as f64 * 1000.0 / o.node_cpu_per_page_ms;
                let per_db_core = 1000.0 / o.db_cpu_per_page_ms.max(1e-6);
                writeln!(
                    out,
                    "    prediction: a node with {} cores of its own serves {:.0} pages/s; a database \
                     core serves {:.0} pages/s, so two nodes reach 2× one with {:.1} database cores \
                     and 1.7× with {:.1}",
                    cores(),
                    node_capacity,
                    per_db_core,
                    2.0 * node_capacity / per_db_core,
                    1.7 * node_capacity / per_db_core
                )?;
            } else {
                writeln!(
                    out,
                    "    two nodes / one node on this machine: {:.2}×",
                    o.pages_per_second / one_rate
                )?;
            }
        }
        db.drop_now().await?;
    }

    match nginx_baseline(&list_html, args.clients, args.seconds).await? {
        Some((rate, p50, p99)) => writeln!(
            out,
            "\n  baseline: nginx serving the notice list ({} bytes) as a static file: {rate:.0}/s, p50 {p50:.1} ms, p99 {p99:.1} ms",
            list_html.len()
        )?,
        None => writeln!(
            out,
            "\n  baseline: nginx not found (apt-get install nginx-light)"
        )?,
    }
    Ok(out)
}
