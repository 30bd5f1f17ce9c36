//! The certificate side as the domain sees it. `kaigo-ca` implements these with real keys
//! (a key file, or later an HSM over PKCS#11).

use secrecy::SecretString;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::certificate::CertKind;
use crate::error::PkiError;
use crate::ids::{CaGeneration, OfficeNumber, Serial, UserId};
use crate::office::OfficeKind;

/// Everything the factory needs to know to issue one office certificate.
#[derive(Clone, Debug)]
pub struct IssueRequest {
    pub kind: CertKind,
    pub office_kind: OfficeKind,
    pub office_number: OfficeNumber,
    pub office_name: String,
    pub user_id: UserId,
    pub not_before: OffsetDateTime,
}

/// The result of issuance: the certificate and the PKCS#12 file that carries its key.
#[derive(Clone)]
pub struct IssuedBundle {
    pub serial: Serial,
    pub subject: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub cert_der: Vec<u8>,
    /// Key, leaf and chain, encrypted under the issuance password.
    pub pkcs12: Vec<u8>,
    pub fingerprint_sha256: String,
    /// The issuing CA that signed it.
    pub generation: CaGeneration,
}

impl std::fmt::Debug for IssuedBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedBundle")
            .field("serial", &self.serial)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// Generates the office key, issues the certificate under the issuing CA and packs the PKCS#12.
/// CPU-bound and synchronous: callers run it on a blocking thread.
pub trait CertificateFactory: Send + Sync {
    fn issue(
        &self,
        request: &IssueRequest,
        password: &SecretString,
    ) -> Result<IssuedBundle, PkiError>;
    /// The root certificate, PEM.
    fn root_pem(&self) -> String;
    /// The issuing CA certificates, PEM: the one that issues now first, then earlier
    /// generations that still publish, newest first.
    fn issuing_pems(&self) -> Vec<(CaGeneration, String)>;
    /// The same key and certificates in the compat profile (3DES, SHA-1 MAC) under the same
    /// password, for Macs and Windows before 10 1709. A wrong password is an error (nothing is
    /// stored unencrypted to make it without one).
    fn compat_copy(&self, _pkcs12: &[u8], _password: &SecretString) -> Result<Vec<u8>, PkiError> {
        Err(PkiError::Key("no CA in this process".into()))
    }
    /// Whether the CA key can be used now (an HSM token still answers and is logged in).
    fn signer_ready(&self) -> Result<(), PkiError> {
        Ok(())
    }
}

/// Authenticated encryption under a server key, for the issuance password while an application
/// waits in the queue.
pub trait SecretSealer: Send + Sync {
    fn seal(&self, plaintext: &[u8]) -> Result<Vec<u8>, PkiError>;
    fn open(&self, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, PkiError>;
}
