//! Distinguished names of the root, the issuing CA and the office certificates, and their
//! readable (RFC 4514) form.

use kaigo_core::certificate::pki::IssueRequest;
use rcgen::string::PrintableString;
use rcgen::{DistinguishedName, DnType, DnValue};

/// Common name of the self-signed root.
pub const ROOT_CN: &str = "e-seikyuu Root CA";
/// Common name of the issuing CA. Offices check that 発行者 reads exactly this.
pub const ISSUING_CN: &str = "e-seikyuu CA";
/// The delegated OCSP responder's CN.
pub const RESPONDER_CN: &str = "e-seikyuu CA OCSP Responder";
/// Organization in every subject: the closed community the certificates belong to.
pub const ORGANIZATION: &str = "e-seikyuu";
/// Country in every subject.
pub const COUNTRY: &str = "JP";

/// X.520 serialNumber, carrying the 事業所番号.
pub const OID_SERIAL_NUMBER: &[u64] = &[2, 5, 4, 5];
/// RFC 4519 uid (userId), carrying the login user ID.
pub const OID_UID: &[u64] = &[0, 9, 2342, 19200300, 100, 1, 1];

/// Builds a name from (type, value) in encoding order: country first. Readable forms are
/// produced from the signed certificate ([`crate::cert::CertSummary`]), not from here.
fn build(attrs: Vec<(DnType, DnValue)>) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    for (ty, value) in attrs {
        dn.push(ty, value);
    }
    dn
}

/// countryName and serialNumber are PrintableString by definition (X.520); the rest are
/// UTF8String, as RFC 5280 asks of new certificates.
fn printable(s: &str) -> DnValue {
    DnValue::PrintableString(
        PrintableString::try_from(s).expect("constant or validated printable value"),
    )
}

fn ca_name(cn: &str) -> DistinguishedName {
    build(vec![
        (DnType::CountryName, printable(COUNTRY)),
        (
            DnType::OrganizationName,
            DnValue::Utf8String(ORGANIZATION.into()),
        ),
        (DnType::CommonName, DnValue::Utf8String(cn.into())),
    ])
}

/// `C=JP, O=e-seikyuu, CN=e-seikyuu Root CA`.
pub(crate) fn root_name() -> DistinguishedName {
    ca_name(ROOT_CN)
}

/// `C=JP, O=e-seikyuu, CN=e-seikyuu CA`.
pub(crate) fn issuing_name() -> DistinguishedName {
    ca_name(ISSUING_CN)
}

/// `C=JP, O=e-seikyuu, CN=e-seikyuu CA OCSP Responder`: the delegated responder.
pub(crate) fn responder_name() -> DistinguishedName {
    ca_name(RESPONDER_CN)
}

/// The office: CN says which kind of office (what Windows shows as 発行先), serialNumber the
/// 事業所番号 and uid the login user ID, which together identify the office. The office name
/// is left out: it is not an identifier, it changes, and Japanese text in a DN is shown
/// garbled by some of the software offices run.
pub(crate) fn office_name(request: &IssueRequest) -> DistinguishedName {
    build(vec![
        (DnType::CountryName, printable(COUNTRY)),
        (
            DnType::OrganizationName,
            DnValue::Utf8String(ORGANIZATION.into()),
        ),
        (
            DnType::CustomDnType(OID_SERIAL_NUMBER.to_vec()),
            printable(request.office_number.as_str()),
        ),
        (
            DnType::CustomDnType(OID_UID.to_vec()),
            DnValue::Utf8String(request.user_id.as_str().into()),
        ),
        (
            DnType::CommonName,
            DnValue::Utf8String(request.office_kind.subject_cn().into()),
        ),
    ])
}
