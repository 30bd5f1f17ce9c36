//! Issue 4 §3–4: the console's fee records (who, payment date, balances per prefecture) and
//! notice management (author, scope listing, edit, withdrawal, attachments).

use kaigo_core::fee::admin::NewFeeRecord;
use kaigo_core::fee::repo::{AdminFeeRepo, FeeRepo};
use kaigo_core::fee::{FeeEntryKind, NewFeeEntry, PaymentMethod};
use kaigo_core::ids::{NoticeId, OfficeId, PrefectureCode};
use kaigo_core::notice::admin::NoticeEdit;
use kaigo_core::notice::attachment::NewAttachment;
use kaigo_core::notice::repo::{AdminNoticeRepo, NoticeRepo, NoticeSearchRepo};
use kaigo_core::notice::{NewNotice, NoticeCategory, NoticeTarget};

use crate::harness::{TestDb, office};

fn record(office: OfficeId, kind: FeeEntryKind, amount: i64, by: &str) -> NewFeeRecord {
    NewFeeRecord {
        entry: NewFeeEntry {
            office_id: office,
            kind,
            amount,
            method: (kind == FeeEntryKind::Payment).then_some(PaymentMethod::Transfer),
            note: "メモ".into(),
            certificate_id: None,
            at: 2_000,
        },
        entered_by: by.into(),
        paid_on: (kind == FeeEntryKind::Payment).then_some(1_900),
    }
}

pub async fn fee_records_and_balances(db: TestDb) {
    let s = &db.store;
    let a = office(&db, 1, Some(13)).await;
    let b = office(&db, 2, Some(27)).await;
    let zero = office(&db, 3, Some(13)).await;
    s.add_fee_record(&record(a.id, FeeEntryKind::Correction, 7_800, "admin:c"))
        .await
        .unwrap();
    s.add_fee_record(&record(a.id, FeeEntryKind::Payment, -3_000, "admin:f"))
        .await
        .unwrap();
    s.add_fee_record(&record(b.id, FeeEntryKind::Correction, 500, "admin:c"))
        .await
        .unwrap();
    s.add_fee_record(&record(zero.id, FeeEntryKind::Correction, 100, "admin:c"))
        .await
        .unwrap();
    s.add_fee_record(&record(zero.id, FeeEntryKind::Payment, -100, "admin:c"))
        .await
        .unwrap();
    // The balance the office sees is the ledger's sum.
    assert_eq!(s.fee_balance(a.id).await.unwrap(), 4_800);
    let recs = s.fee_records(a.id).await.unwrap();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1].entered_by, "admin:f");
    assert_eq!(recs[1].paid_on, Some(1_900));
    assert_eq!(recs[1].entry.method, Some(PaymentMethod::Transfer));
    assert_eq!(recs[0].paid_on, None);
    // Old-style entries read with defaults.
    s.add_fee_entry(&NewFeeEntry {
        office_id: b.id,
        kind: FeeEntryKind::Correction,
        amount: 1,
        method: None,
        note: String::new(),
        certificate_id: None,
        at: 3_000,
    })
    .await
    .unwrap();
    assert_eq!(s.fee_records(b.id).await.unwrap()[1].entered_by, "");

    let all = s.office_balances(None).await.unwrap();
    let numbers: Vec<_> = all.iter().map(|r| r.office.id).collect();
    assert_eq!(numbers, vec![a.id, b.id], "non-zero only, by number");
    assert_eq!(
        (all[0].charged, all[0].paid, all[0].balance),
        (7_800, 3_000, 4_800)
    );
    let p13 = s
        .office_balances(Some(PrefectureCode::new(13).unwrap()))
        .await
        .unwrap();
    assert_eq!(p13.len(), 1);
    assert_eq!(p13[0].office.id, a.id);
    assert!(
        s.office_balances(Some(PrefectureCode::new(1).unwrap()))
            .await
            .unwrap()
            .is_empty()
    );
    // Unknown office.
    assert!(
        s.add_fee_record(&record(OfficeId(999), FeeEntryKind::Correction, 1, "x"))
            .await
            .is_err()
    );
}

fn notice(title: &str, target: NoticeTarget) -> NewNotice {
    NewNotice {
        category: NoticeCategory::System,
        title: title.into(),
        body: "本文".into(),
        target,
        start_at: 1_000,
        end_at: None,
        created_at: 1_000,
    }
}

fn pdf(name: &str) -> NewAttachment {
    NewAttachment {
        filename: name.into(),
        content_type: "application/pdf".into(),
        bytes: b"%PDF-1.4".to_vec(),
    }
}

pub async fn notice_management(db: TestDb) {
    let s = &db.store;
    let a13 = office(&db, 1, Some(13)).await;
    let b27 = office(&db, 2, Some(27)).await;
    let p13 = PrefectureCode::new(13).unwrap();
    let p27 = PrefectureCode::new(27).unwrap();
    let all = s
        .create_admin_notice(&notice("全国", NoticeTarget::All), "admin:c", &[])
        .await
        .unwrap();
    let n13 = s
        .create_admin_notice(
            &notice("東京", NoticeTarget::Prefecture(p13)),
            "admin:f13",
            &[pdf("a.pdf")],
        )
        .await
        .unwrap();
    let n27 = s
        .create_admin_notice(
            &notice("大阪", NoticeTarget::Prefecture(p27)),
            "admin:c",
            &[],
        )
        .await
        .unwrap();
    let o13 = s
        .create_admin_notice(
            &notice("東京の事業所", NoticeTarget::Office(a13.id)),
            "admin:f13",
            &[],
        )
        .await
        .unwrap();
    let o27 = s
        .create_admin_notice(
            &notice("大阪の事業所", NoticeTarget::Office(b27.id)),
            "admin:c",
            &[],
        )
        .await
        .unwrap();

    let ids = |v: Vec<kaigo_core::notice::admin::AdminNotice>| {
        let mut v: Vec<i64> = v.into_iter().map(|n| n.notice.id.0).collect();
        v.sort();
        v
    };
    let mut every = vec![all.0, n13.0, n27.0, o13.0, o27.0];
    every.sort();
    assert_eq!(ids(s.admin_notices(None).await.unwrap()), every);
    let mut in13 = vec![all.0, n13.0, o13.0];
    in13.sort();
    assert_eq!(ids(s.admin_notices(Some(p13)).await.unwrap()), in13);

    let got = s.admin_notice(n13).await.unwrap().unwrap();
    assert_eq!(got.created_by, "admin:f13");
    assert_eq!(got.withdrawn_at, None);
    assert!(s.admin_notice(NoticeId(999)).await.unwrap().is_none());

    // Edit.
    let edit = NoticeEdit {
        category: NoticeCategory::Schedule,
        title: "東京（改）".into(),
        body: "新しい本文".into(),
        target: NoticeTarget::Office(a13.id),
        start_at: 1_500,
        end_at: Some(9_000),
        updated_at: 1_600,
    };
    assert!(s.update_notice(n13, &edit).await.unwrap());
    let got = s.admin_notice(n13).await.unwrap().unwrap().notice;
    assert_eq!(got.title, "東京（改）");
    assert_eq!(got.target, NoticeTarget::Office(a13.id));
    assert_eq!(
        (got.start_at, got.end_at, got.updated_at),
        (1_500, Some(9_000), 1_600)
    );
    assert!(
        s.notice_for_office(&a13, n13, 2_000)
            .await
            .unwrap()
            .is_some()
    );

    // Attachments.
    let before = s.admin_notice_attachments(n13).await.unwrap();
    assert_eq!(before.len(), 1);
    let added = s
        .add_notice_attachment(n13, &pdf("b.pdf"), 1_700)
        .await
        .unwrap();
    assert_eq!(s.admin_notice_attachments(n13).await.unwrap().len(), 2);
    assert!(
        !s.remove_notice_attachment(n27, added).await.unwrap(),
        "another notice's"
    );
    assert!(s.remove_notice_attachment(n13, added).await.unwrap());
    assert!(!s.remove_notice_attachment(n13, added).await.unwrap());
    assert!(
        s.add_notice_attachment(NoticeId(999), &pdf("c.pdf"), 1)
            .await
            .is_err()
    );

    // Withdrawal hides it from the office everywhere, keeps the row, and freezes it.
    assert!(s.withdraw_notice(n13, "admin:f13", 2_500).await.unwrap());
    assert!(!s.withdraw_notice(n13, "admin:f13", 2_600).await.unwrap());
    let got = s.admin_notice(n13).await.unwrap().unwrap();
    assert_eq!(got.withdrawn_at, Some(2_500));
    assert_eq!(got.withdrawn_by.as_deref(), Some("admin:f13"));
    assert!(
        s.notice_for_office(&a13, n13, 3_000)
            .await
            .unwrap()
            .is_none()
    );
    let listed: Vec<_> = s
        .notices_for_office(&a13, 3_000, 100, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.notice.id)
        .collect();
    assert!(!listed.contains(&n13));
    assert!(listed.contains(&all) && listed.contains(&o13));
    assert_eq!(s.count_notices_for_office(&a13, 3_000).await.unwrap(), 2);
    assert!(
        s.notice_attachments_for_office(&a13, n13, 3_000)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !s.update_notice(n13, &edit).await.unwrap(),
        "withdrawn: frozen"
    );
}
