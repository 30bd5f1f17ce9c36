//! Offices: lookups, uniqueness, login hash.

use kaigo_core::RepoError;
use kaigo_core::error::Unique;
use kaigo_core::ids::{OfficeId, OfficeNumber, UserId};
use kaigo_core::office::OfficeKind;
use kaigo_core::office::repo::OfficeRepo;

use crate::harness::{TestDb, new_office};

pub async fn insert_and_find(db: TestDb) {
    let mut new = new_office(1, Some(1));
    new.kind = OfficeKind::CarePlan;
    let office = db.store.insert_office(&new).await.unwrap();
    assert_eq!(office.number, new.number);
    assert_eq!(office.name, "テスト事業所1");
    assert_eq!(office.kind, OfficeKind::CarePlan);
    assert_eq!(office.email.as_deref(), Some("office1@example.jp"));
    assert_eq!(office.prefecture.map(|p| p.get()), Some(1));
    assert_eq!(office.user_id, new.user_id);
    assert_eq!(office.login_hash, new.login_hash);
    assert_eq!(office.issuance_hash, new.issuance_hash);
    assert!(
        office.must_change_password,
        "a new office starts with its temporary password"
    );
    assert_eq!(office.created_at, 1_000);
    // The prefecture is stored as its two-digit code.
    let stored = db
        .raw_text(&format!(
            "SELECT prefecture FROM offices WHERE id = {}",
            office.id
        ))
        .await;
    assert_eq!(stored.as_deref(), Some("01"));

    let by_id = db.store.office_by_id(office.id).await.unwrap().unwrap();
    let by_user = db
        .store
        .office_by_user_id(&new.user_id)
        .await
        .unwrap()
        .unwrap();
    let by_number = db
        .store
        .office_by_number(&new.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (by_id.id, by_user.id, by_number.id),
        (office.id, office.id, office.id)
    );

    let mut bare = new_office(2, None);
    bare.email = None;
    let bare = db.store.insert_office(&bare).await.unwrap();
    let bare = db.store.office_by_id(bare.id).await.unwrap().unwrap();
    assert_eq!((bare.email, bare.prefecture), (None, None));

    assert!(
        db.store
            .office_by_id(OfficeId(9_999))
            .await
            .unwrap()
            .is_none()
    );
    let nobody = UserId::parse("KJ999999999999").unwrap();
    assert!(db.store.office_by_user_id(&nobody).await.unwrap().is_none());
    let no_number = OfficeNumber::parse("9999999999").unwrap();
    assert!(
        db.store
            .office_by_number(&no_number)
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn duplicates_conflict(db: TestDb) {
    db.store
        .insert_office(&new_office(1, Some(13)))
        .await
        .unwrap();

    let mut same_number = new_office(2, Some(13));
    same_number.number = new_office(1, None).number;
    match db.store.insert_office(&same_number).await {
        Err(RepoError::Duplicate(Unique::OfficeNumber)) => {}
        other => panic!("expected a conflict on the office number, got {other:?}"),
    }

    let mut same_user = new_office(3, Some(13));
    same_user.user_id = new_office(1, None).user_id;
    match db.store.insert_office(&same_user).await {
        Err(RepoError::Duplicate(Unique::UserId)) => {}
        other => panic!("expected a conflict on the user ID, got {other:?}"),
    }
    // Nothing of the refused offices was stored.
    assert_eq!(db.raw_i64("SELECT COUNT(*) FROM offices").await, 1);
}

pub async fn login_hash(db: TestDb) {
    let office = db.store.insert_office(&new_office(1, None)).await.unwrap();
    db.store
        .set_login_hash(office.id, "$argon2id$new", false)
        .await
        .unwrap();
    let changed = db.store.office_by_id(office.id).await.unwrap().unwrap();
    assert_eq!(changed.login_hash, "$argon2id$new");
    assert!(!changed.must_change_password);
    db.store
        .set_login_hash(office.id, "$argon2id$reset", true)
        .await
        .unwrap();
    assert!(
        db.store
            .office_by_id(office.id)
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );
    assert!(matches!(
        db.store.set_login_hash(OfficeId(9_999), "x", false).await,
        Err(RepoError::NotFound)
    ));
}
