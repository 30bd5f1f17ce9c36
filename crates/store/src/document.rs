//! 照会一覧: the documents issued to an office.

use async_trait::async_trait;
use kaigo_core::RepoError;
use kaigo_core::document::repo::OfficeDocumentRepo;
use kaigo_core::document::{
    DocumentEntry, DocumentSource, NewOfficeDocument, OfficeDocument, OfficeDocumentId,
};
use kaigo_core::error::RepoResult;
use kaigo_core::ids::OfficeId;
use kaigo_core::notice::attachment::{Attachment, AttachmentId};

use crate::SqlStore;
use crate::error::repo_err;
use crate::notice::on_display;
use crate::row::get;

use crate::notice::search::{ATTACHMENT_COLUMNS, attachment};

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
