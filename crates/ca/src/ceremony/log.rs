//! The offline machine's own record of its ceremonies: `ceremony.log` in the root directory,
//! one line per step (UTC time, step, what was made). The serving side records what reaches
//! it (the root it adopts, the issuing certificate it installs) in the audit trail.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::CaError;

/// The log's file name in the root directory.
pub const CEREMONY_LOG: &str = "ceremony.log";

/// Appends one line, durably: a step that cannot be logged fails.
pub(crate) fn append(dir: &Path, step: &str, detail: &str) -> Result<(), CaError> {
    let path = dir.join(CEREMONY_LOG);
    let at = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
        .format(&Rfc3339)
        .map_err(|e| CaError::Config(format!("time: {e}")))?;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o644)
        .open(&path)
        .map_err(|e| CaError::io(&path, e))?;
    writeln!(f, "{at}\t{step}\t{detail}")
        .and_then(|()| f.sync_all())
        .map_err(|e| CaError::io(&path, e))
}
