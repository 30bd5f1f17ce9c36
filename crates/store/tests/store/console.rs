//! The console's store methods: certificate search and revocation, the inquiry inbox with
//! replies, and the audit search.

use kaigo_core::audit::AuditEvent;
use kaigo_core::audit::repo::{AuditRepo, AuditSearchRepo};
use kaigo_core::audit::search::AuditQuery;
use kaigo_core::certificate::query::{CertState, CertificateQuery};
use kaigo_core::certificate::repo::{CertificateAdminRepo, CertificateRepo};
use kaigo_core::certificate::revocation::RevocationReason;
use kaigo_core::certificate::{CertKind, CertStatus};
use kaigo_core::ids::{OfficeId, PrefectureCode, Serial};
use kaigo_core::inquiry::admin::{InquiryReply, InquiryScope, InquiryStatus};
use kaigo_core::inquiry::repo::{InquiryAdminRepo, InquiryRepo};
use kaigo_core::inquiry::{InquiryCategory, NewInquiry};
use kaigo_core::mail::NewMail;
use kaigo_core::mail::repo::MailRepo;
use kaigo_core::notice::repo::NoticeRepo;
use kaigo_core::notice::{NewNotice, NoticeCategory, NoticeTarget};

use crate::harness::{TestDb, issue, office};

fn q(now: i64) -> CertificateQuery {
    CertificateQuery {
        now,
        ..CertificateQuery::default()
    }
}

async fn serials(db: &TestDb, query: &CertificateQuery) -> Vec<String> {
    let rows = db.store.search_certificates(query, 100, 0).await.unwrap();
    assert_eq!(
        db.store.count_certificates(query).await.unwrap(),
        rows.len() as i64
    );
    rows.iter().map(|r| r.cert.serial.to_string()).collect()
}

pub async fn certificate_search_and_revoke(db: TestDb) {
    let a = office(&db, 1, Some(13)).await;
    let b = office(&db, 2, Some(27)).await;
    let c = office(&db, 3, None).await;
    let ca = issue(&db, a.id, CertKind::KaigoDx, "a1", 1_000).await;
    issue(&db, a.id, CertKind::KaigoHoken, "a2", 2_000).await;
    let cb = issue(&db, b.id, CertKind::KaigoDx, "b1", 3_000).await;
    issue(&db, c.id, CertKind::KaigoDx, "c1", 4_000).await;
    let now = 5_000;

    assert_eq!(serials(&db, &q(now)).await, ["c1", "b1", "a2", "a1"]);
    // The prefecture scope excludes other prefectures and offices without one.
    let mut scoped = q(now);
    scoped.prefecture = Some(PrefectureCode::new(13).unwrap());
    assert_eq!(serials(&db, &scoped).await, ["a2", "a1"]);
    let mut by = q(now);
    by.office_number = Some(b.number.clone());
    assert_eq!(serials(&db, &by).await, ["b1"]);
    let mut by = q(now);
    by.user_id = Some(a.user_id.clone());
    by.kind = Some(CertKind::KaigoHoken);
    assert_eq!(serials(&db, &by).await, ["a2"]);
    let mut by = q(now);
    by.serial_prefix = Some(Serial::parse("B").unwrap());
    assert_eq!(serials(&db, &by).await, ["b1"]);
    // Expiry range (certificates run five years from issuance).
    let five_years = 5 * 365 * 86_400;
    let mut by = q(now);
    by.expires_from = Some(2_000 + five_years);
    by.expires_to = Some(3_000 + five_years);
    assert_eq!(serials(&db, &by).await, ["b1", "a2"]);
    // Expired is computed at `now`.
    let mut by = q(1_000 + five_years + 1);
    by.state = Some(CertState::Expired);
    assert_eq!(serials(&db, &by).await, ["a1"]);

    // Revocation: once, recorded with time and reason.
    assert!(
        db.store
            .revoke_certificate(ca, 6_000, RevocationReason::KeyCompromise, None)
            .await
            .unwrap()
    );
    assert!(
        !db.store
            .revoke_certificate(ca, 6_001, RevocationReason::Unspecified, None)
            .await
            .unwrap()
    );
    let rec = db.store.certificate(ca).await.unwrap().unwrap();
    assert_eq!(rec.status, CertStatus::Revoked);
    assert_eq!(rec.revoked_at, Some(6_000));
    assert_eq!(rec.revocation_reason, Some(RevocationReason::KeyCompromise));
    let mut by = q(now);
    by.state = Some(CertState::Revoked);
    assert_eq!(serials(&db, &by).await, ["a1"]);
    let mut by = q(now);
    by.state = Some(CertState::Valid);
    assert_eq!(serials(&db, &by).await, ["c1", "b1", "a2"]);

    let listing = db.store.certificate_listing(cb).await.unwrap().unwrap();
    assert_eq!(listing.office_number, b.number);
    assert_eq!(listing.prefecture, Some(PrefectureCode::new(27).unwrap()));
    assert_eq!(listing.user_id, b.user_id);
    let by_serial = db
        .store
        .certificate_by_serial(&Serial::parse("B1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_serial.cert.id, cb);
    assert!(
        db.store
            .certificate_by_serial(&Serial::parse("ff").unwrap())
            .await
            .unwrap()
            .is_none()
    );
}

fn inquiry(o: OfficeId, subject: &str, at: i64) -> NewInquiry {
    NewInquiry {
        office_id: o,
        category: InquiryCategory::Other,
        subject: subject.into(),
        body: "質問です。".into(),
        reply_to: "reply@example.jp".into(),
        created_at: at,
    }
}

pub async fn inquiries_answer_and_close(db: TestDb) {
    let a = office(&db, 1, Some(13)).await;
    let b = office(&db, 2, Some(27)).await;
    let s = &db.store;
    let qa = s
        .insert_inquiry(&inquiry(a.id, "A", 100), None)
        .await
        .unwrap();
    let qb = s
        .insert_inquiry(&inquiry(b.id, "B", 200), None)
        .await
        .unwrap();
    // A public inquiry (no office).
    db.raw_execute(
        "INSERT INTO inquiries (office_id, category, subject, body, reply_to, status, created_at) \
         VALUES (NULL, 'other', 'P', 'public', 'p@example.jp', 'open', 300)",
    )
    .await;
    let subjects = |rows: Vec<kaigo_core::inquiry::admin::InquiryRecord>| {
        rows.into_iter().map(|r| r.subject).collect::<Vec<_>>()
    };
    let all = s
        .admin_inquiries(InquiryScope::All, None, 10, 0)
        .await
        .unwrap();
    assert_eq!(subjects(all), ["P", "B", "A"]);
    let p13 = InquiryScope::Prefecture(PrefectureCode::new(13).unwrap());
    assert_eq!(
        subjects(s.admin_inquiries(p13, None, 10, 0).await.unwrap()),
        ["A"]
    );
    assert_eq!(s.count_admin_inquiries(p13, None).await.unwrap(), 1);
    assert_eq!(
        s.count_admin_inquiries(InquiryScope::All, None)
            .await
            .unwrap(),
        3
    );
    let rec = s.admin_inquiry(qb).await.unwrap().unwrap();
    assert_eq!(rec.office_number, Some(b.number.clone()));
    assert_eq!(rec.prefecture, Some(PrefectureCode::new(27).unwrap()));
    assert_eq!(rec.status, InquiryStatus::Open);

    let reply = InquiryReply {
        id: qa,
        body: "回答です。".into(),
        by: "admin:fed13".into(),
        at: 500,
    };
    let notice = NewNotice {
        category: NoticeCategory::System,
        title: "お問い合わせへの回答".into(),
        body: "回答です。".into(),
        target: NoticeTarget::Office(a.id),
        start_at: 500,
        end_at: None,
        created_at: 500,
    };
    let mail = NewMail {
        to: "reply@example.jp".into(),
        subject: "回答".into(),
        body: "回答です。".into(),
        created_at: 500,
    };
    assert!(
        s.answer_inquiry(&reply, Some(&notice), Some(&mail))
            .await
            .unwrap()
    );
    // Once only: a second answer changes nothing and posts nothing.
    assert!(
        !s.answer_inquiry(&reply, Some(&notice), Some(&mail))
            .await
            .unwrap()
    );
    let rec = s.admin_inquiry(qa).await.unwrap().unwrap();
    assert_eq!(rec.status, InquiryStatus::Answered);
    assert_eq!(rec.reply_body.as_deref(), Some("回答です。"));
    assert_eq!(
        (rec.replied_at, rec.replied_by.as_deref()),
        (Some(500), Some("admin:fed13"))
    );
    assert_eq!(s.count_notices_for_office(&a, 1_000).await.unwrap(), 1);
    assert_eq!(s.count_notices_for_office(&b, 1_000).await.unwrap(), 0);
    let m = s.claim_mail(1_000, 2_000).await.unwrap().unwrap();
    assert_eq!(m.to, "reply@example.jp");
    assert!(
        s.claim_mail(1_000, 2_000).await.unwrap().is_none(),
        "one mail"
    );
    let answered = s
        .admin_inquiries(InquiryScope::All, Some(InquiryStatus::Answered), 10, 0)
        .await
        .unwrap();
    assert_eq!(subjects(answered), ["A"]);

    assert!(s.close_inquiry(qa, 600).await.unwrap());
    assert!(!s.close_inquiry(qa, 601).await.unwrap());
    let rec = s.admin_inquiry(qa).await.unwrap().unwrap();
    assert_eq!(
        (rec.status, rec.closed_at),
        (InquiryStatus::Closed, Some(600))
    );
    // A closed inquiry is not answered.
    let later = InquiryReply { id: qb, ..reply };
    assert!(s.close_inquiry(qb, 700).await.unwrap());
    assert!(!s.answer_inquiry(&later, None, Some(&mail)).await.unwrap());
}

pub async fn audit_search(db: TestDb) {
    let ev = |at: i64, actor: &str, action: &str, object: &str, source: &str| AuditEvent {
        at,
        actor: actor.into(),
        action: action.into(),
        object: object.into(),
        source: source.into(),
        detail: String::new(),
    };
    let s = &db.store;
    for e in [
        ev(100, "KJ000000000001", "login.success", "", "10.0.0.1"),
        ev(200, "KJ000000000001", "login.failure", "", "10.0.0.2"),
        ev(
            300,
            "admin:c1",
            "admin.certificate.revoke",
            "certificate:ab",
            "10.0.0.3",
        ),
        ev(400, "cli", "loginXsuccess", "office:1", ""),
    ] {
        s.append_audit(&e).await.unwrap();
    }
    let ids = |rows: Vec<kaigo_core::audit::search::AuditEntry>| {
        rows.into_iter().map(|r| r.event.at).collect::<Vec<_>>()
    };
    let all = AuditQuery::default();
    assert_eq!(
        ids(s.search_audit(&all, 10, 0).await.unwrap()),
        [400, 300, 200, 100]
    );
    assert_eq!(s.count_audit(&all).await.unwrap(), 4);
    assert_eq!(ids(s.search_audit(&all, 2, 1).await.unwrap()), [300, 200]);
    let q = AuditQuery {
        action_prefix: Some("login.".into()),
        ..AuditQuery::default()
    };
    // '.' is literal and '_' or '%' would be too.
    assert_eq!(ids(s.search_audit(&q, 10, 0).await.unwrap()), [200, 100]);
    let q = AuditQuery {
        action_prefix: Some("login_".into()),
        ..AuditQuery::default()
    };
    assert!(s.search_audit(&q, 10, 0).await.unwrap().is_empty());
    let q = AuditQuery {
        actor: Some("KJ000000000001".into()),
        source: Some("10.0.0.2".into()),
        ..AuditQuery::default()
    };
    assert_eq!(ids(s.search_audit(&q, 10, 0).await.unwrap()), [200]);
    let q = AuditQuery {
        object: Some("certificate:ab".into()),
        ..AuditQuery::default()
    };
    assert_eq!(ids(s.search_audit(&q, 10, 0).await.unwrap()), [300]);
    let q = AuditQuery {
        from: Some(200),
        to: Some(300),
        ..AuditQuery::default()
    };
    assert_eq!(ids(s.search_audit(&q, 10, 0).await.unwrap()), [300, 200]);
    assert_eq!(s.count_audit(&q).await.unwrap(), 2);
}
