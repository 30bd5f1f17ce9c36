//! Issuing CA generations. The issuing CA that issues now lives in the CA directory itself;
//! after a rollover the earlier ones live in `previous/<n>/`. An earlier generation issues
//! nothing more, but until its certificate ends it signs its own CRL (at its own URL) and
//! certifies its own OCSP responder, so the certificates it issued stay valid and revocable.

use std::path::{Path, PathBuf};

use kaigo_core::certificate::ca_files::url_of_generation;
use kaigo_core::ids::CaGeneration;
use time::OffsetDateTime;

use crate::cert;
use crate::config::CaConfig;
use crate::constraints::IssuerFacts;
use crate::error::CaError;
use crate::files;
use crate::hsm::{CaKeys, KeyRole};
use crate::signer::CaSigner;

/// An earlier issuing CA, loaded to sign CRLs and responders.
pub(crate) struct PreviousCa {
    pub generation: CaGeneration,
    pub issuer: IssuerFacts,
    pub signer: Box<dyn CaSigner>,
    pub pem: String,
}

/// The generation of the issuing CA in `dir`.
pub(crate) fn current_generation(dir: &Path) -> Result<CaGeneration, CaError> {
    let path = dir.join(files::GENERATION);
    match std::fs::read_to_string(&path) {
        Ok(text) => text
            .trim()
            .parse::<u32>()
            .ok()
            .and_then(CaGeneration::new)
            .ok_or_else(|| {
                CaError::Config(format!(
                    "{} does not hold a generation number",
                    path.display()
                ))
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(CaGeneration::FIRST),
        Err(e) => Err(CaError::io(path, e)),
    }
}

/// Records `generation` as the one in `dir`, in one rename.
pub(crate) fn write_generation(dir: &Path, generation: CaGeneration) -> Result<(), CaError> {
    let tmp = dir.join(format!("{}.new", files::GENERATION));
    let _ = std::fs::remove_file(&tmp);
    crate::keyfile::write_new_file(&tmp, format!("{generation}\n").as_bytes(), 0o644)?;
    std::fs::rename(&tmp, dir.join(files::GENERATION))
        .map_err(|e| CaError::io(dir.join(files::GENERATION), e))
}

/// The generation a CA directory is at: what `generation` says, or one more than the highest
/// kept in `previous/` if a rollover was interrupted before it wrote the new number.
pub(crate) fn effective_generation(dir: &Path) -> Result<CaGeneration, CaError> {
    let recorded = current_generation(dir)?;
    let highest_previous = std::fs::read_dir(dir.join(files::PREVIOUS_DIR))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join(files::ISSUING_CERT).exists())
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .max();
    Ok(match highest_previous.and_then(CaGeneration::new) {
        Some(p) if p >= recorded => p.next(),
        _ => recorded,
    })
}

/// Where an earlier generation is kept.
pub(crate) fn previous_dir(dir: &Path, generation: CaGeneration) -> PathBuf {
    dir.join(files::PREVIOUS_DIR).join(generation.to_string())
}

/// `cfg` with the CRL and caIssuers URLs of `generation` (every other URL is shared).
pub(crate) fn config_for(cfg: CaConfig, generation: CaGeneration) -> Result<CaConfig, CaError> {
    let adjust = |name: &str, url: &str| {
        url_of_generation(url, generation).ok_or_else(|| {
            CaError::Config(format!(
                "{name} {url} is not an issuing CA URL under /ca/; a later generation needs one"
            ))
        })
    };
    if generation == CaGeneration::FIRST {
        return Ok(cfg);
    }
    Ok(CaConfig {
        crl_url: adjust("crl_url", &cfg.crl_url)?,
        ca_issuers_url: adjust("ca_issuers_url", &cfg.ca_issuers_url)?,
        ..cfg
    })
}

/// The earlier generations in `dir` whose certificates have not ended, newest first, each
/// checked: certified by `root`, and its key opens and belongs to it.
pub(crate) fn load_previous(
    dir: &Path,
    keys: &CaKeys,
    root: &IssuerFacts,
    current: CaGeneration,
    now: OffsetDateTime,
) -> Result<Vec<PreviousCa>, CaError> {
    let mut out = Vec::new();
    for n in (1..current.get()).rev() {
        let generation = CaGeneration::new(n).unwrap_or(CaGeneration::FIRST);
        let at = previous_dir(dir, generation);
        let cert_path = at.join(files::ISSUING_CERT);
        let pem = match std::fs::read_to_string(&cert_path) {
            Ok(p) => p,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(CaError::io(cert_path, e)),
        };
        let der = cert::pem_to_der(&pem)?;
        let issuer = IssuerFacts::from_der(&der)?;
        if issuer.not_after <= now {
            tracing::info!(%generation, "issuing CA generation has ended; it publishes no more");
            continue;
        }
        root.check_issued(&der).map_err(|e| {
            CaError::Certificate(format!(
                "issuing CA generation {generation} is not certified by the root: {e}"
            ))
        })?;
        let signer = keys.open(&at, KeyRole::Issuing)?;
        issuer.check_signer(signer.as_ref())?;
        out.push(PreviousCa {
            generation,
            issuer,
            signer,
            pem: cert::der_to_pem(&der),
        });
    }
    Ok(out)
}
