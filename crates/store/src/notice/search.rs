//! The notice search of the list and notice attachments.

use async_trait::async_trait;
use kaigo_core::error::RepoResult;
use kaigo_core::ids::NoticeId;
use kaigo_core::notice::attachment::{Attachment, AttachmentId, AttachmentInfo, NewAttachment};
use kaigo_core::notice::repo::NoticeSearchRepo;
use kaigo_core::notice::search::NoticeQuery;
use kaigo_core::notice::{NewNotice, NoticeView};
use kaigo_core::office::Office;
use sqlx::any::AnyRow;

use crate::SqlStore;
use crate::error::repo_err;
use crate::notice::{notice, office_params, shown_at, visible};
use crate::row::get;

/// The notice columns read by `notices::notice`, qualified with the alias `n`.
macro_rules! columns {
    () => {
        "n.id, n.category, n.title, n.body, n.target_kind, n.target_value, n.start_at, \
         n.end_at, n.updated_at"
    };
}

/// The search condition. `$4` the audience code ('any' or a target kind), `$5`/`$6` the
/// 提示開始日 range (NULL: open), `$7`/`$8` the keyword's LIKE patterns (NULL: none).
macro_rules! searched {
    () => {
        " AND ($4 = 'any' OR n.target_kind = $4) \
          AND ($5 IS NULL OR n.start_at >= $5) AND ($6 IS NULL OR n.start_at < $6) \
          AND ($7 IS NULL \
               OR LOWER(n.title) LIKE $7 ESCAPE '\\' OR LOWER(n.body) LIKE $7 ESCAPE '\\' \
               OR LOWER(n.title) LIKE $8 ESCAPE '\\' OR LOWER(n.body) LIKE $8 ESCAPE '\\')"
    };
}

/// The eight parameters of `visible!` + `searched!`.
struct SearchParams {
    prefecture: Option<String>,
    office: String,
    now: i64,
    audience: &'static str,
    from: Option<i64>,
    to: Option<i64>,
    k1: Option<String>,
    k2: Option<String>,
}

fn search_params(office: &Office, now: i64, q: &NoticeQuery) -> SearchParams {
    let (prefecture, office_id) = office_params(office);
    let mut patterns = q.keyword_patterns().into_iter();
    let k1 = patterns.next();
    let k2 = patterns.next().or_else(|| k1.clone());
    SearchParams {
        prefecture,
        office: office_id,
        now,
        audience: q.audience.code(),
        from: q.start_from,
        to: q.start_to,
        k1,
        k2,
    }
}

macro_rules! bind_search {
    ($query:expr, $p:expr) => {
        $query
            .bind($p.prefecture.clone())
            .bind($p.office.clone())
            .bind($p.now)
            .bind($p.audience)
            .bind($p.from)
            .bind($p.to)
            .bind($p.k1.clone())
            .bind($p.k2.clone())
    };
}

fn attachment_info(row: &AnyRow) -> RepoResult<AttachmentInfo> {
    Ok(AttachmentInfo {
        id: AttachmentId(get(row, "id")?),
        notice_id: NoticeId(get(row, "notice_id")?),
        filename: get(row, "filename")?,
        content_type: get(row, "content_type")?,
        size: get(row, "size")?,
        created_at: get(row, "created_at")?,
    })
}

pub(crate) fn attachment(row: &AnyRow) -> RepoResult<Attachment> {
    Ok(Attachment {
        info: attachment_info(row)?,
        bytes: get(row, "bytes")?,
    })
}

pub(crate) const ATTACHMENT_COLUMNS: &str =
    "a.id, a.notice_id, a.filename, a.content_type, a.size, a.created_at";

#[async_trait]
impl NoticeSearchRepo for SqlStore {
    async fn search_notices_for_office(
        &self,
        office: &Office,
        now: i64,
        query: &NoticeQuery,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<NoticeView>> {
        let p = search_params(office, now, query);
        let sql = concat!(
            "SELECT ",
            columns!(),
            ", r.read_at FROM notices n \
             LEFT JOIN notice_reads r ON r.notice_id = n.id AND r.office_id = $9 \
             WHERE ",
            visible!(),
            searched!(),
            " ORDER BY ",
            shown_at!(),
            " DESC, n.id DESC LIMIT $10 OFFSET $11"
        );
        let rows = bind_search!(sqlx::query(sql), p)
            .bind(office.id.0)
            .bind(limit.max(0))
            .bind(offset.max(0))
            .fetch_all(&self.pool)
            .await
            .map_err(repo_err("search notices"))?;
        rows.iter()
            .map(|row| {
                Ok(NoticeView {
                    notice: notice(row)?,
                    read: get::<Option<i64>>(row, "read_at")?.is_some(),
                })
            })
            .collect()
    }

    async fn count_search_notices_for_office(
        &self,
        office: &Office,
        now: i64,
        query: &NoticeQuery,
    ) -> RepoResult<i64> {
        let p = search_params(office, now, query);
        let sql = concat!(
            "SELECT COUNT(*) FROM notices n WHERE ",
            visible!(),
            searched!()
        );
        bind_search!(sqlx::query_scalar(sql), p)
            .fetch_one(&self.pool)
            .await
            .map_err(repo_err("count notice search"))
    }

    async fn insert_notice_with_attachments(
        &self,
        n: &NewNotice,
        attachments: &[NewAttachment],
    ) -> RepoResult<NoticeId> {
        let err = repo_err("insert notice with attachments");
        let mut tx = self.begin_write().await.map_err(&err)?;
        let id = insert_notice_and_attachments(&mut tx, n, attachments)
            .await
            .map_err(&err)?;
        tx.commit().await.map_err(&err)?;
        Ok(id)
    }

    async fn notice_attachments_for_office(
        &self,
        office: &Office,
        notice_id: NoticeId,
        now: i64,
    ) -> RepoResult<Vec<AttachmentInfo>> {
        let (prefecture, office_id) = office_params(office);
        let sql = format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM notice_attachments a \
             JOIN notices n ON n.id = a.notice_id WHERE a.notice_id = $4 AND {} \
             ORDER BY a.id",
            visible!()
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(prefecture)
            .bind(office_id)
            .bind(now)
            .bind(notice_id.0)
            .fetch_all(&self.pool)
            .await
            .map_err(repo_err("notice attachments"))?;
        rows.iter().map(attachment_info).collect()
    }

    async fn notice_attachment_for_office(
        &self,
        office: &Office,
        id: AttachmentId,
        now: i64,
    ) -> RepoResult<Option<Attachment>> {
        let (prefecture, office_id) = office_params(office);
        let sql = format!(
            "SELECT {ATTACHMENT_COLUMNS}, a.bytes FROM notice_attachments a \
             JOIN notices n ON n.id = a.notice_id WHERE a.id = $4 AND {}",
            visible!()
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(prefecture)
            .bind(office_id)
            .bind(now)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(repo_err("notice attachment"))?;
        row.as_ref().map(attachment).transpose()
    }
}

/// Inserts a notice and its attachments inside the caller's transaction.
pub(crate) async fn insert_notice_and_attachments(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    n: &NewNotice,
    attachments: &[NewAttachment],
) -> Result<NoticeId, sqlx::Error> {
    let id = crate::notice::insert(&mut **tx, n).await?;
    for a in attachments {
        sqlx::query(
            "INSERT INTO notice_attachments (notice_id, filename, content_type, bytes, \
             size, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.0)
        .bind(a.filename.as_str())
        .bind(a.content_type.as_str())
        .bind(a.bytes.as_slice())
        .bind(a.bytes.len() as i64)
        .bind(n.created_at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}
