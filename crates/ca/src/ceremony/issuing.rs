//! Certifying an issuing CA with the root: for the key made beside it at `init`, or for a
//! certificate signing request carried to the offline root (`kaigo-pki ca sign-issuing`).
//! Either way one rule decides the certificate: our profile, the root's constraints, a
//! subject that is always `CN=e-seikyuu CA` whatever the request asks for.

use std::path::Path;

use openssl::x509::X509Req;
use time::OffsetDateTime;

use crate::builder;
use crate::cert::{self, CertSummary};
use crate::config::CaConfig;
use crate::constraints::{IssuerFacts, Planned, rsa_bits};
use crate::error::CaError;
use crate::hsm::CaKeys;
use crate::policy;
use crate::profile::{self, Common, ISSUING_KEY_BITS, ISSUING_VALIDITY_MONTHS};
use crate::root_key::open_root;
use crate::serial::random_serial;
use crate::signer::{CaSigner, RsaPublicKey};
use crate::validity::ca_validity;

use super::log;

/// Issues the issuing CA certificate for `public_key` (RFC 8017 RSAPublicKey DER), signed by
/// the root whose certificate is `root_der` and whose key is `root_key`.
pub(crate) fn certify_key(
    root_der: &[u8],
    root: &IssuerFacts,
    root_key: &dyn CaSigner,
    public_key: &[u8],
    cfg: &CaConfig,
    now: OffsetDateTime,
) -> Result<Vec<u8>, CaError> {
    let bits = rsa_bits(public_key)?;
    if bits < ISSUING_KEY_BITS {
        return Err(CaError::Certificate(format!(
            "the issuing CA key has {bits} bits; an issuing CA needs {ISSUING_KEY_BITS}"
        )));
    }
    let validity = ca_validity(now, ISSUING_VALIDITY_MONTHS)?;
    root.permit(
        &Planned {
            is_ca: true,
            validity,
            policies: &policy::ALL_POLICIES,
            key_bits: bits,
        },
        now,
    )?;
    let params = profile::issuing(
        &Common {
            validity,
            serial: &random_serial()?,
            public_key,
        },
        cfg,
    )?;
    let der = builder::sign(
        &params,
        &RsaPublicKey(public_key.to_vec()),
        root_der,
        root_key,
    )?;
    root.check_issued(&der)?;
    IssuerFacts::from_der(&der)?;
    Ok(der)
}

/// The public key of a certificate signing request whose own signature holds (proof that
/// whoever asks holds the key), as RFC 8017 RSAPublicKey DER.
pub(crate) fn request_public_key(csr_pem: &str) -> Result<Vec<u8>, CaError> {
    let bad = |what: &str| CaError::Certificate(format!("the signing request {what}"));
    let req = X509Req::from_pem(csr_pem.as_bytes()).map_err(|_| bad("is not a PEM CSR"))?;
    let key = req
        .public_key()
        .map_err(|_| bad("has an unreadable public key"))?;
    if !req.verify(&key).unwrap_or(false) {
        return Err(bad("is not signed by its own key"));
    }
    let rsa = key.rsa().map_err(|_| bad("is not for an RSA key"))?;
    rsa.public_key_to_der_pkcs1()
        .map_err(|_| bad("has an unreadable RSA key"))
}

/// Where the root directory keeps every issuing CA certificate it signed, by serial.
pub const ISSUED_DIR: &str = "issued";

/// What `certify_request` made.
#[derive(Clone, Debug)]
pub struct CertifiedIssuing {
    /// The issuing CA certificate, PEM: carry it to the serving node.
    pub pem: String,
    pub summary: CertSummary,
    pub root_fingerprint_sha256: String,
    /// SHA-256 of the certified public key: the serving node printed the same at the request.
    pub key_sha256: String,
}

/// Signs the issuing CA's request `csr_pem` with the root kept in `root_dir` (the offline
/// machine) and logs the step there.
pub fn certify_request(
    root_dir: &Path,
    keys: &CaKeys,
    csr_pem: &str,
    cfg: &CaConfig,
) -> Result<CertifiedIssuing, CaError> {
    cfg.validate()?;
    let public_key = request_public_key(csr_pem)?;
    let root = open_root(root_dir, keys)?;
    let der = certify_key(
        &root.der,
        &root.facts,
        root.key.as_ref(),
        &public_key,
        cfg,
        OffsetDateTime::now_utc(),
    )?;
    let summary = CertSummary::from_der(&der)?;
    // The root keeps what it signed, so a certificate lost on the way can be carried again.
    let kept = root_dir.join(ISSUED_DIR);
    std::fs::create_dir_all(&kept).map_err(|e| CaError::io(&kept, e))?;
    crate::keyfile::write_new_file(
        &kept.join(format!("{}.pem", summary.serial)),
        cert::der_to_pem(&der).as_bytes(),
        0o644,
    )?;
    let root_fingerprint_sha256 = cert::fingerprint_sha256(&root.der);
    let key_sha256 = super::request::key_sha256(&public_key)?;
    log::append(
        root_dir,
        "issuing.certify",
        &format!(
            "serial={} sha256={} key_sha256={} not_after={}",
            summary.serial, summary.fingerprint_sha256, key_sha256, summary.not_after
        ),
    )?;
    Ok(CertifiedIssuing {
        pem: cert::der_to_pem(&der),
        summary,
        root_fingerprint_sha256,
        key_sha256,
    })
}
