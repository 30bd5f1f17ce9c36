//! The issuance queue: submit, claim, complete, fail.

use std::collections::HashSet;

use kaigo_core::RepoError;
use kaigo_core::certificate::repo::{ApplicationRepo, CertificateRepo};
use kaigo_core::certificate::revocation::RevocationReason;
use kaigo_core::certificate::{Application, ApplicationState, CertKind, CertStatus};
use kaigo_core::ids::{ApplicationId, OfficeId};
use kaigo_core::mail::NewMail;
use kaigo_core::mail::repo::MailRepo;
use kaigo_core::notice::repo::NoticeRepo;
use kaigo_core::notice::{NewNotice, NoticeCategory, NoticeTarget};
use kaigo_core::office::Office;

use crate::harness::{TestDb, new_application, new_certificate, office};

const TITLE: &str = "証明書発行完了通知";

async fn submit(db: &TestDb, office: OfficeId, kind: CertKind, key: &str) -> (Application, bool) {
    db.store
        .submit_application(&new_application(office, kind, key, 100))
        .await
        .unwrap()
}

/// Submits and claims an application of `office`, returning its id.
async fn claimed(db: &TestDb, office: OfficeId, kind: CertKind, key: &str) -> ApplicationId {
    let (app, created) = submit(db, office, kind, key).await;
    assert!(created);
    let got = db
        .store
        .claim_application(1_000, 1_060)
        .await
        .unwrap()
        .expect("claim");
    assert_eq!(got.id, app.id);
    app.id
}

fn issued_notice(office: &Office, at: i64) -> NewNotice {
    NewNotice {
        category: NoticeCategory::Certificate,
        title: TITLE.into(),
        body: "発行が完了しました。".into(),
        target: NoticeTarget::Office(office.id),
        start_at: at,
        end_at: None,
        created_at: at,
    }
}

fn issued_mail(office: &Office, at: i64) -> NewMail {
    NewMail {
        to: office.email.clone().unwrap(),
        subject: format!("【電子請求受付システム】{TITLE}"),
        body: "発行が完了しました。".into(),
        created_at: at,
    }
}

async fn pending_key(db: &TestDb, id: ApplicationId) -> Option<String> {
    db.raw_text(&format!(
        "SELECT pending_key FROM applications WHERE id = {id}"
    ))
    .await
}

pub async fn submit_is_idempotent(db: TestDb) {
    let o1 = office(&db, 1, None).await;
    let o2 = office(&db, 2, None).await;
    let (a1, created) = submit(&db, o1.id, CertKind::KaigoHoken, "k1").await;
    assert!(created);
    assert_eq!(a1.state, ApplicationState::Queued);
    assert_eq!(
        (a1.attempts, a1.office_id, a1.kind),
        (0, o1.id, CertKind::KaigoHoken)
    );
    assert_eq!(a1.sealed_password.as_deref(), Some(&b"sealed-secret"[..]));
    assert_eq!(
        (a1.terms_version.as_str(), a1.requested_at, a1.consented_at),
        ("2026-04", 100, 100)
    );
    assert_eq!(
        (a1.not_before, a1.last_error.clone(), a1.certificate_id),
        (None, None, None)
    );
    assert_eq!(
        pending_key(&db, a1.id).await,
        Some(format!("{}:hoken", o1.id))
    );

    // The same form token again.
    let (again, created) = submit(&db, o1.id, CertKind::KaigoHoken, "k1").await;
    assert_eq!((again.id, created), (a1.id, false));
    // Another token while one of the same kind waits.
    let (other, created) = submit(&db, o1.id, CertKind::KaigoHoken, "k2").await;
    assert_eq!((other.id, created), (a1.id, false));
    // Another kind is another queue entry.
    let (dx, created) = submit(&db, o1.id, CertKind::KaigoDx, "k3").await;
    assert!(created && dx.id != a1.id);
    // Tokens are per office: another office's token never returns this office's application.
    let (foreign, created) = submit(&db, o2.id, CertKind::KaigoHoken, "k1").await;
    assert!(created && foreign.id != a1.id && foreign.office_id == o2.id);
    assert_eq!(
        db.store
            .applications_for_office(o1.id, CertKind::KaigoHoken)
            .await
            .unwrap()
            .len(),
        1
    );

    // Once the first has failed for good, the office may apply again.
    db.store
        .fail_application(a1.id, "broken", None)
        .await
        .unwrap();
    let (retry, created) = submit(&db, o1.id, CertKind::KaigoHoken, "k2").await;
    assert!(created && retry.id != a1.id);
    let (old, created) = submit(&db, o1.id, CertKind::KaigoHoken, "k1").await;
    assert_eq!(
        (old.id, old.state, created),
        (a1.id, ApplicationState::Failed, false)
    );
    let history = db
        .store
        .applications_for_office(o1.id, CertKind::KaigoHoken)
        .await
        .unwrap();
    assert_eq!(
        history.iter().map(|a| a.id).collect::<Vec<_>>(),
        [retry.id, a1.id],
        "newest first"
    );

    assert!(matches!(
        db.store
            .submit_application(&new_application(OfficeId(9_999), CertKind::KaigoDx, "k", 1))
            .await,
        Err(RepoError::NotFound)
    ));
}

pub async fn concurrent_submits_make_one_application(db: TestDb) {
    let o = office(&db, 1, None).await;
    for (kind, same_key) in [(CertKind::KaigoHoken, false), (CertKind::KaigoDx, true)] {
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let store = db.store.clone();
                let key = if same_key {
                    "double-click".to_owned()
                } else {
                    format!("tab-{i}")
                };
                let new = new_application(o.id, kind, &key, 100 + i);
                tokio::spawn(async move { store.submit_application(&new).await.unwrap() })
            })
            .collect();
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.unwrap());
        }
        let created = results.iter().filter(|(_, created)| *created).count();
        assert_eq!(
            created, 1,
            "exactly one submit created the {kind:?} application"
        );
        let ids: HashSet<_> = results.iter().map(|(a, _)| a.id).collect();
        assert_eq!(ids.len(), 1, "every submit got the same application");
        assert_eq!(
            db.store
                .applications_for_office(o.id, kind)
                .await
                .unwrap()
                .len(),
            1
        );
    }
}

pub async fn claim_order_lease_and_retry(db: TestDb) {
    let s = &db.store;
    assert!(
        s.claim_application(1_000, 1_060).await.unwrap().is_none(),
        "empty queue"
    );
    let mut ids = Vec::new();
    for n in 1..=3 {
        let o = office(&db, n, None).await;
        ids.push(submit(&db, o.id, CertKind::KaigoHoken, "k").await.0.id);
    }
    let (a, b, c) = (ids[0], ids[1], ids[2]);

    let got = s.claim_application(1_000, 1_060).await.unwrap().unwrap();
    assert_eq!(
        (got.id, got.state, got.attempts),
        (a, ApplicationState::Running, 1)
    );
    assert!(
        got.sealed_password.is_some(),
        "the worker needs the sealed password"
    );
    assert_eq!(
        s.claim_application(1_000, 1_060).await.unwrap().unwrap().id,
        b
    );
    assert_eq!(
        s.claim_application(1_000, 1_060).await.unwrap().unwrap().id,
        c
    );
    assert!(
        s.claim_application(1_000, 1_060).await.unwrap().is_none(),
        "all leased"
    );
    assert_eq!(
        s.application(a).await.unwrap().unwrap().state,
        ApplicationState::Running
    );

    s.fail_application(b, "HSM busy", Some(2_000))
        .await
        .unwrap();
    s.fail_application(c, "bad office", None).await.unwrap();
    assert!(
        s.claim_application(1_060, 1_500).await.unwrap().is_none(),
        "lease runs to 1060"
    );

    // a's worker died: its lease expired, so another worker takes it over.
    let again = s.claim_application(1_061, 1_500).await.unwrap().unwrap();
    assert_eq!((again.id, again.attempts), (a, 2));
    assert!(
        s.claim_application(1_400, 1_500).await.unwrap().is_none(),
        "b waits for 2000"
    );

    let again = s.claim_application(2_000, 2_100).await.unwrap().unwrap();
    assert_eq!((again.id, again.attempts), (a, 3), "oldest first");
    let retried = s.claim_application(2_000, 2_100).await.unwrap().unwrap();
    assert_eq!((retried.id, retried.attempts), (b, 2));
    assert_eq!(retried.last_error.as_deref(), Some("HSM busy"));
    assert!(
        s.claim_application(2_000, 2_100).await.unwrap().is_none(),
        "c failed for good"
    );
}

pub async fn concurrent_claims_take_each_once(db: TestDb) {
    const APPS: u32 = 60;
    let mut submitted = HashSet::new();
    for n in 1..=APPS {
        let o = office(&db, n, None).await;
        submitted.insert(submit(&db, o.id, CertKind::KaigoDx, "k").await.0.id);
    }
    let workers: Vec<_> = (0..12)
        .map(|_| {
            let store = db.store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                while let Some(app) = store.claim_application(1_000, 2_000).await.unwrap() {
                    mine.push(app.id);
                }
                mine
            })
        })
        .collect();
    let mut claimed = Vec::new();
    for w in workers {
        claimed.extend(w.await.unwrap());
    }
    let distinct: HashSet<_> = claimed.iter().copied().collect();
    assert_eq!(
        claimed.len(),
        APPS as usize,
        "no application was claimed twice: {claimed:?}"
    );
    assert_eq!(distinct, submitted);
    for id in distinct {
        assert_eq!(db.store.application(id).await.unwrap().unwrap().attempts, 1);
    }
}

pub async fn complete_supersedes_and_notifies(db: TestDb) {
    let o = office(&db, 1, Some(13)).await;
    let s = &db.store;

    // A 介護DX certificate, issued without mail: it must survive the 介護保険 renewals.
    let dx_app = claimed(&db, o.id, CertKind::KaigoDx, "dx").await;
    let dx_cert = new_certificate(o.id, dx_app, CertKind::KaigoDx, "dd", 4_000);
    let dx = s
        .complete_application(dx_app, &dx_cert, &issued_notice(&o, 4_000), None)
        .await
        .unwrap();

    let app1 = claimed(&db, o.id, CertKind::KaigoHoken, "h1").await;
    let cert1 = new_certificate(o.id, app1, CertKind::KaigoHoken, "0a", 5_000);
    let mail = issued_mail(&o, 5_000);
    let c1 = s
        .complete_application(app1, &cert1, &issued_notice(&o, 5_000), Some(&mail))
        .await
        .unwrap();

    let done = s.application(app1).await.unwrap().unwrap();
    assert_eq!(done.state, ApplicationState::Done);
    assert_eq!(done.certificate_id, Some(c1));
    assert_eq!(done.sealed_password, None, "the sealed password is erased");
    assert_eq!(pending_key(&db, app1).await, None);
    let record = s.certificate(c1).await.unwrap().unwrap();
    assert_eq!(
        (record.status, record.serial.as_str()),
        (CertStatus::Valid, "a")
    );
    assert_eq!(
        (record.office_id, record.application_id, record.kind),
        (o.id, app1, CertKind::KaigoHoken)
    );
    assert_eq!((record.not_before, record.issued_at), (5_000, 5_000));
    assert_eq!(
        (record.subject.as_str(), record.fingerprint_sha256.as_str()),
        ("CN=KaigoJigyousho", "fp-0a")
    );
    assert_eq!((record.revoked_at, record.revocation_reason), (None, None));
    assert_eq!(s.pkcs12(c1).await.unwrap().as_deref(), Some(&b"p12-0a"[..]));
    assert_eq!(
        s.certificate_der(c1).await.unwrap().as_deref(),
        Some(&b"der-0a"[..])
    );

    let notices = s.notices_for_office(&o, 5_000, 10, 0).await.unwrap();
    assert_eq!(notices.len(), 2, "one notice per issued certificate");
    assert_eq!(notices[0].notice.title, TITLE);
    assert_eq!(notices[0].notice.target, NoticeTarget::Office(o.id));
    let queued = s
        .claim_mail(5_000, 5_060)
        .await
        .unwrap()
        .expect("the issuance mail");
    assert_eq!(
        (queued.to.as_str(), queued.subject.as_str()),
        ("office1@example.jp", mail.subject.as_str())
    );
    s.mark_mail_sent(queued.id, queued.attempts, 5_001)
        .await
        .unwrap();

    // A renewal supersedes the first certificate of its kind, in the same transaction.
    let app2 = claimed(&db, o.id, CertKind::KaigoHoken, "h2").await;
    let cert2 = new_certificate(o.id, app2, CertKind::KaigoHoken, "0b", 6_000);
    let c2 = s
        .complete_application(app2, &cert2, &issued_notice(&o, 6_000), None)
        .await
        .unwrap();
    let old = s.certificate(c1).await.unwrap().unwrap();
    assert_eq!(old.status, CertStatus::Revoked);
    assert_eq!(old.revoked_at, Some(6_000));
    assert_eq!(old.revocation_reason, Some(RevocationReason::Superseded));
    assert_eq!(
        s.certificate(c2).await.unwrap().unwrap().status,
        CertStatus::Valid
    );
    assert_eq!(
        s.certificate(dx).await.unwrap().unwrap().status,
        CertStatus::Valid,
        "other kind untouched"
    );
    let list = s
        .certificates_for_office(o.id, CertKind::KaigoHoken)
        .await
        .unwrap();
    assert_eq!(
        list.iter().map(|c| c.id).collect::<Vec<_>>(),
        [c2, c1],
        "newest first"
    );
    assert_eq!(
        s.certificates_for_office(o.id, CertKind::KaigoDx)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        s.claim_mail(6_000, 6_060).await.unwrap().is_none(),
        "no mail without an address"
    );
    assert_eq!(
        s.pkcs12(kaigo_core::ids::CertificateId(9_999))
            .await
            .unwrap(),
        None
    );
    assert!(
        s.certificate(kaigo_core::ids::CertificateId(9_999))
            .await
            .unwrap()
            .is_none()
    );

    // The gauges of /metrics: by state, and a valid certificate past notAfter is `expired`.
    use kaigo_core::health::repo::HealthRepo;
    let count = |v: &[(String, i64)]| {
        v.iter()
            .map(|(l, n)| format!("{l}={n}"))
            .collect::<Vec<_>>()
    };
    let stats = s.service_stats(7_000).await.unwrap();
    assert!(
        stats.applications.is_empty(),
        "done ones are not counted: {:?}",
        stats.applications
    );
    assert_eq!(count(&stats.certificates), ["revoked=1", "valid=2"]);
    assert!(
        stats.mail.is_empty(),
        "sent mail is not counted: {:?}",
        stats.mail
    );
    let later = s.service_stats(6_000 + 6 * 365 * 86_400).await.unwrap();
    assert_eq!(count(&later.certificates), ["expired=2", "revoked=1"]);
}

pub async fn complete_is_all_or_nothing(db: TestDb) {
    let o = office(&db, 1, None).await;
    let s = &db.store;
    let app1 = claimed(&db, o.id, CertKind::KaigoHoken, "h1").await;
    let cert1 = new_certificate(o.id, app1, CertKind::KaigoHoken, "01", 5_000);
    let mail = NewMail {
        to: "x@example.jp".into(),
        subject: "s".into(),
        body: "b".into(),
        created_at: 1,
    };
    let c1 = s
        .complete_application(app1, &cert1, &issued_notice(&o, 5_000), Some(&mail))
        .await
        .unwrap();

    // A duplicate serial fails the whole completion: nothing of it remains.
    let app2 = claimed(&db, o.id, CertKind::KaigoHoken, "h2").await;
    let duplicate = new_certificate(o.id, app2, CertKind::KaigoHoken, "01", 6_000);
    assert!(matches!(
        s.complete_application(app2, &duplicate, &issued_notice(&o, 6_000), Some(&mail))
            .await,
        Err(RepoError::Conflict(_))
    ));
    let still = s.application(app2).await.unwrap().unwrap();
    assert_eq!(still.state, ApplicationState::Running);
    assert!(still.sealed_password.is_some());
    assert!(pending_key(&db, app2).await.is_some());
    assert_eq!(
        s.certificate(c1).await.unwrap().unwrap().status,
        CertStatus::Valid
    );
    assert_eq!(db.raw_i64("SELECT COUNT(*) FROM notices").await, 1);
    assert_eq!(db.raw_i64("SELECT COUNT(*) FROM mail_outbox").await, 1);
    assert_eq!(db.raw_i64("SELECT COUNT(*) FROM certificates").await, 1);

    // The application is still running, so a correct retry completes it.
    let cert2 = new_certificate(o.id, app2, CertKind::KaigoHoken, "02", 6_000);
    s.complete_application(app2, &cert2, &issued_notice(&o, 6_000), None)
        .await
        .unwrap();
    // Completing twice (a second worker after a lease expiry) is refused.
    let cert3 = new_certificate(o.id, app2, CertKind::KaigoHoken, "03", 6_001);
    assert!(matches!(
        s.complete_application(app2, &cert3, &issued_notice(&o, 6_001), None)
            .await,
        Err(RepoError::Conflict(_))
    ));
    // Only a claimed application can be completed.
    let (queued, _) = submit(&db, o.id, CertKind::KaigoDx, "dx").await;
    let cert4 = new_certificate(o.id, queued.id, CertKind::KaigoDx, "04", 7_000);
    assert!(matches!(
        s.complete_application(queued.id, &cert4, &issued_notice(&o, 7_000), None)
            .await,
        Err(RepoError::Conflict(_))
    ));
    let missing = new_certificate(o.id, ApplicationId(9_999), CertKind::KaigoDx, "05", 7_000);
    assert!(matches!(
        s.complete_application(
            ApplicationId(9_999),
            &missing,
            &issued_notice(&o, 7_000),
            None
        )
        .await,
        Err(RepoError::NotFound)
    ));
    // A certificate built for another application is a bug, not a conflict.
    assert!(matches!(
        s.complete_application(queued.id, &cert3, &issued_notice(&o, 7_000), None)
            .await,
        Err(RepoError::Backend(_))
    ));
    assert_eq!(db.raw_i64("SELECT COUNT(*) FROM certificates").await, 2);
}

pub async fn fail_paths(db: TestDb) {
    let o = office(&db, 1, None).await;
    let s = &db.store;
    let id = claimed(&db, o.id, CertKind::KaigoHoken, "h1").await;

    s.fail_application(id, "HSM busy", Some(1_100))
        .await
        .unwrap();
    let app = s.application(id).await.unwrap().unwrap();
    assert_eq!(app.state, ApplicationState::Queued);
    assert_eq!(app.last_error.as_deref(), Some("HSM busy"));
    assert!(app.sealed_password.is_some(), "kept for the retry");
    assert!(
        pending_key(&db, id).await.is_some(),
        "still the office's waiting application"
    );
    assert_eq!(
        submit(&db, o.id, CertKind::KaigoHoken, "other").await.0.id,
        id
    );

    assert_eq!(
        s.claim_application(1_100, 1_200).await.unwrap().unwrap().id,
        id
    );
    let long = "エ".repeat(5_000);
    s.fail_application(id, &long, None).await.unwrap();
    let app = s.application(id).await.unwrap().unwrap();
    assert_eq!(app.state, ApplicationState::Failed);
    assert_eq!(app.sealed_password, None, "erased when failed for good");
    assert_eq!(
        app.last_error.map(|e| e.chars().count()),
        Some(2_000),
        "error text clipped"
    );
    assert_eq!(pending_key(&db, id).await, None);
    assert!(s.claim_application(5_000, 5_100).await.unwrap().is_none());

    assert!(matches!(
        s.fail_application(id, "again", None).await,
        Err(RepoError::Conflict(_))
    ));
    assert!(matches!(
        s.fail_application(ApplicationId(9_999), "x", Some(1)).await,
        Err(RepoError::NotFound)
    ));
    let (new, created) = submit(&db, o.id, CertKind::KaigoHoken, "after-failure").await;
    assert!(created && new.id != id);
}

/// A worker alive renews its lease, so its job is not taken by another; a job that is not
/// running (done, failed) has no lease to renew.
pub async fn lease_renewal_keeps_a_running_job(db: TestDb) {
    let s = &db.store;
    let o = office(&db, 1, None).await;
    let id = submit(&db, o.id, CertKind::KaigoDx, "k").await.0.id;
    let got = s.claim_application(1_000, 1_030).await.unwrap().unwrap();
    assert_eq!((got.id, got.attempts), (id, 1));
    // Renewed before it ran out: at 1_040 another worker finds nothing to take.
    assert!(s.renew_application_lease(id, 1, 1_060).await.unwrap());
    assert!(s.claim_application(1_040, 1_070).await.unwrap().is_none());
    // Not renewed: once it runs out, the job is taken again (a crashed node).
    let again = s.claim_application(1_061, 1_091).await.unwrap().unwrap();
    assert_eq!((again.id, again.attempts), (id, 2));
    // The first worker, back from a stall, cannot extend the new owner's lease.
    assert!(!s.renew_application_lease(id, 1, 5_000).await.unwrap());
    assert!(
        s.claim_application(1_092, 1_100).await.unwrap().is_some(),
        "not extended"
    );
    s.fail_application(id, "gave up", None).await.unwrap();
    assert!(!s.renew_application_lease(id, 3, 2_000).await.unwrap());
}
