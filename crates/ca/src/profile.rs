//! The certificate profiles: what goes into the root, the issuing CA and an office
//! certificate. docs/certificate-profile.md explains every field; keep the two in step.

use kaigo_core::certificate::CertKind;
use kaigo_core::certificate::pki::IssueRequest;
use kaigo_core::error::PkiError;
use rcgen::{
    BasicConstraints, CertificateParams, CrlDistributionPoint, ExtendedKeyUsagePurpose, IsCa,
    KeyIdMethod, KeyUsagePurpose, SerialNumber,
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

/// What every certificate we make has in common.
pub(crate) struct Common<'a> {
    pub validity: Validity,
    pub serial: &'a [u8],
    /// The subject's RFC 8017 RSAPublicKey DER (the subjectPublicKey BIT STRING contents).
    pub public_key: &'a [u8],
}

/// subjectKeyIdentifier per RFC 7093 §2 method 1: the leftmost 160 bits of the SHA-256 of
/// the subjectPublicKey BIT STRING value. rcgen's own method hashes the whole SPKI, which no
/// RFC defines and linters flag; a standard method lets anyone recompute the identifier.
pub fn key_identifier(rsa_public_key: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, rsa_public_key).as_ref()[..20].to_vec()
}

fn base(common: &Common<'_>) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.not_before = common.validity.not_before;
    p.not_after = common.validity.not_after;
    p.serial_number = Some(SerialNumber::from_slice(common.serial));
    p.key_identifier_method = KeyIdMethod::PreSpecified(key_identifier(common.public_key));
    p
}

/// The self-signed root: CA without path length limit (it may one day certify a second
/// issuing CA for a new certificate family), keyCertSign + cRLSign only.
pub(crate) fn root(common: &Common<'_>) -> CertificateParams {
    let mut p = base(common);
    p.distinguished_name = names::root_name();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p
}

/// The issuing CA: pathLen 0 (it certifies offices only), keyCertSign + cRLSign, and
/// digitalSignature because it signs OCSP responses itself. Its certificatePolicies lists the
/// two office policies, so it can issue nothing else.
pub(crate) fn issuing(common: &Common<'_>, cfg: &CaConfig) -> Result<CertificateParams, PkiError> {
    let mut p = base(common);
    p.distinguished_name = names::issuing_name();
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
    ];
    p.use_authority_key_identifier_extension = true;
    p.custom_extensions
        .push(policy::certificate_policies(&policy::ALL_POLICIES));
    // Where the root's CRL and certificate are, so that the whole chain can be checked.
    p.crl_distribution_points = vec![CrlDistributionPoint {
        uris: vec![cfg.root_crl_url.clone()],
    }];
    p.custom_extensions
        .push(aia::authority_info_access(None, &cfg.root_cert_url)?);
    Ok(p)
}

/// An office certificate for a mutual-TLS client that also signs claims and receives
/// encrypted notices.
pub(crate) fn office(
    request: &IssueRequest,
    common: &Common<'_>,
    cfg: &CaConfig,
) -> Result<CertificateParams, PkiError> {
    let mut p = base(common);
    p.distinguished_name = names::office_name(request);
    // ExplicitNoCa writes basicConstraints with cA absent (false), and rcgen then also writes
    // subjectKeyIdentifier, which it omits for plain NoCa.
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    p.use_authority_key_identifier_extension = true;
    p.crl_distribution_points = vec![CrlDistributionPoint {
        uris: vec![cfg.crl_url.clone()],
    }];
    p.custom_extensions
        .push(policy::certificate_policies(&[policy::policy_oid(
            request.kind,
        )]));
    p.custom_extensions.push(aia::authority_info_access(
        Some(&cfg.ocsp_url),
        &cfg.ca_issuers_url,
    )?);
    Ok(p)
}

/// The HTTPS server certificate of the embedded default (the 「証明書の確認」 page), issued by
/// the root so that importing the downloadable root makes browsers trust it: serverAuth,
/// the host names and addresses in subjectAltName, no CRL or AIA (it lives a year and is
/// replaced, not revoked).
pub(crate) fn tls_server(
    common: &Common<'_>,
    hosts: &[String],
) -> Result<CertificateParams, PkiError> {
    let mut p = base(common);
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(
        rcgen::DnType::CommonName,
        hosts.first().cloned().unwrap_or_default(),
    );
    p.distinguished_name = dn;
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    p.use_authority_key_identifier_extension = true;
    p.subject_alt_names = hosts
        .iter()
        .map(|h| match h.parse::<std::net::IpAddr>() {
            Ok(ip) => Ok(rcgen::SanType::IpAddress(ip)),
            Err(_) => rcgen::string::Ia5String::try_from(h.as_str())
                .map(rcgen::SanType::DnsName)
                .map_err(|e| PkiError::Certificate(format!("host {h:?}: {e}"))),
        })
        .collect::<Result<_, _>>()?;
    Ok(p)
}

/// id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1).
const OID_OCSP_NOCHECK: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 48, 1, 5];

/// The delegated OCSP responder: id-kp-OCSPSigning, digitalSignature only, and
/// id-pkix-ocsp-nocheck (its value NULL) because its life is short and nobody should chase
/// its own revocation; for the same reason it carries no CRL distribution point or AIA.
pub(crate) fn ocsp_responder(common: &Common<'_>) -> CertificateParams {
    let mut p = base(common);
    p.distinguished_name = names::responder_name();
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::OcspSigning];
    p.use_authority_key_identifier_extension = true;
    // The issuing CA's policies, so that a relying party requiring an explicit policy (RFC
    // 5280 §6.1) can validate the responder's chain too.
    p.custom_extensions
        .push(policy::certificate_policies(&policy::ALL_POLICIES));
    p.custom_extensions
        .push(rcgen::CustomExtension::from_oid_content(
            OID_OCSP_NOCHECK,
            vec![0x05, 0x00],
        ));
    p
}

/// The policies an office certificate of `kind` asserts (for the constraint check).
pub(crate) fn office_policies(kind: CertKind) -> [&'static [u64]; 1] {
    [policy::policy_oid(kind)]
}

/// The office profile, field by field, read back from issued certificates with x509-parser.
#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use kaigo_core::certificate::CertKind;
    use kaigo_core::certificate::pki::CertificateFactory;
    use kaigo_core::ids::Serial;
    use kaigo_core::office::OfficeKind;
    use secrecy::SecretString;
    use time::{Duration, OffsetDateTime};
    use x509_parser::der_parser::asn1_rs::Tag;
    use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
    use x509_parser::public_key::PublicKey;
    use x509_parser::x509::X509Version;

    use crate::test_support::{fast_config, load_ca, request};

    const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";

    fn subject_attrs(
        cert: &x509_parser::certificate::X509Certificate<'_>,
    ) -> Vec<(String, Tag, String)> {
        cert.subject()
            .iter_attributes()
            .map(|a| {
                (
                    a.attr_type().to_id_string(),
                    a.attr_value().header.tag(),
                    a.as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn kaigo_hoken_certificate_has_every_field() {
        let cfg = fast_config();
        let ca = load_ca(cfg.clone());
        let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
        let req = request(CertKind::KaigoHoken, OfficeKind::Kaigo, now);
        let bundle = ca.issue(&req, &SecretString::from("Ab3dEf6hJk9m")).unwrap();
        let (rest, cert) = x509_parser::parse_x509_certificate(&bundle.cert_der).unwrap();
        assert!(rest.is_empty());

        // Version, signature algorithm (inside and outside the TBS).
        assert_eq!(cert.version(), X509Version::V3);
        assert_eq!(
            cert.signature_algorithm.algorithm.to_id_string(),
            SHA256_WITH_RSA
        );
        assert_eq!(
            cert.tbs_certificate.signature.algorithm.to_id_string(),
            SHA256_WITH_RSA
        );

        // Serial: positive, at most 16 bytes, what the bundle reports.
        let raw = cert.raw_serial();
        assert!(
            raw.len() <= 16 && raw.len() >= 9,
            "serial length {}",
            raw.len()
        );
        assert_eq!(raw[0] & 0x80, 0);
        assert_eq!(bundle.serial, Serial::from_bytes(raw));

        // Issuer is the issuing CA's subject, byte for byte.
        let (_, issuing) = x509_parser::parse_x509_certificate(ca.issuing_der()).unwrap();
        assert_eq!(cert.issuer().as_raw(), issuing.subject().as_raw());
        assert_eq!(
            issuing
                .subject()
                .iter_common_name()
                .next()
                .unwrap()
                .as_str()
                .unwrap(),
            "e-seikyuu CA"
        );

        // Subject, with the string types chosen.
        assert_eq!(
            subject_attrs(&cert),
            [
                ("2.5.4.6".to_owned(), Tag::PrintableString, "JP".to_owned()),
                (
                    "2.5.4.10".to_owned(),
                    Tag::Utf8String,
                    "e-seikyuu".to_owned()
                ),
                (
                    "2.5.4.5".to_owned(),
                    Tag::PrintableString,
                    "1310000001".to_owned()
                ),
                (
                    "0.9.2342.19200300.100.1.1".to_owned(),
                    Tag::Utf8String,
                    "KJ0123456789AB".to_owned()
                ),
                (
                    "2.5.4.3".to_owned(),
                    Tag::Utf8String,
                    "KaigoJigyousho".to_owned()
                ),
            ]
        );
        assert_eq!(
            bundle.subject,
            "CN=KaigoJigyousho,UID=KJ0123456789AB,serialNumber=1310000001,O=e-seikyuu,C=JP"
        );

        // Validity: five minutes of skew allowance, 36 calendar months less one second.
        let nb = cert.validity().not_before.to_datetime();
        let na = cert.validity().not_after.to_datetime();
        assert_eq!(nb, now - Duration::minutes(5));
        assert_eq!(
            na,
            crate::validity::add_months_jst(now, 36).unwrap() - Duration::SECOND
        );
        assert_eq!((bundle.not_before, bundle.not_after), (nb, na));

        // RSA-2048, e = 65537.
        assert_eq!(
            cert.public_key().algorithm.algorithm.to_id_string(),
            "1.2.840.113549.1.1.1"
        );
        let PublicKey::RSA(rsa) = cert.public_key().parsed().unwrap() else {
            panic!("not RSA")
        };
        assert_eq!(rsa.key_size(), 2048);
        assert_eq!(rsa.try_exponent().unwrap(), 65537);

        // Extensions: exactly these, with these criticality flags.
        let found: BTreeSet<(String, bool)> = cert
            .extensions()
            .iter()
            .map(|e| (e.oid.to_id_string(), e.critical))
            .collect();
        let expected: BTreeSet<(String, bool)> = [
            ("2.5.29.35", false),         // authorityKeyIdentifier
            ("2.5.29.14", false),         // subjectKeyIdentifier
            ("2.5.29.15", true),          // keyUsage
            ("2.5.29.37", false),         // extKeyUsage
            ("2.5.29.19", true),          // basicConstraints
            ("2.5.29.31", false),         // cRLDistributionPoints
            ("2.5.29.32", false),         // certificatePolicies
            ("1.3.6.1.5.5.7.1.1", false), // authorityInfoAccess
        ]
        .into_iter()
        .map(|(o, c)| (o.to_owned(), c))
        .collect();
        assert_eq!(found, expected);

        let spki_digest = aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA256,
            &cert.public_key().subject_public_key.data,
        );
        for ext in cert.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::KeyUsage(ku) => {
                    assert!(ku.digital_signature() && ku.key_encipherment());
                    assert!(
                        !ku.non_repudiation() && !ku.data_encipherment() && !ku.key_agreement()
                    );
                    assert!(!ku.key_cert_sign() && !ku.crl_sign());
                }
                ParsedExtension::ExtendedKeyUsage(eku) => {
                    assert!(eku.client_auth);
                    assert!(
                        !eku.server_auth && !eku.any && !eku.code_signing && !eku.email_protection
                    );
                    assert!(eku.other.is_empty());
                }
                ParsedExtension::BasicConstraints(bc) => {
                    assert!(!bc.ca);
                    assert_eq!(bc.path_len_constraint, None);
                }
                ParsedExtension::CertificatePolicies(p) => {
                    let ids: Vec<String> = p.iter().map(|i| i.policy_id.to_id_string()).collect();
                    assert_eq!(ids, ["1.3.6.1.4.1.99999.1.1.1"]);
                    assert!(p[0].policy_qualifiers.is_none());
                }
                ParsedExtension::AuthorityKeyIdentifier(aki) => {
                    assert_eq!(
                        aki.key_identifier.as_ref().unwrap().0,
                        crate::cert::subject_key_id(&issuing).unwrap()
                    );
                    assert!(
                        aki.authority_cert_issuer.is_none() && aki.authority_cert_serial.is_none()
                    );
                }
                ParsedExtension::SubjectKeyIdentifier(ski) => {
                    assert_eq!(ski.0, &spki_digest.as_ref()[..20]);
                }
                ParsedExtension::CRLDistributionPoints(dps) => {
                    assert_eq!(dps.points.len(), 1);
                    let Some(DistributionPointName::FullName(names)) =
                        &dps.points[0].distribution_point
                    else {
                        panic!("CRL DP without a full name");
                    };
                    assert_eq!(names, &[GeneralName::URI(&cfg.crl_url)]);
                    assert!(dps.points[0].reasons.is_none() && dps.points[0].crl_issuer.is_none());
                }
                ParsedExtension::AuthorityInfoAccess(aia) => {
                    let got: Vec<(String, GeneralName<'_>)> = aia
                        .accessdescs
                        .iter()
                        .map(|d| (d.access_method.to_id_string(), d.access_location.clone()))
                        .collect();
                    assert_eq!(
                        got,
                        [
                            (
                                "1.3.6.1.5.5.7.48.1".to_owned(),
                                GeneralName::URI(&cfg.ocsp_url)
                            ),
                            (
                                "1.3.6.1.5.5.7.48.2".to_owned(),
                                GeneralName::URI(&cfg.ca_issuers_url)
                            ),
                        ]
                    );
                }
                other => panic!("unexpected extension {other:?}"),
            }
        }

        // Fingerprint of the DER, lowercase hex.
        assert_eq!(
            bundle.fingerprint_sha256,
            hex::encode(aws_lc_rs::digest::digest(
                &aws_lc_rs::digest::SHA256,
                &bundle.cert_der
            ))
        );
        assert_eq!(bundle.fingerprint_sha256.len(), 64);
    }

    #[test]
    fn care_plan_dx_certificate_differs_where_it_should() {
        let ca = load_ca(fast_config());
        let now = OffsetDateTime::now_utc();
        let bundle = ca
            .issue(
                &request(CertKind::KaigoDx, OfficeKind::CarePlan, now),
                &SecretString::from("Ab3dEf6hJk9m"),
            )
            .unwrap();
        let (_, cert) = x509_parser::parse_x509_certificate(&bundle.cert_der).unwrap();
        assert_eq!(
            cert.subject()
                .iter_common_name()
                .next()
                .unwrap()
                .as_str()
                .unwrap(),
            "CarePlanJigyousho"
        );
        assert_eq!(
            crate::cert::policies(&cert).unwrap(),
            ["1.3.6.1.4.1.99999.1.1.2"]
        );
        assert!(bundle.subject.starts_with("CN=CarePlanJigyousho,"));
    }
}
