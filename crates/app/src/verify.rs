//! `kaigo-pki verify FILE`: the certificate check of the manual's 参考 section from the command
//! line, for an operator or a relying party. Prints 発行先, 発行者, 有効期限, フレンドリ名, kind
//! and office; checks the chain and revocation (OCSP, falling back to the CRL) against the
//! URLs in the certificate or a given server. Succeeds only for a usable certificate.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use kaigo_core::certificate::ca_files::ROOT_STEM;
use kaigo_relying::{HttpFetch, Verifier, load_certificate};

use crate::ca_fetch::{fetch, fetch_issuing_cas, local_issuing_cas};
use crate::datadir::DataDir;

/// The options of the command.
pub struct VerifyArgs<'a> {
    pub file: &'a Path,
    pub password: Option<&'a str>,
    pub json: bool,
    /// A running kaigo-pki (its `/ca/…` and `/ocsp`), instead of the certificate's URLs.
    pub url: Option<&'a str>,
    /// The root to trust; else the server's (`--url`) or the data dir's.
    pub root: Option<&'a Path>,
}

pub async fn run(dir: &DataDir, args: &VerifyArgs<'_>) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let loaded = load_certificate(&bytes, args.password).map_err(anyhow::Error::msg)?;
    let (root, issuing) = match (args.root, args.url) {
        (Some(root), url) => {
            let root =
                std::fs::read(root).with_context(|| format!("cannot read {}", root.display()))?;
            let issuing = match url {
                Some(base) => fetch_issuing_cas(base).await?,
                None => local_issuing_cas(&dir.ca_dir())
                    .context("the issuing CA certificate: give --url or run in a data dir")?,
            };
            (root, issuing)
        }
        (None, Some(base)) => {
            let base = base.trim_end_matches('/');
            let root = fetch(&format!("{base}/ca/{ROOT_STEM}.crt")).await?;
            // Fetched from the server being checked: say what was trusted, so that the
            // operator can compare it (or pin it with --root).
            eprintln!(
                "note: trusting the root fetched from {base} (SHA-256 {}); pin it with --root",
                kaigo_ca::fingerprint_sha256(&root)
            );
            (root, fetch_issuing_cas(base).await?)
        }
        (None, None) => (
            std::fs::read(dir.ca_dir().join(kaigo_ca::files::ROOT_CERT))
                .context("no root to trust: give --url or --root, or run in a data dir")?,
            local_issuing_cas(&dir.ca_dir())?,
        ),
    };
    let issuing: Vec<&[u8]> = issuing.iter().map(Vec::as_slice).collect();
    let mut verifier =
        Verifier::new(&root, &issuing, Arc::new(HttpFetch::new())).map_err(anyhow::Error::msg)?;
    if let Some(base) = args.url {
        verifier = verifier.with_server(base);
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let report = verifier.check(&loaded.der, loaded.friendly_name, now).await;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{}", report.to_text());
    }
    if !report.verdict.is_usable() {
        bail!("the certificate is not usable ({})", report.verdict.code());
    }
    Ok(())
}
