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
    drop_postgres_database(admin_url, name).await?;
    let name = checked(name)?;
    let mut admin = sqlx::PgConnection::connect(admin_url).await?;
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

/// Adds `offices` synthetic offices and `certificates` issued 介護DX certificates spread over
/// them to a PostgreSQL database (numbers and user IDs start with `S`; the certificate bytes
/// are placeholders) with the notice each issuance left, then refreshes the planner's statistics: the population of the national
/// service, for measuring that the portal's queries stay on their indexes.
pub async fn fill_synthetic(url: &str, offices: i64, certificates: i64) -> Result<(), StoreError> {
    let mut db = sqlx::PgConnection::connect(url).await?;
    sqlx::query(
        "INSERT INTO offices (number, name, kind, prefecture, user_id, login_hash, \
         must_change_password, issuance_hash, created_at, postal_code, address, status) \
         SELECT 'S' || lpad(g::text, 9, '0'), '合成事業所' || g, 'kaigo', \
         lpad(((g % 47) + 1)::text, 2, '0'), 'S' || lpad(g::text, 9, '0'), 'x', 0, 'x', 0, \
         '100-0001', '東京都千代田区', 'active' FROM generate_series(1, $1) g",
    )
    .bind(offices)
    .execute(&mut db)
    .await?;
    let first: i64 = sqlx::query_scalar("SELECT MIN(id) FROM offices WHERE number LIKE 'S%'")
        .fetch_one(&mut db)
        .await?;
    sqlx::query(
        "INSERT INTO applications (office_id, kind, state, requested_at, terms_version, \
         consented_at, idempotency_key, attempts) \
         SELECT $1 + (g % $2), 'dx', 'done', 0, 'synthetic', 0, 'syn-' || g, 1 \
         FROM generate_series(1, $3) g",
    )
    .bind(first)
    .bind(offices.max(1))
    .bind(certificates)
    .execute(&mut db)
    .await?;
    sqlx::query(
        "INSERT INTO certificates (office_id, application_id, kind, serial, subject, not_before, \
         not_after, status, fingerprint_sha256, cert_der, pkcs12, issued_at) \
         SELECT a.office_id, a.id, 'dx', '7' || lpad(to_hex(a.id), 31, '0'), 'CN=synthetic', 0, \
         4102444800, 'valid', 'synthetic', '\\x00'::bytea, '\\x00'::bytea, 0 \
         FROM applications a WHERE a.idempotency_key LIKE 'syn-%'",
    )
    .execute(&mut db)
    .await?;
    // Each issued certificate left its office a 証明書発行完了通知.
    sqlx::query(
        "INSERT INTO notices (category, title, body, target_kind, target_value, start_at, \
         created_at, updated_at) \
         SELECT 'certificate', '証明書発行完了通知（介護DX証明書）', '合成', 'office', \
         office_id::text, 0, 0, 0 FROM certificates WHERE fingerprint_sha256 = 'synthetic'",
    )
    .execute(&mut db)
    .await?;
    sqlx::query("ANALYZE").execute(&mut db).await?;
    Ok(())
}

/// Sequential scans per table so far (PostgreSQL's statistics), to tell whether a workload
/// read any large table without an index.
pub async fn sequential_scans(url: &str) -> Result<Vec<(String, i64)>, StoreError> {
    let mut db = sqlx::PgConnection::connect(url).await?;
    // The statistics collector reports with a delay; ask for a fresh snapshot.
    sqlx::query("SELECT pg_stat_clear_snapshot()")
        .execute(&mut db)
        .await?;
    Ok(sqlx::query_as(
        "SELECT relname::text, COALESCE(seq_scan, 0) FROM pg_stat_user_tables ORDER BY relname",
    )
    .fetch_all(&mut db)
    .await?)
}
