//! Persistence of お問い合わせ, for the office and for the console's inbox.

use crate::error::RepoResult;
use crate::ids::OfficeId;
use crate::inquiry::{InquiryId, NewInquiry};
use crate::mail::NewMail;
use crate::notice::NewNotice;
use async_trait::async_trait;

/// お問い合わせ, stored for the 国保連合会.
#[async_trait]
pub trait InquiryRepo: Send + Sync {
    /// Stores the inquiry (status 'open') and queues the acknowledgment mail in one
    /// transaction. The mail's body may contain `{reception}`, replaced by the number.
    async fn insert_inquiry(
        &self,
        inquiry: &NewInquiry,
        ack: Option<&NewMail>,
    ) -> RepoResult<InquiryId>;
    /// How many inquiries an office has sent since `since` (to limit floods).
    async fn count_inquiries_since(&self, office_id: OfficeId, since: i64) -> RepoResult<i64>;
}

/// The console's inbox of inquiries (お問い合わせ).
#[async_trait]
pub trait InquiryAdminRepo: Send + Sync {
    /// Newest first.
    async fn admin_inquiries(
        &self,
        scope: crate::inquiry::admin::InquiryScope,
        status: Option<crate::inquiry::admin::InquiryStatus>,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<crate::inquiry::admin::InquiryRecord>>;
    async fn count_admin_inquiries(
        &self,
        scope: crate::inquiry::admin::InquiryScope,
        status: Option<crate::inquiry::admin::InquiryStatus>,
    ) -> RepoResult<i64>;
    async fn admin_inquiry(
        &self,
        id: InquiryId,
    ) -> RepoResult<Option<crate::inquiry::admin::InquiryRecord>>;
    /// In one transaction, only if the inquiry is still open: stores the reply, marks it
    /// answered, posts the notice (if any) and queues the mail. False if it was not open.
    async fn answer_inquiry(
        &self,
        reply: &crate::inquiry::admin::InquiryReply,
        notice: Option<&NewNotice>,
        mail: Option<&NewMail>,
    ) -> RepoResult<bool>;
    /// Closes the inquiry unless it is closed already; false if it was.
    async fn close_inquiry(&self, id: InquiryId, at: i64) -> RepoResult<bool>;
}
