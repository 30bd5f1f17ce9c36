//! Persistence of 照会一覧: the documents issued to one office.

use crate::document::{DocumentEntry, NewOfficeDocument, OfficeDocument, OfficeDocumentId};
use crate::error::RepoResult;
use crate::ids::OfficeId;
use crate::notice::attachment::{Attachment, AttachmentId};
use async_trait::async_trait;

/// 照会一覧: documents issued to one office. Features that produce a file for an office (the
/// 見積書 PDF, for example) call `insert_office_document`; the file is then listed in 照会一覧
/// and downloadable again from there.
#[async_trait]
pub trait OfficeDocumentRepo: Send + Sync {
    async fn insert_office_document(&self, doc: &NewOfficeDocument)
    -> RepoResult<OfficeDocumentId>;
    /// The office's documents and the attachments of notices addressed to it alone that are
    /// on display at `now` (the notice's own rule), newest first, without bytes.
    async fn office_documents(
        &self,
        office_id: OfficeId,
        now: i64,
    ) -> RepoResult<Vec<DocumentEntry>>;
    /// One document with its bytes, only if it belongs to this office.
    async fn office_document(
        &self,
        office_id: OfficeId,
        id: OfficeDocumentId,
    ) -> RepoResult<Option<OfficeDocument>>;
    /// One attachment of a notice addressed to this office alone and on display at `now`
    /// (for 照会一覧).
    async fn office_notice_attachment(
        &self,
        office_id: OfficeId,
        id: AttachmentId,
        now: i64,
    ) -> RepoResult<Option<Attachment>>;
}
