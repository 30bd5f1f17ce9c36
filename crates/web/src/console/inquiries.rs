//! Console area: inquiries (お問い合わせ) — inbox, read, reply, close. The service checks
//! the admin's scope on every inquiry.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kaigo_core::CoreError;
use kaigo_core::clock::jst_datetime;
use kaigo_core::inquiry::admin::{InquiryRecord, InquiryStatus};
use kaigo_core::inquiry::console::MAX_REPLY_CHARS;
use kaigo_core::inquiry::{InquiryId, reception_number};
use kaigo_core::office::prefectures::prefecture_name;
use serde::Deserialize;

use super::frame::{Console, ConsoleFrame};
use crate::csrf::CsrfForm;
use crate::error::{AppError, AppResult, render};
use crate::path_id::PathId;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/inquiries", get(list))
        .route("/admin/inquiries/{id}", get(detail))
        .route("/admin/inquiries/{id}/reply", post(reply))
        .route("/admin/inquiries/{id}/close", post(close))
}

/// One inquiry as the console shows it.
pub struct InquiryView {
    pub id: i64,
    pub reception: String,
    pub office: String,
    pub prefecture: String,
    pub category: &'static str,
    pub subject: String,
    pub body: String,
    pub reply_to: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub created_at: String,
    pub reply_body: String,
    pub replied: String,
    pub closed_at: String,
    pub open: bool,
    pub closed: bool,
}

fn view(q: &InquiryRecord) -> InquiryView {
    InquiryView {
        id: q.id.0,
        reception: reception_number(q.id, q.created_at),
        office: match (&q.office_number, &q.office_name) {
            (Some(n), Some(name)) => format!("{n} {name}"),
            _ => "（事業所なし・公開フォーム）".to_owned(),
        },
        prefecture: q
            .prefecture
            .map(|p| format!("{p} {}", prefecture_name(p)))
            .unwrap_or_default(),
        category: q.category.label(),
        subject: q.subject.clone(),
        body: q.body.clone(),
        reply_to: q.reply_to.clone(),
        status: q.status.label(),
        status_code: q.status.code(),
        created_at: jst_datetime(q.created_at),
        reply_body: q.reply_body.clone().unwrap_or_default(),
        replied: match (q.replied_at, &q.replied_by) {
            (Some(at), Some(by)) => format!("{}（{by}）", jst_datetime(at)),
            _ => String::new(),
        },
        closed_at: q.closed_at.map(jst_datetime).unwrap_or_default(),
        open: q.status == InquiryStatus::Open,
        closed: q.status == InquiryStatus::Closed,
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: String,
}

#[derive(Template)]
#[template(path = "admin/inquiries/list.html")]
struct ListPage {
    frame: ConsoleFrame,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    rows: Vec<InquiryView>,
    total: i64,
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    console: Console,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let status = match q.status.trim() {
        "" => None,
        s => Some(
            InquiryStatus::from_code(s)
                .ok_or_else(|| AppError::BadRequest("状態の選択が正しくありません。".into()))?,
        ),
    };
    let page = q.page.trim().parse::<i64>().unwrap_or(1);
    let found = state
        .services
        .admin_inquiries
        .list(&console.actor(), status, page)
        .await?;
    let link = |p: i64| match status {
        Some(s) => format!("/admin/inquiries?status={}&page={p}", s.code()),
        None => format!("/admin/inquiries?page={p}"),
    };
    render(&ListPage {
        frame: console.frame(),
        status: status.map(|s| s.code().to_owned()).unwrap_or_default(),
        statuses: InquiryStatus::ALL
            .into_iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        rows: found.rows.iter().map(view).collect(),
        total: found.total,
        page: found.page,
        pages: found.pages,
        prev: (found.page > 1).then(|| link(found.page - 1)),
        next: (found.page < found.pages).then(|| link(found.page + 1)),
    })
}

#[derive(Template)]
#[template(path = "admin/inquiries/detail.html")]
struct DetailPage {
    frame: ConsoleFrame,
    q: InquiryView,
    draft: String,
    max_reply: usize,
    error: Option<String>,
    message: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    #[serde(default)]
    done: String,
}

fn page(
    console: &Console,
    q: &InquiryRecord,
    draft: String,
    error: Option<String>,
    message: Option<&'static str>,
) -> AppResult<Response> {
    let bad = error.is_some();
    let mut resp = render(&DetailPage {
        frame: console.frame(),
        q: view(q),
        draft,
        max_reply: MAX_REPLY_CHARS,
        error,
        message,
    })?;
    if bad {
        *resp.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(resp)
}

async fn detail(
    State(state): State<AppState>,
    console: Console,
    PathId(id): PathId<InquiryId>,
    Query(dq): Query<DetailQuery>,
) -> AppResult<Response> {
    let found = state
        .services
        .admin_inquiries
        .get(&console.actor(), id)
        .await?;
    let message = match dq.done.as_str() {
        "reply" => Some("回答を送信しました。事業所へのお知らせとメールで届きます。"),
        "close" => Some("お問い合わせを完了にしました。"),
        _ => None,
    };
    page(&console, &found, String::new(), None, message)
}

#[derive(Deserialize, Default)]
pub struct ReplyForm {
    #[serde(default)]
    body: String,
}

async fn reply(
    State(state): State<AppState>,
    console: Console,
    PathId(id): PathId<InquiryId>,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> AppResult<Response> {
    let service = &state.services.admin_inquiries;
    let actor = console.actor();
    match service.reply(&actor, id, &form.body).await {
        Ok(Ok(_)) => {
            Ok(Redirect::to(&format!("/admin/inquiries/{}?done=reply", id.0)).into_response())
        }
        Ok(Err(msg)) => {
            let found = service.get(&actor, id).await?;
            page(&console, &found, form.body, Some(msg), None)
        }
        Err(CoreError::Refused(msg)) => {
            let found = service.get(&actor, id).await?;
            page(&console, &found, form.body, Some(msg), None)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct CloseForm {}

async fn close(
    State(state): State<AppState>,
    console: Console,
    PathId(id): PathId<InquiryId>,
    CsrfForm(_form): CsrfForm<CloseForm>,
) -> AppResult<Response> {
    let service = &state.services.admin_inquiries;
    let actor = console.actor();
    match service.close(&actor, id).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/inquiries/{}?done=close", id.0)).into_response()),
        Err(CoreError::Refused(msg)) => {
            let found = service.get(&actor, id).await?;
            page(&console, &found, String::new(), Some(msg), None)
        }
        Err(e) => Err(e.into()),
    }
}
