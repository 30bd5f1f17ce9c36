//! Console area: the audit log search (central operators only; a federation admin gets 404),
//! with the state of the hash chain.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use kaigo_core::audit::service::AuditSearchInput;
use kaigo_core::clock::jst_datetime;
use serde::Deserialize;

use super::frame::{Console, ConsoleFrame};
use crate::error::{AppResult, render};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/audit", get(search))
}

#[derive(Deserialize, Default, Clone, serde::Serialize)]
pub struct SearchForm {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    object: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default, skip_serializing)]
    page: String,
}

impl SearchForm {
    fn link(&self, page: i64) -> String {
        let mut q: Vec<(&str, &str)> = [
            ("actor", self.actor.as_str()),
            ("action", self.action.as_str()),
            ("object", self.object.as_str()),
            ("source", self.source.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
        let page = page.to_string();
        q.push(("page", &page));
        format!(
            "/admin/audit?{}",
            serde_urlencoded::to_string(&q).unwrap_or_default()
        )
    }
}

pub struct EntryView {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub source: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "admin/audit/search.html")]
struct SearchPage {
    frame: ConsoleFrame,
    form: SearchForm,
    errors: Vec<String>,
    chain_ok: bool,
    chain_text: String,
    rows: Vec<EntryView>,
    total: i64,
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
}

async fn search(
    State(state): State<AppState>,
    console: Console,
    Query(form): Query<SearchForm>,
) -> AppResult<Response> {
    let input = AuditSearchInput {
        actor: form.actor.clone(),
        action: form.action.clone(),
        object: form.object.clone(),
        source: form.source.clone(),
        from: form.from.clone(),
        to: form.to.clone(),
    };
    let page = form.page.trim().parse::<i64>().unwrap_or(1);
    let result = state
        .services
        .admin_audit
        .search(&console.actor(), &input, page)
        .await?;
    let frame = console.frame();
    match result {
        Ok(p) => {
            let (chain_ok, chain_text) = match p.chain {
                Ok(n) => (
                    true,
                    format!("改ざんは検出されませんでした（{n}件を検証）。"),
                ),
                Err(id) => (
                    false,
                    format!("ハッシュチェーンの不整合を検出しました（ID {id} 以降）。"),
                ),
            };
            render(&SearchPage {
                frame,
                prev: (p.page > 1).then(|| form.link(p.page - 1)),
                next: (p.page < p.pages).then(|| form.link(p.page + 1)),
                form,
                errors: Vec::new(),
                chain_ok,
                chain_text,
                rows: p
                    .rows
                    .into_iter()
                    .map(|e| EntryView {
                        id: e.id,
                        at: jst_datetime(e.event.at),
                        actor: e.event.actor,
                        action: e.event.action,
                        object: e.event.object,
                        source: e.event.source,
                        detail: e.event.detail,
                    })
                    .collect(),
                total: p.total,
                page: p.page,
                pages: p.pages,
            })
        }
        Err(errors) => render(&SearchPage {
            frame,
            form,
            errors,
            chain_ok: true,
            chain_text: String::new(),
            rows: Vec::new(),
            total: 0,
            page: 1,
            pages: 1,
            prev: None,
            next: None,
        }),
    }
}
