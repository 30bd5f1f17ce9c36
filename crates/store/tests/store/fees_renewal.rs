//! The fee ledger (charge in the completing transaction, payments, balance) and the renewal
//! notice marks.

use kaigo_core::RepoError;
use kaigo_core::certificate::CertKind;
use kaigo_core::certificate::repo::{ApplicationRepo, CertificateRepo, RenewalRepo};
use kaigo_core::fee::repo::FeeRepo;
use kaigo_core::fee::{FeeEntryKind, NewFeeEntry, PaymentMethod};
use kaigo_core::ids::{ApplicationId, OfficeId};
use kaigo_core::mail::NewMail;
use kaigo_core::mail::repo::MailRepo;
use kaigo_core::notice::repo::NoticeRepo;
use kaigo_core::notice::{NewNotice, NoticeCategory, NoticeTarget};
use kaigo_core::office::Office;

use crate::harness::{TestDb, new_application, new_certificate, office};

async fn claimed(db: &TestDb, office: OfficeId, kind: CertKind, key: &str) -> ApplicationId {
    let (app, created) = db
        .store
        .submit_application(&new_application(office, kind, key, 1_000))
        .await
        .unwrap();
    assert!(created);
    let got = db
        .store
        .claim_application(1_000, 1_060)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.id, app.id);
    app.id
}

fn notice(office: &Office, title: &str, at: i64) -> NewNotice {
    NewNotice {
        category: NoticeCategory::Certificate,
        title: title.into(),
        body: "本文".into(),
        target: NoticeTarget::Office(office.id),
        start_at: at,
        end_at: None,
        created_at: at,
    }
}

pub async fn ledger_charges_with_the_certificate(db: TestDb) {
    let o = office(&db, 1, Some(13)).await;
    let other = office(&db, 2, Some(27)).await;
    let s = &db.store;
    assert_eq!(s.fee_balance(o.id).await.unwrap(), 0);

    // DX: free, no entry.
    let dx = claimed(&db, o.id, CertKind::KaigoDx, "dx").await;
    s.complete_application(
        dx,
        &new_certificate(o.id, dx, CertKind::KaigoDx, "d1", 2_000),
        &notice(&o, "証明書発行完了通知", 2_000),
        None,
    )
    .await
    .unwrap();
    assert_eq!(s.fee_balance(o.id).await.unwrap(), 0);

    // 介護保険: charged in the same transaction.
    let h = claimed(&db, o.id, CertKind::KaigoHoken, "h1").await;
    let cert = s
        .complete_application_with_fee(
            h,
            &new_certificate(o.id, h, CertKind::KaigoHoken, "a1", 3_000),
            &notice(&o, "証明書発行完了通知", 3_000),
            None,
            7_800,
        )
        .await
        .unwrap();
    assert_eq!(s.fee_balance(o.id).await.unwrap(), 7_800);
    assert_eq!(s.fee_balance(other.id).await.unwrap(), 0, "per office");
    let entries = s.fee_entries(o.id).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].kind, FeeEntryKind::Charge);
    assert_eq!(entries[0].certificate_id, Some(cert));
    assert_eq!((entries[0].amount, entries[0].at), (7_800, 3_000));

    // A second completion of the same application fails and charges nothing more.
    let again = s
        .complete_application_with_fee(
            h,
            &new_certificate(o.id, h, CertKind::KaigoHoken, "a2", 3_100),
            &notice(&o, "証明書発行完了通知", 3_100),
            None,
            7_800,
        )
        .await;
    assert!(matches!(again, Err(RepoError::Conflict(_))), "{again:?}");
    assert_eq!(s.fee_balance(o.id).await.unwrap(), 7_800);

    // Payments.
    s.add_fee_entry(&NewFeeEntry {
        office_id: o.id,
        kind: FeeEntryKind::Payment,
        amount: -5_000,
        method: Some(PaymentMethod::Transfer),
        note: String::new(),
        certificate_id: None,
        at: 4_000,
    })
    .await
    .unwrap();
    assert_eq!(s.fee_balance(o.id).await.unwrap(), 2_800);
    s.add_fee_entry(&NewFeeEntry {
        office_id: o.id,
        kind: FeeEntryKind::Payment,
        amount: -2_800,
        method: Some(PaymentMethod::Offset),
        note: "相殺".into(),
        certificate_id: None,
        at: 4_100,
    })
    .await
    .unwrap();
    assert_eq!(s.fee_balance(o.id).await.unwrap(), 0);
    let entries = s.fee_entries(o.id).await.unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[2].method, Some(PaymentMethod::Offset));
    assert_eq!(entries[2].note, "相殺");

    // An unknown office is refused.
    let missing = s
        .add_fee_entry(&NewFeeEntry {
            office_id: OfficeId(999_999),
            kind: FeeEntryKind::Payment,
            amount: -1,
            method: Some(PaymentMethod::Transfer),
            note: String::new(),
            certificate_id: None,
            at: 4_200,
        })
        .await;
    assert!(matches!(missing, Err(RepoError::NotFound)), "{missing:?}");
}

pub async fn renewal_keeps_the_current_certificate(db: TestDb) {
    let o = office(&db, 1, Some(13)).await;
    let s = &db.store;
    let a1 = claimed(&db, o.id, CertKind::KaigoDx, "r1").await;
    let c1 = new_certificate(o.id, a1, CertKind::KaigoDx, "b1", 2_000);
    let end = c1.not_after;
    let id1 = s
        .complete_application(a1, &c1, &notice(&o, "t", 2_000), None)
        .await
        .unwrap();
    // The renewal starts when the current one ends: the current one stays valid.
    let a2 = claimed(&db, o.id, CertKind::KaigoDx, "r2").await;
    let mut c2 = new_certificate(o.id, a2, CertKind::KaigoDx, "b2", 3_000);
    c2.not_before = end;
    c2.not_after = end + 1_000_000;
    s.complete_application(a2, &c2, &notice(&o, "t", 3_000), None)
        .await
        .unwrap();
    let first = s.certificate(id1).await.unwrap().unwrap();
    assert_eq!(first.status.code(), "valid");
}

pub async fn renewal_notice_marks(db: TestDb) {
    let o = office(&db, 1, Some(13)).await;
    let s = &db.store;
    let a = claimed(&db, o.id, CertKind::KaigoHoken, "n1").await;
    let c = new_certificate(o.id, a, CertKind::KaigoHoken, "c1", 2_000);
    let not_after = c.not_after;
    let cert = s
        .complete_application(a, &c, &notice(&o, "証明書発行完了通知", 2_000), None)
        .await
        .unwrap();

    // Outside the window: nothing due.
    assert!(
        s.certificates_due_for_renewal_notice(2_000, not_after - 1)
            .await
            .unwrap()
            .is_empty()
    );
    let now = not_after - 90 * 86_400;
    let due = s
        .certificates_due_for_renewal_notice(now, not_after)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].id, cert);

    let mail = NewMail {
        to: "office1@example.jp".into(),
        subject: "【電子請求受付システム】証明書有効期限切れ事前通知".into(),
        body: "本文".into(),
        created_at: now,
    };
    let n = notice(&o, "証明書有効期限切れ事前通知", now);
    assert!(
        s.post_renewal_notice(cert, &n, Some(&mail), now)
            .await
            .unwrap()
    );
    assert!(
        !s.post_renewal_notice(cert, &n, Some(&mail), now + 1)
            .await
            .unwrap(),
        "the second post is refused"
    );
    assert!(
        s.certificates_due_for_renewal_notice(now, not_after)
            .await
            .unwrap()
            .is_empty(),
        "marked"
    );
    let titles: Vec<_> = s
        .notices_for_office(&o, now, 10, 0)
        .await
        .unwrap()
        .into_iter()
        .filter(|v| v.notice.title == "証明書有効期限切れ事前通知")
        .collect();
    assert_eq!(titles.len(), 1, "one notice");
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM mail_outbox").await,
        1,
        "one mail"
    );
    assert!(s.claim_mail(now, now + 60).await.unwrap().is_some());
}
