//! The top page (お知らせ一覧) and the notice detail (お知らせ表示).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use kaigo_core::clock::{jst_date, jst_datetime};
use kaigo_core::document::format_size;
use kaigo_core::ids::NoticeId;
use kaigo_core::notice::attachment::AttachmentId;
use kaigo_core::notice::search::NoticeAudience;
use kaigo_core::notice::search::NoticeSearchInput;
use kaigo_core::notice::service::PAGE_SIZE;
use serde::Deserialize;

use crate::auth::CurrentOffice;
use crate::client::ClientIp;
use crate::download::file_response;
use crate::error::{AppError, AppResult, render};
use crate::frame::Frame;
use crate::path_id::{PathId, row_id};
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
    /// The search form as typed, and the choices of 対象.
    form: NoticeSearchInput,
    audiences: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
    /// The search as a query string (without `page`), for the pager links, already HTML-escaped.
    search_qs: String,
}

pub struct AttachmentRow {
    id: i64,
    filename: String,
    size: String,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    frame: Frame,
    title: String,
    category: &'static str,
    period: String,
    updated: String,
    paragraphs: Vec<Vec<Vec<kaigo_core::notice::admin::BodySegment>>>,
    notice_id: i64,
    attachments: Vec<AttachmentRow>,
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<String>,
    audience: Option<String>,
    from: Option<String>,
    to: Option<String>,
    keyword: Option<String>,
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
    let clip = |v: Option<String>| v.unwrap_or_default().chars().take(200).collect::<String>();
    let form = NoticeSearchInput {
        audience: clip(q.audience),
        from: clip(q.from),
        to: clip(q.to),
        keyword: clip(q.keyword),
    };
    let search_qs = serde_urlencoded::to_string([
        ("audience", form.audience.as_str()),
        ("from", form.from.as_str()),
        ("to", form.to.as_str()),
        ("keyword", form.keyword.as_str()),
    ])
    .unwrap_or_default()
    // Form-urlencoded text holds no `<>"'`; only `&` needs escaping in the attribute.
    .replace('&', "&amp;");
    let (total, items, errors) = match form.parse() {
        Ok(query) => {
            let (total, items) = state
                .services
                .notices
                .search_notices(&user.office, &query, page)
                .await?;
            (total, items, Vec::new())
        }
        Err(errors) => (0, Vec::new(), errors),
    };
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
        form,
        audiences: NoticeAudience::ALL
            .into_iter()
            .map(|a| (a.code(), a.label()))
            .collect(),
        errors,
        search_qs,
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
    PathId(NoticeId(id)): PathId<NoticeId>,
) -> AppResult<Response> {
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
        .map(|p| p.lines().map(kaigo_core::notice::admin::linkify).collect())
        .collect();
    let attachments = state
        .services
        .notices
        .attachments(&user.office, &notice)
        .await?
        .into_iter()
        .map(|a| AttachmentRow {
            id: a.id.0,
            filename: a.filename,
            size: format_size(a.size),
        })
        .collect();
    let notice_id = notice.id.0;
    let now = state.services.deps.clock.unix();
    render(&NoticePage {
        frame: Frame::new("お知らせ表示", "notices", &user.office, &user.session, now),
        title: notice.title,
        category: notice.category.label(),
        period,
        updated: jst_datetime(notice.updated_at),
        paragraphs,
        notice_id,
        attachments,
    })
}

/// A notice's attachment: only if the notice targets this office now (404 otherwise).
pub async fn attachment(
    State(state): State<AppState>,
    user: CurrentOffice,
    ClientIp(ip): ClientIp,
    Path((notice, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let notice = row_id(&notice)?;
    let id = row_id(&id)?;
    let file = state
        .services
        .notices
        .attachment(&user.office, NoticeId(notice), AttachmentId(id), &ip)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(file_response(
        &file.info.filename,
        &file.info.content_type,
        file.bytes,
    ))
}
