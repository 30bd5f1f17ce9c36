//! Admin accounts of the console.

use async_trait::async_trait;
use kaigo_core::RepoError;
use kaigo_core::admin::repo::AdminRepo;
use kaigo_core::admin::{Admin, AdminId, AdminLogin, AdminRole, NewAdmin};
use kaigo_core::error::RepoResult;
use kaigo_core::ids::PrefectureCode;
use sqlx::any::AnyRow;

use crate::SqlStore;
use crate::error::{bad_value, repo_err};
use crate::row::{flag, get};

macro_rules! columns {
    () => {
        "id, login, role, prefecture, password_hash, totp_sealed, totp_confirmed, \
         totp_last_step, created_at, disabled"
    };
}

fn admin(row: &AnyRow) -> RepoResult<Admin> {
    let login: String = get(row, "login")?;
    let role: String = get(row, "role")?;
    let prefecture = get::<Option<String>>(row, "prefecture")?
        .map(|p| PrefectureCode::parse(&p).map_err(|_| bad_value("prefecture", &p)))
        .transpose()?;
    Ok(Admin {
        id: AdminId(get(row, "id")?),
        login: AdminLogin::parse(&login).map_err(|_| bad_value("login", &login))?,
        role: AdminRole::from_parts(&role, prefecture).ok_or_else(|| bad_value("role", &role))?,
        password_hash: get(row, "password_hash")?,
        totp_sealed: get(row, "totp_sealed")?,
        totp_confirmed: flag(row, "totp_confirmed")?,
        totp_last_step: get(row, "totp_last_step")?,
        created_at: get(row, "created_at")?,
        disabled: flag(row, "disabled")?,
    })
}

#[async_trait]
impl AdminRepo for SqlStore {
    async fn insert_admin(&self, new: &NewAdmin) -> RepoResult<Admin> {
        let row = sqlx::query(concat!(
            "INSERT INTO admins (login, role, prefecture, password_hash, totp_sealed, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
            columns!()
        ))
        .bind(new.login.as_str())
        .bind(new.role.code())
        .bind(new.role.prefecture().map(|p| p.to_string()))
        .bind(new.password_hash.as_str())
        .bind(new.totp_sealed.as_slice())
        .bind(new.created_at)
        .fetch_one(&self.pool)
        .await
        .map_err(repo_err("insert admin"))?;
        admin(&row)
    }

    async fn list_admins(&self) -> RepoResult<Vec<Admin>> {
        sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM admins ORDER BY role, prefecture, login"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(repo_err("list admins"))?
        .iter()
        .map(admin)
        .collect()
    }

    async fn admin_by_id(&self, id: AdminId) -> RepoResult<Option<Admin>> {
        sqlx::query(concat!("SELECT ", columns!(), " FROM admins WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(repo_err("select admin"))?
            .as_ref()
            .map(admin)
            .transpose()
    }

    async fn admin_by_login(&self, login: &AdminLogin) -> RepoResult<Option<Admin>> {
        sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM admins WHERE login = $1"
        ))
        .bind(login.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(repo_err("select admin"))?
        .as_ref()
        .map(admin)
        .transpose()
    }

    async fn accept_totp_step(&self, id: AdminId, step: i64) -> RepoResult<bool> {
        let done = sqlx::query(
            "UPDATE admins SET totp_last_step = $1, totp_confirmed = 1 \
             WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(id.0)
        .execute(&self.pool)
        .await
        .map_err(repo_err("accept totp step"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_admin_disabled(&self, id: AdminId, disabled: bool) -> RepoResult<()> {
        let done = sqlx::query("UPDATE admins SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(repo_err("set admin disabled"))?;
        if done.rows_affected() == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }
}
