//! kaigo-store: the SQLite and PostgreSQL implementations of kaigo-core's repository traits.
//!
//! One code path serves both databases through sqlx's `Any` driver. That driver only carries
//! bool, integers, floats, text and blobs — and bool does not round-trip on SQLite — so the
//! schema stores enums as TEXT codes, times as BIGINT Unix seconds and flags as 0/1. The few
//! remaining dialect differences are substituted by [`Backend`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), kaigo_store::StoreError> {
//! let store = kaigo_store::SqlStore::connect("sqlite://kaigo.db").await?;
//! store.migrate().await?;
//! // hand `store` to the services as a `kaigo_core::store::Store`
//! store.close().await;
//! # Ok(())
//! # }
//! ```

mod account;
mod admin;
mod assist;
mod audit;
mod certificate;
mod dialect;
mod document;
mod error;
mod fee;
mod health;
mod inquiry;
mod lease;
mod mail;
mod migrate;
mod notice;
mod office;
pub mod provision;
mod revocation;
mod row;
mod submission;

use std::time::Duration;

use sqlx::any::{Any, AnyPoolOptions};
use sqlx::{AnyPool, Transaction};

pub use dialect::Backend;
pub use error::StoreError;

/// Connections per pool. SQLite serialises writers anyway; a few connections let readers
/// proceed while one writes (WAL).
const SQLITE_POOL_SIZE: u32 = 4;
const POSTGRES_POOL_SIZE: u32 = 10;
/// How long (ms) a SQLite connection waits for another writer before failing with "busy".
const SQLITE_BUSY_TIMEOUT: &str = "PRAGMA busy_timeout = 5000";

/// The store: a connection pool and the kind of database behind it. Cheap to clone (the pool
/// is shared).
#[derive(Clone, Debug)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
}

impl SqlStore {
    /// Opens a pool to `sqlite://PATH` (the file is created if missing; WAL mode, foreign
    /// keys on, 5 s busy timeout) or `postgres://…`. Does not migrate: call
    /// [`migrate`](Self::migrate).
    ///
    /// # Errors
    /// [`StoreError::UnsupportedUrl`] for another scheme; [`StoreError::Database`] if the
    /// database cannot be opened; [`StoreError::NotWal`] if SQLite refuses WAL mode.
    pub async fn connect(url: &str) -> Result<SqlStore, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url).ok_or(StoreError::UnsupportedUrl)?;
        let pool = match backend {
            Backend::Sqlite => connect_sqlite(url).await?,
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(POSTGRES_POOL_SIZE)
                    .connect(url)
                    .await?
            }
        };
        Ok(SqlStore { pool, backend })
    }

    /// Creates or updates the schema. Idempotent, and safe when several processes start at
    /// once against the same database.
    ///
    /// # Errors
    /// [`StoreError::UnknownMigration`] if a newer program migrated the database,
    /// [`StoreError::ChangedMigration`] if an applied migration was edited since, and
    /// [`StoreError::Database`] if a statement fails (the whole migration is rolled back).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        migrate::run(self).await
    }

    /// Which database this store talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes fails with
    /// "busy" instead of waiting when another connection wrote in between.
    async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }
}

/// Opens a SQLite pool. sqlx's URL only knows `mode`, so the other settings are applied as
/// pragmas on every new connection.
async fn connect_sqlite(url: &str) -> Result<AnyPool, StoreError> {
    let memory = url.contains(":memory:") || url.contains("mode=memory");
    let url = if memory || url.contains("mode=") {
        url.to_owned()
    } else {
        // "rwc": create the file if it is missing.
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}mode=rwc")
    };
    let mut options = AnyPoolOptions::new()
        .max_connections(SQLITE_POOL_SIZE)
        .after_connect(|conn, _| {
            Box::pin(async move {
                // Both are sqlx's defaults today; set explicitly because the schema's
                // integrity and the writers' patience depend on them.
                sqlx::query("PRAGMA foreign_keys = ON")
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(SQLITE_BUSY_TIMEOUT).execute(&mut *conn).await?;
                Ok(())
            })
        });
    if memory {
        // Each connection to ":memory:" is its own database: keep exactly one, forever.
        options = options
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None::<Duration>)
            .max_lifetime(None::<Duration>);
    }
    let pool = options.connect(&url).await?;
    if !memory {
        // WAL lets readers run beside the writer; the mode is stored in the file, so setting
        // it once here covers every connection.
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode = WAL")
            .fetch_one(&pool)
            .await?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::NotWal(mode));
        }
    }
    Ok(pool)
}

// The services take the store as a `kaigo_core::store::Store`: a missing trait should fail
// to compile here, not in the binary.
const _: fn() = || {
    fn implements_store<T: kaigo_core::store::Store>() {}
    implements_store::<SqlStore>();
};
