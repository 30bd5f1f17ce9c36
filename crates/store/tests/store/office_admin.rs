//! The console's office administration: search, bulk insert, edit, status, close with
//! revocation, login reset, letter batches.

use kaigo_core::RepoError;
use kaigo_core::account::repo::{SessionRecord, SessionRepo};
use kaigo_core::certificate::repo::{ApplicationRepo, CertificateRepo};
use kaigo_core::certificate::revocation::RevocationReason;
use kaigo_core::certificate::{CertKind, CertStatus};
use kaigo_core::ids::{OfficeId, OfficeNumber, PrefectureCode};
use kaigo_core::notice::{NewNotice, NoticeCategory, NoticeTarget};
use kaigo_core::office::admin::{LetterKind, NewLetterBatch, OfficeEdit, OfficeQuery};
use kaigo_core::office::repo::{OfficeAdminRepo, OfficeRepo};
use kaigo_core::office::{OfficeKind, OfficeStatus};

use crate::harness::{TestDb, new_application, new_certificate, new_office, office};

fn p(n: u8) -> Option<PrefectureCode> {
    Some(PrefectureCode::new(n).unwrap())
}

pub async fn search_bulk_insert_and_edit(db: TestDb) {
    let s = &db.store;
    let mut batch: Vec<_> = (1..=30).map(|n| new_office(n, Some(13))).collect();
    for o in batch.iter_mut().skip(20) {
        o.prefecture = p(27);
        o.name = format!("大阪_%事業所{}", o.number);
    }
    let inserted = s.insert_offices(&batch).await.unwrap();
    assert_eq!(inserted.len(), 30);
    assert!(inserted.iter().all(|o| o.must_change_password));
    let q13 = OfficeQuery {
        prefecture: p(13),
        ..Default::default()
    };
    assert_eq!(s.count_offices(&q13).await.unwrap(), 20);
    let page2 = s.search_offices(&q13, 8, 16).await.unwrap();
    assert_eq!(page2.len(), 4);
    assert!(page2.iter().all(|o| o.prefecture == p(13)));
    assert!(page2.windows(2).all(|w| w[0].number < w[1].number));
    assert_eq!(s.count_offices(&OfficeQuery::default()).await.unwrap(), 30);
    // Keyword: a number prefix, or part of the name; LIKE wildcards are literal.
    let by_number = OfficeQuery {
        keyword: Some("130000000".into()),
        ..Default::default()
    };
    assert_eq!(s.count_offices(&by_number).await.unwrap(), 9);
    let by_name = OfficeQuery {
        keyword: Some("_%".into()),
        ..Default::default()
    };
    assert_eq!(s.count_offices(&by_name).await.unwrap(), 10);
    let scoped = OfficeQuery {
        prefecture: p(13),
        keyword: Some("大阪".into()),
        ..Default::default()
    };
    assert_eq!(s.count_offices(&scoped).await.unwrap(), 0);

    // All or nothing: one duplicate number rolls the whole batch back.
    let again = vec![new_office(31, Some(13)), new_office(5, Some(13))];
    assert!(matches!(
        s.insert_offices(&again).await,
        Err(RepoError::Duplicate(_))
    ));
    let n31 = OfficeNumber::parse("1300000031").unwrap();
    assert!(s.office_by_number(&n31).await.unwrap().is_none());
    let known = s
        .registered_office_numbers(&[n31.clone(), inserted[0].number.clone()])
        .await
        .unwrap();
    assert_eq!(known, vec![inserted[0].number.clone()]);

    let edit = OfficeEdit {
        name: "新しい名前".into(),
        kind: OfficeKind::CarePlan,
        postal_code: "530-0001".into(),
        address: "大阪府大阪市北区1".into(),
        email: None,
    };
    s.update_office(inserted[0].id, &edit).await.unwrap();
    let o = s.office_by_id(inserted[0].id).await.unwrap().unwrap();
    assert_eq!(
        (o.name.as_str(), o.kind, o.email.as_deref()),
        ("新しい名前", OfficeKind::CarePlan, None)
    );
    assert_eq!(o.number, inserted[0].number, "the number never changes");
    assert!(matches!(
        s.update_office(OfficeId(999_999), &edit).await,
        Err(RepoError::NotFound)
    ));
}

async fn session_of(db: &TestDb, office: OfficeId, token: &str) {
    db.store
        .insert_session(&SessionRecord {
            token_hash: token.into(),
            office_id: Some(office),
            csrf_token: "c".into(),
            data: "{}".into(),
            created_at: 1_000,
            expires_at: 9_000_000_000,
        })
        .await
        .unwrap();
}

pub async fn status_close_and_login_reset(db: TestDb) {
    let s = &db.store;
    let o = office(&db, 1, Some(13)).await;
    let other = office(&db, 2, Some(13)).await;
    session_of(&db, o.id, "t1").await;
    s.set_office_status(o.id, OfficeStatus::Suspended)
        .await
        .unwrap();
    assert_eq!(
        s.office_by_id(o.id).await.unwrap().unwrap().status,
        OfficeStatus::Suspended
    );
    assert!(
        s.session("t1", 2_000).await.unwrap().is_none(),
        "sessions end on suspend"
    );
    s.set_office_status(o.id, OfficeStatus::Active)
        .await
        .unwrap();
    let q = OfficeQuery {
        status: Some(OfficeStatus::Active),
        ..Default::default()
    };
    assert_eq!(s.count_offices(&q).await.unwrap(), 2);

    // Two valid certificates, one of the other office, one queued application.
    let notice = NewNotice {
        category: NoticeCategory::Certificate,
        title: "発行".into(),
        body: "".into(),
        target: NoticeTarget::Office(o.id),
        start_at: 1_000,
        end_at: None,
        created_at: 1_000,
    };
    let mut certs = Vec::new();
    for (who, kind, key, serial) in [
        (o.id, CertKind::KaigoDx, "a", "0a"),
        (o.id, CertKind::KaigoHoken, "b", "0b"),
        (other.id, CertKind::KaigoDx, "c", "0c"),
    ] {
        s.submit_application(&new_application(who, kind, key, 1_000))
            .await
            .unwrap();
        let app = s.claim_application(1_000, 1_060).await.unwrap().unwrap();
        let cert = new_certificate(who, app.id, kind, serial, 1_000);
        certs.push(
            s.complete_application(app.id, &cert, &notice, None)
                .await
                .unwrap(),
        );
    }
    let (queued, _) = s
        .submit_application(&new_application(o.id, CertKind::KaigoDx, "q", 1_500))
        .await
        .unwrap();
    session_of(&db, o.id, "t2").await;

    assert_eq!(s.close_office(o.id, 7_777).await.unwrap(), 2);
    assert_eq!(
        s.office_by_id(o.id).await.unwrap().unwrap().status,
        OfficeStatus::Closed
    );
    assert!(s.session("t2", 2_000).await.unwrap().is_none());
    for id in &certs[..2] {
        let c = s.certificate(*id).await.unwrap().unwrap();
        assert_eq!(c.status, CertStatus::Revoked);
        assert_eq!(c.revoked_at, Some(7_777));
        assert_eq!(
            c.revocation_reason,
            Some(RevocationReason::CessationOfOperation)
        );
    }
    let kept = s.certificate(certs[2]).await.unwrap().unwrap();
    assert_eq!(
        kept.status,
        CertStatus::Valid,
        "another office's certificate stays valid"
    );
    let app = s.application(queued.id).await.unwrap().unwrap();
    assert_eq!(app.state, kaigo_core::certificate::ApplicationState::Failed);
    assert!(matches!(
        s.close_office(OfficeId(999_999), 1).await,
        Err(RepoError::NotFound)
    ));

    session_of(&db, other.id, "t3").await;
    s.set_login_hash(other.id, "$argon2id$changed", false)
        .await
        .unwrap();
    s.reset_login_password(other.id, "$argon2id$temp")
        .await
        .unwrap();
    let o2 = s.office_by_id(other.id).await.unwrap().unwrap();
    assert_eq!(o2.login_hash, "$argon2id$temp");
    assert!(o2.must_change_password);
    assert!(s.session("t3", 2_000).await.unwrap().is_none());
}

pub async fn letter_batches_expire(db: TestDb) {
    let s = &db.store;
    let new = |created_at: i64| NewLetterBatch {
        kind: LetterKind::Registration,
        prefecture: p(13),
        created_by: "admin:fed13".into(),
        office_count: 2,
        sealed: vec![0, 1, 2, 255],
        created_at,
        expires_at: created_at + 100,
    };
    let a = s.insert_letter_batch(&new(1_000)).await.unwrap();
    let b = s
        .insert_letter_batch(&NewLetterBatch {
            prefecture: None,
            kind: LetterKind::LoginReissue,
            ..new(2_000)
        })
        .await
        .unwrap();
    let got = s.letter_batch(a, 1_050).await.unwrap().unwrap();
    assert_eq!(
        (got.kind, got.prefecture, got.office_count),
        (LetterKind::Registration, p(13), 2)
    );
    assert_eq!(got.sealed, vec![0, 1, 2, 255]);
    assert!(s.letter_batch(a, 1_100).await.unwrap().is_none(), "expired");
    let got_b = s.letter_batch(b, 2_050).await.unwrap().unwrap();
    assert_eq!(
        (got_b.kind, got_b.prefecture),
        (LetterKind::LoginReissue, None)
    );
    assert_eq!(s.purge_letter_batches(1_100).await.unwrap(), 1);
    assert!(s.letter_batch(a, 0).await.unwrap().is_none(), "purged");
    assert!(s.delete_letter_batch(b).await.unwrap());
    assert!(!s.delete_letter_batch(b).await.unwrap());
}
