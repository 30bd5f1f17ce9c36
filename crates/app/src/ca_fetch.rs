//! The CA certificates a relying party needs, fetched from a running kaigo-pki (`/ca/…`) or read
//! from a data dir: the root and every issuing CA generation that still publishes, so that
//! certificates of an earlier generation check as well as new ones after a rollover.

use std::path::Path;

use anyhow::{Context, bail};
use kaigo_core::certificate::ca_files::issuing_stem;
use kaigo_core::ids::CaGeneration;

/// Generations beyond this are not probed (one rollover every seven years).
const MAX_GENERATIONS: u32 = 20;

/// GET `url`; anything but a success is an error naming the URL.
pub async fn fetch(url: &str) -> anyhow::Result<Vec<u8>> {
    let resp = reqwest::get(url)
        .await
        .with_context(|| format!("cannot reach {url}"))?;
    if !resp.status().is_success() {
        bail!("{url} answered {}", resp.status());
    }
    Ok(resp.bytes().await?.to_vec())
}

/// The issuing CA certificates (DER) the server at `base` publishes: the first generation,
/// then each later one until the server has no more.
pub async fn fetch_issuing_cas(base: &str) -> anyhow::Result<Vec<Vec<u8>>> {
    let base = base.trim_end_matches('/');
    let mut out = Vec::new();
    let mut generation = CaGeneration::FIRST;
    let mut first_error = None;
    // Ended generations are no longer served, so a gap before the first one found is
    // expected; after it, the first gap is the end.
    for _ in 0..MAX_GENERATIONS {
        match fetch(&format!("{base}/ca/{}.crt", issuing_stem(generation))).await {
            Ok(der) => out.push(der),
            Err(_) if !out.is_empty() => break,
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
        generation = generation.next();
    }
    match first_error {
        Some(e) if out.is_empty() => Err(e),
        _ => Ok(out),
    }
}

/// The issuing CA certificates (DER) of the CA directory `ca_dir`: the current one and those
/// kept in `previous/<n>/` after rollovers.
pub fn local_issuing_cas(ca_dir: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
    let pem_der = |path: &Path| -> anyhow::Result<Vec<u8>> {
        let pem = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        first_pem_der(&pem)
    };
    let mut out = vec![
        pem_der(&ca_dir.join(kaigo_ca::files::ISSUING_CERT))
            .context("the issuing CA certificate is missing from the data dir")?,
    ];
    let previous = ca_dir.join(kaigo_ca::files::PREVIOUS_DIR);
    if let Ok(entries) = std::fs::read_dir(&previous) {
        for entry in entries.flatten() {
            let cert = entry.path().join(kaigo_ca::files::ISSUING_CERT);
            if cert.exists() {
                out.push(pem_der(&cert)?);
            }
        }
    }
    Ok(out)
}

/// The first certificate of a PEM file, DER.
fn first_pem_der(pem: &[u8]) -> anyhow::Result<Vec<u8>> {
    let text = std::str::from_utf8(pem).context("not a PEM file")?;
    kaigo_core::certificate::ca_files::pem_certificates(text)
        .into_iter()
        .next()
        .map(|(_, der)| der)
        .context("no certificate in the PEM file")
}
