//! `kaigo-pki bench import --rows N`: generates a CSV of N offices, imports it as the CLI
//! does (check, parallel hashing, one transaction) and renders the combined letters in parts
//! as the console prints them; reports
//! rows per second for each stage.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use kaigo_core::actor::Actor;
use kaigo_core::office::admin::LetterKind;

use crate::datadir::DataDir;
use crate::wiring;

/// A CSV of `rows` valid offices across all 47 prefectures.
pub fn sample_csv(rows: usize) -> String {
    let mut csv = String::from("事業所番号,事業所名,種別,都道府県,郵便番号,住所,メールアドレス\n");
    for i in 0..rows {
        let pref = i % 47 + 1;
        let _ = writeln!(
            csv,
            "{pref:02}{:08},ベンチ事業所{i},{},{pref:02},100-{:04},東京都千代田区千代田{i},bench{i}@example.jp",
            i,
            if i % 3 == 0 { "居宅" } else { "介護" },
            i % 10_000
        );
    }
    csv
}

pub async fn run(rows: usize) -> anyhow::Result<String> {
    let rows = rows.max(1);
    let tmp = tempfile::tempdir()?;
    let dir = DataDir::new(tmp.path().join("data"));
    crate::init::init(&dir).await?;
    let app = wiring::open(&dir, false).await?;
    let svc = app.services.admin_offices.clone();
    let csv = sample_csv(rows);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut out = String::new();
    writeln!(out, "kaigo-pki bench import — {rows} rows, {cores} cores")?;

    let start = Instant::now();
    let check = svc.check_import(&Actor::Cli, csv.as_bytes()).await?;
    let t_check = start.elapsed().as_secs_f64();
    anyhow::ensure!(
        check.errors.is_empty(),
        "sample CSV has errors: {:?}",
        check.errors.first()
    );

    let start = Instant::now();
    let outcome = svc
        .import(&Actor::Cli, csv.as_bytes(), false, Arc::new(|_| {}))
        .await?;
    let t_import = start.elapsed().as_secs_f64();
    let batch = outcome
        .registered
        .ok_or_else(|| anyhow::anyhow!("nothing imported"))?;

    let start = Instant::now();
    let (_, mut entries) = svc.letters_summary(&Actor::Cli, batch.batch_id).await?;
    let parts = svc.parts_of(entries.len());
    let mut pdf_bytes = 0;
    for part in parts.iter().rev() {
        let chunk = entries.split_off(part.first - 1);
        let pdf = svc.letters_pdf(LetterKind::Registration, chunk).await?;
        pdf_bytes += pdf.len();
    }
    let t_pdf = start.elapsed().as_secs_f64();
    app.store.close().await;

    let limit = hashing_limit_rows_per_s(cores, rows.min(2_000));
    let rate = |t: f64| rows as f64 / t.max(1e-9);
    writeln!(
        out,
        "check (decode, validate, registered numbers): {t_check:7.2} s ({:9.0} rows/s)",
        rate(t_check)
    )?;
    writeln!(
        out,
        "import (check, 2 hashes/row, one transaction): {t_import:7.2} s ({:9.0} rows/s)",
        rate(t_import)
    )?;
    writeln!(
        out,
        "letters PDFs ({} pages in {} parts, {pdf_bytes} bytes): {t_pdf:7.2} s ({:9.0} rows/s)",
        batch.offices.len(),
        parts.len(),
        rate(t_pdf)
    )?;
    writeln!(
        out,
        "total:                                         {:7.2} s",
        t_import + t_pdf
    )?;
    writeln!(
        out,
        "machine limit (2 generated hashes/row on {cores} cores, nothing else): {limit:9.0} rows/s; \
         import at {:.0}% of it",
        100.0 * rate(t_import) / limit.max(1e-9)
    )?;
    Ok(out)
}

/// The machine's own ceiling for an import: rows per second if the only work were the two
/// `hash_generated` Argon2id hashes of each row, on every core, measured now over `sample` rows.
fn hashing_limit_rows_per_s(cores: usize, sample: usize) -> f64 {
    use kaigo_core::account::password::PasswordHasher;
    use secrecy::SecretString;
    let hasher = PasswordHasher::default();
    let per_core = sample.div_ceil(cores).max(1);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..cores {
            let hasher = &hasher;
            s.spawn(move || {
                for i in 0..per_core * 2 {
                    let secret = SecretString::from(format!("Bench{i:08}x"));
                    let _ = hasher.hash_generated(&secret);
                }
            });
        }
    });
    (per_core * cores) as f64 / start.elapsed().as_secs_f64().max(1e-9)
}
