//! The CA certificates offered for download to offices and relying parties.

use std::sync::Arc;

use base64::Engine;

use crate::deps::Deps;

/// A CA certificate for relying parties.
#[derive(Clone, Debug)]
pub struct CaCertificate {
    /// "root" or "issuing".
    pub key: &'static str,
    pub label: &'static str,
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
        let labels = [("root", "ルート認証局"), ("issuing", "発行認証局")];
        certs
            .into_iter()
            .zip(labels)
            .map(|((pem, der), (key, label))| CaCertificate {
                key,
                label,
                pem,
                der,
            })
            .collect()
    }
}
