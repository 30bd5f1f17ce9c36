//! OCSP (RFC 6960) encoding with `x509-ocsp`: requests decoded, responses built and signed
//! by the delegated responder. The responder is identified by key hash and sends its own
//! certificate, so a client can check the delegation (EKU id-kp-OCSPSigning) against the
//! issuing CA it already has.

use std::time::Duration;

use der::asn1::{BitString, GeneralizedTime, ObjectIdentifier, OctetString};
use der::{Any, Decode, Encode};
use kaigo_core::certificate::revocation::RevocationReason as Reason;
use kaigo_core::error::PkiError;
use kaigo_core::ids::CaGeneration;
use kaigo_core::ids::Serial;
use kaigo_core::revocation::CertStatus as Status;
use kaigo_core::revocation::pki::{CertQuery, OcspAnswer, OcspFailure, OcspQuery, OcspSigner};
use x509_cert::Certificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::CrlReason;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspGeneralizedTime, OcspRequest, OcspResponse,
    OcspResponseStatus, ResponderId, ResponseBytes, ResponseData, RevokedInfo, SingleResponse,
    Version,
};

use crate::constraints::IssuerFacts;
use crate::signer::CaSigner;

const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");
const ID_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
/// Longest nonce echoed. RFC 8954 asks for 1 to 32 octets; some clients send a little more.
const MAX_NONCE_BYTES: usize = 128;

fn digest(alg: &'static aws_lc_rs::digest::Algorithm, data: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(alg, data).as_ref().to_vec()
}

/// Whether a CertID names our issuing CA, by SHA-1 (what OpenSSL, nginx and Java send) or
/// SHA-256.
fn names_issuer(id: &CertId, issuer: &IssuerFacts) -> bool {
    let alg = if id.hash_algorithm.oid == ID_SHA1 {
        &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY
    } else if id.hash_algorithm.oid == ID_SHA256 {
        &aws_lc_rs::digest::SHA256
    } else {
        return false;
    };
    id.issuer_name_hash.as_bytes() == digest(alg, issuer.subject_raw())
        && id.issuer_key_hash.as_bytes() == digest(alg, issuer.public_key())
}

/// Decodes a request. Anything that is not a well-formed OCSPRequest is `malformedRequest`.
/// `issuers` are the issuing CAs this responder speaks for, by generation.
pub(crate) fn decode(
    der: &[u8],
    issuers: &[(CaGeneration, &IssuerFacts)],
) -> Result<OcspQuery, OcspFailure> {
    let malformed = |_| OcspFailure::MalformedRequest;
    let request = OcspRequest::from_der(der).map_err(malformed)?;
    let tbs = &request.tbs_request;
    let items = tbs
        .request_list
        .iter()
        .map(|r| {
            Ok(CertQuery {
                cert_id_der: r.req_cert.to_der().map_err(malformed)?,
                issuer: issuers
                    .iter()
                    .find(|(_, facts)| names_issuer(&r.req_cert, facts))
                    .map(|(g, _)| *g),
                serial: Serial::from_bytes(r.req_cert.serial_number.as_bytes()),
            })
        })
        .collect::<Result<Vec<_>, OcspFailure>>()?;
    let nonce = tbs
        .request_extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == ID_NONCE)
        .map(|e| e.extn_value.as_bytes().to_vec());
    if nonce
        .as_ref()
        .is_some_and(|n| n.is_empty() || n.len() > MAX_NONCE_BYTES)
    {
        return Err(OcspFailure::MalformedRequest);
    }
    Ok(OcspQuery { items, nonce })
}

/// An unsuccessful response: the status alone.
pub(crate) fn failure(failure: OcspFailure) -> Vec<u8> {
    let status = match failure {
        OcspFailure::MalformedRequest => OcspResponseStatus::MalformedRequest,
        OcspFailure::InternalError => OcspResponseStatus::InternalError,
        OcspFailure::TryLater => OcspResponseStatus::TryLater,
        OcspFailure::Unauthorized => OcspResponseStatus::Unauthorized,
    };
    OcspResponse {
        response_status: status,
        response_bytes: None,
    }
    .to_der()
    // A two-field SEQUENCE of an ENUMERATED always encodes; the fixed bytes are the fallback.
    .unwrap_or_else(|_| vec![0x30, 0x03, 0x0a, 0x01, status as u8])
}

fn time(unix: i64) -> Result<OcspGeneralizedTime, PkiError> {
    let secs = u64::try_from(unix).map_err(|_| PkiError::Certificate(format!("time {unix}")))?;
    GeneralizedTime::from_unix_duration(Duration::from_secs(secs))
        .map(OcspGeneralizedTime)
        .map_err(|e| PkiError::Certificate(format!("time {unix}: {e}")))
}

fn crl_reason(r: Reason) -> Option<CrlReason> {
    Some(match r {
        // RFC 5280 §5.3.1: better absent than unspecified; RFC 6960 follows it.
        Reason::Unspecified => return None,
        Reason::KeyCompromise => CrlReason::KeyCompromise,
        Reason::CaCompromise => CrlReason::CaCompromise,
        Reason::AffiliationChanged => CrlReason::AffiliationChanged,
        Reason::Superseded => CrlReason::Superseded,
        Reason::CessationOfOperation => CrlReason::CessationOfOperation,
        Reason::CertificateHold => CrlReason::CertificateHold,
        Reason::PrivilegeWithdrawn => CrlReason::PrivilegeWithdrawn,
        Reason::AaCompromise => CrlReason::AaCompromise,
    })
}

fn cert_status(status: Status) -> Result<CertStatus, PkiError> {
    Ok(match status {
        Status::Good => CertStatus::good(),
        Status::Unknown => CertStatus::unknown(),
        Status::Revoked { at, reason } => CertStatus::revoked(RevokedInfo {
            revocation_time: time(at)?,
            revocation_reason: crl_reason(reason),
        }),
    })
}

fn asn1(what: &str) -> impl Fn(der::Error) -> PkiError + '_ {
    move |e| PkiError::Certificate(format!("OCSP {what}: {e}"))
}

/// A delegated responder loaded and ready to sign.
pub(crate) struct Responder {
    key: Box<dyn CaSigner>,
    cert: Certificate,
    key_hash: OctetString,
}

impl Responder {
    /// Takes the responder certificate and key; refuses a pair that does not belong together
    /// or a certificate that `issuer` did not sign.
    pub(crate) fn load(
        cert_der: &[u8],
        key: Box<dyn CaSigner>,
        issuer: &IssuerFacts,
    ) -> Result<Self, PkiError> {
        issuer.check_issued(cert_der)?;
        let cert = Certificate::from_der(cert_der).map_err(asn1("responder certificate"))?;
        let public = cert
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes();
        if public != key.public_key_der() {
            return Err(PkiError::Key(
                "the responder key does not belong to the responder certificate".into(),
            ));
        }
        let key_hash =
            OctetString::new(digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, public))
                .map_err(asn1("key hash"))?;
        Ok(Self {
            key,
            cert,
            key_hash,
        })
    }
}

impl OcspSigner for Responder {
    fn sign(&self, answer: &OcspAnswer) -> Result<Vec<u8>, PkiError> {
        let responses = answer
            .answers
            .iter()
            .map(|a| {
                Ok(SingleResponse {
                    cert_id: CertId::from_der(&a.cert_id_der).map_err(asn1("CertID"))?,
                    cert_status: cert_status(a.status)?,
                    this_update: time(a.this_update)?,
                    next_update: Some(time(a.next_update)?),
                    single_extensions: None,
                })
            })
            .collect::<Result<Vec<_>, PkiError>>()?;
        let response_extensions = answer
            .nonce
            .as_ref()
            .map(|n| {
                Ok::<_, PkiError>(vec![Extension {
                    extn_id: ID_NONCE,
                    critical: false,
                    extn_value: OctetString::new(n.clone()).map_err(asn1("nonce"))?,
                }])
            })
            .transpose()?;
        let tbs = ResponseData {
            version: Version::V1,
            responder_id: ResponderId::ByKey(self.key_hash.clone()),
            produced_at: time(answer.produced_at)?,
            responses,
            response_extensions,
        };
        let signature = self
            .key
            .sign(&tbs.to_der().map_err(asn1("ResponseData"))?)?;
        let basic = BasicOcspResponse {
            tbs_response_data: tbs,
            signature_algorithm: AlgorithmIdentifierOwned {
                oid: SHA256_WITH_RSA,
                parameters: Some(Any::null()),
            },
            signature: BitString::from_bytes(&signature).map_err(asn1("signature"))?,
            certs: Some(vec![self.cert.clone()]),
        };
        OcspResponse {
            response_status: OcspResponseStatus::Successful,
            response_bytes: Some(ResponseBytes {
                response_type: ID_BASIC,
                response: OctetString::new(basic.to_der().map_err(asn1("BasicOCSPResponse"))?)
                    .map_err(asn1("responseBytes"))?,
            }),
        }
        .to_der()
        .map_err(asn1("OCSPResponse"))
    }
}
