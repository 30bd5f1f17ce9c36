//! 管理メニュー: the console's home page.

use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;

use super::frame::{Console, ConsoleFrame};
use crate::error::{AppResult, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin/console.html")]
struct ConsolePage {
    frame: ConsoleFrame,
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin", get(console))
}

async fn console(console: Console) -> AppResult<Response> {
    render(&ConsolePage {
        frame: console.frame(),
    })
}
