//! Inquiries (お問い合わせ) as the console handles them: status, replies.

use crate::ids::{OfficeId, OfficeNumber, PrefectureCode};
use crate::inquiry::{InquiryCategory, InquiryId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InquiryStatus {
    Open,
    Answered,
    Closed,
}

impl InquiryStatus {
    pub const ALL: [Self; 3] = [Self::Open, Self::Answered, Self::Closed];

    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Answered => "answered",
            Self::Closed => "closed",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "未回答",
            Self::Answered => "回答済み",
            Self::Closed => "完了",
        }
    }
}

/// Which inquiries an admin's list shows: all (central), or one prefecture's offices
/// (federation; inquiries without an office are never in it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InquiryScope {
    All,
    Prefecture(PrefectureCode),
}

/// A stored inquiry with its office (none for the public form) and its reply.
#[derive(Clone, Debug)]
pub struct InquiryRecord {
    pub id: InquiryId,
    pub office_id: Option<OfficeId>,
    pub office_number: Option<OfficeNumber>,
    pub office_name: Option<String>,
    pub prefecture: Option<PrefectureCode>,
    pub category: InquiryCategory,
    pub subject: String,
    pub body: String,
    pub reply_to: String,
    pub status: InquiryStatus,
    pub created_at: i64,
    pub reply_body: Option<String>,
    pub replied_at: Option<i64>,
    pub replied_by: Option<String>,
    pub closed_at: Option<i64>,
}

/// A reply as stored: its text, who, when.
#[derive(Clone, Debug)]
pub struct InquiryReply {
    pub id: InquiryId,
    pub body: String,
    pub by: String,
    pub at: i64,
}
