//! Sessions and their expiry.

use kaigo_core::RepoError;
use kaigo_core::account::repo::{SessionRecord, SessionRepo};

use crate::harness::{TestDb, office};

fn session(
    token: &str,
    office_id: Option<kaigo_core::ids::OfficeId>,
    expires_at: i64,
) -> SessionRecord {
    SessionRecord {
        token_hash: token.into(),
        office_id,
        csrf_token: format!("csrf-{token}"),
        data: "{}".into(),
        created_at: 100,
        expires_at,
    }
}

pub async fn lifecycle_and_expiry(db: TestDb) {
    let s = &db.store;
    let o = office(&db, 1, None).await;
    s.insert_session(&session("a", Some(o.id), 1_000))
        .await
        .unwrap();
    s.insert_session(&session("anon", None, 500)).await.unwrap();
    assert!(matches!(
        s.insert_session(&session("a", None, 1)).await,
        Err(RepoError::Conflict(_))
    ));

    let got = s.session("a", 999).await.unwrap().expect("live session");
    assert_eq!(got.office_id, Some(o.id));
    assert_eq!(got.csrf_token, "csrf-a");
    assert_eq!(
        (got.data.as_str(), got.created_at, got.expires_at),
        ("{}", 100, 1_000)
    );
    assert!(
        s.session("a", 1_000).await.unwrap().is_none(),
        "expired at expires_at"
    );
    assert!(s.session("a", 1_001).await.unwrap().is_none());
    assert!(s.session("missing", 0).await.unwrap().is_none());
    assert_eq!(s.session("anon", 0).await.unwrap().unwrap().office_id, None);

    s.update_session("a", r#"{"read":[1]}"#, 2_000)
        .await
        .unwrap();
    let got = s.session("a", 1_500).await.unwrap().expect("extended");
    assert_eq!(got.data, r#"{"read":[1]}"#);
    assert!(matches!(
        s.update_session("missing", "{}", 1).await,
        Err(RepoError::NotFound)
    ));

    s.insert_session(&session("b", None, 300)).await.unwrap();
    assert_eq!(
        s.delete_expired_sessions(500).await.unwrap(),
        2,
        "anon and b"
    );
    assert!(s.session("a", 600).await.unwrap().is_some());
    s.delete_session("a").await.unwrap();
    assert!(s.session("a", 600).await.unwrap().is_none());
    s.delete_session("a").await.unwrap();
}
