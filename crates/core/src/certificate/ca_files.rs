//! The CA certificates offered for download to offices and relying parties.

use std::sync::Arc;

use base64::Engine;

use crate::deps::Deps;

/// The issuing CA's files under `/ca/`: `.crt` (DER, the caIssuers URL), `.pem`, `.crl`.
pub const ISSUING_STEM: &str = "e-seikyuu-ca";
/// The root's files under `/ca/`.
pub const ROOT_STEM: &str = "e-seikyuu-root";
/// Where the OCSP responder answers.
pub const OCSP_PATH: &str = "/ocsp";

/// The URLs written into certificates, all under one public base URL. The web layer serves
/// exactly these paths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicUrls {
    pub crl: String,
    pub ocsp: String,
    pub ca_issuers: String,
    pub root_crl: String,
    pub root_cert: String,
}

impl PublicUrls {
    pub fn under(base: &str) -> Self {
        let base = base.trim_end_matches('/');
        Self {
            crl: format!("{base}/ca/{ISSUING_STEM}.crl"),
            ocsp: format!("{base}{OCSP_PATH}"),
            ca_issuers: format!("{base}/ca/{ISSUING_STEM}.crt"),
            root_crl: format!("{base}/ca/{ROOT_STEM}.crl"),
            root_cert: format!("{base}/ca/{ROOT_STEM}.crt"),
        }
    }
}

/// A CA certificate for relying parties.
#[derive(Clone, Debug)]
pub struct CaCertificate {
    /// "root" or "issuing".
    pub key: &'static str,
    pub label: &'static str,
    /// The name under `/ca/` without extension: `.crt` (DER), `.pem` and `.crl` follow it.
    pub file_stem: &'static str,
    pub pem: String,
    pub der: Vec<u8>,
}

/// Splits a PEM bundle into its certificates (DER).
pub fn pem_certificates(bundle: &str) -> Vec<(String, Vec<u8>)> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut out = Vec::new();
    let mut rest = bundle;
    while let Some(b) = rest.find(BEGIN) {
        let after = &rest[b + BEGIN.len()..];
        let Some(e) = after.find(END) else { break };
        let b64: String = after[..e].chars().filter(|c| !c.is_whitespace()).collect();
        if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(b64) {
            out.push((format!("{BEGIN}{}{END}\n", &after[..e]), der));
        }
        rest = &after[e + END.len()..];
    }
    out
}

/// The CA certificates as files.
#[derive(Clone)]
pub struct CaFiles {
    deps: Arc<Deps>,
}

impl CaFiles {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// The root and issuing CA certificates (root first), from the certificate factory.
    pub fn ca_certificates(&self) -> Vec<CaCertificate> {
        let certs = pem_certificates(&self.deps.factory.ca_chain_pem());
        let labels = [
            ("root", "ルート認証局", ROOT_STEM),
            ("issuing", "発行認証局", ISSUING_STEM),
        ];
        certs
            .into_iter()
            .zip(labels)
            .map(|((pem, der), (key, label, file_stem))| CaCertificate {
                key,
                label,
                file_stem,
                pem,
                der,
            })
            .collect()
    }
}
