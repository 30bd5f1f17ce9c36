//! The PKCS#12 file an office downloads and imports: its private key, its certificate and the
//! chain (issuing CA, root), with the friendly name Windows shows, protected by the issuance
//! password. OpenSSL builds it (`PKCS12_create`), with every algorithm and count set
//! explicitly because OpenSSL's defaults (2,048 iterations) are too weak; `pkcs12_attrs` then
//! sets the key bag's attributes and the MAC.

use kaigo_core::error::PkiError;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkcs12::Pkcs12;
use openssl::pkey::PKey;
use openssl::stack::Stack;
use openssl::x509::X509;

use crate::config::Pkcs12Profile;

/// The algorithms of a profile: (key bag, certificate bag, MAC digest).
fn algorithms(profile: &Pkcs12Profile) -> (Nid, Nid, MessageDigest) {
    match profile {
        // A cipher NID (not a PBE NID) makes OpenSSL use PBES2; OpenSSL 3 pairs it with
        // PBKDF2-HMAC-SHA256.
        Pkcs12Profile::Modern { .. } => {
            (Nid::AES_256_CBC, Nid::AES_256_CBC, MessageDigest::sha256())
        }
        // 3DES for the certificate bag too: OpenSSL's classic choice there, RC2-40, is weak and
        // needs the legacy provider.
        Pkcs12Profile::Compat { .. } => (
            Nid::PBE_WITHSHA1AND3_KEY_TRIPLEDES_CBC,
            Nid::PBE_WITHSHA1AND3_KEY_TRIPLEDES_CBC,
            MessageDigest::sha1(),
        ),
    }
}

/// What goes into the file.
pub(crate) struct Contents<'a> {
    /// The office key, unencrypted PKCS#8 DER.
    pub key_pkcs8: &'a [u8],
    pub cert_der: &'a [u8],
    /// Issuing CA then root.
    pub chain: &'a [X509],
    pub friendly_name: &'a str,
}

/// Builds the DER of the PKCS#12 file.
pub(crate) fn build(
    contents: &Contents<'_>,
    password: &str,
    profile: &Pkcs12Profile,
) -> Result<Vec<u8>, PkiError> {
    profile
        .validate()
        .map_err(|e| PkiError::Pkcs12(e.to_string()))?;
    // The openssl crate turns both strings into C strings and panics on an interior NUL.
    if password.is_empty() || password.contains('\0') {
        return Err(PkiError::Pkcs12(
            "the issuance password is empty or contains NUL".into(),
        ));
    }
    if contents.friendly_name.is_empty() || contents.friendly_name.chars().any(char::is_control) {
        return Err(PkiError::Pkcs12(
            "the friendly name is empty or contains control characters".into(),
        ));
    }
    let err = |what: &'static str| {
        move |e: openssl::error::ErrorStack| PkiError::Pkcs12(format!("{what}: {e}"))
    };
    let key = PKey::private_key_from_pkcs8(contents.key_pkcs8).map_err(err("importing the key"))?;
    let cert = X509::from_der(contents.cert_der).map_err(err("importing the certificate"))?;
    let mut chain = Stack::new().map_err(err("chain"))?;
    for c in contents.chain {
        chain.push(c.clone()).map_err(err("chain"))?;
    }
    let (key_alg, cert_alg, mac_md) = algorithms(profile);
    let iterations = profile.iterations();
    let p12 = Pkcs12::builder()
        // OpenSSL 3 stores this as a BMPString converted from UTF-8, so Japanese survives.
        .name(contents.friendly_name)
        .pkey(&key)
        .cert(&cert)
        .ca(chain)
        .key_algorithm(key_alg)
        .cert_algorithm(cert_alg)
        .key_iter(iterations)
        // The real MAC is put on after the bag attributes are set (pkcs12_attrs).
        .mac_iter(1)
        .mac_md(mac_md)
        .build2(password)
        .map_err(err("building PKCS#12"))?;
    let der = p12.to_der().map_err(err("encoding PKCS#12"))?;
    crate::pkcs12_attrs::finish(&der, password, iterations)
}
