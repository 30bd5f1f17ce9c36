//! Console area: notices (issue 4 §4): list, create, edit, withdraw, attachments. The forms
//! with files are multipart; their CSRF token is checked here against the session's. The
//! service decides what the admin may see and change.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kaigo_core::clock::{jst_date, jst_datetime};
use kaigo_core::document::format_size;
use kaigo_core::ids::NoticeId;
use kaigo_core::notice::NoticeCategory;
use kaigo_core::notice::attachment::AttachmentId;
use kaigo_core::notice::attachment::Upload;
use kaigo_core::notice::console::NoticeInput;
use serde::Deserialize;

use super::frame::{Console, ConsoleFrame};
use crate::csrf::CsrfForm;
use crate::error::{AppError, AppResult, render};
use crate::path_id::{PathId, segment};
use crate::state::AppState;

/// The body limit of the forms with attachments (each file is limited to 10 MiB by the
/// service, with a message; this only bounds the request).
const UPLOAD_BODY_LIMIT: usize = 40 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/notices", get(list))
        .route(
            "/admin/notices/new",
            get(new_form)
                .post(create)
                .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route(
            "/admin/notices/{id}",
            get(edit_form)
                .post(edit)
                .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route("/admin/notices/{id}/withdraw", post(withdraw))
        .route(
            "/admin/notices/{id}/attachments/{attachment}/delete",
            post(remove_attachment),
        )
}

struct ListRow {
    id: i64,
    category: &'static str,
    title: String,
    target: String,
    period: String,
    updated: String,
    status: &'static str,
    editable: bool,
}

#[derive(Template)]
#[template(path = "admin/notices/list.html")]
struct ListPage {
    frame: ConsoleFrame,
    rows: Vec<ListRow>,
    message: String,
}

#[derive(Deserialize, Default)]
struct Done {
    #[serde(default)]
    done: String,
}

fn period(start: i64, end: Option<i64>) -> String {
    match end {
        Some(e) => format!("{} 〜 {}", jst_date(start), jst_date(e)),
        None => format!("{} 〜", jst_date(start)),
    }
}

async fn list(
    State(state): State<AppState>,
    console: Console,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let now = state.services.deps.clock.unix();
    let notices = state.services.admin_notices.list(&console.actor()).await?;
    let rows = notices
        .into_iter()
        .map(|s| {
            let n = &s.notice.notice;
            let status = if s.notice.withdrawn_at.is_some() {
                "取下げ済"
            } else if n.start_at > now {
                "掲載前"
            } else if n.end_at.is_some_and(|e| e <= now) {
                "掲載終了"
            } else {
                "掲載中"
            };
            ListRow {
                id: n.id.0,
                category: n.category.label(),
                title: n.title.clone(),
                target: s.target_label.clone(),
                period: period(n.start_at, n.end_at),
                updated: jst_datetime(n.updated_at),
                status,
                editable: s.editable,
            }
        })
        .collect();
    let message = match done.done.as_str() {
        "withdraw" => "お知らせを取り下げました。",
        _ => "",
    };
    render(&ListPage {
        frame: console.frame(),
        rows,
        message: message.to_owned(),
    })
}

struct AttachmentRow {
    id: i64,
    filename: String,
    size: String,
}

struct CategoryOption {
    code: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "admin/notices/form.html")]
struct FormPage {
    frame: ConsoleFrame,
    /// None: a new notice.
    id: Option<i64>,
    editable: bool,
    withdrawn: String,
    created_by: String,
    input: NoticeInput,
    categories: Vec<CategoryOption>,
    attachments: Vec<AttachmentRow>,
    message: String,
    error: String,
}

fn categories() -> Vec<CategoryOption> {
    NoticeCategory::ALL
        .into_iter()
        .map(|c| CategoryOption {
            code: c.code(),
            label: c.label(),
        })
        .collect()
}

async fn new_form(State(state): State<AppState>, console: Console) -> AppResult<Response> {
    let now = state.services.deps.clock.unix();
    let input = NoticeInput {
        category: NoticeCategory::System.code().to_owned(),
        target: if console.frame().central {
            "all".to_owned()
        } else {
            "prefecture".to_owned()
        },
        prefecture: console
            .role()
            .prefecture()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        start: kaigo_core::notice::admin::date_input(now),
        ..Default::default()
    };
    render(&FormPage {
        frame: console.frame(),
        id: None,
        editable: true,
        withdrawn: String::new(),
        created_by: String::new(),
        input,
        categories: categories(),
        attachments: Vec::new(),
        message: String::new(),
        error: String::new(),
    })
}

/// The multipart form: its fields and files, after the CSRF check.
async fn read_form(console: &Console, mut mp: Multipart) -> AppResult<(NoticeInput, Vec<Upload>)> {
    let too_big = || {
        AppError::BadRequest(
            "送信内容が大きすぎるか、正しくありません。添付ファイルは1ファイル10MBまでです。"
                .into(),
        )
    };
    let mut input = NoticeInput::default();
    let mut uploads = Vec::new();
    let mut csrf = String::new();
    while let Some(field) = mp.next_field().await.map_err(|_| too_big())? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "files" {
            let filename = field.file_name().unwrap_or("").to_owned();
            let bytes = field.bytes().await.map_err(|_| too_big())?;
            if filename.is_empty() && bytes.is_empty() {
                continue; // no file chosen
            }
            uploads.push(Upload {
                filename,
                bytes: bytes.to_vec(),
            });
            continue;
        }
        let text = field.text().await.map_err(|_| too_big())?;
        match name.as_str() {
            "csrf" => csrf = text,
            "category" => input.category = text,
            "title" => input.title = text,
            "body" => input.body = text,
            "target" => input.target = text,
            "prefecture" => input.prefecture = text,
            "office_number" => input.office_number = text,
            "start" => input.start = text,
            "end" => input.end = text,
            _ => {}
        }
    }
    if !crate::session::tokens_match(&console.csrf, &csrf) {
        return Err(AppError::Csrf);
    }
    Ok((input, uploads))
}

/// A refused form: the same page with the message and the input kept.
async fn refused_form(
    state: &AppState,
    console: &Console,
    id: Option<NoticeId>,
    input: NoticeInput,
    e: AppError,
) -> AppResult<Response> {
    let AppError::BadRequest(msg) = e else {
        return Err(e);
    };
    let (attachments, created_by) = match id {
        Some(id) => {
            let d = state
                .services
                .admin_notices
                .get(&console.actor(), id)
                .await?;
            (rows(&d.attachments), d.summary.notice.created_by)
        }
        None => (Vec::new(), String::new()),
    };
    let mut resp = render(&FormPage {
        frame: console.frame(),
        id: id.map(|i| i.0),
        editable: true,
        withdrawn: String::new(),
        created_by,
        input,
        categories: categories(),
        attachments,
        message: String::new(),
        error: msg,
    })?;
    *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}

fn rows(a: &[kaigo_core::notice::attachment::AttachmentInfo]) -> Vec<AttachmentRow> {
    a.iter()
        .map(|a| AttachmentRow {
            id: a.id.0,
            filename: a.filename.clone(),
            size: format_size(a.size),
        })
        .collect()
}

async fn create(
    State(state): State<AppState>,
    console: Console,
    mp: Multipart,
) -> AppResult<Response> {
    let (input, uploads) = read_form(&console, mp).await?;
    match state
        .services
        .admin_notices
        .create(&console.actor(), &input, &uploads)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/admin/notices/{}?done=create", id.0)).into_response()),
        Err(e) => refused_form(&state, &console, None, input, e.into()).await,
    }
}

async fn edit_form(
    State(state): State<AppState>,
    console: Console,
    PathId(id): PathId<NoticeId>,
    Query(done): Query<Done>,
) -> AppResult<Response> {
    let d = state
        .services
        .admin_notices
        .get(&console.actor(), id)
        .await?;
    let message = match done.done.as_str() {
        "create" => "お知らせを登録しました。",
        "edit" => "お知らせを更新しました。",
        "remove" => "添付ファイルを削除しました。",
        _ => "",
    };
    render(&FormPage {
        frame: console.frame(),
        id: Some(id.0),
        editable: d.summary.editable,
        withdrawn: d
            .summary
            .notice
            .withdrawn_at
            .map(|t| {
                format!(
                    "{}（{}）",
                    jst_datetime(t),
                    d.summary.notice.withdrawn_by.clone().unwrap_or_default()
                )
            })
            .unwrap_or_default(),
        created_by: d.summary.notice.created_by.clone(),
        input: d.input,
        categories: categories(),
        attachments: rows(&d.attachments),
        message: message.to_owned(),
        error: String::new(),
    })
}

async fn edit(
    State(state): State<AppState>,
    console: Console,
    PathId(id): PathId<NoticeId>,
    mp: Multipart,
) -> AppResult<Response> {
    let (input, uploads) = read_form(&console, mp).await?;
    match state
        .services
        .admin_notices
        .edit(&console.actor(), id, &input, &uploads)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/admin/notices/{}?done=edit", id.0)).into_response()),
        Err(e) => refused_form(&state, &console, Some(id), input, e.into()).await,
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn withdraw(
    State(state): State<AppState>,
    console: Console,
    PathId(id): PathId<NoticeId>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    state
        .services
        .admin_notices
        .withdraw(&console.actor(), id)
        .await?;
    Ok(Redirect::to("/admin/notices?done=withdraw").into_response())
}

async fn remove_attachment(
    State(state): State<AppState>,
    console: Console,
    Path((id, attachment)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    let id: NoticeId = segment(&id)?;
    let attachment: AttachmentId = segment(&attachment)?;
    state
        .services
        .admin_notices
        .remove_attachment(&console.actor(), id, attachment)
        .await?;
    Ok(Redirect::to(&format!("/admin/notices/{}?done=remove", id.0)).into_response())
}
