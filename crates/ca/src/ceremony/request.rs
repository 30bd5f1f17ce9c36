//! The issuing CA's key and its request to the root (`kaigo-pki ca request-issuing`, and
//! `init` with an offline root): the key is made where the serving node keeps keys (a file,
//! or inside the token, never extractable) and waits as the "next" issuing key until the
//! root's certificate for it is installed.

use std::path::{Path, PathBuf};

use rcgen::CertificateParams;

use crate::config::CaConfig;
use crate::error::CaError;
use crate::files;
use crate::hsm::{CaKeys, KeyRole, NewKey};
use crate::keyfile::write_new_file;
use crate::names;
use crate::profile::ISSUING_KEY_BITS;
use crate::signer::{CaSigner, RcgenKey};

/// What `request_issuing` made.
#[derive(Clone, Debug)]
pub struct IssuingRequest {
    /// Where the request was written (in the CA directory).
    pub csr_path: PathBuf,
    pub csr_pem: String,
    /// SHA-256 of the public key (SubjectPublicKeyInfo DER), lowercase hex: the root side
    /// prints the same figure, so the operator can compare the two screens, and OpenSSL
    /// computes it too (`openssl req -in CSR -pubkey -noout | openssl pkey -pubin -outform DER
    /// | sha256sum`).
    pub key_sha256: String,
    /// `file`, or `token:<label>/<key label>`.
    pub key_at: String,
}

/// SHA-256 of the SubjectPublicKeyInfo of an RSA key given as RSAPublicKey DER, lowercase hex
/// (the figure `openssl pkey -pubin -outform DER | sha256sum` prints).
pub(crate) fn key_sha256(rsa_public_key: &[u8]) -> Result<String, CaError> {
    let bad = |e: openssl::error::ErrorStack| CaError::Key(format!("public key: {e}"));
    let rsa = openssl::rsa::Rsa::public_key_from_der_pkcs1(rsa_public_key).map_err(bad)?;
    let spki = openssl::pkey::PKey::from_rsa(rsa)
        .and_then(|k| k.public_key_to_der())
        .map_err(bad)?;
    Ok(crate::cert::fingerprint_sha256(&spki))
}

fn csr_pem(signer: &dyn CaSigner) -> Result<String, CaError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = names::issuing_name();
    let key = RcgenKey::new(signer);
    let csr = params.serialize_request(&key).map_err(|e| {
        key.take_failure()
            .map(CaError::from)
            .unwrap_or_else(|| CaError::Certificate(format!("signing request: {e}")))
    })?;
    csr.pem()
        .map_err(|e| CaError::Certificate(format!("signing request: {e}")))
}

/// Makes a new issuing CA key in the CA directory `dir` and writes its signing request.
/// Refuses while another new key is waiting: one request at a time, so the certificate that
/// comes back can only belong to one key.
pub fn request_issuing(
    dir: &Path,
    keys: &CaKeys,
    cfg: &CaConfig,
) -> Result<IssuingRequest, CaError> {
    cfg.validate()?;
    if CaKeys::exists(dir, KeyRole::NextIssuing) {
        return Err(CaError::Ceremony(format!(
            "a new issuing CA key is already waiting in {} with its request {}: install the \
             root's certificate for it with `kaigo-pki ca install-issuing --cert FILE`",
            dir.display(),
            files::NEXT_ISSUING_CSR
        )));
    }
    super::root::check_passphrase(keys)?;
    let key = NewKey::generate(keys, KeyRole::NextIssuing, ISSUING_KEY_BITS)?;
    let pem = csr_pem(key.signer())?;
    let csr_path = dir.join(files::NEXT_ISSUING_CSR);
    // A request left from an abandoned key is stale: this one replaces it.
    match std::fs::remove_file(&csr_path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(CaError::io(&csr_path, e)),
    }
    key.save(dir, keys, cfg)?;
    write_new_file(&csr_path, pem.as_bytes(), 0o644)?;
    let key_at = match (&key, keys.token()) {
        (NewKey::Token(_, k), Some(t)) => format!("token:{}/{}", t.label(), k.label()),
        _ => "file".to_owned(),
    };
    Ok(IssuingRequest {
        csr_path,
        csr_pem: pem,
        key_sha256: key_sha256(key.signer().public_key_der())?,
        key_at,
    })
}
