//! Unit tests of [`FileCa`](super::FileCa): issuance limits, the PKCS#12 contents, errors.

use std::collections::HashSet;
use std::sync::Arc;

use crate::signer::FileKeySigner;

use kaigo_core::certificate::CertKind;
use kaigo_core::clock::ManualClock;
use kaigo_core::office::OfficeKind;
use openssl::pkcs12::Pkcs12;
use time::OffsetDateTime;

use super::*;
use crate::config::Pkcs12Profile;
use crate::test_support::{PASSPHRASE, fast_config, fixture, load_ca, request};

const PW: &str = "Ab3dEf6hJk9m";

fn issue_now(ca: &FileCa) -> Result<IssuedBundle, PkiError> {
    ca.issue(
        &request(
            CertKind::KaigoHoken,
            OfficeKind::Kaigo,
            OffsetDateTime::now_utc(),
        ),
        &SecretString::from(PW),
    )
}

#[test]
fn serials_are_unique_and_wide_across_issues() {
    let ca = load_ca(fast_config());
    let mut seen = HashSet::new();
    for _ in 0..40 {
        let b = issue_now(&ca).unwrap();
        // 127 random bits: a serial shorter than 64 bits would be a 2^-63 event.
        assert!(
            b.serial.as_str().len() > 16,
            "serial {} too short",
            b.serial
        );
        assert!(b.serial.as_str().len() <= 32);
        assert!(
            seen.insert(b.serial.clone()),
            "duplicate serial {}",
            b.serial
        );
    }
}

#[test]
fn refuses_to_outlive_the_issuing_ca() {
    let ca = load_ca(fast_config());
    let ca_end = ca.issuer.not_after;
    // Seven years on, a 3-year certificate would end after the issuing CA: refused.
    let later = OffsetDateTime::now_utc() + Duration::days(8 * 365);
    let ca = ca.with_clock(Arc::new(ManualClock::new(later)));
    let req = request(CertKind::KaigoHoken, OfficeKind::Kaigo, later);
    match ca.issue(&req, &SecretString::from(PW)) {
        Err(PkiError::Policy(m)) => assert!(m.contains("outlive"), "{m}"),
        other => panic!("expected a policy refusal, got {other:?}"),
    }
    // One that ends a day before the CA does still fits.
    let start = ca_end - Duration::days(3 * 366);
    let ca = ca.with_clock(Arc::new(ManualClock::new(start)));
    let b = ca
        .issue(
            &request(CertKind::KaigoHoken, OfficeKind::Kaigo, start),
            &SecretString::from(PW),
        )
        .unwrap();
    assert!(b.not_after <= ca_end);
}

#[test]
fn refuses_backdating_and_far_future_starts() {
    let ca = load_ca(fast_config());
    let now = OffsetDateTime::now_utc();
    let old = request(
        CertKind::KaigoHoken,
        OfficeKind::Kaigo,
        now - Duration::hours(1),
    );
    assert!(matches!(
        ca.issue(&old, &SecretString::from(PW)),
        Err(PkiError::Policy(_))
    ));
    let far = request(
        CertKind::KaigoHoken,
        OfficeKind::Kaigo,
        now + Duration::days(400),
    );
    assert!(matches!(
        ca.issue(&far, &SecretString::from(PW)),
        Err(PkiError::Policy(_))
    ));
    // A renewal dated 90 days ahead is fine and starts then.
    let renewal = request(
        CertKind::KaigoHoken,
        OfficeKind::Kaigo,
        now + Duration::days(90),
    );
    let b = ca.issue(&renewal, &SecretString::from(PW)).unwrap();
    assert!(b.not_before > now + Duration::days(89));
}

#[test]
fn wrong_ca_passphrase_is_a_clear_error() {
    let dir = fixture().materialize();
    let e = FileCa::load(
        dir.path(),
        &SecretString::from("not the passphrase"),
        fast_config(),
    )
    .unwrap_err();
    assert!(matches!(e, CaError::WrongPassphrase { .. }), "{e}");
    assert!(e.to_string().contains("wrong CA passphrase"), "{e}");
    assert!(FileCa::load(dir.path(), &SecretString::from(PASSPHRASE), fast_config()).is_ok());
}

#[test]
fn a_signer_with_another_key_is_refused() {
    let f = fixture();
    let other = FileKeySigner::generate(2048).unwrap();
    let root = std::str::from_utf8(f.file(files::ROOT_CERT)).unwrap();
    let issuing = std::str::from_utf8(f.file(files::ISSUING_CERT)).unwrap();
    let e = FileCa::with_signer(root, issuing, Box::new(other), fast_config()).unwrap_err();
    assert!(e.to_string().contains("does not belong"), "{e}");
    // Root and issuing swapped: the "issuing" one is not certified by the "root" one.
    let e = FileCa::with_signer(
        issuing,
        root,
        Box::new(FileKeySigner::generate(2048).unwrap()),
        fast_config(),
    );
    assert!(e.is_err());
}

#[test]
fn a_bad_password_is_an_error_not_a_panic() {
    let ca = load_ca(fast_config());
    let now = OffsetDateTime::now_utc();
    let req = request(CertKind::KaigoHoken, OfficeKind::Kaigo, now);
    assert!(matches!(
        ca.issue(&req, &SecretString::from("a\0b")),
        Err(PkiError::Pkcs12(_))
    ));
    assert!(matches!(
        ca.issue(&req, &SecretString::from("")),
        Err(PkiError::Pkcs12(_))
    ));
}

#[test]
fn pkcs12_holds_key_leaf_and_chain() {
    let ca = load_ca(CaConfig {
        pkcs12: Pkcs12Profile::Compat { iterations: 1_000 },
        ..fast_config()
    });
    let b = issue_now(&ca).unwrap();
    let parsed = Pkcs12::from_der(&b.pkcs12).unwrap().parse2(PW).unwrap();
    let leaf = parsed.cert.unwrap();
    assert_eq!(leaf.to_der().unwrap(), b.cert_der);
    assert!(parsed.pkey.unwrap().public_eq(&leaf.public_key().unwrap()));
    let chain: Vec<Vec<u8>> = parsed
        .ca
        .unwrap()
        .iter()
        .map(|c| c.to_der().unwrap())
        .collect();
    assert_eq!(chain.len(), 2);
    assert!(chain.contains(&ca.issuing_der().to_vec()));
    assert!(chain.contains(&cert::pem_to_der(ca.root_pem()).unwrap()));
    assert!(
        Pkcs12::from_der(&b.pkcs12)
            .unwrap()
            .parse2("wrong")
            .is_err()
    );
}

#[test]
fn the_root_can_be_left_out_of_the_file() {
    let ca = load_ca(CaConfig {
        pkcs12_include_root: false,
        ..fast_config()
    });
    let b = issue_now(&ca).unwrap();
    let parsed = Pkcs12::from_der(&b.pkcs12).unwrap().parse2(PW).unwrap();
    let chain: Vec<Vec<u8>> = parsed
        .ca
        .unwrap()
        .iter()
        .map(|c| c.to_der().unwrap())
        .collect();
    assert_eq!(
        chain,
        vec![ca.issuing_der().to_vec()],
        "the issuing CA only"
    );
}

#[test]
fn the_factory_offers_the_root_and_the_issuing_ca() {
    let ca = load_ca(fast_config());
    assert_eq!(CertificateFactory::root_pem(&ca), ca.root_pem());
    assert_eq!(
        ca.issuing_pems(),
        vec![(CaGeneration::FIRST, ca.issuing_pem().to_owned())]
    );
    assert!(ca.root_pem().starts_with("-----BEGIN CERTIFICATE-----\n"));
    assert_eq!(
        cert::pem_to_der(ca.issuing_pem()).unwrap(),
        ca.issuing_der()
    );
}
