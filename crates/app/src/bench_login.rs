//! `kaigo-pki bench login`: login throughput over HTTP and the latency of a cheap page
//! (`/healthz`) while logins run, against the machine's own Argon2id ceiling measured in the
//! same run (every core verifying full-cost hashes and nothing else).
//!
//! A login costs one full-cost Argon2id verification (19 MiB, t=2). Where that work runs
//! decides whether a login flood also slows every other request: on the async workers it
//! occupies the threads that answer `/healthz`; on the bounded blocking pool it does not.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kaigo_core::account::password::PasswordHasher;
use secrecy::SecretString;

use crate::bench::{cores, register};
use crate::datadir::DataDir;
use crate::walk::Walker;
use crate::{serve, wiring};

/// Full-cost verifications per second with every core busy and nothing else running.
pub(crate) fn argon_ceiling(duration: Duration) -> f64 {
    let hasher = PasswordHasher::default();
    let phc = hasher
        .hash(&SecretString::from("bench-password-1".to_owned()))
        .unwrap_or_default();
    let done = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..cores() {
            let (hasher, phc, done) = (&hasher, &phc, done.clone());
            s.spawn(move || {
                while start.elapsed() < duration {
                    hasher.verify("bench-password-1", phc);
                    done.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// `/healthz` latencies (ms) sampled every 20 ms until `stop`.
async fn probe(base: String, stop: Arc<AtomicBool>) -> anyhow::Result<Vec<f64>> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let mut out = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let t = Instant::now();
        let resp = client.get(format!("{base}/healthz")).send().await?;
        anyhow::ensure!(resp.status().is_success(), "/healthz: {}", resp.status());
        out.push(t.elapsed().as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(out)
}

pub(crate) fn percentile(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let i = ((v.len() - 1) as f64 * p).round() as usize;
    v[i]
}

pub async fn run(seconds: u64, clients: usize) -> anyhow::Result<String> {
    let duration = Duration::from_secs(seconds.max(1));
    let clients = clients.max(1);
    let mut out = String::new();
    writeln!(
        out,
        "bench login: {} cores, {clients} clients for {}s",
        cores(),
        duration.as_secs()
    )?;
    let ceiling = tokio::task::spawn_blocking(move || argon_ceiling(duration)).await?;
    writeln!(
        out,
        "  machine ceiling (Argon2id 19 MiB t=2 on every core): {ceiling:.1} verifications/s"
    )?;

    let tmp = tempfile::tempdir()?;
    let dir = DataDir::new(tmp.path().join("data"));
    crate::init::init(&dir).await?;
    let app = wiring::open(&dir, true).await?;
    let creds = register(&app, clients, 80_000).await?;
    let running = serve::start(app, "127.0.0.1:0".parse()?).await?;
    let base = format!("http://{}", running.addr);
    // The first-login change gives every office a full-cost hash, as offices have in use.
    let mut offices = Vec::new();
    for (user, login, _) in creds {
        let w = Walker::new(&base)?;
        w.login(&user, &login).await?;
        let new_pw = format!("{}8y", &login[..10]);
        w.change_password(&login, &new_pw).await?;
        offices.push((user, new_pw));
    }

    let stop = Arc::new(AtomicBool::new(false));
    let idle_probe = tokio::spawn(probe(base.clone(), stop.clone()));
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let mut idle = idle_probe.await??;

    let stop = Arc::new(AtomicBool::new(false));
    let logins = Arc::new(AtomicUsize::new(0));
    let busy_probe = tokio::spawn(probe(base.clone(), stop.clone()));
    let start = Instant::now();
    let tasks: Vec<_> = offices
        .into_iter()
        .map(|(user, pw)| {
            let (base, logins) = (base.clone(), logins.clone());
            tokio::spawn(async move {
                while start.elapsed() < duration {
                    let w = Walker::new(&base)?;
                    let page = w.login(&user, &pw).await?;
                    anyhow::ensure!(page.path != "/login", "login refused for {user}");
                    logins.fetch_add(1, Ordering::Relaxed);
                }
                Ok::<_, anyhow::Error>(())
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    let elapsed = start.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let mut busy = busy_probe.await??;
    running.shutdown().await?;

    let rate = logins.load(Ordering::Relaxed) as f64 / elapsed;
    writeln!(
        out,
        "  logins over HTTP: {rate:.1}/s = {:.2} of the ceiling (a login is one full-cost verification)",
        rate / ceiling
    )?;
    writeln!(
        out,
        "  /healthz idle:        median {:.1} ms, p95 {:.1} ms, p99 {:.1} ms ({} samples)",
        percentile(&mut idle, 0.5),
        percentile(&mut idle, 0.95),
        percentile(&mut idle, 0.99),
        idle.len()
    )?;
    writeln!(
        out,
        "  /healthz under logins: median {:.1} ms, p95 {:.1} ms, p99 {:.1} ms ({} samples)",
        percentile(&mut busy, 0.5),
        percentile(&mut busy, 0.95),
        percentile(&mut busy, 0.99),
        busy.len()
    )?;
    Ok(out)
}
