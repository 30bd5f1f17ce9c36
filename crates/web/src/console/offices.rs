//! Console area: offices — list and search, detail, edit, suspend/resume, close (廃止),
//! login password reissue and unlock. Registration, CSV import and letters are in
//! [`register`]. Every object goes through `AdminOfficeService`, which checks the admin's
//! scope: an office of another prefecture answers 404 on every route.

mod register;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kaigo_core::clock::jst_datetime;
use kaigo_core::ids::OfficeId;
use kaigo_core::office::form::OfficeForm;
use kaigo_core::office::service::PAGE_SIZE;
use kaigo_core::office::{Office, OfficeStatus};
use serde::Deserialize;

use super::frame::{Console, ConsoleFrame};
use crate::csrf::CsrfForm;
use crate::error::{AppError, AppResult, render};
use crate::path_id::PathId;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/offices", get(list))
        .route("/admin/offices/{id}", get(detail))
        .route("/admin/offices/{id}/edit", post(edit))
        .route("/admin/offices/{id}/suspend", post(suspend))
        .route("/admin/offices/{id}/resume", post(resume))
        .route("/admin/offices/{id}/close", get(close_confirm).post(close))
        .route("/admin/offices/{id}/reissue", post(reissue))
        .route("/admin/offices/{id}/unlock", post(unlock))
        .merge(register::routes())
}

/// One row of the list (and the detail's header).
pub struct OfficeRow {
    pub id: i64,
    pub number: String,
    pub name: String,
    pub kind: &'static str,
    pub prefecture: String,
    pub status: &'static str,
    pub user_id: String,
    pub email: String,
    pub postal_code: String,
    pub address: String,
    pub kind_code: &'static str,
    pub created: String,
}

impl OfficeRow {
    pub fn new(o: &Office) -> Self {
        Self {
            id: o.id.0,
            number: o.number.to_string(),
            name: o.name.clone(),
            kind: match o.kind {
                kaigo_core::office::OfficeKind::Kaigo => "介護",
                kaigo_core::office::OfficeKind::CarePlan => "居宅",
            },
            kind_code: o.kind.code(),
            prefecture: o.prefecture.map(|p| p.to_string()).unwrap_or_default(),
            status: o.status.label(),
            user_id: o.user_id.to_string(),
            email: o.email.clone().unwrap_or_default(),
            postal_code: o.postal_code.clone(),
            address: o.address.clone(),
            created: jst_datetime(o.created_at),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/offices/list.html")]
struct ListPage {
    frame: ConsoleFrame,
    q: String,
    /// `q`, percent-encoded for the pager links.
    q_url: String,
    status: String,
    rows: Vec<OfficeRow>,
    total: i64,
    page: i64,
    pages: i64,
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    console: Console,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let status = OfficeStatus::from_code(query.status.trim());
    let keyword: String = query.q.trim().chars().take(100).collect();
    let (offices, total) = state
        .services
        .admin_offices
        .list(
            &console.actor(),
            Some(keyword.clone()).filter(|k| !k.is_empty()),
            status,
            page,
        )
        .await?;
    render(&ListPage {
        frame: console.frame(),
        q_url: percent_encode(&keyword),
        q: keyword,
        status: status.map(|s| s.code().to_owned()).unwrap_or_default(),
        rows: offices.iter().map(OfficeRow::new).collect(),
        total,
        page,
        pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
    })
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin/offices/detail.html")]
struct DetailPage {
    frame: ConsoleFrame,
    o: OfficeRow,
    form: OfficeForm,
    active: bool,
    suspended: bool,
    closed: bool,
    locked_until: Option<String>,
    info: Option<&'static str>,
    errors: Vec<String>,
}

#[derive(Deserialize)]
struct DetailQuery {
    #[serde(default)]
    done: String,
}

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "edit" => "事業所の情報を更新しました。",
        "suspend" => "利用を停止しました。この事業所はログインできません。",
        "resume" => "利用を再開しました。",
        "close" => "事業所を廃止し、有効な証明書をすべて失効させました（cessationOfOperation）。",
        "unlock" => "ログインのロックを解除しました。",
        _ => return None,
    })
}

async fn detail_page(
    state: &AppState,
    console: &Console,
    id: i64,
    form: Option<OfficeForm>,
    errors: Vec<String>,
    info: Option<&'static str>,
) -> AppResult<Response> {
    let svc = &state.services.admin_offices;
    let actor = console.actor();
    let office = svc.office(&actor, OfficeId(id)).await?;
    let locked = svc.locked_until(&actor, office.id).await?;
    let o = OfficeRow::new(&office);
    let form = form.unwrap_or_else(|| OfficeForm {
        number: o.number.clone(),
        name: o.name.clone(),
        kind: o.kind_code.to_owned(),
        prefecture: o.prefecture.clone(),
        postal_code: o.postal_code.clone(),
        address: o.address.clone(),
        email: o.email.clone(),
    });
    let page = DetailPage {
        frame: console.frame(),
        active: office.status == OfficeStatus::Active,
        suspended: office.status == OfficeStatus::Suspended,
        closed: office.status == OfficeStatus::Closed,
        locked_until: locked.map(jst_datetime),
        o,
        form,
        info,
        errors,
    };
    let status = if page.errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::BAD_REQUEST
    };
    Ok((status, render(&page)?).into_response())
}

async fn detail(
    State(state): State<AppState>,
    console: Console,
    PathId(OfficeId(id)): PathId<OfficeId>,
    Query(q): Query<DetailQuery>,
) -> AppResult<Response> {
    detail_page(&state, &console, id, None, vec![], done_message(&q.done)).await
}

fn back(id: i64, done: &str) -> Response {
    Redirect::to(&format!("/admin/offices/{id}?done={done}")).into_response()
}

async fn edit(
    State(state): State<AppState>,
    console: Console,
    PathId(OfficeId(id)): PathId<OfficeId>,
    CsrfForm(form): CsrfForm<OfficeForm>,
) -> AppResult<Response> {
    let svc = &state.services.admin_offices;
    match svc.edit(&console.actor(), OfficeId(id), &form).await? {
        Ok(()) => Ok(back(id, "edit")),
        Err(errors) => detail_page(&state, &console, id, Some(form), errors, None).await,
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn lifecycle(
    state: &AppState,
    console: &Console,
    id: i64,
    action: &str,
) -> AppResult<Response> {
    let svc = &state.services.admin_offices;
    let actor = console.actor();
    let result = match action {
        "suspend" => svc.set_suspended(&actor, OfficeId(id), true).await,
        "resume" => svc.set_suspended(&actor, OfficeId(id), false).await,
        "unlock" => svc.unlock(&actor, OfficeId(id)).await,
        _ => return Err(AppError::NotFound),
    };
    match result {
        Ok(()) => Ok(back(id, action)),
        Err(kaigo_core::CoreError::Refused(m)) => {
            detail_page(state, console, id, None, vec![m], None).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn suspend(
    State(state): State<AppState>,
    console: Console,
    PathId(OfficeId(id)): PathId<OfficeId>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    lifecycle(&state, &console, id, "suspend").await
}

async fn resume(
    State(state): State<AppState>,
    console: Console,
    PathId(OfficeId(id)): PathId<OfficeId>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    lifecycle(&state, &console, id, "resume").await
}

async fn unlock(
    State(state): State<AppState>,
    console: Console,
    PathId(OfficeId(id)): PathId<OfficeId>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    lifecycle(&state, &console, id, "unlock").await
}

#[derive(Template)]
#[template(path = "admin/offices/close.html")]
struct ClosePage {
    frame: ConsoleFrame,
    o: OfficeRow,
    error: Option<String>,
}

async fn close_confirm(
    State(state): State<AppState>,
    console: Console,
    PathId(OfficeId(id)): PathId<OfficeId>,
) -> AppResult<Response> {
    let office = state
        .services
        .admin_offices
        .office(&console.actor(), OfficeId(id))
        .await?;
    render(&ClosePage {
        frame: console.frame(),
        o: OfficeRow::new(&office),
        error: None,
    })
}

#[derive(Deserialize)]
struct CloseForm {
    /// The 事業所番号 typed again, as the confirmation.
    #[serde(default)]
    confirm_number: String,
}

async fn close(
    State(state): State<AppState>,
    console: Console,
    PathId(OfficeId(id)): PathId<OfficeId>,
    CsrfForm(form): CsrfForm<CloseForm>,
) -> AppResult<Response> {
    let svc = &state.services.admin_offices;
    let actor = console.actor();
    let office = svc.office(&actor, OfficeId(id)).await?;
    if form.confirm_number.trim() != office.number.as_str() {
        let page = ClosePage {
            frame: console.frame(),
            o: OfficeRow::new(&office),
            error: Some("確認のため、廃止する事業所の事業所番号を正しく入力してください。".into()),
        };
        return Ok((axum::http::StatusCode::BAD_REQUEST, render(&page)?).into_response());
    }
    match svc.close(&actor, office.id).await {
        Ok(_) => Ok(back(id, "close")),
        Err(kaigo_core::CoreError::Refused(m)) => {
            detail_page(&state, &console, id, None, vec![m], None).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn reissue(
    State(state): State<AppState>,
    console: Console,
    PathId(OfficeId(id)): PathId<OfficeId>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    let svc = &state.services.admin_offices;
    match svc.reissue_login(&console.actor(), OfficeId(id)).await {
        Ok(batch) => Ok(Redirect::to(&format!("/admin/offices/letters/{batch}")).into_response()),
        Err(kaigo_core::CoreError::Refused(m)) => {
            detail_page(&state, &console, id, None, vec![m], None).await
        }
        Err(e) => Err(e.into()),
    }
}
