//! Replacing the issuance password hash.

use kaigo_core::RepoError;
use kaigo_core::account::repo::IssuancePasswordRepo;
use kaigo_core::ids::OfficeId;
use kaigo_core::office::repo::OfficeRepo;

use crate::harness::{TestDb, office};

pub async fn issuance_hash_is_replaced(db: TestDb) {
    let s = &db.store;
    let o = office(&db, 1, None).await;
    let other = office(&db, 2, None).await;
    s.set_issuance_hash(o.id, "$argon2id$new").await.unwrap();
    let after = s.office_by_id(o.id).await.unwrap().unwrap();
    assert_eq!(after.issuance_hash, "$argon2id$new");
    assert_eq!(
        after.login_hash, o.login_hash,
        "only the issuance hash changes"
    );
    let untouched = s.office_by_id(other.id).await.unwrap().unwrap();
    assert_eq!(untouched.issuance_hash, other.issuance_hash);
    assert!(matches!(
        s.set_issuance_hash(OfficeId(999_999), "x").await,
        Err(RepoError::NotFound)
    ));
}
