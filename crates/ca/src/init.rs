//! Creating the CA: the key ceremony in code. Generates the root and the issuing CA, checks
//! the issuing certificate against the root's constraints, and writes the files.

use std::path::Path;

use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

use crate::builder;
use crate::cert::CertSummary;
use crate::config::CaConfig;
use crate::constraints::{IssuerFacts, Planned};
use crate::error::CaError;
use crate::keyfile::{self, write_new_file};
use crate::policy;
use crate::profile::{self, ISSUING_KEY_BITS, ISSUING_VALIDITY_MONTHS, ROOT_KEY_BITS, ROOT_VALIDITY_MONTHS};
use crate::serial::random_serial;
use crate::signer::{CaSigner, FileKeySigner, RsaPublicKey};
use crate::validity::ca_validity;

/// File names inside the CA directory.
pub mod files {
    /// Root certificate, PEM.
    pub const ROOT_CERT: &str = "root.crt.pem";
    /// Root key, encrypted PKCS#8 PEM. Needed only to certify a new issuing CA: move it
    /// offline after the ceremony.
    pub const ROOT_KEY: &str = "root.key.pem";
    /// Issuing CA certificate, PEM.
    pub const ISSUING_CERT: &str = "issuing.crt.pem";
    /// Issuing CA key, encrypted PKCS#8 PEM.
    pub const ISSUING_KEY: &str = "issuing.key.pem";
    /// Issuing CA then root, PEM: the order a TLS server sends a chain in.
    pub const CHAIN: &str = "chain.pem";
}

/// Shortest CA passphrase accepted. It protects the keys of the whole PKI; a ceremony
/// passphrase shorter than this is a mistake worth stopping.
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// What `init_ca` created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaSummary {
    pub root: CertSummary,
    pub issuing: CertSummary,
}

impl std::fmt::Display for CaSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "root:    {}\nissuing: {}", self.root, self.issuing)
    }
}

/// Creates a new root and issuing CA in `dir`, which must exist and be empty.
///
/// Both keys are encrypted under `passphrase` (PBES2, PBKDF2-HMAC-SHA256 with
/// `cfg.key_file_iterations`, AES-256-CBC) and written with mode 0600.
pub fn init_ca(dir: &Path, passphrase: &SecretString, cfg: &CaConfig) -> Result<CaSummary, CaError> {
    cfg.validate()?;
    let pass = passphrase.expose_secret();
    if pass.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(CaError::Config(format!("the CA passphrase must have at least {MIN_PASSPHRASE_CHARS} characters")));
    }
    let mut entries = std::fs::read_dir(dir).map_err(|e| CaError::io(dir, e))?;
    if entries.next().is_some() {
        return Err(CaError::DirectoryNotEmpty(dir.to_owned()));
    }

    let now = OffsetDateTime::now_utc();

    let root_key = FileKeySigner::generate(ROOT_KEY_BITS)?;
    let root_params = profile::root(ca_validity(now, ROOT_VALIDITY_MONTHS)?, &random_serial()?);
    let root_der = builder::self_sign(&root_params, &root_key)?;
    let root = IssuerFacts::from_der(&root_der)?;
    root.check_signer(&root_key)?;

    let issuing_key = FileKeySigner::generate(ISSUING_KEY_BITS)?;
    let issuing_validity = ca_validity(now, ISSUING_VALIDITY_MONTHS)?;
    root.permit(
        &Planned { is_ca: true, validity: issuing_validity, policies: &policy::ALL_POLICIES, key_bits: ISSUING_KEY_BITS },
        now,
    )?;
    let issuing_params = profile::issuing(issuing_validity, &random_serial()?);
    let issuing_public = RsaPublicKey(issuing_key.public_key_der().to_vec());
    let issuing_der = builder::sign(&issuing_params, &issuing_public, &root_der, &root_key)?;
    root.check_issued(&issuing_der)?;
    IssuerFacts::from_der(&issuing_der)?.check_signer(&issuing_key)?;

    let root_pem = crate::cert::der_to_pem(&root_der);
    let issuing_pem = crate::cert::der_to_pem(&issuing_der);
    let root_key_pem = keyfile::encrypt_pkcs8_pem(&root_key.pkcs8_der()?, pass.as_bytes(), cfg.key_file_iterations)?;
    let issuing_key_pem =
        keyfile::encrypt_pkcs8_pem(&issuing_key.pkcs8_der()?, pass.as_bytes(), cfg.key_file_iterations)?;

    write_new_file(&dir.join(files::ROOT_KEY), root_key_pem.as_bytes(), 0o600)?;
    write_new_file(&dir.join(files::ISSUING_KEY), issuing_key_pem.as_bytes(), 0o600)?;
    write_new_file(&dir.join(files::ROOT_CERT), root_pem.as_bytes(), 0o644)?;
    write_new_file(&dir.join(files::ISSUING_CERT), issuing_pem.as_bytes(), 0o644)?;
    write_new_file(&dir.join(files::CHAIN), format!("{issuing_pem}{root_pem}").as_bytes(), 0o644)?;

    let summary = CaSummary { root: CertSummary::from_der(&root_der)?, issuing: CertSummary::from_der(&issuing_der)? };
    tracing::info!(
        root = %summary.root.fingerprint_sha256,
        issuing = %summary.issuing.fingerprint_sha256,
        dir = %dir.display(),
        "created e-seikyuu CA"
    );
    Ok(summary)
}
