//! The notice search and attachments, office documents (照会一覧) and inquiries.

use async_trait::async_trait;
use kaigo_core::RepoError;
use kaigo_core::ids::{NoticeId, OfficeId};
use kaigo_core::mail::NewMail;
use kaigo_core::notice::{NewNotice, NoticeView};
use kaigo_core::office::Office;
use kaigo_core::portal::{
    Attachment, AttachmentId, AttachmentInfo, DocumentEntry, DocumentSource, InquiryId,
    NewAttachment, NewInquiry, NewOfficeDocument, NoticeQuery, OfficeDocument, OfficeDocumentId,
};
use kaigo_core::repo::{InquiryRepo, NoticeSearchRepo, OfficeDocumentRepo, RepoResult};
use sqlx::any::AnyRow;

use crate::SqlStore;
use crate::error::repo_err;
use crate::notices::{notice, office_params, on_display, visible};
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

fn attachment(row: &AnyRow) -> RepoResult<Attachment> {
    Ok(Attachment {
        info: attachment_info(row)?,
        bytes: get(row, "bytes")?,
    })
}

const ATTACHMENT_COLUMNS: &str =
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
            " ORDER BY n.start_at DESC, n.id DESC LIMIT $10 OFFSET $11"
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

#[async_trait]
impl OfficeDocumentRepo for SqlStore {
    async fn insert_office_document(&self, d: &NewOfficeDocument) -> RepoResult<OfficeDocumentId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO office_documents (office_id, kind, title, filename, content_type, \
             bytes, size, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(d.office_id.0)
        .bind(d.kind.as_str())
        .bind(d.title.as_str())
        .bind(d.filename.as_str())
        .bind(d.content_type.as_str())
        .bind(d.bytes.as_slice())
        .bind(d.bytes.len() as i64)
        .bind(d.created_at)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => RepoError::NotFound,
            _ => repo_err("insert office document")(e),
        })?;
        Ok(OfficeDocumentId(id))
    }

    async fn office_documents(
        &self,
        office_id: OfficeId,
        now: i64,
    ) -> RepoResult<Vec<DocumentEntry>> {
        let err = repo_err("office documents");
        let docs = sqlx::query(
            "SELECT id, kind, title, filename, content_type, size, created_at \
             FROM office_documents WHERE office_id = $1",
        )
        .bind(office_id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(&err)?;
        let attachments = sqlx::query(concat!(
            "SELECT a.id, n.title, a.filename, a.content_type, a.size, a.created_at, \
             n.category FROM notice_attachments a JOIN notices n ON n.id = a.notice_id \
             WHERE n.target_kind = 'office' AND n.target_value = $1 AND ",
            on_display!("$2")
        ))
        .bind(office_id.0.to_string())
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .map_err(&err)?;
        let mut out = Vec::with_capacity(docs.len() + attachments.len());
        for row in &docs {
            out.push(DocumentEntry {
                source: DocumentSource::Issued(OfficeDocumentId(get(row, "id")?)),
                kind: get(row, "kind")?,
                title: get(row, "title")?,
                filename: get(row, "filename")?,
                content_type: get(row, "content_type")?,
                size: get(row, "size")?,
                created_at: get(row, "created_at")?,
            });
        }
        for row in &attachments {
            out.push(DocumentEntry {
                source: DocumentSource::NoticeAttachment(AttachmentId(get(row, "id")?)),
                kind: "notice".to_owned(),
                title: get(row, "title")?,
                filename: get(row, "filename")?,
                content_type: get(row, "content_type")?,
                size: get(row, "size")?,
                created_at: get(row, "created_at")?,
            });
        }
        // Newest first; equal times keep documents before attachments, then by id (desc).
        out.sort_by(|a, b| {
            b.created_at.cmp(&a.created_at).then_with(|| {
                let key = |e: &DocumentEntry| match e.source {
                    DocumentSource::Issued(id) => (1, id.0),
                    DocumentSource::NoticeAttachment(id) => (0, id.0),
                };
                key(b).cmp(&key(a))
            })
        });
        Ok(out)
    }

    async fn office_document(
        &self,
        office_id: OfficeId,
        id: OfficeDocumentId,
    ) -> RepoResult<Option<OfficeDocument>> {
        let row = sqlx::query(
            "SELECT id, office_id, kind, title, filename, content_type, bytes, created_at \
             FROM office_documents WHERE id = $1 AND office_id = $2",
        )
        .bind(id.0)
        .bind(office_id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(repo_err("office document"))?;
        row.map(|row| {
            Ok(OfficeDocument {
                id: OfficeDocumentId(get(&row, "id")?),
                office_id: OfficeId(get(&row, "office_id")?),
                kind: get(&row, "kind")?,
                title: get(&row, "title")?,
                filename: get(&row, "filename")?,
                content_type: get(&row, "content_type")?,
                bytes: get(&row, "bytes")?,
                created_at: get(&row, "created_at")?,
            })
        })
        .transpose()
    }

    async fn office_notice_attachment(
        &self,
        office_id: OfficeId,
        id: AttachmentId,
        now: i64,
    ) -> RepoResult<Option<Attachment>> {
        let sql = format!(
            "SELECT {ATTACHMENT_COLUMNS}, a.bytes FROM notice_attachments a \
             JOIN notices n ON n.id = a.notice_id \
             WHERE a.id = $1 AND n.target_kind = 'office' AND n.target_value = $2 AND {}",
            on_display!("$3")
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .bind(office_id.0.to_string())
            .bind(now)
            .fetch_optional(&self.pool)
            .await
            .map_err(repo_err("office notice attachment"))?;
        row.as_ref().map(attachment).transpose()
    }
}

#[async_trait]
impl InquiryRepo for SqlStore {
    async fn insert_inquiry(&self, q: &NewInquiry, ack: Option<&NewMail>) -> RepoResult<InquiryId> {
        let err = repo_err("insert inquiry");
        let mut tx = self.begin_write().await.map_err(&err)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO inquiries (office_id, category, subject, body, reply_to, status, \
             created_at) VALUES ($1, $2, $3, $4, $5, 'open', $6) RETURNING id",
        )
        .bind(q.office_id.0)
        .bind(q.category.code())
        .bind(q.subject.as_str())
        .bind(q.body.as_str())
        .bind(q.reply_to.as_str())
        .bind(q.created_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(&err)?;
        let id = InquiryId(id);
        if let Some(mail) = ack {
            let mut mail = mail.clone();
            mail.body = mail.body.replace(
                "{reception}",
                &kaigo_core::portal::reception_number(id, q.created_at),
            );
            crate::mail::insert(&mut *tx, &mail).await.map_err(&err)?;
        }
        tx.commit().await.map_err(&err)?;
        Ok(id)
    }

    async fn count_inquiries_since(&self, office_id: OfficeId, since: i64) -> RepoResult<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM inquiries WHERE office_id = $1 AND created_at >= $2",
        )
        .bind(office_id.0)
        .bind(since)
        .fetch_one(&self.pool)
        .await
        .map_err(repo_err("count inquiries"))
    }
}

/// Inserts a notice and its attachments inside the caller's transaction.
pub(crate) async fn insert_notice_and_attachments(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    n: &NewNotice,
    attachments: &[NewAttachment],
) -> Result<NoticeId, sqlx::Error> {
    let id = crate::notices::insert(&mut **tx, n).await?;
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
