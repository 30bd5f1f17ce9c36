//! `kaigo-pki bench hsm`: the issuance pipeline with the CA key in files and with the CA key
//! in the configured PKCS#11 token, measured alternately in the same run, plus the raw
//! signing rate of each issuing key on one thread and on every core. The token comes from the
//! HSM settings (`KAIGO_PKI_HSM_MODULE`, `KAIGO_PKI_HSM_TOKEN`, `KAIGO_PKI_HSM_PIN`);
//! docs/PERFORMANCE.md shows how to make a SoftHSM2 token for it.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use kaigo_ca::FileCa;

use crate::bench::{cores, median, pipeline_bed, pipeline_round};
use crate::config::AppConfig;

/// Signatures per second with the CA's issuing key, `threads` signing at once.
fn sign_rate(ca: &Arc<FileCa>, threads: usize, per_thread: usize) -> anyhow::Result<f64> {
    let message = [0x42u8; 1200];
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let ca = ca.clone();
            std::thread::spawn(move || -> anyhow::Result<()> {
                for _ in 0..per_thread {
                    ca.signer()
                        .sign(&message)
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                }
                Ok(())
            })
        })
        .collect();
    for h in handles {
        h.join()
            .map_err(|_| anyhow::anyhow!("a signing thread panicked"))??;
    }
    Ok((threads * per_thread) as f64 / start.elapsed().as_secs_f64())
}

pub async fn run(count: usize, rounds: usize) -> anyhow::Result<String> {
    let with_hsm = AppConfig::defaults_with_env()?;
    if !with_hsm.hsm.enabled() {
        bail!(
            "bench hsm needs a token: set KAIGO_PKI_HSM_MODULE, KAIGO_PKI_HSM_TOKEN and \
             KAIGO_PKI_HSM_PIN (docs/PERFORMANCE.md shows a SoftHSM2 token for this)"
        );
    }
    let mut with_files = with_hsm.clone();
    with_files.hsm = Default::default();
    let count = count.max(cores());
    let mut out = String::new();
    writeln!(
        out,
        "kaigo-pki bench hsm — {} cores, token \"{}\" ({})",
        cores(),
        with_hsm.hsm.token_label,
        with_hsm.hsm.module
    )?;
    let file_bed = pipeline_bed(count, &with_files).await?;
    let hsm_bed = pipeline_bed(count, &with_hsm).await?;
    let ca_of = |bed: &crate::bench::PipelineBed| bed.app.ca.clone().context("no CA loaded");
    let (file_ca, hsm_ca) = (ca_of(&file_bed)?, ca_of(&hsm_bed)?);

    writeln!(
        out,
        "raw RSA-3072 signatures/s with the issuing key:   1 thread      {} threads",
        cores()
    )?;
    for (name, ca) in [("key file", &file_ca), ("token   ", &hsm_ca)] {
        let ca1 = ca.clone();
        let one = tokio::task::spawn_blocking(move || sign_rate(&ca1, 1, 100)).await??;
        let ca2 = ca.clone();
        let all = tokio::task::spawn_blocking(move || sign_rate(&ca2, cores(), 100)).await??;
        writeln!(
            out,
            "  {name}                                      {one:9.1}     {all:9.1}  ({:.2}× one thread)",
            all / one
        )?;
    }

    writeln!(
        out,
        "round  pipeline, key file   pipeline, token   token/file   ({count} certs each)"
    )?;
    let (mut files, mut tokens) = (vec![], vec![]);
    for round in 0..rounds.max(1) {
        let f = pipeline_round(&file_bed, round).await?;
        let t = pipeline_round(&hsm_bed, round).await?;
        writeln!(
            out,
            "{:5}  {f:10.2} certs/s  {t:10.2} certs/s  {:10.3}",
            round + 1,
            t / f
        )?;
        files.push(f);
        tokens.push(t);
    }
    file_bed.app.store.close().await;
    hsm_bed.app.store.close().await;
    let (f, t) = (median(files), median(tokens));
    writeln!(
        out,
        "median: key file {f:.2}, token {t:.2} certs/s: token/file = {:.3}",
        t / f
    )?;
    Ok(out)
}
