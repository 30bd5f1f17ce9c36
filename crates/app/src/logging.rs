//! The log: events to standard error, readable lines (`[log] format = "text"`, colours only
//! on a terminal) or one JSON object per line (`"json"`, for a collector). Each request's
//! lines carry its `request_id` (the span of `kaigo_web::request_span`). Secrets never reach
//! a log call: passwords, PINs and URLs with credentials are not fields anywhere.

use std::io::IsTerminal;
use std::path::Path;

use tracing_subscriber::EnvFilter;

use crate::server_config::LogConfig;

/// The `[log]` section of the data dir's configuration with the environment applied, read
/// before anything else runs. A configuration that cannot be read leaves the defaults (the
/// command then reports the configuration's own error).
fn log_config(data_dir: &Path) -> LogConfig {
    let dir = crate::datadir::DataDir::new(data_dir.to_path_buf());
    let mut config = std::fs::read_to_string(dir.config_file())
        .ok()
        .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
        .and_then(|t| t.get("log").cloned())
        .and_then(|section| section.try_into::<LogConfig>().ok())
        .unwrap_or_default();
    config.apply_env();
    config
}

pub fn init(data_dir: &Path) {
    let filter =
        EnvFilter::try_from_env("KAIGO_PKI_LOG").unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if log_config(data_dir).json() {
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
