//! Manual 3-1: the 介護DX証明書 tab — choose, read the notes, then the shared application
//! flow (`flow.rs`) and the download.

use std::future::Future;
use std::pin::Pin;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use kaigo_core::certificate::CertKind;
use kaigo_core::certificate::apply::HistoryRow;

use super::flow::{
    self,
    tab::{ChoiceForm, Flow, choose, frame, mark_notes_read},
};
use crate::auth::CurrentOffice;
use crate::csrf::CsrfForm;
use crate::error::{AppResult, render};
use crate::frame::Frame;
use crate::state::AppState;

pub(crate) const DX: Flow = Flow {
    kind: CertKind::KaigoDx,
    base: "/dx",
    tab_key: "dx",
    tab_label: CertKind::KaigoDx.tab_label(),
    download_choice: CertKind::KaigoDx.download_choice(),
    nothing_to_download: "ダウンロードできる介護DX証明書がありません。",
    tab,
};

#[derive(Template)]
#[template(path = "dx.html")]
struct DxPage {
    frame: Frame,
    kind_label: &'static str,
    has_current: bool,
    pending: bool,
    selected: String,
    error: Option<String>,
    history: Vec<HistoryRow>,
}

#[derive(Template)]
#[template(path = "dx_notes.html")]
struct DxNotesPage {
    frame: Frame,
}

fn tab<'a>(
    state: &'a AppState,
    user: &'a CurrentOffice,
    selected: &'a str,
    error: Option<String>,
) -> Pin<Box<dyn Future<Output = AppResult<Response>> + Send + 'a>> {
    Box::pin(tab_page(state, user, selected, error))
}

async fn tab_page(
    state: &AppState,
    user: &CurrentOffice,
    selected: &str,
    error: Option<String>,
) -> AppResult<Response> {
    let flow = &DX;
    let apply = &state.services.apply;
    let has_current = apply
        .current_certificate(&user.office, flow.kind)
        .await?
        .is_some();
    let pending = apply.pending(&user.office, flow.kind).await?;
    let history = apply.history(&user.office, flow.kind).await?;
    render(&DxPage {
        frame: frame(state, user, flow),
        kind_label: flow.kind.label(),
        has_current,
        pending,
        selected: selected.to_owned(),
        error,
        history,
    })
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dx", get(dx_tab).post(dx_choose))
        .route("/dx/notes", get(dx_notes))
        .merge(flow::routes(&DX))
}

async fn dx_tab(State(state): State<AppState>, user: CurrentOffice) -> AppResult<Response> {
    tab_page(&state, &user, "", None).await
}

async fn dx_notes(State(state): State<AppState>, user: CurrentOffice) -> AppResult<Response> {
    mark_notes_read(&user, &DX);
    render(&DxNotesPage {
        frame: frame(&state, &user, &DX),
    })
}

async fn dx_choose(
    State(state): State<AppState>,
    user: CurrentOffice,
    CsrfForm(form): CsrfForm<ChoiceForm>,
) -> AppResult<Response> {
    choose(&state, &user, &DX, &form.choice).await
}
