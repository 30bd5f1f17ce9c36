//! The root: made at `init` beside the issuing CA, or on its own in a directory of an offline
//! machine (`kaigo-pki ca root-init`), so that the root key never reaches a serving node.

use std::path::Path;

use secrecy::ExposeSecret;
use time::OffsetDateTime;

use crate::builder;
use crate::cert::{self, CertSummary};
use crate::config::CaConfig;
use crate::constraints::IssuerFacts;
use crate::error::CaError;
use crate::files;
use crate::hsm::{CaKeys, KeyRole, NewKey};
use crate::keyfile::write_new_file;
use crate::profile::{self, Common, ROOT_KEY_BITS, ROOT_VALIDITY_MONTHS};
use crate::root_crl;
use crate::serial::random_serial;
use crate::validity::ca_validity;

use super::log;

/// Shortest CA passphrase accepted. It protects the keys of the whole PKI; a ceremony
/// passphrase shorter than this is a mistake worth stopping.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// A root just made: its key (not yet kept), certificate and facts.
pub(crate) struct NewRoot {
    pub key: NewKey,
    pub der: Vec<u8>,
    pub facts: IssuerFacts,
}

/// Generates the root key where `keys` keeps keys and self-signs the root certificate.
pub(crate) fn make_root(keys: &CaKeys, now: OffsetDateTime) -> Result<NewRoot, CaError> {
    let key = NewKey::generate(keys, KeyRole::Root, ROOT_KEY_BITS)?;
    let params = profile::root(&Common {
        validity: ca_validity(now, ROOT_VALIDITY_MONTHS)?,
        serial: &random_serial()?,
        public_key: key.signer().public_key_der(),
    });
    let der = builder::self_sign(&params, key.signer())?;
    let facts = IssuerFacts::from_der(&der)?;
    facts.check_signer(key.signer())?;
    Ok(NewRoot { key, der, facts })
}

/// Refuses a CA passphrase too short to protect a CA key.
pub(crate) fn check_passphrase(keys: &CaKeys) -> Result<(), CaError> {
    if let CaKeys::Files(passphrase) = keys
        && passphrase.expose_secret().chars().count() < MIN_PASSPHRASE_CHARS
    {
        return Err(CaError::Config(format!(
            "the CA passphrase must have at least {MIN_PASSPHRASE_CHARS} characters"
        )));
    }
    Ok(())
}

/// Refuses a directory that holds anything.
pub(crate) fn require_empty(dir: &Path) -> Result<(), CaError> {
    let mut entries = std::fs::read_dir(dir).map_err(|e| CaError::io(dir, e))?;
    if entries.next().is_some() {
        return Err(CaError::DirectoryNotEmpty(dir.to_owned()));
    }
    Ok(())
}

/// Writes the root's certificate, key (file or reference) and first CRL into `dir`.
pub(crate) fn keep_root(
    dir: &Path,
    root: &NewRoot,
    keys: &CaKeys,
    cfg: &CaConfig,
    now: OffsetDateTime,
) -> Result<(), CaError> {
    root.key.save(dir, keys, cfg)?;
    write_new_file(
        &dir.join(files::ROOT_CERT),
        cert::der_to_pem(&root.der).as_bytes(),
        0o644,
    )?;
    let crl = root_crl::sign_first(&root.facts, root.key.signer(), now)?;
    write_new_file(&dir.join(files::ROOT_CRL), &crl, 0o644)
}

/// Signs the next root CRL in the offline root directory `dir` and logs the step there.
pub fn resign_offline_root_crl(
    dir: &Path,
    keys: &CaKeys,
) -> Result<root_crl::RootCrlSummary, CaError> {
    let signed = root_crl::resign_root_crl(dir, keys)?;
    log::append(
        dir,
        "root.crl",
        &format!(
            "number={} next_update={}",
            signed.number, signed.next_update
        ),
    )?;
    Ok(signed)
}

/// Creates the root alone in the empty directory `dir` (on the offline machine): its key, its
/// certificate and its first CRL. The certificate and the CRL are public and go to the
/// serving nodes (`kaigo-pki init --root-cert … --root-crl …`); the key stays.
pub fn create_offline_root(
    dir: &Path,
    keys: &CaKeys,
    cfg: &CaConfig,
) -> Result<CertSummary, CaError> {
    cfg.validate()?;
    check_passphrase(keys)?;
    require_empty(dir)?;
    let now = OffsetDateTime::now_utc();
    let root = make_root(keys, now)?;
    keep_root(dir, &root, keys, cfg, now)?;
    let summary = CertSummary::from_der(&root.der)?;
    log::append(
        dir,
        "root.create",
        &format!(
            "subject=\"{}\" serial={} sha256={} not_after={}",
            summary.subject, summary.serial, summary.fingerprint_sha256, summary.not_after
        ),
    )?;
    Ok(summary)
}
