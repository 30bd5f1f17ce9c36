//! Building OCSP requests (the client side): for the benchmark, the `verify` command and the
//! relying-party verifier. The CertID uses SHA-1, as OpenSSL, nginx and Java send it.

use der::Encode;
use der::asn1::{ObjectIdentifier, OctetString};
use kaigo_core::error::PkiError;
use x509_cert::ext::Extension;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_ocsp::{CertId, OcspRequest, Request, TbsRequest, Version};

use crate::constraints::IssuerFacts;

const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const ID_NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");

fn sha1(data: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, data)
        .as_ref()
        .to_vec()
}

fn asn1(e: der::Error) -> PkiError {
    PkiError::Certificate(format!("OCSP request: {e}"))
}

/// The DER of a request for the certificate numbered `serial` (big-endian bytes) issued by the
/// CA whose certificate is `issuer_der`; with `nonce`, the nonce extension carries it as an
/// OCTET STRING.
pub fn ocsp_request(
    issuer_der: &[u8],
    serial: &[u8],
    nonce: Option<&[u8]>,
) -> Result<Vec<u8>, PkiError> {
    let issuer = IssuerFacts::from_der(issuer_der)?;
    let cert_id = CertId {
        hash_algorithm: AlgorithmIdentifierOwned {
            oid: ID_SHA1,
            parameters: Some(der::Any::null()),
        },
        issuer_name_hash: OctetString::new(sha1(issuer.subject_raw())).map_err(asn1)?,
        issuer_key_hash: OctetString::new(sha1(issuer.public_key())).map_err(asn1)?,
        serial_number: SerialNumber::new(serial).map_err(asn1)?,
    };
    let request_extensions = nonce
        .map(|n| {
            let value = OctetString::new(n.to_vec())
                .map_err(asn1)?
                .to_der()
                .map_err(asn1)?;
            Ok::<_, PkiError>(vec![Extension {
                extn_id: ID_NONCE,
                critical: false,
                extn_value: OctetString::new(value).map_err(asn1)?,
            }])
        })
        .transpose()?;
    OcspRequest {
        tbs_request: TbsRequest {
            version: Version::V1,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: cert_id,
                single_request_extensions: None,
            }],
            request_extensions,
        },
        optional_signature: None,
    }
    .to_der()
    .map_err(asn1)
}
