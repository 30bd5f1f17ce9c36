//! The root's CRL. The root signs only issuing CA certificates and is kept offline, so its
//! CRL is signed at the ceremony and again, before its nextUpdate, with
//! `kaigo-pki ca root-crl` where the root key is. It lists revoked issuing CAs (none yet).

use std::path::Path;

use der::Decode;
use kaigo_core::error::PkiError;
use kaigo_core::revocation::pki::CrlContent;
use time::{Duration, OffsetDateTime};

use crate::constraints::IssuerFacts;
use crate::error::CaError;
use crate::files;
use crate::hsm::CaKeys;
use crate::signer::CaSigner;
use crate::{cert, crl};

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
pub fn resign_root_crl(dir: &Path, keys: &CaKeys) -> Result<RootCrlSummary, CaError> {
    let root = crate::root_key::open_root(dir, keys)?;
    let path = dir.join(files::ROOT_CRL);
    let previous = match std::fs::read(&path) {
        Ok(der) => crl_facts(&der)?.0,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
        Err(e) => return Err(CaError::io(&path, e)),
    };
    let now = OffsetDateTime::now_utc();
    let der = sign(&root.facts, root.key.as_ref(), previous + 1, now)?;
    let tmp = dir.join(format!("{}.new", files::ROOT_CRL));
    std::fs::write(&tmp, &der).map_err(|e| CaError::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| CaError::io(&path, e))?;
    let (number, next_update) = crl_facts(&der)?;
    Ok(RootCrlSummary {
        number,
        next_update,
    })
}

/// What `recertify_issuing` did.
#[derive(Clone, Debug)]
pub struct Recertified {
    pub old_serial: kaigo_core::ids::Serial,
    pub new_serial: kaigo_core::ids::Serial,
}

/// Re-certifies the issuing CA under the root with the same key, subject and validity and
/// today's profile (so an issuing CA made before it gains its CRL distribution point and
/// caIssuers). Certificates it issued still chain: their issuer name and authority key
/// identifier are unchanged. The old certificate is kept as `issuing.crt.pem.<serial>`.
pub fn recertify_issuing(
    dir: &Path,
    keys: &CaKeys,
    cfg: &crate::config::CaConfig,
) -> Result<Recertified, CaError> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path).map_err(|e| CaError::io(path, e))
    };
    let crate::root_key::Root {
        der: root_der,
        facts: root,
        key: root_key,
    } = crate::root_key::open_root(dir, keys)?;
    let old_der = cert::pem_to_der(&read(files::ISSUING_CERT)?)?;
    let old = IssuerFacts::from_der(&old_der)?;
    let validity = crate::validity::Validity {
        not_before: old.not_before,
        not_after: old.not_after,
    };
    let params = crate::profile::issuing(
        &crate::profile::Common {
            validity,
            serial: &crate::serial::random_serial()?,
            public_key: old.public_key(),
        },
        cfg,
    )?;
    let new_der = crate::builder::sign(
        &params,
        &crate::signer::RsaPublicKey(old.public_key().to_vec()),
        &root_der,
        root_key.as_ref(),
    )?;
    root.check_issued(&new_der)?;
    let new = IssuerFacts::from_der(&new_der)?;
    if new.key_id() != old.key_id() || new.subject_raw() != old.subject_raw() {
        return Err(CaError::Certificate(
            "the re-certified issuing CA would not match the old one".into(),
        ));
    }
    let old_serial = cert::CertSummary::from_der(&old_der)?.serial;
    let new_serial = cert::CertSummary::from_der(&new_der)?.serial;
    let backup = dir.join(format!("{}.{old_serial}", files::ISSUING_CERT));
    std::fs::copy(dir.join(files::ISSUING_CERT), &backup).map_err(|e| CaError::io(backup, e))?;
    let issuing_pem = cert::der_to_pem(&new_der);
    let root_pem = cert::der_to_pem(&root_der);
    for (name, body) in [
        (files::ISSUING_CERT, issuing_pem.clone()),
        (files::CHAIN, format!("{issuing_pem}{root_pem}")),
    ] {
        let tmp = dir.join(format!("{name}.new"));
        std::fs::write(&tmp, body).map_err(|e| CaError::io(tmp.clone(), e))?;
        std::fs::rename(&tmp, dir.join(name)).map_err(|e| CaError::io(dir.join(name), e))?;
    }
    Ok(Recertified {
        old_serial,
        new_serial,
    })
}

#[cfg(test)]
mod tests {
    use kaigo_core::certificate::CertKind;
    use kaigo_core::certificate::pki::CertificateFactory;
    use kaigo_core::office::OfficeKind;
    use openssl::x509::X509;

    use super::*;
    use crate::FileCa;
    use crate::test_support::{PASSPHRASE, fast_config, fixture, request};

    fn openssl_verify(dir: &Path, leaf: &[u8]) -> (bool, String) {
        let leaf_path = dir.join("leaf.pem");
        std::fs::write(&leaf_path, X509::from_der(leaf).unwrap().to_pem().unwrap()).unwrap();
        let out = std::process::Command::new("openssl")
            .args(["verify", "-CAfile"])
            .arg(dir.join(files::ROOT_CERT))
            .arg("-untrusted")
            .arg(dir.join(files::ISSUING_CERT))
            .arg(&leaf_path)
            .output()
            .expect("openssl");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    #[test]
    fn root_crl_numbers_grow_and_recertified_issuing_ca_keeps_its_certificates() {
        let dir = fixture().materialize();
        let pass = secrecy::SecretString::from(PASSPHRASE);
        let keys = CaKeys::Files(pass.clone());
        let (first, _) =
            crl_facts(&std::fs::read(dir.path().join(files::ROOT_CRL)).unwrap()).unwrap();
        assert_eq!(first, 1);
        let signed = resign_root_crl(dir.path(), &keys).unwrap();
        assert_eq!(signed.number, 2);
        assert!(signed.next_update > OffsetDateTime::now_utc() + Duration::days(360));

        // A certificate issued before the re-certification still verifies after it.
        let ca = FileCa::load(dir.path(), &pass, fast_config()).unwrap();
        let before = ca
            .issue(
                &request(
                    CertKind::KaigoDx,
                    OfficeKind::Kaigo,
                    OffsetDateTime::now_utc(),
                ),
                &secrecy::SecretString::from("Pw123456789a"),
            )
            .unwrap();
        let cfg = crate::CaConfig {
            root_crl_url: "http://ca.example.jp/ca/e-seikyuu-root.crl".into(),
            ..fast_config()
        };
        let done = recertify_issuing(dir.path(), &keys, &cfg).unwrap();
        assert_ne!(done.old_serial, done.new_serial);
        let (ok, text) = openssl_verify(dir.path(), &before.cert_der);
        assert!(ok, "{text}");
        let new_pem = std::fs::read(dir.path().join(files::ISSUING_CERT)).unwrap();
        let text = String::from_utf8(X509::from_pem(&new_pem).unwrap().to_text().unwrap()).unwrap();
        assert!(
            text.contains("URI:http://ca.example.jp/ca/e-seikyuu-root.crl"),
            "{text}"
        );
        assert!(
            dir.path()
                .join(format!("{}.{}", files::ISSUING_CERT, done.old_serial))
                .exists()
        );
        // And the CA loads and issues with it.
        FileCa::load(dir.path(), &pass, fast_config()).unwrap();
    }
}
