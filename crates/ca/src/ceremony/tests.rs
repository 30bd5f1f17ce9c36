//! The offline-root ceremony end to end, and the refusals that keep a wrong file out.

use kaigo_core::certificate::CertKind;
use kaigo_core::certificate::pki::CertificateFactory;
use kaigo_core::office::OfficeKind;
use openssl::x509::X509;
use secrecy::SecretString;
use time::OffsetDateTime;

use super::*;
use crate::error::CaError;
use crate::file_ca::FileCa;
use crate::files;
use crate::hsm::CaKeys;
use crate::test_support::{PASSPHRASE, fast_config, fixture, request};

fn keys() -> CaKeys {
    CaKeys::Files(SecretString::from(PASSPHRASE))
}

/// A serving node's CA directory that adopted the fixture's root (kept in `root`).
fn serving_dir(root: &std::path::Path) -> tempfile::TempDir {
    let node = tempfile::tempdir().unwrap();
    adopt_root(
        node.path(),
        &std::fs::read_to_string(root.join(files::ROOT_CERT)).unwrap(),
        &std::fs::read(root.join(files::ROOT_CRL)).unwrap(),
    )
    .unwrap();
    node
}

/// The node's next request, certified by the root in `root`: what the operator carries back.
fn certified(root: &std::path::Path, node: &std::path::Path) -> CertifiedIssuing {
    let req = request_issuing(node, &keys(), &fast_config()).unwrap();
    certify_request(root, &keys(), &req.csr_pem, &fast_config()).unwrap()
}

fn openssl_verifies(root_pem: &[u8], issuing_pem: &[u8], leaf_der: &[u8]) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("root.pem"), root_pem).unwrap();
    std::fs::write(p("issuing.pem"), issuing_pem).unwrap();
    std::fs::write(
        p("leaf.pem"),
        X509::from_der(leaf_der).unwrap().to_pem().unwrap(),
    )
    .unwrap();
    std::process::Command::new("openssl")
        .args(["verify", "-x509_strict", "-CAfile"])
        .arg(p("root.pem"))
        .arg("-untrusted")
        .arg(p("issuing.pem"))
        .arg(p("leaf.pem"))
        .status()
        .expect("openssl is installed by scripts/setup")
        .success()
}

#[test]
fn offline_root_certifies_a_request_and_the_node_issues_without_the_root_key() {
    let root = fixture().materialize();
    let node = serving_dir(root.path());
    let cfg = fast_config();

    let req = request_issuing(node.path(), &keys(), &cfg).unwrap();
    assert!(
        req.csr_pem
            .starts_with("-----BEGIN CERTIFICATE REQUEST-----")
    );
    assert_eq!(req.key_at, "file");
    // One request at a time.
    let e = request_issuing(node.path(), &keys(), &cfg).unwrap_err();
    assert!(matches!(e, CaError::Ceremony(_)), "{e}");
    // Not installed yet: the node has no issuing CA to load.
    assert!(FileCa::open(node.path(), &keys(), cfg.clone()).is_err());

    let signed = certify_request(root.path(), &keys(), &req.csr_pem, &cfg).unwrap();
    assert_eq!(signed.summary.subject, "CN=e-seikyuu CA,O=e-seikyuu,C=JP");
    assert_eq!(
        signed.root_fingerprint_sha256,
        fixture().summary.root_fingerprint_sha256
    );
    let kept = root
        .path()
        .join(ISSUED_DIR)
        .join(format!("{}.pem", signed.summary.serial));
    assert_eq!(std::fs::read_to_string(kept).unwrap(), signed.pem);
    let log = std::fs::read_to_string(root.path().join(CEREMONY_LOG)).unwrap();
    assert!(log.contains("\tissuing.certify\t"), "{log}");
    assert!(
        log.contains(&req.key_sha256),
        "the log names the key: {log}"
    );

    let done = install_issuing(node.path(), &keys(), &signed.pem, &cfg).unwrap();
    assert_eq!(done.summary.serial, signed.summary.serial);
    assert!(!node.path().join(files::NEXT_ISSUING_CSR).exists());
    assert!(!node.path().join(files::NEXT_ISSUING_KEY).exists());
    assert!(
        !node.path().join(files::ROOT_KEY).exists(),
        "no root key on the node"
    );

    let ca = FileCa::open(node.path(), &keys(), cfg.clone()).unwrap();
    let issued = ca
        .issue(
            &request(
                CertKind::KaigoHoken,
                OfficeKind::Kaigo,
                OffsetDateTime::now_utc(),
            ),
            &SecretString::from("Pw123456789a"),
        )
        .unwrap();
    assert!(openssl_verifies(
        fixture().file(files::ROOT_CERT),
        signed.pem.as_bytes(),
        &issued.cert_der
    ));
    let chain = std::fs::read_to_string(node.path().join(files::CHAIN)).unwrap();
    assert!(chain.starts_with(&signed.pem));

    // A second installation would strand the first CA's certificates.
    let e = install_issuing(node.path(), &keys(), &signed.pem, &cfg).unwrap_err();
    assert!(matches!(e, CaError::Ceremony(_)), "{e}");
}

#[test]
fn a_certificate_for_another_key_or_from_another_root_is_refused() {
    let root = fixture().materialize();
    let cfg = fast_config();
    let node = serving_dir(root.path());
    let other_node = serving_dir(root.path());
    request_issuing(node.path(), &keys(), &cfg).unwrap();
    let other = request_issuing(other_node.path(), &keys(), &cfg).unwrap();
    let for_other = certify_request(root.path(), &keys(), &other.csr_pem, &cfg).unwrap();
    let e = install_issuing(node.path(), &keys(), &for_other.pem, &cfg).unwrap_err();
    assert!(e.to_string().contains("waiting key"), "{e}");

    // The root itself is not an issuing CA.
    let root_pem = std::str::from_utf8(fixture().file(files::ROOT_CERT)).unwrap();
    let e = install_issuing(node.path(), &keys(), root_pem, &cfg).unwrap_err();
    assert!(e.to_string().contains("not for the issuing CA"), "{e}");
    let e = install_issuing(node.path(), &keys(), "not a certificate", &cfg).unwrap_err();
    assert!(e.to_string().contains("not a PEM certificate"), "{e}");
    // Nothing moved: the waiting key still waits.
    assert!(node.path().join(files::NEXT_ISSUING_KEY).exists());
    assert!(!node.path().join(files::ISSUING_CERT).exists());
}

#[test]
fn requests_that_prove_nothing_or_are_too_weak_are_not_signed() {
    let root = fixture().materialize();
    let cfg = fast_config();
    let node = serving_dir(root.path());
    let req = request_issuing(node.path(), &keys(), &cfg).unwrap();
    // Flip a byte inside the signed part: the request no longer proves possession.
    let mut der = csr_der(&req.csr_pem);
    let i = der.len() / 3;
    der[i] ^= 0x01;
    let broken = crate::keyfile::pem_encode("CERTIFICATE REQUEST", &der);
    let e = certify_request(root.path(), &keys(), &broken, &cfg).unwrap_err();
    assert!(e.to_string().contains("not signed by its own key"), "{e}");

    let openssl_2048 = {
        let rsa = openssl::rsa::Rsa::generate(2048).unwrap();
        let key = openssl::pkey::PKey::from_rsa(rsa).unwrap();
        let mut b = openssl::x509::X509ReqBuilder::new().unwrap();
        b.set_pubkey(&key).unwrap();
        b.sign(&key, openssl::hash::MessageDigest::sha256())
            .unwrap();
        String::from_utf8(b.build().to_pem().unwrap()).unwrap()
    };
    let e = certify_request(root.path(), &keys(), &openssl_2048, &cfg).unwrap_err();
    assert!(e.to_string().contains("2048 bits"), "{e}");
}

fn csr_der(pem: &str) -> Vec<u8> {
    openssl::x509::X509Req::from_pem(pem.as_bytes())
        .unwrap()
        .to_der()
        .unwrap()
}

#[test]
fn the_root_is_made_alone_and_its_crl_installs_only_when_newer_and_its_own() {
    let root_dir = tempfile::tempdir().unwrap();
    let made = create_offline_root(root_dir.path(), &keys(), &fast_config()).unwrap();
    assert_eq!(made.subject, "CN=e-seikyuu Root CA,O=e-seikyuu,C=JP");
    let mut names: Vec<String> = std::fs::read_dir(root_dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            CEREMONY_LOG,
            files::ROOT_CRL,
            files::ROOT_CERT,
            files::ROOT_KEY
        ]
    );
    let e = create_offline_root(root_dir.path(), &keys(), &fast_config()).unwrap_err();
    assert!(matches!(e, CaError::DirectoryNotEmpty(_)), "{e}");

    // A node trusting the fixture's root refuses an issuing certificate from this root.
    let node = serving_dir(fixture().materialize().path());
    let req = request_issuing(node.path(), &keys(), &fast_config()).unwrap();
    let foreign_ca =
        certify_request(root_dir.path(), &keys(), &req.csr_pem, &fast_config()).unwrap();
    let e = install_issuing(node.path(), &keys(), &foreign_ca.pem, &fast_config()).unwrap_err();
    assert!(e.to_string().contains("not certified by the root"), "{e}");
    assert!(
        node.path().join(files::NEXT_ISSUING_KEY).exists(),
        "nothing moved"
    );
    assert!(!node.path().join(files::ISSUING_CERT).exists());
    // Nor its CRL.
    let foreign = std::fs::read(root_dir.path().join(files::ROOT_CRL)).unwrap();
    let e = install_root_crl(node.path(), &foreign).unwrap_err();
    assert!(e.to_string().contains("not signed by this root"), "{e}");
    // The same number again is not newer; the next one is.
    let same = fixture().file(files::ROOT_CRL).to_vec();
    assert!(matches!(
        install_root_crl(node.path(), &same),
        Err(CaError::Ceremony(_))
    ));
    let fixture_root = fixture().materialize();
    crate::root_crl::resign_root_crl(fixture_root.path(), &keys()).unwrap();
    let next = std::fs::read(fixture_root.path().join(files::ROOT_CRL)).unwrap();
    assert_eq!(install_root_crl(node.path(), &next).unwrap().number, 2);
    assert_eq!(
        std::fs::read(node.path().join(files::ROOT_CRL)).unwrap(),
        next
    );
}

#[test]
fn an_install_interrupted_after_the_key_moved_is_finished_by_installing_again() {
    let root = fixture().materialize();
    let node = serving_dir(root.path());
    let cfg = fast_config();
    let signed = certified(root.path(), node.path());
    // The crash: the waiting key became the issuing key, the certificate was never written.
    std::fs::rename(
        node.path().join(files::NEXT_ISSUING_KEY),
        node.path().join(files::ISSUING_KEY),
    )
    .unwrap();
    let done = install_issuing(node.path(), &keys(), &signed.pem, &cfg).unwrap();
    assert_eq!(done.summary.serial, signed.summary.serial);
    assert!(done.retired.is_none());
    FileCa::open(node.path(), &keys(), cfg).unwrap();
}

#[test]
fn a_rollover_interrupted_after_the_old_ca_moved_is_finished_by_installing_again() {
    let root = fixture().materialize();
    let node = serving_dir(root.path());
    let cfg = fast_config();
    let first = certified(root.path(), node.path());
    install_issuing(node.path(), &keys(), &first.pem, &cfg).unwrap();
    let second = certified(root.path(), node.path());

    // The crash: the old CA went to previous/1/, the new generation number was never written.
    let d = node.path();
    std::fs::create_dir_all(d.join("previous/1")).unwrap();
    std::fs::copy(
        d.join(files::ISSUING_CERT),
        d.join("previous/1").join(files::ISSUING_CERT),
    )
    .unwrap();
    std::fs::rename(
        d.join(files::ISSUING_KEY),
        d.join("previous/1").join(files::ISSUING_KEY),
    )
    .unwrap();
    std::fs::remove_file(d.join(files::ISSUING_CERT)).unwrap();
    let e = FileCa::open(d, &keys(), cfg.clone()).unwrap_err();
    assert!(e.to_string().contains("was interrupted"), "{e}");

    let done = install_issuing(d, &keys(), &second.pem, &cfg).unwrap();
    assert_eq!(done.generation.get(), 2, "not installed as generation 1");
    let ca = FileCa::open(d, &keys(), cfg).unwrap();
    assert_eq!(ca.generation().get(), 2);
    let pems: Vec<u32> = ca.issuing_pems().iter().map(|(g, _)| g.get()).collect();
    assert_eq!(pems, [2, 1], "both generations publish");
    assert!(
        ca.config().crl_url.ends_with("/ca/e-seikyuu-ca-g2.crl"),
        "{}",
        ca.config().crl_url
    );
}

#[test]
fn a_node_whose_rollover_stopped_before_the_new_number_refuses_to_start() {
    let root = fixture().materialize();
    let node = serving_dir(root.path());
    let cfg = fast_config();
    let first = certified(root.path(), node.path());
    install_issuing(node.path(), &keys(), &first.pem, &cfg).unwrap();
    // previous/1 holds a CA but `generation` still says 1.
    let d = node.path();
    std::fs::create_dir_all(d.join("previous/1")).unwrap();
    std::fs::copy(
        d.join(files::ISSUING_CERT),
        d.join("previous/1").join(files::ISSUING_CERT),
    )
    .unwrap();
    let e = FileCa::open(d, &keys(), cfg).unwrap_err();
    assert!(e.to_string().contains("was interrupted"), "{e}");
}
