//! Sealing the issuance password while its application waits in the queue: AES-256-GCM under
//! a server key, a fresh random nonce per seal.
//!
//! Format: `version (1 byte) || nonce (12 bytes) || ciphertext || tag (16 bytes)`. The version
//! byte is also the associated data, so it cannot be swapped without failing authentication,
//! and a future format can be told apart.

use std::path::Path;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use kaigo_core::certificate::pki::SecretSealer;
use kaigo_core::error::PkiError;
use zeroize::Zeroizing;

use crate::error::CaError;
use crate::keyfile;

const VERSION: u8 = 1;
const TAG_LEN: usize = 16;
/// Length of the server key in bytes.
pub const KEY_LEN: usize = 32;

/// AES-256-GCM sealer. With random 96-bit nonces one key is good for far more than 2^32
/// seals (NIST SP 800-38D's bound), many lifetimes of this queue.
pub struct ServerKeySealer {
    key: LessSafeKey,
}

impl std::fmt::Debug for ServerKeySealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKeySealer { key: [redacted] }")
    }
}

impl ServerKeySealer {
    /// Uses `key` (exactly 32 bytes).
    pub fn from_key(key: &[u8]) -> Result<Self, CaError> {
        if key.len() != KEY_LEN {
            return Err(CaError::Key(format!(
                "server key must be {KEY_LEN} bytes, got {}",
                key.len()
            )));
        }
        let unbound = UnboundKey::new(&AES_256_GCM, key)
            .map_err(|_| CaError::Key("AES-256-GCM key rejected".into()))?;
        Ok(Self {
            key: LessSafeKey::new(unbound),
        })
    }

    /// Reads the key file at `path`, or creates it (32 random bytes, mode 0600) if it does not
    /// exist. A file of the wrong length or readable by others is refused rather than used.
    pub fn load_or_create(path: &Path) -> Result<Self, CaError> {
        if !path.exists() {
            let mut key = Zeroizing::new([0u8; KEY_LEN]);
            aws_lc_rs::rand::fill(&mut key[..])
                .map_err(|_| CaError::Key("random source failed".into()))?;
            match keyfile::write_new_file(path, &key[..], 0o600) {
                Ok(()) => {
                    // The file name only: `init` writes into a staging directory that is
                    // renamed to the data dir afterwards.
                    let file = path.file_name().unwrap_or_default().to_string_lossy();
                    tracing::info!(%file, "created a new server sealing key");
                    return Self::from_key(&key[..]);
                }
                // Another process created it in the meantime: use theirs.
                Err(CaError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        let key = keyfile::read_secret_file(path)?;
        Self::from_key(&key).map_err(|e| CaError::Key(format!("{}: {e}", path.display())))
    }
}

impl SecretSealer for ServerKeySealer {
    fn seal(&self, plaintext: &[u8]) -> Result<Vec<u8>, PkiError> {
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce)
            .map_err(|_| PkiError::Seal("random source failed".into()))?;
        let mut buf = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from([VERSION]),
                &mut buf,
            )
            .map_err(|_| PkiError::Seal("sealing failed".into()))?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + buf.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&buf);
        Ok(out)
    }

    fn open(&self, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, PkiError> {
        if sealed.len() < 1 + NONCE_LEN + TAG_LEN {
            return Err(PkiError::Seal("sealed value too short".into()));
        }
        if sealed[0] != VERSION {
            return Err(PkiError::Seal(format!(
                "unknown sealed format version {}",
                sealed[0]
            )));
        }
        let nonce = Nonce::try_assume_unique_for_key(&sealed[1..1 + NONCE_LEN])
            .map_err(|_| PkiError::Seal("bad nonce".into()))?;
        let mut buf = Zeroizing::new(sealed[1 + NONCE_LEN..].to_vec());
        let len = self
            .key
            .open_in_place(nonce, Aad::from([VERSION]), &mut buf)
            .map_err(|_| {
                PkiError::Seal("sealed value does not authenticate (wrong key or tampered)".into())
            })?
            .len();
        buf.truncate(len);
        Ok(buf)
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn round_trip_random_nonce_and_tamper() {
        let s = ServerKeySealer::from_key(&[7u8; 32]).unwrap();
        let a = s.seal(b"Abc123def456").unwrap();
        let b = s.seal(b"Abc123def456").unwrap();
        assert_ne!(a, b, "a fresh nonce per seal");
        assert_eq!(a.len(), 1 + 12 + 12 + 16);
        assert_eq!(a[0], 1);
        assert_eq!(&s.open(&a).unwrap()[..], b"Abc123def456");
        for i in 0..a.len() {
            let mut t = a.clone();
            t[i] ^= 1;
            assert!(s.open(&t).is_err(), "flipping byte {i} must be detected");
        }
        assert!(s.open(&a[..20]).is_err());
        let other = ServerKeySealer::from_key(&[8u8; 32]).unwrap();
        assert!(other.open(&a).is_err());
        assert!(ServerKeySealer::from_key(&[0u8; 31]).is_err());
    }

    #[test]
    fn key_file_created_private_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seal.key");
        let first = ServerKeySealer::load_or_create(&path).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.len(), 32);
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let sealed = first.seal(b"secret").unwrap();
        let again = ServerKeySealer::load_or_create(&path).unwrap();
        assert_eq!(&again.open(&sealed).unwrap()[..], b"secret");

        std::fs::write(dir.path().join("short.key"), [1u8; 16]).unwrap();
        std::fs::set_permissions(
            dir.path().join("short.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        assert!(ServerKeySealer::load_or_create(&dir.path().join("short.key")).is_err());
    }
}
