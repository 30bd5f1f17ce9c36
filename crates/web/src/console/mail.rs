//! Console area for central operators: mail given up after its last attempt (dead letters),
//! with the transport's last error, and 「再送」 once the cause is mended.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kaigo_core::clock::jst_datetime;
use kaigo_core::ids::MailId;
use serde::Deserialize;

use super::frame::{Console, ConsoleFrame};
use crate::csrf::CsrfForm;
use crate::error::{AppResult, render};
use crate::path_id::PathId;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/mail", get(list))
        .route("/admin/mail/{id}/retry", post(retry))
}

struct Row {
    id: i64,
    to: String,
    subject: String,
    attempts: i64,
    last_error: String,
    created_at: String,
}

#[derive(Template)]
#[template(path = "admin/mail/list.html")]
struct ListPage {
    frame: ConsoleFrame,
    rows: Vec<Row>,
    limit: i64,
    requeued: bool,
}

#[derive(Deserialize)]
pub struct EmptyForm {}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    requeued: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    console: Console,
    axum::extract::Query(q): axum::extract::Query<ListQuery>,
) -> AppResult<Response> {
    let rows = state
        .services
        .admin_mail
        .dead_letters(&console.actor())
        .await?
        .into_iter()
        .map(|m| Row {
            id: m.id.0,
            to: m.to,
            subject: m.subject,
            attempts: m.attempts,
            last_error: m.last_error,
            created_at: jst_datetime(m.created_at),
        })
        .collect();
    render(&ListPage {
        frame: console.frame(),
        rows,
        limit: kaigo_core::mail::console::LIST_LIMIT,
        requeued: q.requeued.is_some(),
    })
}

async fn retry(
    State(state): State<AppState>,
    console: Console,
    PathId(id): PathId<MailId>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    state
        .services
        .admin_mail
        .retry(&console.actor(), id)
        .await?;
    Ok(Redirect::to("/admin/mail?requeued=1").into_response())
}
