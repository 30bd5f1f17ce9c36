//! Test databases: a temporary SQLite file, or a PostgreSQL database created for one test
//! and dropped after it. PostgreSQL must be reachable: an unreachable server fails the test
//! with a message saying so, it never skips.

use std::future::Future;
use std::panic::resume_unwind;
use std::sync::Arc;

use kaigo_core::certificate::{CertKind, NewApplication, NewCertificate};
use kaigo_core::ids::{ApplicationId, OfficeId, OfficeNumber, PrefectureCode, Serial, UserId};
use kaigo_core::office::repo::OfficeRepo;
use kaigo_core::office::{NewOffice, Office, OfficeKind};
use kaigo_store::{Backend, SqlStore};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Connection};
use tempfile::TempDir;

/// Admin URL of the PostgreSQL server used by the tests.
const PG_URL_VAR: &str = "KAIGO_TEST_PG_URL";
const PG_DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Whether the runner migrates the new database before the test.
#[derive(Clone, Copy)]
pub enum Schema {
    Migrated,
    Empty,
}

/// One test's database and a store connected to it.
#[derive(Clone)]
pub struct TestDb {
    pub store: SqlStore,
    pub url: String,
    /// Keeps the SQLite file's directory alive for the test.
    _dir: Option<Arc<TempDir>>,
}

impl TestDb {
    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// Runs SQL behind the store's back (to tamper with rows, or inspect raw columns).
    pub async fn raw(&self) -> AnyPool {
        AnyPoolOptions::new()
            .max_connections(1)
            .connect(&self.url)
            .await
            .expect("raw connection to the test database")
    }

    /// Runs one statement behind the store's back.
    pub async fn raw_execute(&self, sql: &str) -> u64 {
        let pool = self.raw().await;
        let done = sqlx::query(AssertSqlSafe(sql.to_owned()))
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("raw SQL failed: {sql}: {e}"));
        pool.close().await;
        done.rows_affected()
    }

    /// One TEXT value selected behind the store's back.
    pub async fn raw_text(&self, sql: &str) -> Option<String> {
        let pool = self.raw().await;
        let value: Option<Option<String>> = sqlx::query_scalar(AssertSqlSafe(sql.to_owned()))
            .fetch_optional(&pool)
            .await
            .unwrap_or_else(|e| panic!("raw SQL failed: {sql}: {e}"));
        pool.close().await;
        value.flatten()
    }

    /// One integer selected behind the store's back.
    pub async fn raw_i64(&self, sql: &str) -> i64 {
        let pool = self.raw().await;
        let value: i64 = sqlx::query_scalar(AssertSqlSafe(sql.to_owned()))
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|e| panic!("raw SQL failed: {sql}: {e}"));
        pool.close().await;
        value
    }
}

/// Runs `test` against a fresh SQLite file.
pub async fn run_sqlite<F, Fut>(schema: Schema, test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().expect("temporary directory");
    // The file does not exist yet: connect must create it.
    let url = format!("sqlite://{}", dir.path().join("kaigo.db").display());
    let store = SqlStore::connect(&url).await.expect("connect to SQLite");
    if let Schema::Migrated = schema {
        store.migrate().await.expect("migrate SQLite");
    }
    let db = TestDb {
        store: store.clone(),
        url,
        _dir: Some(Arc::new(dir)),
    };
    let outcome = tokio::spawn(test(db)).await;
    store.close().await;
    if let Err(e) = outcome {
        resume_unwind(e.into_panic());
    }
}

/// Runs `test` against a new PostgreSQL database, dropped afterwards even if the test fails.
pub async fn run_postgres<F, Fut>(schema: Schema, test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    sqlx::any::install_default_drivers();
    let admin_url = std::env::var(PG_URL_VAR).unwrap_or_else(|_| PG_DEFAULT_URL.to_owned());
    // A single connection, not a pool: a pool would report only its own timeout, not why
    // the server cannot be reached.
    let mut admin = AnyConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is unreachable at {admin_url} ({e}). The store suite must run on \
             PostgreSQL too: start the server or point {PG_URL_VAR} at one."
            )
        });
    let name = format!("kaigo_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name} failed: {e}"));
    let url = with_database(&admin_url, &name);

    let outcome = match SqlStore::connect(&url).await {
        Ok(store) => {
            let migrated = match schema {
                Schema::Migrated => store.migrate().await.map_err(|e| e.to_string()),
                Schema::Empty => Ok(()),
            };
            let outcome = match migrated {
                Ok(()) => {
                    let db = TestDb {
                        store: store.clone(),
                        url,
                        _dir: None,
                    };
                    tokio::spawn(test(db))
                        .await
                        .map_err(|e| Failure::Panic(e.into_panic()))
                }
                Err(e) => Err(Failure::Setup(format!(
                    "migrate PostgreSQL database {name}: {e}"
                ))),
            };
            store.close().await;
            outcome
        }
        Err(e) => Err(Failure::Setup(format!(
            "connect to PostgreSQL database {name}: {e}"
        ))),
    };
    // FORCE: a test may leave a raw connection open; the database must go anyway.
    sqlx::query(AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await
    .unwrap_or_else(|e| panic!("DROP DATABASE {name} failed: {e}"));
    admin.close().await.ok();
    match outcome {
        Ok(()) => {}
        Err(Failure::Panic(payload)) => resume_unwind(payload),
        Err(Failure::Setup(message)) => panic!("{message}"),
    }
}

/// Why a PostgreSQL test failed, kept until its database is dropped.
enum Failure {
    /// The test panicked (its message is already printed).
    Panic(Box<dyn std::any::Any + Send>),
    Setup(String),
}

/// The admin URL with its database name replaced.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let path = base[authority..]
        .find('/')
        .map_or(base.len(), |i| i + authority);
    format!("{}/{name}{query}", &base[..path])
}

#[test]
fn database_name_is_replaced() {
    assert_eq!(
        with_database("postgres://u@h:5432/postgres", "x"),
        "postgres://u@h:5432/x"
    );
    assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    assert_eq!(
        with_database("postgres://u@h/postgres?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
}

// ---- fixtures ----

/// A new office numbered `n` (number 13000000nn, user KJ0000000000nn).
pub fn new_office(n: u32, prefecture: Option<u8>) -> NewOffice {
    NewOffice {
        number: OfficeNumber::parse(&format!("13{n:08}")).unwrap(),
        name: format!("テスト事業所{n}"),
        kind: OfficeKind::Kaigo,
        email: Some(format!("office{n}@example.jp")),
        prefecture: prefecture.map(|p| PrefectureCode::new(p).unwrap()),
        user_id: UserId::parse(&format!("KJ{n:012}")).unwrap(),
        login_hash: format!("$argon2id$login{n}"),
        issuance_hash: format!("$argon2id$issuance{n}"),
        created_at: 1_000,
        postal_code: "100-0001".into(),
        address: format!("東京都千代田区{n}"),
    }
}

/// Inserts office `n`.
pub async fn office(db: &TestDb, n: u32, prefecture: Option<u8>) -> Office {
    db.store
        .insert_office(&new_office(n, prefecture))
        .await
        .expect("insert office")
}

pub fn new_application(office: OfficeId, kind: CertKind, key: &str, at: i64) -> NewApplication {
    NewApplication {
        office_id: office,
        kind,
        requested_at: at,
        terms_version: "2026-04".into(),
        consented_at: at,
        sealed_password: b"sealed-secret".to_vec(),
        not_before: None,
        idempotency_key: key.into(),
    }
}

pub fn new_certificate(
    office: OfficeId,
    app: ApplicationId,
    kind: CertKind,
    serial: &str,
    issued_at: i64,
) -> NewCertificate {
    NewCertificate {
        office_id: office,
        application_id: app,
        kind,
        serial: Serial::parse(serial).unwrap(),
        subject: "CN=KaigoJigyousho".into(),
        not_before: issued_at,
        not_after: issued_at + 5 * 365 * 86_400,
        fingerprint_sha256: format!("fp-{serial}"),
        cert_der: format!("der-{serial}").into_bytes(),
        pkcs12: format!("p12-{serial}").into_bytes(),
        issued_at,
        generation: kaigo_core::ids::CaGeneration::FIRST,
    }
}

/// Queues, claims and completes an application: one issued certificate of `kind`.
pub async fn issue(
    db: &TestDb,
    o: OfficeId,
    kind: CertKind,
    serial: &str,
    at: i64,
) -> kaigo_core::ids::CertificateId {
    use kaigo_core::certificate::repo::ApplicationRepo;
    let (app, _) = db
        .store
        .submit_application(&new_application(o, kind, serial, at))
        .await
        .unwrap();
    let claimed = db
        .store
        .claim_application(at, at + 60)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, app.id);
    let notice = kaigo_core::notice::NewNotice {
        category: kaigo_core::notice::NoticeCategory::Certificate,
        title: "証明書発行完了通知".into(),
        body: String::new(),
        target: kaigo_core::notice::NoticeTarget::Office(o),
        start_at: at,
        end_at: None,
        created_at: at,
    };
    db.store
        .complete_application(
            app.id,
            &new_certificate(o, app.id, kind, serial, at),
            &notice,
            None,
        )
        .await
        .unwrap()
}
