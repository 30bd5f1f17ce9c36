//! CRLs (RFC 5280 §5) with rcgen: v2, cRLNumber, authorityKeyIdentifier equal to the issuer's
//! subjectKeyIdentifier, reasonCode (absent for unspecified) and invalidityDate where known.

use kaigo_core::certificate::revocation::RevocationReason as Reason;
use kaigo_core::error::PkiError;
use kaigo_core::revocation::RevokedEntry;
use kaigo_core::revocation::pki::CrlContent;
use rcgen::{
    CertificateRevocationListParams, Issuer, KeyIdMethod, RevocationReason, RevokedCertParams,
    SerialNumber,
};
use time::OffsetDateTime;

use crate::constraints::IssuerFacts;
use crate::signer::{CaSigner, RcgenKey};

fn time(unix: i64) -> Result<OffsetDateTime, PkiError> {
    OffsetDateTime::from_unix_timestamp(unix)
        .map_err(|e| PkiError::Certificate(format!("CRL time {unix}: {e}")))
}

fn reason(r: Reason) -> RevocationReason {
    match r {
        Reason::Unspecified => RevocationReason::Unspecified,
        Reason::KeyCompromise => RevocationReason::KeyCompromise,
        Reason::CaCompromise => RevocationReason::CaCompromise,
        Reason::AffiliationChanged => RevocationReason::AffiliationChanged,
        Reason::Superseded => RevocationReason::Superseded,
        Reason::CessationOfOperation => RevocationReason::CessationOfOperation,
        Reason::CertificateHold => RevocationReason::CertificateHold,
        Reason::PrivilegeWithdrawn => RevocationReason::PrivilegeWithdrawn,
        Reason::AaCompromise => RevocationReason::AaCompromise,
    }
}

/// The big-endian bytes of a serial kept as hex.
pub(crate) fn serial_bytes(hex_serial: &str) -> Result<Vec<u8>, PkiError> {
    let padded = if hex_serial.len() % 2 == 1 {
        format!("0{hex_serial}")
    } else {
        hex_serial.to_owned()
    };
    hex::decode(padded).map_err(|e| PkiError::Certificate(format!("serial {hex_serial}: {e}")))
}

/// Big-endian bytes without leading zeros (DER INTEGERs are minimal), at least one byte.
fn minimal(bytes: &[u8]) -> &[u8] {
    let first = bytes
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(bytes.len() - 1);
    &bytes[first..]
}

fn entry(e: &RevokedEntry) -> Result<RevokedCertParams, PkiError> {
    Ok(RevokedCertParams {
        serial_number: SerialNumber::from_slice(&serial_bytes(e.serial.as_str())?),
        revocation_time: time(e.revoked_at)?,
        reason_code: Some(reason(e.reason)),
        invalidity_date: e.invalidity_at.map(time).transpose()?,
    })
}

/// Signs the CRL of the CA whose certificate facts are `issuer`, with `signer`.
pub(crate) fn sign(
    content: &CrlContent,
    issuer: &IssuerFacts,
    signer: &dyn CaSigner,
) -> Result<Vec<u8>, PkiError> {
    let key_id = issuer
        .key_id()
        .ok_or_else(|| {
            PkiError::Certificate("the CA certificate has no subjectKeyIdentifier".into())
        })?
        .to_vec();
    let number = u64::try_from(content.number)
        .map_err(|_| PkiError::Certificate(format!("CRL number {}", content.number)))?;
    let params = CertificateRevocationListParams {
        this_update: time(content.this_update)?,
        next_update: time(content.next_update)?,
        crl_number: SerialNumber::from_slice(minimal(&number.to_be_bytes())),
        issuing_distribution_point: None,
        revoked_certs: content
            .entries
            .iter()
            .map(entry)
            .collect::<Result<_, _>>()?,
        key_identifier_method: KeyIdMethod::PreSpecified(key_id),
    };
    let rcgen_issuer =
        Issuer::from_ca_cert_der(&issuer.der.as_slice().into(), RcgenKey::new(signer))
            .map_err(|e| PkiError::Certificate(format!("reading the CA certificate: {e}")))?;
    params
        .signed_by(&rcgen_issuer)
        .map(|crl| crl.der().to_vec())
        .map_err(|e| {
            rcgen_issuer
                .key()
                .take_failure()
                .unwrap_or_else(|| PkiError::Certificate(format!("CRL: {e}")))
        })
}
