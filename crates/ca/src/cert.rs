//! Reading certificates back: fingerprints, summaries and the facts the constraint checks
//! need, all taken from the DER as signed (never from the parameters we meant to sign).

use kaigo_core::error::PkiError;
use kaigo_core::ids::Serial;
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;

/// Lowercase hex SHA-256 of the DER, the fingerprint Windows and browsers show.
pub fn fingerprint_sha256(der: &[u8]) -> String {
    hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der))
}

/// Parses DER, insisting that nothing follows the certificate.
pub(crate) fn parse(der: &[u8]) -> Result<X509Certificate<'_>, PkiError> {
    match x509_parser::parse_x509_certificate(der) {
        Ok(([], cert)) => Ok(cert),
        Ok(_) => Err(PkiError::Certificate(
            "trailing bytes after the certificate".into(),
        )),
        Err(e) => Err(PkiError::Certificate(format!(
            "unparsable certificate: {e}"
        ))),
    }
}

/// The single PEM certificate in `pem`, as DER.
pub(crate) fn pem_to_der(pem: &str) -> Result<Vec<u8>, PkiError> {
    let x = openssl::x509::X509::from_pem(pem.as_bytes())
        .map_err(|e| PkiError::Certificate(format!("not a PEM certificate: {e}")))?;
    x.to_der().map_err(|e| PkiError::Certificate(e.to_string()))
}

/// DER to PEM.
pub(crate) fn der_to_pem(der: &[u8]) -> String {
    crate::keyfile::pem_encode("CERTIFICATE", der)
}

/// The subject Name of a certificate, DER (what a TLS CertificateRequest lists).
pub fn subject_der(der: &[u8]) -> Result<Vec<u8>, PkiError> {
    Ok(parse(der)?.tbs_certificate.subject.as_raw().to_vec())
}

/// What an operator wants to see of a CA certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertSummary {
    /// Subject in RFC 4514 form, as OpenSSL prints it with `-nameopt RFC2253`.
    pub subject: String,
    pub serial: Serial,
    /// Lowercase hex SHA-256 of the DER.
    pub fingerprint_sha256: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
}

impl CertSummary {
    /// Summarises a certificate from its DER.
    pub fn from_der(der: &[u8]) -> Result<Self, PkiError> {
        let cert = parse(der)?;
        Ok(Self {
            subject: rfc4514(der)?,
            serial: Serial::from_bytes(cert.raw_serial()),
            fingerprint_sha256: fingerprint_sha256(der),
            not_before: cert.validity().not_before.to_datetime(),
            not_after: cert.validity().not_after.to_datetime(),
        })
    }
}

impl std::fmt::Display for CertSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}\n  serial      {}\n  SHA-256     {}\n  valid       {} .. {}",
            self.subject, self.serial, self.fingerprint_sha256, self.not_before, self.not_after
        )
    }
}

/// The subject of a certificate in RFC 4514 order (most specific first), attribute names as
/// OpenSSL's RFC 2253 printer uses them.
fn rfc4514(der: &[u8]) -> Result<String, PkiError> {
    let x = openssl::x509::X509::from_der(der).map_err(|e| PkiError::Certificate(e.to_string()))?;
    let mut parts = Vec::new();
    for entry in x.subject_name().entries() {
        let short = entry
            .object()
            .nid()
            .short_name()
            .map_err(|e| PkiError::Certificate(e.to_string()))?;
        let value = entry
            .data()
            .to_string()
            .map_err(|e| PkiError::Certificate(e.to_string()))?;
        parts.push(format!("{short}={}", escape(&value)));
    }
    parts.reverse();
    Ok(parts.join(","))
}

/// RFC 4514 escaping. Today's values (constants, digits, KJ+alphanumerics) never need it; it
/// is here so that a future attribute cannot make the readable form ambiguous.
fn escape(value: &str) -> String {
    let last = value.chars().count().saturating_sub(1);
    let mut out = String::with_capacity(value.len());
    for (i, c) in value.chars().enumerate() {
        let at_edge = (i == 0 && (c == ' ' || c == '#')) || (i == last && c == ' ');
        if at_edge || matches!(c, '"' | '+' | ',' | ';' | '<' | '>' | '\\' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The keyIdentifier of the subjectKeyIdentifier extension.
pub(crate) fn subject_key_id(cert: &X509Certificate<'_>) -> Option<Vec<u8>> {
    cert.extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
            _ => None,
        })
}

/// The keyIdentifier of the authorityKeyIdentifier extension.
pub(crate) fn authority_key_id(cert: &X509Certificate<'_>) -> Option<Vec<u8>> {
    cert.extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                a.key_identifier.as_ref().map(|k| k.0.to_vec())
            }
            _ => None,
        })
}

/// The policy OIDs (dotted) of certificatePolicies; `None` when the extension is absent.
pub(crate) fn policies(cert: &X509Certificate<'_>) -> Option<Vec<String>> {
    cert.extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::CertificatePolicies(p) => {
                Some(p.iter().map(|i| i.policy_id.to_id_string()).collect())
            }
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape("a,b"), "a\\,b");
        assert_eq!(escape(" x "), "\\ x\\ ");
        assert_eq!(escape("#1"), "\\#1");
        assert_eq!(escape("KJ0123456789AB"), "KJ0123456789AB");
    }
}
