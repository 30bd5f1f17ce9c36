//! Errors of the store: [`StoreError`] for connecting and migrating, and the mapping of sqlx
//! errors to kaigo-core's `RepoError` for the repository methods.

use kaigo_core::RepoError;
use thiserror::Error;

/// Failure to open or migrate the database. The messages never contain the database URL,
/// which may carry a password.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The URL is neither `sqlite:…` nor `postgres://…`/`postgresql://…`.
    #[error("unsupported database URL: expected sqlite://PATH or postgres://…")]
    UnsupportedUrl,
    /// The driver or the database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The database was migrated by a newer version of the program.
    #[error("the database has schema migration {0}, unknown to this version of the program")]
    UnknownMigration(i64),
    /// An applied migration no longer matches its text in this program.
    #[error("schema migration {version} ({name}) differs from the one applied to this database")]
    ChangedMigration { version: i64, name: &'static str },
    /// SQLite refused to switch to write-ahead logging.
    #[error("SQLite did not switch to WAL mode (journal mode is {0})")]
    NotWal(String),
}

/// Maps a sqlx error to a `RepoError`: unique violations become `Conflict`, everything else
/// `Backend`. `context` names the operation; the backend text is meant for the log only.
pub(crate) fn repo_err(context: &'static str) -> impl Fn(sqlx::Error) -> RepoError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            RepoError::Conflict(format!("{context}: already exists"))
        }
        _ => RepoError::Backend(format!("{context}: {e}")),
    }
}

/// A value in the database that the domain does not accept (a corrupt or foreign row).
pub(crate) fn bad_value(column: &'static str, value: &str) -> RepoError {
    RepoError::Backend(format!("unexpected value {value:?} in column {column}"))
}

/// `last_error` columns are for operators; a runaway message must not bloat the row.
const MAX_ERROR_CHARS: usize = 2_000;

/// An error text cut to [`MAX_ERROR_CHARS`] characters (on a character boundary).
pub(crate) fn clip(text: &str) -> &str {
    match text.char_indices().nth(MAX_ERROR_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_keeps_characters_whole() {
        assert_eq!(clip("短い"), "短い");
        let long = "証".repeat(MAX_ERROR_CHARS + 5);
        assert_eq!(clip(&long).chars().count(), MAX_ERROR_CHARS);
    }
}
