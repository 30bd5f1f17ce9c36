//! CRLs, the status lookups of the OCSP responder and the responder credentials.

use kaigo_core::certificate::CertKind;
use kaigo_core::certificate::repo::CertificateAdminRepo;
use kaigo_core::certificate::revocation::RevocationReason;
use kaigo_core::ids::{CaGeneration, Serial};

const G1: CaGeneration = CaGeneration::FIRST;
use kaigo_core::revocation::repo::RevocationRepo;
use kaigo_core::revocation::{CertStatus, PublishedCrl, StatusMarker};

use crate::harness::{TestDb, issue, office};

fn crl(number: i64, covered: i64) -> PublishedCrl {
    PublishedCrl {
        number,
        this_update: 1_000 + number,
        next_update: 2_000 + number,
        entries: covered,
        covered,
        der: vec![0x30, number as u8],
    }
}

pub async fn status_marker_and_entries(db: TestDb) {
    let a = office(&db, 1, Some(13)).await;
    let b = office(&db, 2, Some(13)).await;
    assert_eq!(
        db.store.status_marker().await.unwrap(),
        StatusMarker::default()
    );
    let dx = issue(&db, a.id, CertKind::KaigoDx, "0a01", 1_000).await;
    issue(&db, b.id, CertKind::KaigoHoken, "b01", 1_001).await;
    let m = db.store.status_marker().await.unwrap();
    assert_eq!(m.revoked, 0);
    assert!(m.certificates > 0);
    let serial = Serial::parse("a01").unwrap();
    assert_eq!(
        db.store.certificate_status(G1, &serial).await.unwrap(),
        CertStatus::Good
    );
    assert_eq!(
        db.store
            .certificate_status(G1, &Serial::parse("ffff").unwrap())
            .await
            .unwrap(),
        CertStatus::Unknown
    );

    assert!(
        db.store
            .revoke_certificate(dx, 1_500, RevocationReason::KeyCompromise, Some(1_200))
            .await
            .unwrap()
    );
    let after = db.store.status_marker().await.unwrap();
    assert_eq!((after.certificates, after.revoked), (m.certificates, 1));
    assert_eq!(
        db.store.certificate_status(G1, &serial).await.unwrap(),
        CertStatus::Revoked {
            at: 1_500,
            reason: RevocationReason::KeyCompromise
        }
    );
    let entries = db.store.revoked_entries(G1, 1_600).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].serial, serial);
    assert_eq!(entries[0].reason, RevocationReason::KeyCompromise);
    assert_eq!(entries[0].invalidity_at, Some(1_200));
    // Once the certificate has expired it leaves the CRL (RFC 5280 §3.3).
    let five_years = 5 * 365 * 86_400;
    assert!(
        db.store
            .revoked_entries(G1, 1_000 + five_years + 1)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn crl_numbers_grow_and_the_newest_is_served(db: TestDb) {
    assert!(db.store.latest_crl(G1).await.unwrap().is_none());
    // Many signers at once (nodes on one database): every number is taken once.
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            store.next_crl_number(G1).await.unwrap()
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=16).collect::<Vec<_>>());
    // Stored out of order, the highest number is the one served.
    for n in [3, 16, 7] {
        db.store.store_crl(G1, &crl(n, n)).await.unwrap();
    }
    let latest = db.store.latest_crl(G1).await.unwrap().unwrap();
    assert_eq!(
        (latest.number, latest.covered, latest.der),
        (16, 16, vec![0x30, 16])
    );
    assert_eq!(db.store.next_crl_number(G1).await.unwrap(), 17);
    db.store.prune_crls(G1, 5).await.unwrap();
    let kept = db.raw_i64("SELECT COUNT(*) FROM crls").await;
    assert_eq!(kept, 1, "only CRLs within 5 numbers of the newest are kept");
}

pub async fn responder_credentials(db: TestDb) {
    assert!(db.store.latest_responder(G1).await.unwrap().is_none());
    let first = db
        .store
        .store_responder(G1, b"cert-1", b"sealed-1", 5_000, 1_000)
        .await
        .unwrap();
    let second = db
        .store
        .store_responder(G1, b"cert-2", b"sealed-2", 9_000, 2_000)
        .await
        .unwrap();
    assert!(second > first);
    let latest = db.store.latest_responder(G1).await.unwrap().unwrap();
    assert_eq!(
        (
            latest.id,
            latest.cert_der.as_slice(),
            latest.sealed_key.as_slice(),
            latest.not_after
        ),
        (second, b"cert-2".as_slice(), b"sealed-2".as_slice(), 9_000)
    );
    // Once its certificate has ended, a responder's key is retired once and its sealed copy
    // forgotten.
    assert!(db.store.expired_responders(5_000).await.unwrap().is_empty());
    let expired = db.store.expired_responders(5_001).await.unwrap();
    assert_eq!(expired, vec![(first, b"sealed-1".to_vec())]);
    assert!(db.store.retire_responder(first, 6_000).await.unwrap());
    assert!(
        !db.store.retire_responder(first, 6_001).await.unwrap(),
        "once"
    );
    assert!(db.store.expired_responders(8_999).await.unwrap().is_empty());
    let left = db
        .raw_i64(&format!(
            "SELECT LENGTH(sealed_key) FROM ocsp_responders WHERE id = {first}"
        ))
        .await;
    assert_eq!(left, 0);
    assert_eq!(db.store.expired_responders(9_001).await.unwrap().len(), 1);
}

/// After a rollover each issuing CA generation has its own certificates, CRL numbers, CRLs
/// and responders: nothing of one is served for the other.
pub async fn generations_are_kept_apart(db: TestDb) {
    let g2 = CaGeneration::FIRST.next();
    let a = office(&db, 1, Some(13)).await;
    let old = issue(&db, a.id, CertKind::KaigoDx, "0c01", 1_000).await;
    issue(&db, a.id, CertKind::KaigoHoken, "0c02", 1_001).await;
    db.raw_execute("UPDATE certificates SET issuer_generation = 2 WHERE serial = 'c02'")
        .await;
    let (s1, s2) = (Serial::parse("c01").unwrap(), Serial::parse("c02").unwrap());
    assert_eq!(
        db.store.certificate_status(G1, &s1).await.unwrap(),
        CertStatus::Good
    );
    assert_eq!(
        db.store.certificate_status(g2, &s2).await.unwrap(),
        CertStatus::Good
    );
    // A serial asked of the generation that did not issue it is unknown to it.
    assert_eq!(
        db.store.certificate_status(g2, &s1).await.unwrap(),
        CertStatus::Unknown
    );
    assert_eq!(
        db.store.certificate_status(G1, &s2).await.unwrap(),
        CertStatus::Unknown
    );
    db.store
        .revoke_certificate(old, 1_500, RevocationReason::Superseded, None)
        .await
        .unwrap();
    assert_eq!(db.store.revoked_entries(G1, 1_600).await.unwrap().len(), 1);
    assert!(
        db.store
            .revoked_entries(g2, 1_600)
            .await
            .unwrap()
            .is_empty()
    );
    // Numbers and CRLs per generation; the new one's counter starts at 1.
    assert_eq!(db.store.next_crl_number(G1).await.unwrap(), 1);
    assert_eq!(db.store.next_crl_number(G1).await.unwrap(), 2);
    assert_eq!(db.store.next_crl_number(g2).await.unwrap(), 1);
    db.store.store_crl(G1, &crl(2, 1)).await.unwrap();
    assert!(db.store.latest_crl(g2).await.unwrap().is_none());
    db.store.store_crl(g2, &crl(1, 1)).await.unwrap();
    assert_eq!(db.store.latest_crl(G1).await.unwrap().unwrap().number, 2);
    assert_eq!(db.store.latest_crl(g2).await.unwrap().unwrap().number, 1);
    db.store
        .store_responder(G1, b"r1", b"k1", 9_000, 1_000)
        .await
        .unwrap();
    assert!(db.store.latest_responder(g2).await.unwrap().is_none());
    db.store
        .store_responder(g2, b"r2", b"k2", 9_000, 1_001)
        .await
        .unwrap();
    assert_eq!(
        db.store
            .latest_responder(G1)
            .await
            .unwrap()
            .unwrap()
            .cert_der,
        b"r1"
    );
    assert_eq!(
        db.store
            .latest_responder(g2)
            .await
            .unwrap()
            .unwrap()
            .cert_der,
        b"r2"
    );
}

/// One node at a time holds a generation's CRL publication turn; a turn lapses at its time.
pub async fn crl_turns_are_taken_one_at_a_time(db: TestDb) {
    let s = &db.store;
    let g2 = CaGeneration::FIRST.next();
    assert!(
        s.take_crl_turn(g2, 100, 160).await.unwrap(),
        "a new generation's first turn"
    );
    assert!(
        !s.take_crl_turn(g2, 120, 180).await.unwrap(),
        "held by the first node"
    );
    assert!(
        s.take_crl_turn(CaGeneration::FIRST, 120, 180)
            .await
            .unwrap(),
        "each generation has its own turn"
    );
    assert!(
        s.take_crl_turn(g2, 160, 220).await.unwrap(),
        "lapsed at its time"
    );
    s.release_crl_turn(g2).await.unwrap();
    assert!(s.take_crl_turn(g2, 161, 221).await.unwrap(), "given back");
    assert_eq!(
        s.next_crl_number(g2).await.unwrap(),
        1,
        "the counter is untouched"
    );
}

/// The server key check is recorded once, whichever node comes first, and read back.
pub async fn server_key_check_is_recorded_once(db: TestDb) {
    use kaigo_core::health::repo::HealthRepo;
    assert_eq!(db.store.server_key_check().await.unwrap(), None);
    assert!(
        db.store
            .record_server_key_check(b"sealed-a", 1)
            .await
            .unwrap()
    );
    assert!(
        !db.store
            .record_server_key_check(b"sealed-b", 2)
            .await
            .unwrap()
    );
    assert_eq!(
        db.store.server_key_check().await.unwrap(),
        Some(b"sealed-a".to_vec())
    );
}
