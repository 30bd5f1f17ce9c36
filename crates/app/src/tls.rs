//! The HTTPS listener (`serve --tls-listen`): rustls, TLS 1.2 and 1.3, a server certificate
//! from configuration or, on the embedded default, one issued by our own root. It *requests*
//! a client certificate in every handshake, names e-seikyuu CA as the acceptable issuer (so
//! browsers offer the office's certificate), and accepts whatever is presented: the
//! 「証明書の確認」 page judges the certificate and explains, where a TLS error would not.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{DistinguishedName, ServerConfig};

use crate::datadir::DataDir;
use crate::tls_config::TlsConfig;

/// The subject Name (DER) of each CA certificate, for the CertificateRequest's
/// certificate_authorities: browsers offer only certificates from these issuers.
fn subject_names(ca_ders: &[Vec<u8>]) -> Vec<DistinguishedName> {
    ca_ders
        .iter()
        .filter_map(|der| kaigo_ca::subject_der(der).ok())
        .map(DistinguishedName::from)
        .collect()
}

/// Where the embedded default keeps its HTTPS certificate.
fn default_paths(dir: &DataDir) -> (PathBuf, PathBuf) {
    let tls = dir.root.join("tls");
    (tls.join("server.crt.pem"), tls.join("server.key.pem"))
}

/// Issues the embedded default's certificate for `hosts` if it is missing.
fn provision_default(dir: &DataDir, hosts: &[String]) -> anyhow::Result<(PathBuf, PathBuf)> {
    let (cert, key) = default_paths(dir);
    if cert.exists() && key.exists() {
        return Ok((cert, key));
    }
    let keys = crate::wiring::ca_keys(dir, &crate::config::AppConfig::load(dir)?)?;
    let issued = kaigo_ca::issue_tls_server(&dir.ca_dir(), &keys, hosts).map_err(|e| {
        anyhow::anyhow!(
            "no [tls] cert_file is configured and the root cannot issue one here ({e}); \
             set tls.cert_file and tls.key_file"
        )
    })?;
    let parent = cert.parent().context("tls dir")?;
    std::fs::create_dir_all(parent)?;
    crate::datadir::write_private(&key, issued.key_pem.as_bytes())?;
    std::fs::write(&cert, issued.chain_pem.as_bytes())?;
    tracing::info!(path = %cert.display(), ?hosts, "issued the HTTPS certificate under the e-seikyuu root");
    Ok((cert, key))
}

/// Builds the rustls configuration of the HTTPS listener.
pub fn server_config(
    dir: &DataDir,
    cfg: &TlsConfig,
    hosts: &[String],
    ca_ders: &[Vec<u8>],
) -> anyhow::Result<Arc<ServerConfig>> {
    let (cert_path, key_path) = if cfg.cert_file.is_empty() {
        provision_default(dir, hosts)?
    } else {
        if cfg.key_file.is_empty() {
            bail!("tls.cert_file is set but tls.key_file is not");
        }
        (PathBuf::from(&cfg.cert_file), PathBuf::from(&cfg.key_file))
    };
    let certs = CertificateDer::pem_file_iter(&cert_path)
        .with_context(|| format!("cannot read {}", cert_path.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{} is not a PEM certificate chain", cert_path.display()))?;
    if certs.is_empty() {
        bail!("{} holds no certificate", cert_path.display());
    }
    let key = PrivateKeyDer::from_pem_file(&key_path)
        .with_context(|| format!("{} is not a PEM private key", key_path.display()))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = kaigo_relying::tls::request_client_certificate(
        subject_names(ca_ders),
        false,
        provider.signature_verification_algorithms,
    );
    let mut config = ServerConfig::builder_with_provider(provider.clone() as Arc<CryptoProvider>)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .context("TLS versions")?
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .context("the TLS certificate and key do not match")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
