//! Reading notices (お知らせ).

use std::sync::Arc;

use super::Deps;
use crate::error::CoreResult;
use crate::ids::NoticeId;
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
}
