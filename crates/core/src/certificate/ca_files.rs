//! The CA certificates offered for download to offices and relying parties.

use std::sync::Arc;

use base64::Engine;

use crate::deps::Deps;
use crate::ids::CaGeneration;

/// The issuing CA's files under `/ca/`: `.crt` (DER, the caIssuers URL), `.pem`, `.crl`.
pub const ISSUING_STEM: &str = "e-seikyuu-ca";
/// The root's files under `/ca/`.
pub const ROOT_STEM: &str = "e-seikyuu-root";
/// Where the OCSP responder answers.
pub const OCSP_PATH: &str = "/ocsp";

/// The file stem of an issuing CA generation under `/ca/`: `e-seikyuu-ca` for the first (the
/// URLs in every certificate it issued), `e-seikyuu-ca-g2` and so on after each rollover.
pub fn issuing_stem(generation: CaGeneration) -> String {
    if generation == CaGeneration::FIRST {
        ISSUING_STEM.to_owned()
    } else {
        format!("{ISSUING_STEM}-g{generation}")
    }
}

/// The generation whose file stem `stem` is, if it is one.
pub fn generation_of_stem(stem: &str) -> Option<CaGeneration> {
    if stem == ISSUING_STEM {
        return Some(CaGeneration::FIRST);
    }
    let n = stem.strip_prefix(ISSUING_STEM)?.strip_prefix("-g")?;
    if n.starts_with('0') || n.len() > 6 {
        return None;
    }
    CaGeneration::new(n.parse().ok()?).filter(|g| *g != CaGeneration::FIRST)
}

/// The generation whose CRL or certificate `url` (as written into certificates) names.
pub fn generation_of_url(url: &str) -> Option<CaGeneration> {
    let file = url.rsplit('/').next()?;
    let (stem, _) = file.rsplit_once('.')?;
    generation_of_stem(stem)
}

/// `url`, a URL of the first generation's files (`…/ca/e-seikyuu-ca.crl` or `.crt`), turned
/// into the same URL for `generation`; `None` when `url` is not such a URL.
pub fn url_of_generation(url: &str, generation: CaGeneration) -> Option<String> {
    let (dir, file) = url.rsplit_once('/')?;
    let ext = file.strip_prefix(ISSUING_STEM)?.strip_prefix('.')?;
    Some(format!("{dir}/{}.{ext}", issuing_stem(generation)))
}

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
    /// The URLs of the first issuing CA.
    pub fn under(base: &str) -> Self {
        Self::of_generation(base, CaGeneration::FIRST)
    }

    /// The URLs an issuing CA of `generation` writes into its certificates.
    pub fn of_generation(base: &str, generation: CaGeneration) -> Self {
        let base = base.trim_end_matches('/');
        let stem = issuing_stem(generation);
        Self {
            crl: format!("{base}/ca/{stem}.crl"),
            ocsp: format!("{base}{OCSP_PATH}"),
            ca_issuers: format!("{base}/ca/{stem}.crt"),
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
    pub label: String,
    /// The name under `/ca/` without extension: `.crt` (DER), `.pem` and `.crl` follow it.
    pub file_stem: String,
    /// The issuing CA's generation (none for the root).
    pub generation: Option<CaGeneration>,
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

    /// The root, then the issuing CA that issues now, then earlier generations newest first
    /// (their certificates stay valid and revocable until they end).
    pub fn ca_certificates(&self) -> Vec<CaCertificate> {
        let factory = &self.deps.factory;
        let mut out: Vec<CaCertificate> = pem_certificates(&factory.root_pem())
            .into_iter()
            .take(1)
            .map(|(pem, der)| CaCertificate {
                key: "root",
                label: "ルート認証局".to_owned(),
                file_stem: ROOT_STEM.to_owned(),
                generation: None,
                pem,
                der,
            })
            .collect();
        for (i, (generation, pem)) in factory.issuing_pems().into_iter().enumerate() {
            let Some((pem, der)) = pem_certificates(&pem).into_iter().next() else {
                continue;
            };
            let label = if i == 0 {
                "発行認証局".to_owned()
            } else {
                format!("第{generation}世代の発行認証局")
            };
            out.push(CaCertificate {
                key: "issuing",
                label,
                file_stem: issuing_stem(generation),
                generation: Some(generation),
                pem,
                der,
            });
        }
        out
    }
}
