//! Secret settings from the environment: `NAME`, or `NAME_FILE` naming a file that holds the
//! value (as container platforms mount secrets), so that a secret need not sit in the
//! process environment. The file must be readable by its owner only; one trailing newline is
//! dropped. Setting both is a mistake and is refused.

use std::path::Path;

use anyhow::{Context, bail};
use secrecy::SecretString;

/// Reads a secret from `path`, named `what` in errors: owner-only mode, not empty, one trailing
/// newline dropped.
pub fn read_secret_file(what: &str, path: &Path) -> anyhow::Result<String> {
    let variable = what;
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .with_context(|| format!("{variable}: cannot read {}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        bail!(
            "{variable}: {} is readable by others (mode {:o}): chmod 600 it",
            path.display(),
            mode & 0o777
        );
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{variable}: cannot read {}", path.display()))?;
    let value = text.strip_suffix('\n').unwrap_or(&text);
    let value = value.strip_suffix('\r').unwrap_or(value);
    if value.is_empty() {
        bail!("{variable}: {} is empty", path.display());
    }
    Ok(value.to_owned())
}

/// The value of the secret setting `variable`, from the variable itself or from the file its
/// `_FILE` twin names; `None` when neither is set (or the variable is empty).
pub fn secret(variable: &str) -> anyhow::Result<Option<SecretString>> {
    let direct = std::env::var(variable).ok().filter(|v| !v.is_empty());
    let file = std::env::var(format!("{variable}_FILE"))
        .ok()
        .filter(|v| !v.is_empty());
    match (direct, file) {
        (Some(_), Some(_)) => bail!("both {variable} and {variable}_FILE are set: keep one"),
        (Some(v), None) => Ok(Some(SecretString::from(v))),
        (None, Some(path)) => Ok(Some(SecretString::from(read_secret_file(
            &format!("{variable}_FILE"),
            Path::new(&path),
        )?))),
        (None, None) => Ok(None),
    }
}
