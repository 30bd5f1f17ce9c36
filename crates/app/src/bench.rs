//! `kaigo-pki bench issue`: issuance throughput, compared in the same run with what the
//! machine's raw RSA-2048 key generation plus the PKCS#12 PBKDF2 work alone allow.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use kaigo_core::actor::Actor;
use kaigo_core::certificate::CertKind;
use kaigo_core::office::form::OfficeForm;
use kaigo_core::office::repo::OfficeRepo;
use secrecy::ExposeSecret;

use crate::datadir::DataDir;
use crate::walk::Walker;
use crate::{serve, wiring};

pub(crate) fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Runs `per_thread` rounds of RSA-2048 keygen plus either the PBKDF2 derivations of one file
/// (`real_build` false) or a self-signed certificate and a real PKCS#12 file built by OpenSSL
/// (`real_build` true) on every
/// core at once; returns certs/s.
fn raw_limit(profile: kaigo_ca::Pkcs12Profile, per_thread: usize, real_build: bool) -> f64 {
    let threads = cores();
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            std::thread::spawn(move || {
                for _ in 0..per_thread {
                    if real_build {
                        kaigo_ca::bench_keygen_and_pkcs12(&profile, 1);
                    } else {
                        kaigo_ca::bench_rsa2048_keygen(1);
                        kaigo_ca::bench_pkcs12_kdf(&profile, 1);
                    }
                }
            })
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
    (threads * per_thread) as f64 / start.elapsed().as_secs_f64()
}

pub(crate) async fn register(
    app: &wiring::App,
    n: usize,
    offset: usize,
) -> anyhow::Result<Vec<(String, String, String)>> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let form = OfficeForm {
            number: format!("{:010}", 2_700_000_000u64 + (offset + i) as u64),
            name: format!("ベンチ事業所{i}"),
            kind: "kaigo".into(),
            prefecture: "27".into(),
            postal_code: "530-0001".into(),
            address: "大阪府大阪市北区梅田1-1".into(),
            email: String::new(),
        };
        let r = crate::office::register(app, &Actor::System, &form).await?;
        out.push((
            r.office.user_id.to_string(),
            r.login_password.expose_secret().to_owned(),
            r.issuance_password.expose_secret().to_owned(),
        ));
    }
    Ok(out)
}

/// A data dir with `count` registered offices, for the pipeline rounds.
pub(crate) struct PipelineBed {
    _tmp: tempfile::TempDir,
    pub(crate) app: wiring::App,
    offices: Vec<(kaigo_core::office::Office, String)>,
}

/// A pipeline bed whose data dir is made with `config` (the CA keys in files, or in the
/// configured token).
pub(crate) async fn pipeline_bed(
    count: usize,
    config: &crate::config::AppConfig,
) -> anyhow::Result<PipelineBed> {
    let tmp = tempfile::tempdir()?;
    let dir = DataDir::new(tmp.path().join("data"));
    crate::init::init_with(&dir, config).await?;
    // Where the keys are is the bed's choice, whatever KAIGO_PKI_HSM_* say.
    let mut opened = crate::config::AppConfig::load(&dir)?;
    opened.hsm = config.hsm.clone();
    let app = wiring::open_with(&dir, true, opened).await?;
    let creds = register(&app, count, 0).await?;
    let mut offices = Vec::with_capacity(count);
    for (user_id, _, issuance) in creds {
        let uid = kaigo_core::ids::UserId::parse(&user_id).map_err(|e| anyhow::anyhow!("{e}"))?;
        let office = app
            .store
            .office_by_user_id(&uid)
            .await?
            .context("office vanished")?;
        offices.push((office, issuance));
    }
    Ok(PipelineBed {
        _tmp: tmp,
        app,
        offices,
    })
}

/// One round of the pipeline alone: every office has an application queued, `cores()`
/// workers drain the queue (claim, unseal, key, certificate, PKCS#12, store, notice).
pub(crate) async fn pipeline_round(bed: &PipelineBed, round: usize) -> anyhow::Result<f64> {
    for (i, (office, issuance)) in bed.offices.iter().enumerate() {
        let sealed = bed.app.services.apply.seal_password(issuance)?;
        let key = format!("bench-{round}-{i}");
        bed.app
            .services
            .apply
            .submit(office, CertKind::KaigoDx, sealed, &key, "")
            .await?;
    }
    let service = bed.app.services.issue.clone();
    let start = Instant::now();
    let workers: Vec<_> = (0..cores())
        .map(|_| {
            let s = service.clone();
            tokio::spawn(async move {
                while kaigo_jobs::issuance::process_one(&s).await.unwrap_or(false) {}
            })
        })
        .collect();
    for w in workers {
        w.await?;
    }
    Ok(bed.offices.len() as f64 / start.elapsed().as_secs_f64())
}

/// The whole HTTP flow: login, 介護DX証明書 application, wait for the notice, download.
async fn http_flow(count: usize) -> anyhow::Result<f64> {
    let tmp = tempfile::tempdir()?;
    let dir = DataDir::new(tmp.path().join("data"));
    crate::init::init(&dir).await?;
    let app = wiring::open(&dir, true).await?;
    let creds = register(&app, count, 50_000).await?;
    let running = serve::start(app, "127.0.0.1:0".parse()?).await?;
    let base = format!("http://{}", running.addr);
    // The first-login password change is set-up, not part of the measured flow.
    let mut offices = Vec::new();
    for (user, login, issuance) in creds {
        let w = Walker::new(&base)?;
        w.login(&user, &login).await?;
        let new_pw = format!("{}9z", &login[..10]);
        w.change_password(&login, &new_pw).await?;
        w.get("/logout").await.ok();
        offices.push((user, new_pw, issuance));
    }
    let offices = Arc::new(tokio::sync::Mutex::new(offices));
    let start = Instant::now();
    let clients: Vec<_> = (0..cores() * 2)
        .map(|_| {
            let offices = offices.clone();
            let base = base.clone();
            tokio::spawn(async move {
                loop {
                    let Some((user, pw, issuance)) = offices.lock().await.pop() else {
                        return Ok::<_, anyhow::Error>(());
                    };
                    let w = Walker::new(&base)?;
                    w.login(&user, &pw).await?;
                    w.apply_dx(&issuance).await?;
                    w.wait_for_issued(Duration::from_secs(120)).await?;
                    let file = w.download_dx().await?;
                    anyhow::ensure!(
                        file.status == 200 && !file.bytes.is_empty(),
                        "download failed"
                    );
                }
            })
        })
        .collect();
    for c in clients {
        c.await??;
    }
    let elapsed = start.elapsed();
    running.shutdown().await?;
    Ok(count as f64 / elapsed.as_secs_f64())
}

pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub async fn run(count: usize, http_count: usize, rounds: usize) -> anyhow::Result<String> {
    let count = count.max(cores());
    let rounds = rounds.max(1);
    // The same PKCS#12 profile and iteration count as the pipeline's data dirs (which read
    // `KAIGO_PKI_PKCS12_*`), so the ratios compare the same work.
    let profile = crate::config::AppConfig::defaults_with_env()?
        .ca_config()?
        .pkcs12;
    let mut out = String::new();
    writeln!(
        out,
        "kaigo-pki bench issue — {} cores, PKCS#12 {}, {} iterations",
        cores(),
        profile.name(),
        profile.iterations()
    )?;

    let n = 20;
    let keygen = tokio::task::spawn_blocking(move || kaigo_ca::bench_rsa2048_keygen(n)).await?;
    let kdf = tokio::task::spawn_blocking(move || kaigo_ca::bench_pkcs12_kdf(&profile, n)).await?;
    let keygen_ms = keygen.as_secs_f64() * 1000.0 / n as f64;
    let kdf_ms = kdf.as_secs_f64() * 1000.0 / n as f64;
    writeln!(
        out,
        "raw RSA-2048 key generation, 1 core: {keygen_ms:7.1} ms/key ({:.2} keys/s)",
        1000.0 / keygen_ms
    )?;
    writeln!(
        out,
        "PBKDF2 work of one PKCS#12 file:     {kdf_ms:7.1} ms/file ({} derivations)",
        kaigo_ca::PKCS12_KDF_RUNS_PER_FILE
    )?;

    // Limit and pipeline alternate, so that both see the same machine; RSA key generation
    // time varies from key to key, so each round uses as many keys as the pipeline issues.
    let bed = pipeline_bed(count, &crate::config::AppConfig::defaults_with_env()?).await?;
    let per_thread = count / cores();
    let (mut limits, mut builds, mut pipes) = (vec![], vec![], vec![]);
    writeln!(
        out,
        "round  A: keygen+PBKDF2   B: keygen+cert+PKCS#12   pipeline ({count} certs)   pipeline/A  pipeline/B"
    )?;
    for round in 0..rounds {
        let limit =
            tokio::task::spawn_blocking(move || raw_limit(profile, per_thread, false)).await?;
        let build =
            tokio::task::spawn_blocking(move || raw_limit(profile, per_thread, true)).await?;
        let pipe = pipeline_round(&bed, round).await?;
        writeln!(
            out,
            "{:5}  {limit:9.2} certs/s  {build:15.2} certs/s  {pipe:14.2} certs/s  {:9.1}%  {:9.1}%",
            round + 1,
            100.0 * pipe / limit,
            100.0 * pipe / build
        )?;
        limits.push(limit);
        builds.push(build);
        pipes.push(pipe);
    }
    bed.app.store.close().await;
    let (limit, build, pipe) = (median(limits), median(builds), median(pipes));
    writeln!(
        out,
        "median: A {limit:.2}, B {build:.2}, pipeline {pipe:.2} certs/s = {:.1}% of A, {:.1}% of B",
        100.0 * pipe / limit,
        100.0 * pipe / build
    )?;
    if http_count > 0 {
        let http = http_flow(http_count).await?;
        writeln!(
            out,
            "whole HTTP flow ({http_count} offices: login, apply, notice, download): {http:.2} certs/s = {:.1}% of A, {:.1}% of B",
            100.0 * http / limit,
            100.0 * http / build
        )?;
    }
    Ok(out)
}
