//! Admin accounts.

use kaigo_core::RepoError;
use kaigo_core::admin::repo::AdminRepo;
use kaigo_core::admin::{AdminId, AdminLogin, AdminRole, NewAdmin};
use kaigo_core::ids::PrefectureCode;

use crate::harness::TestDb;

fn new_admin(login: &str, role: AdminRole) -> NewAdmin {
    NewAdmin {
        login: AdminLogin::parse(login).unwrap(),
        role,
        password_hash: "$argon2id$x".to_owned(),
        totp_sealed: vec![0, 1, 2, 255],
        created_at: 1_700_000_000,
    }
}

pub async fn insert_find_and_conflict(db: TestDb) {
    let s = &db.store;
    let central = s
        .insert_admin(&new_admin("central1", AdminRole::Central))
        .await
        .unwrap();
    let fed_role = AdminRole::Federation(PrefectureCode::parse("13").unwrap());
    let fed = s.insert_admin(&new_admin("fed13", fed_role)).await.unwrap();
    assert_ne!(central.id, fed.id);
    assert_eq!(central.role, AdminRole::Central);
    assert_eq!(fed.role, fed_role);
    assert_eq!(fed.totp_sealed, vec![0, 1, 2, 255]);
    assert!(!fed.totp_confirmed && !fed.disabled && fed.totp_last_step.is_none());
    let by_login = s
        .admin_by_login(&AdminLogin::parse("fed13").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_login.id, fed.id);
    assert_eq!(by_login.role, fed_role);
    let by_id = s.admin_by_id(central.id).await.unwrap().unwrap();
    assert_eq!(by_id.login.as_str(), "central1");
    assert!(s.admin_by_id(AdminId(999_999)).await.unwrap().is_none());
    assert!(
        s.admin_by_login(&AdminLogin::parse("nobody").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        s.insert_admin(&new_admin("central1", AdminRole::Central))
            .await,
        Err(RepoError::Conflict(_))
    ));
    s.set_admin_disabled(fed.id, true).await.unwrap();
    assert!(s.admin_by_id(fed.id).await.unwrap().unwrap().disabled);
    assert!(matches!(
        s.set_admin_disabled(AdminId(999_999), true).await,
        Err(RepoError::NotFound)
    ));
}

pub async fn totp_steps_are_accepted_once(db: TestDb) {
    let s = &db.store;
    let a = s
        .insert_admin(&new_admin("central1", AdminRole::Central))
        .await
        .unwrap();
    assert!(s.accept_totp_step(a.id, 100).await.unwrap());
    let after = s.admin_by_id(a.id).await.unwrap().unwrap();
    assert!(after.totp_confirmed);
    assert_eq!(after.totp_last_step, Some(100));
    assert!(!s.accept_totp_step(a.id, 100).await.unwrap(), "replay");
    assert!(!s.accept_totp_step(a.id, 99).await.unwrap(), "older step");
    assert!(s.accept_totp_step(a.id, 101).await.unwrap());
    assert!(!s.accept_totp_step(AdminId(999_999), 5).await.unwrap());
}
