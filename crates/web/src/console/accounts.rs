//! Console area for central operators: admin accounts (list, create, disable, unlock).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kaigo_core::CoreError;
use kaigo_core::admin::AdminId;
use kaigo_core::admin::accounts::AdminAccounts;
use kaigo_core::clock::jst_datetime;
use kaigo_core::office::prefectures::prefecture_name;
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::frame::{Console, ConsoleFrame};
use crate::csrf::CsrfForm;
use crate::error::{AppError, AppResult, render};
use crate::path_id::PathId;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/accounts", get(list).post(create))
        .route("/admin/accounts/{id}/disable", post(disable))
        .route("/admin/accounts/{id}/enable", post(enable))
        .route("/admin/accounts/{id}/unlock", post(unlock))
}

fn service(state: &AppState) -> &AdminAccounts {
    &state.services.admin_accounts
}

struct Row {
    id: i64,
    login: String,
    role: String,
    prefecture: String,
    enrolled: bool,
    disabled: bool,
    locked_until: Option<String>,
    is_self: bool,
}

#[derive(Template)]
#[template(path = "admin/accounts/list.html")]
struct ListPage {
    frame: ConsoleFrame,
    rows: Vec<Row>,
    error: Option<String>,
    form: CreateForm,
}

#[derive(Template)]
#[template(path = "admin/accounts/created.html")]
struct CreatedPage {
    frame: ConsoleFrame,
    login: String,
    role: String,
    password: String,
    totp_secret: String,
    qr_svg: String,
}

/// The otpauth URI as an inline SVG QR code (the XML declaration dropped).
fn qr_svg(uri: &str) -> AppResult<String> {
    let qr = qrcode::QrCode::new(uri.as_bytes()).map_err(|e| AppError::Internal(e.to_string()))?;
    let svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    Ok(match svg.find("<svg") {
        Some(i) => svg[i..].to_owned(),
        None => svg,
    })
}

#[derive(Deserialize, Default, Clone)]
pub struct CreateForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    prefecture: String,
}

#[derive(Deserialize)]
pub struct EmptyForm {}

async fn list_page(
    state: &AppState,
    console: &Console,
    error: Option<String>,
    form: CreateForm,
) -> AppResult<Response> {
    let rows = service(state)
        .list(&console.actor())
        .await?
        .into_iter()
        .map(|s| Row {
            id: s.admin.id.0,
            login: s.admin.login.to_string(),
            role: s.admin.role.label().to_owned(),
            prefecture: s
                .admin
                .role
                .prefecture()
                .map(|p| format!("{p} {}", prefecture_name(p)))
                .unwrap_or_default(),
            enrolled: s.admin.totp_confirmed,
            disabled: s.admin.disabled,
            locked_until: s.locked_until.map(jst_datetime),
            is_self: s.admin.id == console.admin.id,
        })
        .collect();
    render(&ListPage {
        frame: console.frame(),
        rows,
        error,
        form,
    })
}

async fn list(State(state): State<AppState>, console: Console) -> AppResult<Response> {
    list_page(&state, &console, None, CreateForm::default()).await
}

async fn create(
    State(state): State<AppState>,
    console: Console,
    CsrfForm(form): CsrfForm<CreateForm>,
) -> AppResult<Response> {
    let prefecture = (form.role == "federation").then_some(form.prefecture.as_str());
    match service(&state)
        .create(&console.actor(), &form.login, &form.role, prefecture)
        .await
    {
        Ok(c) => render(&CreatedPage {
            frame: console.frame(),
            login: c.admin.login.to_string(),
            role: c.admin.role.label().to_owned(),
            password: c.password.expose_secret().to_owned(),
            totp_secret: c.totp_secret.expose_secret().to_owned(),
            qr_svg: qr_svg(c.otpauth_uri.expose_secret())?,
        }),
        Err(CoreError::Validation(v)) => list_page(&state, &console, Some(v.message), form).await,
        Err(CoreError::Refused(m)) => list_page(&state, &console, Some(m), form).await,
        Err(e) => Err(e.into()),
    }
}

async fn toggle(
    state: &AppState,
    console: &Console,
    id: i64,
    disabled: bool,
) -> AppResult<Response> {
    match service(state)
        .set_disabled(&console.actor(), AdminId(id), disabled)
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/accounts").into_response()),
        Err(CoreError::Refused(m)) => {
            list_page(state, console, Some(m), CreateForm::default()).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn disable(
    State(state): State<AppState>,
    console: Console,
    PathId(AdminId(id)): PathId<AdminId>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    toggle(&state, &console, id, true).await
}

async fn enable(
    State(state): State<AppState>,
    console: Console,
    PathId(AdminId(id)): PathId<AdminId>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    toggle(&state, &console, id, false).await
}

async fn unlock(
    State(state): State<AppState>,
    console: Console,
    PathId(AdminId(id)): PathId<AdminId>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    service(&state)
        .unlock(&console.actor(), AdminId(id))
        .await?;
    Ok(Redirect::to("/admin/accounts").into_response())
}
