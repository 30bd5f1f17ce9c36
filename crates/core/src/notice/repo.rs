//! Persistence of notices: what an office sees, the search, and the console's management.

use crate::error::RepoResult;
use crate::ids::{NoticeId, OfficeId};
use crate::notice::attachment::{Attachment, AttachmentId, AttachmentInfo, NewAttachment};
use crate::notice::search::NoticeQuery;
use crate::notice::{NewNotice, Notice, NoticeView};
use crate::office::Office;
use async_trait::async_trait;

#[async_trait]
pub trait NoticeRepo: Send + Sync {
    async fn insert_notice(&self, notice: &NewNotice) -> RepoResult<NoticeId>;
    /// Notices that target this office (all, its prefecture, or it alone) and are displayed at
    /// `now`, newest 提示開始日 first, with the office's read mark.
    async fn notices_for_office(
        &self,
        office: &Office,
        now: i64,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<NoticeView>>;
    async fn count_notices_for_office(&self, office: &Office, now: i64) -> RepoResult<i64>;
    /// Notices on display for the office that it has not opened.
    async fn count_unread_notices_for_office(&self, office: &Office, now: i64) -> RepoResult<i64>;
    /// One notice, only if it targets this office and is displayed at `now`.
    async fn notice_for_office(
        &self,
        office: &Office,
        id: NoticeId,
        now: i64,
    ) -> RepoResult<Option<Notice>>;
    async fn mark_notice_read(&self, office_id: OfficeId, id: NoticeId, at: i64) -> RepoResult<()>;
}

/// The notice search of the list (対象, 提示開始日, キーワード) and notice attachments.
#[async_trait]
pub trait NoticeSearchRepo: Send + Sync {
    /// Like `notices_for_office`, narrowed by `query`; newest 提示開始日 first.
    async fn search_notices_for_office(
        &self,
        office: &Office,
        now: i64,
        query: &NoticeQuery,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<NoticeView>>;
    async fn count_search_notices_for_office(
        &self,
        office: &Office,
        now: i64,
        query: &NoticeQuery,
    ) -> RepoResult<i64>;
    /// Inserts a notice and its attachments in one transaction.
    async fn insert_notice_with_attachments(
        &self,
        notice: &NewNotice,
        attachments: &[NewAttachment],
    ) -> RepoResult<NoticeId>;
    /// The attachments of a notice the office may see at `now` (empty otherwise).
    async fn notice_attachments_for_office(
        &self,
        office: &Office,
        notice: NoticeId,
        now: i64,
    ) -> RepoResult<Vec<AttachmentInfo>>;
    /// One attachment, only if its notice targets this office and is displayed at `now`.
    async fn notice_attachment_for_office(
        &self,
        office: &Office,
        id: AttachmentId,
        now: i64,
    ) -> RepoResult<Option<Attachment>>;
}

/// Notices as the admin console manages them (issue 4 §4).
#[async_trait]
pub trait AdminNoticeRepo: Send + Sync {
    /// Inserts a notice, its author and its attachments in one transaction.
    async fn create_admin_notice(
        &self,
        notice: &NewNotice,
        created_by: &str,
        attachments: &[NewAttachment],
    ) -> RepoResult<NoticeId>;
    /// Every notice (withdrawn ones too), newest first. With a prefecture: the notices for
    /// all offices, for that prefecture, or for one of its offices.
    async fn admin_notices(
        &self,
        prefecture: Option<crate::ids::PrefectureCode>,
    ) -> RepoResult<Vec<crate::notice::admin::AdminNotice>>;
    async fn admin_notice(
        &self,
        id: NoticeId,
    ) -> RepoResult<Option<crate::notice::admin::AdminNotice>>;
    /// Replaces the fields of a notice not withdrawn; false if there is none.
    async fn update_notice(
        &self,
        id: NoticeId,
        edit: &crate::notice::admin::NoticeEdit,
    ) -> RepoResult<bool>;
    /// Withdraws a notice (kept, hidden from offices); false if absent or already withdrawn.
    async fn withdraw_notice(&self, id: NoticeId, by: &str, at: i64) -> RepoResult<bool>;
    /// The attachments of a notice, without bytes.
    async fn admin_notice_attachments(&self, id: NoticeId) -> RepoResult<Vec<AttachmentInfo>>;
    async fn add_notice_attachment(
        &self,
        id: NoticeId,
        attachment: &NewAttachment,
        at: i64,
    ) -> RepoResult<AttachmentId>;
    /// Removes one attachment of this notice; false if it has no such attachment.
    async fn remove_notice_attachment(
        &self,
        notice: NoticeId,
        attachment: AttachmentId,
    ) -> RepoResult<bool>;
}
