//! Console area for the 国保中央会 (central operators): questions the AIチャット could not
//! answer alone (handed over, or answered only with choices) in the last 90 days, the same
//! text counted once with how often it was asked, most asked first; personal data was removed
//! before they were logged. The FAQ and the manual are improved where offices get stuck.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use kaigo_core::clock::jst_datetime;
use serde::Deserialize;

use super::frame::{Console, ConsoleFrame};
use crate::error::{AppResult, render};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/assist", get(list))
}

struct Row {
    count: i64,
    asked_at: String,
    question: String,
    outcome: &'static str,
    answer_key: String,
    logged_in: bool,
}

#[derive(Template)]
#[template(path = "admin/assist/list.html")]
struct ListPage {
    frame: ConsoleFrame,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    page: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    console: Console,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let page = q.page.unwrap_or(1).max(1);
    let (records, total) = state
        .services
        .assist
        .unanswered(&console.actor(), page)
        .await?;
    let rows = records
        .into_iter()
        .map(|r| Row {
            count: r.count,
            asked_at: jst_datetime(r.asked_at),
            question: r.question,
            outcome: match r.outcome.as_str() {
                "handover" => "回答なし（フォーム・電話へ案内）",
                _ => "候補から選択",
            },
            answer_key: r.answer_key.unwrap_or_default(),
            logged_in: r.logged_in,
        })
        .collect();
    let size = kaigo_core::assist::service::PAGE_SIZE;
    render(&ListPage {
        frame: console.frame(),
        rows,
        total,
        page,
        pages: ((total + size - 1) / size).max(1),
    })
}
