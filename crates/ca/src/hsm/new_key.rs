//! A CA key just made at a ceremony, before it is kept: in process memory until it is written
//! as an encrypted file, or already inside the token until its reference file is written.

use std::path::Path;
use std::sync::Arc;

use secrecy::ExposeSecret;

use crate::config::CaConfig;
use crate::error::CaError;
use crate::hsm::ca_keys::{CaKeys, KeyRole, reference_text};
use crate::hsm::signer::Pkcs11Signer;
use crate::keyfile::{self, write_new_file};
use crate::signer::{CaSigner, FileKeySigner};

/// A freshly generated CA key of one role.
pub enum NewKey {
    File(KeyRole, FileKeySigner),
    Token(KeyRole, Pkcs11Signer),
}

impl NewKey {
    /// Generates the key of `role` where `keys` keeps keys.
    pub fn generate(keys: &CaKeys, role: KeyRole, bits: usize) -> Result<Self, CaError> {
        Ok(match keys {
            CaKeys::Files(_) => Self::File(role, FileKeySigner::generate(bits)?),
            CaKeys::Token(token) => Self::Token(
                role,
                Pkcs11Signer::generate(Arc::clone(token), &role.new_label()?, bits)?,
            ),
        })
    }

    pub fn signer(&self) -> &dyn CaSigner {
        match self {
            Self::File(_, k) => k,
            Self::Token(_, k) => k,
        }
    }

    /// Writes the key file (encrypted under the passphrase, mode 0600) or the reference file
    /// into the CA directory `dir`; neither may exist yet.
    pub fn save(&self, dir: &Path, keys: &CaKeys, cfg: &CaConfig) -> Result<(), CaError> {
        match (self, keys) {
            (Self::File(role, key), CaKeys::Files(passphrase)) => {
                let pem = keyfile::encrypt_pkcs8_pem(
                    &key.pkcs8_der()?,
                    passphrase.expose_secret().as_bytes(),
                    cfg.key_file_iterations,
                )?;
                write_new_file(&dir.join(role.key_file()), pem.as_bytes(), 0o600)
            }
            (Self::Token(role, key), CaKeys::Token(token)) => write_new_file(
                &dir.join(role.reference_file()),
                reference_text(token.label(), key.label()).as_bytes(),
                0o644,
            ),
            _ => Err(CaError::Config(
                "a key is saved where it was generated".into(),
            )),
        }
    }
}
