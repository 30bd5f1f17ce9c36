//! The download page and the PKCS#12 file.

use askama::Template;

use axum::response::Response;
use kaigo_core::certificate::apply::HistoryRow;

use super::tab::{Flow, back_to_tab, frame};
use crate::auth::CurrentOffice;
use crate::error::{AppResult, render};
use crate::frame::Frame;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "download.html")]
struct DownloadPage {
    frame: Frame,
    base: &'static str,
    kind_label: &'static str,
    row: HistoryRow,
}

pub(crate) async fn download_page(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
) -> AppResult<Response> {
    let Some(row) = state
        .services
        .apply
        .current_row(&user.office, flow.kind)
        .await?
    else {
        return Ok(back_to_tab(user, flow, flow.nothing_to_download));
    };
    render(&DownloadPage {
        frame: frame(state, user, flow),
        base: flow.base,
        kind_label: flow.kind.label(),
        row,
    })
}

pub(crate) async fn download_file(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
    ip: &str,
) -> AppResult<Response> {
    let (name, bytes) = match state
        .services
        .apply
        .download(&user.office, flow.kind, ip)
        .await
    {
        Ok(found) => found,
        Err(kaigo_core::CoreError::NotFound) => {
            return Ok(back_to_tab(user, flow, flow.nothing_to_download));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(crate::download::file_response(
        &name,
        "application/x-pkcs12",
        bytes,
    ))
}
