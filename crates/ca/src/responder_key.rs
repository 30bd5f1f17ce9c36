//! The OCSP responder's key. With file keys it is generated in memory and its PKCS#8 is
//! sealed in the database (so every node signs with it); with a token it is generated inside
//! the token and the database keeps only a reference (`pkcs11:` and the label), which every
//! node holding the same token resolves.

use std::sync::Arc;

use kaigo_core::error::PkiError;
use zeroize::Zeroizing;

use crate::hsm::signer::RESPONDER_LABEL_PREFIX;
use crate::hsm::{Pkcs11Signer, Token};
use crate::signer::{CaSigner, FileKeySigner};

/// The responder signs every uncached answer; 2048 bits keeps that cheap, and the key lives
/// only as long as its certificate (30 days by default).
pub const RESPONDER_KEY_BITS: usize = 2048;

/// What the stored key bytes start with when the key is in the token.
const TOKEN_PREFIX: &[u8] = b"pkcs11:";

/// A responder key, in memory or in the token.
pub(crate) enum ResponderKey {
    Memory(FileKeySigner),
    Token(Pkcs11Signer),
}

fn fresh_label() -> Result<String, PkiError> {
    let mut b = [0u8; 6];
    aws_lc_rs::rand::fill(&mut b).map_err(|_| PkiError::Key("no randomness".into()))?;
    Ok(format!("{RESPONDER_LABEL_PREFIX}{}", hex::encode(b)))
}

impl ResponderKey {
    /// A new key: in `token` when there is one.
    pub(crate) fn generate(token: Option<&Arc<Token>>) -> Result<Self, PkiError> {
        match token {
            Some(token) => Ok(Self::Token(
                Pkcs11Signer::generate(Arc::clone(token), &fresh_label()?, RESPONDER_KEY_BITS)
                    .map_err(|e| PkiError::Key(e.to_string()))?,
            )),
            None => Ok(Self::Memory(FileKeySigner::generate(RESPONDER_KEY_BITS)?)),
        }
    }

    pub(crate) fn signer(&self) -> &dyn CaSigner {
        match self {
            Self::Memory(s) => s,
            Self::Token(s) => s,
        }
    }

    /// The bytes the database keeps (sealed): the PKCS#8 key, or the token reference.
    pub(crate) fn to_stored(&self) -> Result<Zeroizing<Vec<u8>>, PkiError> {
        match self {
            Self::Memory(s) => s.pkcs8_der(),
            Self::Token(s) => Ok(Zeroizing::new(
                [TOKEN_PREFIX, s.label().as_bytes()].concat(),
            )),
        }
    }

    /// Destroys the key behind stored key bytes when it is in the token (a key in memory
    /// has nothing outside the database to destroy).
    pub(crate) fn destroy(stored: &[u8], token: Option<&Arc<Token>>) -> Result<(), PkiError> {
        match (stored.strip_prefix(TOKEN_PREFIX), token) {
            (Some(label), Some(token)) => {
                let label = std::str::from_utf8(label)
                    .map_err(|_| PkiError::Key("responder key reference is not text".into()))?;
                Pkcs11Signer::destroy_responder(token, label)
                    .map(|_| ())
                    .map_err(|e| PkiError::Key(e.to_string()))
            }
            (Some(_), None) => Err(PkiError::Key(
                "the OCSP responder key is in a PKCS#11 token, but none is configured".into(),
            )),
            (None, _) => Ok(()),
        }
    }

    /// The signer for stored key bytes.
    pub(crate) fn open(
        stored: &[u8],
        token: Option<&Arc<Token>>,
    ) -> Result<Box<dyn CaSigner>, PkiError> {
        match (stored.strip_prefix(TOKEN_PREFIX), token) {
            (Some(label), Some(token)) => {
                let label = std::str::from_utf8(label)
                    .map_err(|_| PkiError::Key("responder key reference is not text".into()))?;
                Ok(Box::new(
                    Pkcs11Signer::find(Arc::clone(token), label)
                        .map_err(|e| PkiError::Key(e.to_string()))?,
                ))
            }
            (Some(_), None) => Err(PkiError::Key(
                "the OCSP responder key is in a PKCS#11 token, but none is configured".into(),
            )),
            (None, _) => Ok(Box::new(FileKeySigner::from_pkcs8_der(stored)?)),
        }
    }
}
