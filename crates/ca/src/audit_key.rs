//! The audit key: a dedicated RSA key, beside the CA keys (a file under the CA passphrase, or
//! in the token), that signs the audit trail's checkpoints. Made at its first use; its public
//! half is kept as `ca/audit.pub.pem` for auditors.

use std::path::Path;

use kaigo_core::audit::checkpoint::AuditSigner;
use kaigo_core::error::PkiError;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Public};
use openssl::rsa::Rsa;
use openssl::sign::Verifier;

use crate::config::CaConfig;
use crate::error::CaError;
use crate::files;
use crate::hsm::{CaKeys, KeyRole, NewKey};
use crate::keyfile::write_new_file;
use crate::signer::CaSigner;

/// The audit key's size: it signs a checkpoint every few minutes, so size costs nothing.
pub const AUDIT_KEY_BITS: usize = 3072;

/// The audit key, ready to sign and verify checkpoints.
pub struct AuditKey {
    signer: Box<dyn CaSigner>,
    public: PKey<Public>,
    public_pem: String,
}

fn public_of(signer: &dyn CaSigner) -> Result<(PKey<Public>, String), CaError> {
    let rsa = Rsa::public_key_from_der_pkcs1(signer.public_key_der())
        .map_err(|e| CaError::Key(e.to_string()))?;
    let key = PKey::from_rsa(rsa).map_err(|e| CaError::Key(e.to_string()))?;
    let pem = key
        .public_key_to_pem()
        .map_err(|e| CaError::Key(e.to_string()))?;
    Ok((key, String::from_utf8_lossy(&pem).into_owned()))
}

impl AuditKey {
    /// Opens the audit key of the CA directory `dir`, making it first if there is none (`init`
    /// makes it; a data dir from before the audit key gets it at its first start). A key that
    /// is gone while its public half is still there is an error, never silently replaced: a
    /// new key would not verify the earlier checkpoints.
    pub fn open_or_create(dir: &Path, keys: &CaKeys, cfg: &CaConfig) -> Result<Self, CaError> {
        let signer = if CaKeys::exists(dir, KeyRole::Audit) {
            keys.open(dir, KeyRole::Audit)?
        } else if dir.join(files::AUDIT_PUBLIC).exists() {
            return Err(CaError::Key(format!(
                "the audit key is missing but {} exists: restore the key (a new one would not \
                 verify the earlier checkpoints)",
                dir.join(files::AUDIT_PUBLIC).display()
            )));
        } else {
            let made = NewKey::generate(keys, KeyRole::Audit, AUDIT_KEY_BITS)?;
            made.save(dir, keys, cfg)?;
            keys.open(dir, KeyRole::Audit)?
        };
        let (public, public_pem) = public_of(signer.as_ref())?;
        let path = dir.join(files::AUDIT_PUBLIC);
        if !path.exists() {
            write_new_file(&path, public_pem.as_bytes(), 0o644)?;
        }
        Ok(Self {
            signer,
            public,
            public_pem,
        })
    }
}

impl AuditSigner for AuditKey {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, PkiError> {
        self.signer.sign(message)
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        Verifier::new(MessageDigest::sha256(), &self.public)
            .and_then(|mut v| v.verify_oneshot(signature, message))
            .unwrap_or(false)
    }

    fn public_key_pem(&self) -> String {
        self.public_pem.clone()
    }
}

impl AuditKey {
    /// Lowercase hex SHA-256 of the public key's DER (SubjectPublicKeyInfo): what the ceremony
    /// records and an auditor compares.
    pub fn fingerprint_sha256(&self) -> String {
        self.public
            .public_key_to_der()
            .map(|der| hex::encode(openssl::sha::sha256(&der)))
            .unwrap_or_default()
    }
}
