//! Reading columns of an `AnyRow` into domain values, with errors as `RepoError`.

use kaigo_core::RepoError;
use sqlx::any::{Any, AnyRow};
use sqlx::{Decode, Row, Type};

use crate::error::bad_value;

/// One column, decoded; a type mismatch is a backend error (schema and code disagree).
pub(crate) fn get<'r, T>(row: &'r AnyRow, column: &'static str) -> Result<T, RepoError>
where
    T: Decode<'r, Any> + Type<Any>,
{
    row.try_get(column)
        .map_err(|e| RepoError::Backend(format!("column {column}: {e}")))
}

/// A TEXT code column parsed with one of the domain's `from_code` functions.
pub(crate) fn code<T>(
    row: &AnyRow,
    column: &'static str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, RepoError> {
    let text: String = get(row, column)?;
    parse(&text).ok_or_else(|| bad_value(column, &text))
}

/// A 0/1 flag column (the Any driver cannot carry bool on SQLite).
pub(crate) fn flag(row: &AnyRow, column: &'static str) -> Result<bool, RepoError> {
    Ok(get::<i64>(row, column)? != 0)
}
