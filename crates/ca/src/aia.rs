//! authorityInfoAccess (RFC 5280 §4.2.2.1). rcgen has no field for it, so it is encoded here
//! and attached as a custom extension.
//!
//! ```text
//! AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription
//! AccessDescription ::= SEQUENCE { accessMethod OBJECT IDENTIFIER, accessLocation GeneralName }
//! GeneralName ::= CHOICE { ..., uniformResourceIdentifier [6] IA5String, ... }
//! ```

use kaigo_core::error::PkiError;
use rcgen::CustomExtension;

use crate::der;

/// id-pe-authorityInfoAccess.
pub const OID_AUTHORITY_INFO_ACCESS: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 1, 1];
/// id-ad-ocsp.
pub const OID_AD_OCSP: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 48, 1];
/// id-ad-caIssuers.
pub const OID_AD_CA_ISSUERS: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 48, 2];

/// Context tag [6], primitive: GeneralName.uniformResourceIdentifier, IMPLICIT IA5String.
const TAG_URI: u8 = 0x86;

/// The DER of the extension value: the OCSP responder first (clients look it up on every
/// handshake), then where the issuer certificate can be fetched. A CA certificate whose
/// issuer (the offline root) runs no responder has only the second.
pub fn encode_authority_info_access(
    ocsp_url: Option<&str>,
    ca_issuers_url: &str,
) -> Result<Vec<u8>, PkiError> {
    let issuers = access_description(OID_AD_CA_ISSUERS, ca_issuers_url)?;
    Ok(match ocsp_url {
        Some(url) => der::sequence(&[&access_description(OID_AD_OCSP, url)?, &issuers]),
        None => der::sequence(&[&issuers]),
    })
}

/// The extension as rcgen takes it; non-critical, as RFC 5280 requires.
pub fn authority_info_access(
    ocsp_url: Option<&str>,
    ca_issuers_url: &str,
) -> Result<CustomExtension, PkiError> {
    let content = encode_authority_info_access(ocsp_url, ca_issuers_url)?;
    Ok(CustomExtension::from_oid_content(
        OID_AUTHORITY_INFO_ACCESS,
        content,
    ))
}

fn access_description(method: &[u64], url: &str) -> Result<Vec<u8>, PkiError> {
    // IA5String is 7-bit; a URI with spaces or controls would be accepted by some parsers
    // and refused by others, so both are kept out.
    if url.is_empty() || !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(PkiError::Certificate(format!(
            "AIA URL is not a printable ASCII URI: {url:?}"
        )));
    }
    Ok(der::sequence(&[
        &der::oid(method),
        &der::tlv(TAG_URI, url.as_bytes()),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::extensions::{GeneralName, ParsedExtension};

    const OCSP: &str = "http://127.0.0.1:8080/ocsp";
    const ISSUERS: &str = "http://127.0.0.1:8080/ca/e-seikyuu-ca.crt";

    #[test]
    fn exact_bytes() {
        let got = encode_authority_info_access(Some("http://o"), "http://c").unwrap();
        let expected: Vec<u8> = [
            &[0x30, 0x2c][..],
            &[
                0x30, 0x14, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01,
            ],
            &[0x86, 0x08],
            b"http://o",
            &[
                0x30, 0x14, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02,
            ],
            &[0x86, 0x08],
            b"http://c",
        ]
        .concat();
        assert_eq!(got, expected);
    }

    #[test]
    fn refuses_non_ascii_and_spaces() {
        assert!(encode_authority_info_access(Some("http://例え.jp/ocsp"), ISSUERS).is_err());
        assert!(encode_authority_info_access(Some(OCSP), "http://a b/").is_err());
        assert!(encode_authority_info_access(Some(""), ISSUERS).is_err());
    }

    /// Puts the extension into a real certificate and reads it back with two independent
    /// decoders: x509-parser and OpenSSL's text printer.
    #[test]
    fn parsers_read_it_back() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .custom_extensions
            .push(authority_info_access(Some(OCSP), ISSUERS).unwrap());
        let cert = params.self_signed(&key).unwrap();

        let (_, parsed) = x509_parser::parse_x509_certificate(cert.der()).unwrap();
        let ext = parsed
            .extensions()
            .iter()
            .find(|e| e.oid.to_id_string() == "1.3.6.1.5.5.7.1.1")
            .expect("AIA present");
        assert!(!ext.critical);
        let ParsedExtension::AuthorityInfoAccess(aia) = ext.parsed_extension() else {
            panic!(
                "x509-parser did not recognise AIA: {:?}",
                ext.parsed_extension()
            );
        };
        let found: Vec<(String, String)> = aia
            .accessdescs
            .iter()
            .map(|d| {
                let GeneralName::URI(uri) = d.access_location else {
                    panic!("not a URI")
                };
                (d.access_method.to_id_string(), uri.to_owned())
            })
            .collect();
        assert_eq!(
            found,
            [
                ("1.3.6.1.5.5.7.48.1".to_owned(), OCSP.to_owned()),
                ("1.3.6.1.5.5.7.48.2".to_owned(), ISSUERS.to_owned())
            ]
        );

        let text = openssl::x509::X509::from_der(cert.der())
            .unwrap()
            .to_text()
            .unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains(&format!("OCSP - URI:{OCSP}")), "{text}");
        assert!(
            text.contains(&format!("CA Issuers - URI:{ISSUERS}")),
            "{text}"
        );
    }
}
