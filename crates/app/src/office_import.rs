//! `kaigo-pki office import FILE.csv`: the CSV import as the CLI (central scope), with a
//! progress bar, a report of bad rows, and the combined letters PDF (mode 0600); a batch
//! larger than `documents.letters_per_pdf` is written in parts, one file per part.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use kaigo_core::actor::Actor;
use kaigo_core::office::admin::LetterKind;
use kaigo_core::office::import::ImportOutcome;
use kaigo_core::office::letters::LetterPart;

use crate::datadir::DataDir;
use crate::wiring;

pub struct ImportArgs {
    pub file: PathBuf,
    pub valid_only: bool,
    pub letters: Option<PathBuf>,
    pub json: bool,
}

/// The default letters file: `NAME-letters.pdf` next to the CSV.
pub fn default_letters_path(csv: &Path) -> PathBuf {
    let stem = csv
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "offices".into());
    csv.with_file_name(format!("{stem}-letters.pdf"))
}

/// The file of one part: `OUT.pdf` itself when there is one part, else
/// `OUT-00001-00500.pdf` (numbers padded to the batch's width, so the files sort in order).
pub fn part_path(out: &Path, part: &LetterPart, parts: usize, count: usize) -> PathBuf {
    if parts <= 1 {
        return out.to_path_buf();
    }
    let width = count.to_string().len();
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "letters".into());
    out.with_file_name(format!(
        "{stem}-{:0width$}-{:0width$}.pdf",
        part.first, part.last
    ))
}

/// Writes `bytes` readable only by the owner: the letters carry passwords.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    // An existing file keeps its mode on open: narrow it before writing the passwords.
    #[cfg(unix)]
    f.set_permissions(
        <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o600),
    )?;
    f.write_all(bytes)?;
    Ok(())
}

fn progress_bar(total: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message("passwords");
    bar
}

/// Imports the file; returns the outcome and the letters files (in order).
pub async fn import(
    dir: &DataDir,
    args: &ImportArgs,
) -> anyhow::Result<(ImportOutcome, Vec<PathBuf>)> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let app = wiring::open(dir, false).await?;
    let svc = app.services.admin_offices.clone();
    let bar = Arc::new(progress_bar(0));
    let progress = {
        let bar = bar.clone();
        Arc::new(move |done: usize| {
            if bar.length() == Some(0) {
                return;
            }
            bar.set_position(done as u64);
        }) as Arc<dyn Fn(usize) + Send + Sync>
    };
    // The bar's length is known once the file has been checked; a check-only pass is cheap.
    let check = svc.check_import(&Actor::Cli, &bytes).await;
    if let Ok(c) = &check {
        bar.set_length(c.valid.len() as u64);
    }
    let result = svc
        .import(&Actor::Cli, &bytes, args.valid_only, progress)
        .await;
    bar.finish_and_clear();
    let outcome = match result {
        Ok(o) => o,
        Err(e) => {
            app.store.close().await;
            return Err(cli_error(e));
        }
    };
    let mut letters_paths = vec![];
    if let Some(batch) = &outcome.registered {
        let (b, mut entries) = svc
            .letters(&Actor::Cli, batch.batch_id)
            .await
            .map_err(cli_error)?;
        debug_assert_eq!(b.kind, LetterKind::Registration);
        let out = args
            .letters
            .clone()
            .unwrap_or_else(|| default_letters_path(&args.file));
        let count = entries.len();
        let parts = svc.parts_of(count);
        // Last part first, so each render takes its entries off the end without copying.
        let mut written = vec![];
        for part in parts.iter().rev() {
            let chunk = entries.split_off(part.first - 1);
            let pdf = svc
                .letters_pdf(LetterKind::Registration, chunk)
                .await
                .context("letters PDF")?;
            let path = part_path(&out, part, parts.len(), count);
            write_private(&path, &pdf)?;
            written.push(path);
        }
        written.reverse();
        // The files now hold the letters; the sealed copy is no longer needed.
        let _ = svc.discard_letters(&Actor::Cli, batch.batch_id).await;
        letters_paths = written;
    }
    app.store.close().await;
    Ok((outcome, letters_paths))
}

fn cli_error(e: kaigo_core::CoreError) -> anyhow::Error {
    match e {
        kaigo_core::CoreError::Validation(v) => anyhow::anyhow!("{}", v.message),
        kaigo_core::CoreError::Refused(m) => anyhow::anyhow!("{m}"),
        other => anyhow::anyhow!("import failed: {other}"),
    }
}

/// The report: bad rows as `line N: reason`, then what was imported.
pub fn report_text(outcome: &ImportOutcome, letters: &[PathBuf]) -> (String, String) {
    let mut err = String::new();
    for e in &outcome.check.errors {
        err.push_str(&format!("line {}: {}\n", e.line, e.reason));
    }
    let mut out = String::new();
    match (&outcome.registered, letters) {
        (Some(b), [path]) => out.push_str(&format!(
            "Imported {} offices ({} rows skipped). Letters: {} (mode 0600; they hold the passwords)\n",
            b.offices.len(),
            outcome.check.errors.len(),
            path.display()
        )),
        (Some(b), paths) if !paths.is_empty() => {
            out.push_str(&format!(
                "Imported {} offices ({} rows skipped). Letters in {} parts (mode 0600; they hold the passwords):\n",
                b.offices.len(),
                outcome.check.errors.len(),
                paths.len()
            ));
            for p in paths {
                out.push_str(&format!("  {}\n", p.display()));
            }
        }
        _ => err.push_str(&format!(
            "Nothing imported: {} of {} rows have errors{}.\n",
            outcome.check.errors.len(),
            outcome.check.rows(),
            if outcome.check.valid.is_empty() {
                ""
            } else {
                " (use --valid-only to import the valid rows)"
            }
        )),
    }
    (out, err)
}

/// `letters` is the first (usually the only) file; `letter_files` all of them, in order.
pub fn report_json(outcome: &ImportOutcome, letters: &[PathBuf]) -> serde_json::Value {
    serde_json::json!({
        "imported": outcome.registered.as_ref().map_or(0, |b| b.offices.len()),
        "rows": outcome.check.rows(),
        "errors": outcome.check.errors.iter().map(|e| serde_json::json!({"line": e.line, "reason": e.reason})).collect::<Vec<_>>(),
        "offices": outcome.registered.as_ref().map(|b| b.offices.iter().map(|o| serde_json::json!({
            "office_number": o.number.as_str(),
            "user_id": o.user_id.as_str(),
            "name": o.name,
            "prefecture": o.prefecture.map(|p| p.to_string()),
        })).collect::<Vec<_>>()).unwrap_or_default(),
        "letters": letters.first().map(|p| p.display().to_string()),
        "letter_files": letters.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
    })
}
