//! Bringing what the offline root made to a serving node: the root certificate and CRL at
//! `init`, the issuing CA certificate for the waiting key, and each year's root CRL. Every
//! file is checked against what the node already trusts before it replaces anything.

use std::path::Path;

use kaigo_core::ids::{CaGeneration, Serial};
use openssl::x509::{X509, X509Crl};
use time::OffsetDateTime;

use crate::cert::{self, CertSummary};
use crate::config::CaConfig;
use crate::constraints::IssuerFacts;
use crate::error::CaError;
use crate::file_ca::FileCa;
use crate::files;
use crate::generations::{
    current_generation, effective_generation, previous_dir, write_generation,
};
use crate::hsm::{CaKeys, KeyRole};
use crate::keyfile::write_new_file;
use crate::names::ISSUING_CN;
use crate::root_crl::{RootCrlSummary, crl_facts};

fn read_text(path: &Path) -> Result<String, CaError> {
    std::fs::read_to_string(path).map_err(|e| CaError::io(path, e))
}

/// Replaces `dir/name` with `bytes` in one rename.
fn replace(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), CaError> {
    let tmp = dir.join(format!("{name}.new"));
    let _ = std::fs::remove_file(&tmp);
    write_new_file(&tmp, bytes, 0o644)?;
    std::fs::rename(&tmp, dir.join(name)).map_err(|e| CaError::io(dir.join(name), e))
}

/// Checks that `crl_der` is a CRL signed by the root `root_der`, and returns its number and
/// nextUpdate.
fn check_root_crl(root_der: &[u8], crl_der: &[u8]) -> Result<RootCrlSummary, CaError> {
    let bad = |what: &str| CaError::Certificate(format!("the root CRL {what}"));
    let root = X509::from_der(root_der).map_err(|_| bad("cannot be checked: root unreadable"))?;
    let crl = X509Crl::from_der(crl_der).map_err(|_| bad("is not a DER CRL"))?;
    let key = root.public_key().map_err(|_| bad("cannot be checked"))?;
    let same_issuer = crl
        .issuer_name()
        .to_der()
        .ok()
        .zip(root.subject_name().to_der().ok())
        .is_some_and(|(a, b)| a == b);
    if !same_issuer || !crl.verify(&key).unwrap_or(false) {
        return Err(bad("is not signed by this root"));
    }
    let (number, next_update) = crl_facts(crl_der)?;
    if next_update <= OffsetDateTime::now_utc() {
        return Err(bad(&format!("expired at {next_update}: sign a new one")));
    }
    Ok(RootCrlSummary {
        number,
        next_update,
    })
}

/// Takes the offline root's certificate and CRL into the empty CA directory `dir` of a new
/// serving node.
pub fn adopt_root(dir: &Path, root_pem: &str, root_crl_der: &[u8]) -> Result<CertSummary, CaError> {
    super::root::require_empty(dir)?;
    let der = cert::pem_to_der(root_pem).map_err(|_| {
        CaError::Certificate("the root certificate is not a PEM certificate".into())
    })?;
    let facts = IssuerFacts::from_der(&der)?;
    facts
        .check_issued(&der)
        .map_err(|e| CaError::Certificate(format!("the root is not self-signed: {e}")))?;
    check_root_crl(&der, root_crl_der)?;
    write_new_file(
        &dir.join(files::ROOT_CERT),
        cert::der_to_pem(&der).as_bytes(),
        0o644,
    )?;
    write_new_file(&dir.join(files::ROOT_CRL), root_crl_der, 0o644)?;
    Ok(CertSummary::from_der(&der)?)
}

/// Installs a newer root CRL signed on the offline machine; every node serves it after a
/// restart.
pub fn install_root_crl(dir: &Path, crl_der: &[u8]) -> Result<RootCrlSummary, CaError> {
    let root_der = cert::pem_to_der(&read_text(&dir.join(files::ROOT_CERT))?)?;
    let new = check_root_crl(&root_der, crl_der)?;
    if let Ok(current) = std::fs::read(dir.join(files::ROOT_CRL)) {
        let (number, _) = crl_facts(&current)?;
        if new.number <= number {
            return Err(CaError::Ceremony(format!(
                "this root CRL is number {}, not newer than the installed number {number}",
                new.number
            )));
        }
    }
    replace(dir, files::ROOT_CRL, crl_der)?;
    Ok(new)
}

/// What `install_issuing` did.
#[derive(Clone, Debug)]
pub struct InstalledIssuing {
    pub summary: CertSummary,
    pub root_fingerprint_sha256: String,
    /// The generation the new issuing CA is.
    pub generation: CaGeneration,
    /// In a rollover: the generation that stopped issuing, and its serial.
    pub retired: Option<(CaGeneration, Serial)>,
}

/// Moves the issuing CA of `dir` (certificate and key or key reference) to
/// `previous/<generation>/`, where it keeps signing its CRL and OCSP responders.
fn retire_current(dir: &Path) -> Result<(CaGeneration, Serial), CaError> {
    let generation = current_generation(dir)?;
    let cert_pem = read_text(&dir.join(files::ISSUING_CERT))?;
    let serial = CertSummary::from_der(&cert::pem_to_der(&cert_pem)?)?.serial;
    let to = previous_dir(dir, generation);
    let kept = to.join(files::ISSUING_CERT);
    match std::fs::read_to_string(&kept) {
        // An earlier, interrupted run copied it already: go on from there.
        Ok(existing) if existing == cert_pem => {}
        Ok(_) => {
            return Err(CaError::Ceremony(format!(
                "{} already holds another issuing CA; the CA directory is not as a rollover \
                 left it",
                to.display()
            )));
        }
        Err(_) => {
            std::fs::create_dir_all(&to).map_err(|e| CaError::io(&to, e))?;
            // The certificate is copied first and removed last: an interrupted step never
            // loses it.
            write_new_file(&kept, cert_pem.as_bytes(), 0o644)?;
        }
    }
    let role = KeyRole::Issuing;
    for name in [role.key_file(), role.reference_file()] {
        if dir.join(name).exists() {
            std::fs::rename(dir.join(name), to.join(name))
                .map_err(|e| CaError::io(to.join(name), e))?;
        }
    }
    std::fs::remove_file(dir.join(files::ISSUING_CERT))
        .map_err(|e| CaError::io(dir.join(files::ISSUING_CERT), e))?;
    Ok((generation, serial))
}

/// The root CRL and root certificate URLs the node serves must be the ones the issuing CA
/// certificate names, or relying parties could not check the chain.
fn check_root_urls(der: &[u8], cfg: &CaConfig) -> Result<(), CaError> {
    let names = |url: &str| der.windows(url.len()).any(|w| w == url.as_bytes());
    for (what, url) in [
        ("root CRL", &cfg.root_crl_url),
        ("root certificate", &cfg.root_cert_url),
    ] {
        if !names(url) {
            return Err(CaError::Certificate(format!(
                "the certificate does not name this node's {what} URL {url}: was \
                 `ca sign-issuing` given this node's public URL?"
            )));
        }
    }
    Ok(())
}

/// Installs the root's certificate for the waiting issuing key in the CA directory `dir`:
/// it must be certified by this node's root, name `e-seikyuu CA`, hold exactly the waiting
/// key and name this node's root URLs. The waiting key becomes the issuing key. If an issuing
/// CA is already installed this is a rollover: it moves to `previous/<generation>/` and keeps
/// publishing for the certificates it issued, and the new one is the next generation.
pub fn install_issuing(
    dir: &Path,
    keys: &CaKeys,
    cert_pem: &str,
    cfg: &CaConfig,
) -> Result<InstalledIssuing, CaError> {
    // An install interrupted after the waiting key became the issuing key and before the
    // certificate was written left that key without a certificate: installing again finishes.
    let resuming = !CaKeys::exists(dir, KeyRole::NextIssuing)
        && CaKeys::exists(dir, KeyRole::Issuing)
        && !dir.join(files::ISSUING_CERT).exists();
    let waiting = if resuming {
        KeyRole::Issuing
    } else {
        KeyRole::NextIssuing
    };
    if !resuming && !CaKeys::exists(dir, KeyRole::NextIssuing) {
        return Err(CaError::Ceremony(
            "no issuing CA key is waiting for a certificate: run `kaigo-pki ca \
             request-issuing` first and have the root sign its request"
                .into(),
        ));
    }
    let root_pem = read_text(&dir.join(files::ROOT_CERT))?;
    let der = cert::pem_to_der(cert_pem).map_err(|_| {
        CaError::Certificate("the issuing CA certificate is not a PEM certificate".into())
    })?;
    let summary = CertSummary::from_der(&der)?;
    if !summary.subject.starts_with(&format!("CN={ISSUING_CN},")) {
        return Err(CaError::Certificate(format!(
            "the certificate is for \"{}\", not for the issuing CA",
            summary.subject
        )));
    }
    let pending = keys.open(dir, waiting)?;
    let issuing_pem = cert::der_to_pem(&der);
    // The same checks as at every start: certified by the root, a CA, and our waiting key.
    FileCa::with_signer(&root_pem, &issuing_pem, pending, cfg.clone()).map_err(|e| match e {
        CaError::Key(m) => CaError::Certificate(format!(
            "the certificate is not for the waiting key ({m}); was it signed from this \
             node's request {}?",
            files::NEXT_ISSUING_CSR
        )),
        other => other,
    })?;
    let now = OffsetDateTime::now_utc();
    if summary.not_before > now + time::Duration::minutes(5) || summary.not_after <= now {
        return Err(CaError::Certificate(format!(
            "the certificate is not valid now ({} .. {})",
            summary.not_before, summary.not_after
        )));
    }
    check_root_urls(&der, cfg)?;
    let current = dir.join(files::ISSUING_CERT);
    if current.exists() && cert::pem_to_der(&read_text(&current)?)? == der {
        return Err(CaError::Ceremony(
            "this issuing CA certificate is already installed".into(),
        ));
    }
    let retired = if current.exists() {
        Some(retire_current(dir)?)
    } else {
        None
    };
    // After retiring, `previous/<n>/` holds the old CA, so the effective generation is n + 1;
    // the same holds when an earlier run stopped between the move and writing the number.
    let generation = effective_generation(dir)?;
    if generation != current_generation(dir)? {
        write_generation(dir, generation)?;
    }
    let (from, to) = (KeyRole::NextIssuing, KeyRole::Issuing);
    let moves = [
        (from.key_file(), to.key_file()),
        (from.reference_file(), to.reference_file()),
    ];
    for (a, b) in moves.into_iter().filter(|_| !resuming) {
        if dir.join(b).exists() {
            return Err(CaError::Ceremony(format!(
                "{} exists although no issuing CA is installed; move it away first",
                dir.join(b).display()
            )));
        }
        if dir.join(a).exists() {
            std::fs::rename(dir.join(a), dir.join(b)).map_err(|e| CaError::io(dir.join(b), e))?;
        }
    }
    replace(
        dir,
        files::CHAIN,
        format!("{issuing_pem}{root_pem}").as_bytes(),
    )?;
    // Written last: its presence is what makes the CA complete.
    write_new_file(
        &dir.join(files::ISSUING_CERT),
        issuing_pem.as_bytes(),
        0o644,
    )?;
    let _ = std::fs::remove_file(dir.join(files::NEXT_ISSUING_CSR));
    Ok(InstalledIssuing {
        summary,
        root_fingerprint_sha256: cert::fingerprint_sha256(&cert::pem_to_der(&root_pem)?),
        generation,
        retired,
    })
}
