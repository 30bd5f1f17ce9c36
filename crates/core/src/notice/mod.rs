//! Notices (お知らせ) shown on the portal's top page.

pub mod admin;
pub mod attachment;
pub mod console;
pub mod repo;
pub mod search;
pub mod service;

use crate::ids::{NoticeId, OfficeId, PrefectureCode};

/// Longest notice title (件名), characters: the console and the CLI alike.
pub const MAX_TITLE: usize = 100;
/// Longest notice body (本文), characters.
pub const MAX_BODY: usize = 10_000;

/// The four categories of the manual's notice list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NoticeCategory {
    Schedule,
    Certificate,
    Reference,
    System,
}

impl NoticeCategory {
    pub const ALL: [Self; 4] = [
        Self::Schedule,
        Self::Certificate,
        Self::Reference,
        Self::System,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Schedule => "schedule",
            Self::Certificate => "certificate",
            Self::Reference => "reference",
            Self::System => "system",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == s || c.label() == s)
    }
    /// The label the manual shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Schedule => "スケジュール",
            Self::Certificate => "証明書",
            Self::Reference => "参考資料",
            Self::System => "システム関連",
        }
    }
}

/// Who sees a notice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeTarget {
    All,
    Prefecture(PrefectureCode),
    Office(OfficeId),
}

#[derive(Clone, Debug)]
pub struct Notice {
    pub id: NoticeId,
    pub category: NoticeCategory,
    pub title: String,
    pub body: String,
    pub target: NoticeTarget,
    /// 提示開始日 and the end of the display period (None: no end).
    pub start_at: i64,
    pub end_at: Option<i64>,
    /// 提示（更新）日時.
    pub updated_at: i64,
}

#[derive(Clone, Debug)]
pub struct NewNotice {
    pub category: NoticeCategory,
    pub title: String,
    pub body: String,
    pub target: NoticeTarget,
    pub start_at: i64,
    pub end_at: Option<i64>,
    pub created_at: i64,
}

/// A notice as one office sees it in the list.
#[derive(Clone, Debug)]
pub struct NoticeView {
    pub notice: Notice,
    /// False until the office has opened it: the list shows 「New」.
    pub read: bool,
}
