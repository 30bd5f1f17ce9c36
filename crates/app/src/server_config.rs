//! `[server]` (connection limits, the metrics listener) and `[log]` of the configuration.

use std::net::SocketAddr;

use anyhow::bail;
use serde::{Deserialize, Serialize};

use crate::env_vars::{env, env_parse};

/// Limits on HTTP connections, so that slow or idle clients cannot hold the server's sockets.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Time a client has to send a request's complete header, counted from the connection's
    /// accept (first request) or from its first byte (later requests). Then it is closed.
    pub header_read_timeout_seconds: u64,
    /// A kept-alive connection that starts no new request for this long is closed.
    pub keepalive_idle_seconds: u64,
    /// Time a client has to send a request's whole body, counted from the end of its header;
    /// later the request is answered 408 and the connection closed.
    pub request_body_timeout_seconds: u64,
    /// Connections served at once; further clients wait in the listen backlog. Keep it well
    /// below the process's open-file limit (`ulimit -n`).
    pub max_connections: usize,
    /// Where `/metrics` (Prometheus) is served, apart from the portal so that the load
    /// balancer never exposes it: e.g. `127.0.0.1:9464`. Empty: not served. Env
    /// `KAIGO_PKI_METRICS_LISTEN`; `serve --metrics-listen` overrides both.
    pub metrics_listen: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            header_read_timeout_seconds: 10,
            keepalive_idle_seconds: 60,
            request_body_timeout_seconds: 60,
            max_connections: 512,
            metrics_listen: String::new(),
        }
    }
}

impl ServerConfig {
    pub(crate) fn apply_env(&mut self) -> anyhow::Result<()> {
        env_parse(
            "KAIGO_PKI_HEADER_READ_TIMEOUT_SECONDS",
            &mut self.header_read_timeout_seconds,
        )?;
        env_parse(
            "KAIGO_PKI_KEEPALIVE_IDLE_SECONDS",
            &mut self.keepalive_idle_seconds,
        )?;
        env_parse(
            "KAIGO_PKI_REQUEST_BODY_TIMEOUT_SECONDS",
            &mut self.request_body_timeout_seconds,
        )?;
        env_parse("KAIGO_PKI_MAX_CONNECTIONS", &mut self.max_connections)?;
        env_parse("KAIGO_PKI_METRICS_LISTEN", &mut self.metrics_listen)
    }

    /// The metrics listener's address, if one is set.
    pub fn metrics_addr(&self) -> anyhow::Result<Option<SocketAddr>> {
        if self.metrics_listen.is_empty() {
            return Ok(None);
        }
        match self.metrics_listen.parse() {
            Ok(a) => Ok(Some(a)),
            Err(_) => bail!(
                "server.metrics_listen must be an address and port such as 127.0.0.1:9464 (got {:?})",
                self.metrics_listen
            ),
        }
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        if !(1..=300).contains(&self.header_read_timeout_seconds) {
            bail!("server.header_read_timeout_seconds must be between 1 and 300");
        }
        if !(1..=3600).contains(&self.keepalive_idle_seconds) {
            bail!("server.keepalive_idle_seconds must be between 1 and 3600");
        }
        if !(1..=3600).contains(&self.request_body_timeout_seconds) {
            bail!("server.request_body_timeout_seconds must be between 1 and 3600");
        }
        if !(1..=65_536).contains(&self.max_connections) {
            bail!("server.max_connections must be between 1 and 65536");
        }
        self.metrics_addr()?;
        Ok(())
    }
}

/// `[log]`: how log lines are written (to standard error).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `text` (one readable line per event) or `json` (one JSON object per line, for a log
    /// collector). Env `KAIGO_PKI_LOG_FORMAT`. Which events: env `KAIGO_PKI_LOG` (a tracing
    /// filter, default `info,sqlx=warn`).
    pub format: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: "text".into(),
        }
    }
}

impl LogConfig {
    pub(crate) fn apply_env(&mut self) {
        if let Some(v) = env("KAIGO_PKI_LOG_FORMAT") {
            self.format = v;
        }
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        if !matches!(self.format.as_str(), "text" | "json") {
            bail!(
                "log.format must be \"text\" or \"json\" (got {:?})",
                self.format
            );
        }
        Ok(())
    }

    pub fn json(&self) -> bool {
        self.format == "json"
    }
}
