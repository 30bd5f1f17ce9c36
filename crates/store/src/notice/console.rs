//! Notices for the admin console: author, edit, withdrawal and attachments.

use async_trait::async_trait;
use kaigo_core::RepoError;
use kaigo_core::error::RepoResult;
use kaigo_core::ids::{NoticeId, PrefectureCode};
use kaigo_core::notice::admin::{AdminNotice, NoticeEdit};
use kaigo_core::notice::attachment::{AttachmentId, AttachmentInfo, NewAttachment};
use kaigo_core::notice::repo::AdminNoticeRepo;
use kaigo_core::notice::{NewNotice, NoticeTarget};
use sqlx::any::AnyRow;

use crate::SqlStore;
use crate::error::repo_err;
use crate::row::get;

const COLUMNS: &str = "n.id, n.category, n.title, n.body, n.target_kind, n.target_value, \
     n.start_at, n.end_at, n.updated_at, n.created_by, n.withdrawn_at, n.withdrawn_by";

fn admin_notice(row: &AnyRow) -> RepoResult<AdminNotice> {
    Ok(AdminNotice {
        notice: crate::notice::notice(row)?,
        created_by: get(row, "created_by")?,
        withdrawn_at: get(row, "withdrawn_at")?,
        withdrawn_by: get(row, "withdrawn_by")?,
    })
}

fn target_columns(target: NoticeTarget) -> (&'static str, Option<String>) {
    match target {
        NoticeTarget::All => ("all", None),
        NoticeTarget::Prefecture(p) => ("prefecture", Some(p.to_string())),
        NoticeTarget::Office(id) => ("office", Some(id.0.to_string())),
    }
}

#[async_trait]
impl AdminNoticeRepo for SqlStore {
    async fn create_admin_notice(
        &self,
        n: &NewNotice,
        created_by: &str,
        attachments: &[NewAttachment],
    ) -> RepoResult<NoticeId> {
        let err = repo_err("create admin notice");
        let mut tx = self.begin_write().await.map_err(&err)?;
        let id = crate::notice::search::insert_notice_and_attachments(&mut tx, n, attachments)
            .await
            .map_err(&err)?;
        sqlx::query("UPDATE notices SET created_by = $1 WHERE id = $2")
            .bind(created_by)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
        tx.commit().await.map_err(&err)?;
        Ok(id)
    }

    async fn admin_notices(
        &self,
        prefecture: Option<PrefectureCode>,
    ) -> RepoResult<Vec<AdminNotice>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM notices n WHERE $1 IS NULL \
             OR n.target_kind = 'all' \
             OR (n.target_kind = 'prefecture' AND n.target_value = $1) \
             OR (n.target_kind = 'office' AND n.target_value IN \
                 (SELECT CAST(o.id AS TEXT) FROM offices o WHERE o.prefecture = $1)) \
             ORDER BY n.start_at DESC, n.id DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(prefecture.map(|p| p.to_string()))
            .fetch_all(&self.pool)
            .await
            .map_err(repo_err("admin notices"))?;
        rows.iter().map(admin_notice).collect()
    }

    async fn admin_notice(&self, id: NoticeId) -> RepoResult<Option<AdminNotice>> {
        let sql = format!("SELECT {COLUMNS} FROM notices n WHERE n.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(repo_err("admin notice"))?;
        row.as_ref().map(admin_notice).transpose()
    }

    async fn update_notice(&self, id: NoticeId, e: &NoticeEdit) -> RepoResult<bool> {
        let (kind, value) = target_columns(e.target);
        let done = sqlx::query(
            "UPDATE notices SET category = $1, title = $2, body = $3, target_kind = $4, \
             target_value = $5, start_at = $6, end_at = $7, updated_at = $8 \
             WHERE id = $9 AND withdrawn_at IS NULL",
        )
        .bind(e.category.code())
        .bind(e.title.as_str())
        .bind(e.body.as_str())
        .bind(kind)
        .bind(value)
        .bind(e.start_at)
        .bind(e.end_at)
        .bind(e.updated_at)
        .bind(id.0)
        .execute(&self.pool)
        .await
        .map_err(repo_err("update notice"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn withdraw_notice(&self, id: NoticeId, by: &str, at: i64) -> RepoResult<bool> {
        let done = sqlx::query(
            "UPDATE notices SET withdrawn_at = $1, withdrawn_by = $2 \
             WHERE id = $3 AND withdrawn_at IS NULL",
        )
        .bind(at)
        .bind(by)
        .bind(id.0)
        .execute(&self.pool)
        .await
        .map_err(repo_err("withdraw notice"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn admin_notice_attachments(&self, id: NoticeId) -> RepoResult<Vec<AttachmentInfo>> {
        let rows = sqlx::query(
            "SELECT id, notice_id, filename, content_type, size, created_at \
             FROM notice_attachments WHERE notice_id = $1 ORDER BY id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(repo_err("admin notice attachments"))?;
        rows.iter()
            .map(|row| {
                Ok(AttachmentInfo {
                    id: AttachmentId(get(row, "id")?),
                    notice_id: kaigo_core::ids::NoticeId(get(row, "notice_id")?),
                    filename: get(row, "filename")?,
                    content_type: get(row, "content_type")?,
                    size: get(row, "size")?,
                    created_at: get(row, "created_at")?,
                })
            })
            .collect()
    }

    async fn add_notice_attachment(
        &self,
        id: NoticeId,
        a: &NewAttachment,
        at: i64,
    ) -> RepoResult<AttachmentId> {
        let new_id: i64 = sqlx::query_scalar(
            "INSERT INTO notice_attachments (notice_id, filename, content_type, bytes, size, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(id.0)
        .bind(a.filename.as_str())
        .bind(a.content_type.as_str())
        .bind(a.bytes.as_slice())
        .bind(a.bytes.len() as i64)
        .bind(at)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => RepoError::NotFound,
            _ => repo_err("add notice attachment")(e),
        })?;
        Ok(AttachmentId(new_id))
    }

    async fn remove_notice_attachment(
        &self,
        notice: NoticeId,
        attachment: AttachmentId,
    ) -> RepoResult<bool> {
        let done = sqlx::query("DELETE FROM notice_attachments WHERE id = $1 AND notice_id = $2")
            .bind(attachment.0)
            .bind(notice.0)
            .execute(&self.pool)
            .await
            .map_err(repo_err("remove notice attachment"))?;
        Ok(done.rows_affected() == 1)
    }
}
