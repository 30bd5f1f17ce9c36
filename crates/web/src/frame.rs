//! The frame around every portal page: the menu tabs, the screen title and the clock.

use kaigo_core::clock::jst_time;
use kaigo_core::office::Office;

use crate::session::Session;

/// The main menu, in the manual's order: (label, path, key).
pub const TABS: &[(&str, &str, &str)] = &[
    ("介護保険", "/top", "top"),
    ("お知らせ", "/notices", "notices"),
    ("照会一覧", "/documents", "documents"),
    ("FAQ", "/faq", "faq"),
    ("マニュアル", "/manual", "manual"),
    ("ダウンロード", "/downloads", "downloads"),
    ("証明書", "/certificate", "certificate"),
    ("介護DX証明書", "/dx", "dx"),
    ("ユーザ情報変更", "/settings", "settings"),
];

pub struct Frame {
    /// The screen title shown beside the clock (e.g. 「介護DX証明書」).
    pub title: String,
    /// Key of the active tab.
    pub active: &'static str,
    pub office_name: String,
    pub user_id: String,
    pub csrf: String,
    /// 「時刻 HH:MM:SS」 at render time (JST); a small script keeps it running.
    pub clock: String,
    pub epoch: i64,
    pub flash: Option<String>,
}

impl Frame {
    pub fn new(
        title: &str,
        active: &'static str,
        office: &Office,
        session: &Session,
        now: i64,
    ) -> Self {
        Self {
            title: title.to_owned(),
            active,
            office_name: office.name.clone(),
            user_id: office.user_id.to_string(),
            csrf: session.csrf_token(),
            clock: jst_time(now),
            epoch: now,
            flash: session.take_flash(),
        }
    }

    pub fn is_active(&self, key: &str) -> bool {
        self.active == key
    }

    pub fn tabs(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        TABS
    }
}
