//! The base URL written into every certificate (CRL, OCSP, caIssuers) must be one that
//! relying parties reach. A loopback URL is right only for a server that listens on loopback
//! at that port: the default follows `--listen`, and a loopback URL on a server that others
//! reach is refused with what to set instead.

use std::net::{IpAddr, SocketAddr};

use anyhow::bail;

use crate::config::AppConfig;

/// `ca.public_url` when nobody set it.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

/// Host and port of an `http(s)://host[:port][/…]` URL (port defaulted by scheme).
fn host_port(url: &str) -> Option<(String, u16)> {
    let (rest, default_port) = if let Some(r) = url.strip_prefix("http://") {
        (r, 80)
    } else {
        (url.strip_prefix("https://")?, 443)
    };
    let authority = rest.split('/').next()?;
    if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None => default_port,
        };
        return Some((host.to_owned(), port));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Some((host.to_owned(), port.parse().ok()?)),
        None => Some((authority.to_owned(), default_port)),
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Adjusts or checks `ca.public_url` for a server listening on `listen`.
pub fn resolve(config: &mut AppConfig, listen: SocketAddr) -> anyhow::Result<()> {
    let url = config.ca.public_url.trim_end_matches('/').to_owned();
    let Some((host, port)) = host_port(&url) else {
        bail!("ca.public_url must be an http(s) URL (got {url:?})");
    };
    if !is_loopback(&host) {
        return Ok(());
    }
    let fix = "Set KAIGO_PKI_PUBLIC_URL (or public_url in the [ca] section of config.toml) to the \
               address relying parties and offices use, e.g. http://ca.example.jp";
    if !listen.ip().is_loopback() {
        bail!(
            "ca.public_url is {url}, a loopback address, but the server listens on {listen}: the \
             CRL, OCSP and CA certificate URLs written into every certificate would not answer \
             anywhere else. {fix}"
        );
    }
    if url == DEFAULT_PUBLIC_URL && listen.port() != 0 {
        config.ca.public_url = format!("http://{listen}");
    } else if listen.port() != 0 && port != listen.port() {
        bail!(
            "ca.public_url is {url} but the server listens on {listen}: the URLs written into \
             certificates would not answer. Listen on port {port}, or: {fix}"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(url: &str, listen: &str) -> anyhow::Result<String> {
        let mut c = AppConfig::default();
        c.ca.public_url = url.into();
        resolve(&mut c, listen.parse().unwrap())?;
        Ok(c.ca.public_url)
    }

    #[test]
    fn default_follows_a_loopback_listener() {
        assert_eq!(
            resolved(DEFAULT_PUBLIC_URL, "127.0.0.1:18080").unwrap(),
            "http://127.0.0.1:18080"
        );
        assert_eq!(
            resolved(DEFAULT_PUBLIC_URL, "127.0.0.1:8080").unwrap(),
            DEFAULT_PUBLIC_URL
        );
    }

    #[test]
    fn loopback_url_on_a_public_listener_is_refused_with_the_fix() {
        let e = resolved(DEFAULT_PUBLIC_URL, "0.0.0.0:8080")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("KAIGO_PKI_PUBLIC_URL") && e.contains("0.0.0.0:8080"),
            "{e}"
        );
        let e = resolved("http://localhost:9000", "127.0.0.1:9001")
            .unwrap_err()
            .to_string();
        assert!(e.contains("port 9000"), "{e}");
    }

    #[test]
    fn a_real_host_is_left_alone() {
        assert_eq!(
            resolved("https://ca.example.jp/", "0.0.0.0:8080").unwrap(),
            "https://ca.example.jp/"
        );
        assert_eq!(host_port("http://[::1]:8080/x"), Some(("::1".into(), 8080)));
        assert_eq!(
            host_port("https://ca.example.jp"),
            Some(("ca.example.jp".into(), 443))
        );
    }
}
