//! The few differences between SQLite and PostgreSQL that portable SQL cannot hide.

use sqlx::AnyConnection;

/// Which database a [`SqlStore`](crate::SqlStore) talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file (the default for a single node).
    Sqlite,
    /// A PostgreSQL server (several nodes sharing one database).
    Postgres,
}

/// Advisory-lock keys (PostgreSQL). Arbitrary but fixed: every process must use the same ones.
pub(crate) const MIGRATION_LOCK: i64 = 0x6b61_6967_6f00_0001;
pub(crate) const AUDIT_LOCK: i64 = 0x6b61_6967_6f00_0002;

impl Backend {
    /// Recognises the URL scheme; `None` for databases this store does not support.
    pub(crate) fn from_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }

    /// Substitutes the dialect tokens of a portable migration: `{id}` (an auto-assigned
    /// 64-bit primary key) and `{blob}` (a byte string column).
    pub(crate) fn render(self, sql: &str) -> String {
        let (id, blob) = match self {
            // AUTOINCREMENT so that ids of deleted rows are never reused (audit entries and
            // notices refer to ids in logs).
            Self::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB"),
            Self::Postgres => ("BIGSERIAL PRIMARY KEY", "BYTEA"),
        };
        sql.replace("{id}", id).replace("{blob}", blob)
    }

    /// Picks the variant of a statement written for each database.
    pub(crate) fn pick(self, sqlite: &'static str, postgres: &'static str) -> &'static str {
        match self {
            Self::Sqlite => sqlite,
            Self::Postgres => postgres,
        }
    }

    /// Serialises every holder of `key` until the current transaction ends. PostgreSQL needs
    /// an advisory lock for this; on SQLite the write transaction (`BEGIN IMMEDIATE`) that the
    /// caller holds already excludes every other writer.
    pub(crate) async fn lock(self, conn: &mut AnyConnection, key: i64) -> Result<(), sqlx::Error> {
        if self == Self::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(key)
                .execute(conn)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert_eq!(Backend::from_url("sqlite://a.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(
            Backend::from_url("postgres://u@h/d"),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/d"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::from_url("mysql://u@h/d"), None);
    }

    #[test]
    fn render_substitutes_tokens() {
        let sql = "CREATE TABLE t (id {id}, b {blob})";
        assert_eq!(
            Backend::Sqlite.render(sql),
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, b BLOB)"
        );
        assert_eq!(
            Backend::Postgres.render(sql),
            "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, b BYTEA)"
        );
    }
}
