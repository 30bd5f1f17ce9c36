//! The certificate profiles: what goes into the root, the issuing CA and an office
//! certificate. docs/certificate-profile.md explains every field; keep the two in step.

use kaigo_core::certificate::CertKind;
use kaigo_core::error::PkiError;
use kaigo_core::pki::IssueRequest;
use rcgen::{
    BasicConstraints, CertificateParams, CrlDistributionPoint, ExtendedKeyUsagePurpose, IsCa, KeyIdMethod,
    KeyUsagePurpose, SerialNumber,
};

use crate::aia;
use crate::config::CaConfig;
use crate::names;
use crate::policy;
use crate::validity::Validity;

/// Key sizes. The root signs rarely and lives longest, so it gets the most margin; the
/// issuing CA signs every certificate, CRL and OCSP response, so 3072 keeps signing cheap
/// while staying above 2048 for its ten years; offices get 2048, what their software (and
/// the e-seikyuu profile) expects.
pub const ROOT_KEY_BITS: usize = 4096;
/// See [`ROOT_KEY_BITS`].
pub const ISSUING_KEY_BITS: usize = 3072;
/// See [`ROOT_KEY_BITS`].
pub const OFFICE_KEY_BITS: usize = 2048;

/// Root validity: 20 years.
pub const ROOT_VALIDITY_MONTHS: u32 = 240;
/// Issuing CA validity: 10 years, so it can issue 3-year certificates for 7 years.
pub const ISSUING_VALIDITY_MONTHS: u32 = 120;

fn base(validity: Validity, serial: &[u8]) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.not_before = validity.not_before;
    p.not_after = validity.not_after;
    p.serial_number = Some(SerialNumber::from_slice(serial));
    // Truncated SHA-256 of the SPKI (RFC 7093 method 1) for subjectKeyIdentifier; issuers
    // loaded from file reuse the identifier found in their certificate.
    p.key_identifier_method = KeyIdMethod::Sha256;
    p
}

/// The self-signed root: CA without path length limit (it may one day certify a second
/// issuing CA for a new certificate family), keyCertSign + cRLSign only.
pub(crate) fn root(validity: Validity, serial: &[u8]) -> CertificateParams {
    let mut p = base(validity, serial);
    p.distinguished_name = names::root_name();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p
}

/// The issuing CA: pathLen 0 (it certifies offices only), keyCertSign + cRLSign, and
/// digitalSignature because it signs OCSP responses itself. Its certificatePolicies lists the
/// two office policies, so it can issue nothing else.
pub(crate) fn issuing(validity: Validity, serial: &[u8]) -> CertificateParams {
    let mut p = base(validity, serial);
    p.distinguished_name = names::issuing_name();
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.use_authority_key_identifier_extension = true;
    p.custom_extensions.push(policy::certificate_policies(&policy::ALL_POLICIES));
    p
}

/// An office certificate for a mutual-TLS client that also signs claims and receives
/// encrypted notices.
pub(crate) fn office(
    request: &IssueRequest,
    validity: Validity,
    serial: &[u8],
    cfg: &CaConfig,
) -> Result<CertificateParams, PkiError> {
    let mut p = base(validity, serial);
    p.distinguished_name = names::office_name(request);
    // ExplicitNoCa writes basicConstraints with cA absent (false), and rcgen then also writes
    // subjectKeyIdentifier, which it omits for plain NoCa.
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    p.use_authority_key_identifier_extension = true;
    p.crl_distribution_points = vec![CrlDistributionPoint { uris: vec![cfg.crl_url.clone()] }];
    p.custom_extensions.push(policy::certificate_policies(&[policy::policy_oid(request.kind)]));
    p.custom_extensions.push(aia::authority_info_access(&cfg.ocsp_url, &cfg.ca_issuers_url)?);
    Ok(p)
}

/// The policies an office certificate of `kind` asserts (for the constraint check).
pub(crate) fn office_policies(kind: CertKind) -> [&'static [u64]; 1] {
    [policy::policy_oid(kind)]
}
