//! `kaigo-pki office import FILE.csv`: the CSV import as the CLI (central scope), with a
//! progress bar, a report of bad rows, and the combined letters PDF (mode 0600).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use kaigo_core::office_admin::LetterKind;
use kaigo_core::service::admin_offices::letter_date;
use kaigo_core::service::office_import::ImportOutcome;

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

/// Imports the file; returns the outcome and where the letters went.
pub async fn import(
    dir: &DataDir,
    args: &ImportArgs,
) -> anyhow::Result<(ImportOutcome, Option<PathBuf>)> {
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
    let check = svc.check_import_as_cli(&bytes).await;
    if let Ok(c) = &check {
        bar.set_length(c.valid.len() as u64);
    }
    let result = svc.import_as_cli(&bytes, args.valid_only, progress).await;
    bar.finish_and_clear();
    let outcome = match result {
        Ok(o) => o,
        Err(e) => {
            app.store.close().await;
            return Err(cli_error(e));
        }
    };
    let mut letters_path = None;
    if let Some(batch) = &outcome.registered {
        let (b, entries) = svc
            .letters_as_cli(batch.batch_id)
            .await
            .map_err(cli_error)?;
        let date = letter_date(app.services.deps.clock.unix());
        let helpdesk = app.services.deps.settings.helpdesk.clone();
        let pdf = kaigo_web::console::offices::letters_pdf(
            LetterKind::Registration,
            date,
            helpdesk,
            entries,
        )
        .await
        .context("letters PDF")?;
        debug_assert_eq!(b.kind, LetterKind::Registration);
        let path = args
            .letters
            .clone()
            .unwrap_or_else(|| default_letters_path(&args.file));
        write_private(&path, &pdf)?;
        // The file now holds the letters; the sealed copy is no longer needed.
        let _ = svc.discard_letters_as_cli(batch.batch_id).await;
        letters_path = Some(path);
    }
    app.store.close().await;
    Ok((outcome, letters_path))
}

fn cli_error(e: kaigo_core::CoreError) -> anyhow::Error {
    match e {
        kaigo_core::CoreError::Validation(v) => anyhow::anyhow!("{}", v.message),
        kaigo_core::CoreError::Refused(m) => anyhow::anyhow!("{m}"),
        other => anyhow::anyhow!("import failed: {other}"),
    }
}

/// The report: bad rows as `line N: reason`, then what was imported.
pub fn report_text(outcome: &ImportOutcome, letters: Option<&Path>) -> (String, String) {
    let mut err = String::new();
    for e in &outcome.check.errors {
        err.push_str(&format!("line {}: {}\n", e.line, e.reason));
    }
    let mut out = String::new();
    match (&outcome.registered, letters) {
        (Some(b), Some(path)) => out.push_str(&format!(
            "Imported {} offices ({} rows skipped). Letters: {} (mode 0600; they hold the passwords)\n",
            b.offices.len(),
            outcome.check.errors.len(),
            path.display()
        )),
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

pub fn report_json(outcome: &ImportOutcome, letters: Option<&Path>) -> serde_json::Value {
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
        "letters": letters.map(|p| p.display().to_string()),
    })
}
