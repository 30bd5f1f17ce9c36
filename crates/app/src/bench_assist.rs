//! `kaigo-pki bench assist`: the AIチャット as an office meets it — POST /inquiry/chat with a
//! question of the question set and the conversation page it redirects to — timed per
//! question, with GET /healthz timed in the same run as the machine's floor for one request.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use kaigo_core::assist::eval;

use crate::bench::{cores, register};
use crate::bench_login::percentile;
use crate::datadir::DataDir;
use crate::walk::Walker;
use crate::{serve, wiring};

/// One office asking every question `rounds` times; the milliseconds of each ask.
async fn asker(base: String, user: String, pw: String, rounds: usize) -> anyhow::Result<Vec<f64>> {
    let w = Walker::new(&base)?;
    w.login(&user, &pw).await?;
    let new_pw = format!("{}8y", &pw[..10]);
    w.change_password(&pw, &new_pw).await?;
    let page = w.get("/inquiry/chat").await?;
    let mut times = Vec::new();
    for _ in 0..rounds {
        for q in eval::questions() {
            let t = Instant::now();
            let p = w.post(&page, "/inquiry/chat", &[("q", &q.q)]).await?;
            anyhow::ensure!(
                p.status == 200 && p.path == "/inquiry/chat",
                "ask: {} {}",
                p.status,
                p.path
            );
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    Ok(times)
}

pub async fn run(rounds: usize, clients: usize) -> anyhow::Result<String> {
    let (rounds, clients) = (rounds.max(1), clients.max(1));
    let mut out = String::new();
    writeln!(
        out,
        "bench assist: {} cores, {clients} office(s) asking {} questions × {rounds}",
        cores(),
        eval::questions().len()
    )?;
    let tmp = tempfile::tempdir()?;
    let dir = DataDir::new(tmp.path().join("data"));
    crate::init::init(&dir).await?;
    let app = wiring::open(&dir, true).await?;
    let creds = register(&app, clients, 90_000).await?;
    let running = serve::start(app, "127.0.0.1:0".parse()?).await?;
    let base = format!("http://{}", running.addr);

    // The floor: the cheapest request the server answers, over the same kind of connection.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let mut floor = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        client.get(format!("{base}/healthz")).send().await?;
        floor.push(t.elapsed().as_secs_f64() * 1000.0);
    }

    let start = Instant::now();
    let tasks: Vec<_> = creds
        .into_iter()
        .map(|(user, pw, _)| tokio::spawn(asker(base.clone(), user, pw, rounds)))
        .collect();
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await??);
    }
    let elapsed = start.elapsed().as_secs_f64();
    running.shutdown().await?;

    let p50 = percentile(&mut times, 0.5);
    let p95 = percentile(&mut times, 0.95);
    let floor95 = percentile(&mut floor, 0.95);
    writeln!(
        out,
        "  ask (POST /inquiry/chat, state read, log written, conversation page): p50 {p50:.1} ms, p95 {p95:.1} ms, p99 {:.1} ms ({} asks, {:.0}/s)",
        percentile(&mut times, 0.99),
        times.len(),
        times.len() as f64 / elapsed
    )?;
    writeln!(
        out,
        "  GET /healthz in the same run: p50 {:.2} ms, p95 {floor95:.2} ms; ask p95 = {:.1}× that floor",
        percentile(&mut floor, 0.5),
        p95 / floor95.max(0.001)
    )?;
    let core = eval::run(eval::Split::HeldOut);
    writeln!(
        out,
        "  decide + compose alone (no database): p50 {:.3} ms, p95 {:.3} ms",
        core.p50_ms, core.p95_ms
    )?;
    Ok(out)
}
