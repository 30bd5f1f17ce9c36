//! The log: events to standard error, readable lines (`[log] format = "text"`, colours only
//! on a terminal) or one JSON object per line (`"json"`, for a collector). Each request's
//! lines carry its `request_id` (the span of `kaigo_web::request_span`). Secrets never reach
//! a log call: passwords, PINs and URLs with credentials are not fields anywhere.

use std::io::IsTerminal;
use std::path::Path;

use tracing_subscriber::EnvFilter;

/// The format from the data dir's configuration and the environment, read before anything
/// else runs; a configuration that cannot be read leaves the text format (the command then
/// reports the configuration's own error).
fn json_wanted(data_dir: &Path) -> bool {
    let dir = crate::datadir::DataDir::new(data_dir.to_path_buf());
    let from_file = std::fs::read_to_string(dir.config_file())
        .ok()
        .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
        .and_then(|t| {
            t.get("log")
                .and_then(|l| l.get("format"))
                .and_then(|f| f.as_str().map(str::to_owned))
        });
    let format = crate::env_vars::env("KAIGO_PKI_LOG_FORMAT").or(from_file);
    format.as_deref() == Some("json")
}

pub fn init(data_dir: &Path) {
    let filter =
        EnvFilter::try_from_env("KAIGO_PKI_LOG").unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json_wanted(data_dir) {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        // Colour codes only for a person at a terminal, never in files or journald.
        builder.with_ansi(std::io::stderr().is_terminal()).init();
    }
}
