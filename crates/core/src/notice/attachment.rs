//! Notice attachments (添付ファイル).

use crate::ids::NoticeId;
use crate::notice::NewNotice;

crate::ids::row_id!(
    /// Database key of a notice attachment.
    AttachmentId
);

/// A file to attach to a new notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAttachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// An attachment without its bytes (for tables).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentInfo {
    pub id: AttachmentId,
    pub notice_id: NoticeId,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: i64,
}

/// An attachment with its bytes (for download).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub info: AttachmentInfo,
    pub bytes: Vec<u8>,
}

/// Largest attachment accepted (each).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Most attachments per notice.
pub const MAX_ATTACHMENTS: usize = 10;
/// A validated `notice add` of the CLI.
#[derive(Clone, Debug)]
pub struct NoticeDraft {
    pub notice: NewNotice,
    pub attachments: Vec<NewAttachment>,
}
