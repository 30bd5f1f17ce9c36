//! Offices (介護事業所) and their login credentials.

pub(crate) mod console;

use async_trait::async_trait;
use kaigo_core::RepoError;
use kaigo_core::error::RepoResult;
use kaigo_core::error::Unique;
use kaigo_core::ids::{OfficeId, OfficeNumber, PrefectureCode, UserId};
use kaigo_core::office::repo::OfficeRepo;
use kaigo_core::office::{NewOffice, Office, OfficeKind, OfficeStatus};
use sqlx::any::AnyRow;

use crate::SqlStore;
use crate::error::{bad_value, repo_err};
use crate::row::{code, flag, get};

/// The columns `office()` reads, for every SELECT and RETURNING.
macro_rules! columns {
    () => {
        "id, number, name, kind, email, prefecture, user_id, login_hash, \
         must_change_password, issuance_hash, created_at, postal_code, address, status"
    };
}
pub(crate) use columns;

pub(crate) fn office(row: &AnyRow) -> RepoResult<Office> {
    let number: String = get(row, "number")?;
    let user_id: String = get(row, "user_id")?;
    let prefecture = get::<Option<String>>(row, "prefecture")?
        .map(|p| PrefectureCode::parse(&p).map_err(|_| bad_value("prefecture", &p)))
        .transpose()?;
    Ok(Office {
        id: OfficeId(get(row, "id")?),
        number: OfficeNumber::parse(&number).map_err(|_| bad_value("number", &number))?,
        name: get(row, "name")?,
        kind: code(row, "kind", OfficeKind::from_code)?,
        email: get(row, "email")?,
        prefecture,
        user_id: UserId::parse(&user_id).map_err(|_| bad_value("user_id", &user_id))?,
        login_hash: get(row, "login_hash")?,
        must_change_password: flag(row, "must_change_password")?,
        issuance_hash: get(row, "issuance_hash")?,
        created_at: get(row, "created_at")?,
        postal_code: get(row, "postal_code")?,
        address: get(row, "address")?,
        status: code(row, "status", OfficeStatus::from_code)?,
    })
}

/// Says which rule a duplicate office broke, so that registration can react (e.g. draw
/// another user ID). The constraint text differs per database but names the column on both.
pub(crate) fn office_conflict(e: sqlx::Error) -> RepoError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        let what = format!("{} {}", db.message(), db.constraint().unwrap_or_default());
        return RepoError::Duplicate(if what.contains("user_id") {
            Unique::UserId
        } else {
            Unique::OfficeNumber
        });
    }
    repo_err("insert office")(e)
}

/// Inserts one office through `exec` (the pool, or a transaction for a bulk registration).
pub(crate) async fn insert_office_row<'e, E>(exec: E, o: &NewOffice) -> RepoResult<Office>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    // must_change_password starts at 1: a new office logs in with the temporary password
    // from its registration letter.
    let row = sqlx::query(concat!(
        "INSERT INTO offices (number, name, kind, email, prefecture, user_id, login_hash, \
         must_change_password, issuance_hash, created_at, postal_code, address) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10, $11) RETURNING ",
        columns!()
    ))
    .bind(o.number.as_str())
    .bind(o.name.as_str())
    .bind(o.kind.code())
    .bind(o.email.as_deref())
    .bind(o.prefecture.map(|p| p.to_string()))
    .bind(o.user_id.as_str())
    .bind(o.login_hash.as_str())
    .bind(o.issuance_hash.as_str())
    .bind(o.created_at)
    .bind(o.postal_code.as_str())
    .bind(o.address.as_str())
    .fetch_one(exec)
    .await
    .map_err(office_conflict)?;
    office(&row)
}

impl SqlStore {
    /// One office by a unique column; `sql` selects `columns!()` with one parameter.
    async fn one_office<'a, T>(&self, sql: &'static str, key: T) -> RepoResult<Option<Office>>
    where
        T: 'a + sqlx::Encode<'a, sqlx::any::Any> + sqlx::Type<sqlx::any::Any> + Send,
    {
        sqlx::query(sql)
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(repo_err("select office"))?
            .as_ref()
            .map(office)
            .transpose()
    }
}

#[async_trait]
impl OfficeRepo for SqlStore {
    async fn insert_office(&self, o: &NewOffice) -> RepoResult<Office> {
        insert_office_row(&self.pool, o).await
    }

    async fn office_by_id(&self, id: OfficeId) -> RepoResult<Option<Office>> {
        self.one_office(
            concat!("SELECT ", columns!(), " FROM offices WHERE id = $1"),
            id.0,
        )
        .await
    }

    async fn office_by_user_id(&self, user_id: &UserId) -> RepoResult<Option<Office>> {
        let sql = concat!("SELECT ", columns!(), " FROM offices WHERE user_id = $1");
        self.one_office(sql, user_id.as_str()).await
    }

    async fn office_by_number(&self, number: &OfficeNumber) -> RepoResult<Option<Office>> {
        let sql = concat!("SELECT ", columns!(), " FROM offices WHERE number = $1");
        self.one_office(sql, number.as_str()).await
    }

    async fn set_login_hash(&self, id: OfficeId, hash: &str, must_change: bool) -> RepoResult<()> {
        let done = sqlx::query(
            "UPDATE offices SET login_hash = $1, must_change_password = $2 WHERE id = $3",
        )
        .bind(hash)
        .bind(i64::from(must_change))
        .bind(id.0)
        .execute(&self.pool)
        .await
        .map_err(repo_err("set login hash"))?;
        if done.rows_affected() == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }
}
