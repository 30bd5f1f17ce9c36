//! The ASN.1 side of revocation, as the domain sees it. `kaigo-ca` implements it: CRLs with
//! rcgen, OCSP with `x509-ocsp`, signatures through the CA's signer seam.

use std::sync::Arc;

use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::error::PkiError;
use crate::ids::{CaGeneration, Serial};
use crate::revocation::{CertStatus, RevokedEntry};

/// What goes into one CRL of the issuing CA.
#[derive(Clone, Debug)]
pub struct CrlContent {
    pub number: i64,
    pub this_update: i64,
    pub next_update: i64,
    pub entries: Vec<RevokedEntry>,
}

/// A freshly issued delegated responder: its certificate and its key as the signer stores it
/// (unencrypted PKCS#8 for an in-memory key, a reference for a key inside an HSM); core seals
/// these bytes before they reach the database.
pub struct NewResponder {
    pub cert_der: Vec<u8>,
    pub key_pkcs8: Zeroizing<Vec<u8>>,
    pub not_after: i64,
}

/// One certificate asked about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertQuery {
    /// The CertID exactly as requested; the answer must repeat it.
    pub cert_id_der: Vec<u8>,
    /// The issuing CA generation whose name and key hashes the CertID carries; none when it
    /// names no CA of ours.
    pub issuer: Option<CaGeneration>,
    pub serial: Serial,
}

/// A decoded OCSP request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcspQuery {
    pub items: Vec<CertQuery>,
    pub nonce: Option<Vec<u8>>,
}

/// One answer of a response.
#[derive(Clone, Debug)]
pub struct SingleAnswer {
    pub cert_id_der: Vec<u8>,
    pub status: CertStatus,
    pub this_update: i64,
    pub next_update: i64,
}

/// The content of a successful response.
#[derive(Clone, Debug)]
pub struct OcspAnswer {
    pub produced_at: i64,
    pub answers: Vec<SingleAnswer>,
    pub nonce: Option<Vec<u8>>,
}

/// Unsuccessful response statuses (RFC 6960 §4.2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OcspFailure {
    MalformedRequest,
    InternalError,
    TryLater,
    Unauthorized,
}

/// Signs OCSP responses with a loaded responder key.
pub trait OcspSigner: Send + Sync {
    fn sign(&self, answer: &OcspAnswer) -> Result<Vec<u8>, PkiError>;
}

/// CRL signing, responder certificates and OCSP encoding, for every issuing CA generation
/// that still publishes.
pub trait StatusSigner: Send + Sync {
    /// The generations that publish a CRL and answer OCSP (the current one and earlier ones
    /// not yet expired), newest first.
    fn generations(&self) -> Vec<CaGeneration>;
    /// When the issuing CA of `generation` ends (unix seconds): no responder it certifies can
    /// outlive it.
    fn generation_end(&self, _generation: CaGeneration) -> Option<i64> {
        None
    }
    /// Signs a CRL with the key of the issuing CA of `generation`.
    fn sign_crl(&self, generation: CaGeneration, crl: &CrlContent) -> Result<Vec<u8>, PkiError>;
    /// Generates a responder key and has the issuing CA of `generation` certify it.
    fn new_responder(
        &self,
        generation: CaGeneration,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<NewResponder, PkiError>;
    /// Loads stored responder credentials, checking that `generation` certified them.
    fn load_responder(
        &self,
        generation: CaGeneration,
        cert_der: &[u8],
        key_pkcs8: &[u8],
    ) -> Result<Arc<dyn OcspSigner>, PkiError>;
    /// Destroys the key of an expired responder wherever it lives outside the database (a
    /// token); nothing to do for a key kept only sealed in the database.
    fn destroy_responder_key(&self, _key_stored: &[u8]) -> Result<(), PkiError> {
        Ok(())
    }
    /// Decodes a DER request; any defect is `MalformedRequest`.
    fn decode_request(&self, der: &[u8]) -> Result<OcspQuery, OcspFailure>;
    /// The DER of an unsuccessful response.
    fn failure(&self, failure: OcspFailure) -> Vec<u8>;
    /// The root's CRL as the last root ceremony signed it.
    fn root_crl_der(&self) -> Option<Vec<u8>>;
}

/// The status signer of a process that has not loaded the CA key (commands that never sign,
/// and tests of other things): every signing call fails, requests get `internalError`.
pub struct StatusUnavailable;

impl StatusSigner for StatusUnavailable {
    fn generations(&self) -> Vec<CaGeneration> {
        Vec::new()
    }
    fn sign_crl(&self, _: CaGeneration, _: &CrlContent) -> Result<Vec<u8>, PkiError> {
        Err(PkiError::Key(
            "the CA key is not loaded in this process".into(),
        ))
    }
    fn new_responder(
        &self,
        _: CaGeneration,
        _: OffsetDateTime,
        _: OffsetDateTime,
    ) -> Result<NewResponder, PkiError> {
        Err(PkiError::Key(
            "the CA key is not loaded in this process".into(),
        ))
    }
    fn load_responder(
        &self,
        _: CaGeneration,
        _: &[u8],
        _: &[u8],
    ) -> Result<Arc<dyn OcspSigner>, PkiError> {
        Err(PkiError::Key(
            "the CA key is not loaded in this process".into(),
        ))
    }
    fn decode_request(&self, _: &[u8]) -> Result<OcspQuery, OcspFailure> {
        Err(OcspFailure::InternalError)
    }
    fn failure(&self, _: OcspFailure) -> Vec<u8> {
        // OCSPResponse { responseStatus internalError(2) }
        vec![0x30, 0x03, 0x0a, 0x01, 0x02]
    }
    fn root_crl_der(&self) -> Option<Vec<u8>> {
        None
    }
}
