//! What OpenSSL's `PKCS12_create` cannot do, done on the file it built:
//!
//! * the key bag gets Microsoft's CSP Name attribute (1.3.6.1.4.1.311.17.1, "Microsoft Enhanced
//!   RSA and AES Cryptographic Provider"), so that Windows imports the key into a provider that
//!   signs SHA-256 and older .NET Framework care software can use it;
//! * the key bag loses its friendlyName: it sits outside the encryption, and the name says which
//!   office the file is for. The certificate bag, inside the encryption, keeps it;
//! * the MAC is computed here, once, over the changed contents (OpenSSL's is made with one
//!   iteration and replaced), with the profile's digest and iteration count.

use cms::content_info::ContentInfo;
use der::asn1::{Any, BmpString, ObjectIdentifier, OctetString, SetOfVec};
use der::{Decode, Encode};
use kaigo_core::error::PkiError;
use pkcs12::kdf::{Pkcs12KeyType, derive_key_utf8};
use pkcs12::pfx::Pfx;
use pkcs12::safe_bag::SafeBag;
use x509_cert::attr::Attribute;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const FRIENDLY_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.20");
const MS_CSP_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.17.1");
const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// The provider Windows is told to import the key into.
pub const CSP_NAME: &str = "Microsoft Enhanced RSA and AES Cryptographic Provider";

fn asn1(what: &'static str) -> impl Fn(der::Error) -> PkiError {
    move |e| PkiError::Pkcs12(format!("{what}: {e}"))
}

fn octets(any: &Any) -> Result<Vec<u8>, PkiError> {
    Ok(any
        .decode_as::<OctetString>()
        .map_err(asn1("content"))?
        .into_bytes())
}

/// `pkcs12` 0.1 decodes `bagValue` with its `[0]` wrapper but wraps it again when encoding:
/// keep only the inner value, so that the bag round-trips unchanged.
fn unwrap_bag_value(bag: &mut SafeBag) -> Result<(), PkiError> {
    let outer = der::asn1::AnyRef::from_der(&bag.bag_value).map_err(asn1("bagValue"))?;
    let wrapper = der::Tag::ContextSpecific {
        constructed: true,
        number: der::TagNumber::N0,
    };
    if der::Tagged::tag(&outer) == wrapper {
        bag.bag_value = outer.value().to_vec();
    }
    Ok(())
}

/// The key bag's attributes: localKeyID kept, friendlyName removed, CSP Name added.
fn key_bag_attributes(bag: &mut SafeBag) -> Result<(), PkiError> {
    let mut attrs: Vec<Attribute> = bag
        .bag_attributes
        .take()
        .map(|a| a.into_vec())
        .unwrap_or_default();
    attrs.retain(|a| a.oid != FRIENDLY_NAME && a.oid != MS_CSP_NAME);
    let csp = BmpString::from_utf8(CSP_NAME).map_err(asn1("CSP name"))?;
    attrs.push(Attribute {
        oid: MS_CSP_NAME,
        values: SetOfVec::try_from(vec![Any::encode_from(&csp).map_err(asn1("CSP name"))?])
            .map_err(asn1("CSP name"))?,
    });
    bag.bag_attributes = Some(SetOfVec::try_from(attrs).map_err(asn1("bag attributes"))?);
    Ok(())
}

/// Rewrites the key bag's attributes and puts the MAC (`iterations` rounds) on the file.
pub(crate) fn finish(der: &[u8], password: &str, iterations: u32) -> Result<Vec<u8>, PkiError> {
    let mut pfx = Pfx::from_der(der).map_err(asn1("PFX"))?;
    if pfx.auth_safe.content_type != ID_DATA {
        return Err(PkiError::Pkcs12("authSafe is not plain data".into()));
    }
    let mut auth = Vec::<ContentInfo>::from_der(&octets(&pfx.auth_safe.content)?)
        .map_err(asn1("AuthenticatedSafe"))?;
    let mut key_bags = 0;
    for info in auth.iter_mut().filter(|c| c.content_type == ID_DATA) {
        let mut bags =
            Vec::<SafeBag>::from_der(&octets(&info.content)?).map_err(asn1("SafeContents"))?;
        for bag in bags.iter_mut() {
            unwrap_bag_value(bag)?;
        }
        for bag in bags.iter_mut().filter(|b| b.bag_id == SHROUDED_KEY_BAG) {
            key_bag_attributes(bag)?;
            key_bags += 1;
        }
        let encoded = bags.to_der().map_err(asn1("SafeContents"))?;
        info.content = Any::encode_from(&OctetString::new(encoded).map_err(asn1("content"))?)
            .map_err(asn1("content"))?;
    }
    if key_bags != 1 {
        return Err(PkiError::Pkcs12(format!(
            "expected one key bag outside the encryption, found {key_bags}"
        )));
    }
    let auth_der = auth.to_der().map_err(asn1("AuthenticatedSafe"))?;
    pfx.auth_safe.content =
        Any::encode_from(&OctetString::new(auth_der.clone()).map_err(asn1("authSafe"))?)
            .map_err(asn1("authSafe"))?;

    let mac = pfx
        .mac_data
        .as_mut()
        .ok_or_else(|| PkiError::Pkcs12("no MAC".into()))?;
    let rounds = i32::try_from(iterations)
        .map_err(|_| PkiError::Pkcs12(format!("iterations {iterations}")))?;
    let salt = mac.mac_salt.as_bytes().to_vec();
    let (key, algorithm) = if mac.mac.algorithm.oid == ID_SHA256 {
        (
            derive_key_utf8::<sha2::Sha256>(password, &salt, Pkcs12KeyType::Mac, rounds, 32),
            aws_lc_rs::hmac::HMAC_SHA256,
        )
    } else if mac.mac.algorithm.oid == ID_SHA1 {
        (
            derive_key_utf8::<sha1_010::Sha1>(password, &salt, Pkcs12KeyType::Mac, rounds, 20),
            aws_lc_rs::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        )
    } else {
        return Err(PkiError::Pkcs12("unexpected MAC digest".into()));
    };
    let key = key.map_err(asn1("MAC key"))?;
    let tag = aws_lc_rs::hmac::sign(&aws_lc_rs::hmac::Key::new(algorithm, &key), &auth_der);
    mac.mac.digest = OctetString::new(tag.as_ref()).map_err(asn1("MAC"))?;
    mac.iterations = rounds;
    pfx.to_der().map_err(asn1("PFX"))
}
