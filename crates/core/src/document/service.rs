//! 照会一覧: the documents issued to one office, and the notice attachments listed with them.

use std::sync::Arc;

use crate::audit::AuditAction;
use crate::deps::Deps;
use crate::document::{DocumentEntry, DocumentSource, OfficeDocument, OfficeDocumentId};
use crate::error::CoreResult;
use crate::notice::attachment::{Attachment, AttachmentId};
use crate::office::Office;

#[derive(Clone)]
pub struct DocumentService {
    deps: Arc<Deps>,
}

impl DocumentService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// 照会一覧.
    pub async fn documents(&self, office: &Office) -> CoreResult<Vec<DocumentEntry>> {
        let now = self.deps.clock.unix();
        Ok(self.deps.store.office_documents(office.id, now).await?)
    }

    /// One row of this office's 照会一覧 issued to it (no bytes, not a download).
    pub async fn issued_entry(
        &self,
        office: &Office,
        id: OfficeDocumentId,
    ) -> CoreResult<Option<DocumentEntry>> {
        Ok(self
            .documents(office)
            .await?
            .into_iter()
            .find(|e| e.source == DocumentSource::Issued(id)))
    }

    /// One document of this office for download, audited with `source`.
    pub async fn document(
        &self,
        office: &Office,
        id: OfficeDocumentId,
        source: &str,
    ) -> CoreResult<Option<OfficeDocument>> {
        let found = self.deps.store.office_document(office.id, id).await?;
        if let Some(doc) = &found {
            self.downloaded(
                office,
                AuditAction::DocumentDownload,
                &format!("document:{id}"),
                source,
                &doc.filename,
            )
            .await;
        }
        Ok(found)
    }

    /// A notice attachment listed in 照会一覧, for download, audited with `source`.
    pub async fn document_attachment(
        &self,
        office: &Office,
        id: AttachmentId,
        source: &str,
    ) -> CoreResult<Option<Attachment>> {
        let found = self
            .deps
            .store
            .office_notice_attachment(office.id, id, self.deps.clock.unix())
            .await?;
        if let Some(file) = &found {
            self.downloaded(
                office,
                AuditAction::AttachmentDownload,
                &format!("attachment:{id}"),
                source,
                &file.info.filename,
            )
            .await;
        }
        Ok(found)
    }

    async fn downloaded(
        &self,
        office: &Office,
        action: AuditAction,
        object: &str,
        source: &str,
        filename: &str,
    ) {
        self.deps
            .audit(office.user_id.as_str(), action, object, source, filename)
            .await;
    }
}
