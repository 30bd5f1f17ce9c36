//! `kaigo-pki bench scale`: the same browsing as `bench load`, on PostgreSQL with only the
//! bench offices, then again after adding the national population (200,000 offices and a
//! million certificates by default), with the sequential scans PostgreSQL counted meanwhile:
//! latency must stay flat because every query of a page is an index lookup.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use crate::bench_load::{LoadArgs, Outcome, drive, report};
use crate::bench_load_bed::{Bed, PgDatabase};

pub struct ScaleArgs {
    pub load: LoadArgs,
    pub offices: i64,
    pub certificates: i64,
}

fn steps(o: &Outcome) -> Vec<(String, f64, f64)> {
    o.lines
        .iter()
        .map(|(step, _, _, p50, p99)| (step.clone(), *p50, *p99))
        .collect()
}

pub async fn run(args: ScaleArgs) -> anyhow::Result<String> {
    let admin = args
        .load
        .pg_url
        .clone()
        .ok_or_else(|| anyhow::anyhow!("bench scale needs PostgreSQL (--pg-url)"))?;
    let mut out = String::new();
    writeln!(
        out,
        "bench scale: {} bench offices, {} clients; then {} offices and {} certificates",
        args.load.offices, args.load.clients, args.offices, args.certificates
    )?;
    let db = PgDatabase::create(&admin).await?;
    let bed = Bed::new(Some(&db.url), args.load.offices).await?;
    let nodes = bed.nodes(1)?;
    let bases = [nodes[0].base.clone()];
    let pids = [nodes[0].pid()];
    let ceiling =
        tokio::task::spawn_blocking(|| crate::bench_login::argon_ceiling(Duration::from_secs(3)))
            .await?;

    let small = drive(&bed, &bases, &pids, &args.load).await?;
    report(&mut out, "PostgreSQL, bench offices only", &small, ceiling)?;

    let t = Instant::now();
    kaigo_store::provision::fill_synthetic(&db.url, args.offices, args.certificates).await?;
    writeln!(
        out,
        "\n  added {} offices and {} certificates in {:.0} s (then ANALYZE)",
        args.offices,
        args.certificates,
        t.elapsed().as_secs_f64()
    )?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = kaigo_store::provision::sequential_scans(&db.url).await?;
    let large = drive(&bed, &bases, &pids, &args.load).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = kaigo_store::provision::sequential_scans(&db.url).await?;
    report(&mut out, "PostgreSQL, national population", &large, ceiling)?;

    writeln!(out, "\n  latency, national population / bench offices only")?;
    for ((step, p50_s, p99_s), (_, p50_l, p99_l)) in steps(&small).iter().zip(steps(&large)) {
        writeln!(
            out,
            "    {step:<16} p50 {:.2}×  p99 {:.2}×",
            p50_l / p50_s,
            p99_l / p99_s
        )?;
    }
    let scanned: Vec<String> = after
        .iter()
        .filter_map(|(table, n)| {
            let was = before
                .iter()
                .find(|(t, _)| t == table)
                .map_or(0, |(_, n)| *n);
            (*n > was).then(|| format!("{table} (+{})", n - was))
        })
        .collect();
    writeln!(
        out,
        "  sequential scans during the browsing at full size: {}",
        if scanned.is_empty() {
            "none".to_owned()
        } else {
            scanned.join(", ")
        }
    )?;
    drop(nodes);
    db.drop_now().await?;
    Ok(out)
}
