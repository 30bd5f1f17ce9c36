//! Connecting and migrating.

use kaigo_core::RepoError;
use kaigo_core::account::repo::{SessionRecord, SessionRepo};
use kaigo_core::ids::OfficeId;
use kaigo_core::office::repo::OfficeRepo;
use kaigo_store::{Backend, SqlStore, StoreError};

use crate::harness::{TestDb, new_office};

pub async fn migrate_is_idempotent(db: TestDb) {
    db.store.migrate().await.expect("first migration");
    db.store.migrate().await.expect("second migration");
    // Each migration recorded once (versions are 1..=N), whatever N is.
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM schema_migrations").await,
        db.raw_i64("SELECT MAX(version) FROM schema_migrations")
            .await
    );
    // Every migration recorded once (the list grows; versions need not be contiguous).
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM schema_migrations").await,
        db.raw_i64("SELECT COUNT(DISTINCT version) FROM schema_migrations")
            .await
    );
    db.store
        .insert_office(&new_office(1, Some(13)))
        .await
        .expect("schema usable");

    // An applied migration whose text changed is refused, not silently skipped.
    let checksum = db
        .raw_text("SELECT checksum FROM schema_migrations WHERE version = 1")
        .await
        .unwrap();
    db.raw_execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
        .await;
    assert!(matches!(
        db.store.migrate().await,
        Err(StoreError::ChangedMigration { version: 1, .. })
    ));
    // So is a database migrated by a newer program.
    db.raw_execute(&format!(
        "UPDATE schema_migrations SET checksum = '{checksum}' WHERE version = 1"
    ))
    .await;
    db.store
        .migrate()
        .await
        .expect("restored checksum accepted");
    db.raw_execute(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) \
         VALUES (99, 'future', 'x', 0)",
    )
    .await;
    assert!(matches!(
        db.store.migrate().await,
        Err(StoreError::UnknownMigration(99))
    ));
}

pub async fn concurrent_migrations_agree(db: TestDb) {
    // Several "processes" (separate pools) migrate the same empty database at once.
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let url = db.url.clone();
        tasks.push(tokio::spawn(async move {
            let store = SqlStore::connect(&url).await.expect("connect");
            let result = store.migrate().await;
            store.close().await;
            result
        }));
    }
    for task in tasks {
        task.await
            .unwrap()
            .expect("every concurrent migration succeeds");
    }
    // Each migration recorded once (versions are 1..=N), whatever N is.
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM schema_migrations").await,
        db.raw_i64("SELECT MAX(version) FROM schema_migrations")
            .await
    );
    // Every migration recorded once (the list grows; versions need not be contiguous).
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM schema_migrations").await,
        db.raw_i64("SELECT COUNT(DISTINCT version) FROM schema_migrations")
            .await
    );
    db.store
        .insert_office(&new_office(1, None))
        .await
        .expect("schema usable");
}

pub async fn backend_and_file_settings(db: TestDb) {
    let expected = if db.url.starts_with("sqlite:") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    assert_eq!(db.backend(), expected);
    if expected == Backend::Sqlite {
        assert_eq!(
            db.raw_text("PRAGMA journal_mode").await.as_deref(),
            Some("wal")
        );
    }
    // Foreign keys are enforced (on SQLite only if the connection turned them on).
    let orphan = SessionRecord {
        token_hash: "orphan".into(),
        office_id: Some(OfficeId(999)),
        csrf_token: "c".into(),
        data: "{}".into(),
        created_at: 0,
        expires_at: 10,
    };
    assert!(matches!(
        db.store.insert_session(&orphan).await,
        Err(RepoError::Backend(_))
    ));
}

#[tokio::test]
async fn unsupported_url_is_refused() {
    assert!(matches!(
        SqlStore::connect("mysql://root@localhost/kaigo").await,
        Err(StoreError::UnsupportedUrl)
    ));
}

#[tokio::test]
async fn in_memory_sqlite_works() {
    let store = SqlStore::connect("sqlite::memory:").await.expect("connect");
    store.migrate().await.expect("migrate");
    let office = store
        .insert_office(&new_office(1, Some(1)))
        .await
        .expect("insert");
    assert!(store.office_by_id(office.id).await.unwrap().is_some());
    store.close().await;
}
