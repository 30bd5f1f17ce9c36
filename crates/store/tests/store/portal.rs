//! Notice search, attachments, office documents (照会一覧) and inquiries.

use kaigo_core::document::repo::OfficeDocumentRepo;
use kaigo_core::document::{DocumentSource, NewOfficeDocument, OfficeDocumentId};
use kaigo_core::ids::{NoticeId, PrefectureCode};
use kaigo_core::inquiry::repo::InquiryRepo;
use kaigo_core::inquiry::{InquiryCategory, NewInquiry};
use kaigo_core::mail::NewMail;
use kaigo_core::mail::repo::MailRepo;
use kaigo_core::notice::attachment::{AttachmentId, NewAttachment};
use kaigo_core::notice::repo::{NoticeRepo, NoticeSearchRepo};
use kaigo_core::notice::search::{NoticeAudience, NoticeQuery};
use kaigo_core::notice::{NewNotice, NoticeCategory, NoticeTarget};
use kaigo_core::office::Office;

use crate::harness::{TestDb, office};

fn notice(title: &str, body: &str, target: NoticeTarget, start_at: i64) -> NewNotice {
    NewNotice {
        category: NoticeCategory::Reference,
        title: title.into(),
        body: body.into(),
        target,
        start_at,
        end_at: None,
        created_at: start_at,
    }
}

async fn titles(db: &TestDb, o: &Office, q: &NoticeQuery) -> Vec<String> {
    let list = db
        .store
        .search_notices_for_office(o, 10_000, q, 100, 0)
        .await
        .unwrap();
    let count = db
        .store
        .count_search_notices_for_office(o, 10_000, q)
        .await
        .unwrap();
    assert_eq!(count, list.len() as i64, "count agrees with the list");
    list.into_iter().map(|v| v.notice.title).collect()
}

fn kw(k: &str) -> NoticeQuery {
    NoticeQuery {
        keyword: Some(k.into()),
        ..Default::default()
    }
}

pub async fn search_by_each_criterion(db: TestDb) {
    let a = office(&db, 1, Some(13)).await;
    let b = office(&db, 2, Some(27)).await;
    let s = &db.store;
    let pref = NoticeTarget::Prefecture(PrefectureCode::new(13).unwrap());
    s.insert_notice(&notice("全体A", "Maintenance 予定", NoticeTarget::All, 100))
        .await
        .unwrap();
    s.insert_notice(&notice("東京向け", "100%達成_です", pref, 200))
        .await
        .unwrap();
    s.insert_notice(&notice(
        "自事業所",
        "PKI の説明",
        NoticeTarget::Office(a.id),
        300,
    ))
    .await
    .unwrap();
    s.insert_notice(&notice("他事業所", "PKI", NoticeTarget::Office(b.id), 300))
        .await
        .unwrap();
    s.insert_notice(&notice("未来", "PKI", NoticeTarget::All, 20_000))
        .await
        .unwrap();

    let all = NoticeQuery::default();
    assert_eq!(
        titles(&db, &a, &all).await,
        ["自事業所", "東京向け", "全体A"]
    );
    assert_eq!(titles(&db, &b, &all).await, ["他事業所", "全体A"]);
    let aud = |audience| NoticeQuery {
        audience,
        ..Default::default()
    };
    assert_eq!(titles(&db, &a, &aud(NoticeAudience::All)).await, ["全体A"]);
    assert_eq!(
        titles(&db, &a, &aud(NoticeAudience::Prefecture)).await,
        ["東京向け"]
    );
    assert_eq!(
        titles(&db, &a, &aud(NoticeAudience::Office)).await,
        ["自事業所"]
    );
    assert!(
        titles(&db, &b, &aud(NoticeAudience::Prefecture))
            .await
            .is_empty()
    );

    let range = |from: Option<i64>, to: Option<i64>| NoticeQuery {
        start_from: from,
        start_to: to,
        ..Default::default()
    };
    assert_eq!(
        titles(&db, &a, &range(Some(200), None)).await,
        ["自事業所", "東京向け"]
    );
    assert_eq!(titles(&db, &a, &range(None, Some(200))).await, ["全体A"]);
    assert_eq!(
        titles(&db, &a, &range(Some(150), Some(250))).await,
        ["東京向け"]
    );

    // Keyword: title or body, ASCII case-insensitive, full-width input, wildcards literal.
    assert_eq!(titles(&db, &a, &kw("pki")).await, ["自事業所"]);
    assert_eq!(titles(&db, &a, &kw("ＰＫＩ")).await, ["自事業所"]);
    assert_eq!(titles(&db, &a, &kw("maintenance")).await, ["全体A"]);
    assert_eq!(titles(&db, &a, &kw("東京")).await, ["東京向け"]);
    assert_eq!(titles(&db, &a, &kw("%")).await, ["東京向け"]);
    assert_eq!(titles(&db, &a, &kw("_")).await, ["東京向け"]);
    assert!(titles(&db, &a, &kw("0%達")).await.len() == 1);
    assert!(titles(&db, &a, &kw("1_0")).await.is_empty());
    assert!(titles(&db, &a, &kw("' OR 1=1 --")).await.is_empty());

    // Criteria combine; paging.
    let combined = NoticeQuery {
        audience: NoticeAudience::Office,
        keyword: Some("pki".into()),
        start_from: Some(300),
        start_to: Some(301),
    };
    assert_eq!(titles(&db, &a, &combined).await, ["自事業所"]);
    let page2 = s
        .search_notices_for_office(&a, 10_000, &all, 2, 2)
        .await
        .unwrap();
    assert_eq!(page2.len(), 1);
    assert_eq!(page2[0].notice.title, "全体A");
}

pub async fn attachments_follow_visibility(db: TestDb) {
    let a = office(&db, 1, Some(13)).await;
    let b = office(&db, 2, Some(13)).await;
    let s = &db.store;
    let zip = NewAttachment {
        filename: "証明書発行用パスワード通知書.zip".into(),
        content_type: "application/zip".into(),
        bytes: vec![0x50, 0x4b, 3, 4, 0, 0xff],
    };
    let pdf = NewAttachment {
        filename: "資料.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: b"%PDF-1.7".to_vec(),
    };
    let id = s
        .insert_notice_with_attachments(
            &notice("通知", "本文", NoticeTarget::Office(a.id), 100),
            &[zip.clone(), pdf.clone()],
        )
        .await
        .unwrap();
    let list = s.notice_attachments_for_office(&a, id, 200).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].filename, zip.filename);
    assert_eq!(list[0].size, 6);
    assert_eq!(list[1].size, 8);
    let got = s
        .notice_attachment_for_office(&a, list[0].id, 200)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.bytes, zip.bytes);
    assert_eq!(got.info.content_type, "application/zip");
    // Another office, or before the period: nothing.
    assert!(
        s.notice_attachments_for_office(&b, id, 200)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.notice_attachment_for_office(&b, list[0].id, 200)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.notice_attachment_for_office(&a, list[0].id, 50)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.notice_attachment_for_office(&a, AttachmentId(9_999), 200)
            .await
            .unwrap()
            .is_none()
    );

    // All or nothing: when the attachments cannot be stored, no notice is left behind.
    let before = s.count_notices_for_office(&a, 200).await.unwrap();
    db.raw_execute("DROP TABLE notice_attachments").await;
    let failed = s
        .insert_notice_with_attachments(
            &notice("消える", "y", NoticeTarget::Office(a.id), 100),
            std::slice::from_ref(&zip),
        )
        .await;
    assert!(failed.is_err());
    assert_eq!(s.count_notices_for_office(&a, 200).await.unwrap(), before);
    // Without attachments the same call still posts the notice.
    let _: NoticeId = s
        .insert_notice_with_attachments(
            &notice("添付なし", "y", NoticeTarget::Office(a.id), 100),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        s.count_notices_for_office(&a, 200).await.unwrap(),
        before + 1
    );
}

pub async fn office_documents_are_private(db: TestDb) {
    let a = office(&db, 1, Some(13)).await;
    let b = office(&db, 2, Some(13)).await;
    let s = &db.store;
    let doc = |office_id, at: i64, title: &str| NewOfficeDocument {
        office_id,
        kind: "estimate".into(),
        title: title.into(),
        filename: "見積書.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: format!("%PDF {title}").into_bytes(),
        created_at: at,
    };
    let d1 = s
        .insert_office_document(&doc(a.id, 100, "見積1"))
        .await
        .unwrap();
    let d2 = s
        .insert_office_document(&doc(a.id, 300, "見積2"))
        .await
        .unwrap();
    let db_ = s
        .insert_office_document(&doc(b.id, 200, "B見積"))
        .await
        .unwrap();
    let pw = NewAttachment {
        filename: "証明書発行用パスワード通知書.zip".into(),
        content_type: "application/zip".into(),
        bytes: vec![1, 2, 3],
    };
    s.insert_notice_with_attachments(
        &notice(
            "証明書発行用パスワード再発行通知",
            "本文",
            NoticeTarget::Office(a.id),
            200,
        ),
        std::slice::from_ref(&pw),
    )
    .await
    .unwrap();
    // A notice to everybody is not a document of the office.
    s.insert_notice_with_attachments(
        &notice("全体", "x", NoticeTarget::All, 250),
        std::slice::from_ref(&pw),
    )
    .await
    .unwrap();
    // A notice whose display starts later: neither listed nor downloadable before then.
    let future = s
        .insert_notice_with_attachments(
            &notice("来年のお知らせ", "x", NoticeTarget::Office(a.id), 5_000),
            &[pw],
        )
        .await
        .unwrap();
    let now = 1_000;

    let list = s.office_documents(a.id, now).await.unwrap();
    let titles: Vec<&str> = list.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(
        titles,
        ["見積2", "証明書発行用パスワード再発行通知", "見積1"]
    );
    assert_eq!(list[0].source, DocumentSource::Issued(d2));
    assert_eq!(list[0].size, "%PDF 見積2".len() as i64);
    let DocumentSource::NoticeAttachment(att) = list[1].source else {
        panic!("attachment expected")
    };
    assert_eq!(
        s.office_notice_attachment(a.id, att, now)
            .await
            .unwrap()
            .unwrap()
            .bytes,
        vec![1, 2, 3]
    );
    assert!(
        s.office_notice_attachment(b.id, att, now)
            .await
            .unwrap()
            .is_none()
    );
    let got = s.office_document(a.id, d1).await.unwrap().unwrap();
    assert_eq!(got.bytes, "%PDF 見積1".as_bytes());
    assert_eq!(got.title, "見積1");
    assert!(s.office_document(a.id, db_).await.unwrap().is_none());
    assert!(s.office_document(b.id, d1).await.unwrap().is_none());
    assert!(
        s.office_document(a.id, OfficeDocumentId(9_999))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(s.office_documents(b.id, now).await.unwrap().len(), 1);

    // The future notice's attachment: hidden until its display starts, then shown.
    let future_att = s
        .notice_attachments_for_office(&a, future, 5_000)
        .await
        .unwrap()[0]
        .id;
    assert!(
        s.office_notice_attachment(a.id, future_att, now)
            .await
            .unwrap()
            .is_none(),
        "not downloadable before its display starts"
    );
    assert_eq!(
        s.office_documents(a.id, 5_000).await.unwrap().len(),
        4,
        "listed once on display"
    );
    assert!(
        s.office_notice_attachment(a.id, future_att, 5_000)
            .await
            .unwrap()
            .is_some()
    );
}

pub async fn inquiries_and_ack_mail(db: TestDb) {
    let a = office(&db, 1, Some(13)).await;
    let s = &db.store;
    let q = NewInquiry {
        office_id: a.id,
        category: InquiryCategory::Password,
        subject: "件名".into(),
        body: "本文".into(),
        reply_to: "a@example.jp".into(),
        created_at: 1_774_969_200,
    };
    let mail = NewMail {
        to: "a@example.jp".into(),
        subject: "受付".into(),
        body: "受付番号: {reception}".into(),
        created_at: 1_774_969_200,
    };
    let id = s.insert_inquiry(&q, Some(&mail)).await.unwrap();
    assert_eq!(
        db.raw_text(&format!("SELECT status FROM inquiries WHERE id = {}", id.0))
            .await
            .as_deref(),
        Some("open")
    );
    assert_eq!(s.count_inquiries_since(a.id, 0).await.unwrap(), 1);
    assert_eq!(
        s.count_inquiries_since(a.id, 1_774_969_201).await.unwrap(),
        0
    );
    let queued = s
        .claim_mail(1_774_969_300, 1_774_970_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        queued.body,
        format!(
            "受付番号: {}",
            kaigo_core::inquiry::reception_number(id, q.created_at)
        )
    );
}
