//! A tiny migrator: one list of portable migrations for both databases, applied in order
//! inside one locked transaction and recorded in `schema_migrations`.

use sha2::{Digest, Sha256};
use sqlx::AssertSqlSafe;

use crate::dialect::MIGRATION_LOCK;
use crate::{SqlStore, StoreError};

/// One schema change. The SQL is a template with the tokens of [`crate::Backend::render`].
struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

/// Append only: an applied migration must never change (its checksum is verified).
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "schema",
        sql: include_str!("migrations/0001_schema.sql"),
    },
    Migration {
        version: 2,
        name: "portal",
        sql: include_str!("migrations/0002_portal.sql"),
    },
    Migration {
        version: 3,
        name: "security_mail",
        sql: include_str!("migrations/0003_security_mail.sql"),
    },
    Migration {
        version: 4,
        name: "fees_renewal",
        sql: include_str!("migrations/0004_fees_renewal.sql"),
    },
    Migration {
        version: 5,
        name: "admin",
        sql: include_str!("migrations/0005_admin.sql"),
    },
    Migration {
        version: 6,
        name: "office_admin",
        sql: include_str!("migrations/0006_office_admin.sql"),
    },
    Migration {
        version: 7,
        name: "office_letters",
        sql: include_str!("migrations/0007_office_letters.sql"),
    },
    Migration {
        version: 8,
        name: "fees_notices_admin",
        sql: include_str!("migrations/0008_fees_notices_admin.sql"),
    },
    Migration {
        version: 9,
        name: "console_certs_inquiries",
        sql: include_str!("migrations/0009_console_certs_inquiries.sql"),
    },
    Migration {
        version: 10,
        name: "hardening",
        sql: include_str!("migrations/0010_hardening.sql"),
    },
    Migration {
        version: 11,
        name: "revocation",
        sql: include_str!("migrations/0011_revocation.sql"),
    },
    Migration {
        version: 12,
        name: "audit_checkpoints",
        sql: include_str!("migrations/0012_audit_checkpoints.sql"),
    },
    Migration {
        version: 13,
        name: "issuer_generations",
        sql: include_str!("migrations/0013_issuer_generations.sql"),
    },
    Migration {
        version: 14,
        name: "node_checks",
        sql: include_str!("migrations/0014_node_checks.sql"),
    },
    Migration {
        version: 15,
        name: "crl_turns",
        sql: include_str!("migrations/0015_crl_turns.sql"),
    },
    Migration {
        version: 16,
        name: "assist_questions",
        sql: include_str!("migrations/0016_assist_questions.sql"),
    },
];

impl Migration {
    /// Checksum of the template, not of the rendered SQL, so both databases record the same.
    fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.sql.as_bytes()))
    }
}

/// Brings the schema up to date. Two processes may start at once: on PostgreSQL the second
/// waits on an advisory lock, on SQLite on the write lock, and then finds nothing to do.
pub(crate) async fn run(store: &SqlStore) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    store.backend.lock(&mut tx, MIGRATION_LOCK).await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at BIGINT NOT NULL
        )",
    )
    .execute(&mut *tx)
    .await?;
    let applied: Vec<(i64, String)> =
        sqlx::query_as("SELECT version, checksum FROM schema_migrations ORDER BY version")
            .fetch_all(&mut *tx)
            .await?;
    for (version, checksum) in &applied {
        match MIGRATIONS.iter().find(|m| m.version == *version) {
            None => return Err(StoreError::UnknownMigration(*version)),
            Some(m) if m.checksum() != *checksum => {
                return Err(StoreError::ChangedMigration {
                    version: m.version,
                    name: m.name,
                });
            }
            Some(_) => {}
        }
    }
    for m in MIGRATIONS
        .iter()
        .filter(|m| !applied.iter().any(|(v, _)| *v == m.version))
    {
        tracing::info!(
            version = m.version,
            name = m.name,
            "applying schema migration"
        );
        // raw_sql: a migration holds several statements, which only the unprepared
        // (simple) protocol accepts on PostgreSQL.
        sqlx::raw_sql(AssertSqlSafe(store.backend.render(m.sql)))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(m.checksum())
        .bind(time::OffsetDateTime::now_utc().unix_timestamp())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase() {
        assert!(MIGRATIONS.windows(2).all(|w| w[0].version < w[1].version));
        assert_eq!(MIGRATIONS[0].version, 1);
    }
}
