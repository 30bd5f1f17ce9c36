//! Notices: who sees what, when, in which order, and read marks.

use kaigo_core::RepoError;
use kaigo_core::ids::{NoticeId, OfficeId, PrefectureCode};
use kaigo_core::notice::repo::NoticeRepo;
use kaigo_core::notice::{NewNotice, NoticeCategory, NoticeTarget};
use kaigo_core::office::Office;

use crate::harness::{TestDb, office};

fn notice(title: &str, target: NoticeTarget, start_at: i64, end_at: Option<i64>) -> NewNotice {
    NewNotice {
        category: NoticeCategory::System,
        title: title.into(),
        body: format!("{title}の本文"),
        target,
        start_at,
        end_at,
        created_at: start_at - 1,
    }
}

fn pref(code: u8) -> NoticeTarget {
    NoticeTarget::Prefecture(PrefectureCode::new(code).unwrap())
}

/// The titles an office sees at `now`, in list order; checks the count agrees.
async fn titles(db: &TestDb, office: &Office, now: i64) -> Vec<String> {
    let list = db
        .store
        .notices_for_office(office, now, 100, 0)
        .await
        .unwrap();
    let count = db
        .store
        .count_notices_for_office(office, now)
        .await
        .unwrap();
    assert_eq!(count, list.len() as i64, "count agrees with the list");
    list.into_iter().map(|v| v.notice.title).collect()
}

pub async fn targeting_and_period(db: TestDb) {
    let a = office(&db, 1, Some(13)).await;
    let b = office(&db, 2, Some(13)).await;
    let c = office(&db, 3, Some(27)).await;
    let d = office(&db, 4, None).await;
    let s = &db.store;
    s.insert_notice(&notice("all", NoticeTarget::All, 100, None))
        .await
        .unwrap();
    s.insert_notice(&notice("tokyo", pref(13), 200, None))
        .await
        .unwrap();
    s.insert_notice(&notice("osaka", pref(27), 150, None))
        .await
        .unwrap();
    let only_a = s
        .insert_notice(&notice("only-a", NoticeTarget::Office(a.id), 300, None))
        .await
        .unwrap();
    let future = s
        .insert_notice(&notice("future", NoticeTarget::All, 1_000, None))
        .await
        .unwrap();
    s.insert_notice(&notice("expired", NoticeTarget::All, 50, Some(120)))
        .await
        .unwrap();
    s.insert_notice(&notice("ends-now", NoticeTarget::All, 60, Some(500)))
        .await
        .unwrap();
    s.insert_notice(&notice("starts-now", NoticeTarget::Office(b.id), 500, None))
        .await
        .unwrap();

    assert_eq!(titles(&db, &a, 500).await, ["only-a", "tokyo", "all"]);
    assert_eq!(titles(&db, &b, 500).await, ["starts-now", "tokyo", "all"]);
    assert_eq!(titles(&db, &c, 500).await, ["osaka", "all"]);
    assert_eq!(titles(&db, &d, 500).await, ["all"]);
    // Earlier, the expired and the ending notices were still displayed.
    assert_eq!(titles(&db, &d, 110).await, ["all", "ends-now", "expired"]);
    assert_eq!(titles(&db, &d, 1_000).await, ["future", "all"]);

    let got = s
        .notice_for_office(&a, only_a, 500)
        .await
        .unwrap()
        .expect("a sees its notice");
    assert_eq!(got.target, NoticeTarget::Office(a.id));
    assert_eq!(got.category, NoticeCategory::System);
    assert_eq!((got.start_at, got.end_at, got.updated_at), (300, None, 299));
    assert_eq!(got.body, "only-aの本文");
    assert!(
        s.notice_for_office(&b, only_a, 500)
            .await
            .unwrap()
            .is_none(),
        "not b's notice"
    );
    assert!(
        s.notice_for_office(&a, only_a, 299)
            .await
            .unwrap()
            .is_none(),
        "not yet displayed"
    );
    assert!(
        s.notice_for_office(&a, future, 500)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.notice_for_office(&a, NoticeId(9_999), 500)
            .await
            .unwrap()
            .is_none()
    );
    let tokyo = &s.notices_for_office(&b, 500, 10, 1).await.unwrap()[0].notice;
    assert_eq!(tokyo.target, pref(13));
    assert!(
        s.notice_for_office(&c, tokyo.id, 500)
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn ordering_and_paging(db: TestDb) {
    let a = office(&db, 1, Some(13)).await;
    for (title, start) in [("p", 100), ("q", 100), ("r", 200), ("s", 100), ("t", 50)] {
        db.store
            .insert_notice(&notice(title, NoticeTarget::All, start, None))
            .await
            .unwrap();
    }
    // Newest start first; equal starts: the later notice first.
    assert_eq!(titles(&db, &a, 300).await, ["r", "s", "q", "p", "t"]);
    let page = |limit, offset| {
        let db = db.clone();
        let a = a.clone();
        async move {
            db.store
                .notices_for_office(&a, 300, limit, offset)
                .await
                .unwrap()
                .into_iter()
                .map(|v| v.notice.title)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(page(2, 0).await, ["r", "s"]);
    assert_eq!(page(2, 2).await, ["q", "p"]);
    assert_eq!(page(2, 4).await, ["t"]);
    assert!(page(2, 5).await.is_empty());
    assert!(page(0, 0).await.is_empty());

    // Shown from the start of a day (100) but posted at an hour of it (150): it appeared
    // after the ones that started at 100, so it comes before them.
    db.store
        .insert_notice(&NewNotice {
            created_at: 150,
            ..notice("u", NoticeTarget::All, 100, None)
        })
        .await
        .unwrap();
    assert_eq!(titles(&db, &a, 300).await, ["r", "u", "s", "q", "p", "t"]);
}

pub async fn read_marks(db: TestDb) {
    let a = office(&db, 1, Some(13)).await;
    let b = office(&db, 2, Some(13)).await;
    let s = &db.store;
    let first = s
        .insert_notice(&notice("first", NoticeTarget::All, 100, None))
        .await
        .unwrap();
    s.insert_notice(&notice("second", NoticeTarget::All, 200, None))
        .await
        .unwrap();

    s.mark_notice_read(a.id, first, 10).await.unwrap();
    s.mark_notice_read(a.id, first, 20).await.unwrap();
    let read = |office: Office| {
        let db = db.clone();
        async move {
            db.store
                .notices_for_office(&office, 300, 10, 0)
                .await
                .unwrap()
                .into_iter()
                .map(|v| (v.notice.title, v.read))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        read(a.clone()).await,
        [("second".into(), false), ("first".into(), true)]
    );
    assert_eq!(
        read(b.clone()).await,
        [("second".into(), false), ("first".into(), false)]
    );
    assert_eq!(
        db.raw_i64(&format!(
            "SELECT read_at FROM notice_reads WHERE office_id = {}",
            a.id
        ))
        .await,
        10,
        "the first read time is kept"
    );
    assert!(matches!(
        s.mark_notice_read(a.id, NoticeId(9_999), 1).await,
        Err(RepoError::NotFound)
    ));
    assert!(matches!(
        s.mark_notice_read(OfficeId(9_999), first, 1).await,
        Err(RepoError::NotFound)
    ));
}
