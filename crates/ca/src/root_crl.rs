//! The root's CRL. The root signs only issuing CA certificates and is kept offline, so its
//! CRL is signed at the ceremony and again, before its nextUpdate, with
//! `kaigo-pki ca root-crl` where the root key is. It lists revoked issuing CAs (none yet).

use std::path::Path;

use der::Decode;
use kaigo_core::error::PkiError;
use kaigo_core::revocation::pki::CrlContent;
use secrecy::{ExposeSecret, SecretString};
use time::{Duration, OffsetDateTime};

use crate::constraints::IssuerFacts;
use crate::error::CaError;
use crate::files;
use crate::signer::{CaSigner, FileKeySigner};
use crate::{cert, crl, keyfile};

/// nextUpdate of the root CRL: a year, the longest the CA/Browser Forum allows for a CA's
/// CRL, so the offline ceremony is yearly.
pub const ROOT_CRL_DAYS: i64 = 365;

const OID_CRL_NUMBER: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("2.5.29.20");

fn sign(
    root: &IssuerFacts,
    key: &dyn CaSigner,
    number: i64,
    now: OffsetDateTime,
) -> Result<Vec<u8>, PkiError> {
    let this_update = now.unix_timestamp();
    crl::sign(
        &CrlContent {
            number,
            this_update,
            next_update: (now + Duration::days(ROOT_CRL_DAYS)).unix_timestamp(),
            entries: Vec::new(),
        },
        root,
        key,
    )
}

/// The first root CRL, number 1, at the ceremony.
pub(crate) fn sign_first(
    root: &IssuerFacts,
    key: &dyn CaSigner,
    now: OffsetDateTime,
) -> Result<Vec<u8>, PkiError> {
    sign(root, key, 1, now)
}

/// The cRLNumber and nextUpdate of a CRL.
pub fn crl_facts(der: &[u8]) -> Result<(i64, OffsetDateTime), PkiError> {
    let bad = |e: der::Error| PkiError::Certificate(format!("CRL: {e}"));
    let list = x509_cert::crl::CertificateList::from_der(der).map_err(bad)?;
    let tbs = &list.tbs_cert_list;
    let number = tbs
        .crl_extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == OID_CRL_NUMBER)
        .ok_or_else(|| PkiError::Certificate("CRL without cRLNumber".into()))?;
    let n = der::asn1::Uint::from_der(number.extn_value.as_bytes()).map_err(bad)?;
    let n = n
        .as_bytes()
        .iter()
        .try_fold(0i64, |acc, b| {
            acc.checked_mul(256).map(|v| v + i64::from(*b))
        })
        .ok_or_else(|| PkiError::Certificate("cRLNumber too large".into()))?;
    let next = tbs
        .next_update
        .ok_or_else(|| PkiError::Certificate("CRL without nextUpdate".into()))?;
    let next = OffsetDateTime::from(next.to_system_time());
    Ok((n, next))
}

/// What `resign` did.
#[derive(Clone, Debug)]
pub struct RootCrlSummary {
    pub number: i64,
    pub next_update: OffsetDateTime,
}

/// Signs the next root CRL with the root key in `dir` and replaces the file.
pub fn resign_root_crl(dir: &Path, passphrase: &SecretString) -> Result<RootCrlSummary, CaError> {
    let root_pem = std::fs::read_to_string(dir.join(files::ROOT_CERT))
        .map_err(|e| CaError::io(dir.join(files::ROOT_CERT), e))?;
    let root_der = cert::pem_to_der(&root_pem)?;
    let root = IssuerFacts::from_der(&root_der)?;
    let key_path = dir.join(files::ROOT_KEY);
    let key_pem = keyfile::read_secret_file(&key_path)?;
    let key_pem = std::str::from_utf8(&key_pem)
        .map_err(|_| CaError::Key(format!("{} is not a PEM file", key_path.display())))?;
    let pkcs8 =
        keyfile::decrypt_pkcs8_pem(key_pem, passphrase.expose_secret().as_bytes(), &key_path)?;
    let key = FileKeySigner::from_pkcs8_der(&pkcs8)?;
    root.check_signer(&key)?;
    let path = dir.join(files::ROOT_CRL);
    let previous = match std::fs::read(&path) {
        Ok(der) => crl_facts(&der)?.0,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
        Err(e) => return Err(CaError::io(&path, e)),
    };
    let now = OffsetDateTime::now_utc();
    let der = sign(&root, &key, previous + 1, now)?;
    let tmp = dir.join(format!("{}.new", files::ROOT_CRL));
    std::fs::write(&tmp, &der).map_err(|e| CaError::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| CaError::io(&path, e))?;
    let (number, next_update) = crl_facts(&der)?;
    Ok(RootCrlSummary {
        number,
        next_update,
    })
}
