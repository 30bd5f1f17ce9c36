//! Reading notices (お知らせ): the list, the search, attachments; and the CLI's `notice add`.

use std::sync::Arc;

use crate::actor::Actor;
use crate::audit::AuditAction;
use crate::deps::Deps;
use crate::error::CoreResult;
use crate::error::{CoreError, ValidationError};
use crate::ids::NoticeId;
use crate::ids::OfficeId;
use crate::notice::attachment::{
    Attachment, AttachmentId, AttachmentInfo, MAX_ATTACHMENTS, NoticeDraft,
};
use crate::notice::search::NoticeQuery;
use crate::notice::{Notice, NoticeView};
use crate::office::Office;

pub const PAGE_SIZE: i64 = 20;

#[derive(Clone)]
pub struct NoticeService {
    deps: Arc<Deps>,
}

impl NoticeService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// One page (from 1) of the office's notices and the total count.
    pub async fn list(&self, office: &Office, page: i64) -> CoreResult<(i64, Vec<NoticeView>)> {
        let d = &self.deps;
        let now = d.clock.unix();
        let total = d.store.count_notices_for_office(office, now).await?;
        let page = page.max(1);
        let items = d
            .store
            .notices_for_office(office, now, PAGE_SIZE, (page - 1) * PAGE_SIZE)
            .await?;
        Ok((total, items))
    }

    /// Opens a notice (which clears its 「New」 mark). None if it does not target this office.
    pub async fn open(&self, office: &Office, id: NoticeId) -> CoreResult<Option<Notice>> {
        let d = &self.deps;
        let now = d.clock.unix();
        let notice = d.store.notice_for_office(office, id, now).await?;
        if notice.is_some() {
            d.store.mark_notice_read(office.id, id, now).await?;
        }
        Ok(notice)
    }

    /// One page (from 1) of the search result and the total count.
    pub async fn search_notices(
        &self,
        office: &Office,
        query: &NoticeQuery,
        page: i64,
    ) -> CoreResult<(i64, Vec<NoticeView>)> {
        let d = &self.deps;
        let now = d.clock.unix();
        let total = d
            .store
            .count_search_notices_for_office(office, now, query)
            .await?;
        let page = page.max(1);
        let items = d
            .store
            .search_notices_for_office(office, now, query, PAGE_SIZE, (page - 1) * PAGE_SIZE)
            .await?;
        Ok((total, items))
    }

    /// The attachments of a notice this office may see.
    pub async fn attachments(
        &self,
        office: &Office,
        notice: &Notice,
    ) -> CoreResult<Vec<AttachmentInfo>> {
        let now = self.deps.clock.unix();
        Ok(self
            .deps
            .store
            .notice_attachments_for_office(office, notice.id, now)
            .await?)
    }

    /// One attachment of one notice, for download by the office (audited with `source`), or
    /// None unless the attachment belongs to that notice and the notice targets this office
    /// now.
    pub async fn attachment(
        &self,
        office: &Office,
        notice: NoticeId,
        id: AttachmentId,
        source: &str,
    ) -> CoreResult<Option<Attachment>> {
        let d = &self.deps;
        let found = d
            .store
            .notice_attachment_for_office(office, id, d.clock.unix())
            .await?
            .filter(|a| a.info.notice_id == notice);
        if let Some(file) = &found {
            d.audit(
                office.user_id.as_str(),
                AuditAction::AttachmentDownload,
                &format!("attachment:{id}"),
                source,
                &file.info.filename,
            )
            .await;
        }
        Ok(found)
    }

    /// Validates and posts a notice with attachments (the CLI's `notice add`).
    pub async fn add_notice(&self, draft: &NoticeDraft) -> CoreResult<NoticeId> {
        if draft.attachments.len() > MAX_ATTACHMENTS {
            return Err(CoreError::Validation(ValidationError::new(
                "attach",
                format!("too many attachments (at most {MAX_ATTACHMENTS})"),
            )));
        }
        let id = self
            .deps
            .store
            .insert_notice_with_attachments(&draft.notice, &draft.attachments)
            .await?;
        let cli = Actor::Cli;
        self.deps
            .audit(
                &cli.audit_name(),
                AuditAction::NoticeAdd,
                &format!("notice:{id}"),
                cli.source(),
                &draft.notice.title,
            )
            .await;
        Ok(id)
    }

    /// An office by number, for targeting.
    pub async fn office_id_by_number(
        &self,
        number: &crate::ids::OfficeNumber,
    ) -> CoreResult<Option<OfficeId>> {
        Ok(self
            .deps
            .store
            .office_by_number(number)
            .await?
            .map(|o| o.id))
    }
}
