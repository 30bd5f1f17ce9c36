//! `kaigo-pki relying --service eligibility|claims`: an example relying service (資格確認 or
//! 請求) over mutual TLS, built on the verifier. It trusts the e-seikyuu root (given, or
//! fetched from the CA with its fingerprint printed for the operator to compare) and checks
//! revocation at the URLs written in each certificate.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use kaigo_core::certificate::ca_files::ROOT_STEM;
use kaigo_relying::service::{self, Service};
use kaigo_relying::{HttpFetch, Verifier};
use tokio::net::TcpListener;

use crate::ca_fetch::{fetch, fetch_issuing_cas};

pub async fn run(
    name: &str,
    listen: SocketAddr,
    ca_url: &str,
    root: Option<&Path>,
) -> anyhow::Result<()> {
    let service = Service::from_name(name)
        .with_context(|| format!("--service must be eligibility or claims (got {name:?})"))?;
    let base = ca_url.trim_end_matches('/');
    let root = match root {
        Some(p) => std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?,
        None => fetch(&format!("{base}/ca/{ROOT_STEM}.crt")).await?,
    };
    let issuing = fetch_issuing_cas(base).await?;
    let issuing_refs: Vec<&[u8]> = issuing.iter().map(Vec::as_slice).collect();
    let verifier = Verifier::new(&root, &issuing_refs, Arc::new(HttpFetch::new()))
        .map_err(anyhow::Error::msg)?;
    let root_der = verifier.root().to_der()?;
    let hints = std::iter::once(&root_der)
        .chain(issuing.iter())
        .filter_map(|d| kaigo_ca::subject_der(d).ok())
        .map(rustls::DistinguishedName::from)
        .collect();
    let hosts = vec![listen.ip().to_string(), "localhost".to_owned()];
    let (chain, key) = service::self_signed(&hosts).map_err(anyhow::Error::msg)?;
    let config = service::server_config(chain, key, hints).map_err(anyhow::Error::msg)?;
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    crate::serve::stop_on_signals(stop);
    println!(
        "trusting root SHA-256 {}",
        kaigo_ca::fingerprint_sha256(&root_der)
    );
    println!(
        "{} service (example relying party): https://{}/",
        service.label(),
        listener.local_addr()?
    );
    service::serve(
        listener,
        service::router(Arc::new(verifier), service),
        config,
        stop_rx,
    )
    .await;
    Ok(())
}
