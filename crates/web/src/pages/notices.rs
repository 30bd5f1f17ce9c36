//! The top page (お知らせ一覧) and the notice detail (お知らせ表示).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use kaigo_core::clock::{jst_date, jst_datetime};
use kaigo_core::ids::NoticeId;
use kaigo_core::service::notices::PAGE_SIZE;
use serde::Deserialize;

use crate::auth::CurrentOffice;
use crate::error::{AppError, AppResult, render};
use crate::frame::Frame;
use crate::state::AppState;

pub struct Row {
    id: i64,
    read: bool,
    start: String,
    category: &'static str,
    title: String,
}

#[derive(Template)]
#[template(path = "notices.html")]
struct NoticesPage {
    frame: Frame,
    total: i64,
    rows: Vec<Row>,
    page: i64,
    pages: i64,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    frame: Frame,
    title: String,
    category: &'static str,
    period: String,
    updated: String,
    paragraphs: Vec<Vec<String>>,
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentOffice,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let page = q
        .page
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 100_000);
    let (total, items) = state.services.notices.list(&user.office, page).await?;
    let rows = items
        .into_iter()
        .map(|v| Row {
            id: v.notice.id.0,
            read: v.read,
            start: jst_date(v.notice.start_at),
            category: v.notice.category.label(),
            title: v.notice.title,
        })
        .collect();
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let now = state.services.deps.clock.unix();
    render(&NoticesPage {
        frame: Frame::new("お知らせ一覧", "notices", &user.office, &user.session, now),
        total,
        rows,
        page,
        pages,
    })
}

pub async fn top(
    state: State<AppState>,
    user: CurrentOffice,
    q: Query<PageQuery>,
) -> AppResult<Response> {
    list(state, user, q).await
}

pub async fn detail(
    State(state): State<AppState>,
    user: CurrentOffice,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    let notice = state
        .services
        .notices
        .open(&user.office, NoticeId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let period = match notice.end_at {
        Some(end) => format!("{} 〜 {}", jst_date(notice.start_at), jst_date(end)),
        None => format!("{} 〜", jst_date(notice.start_at)),
    };
    let paragraphs = notice
        .body
        .replace("\r\n", "\n")
        .split("\n\n")
        .map(|p| p.lines().map(str::to_owned).collect())
        .collect();
    let now = state.services.deps.clock.unix();
    render(&NoticePage {
        frame: Frame::new("お知らせ表示", "notices", &user.office, &user.session, now),
        title: notice.title,
        category: notice.category.label(),
        period,
        updated: jst_datetime(notice.updated_at),
        paragraphs,
    })
}
