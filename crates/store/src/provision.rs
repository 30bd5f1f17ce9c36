//! Creating and dropping a whole PostgreSQL database on a server, for tools that need a fresh
//! one (the load benchmark). The name is checked to be a plain identifier before it is put
//! into the statement, which cannot take it as a parameter.

use sqlx::{AssertSqlSafe, Connection};

use crate::StoreError;

fn checked(name: &str) -> Result<&str, StoreError> {
    let plain = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit();
    if plain {
        Ok(name)
    } else {
        Err(StoreError::UnsupportedUrl)
    }
}

/// Creates database `name` (dropping one of that name first) on the server of `admin_url`;
/// returns the URL of the new database.
pub async fn create_postgres_database(admin_url: &str, name: &str) -> Result<String, StoreError> {
    let name = checked(name)?;
    let mut admin = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await?;
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await?;
    let (head, _) = admin_url
        .rsplit_once('/')
        .ok_or(StoreError::UnsupportedUrl)?;
    Ok(format!("{head}/{name}"))
}

/// Drops database `name` on the server of `admin_url`, closing its connections.
pub async fn drop_postgres_database(admin_url: &str, name: &str) -> Result<(), StoreError> {
    let name = checked(name)?;
    let mut admin = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await?;
    Ok(())
}
