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
    /// The certificate valid today first, then a renewal's; `true` for the one valid today.
    rows: Vec<(HistoryRow, bool)>,
}

/// `?id=N`: which of the office's certificates to download (default: the current one).
#[derive(serde::Deserialize, Default)]
pub struct WhichFile {
    #[serde(default)]
    id: Option<String>,
}

pub(crate) async fn download_page(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
) -> AppResult<Response> {
    let rows = state
        .services
        .apply
        .download_rows(&user.office, flow.kind)
        .await?;
    if rows.is_empty() {
        return Ok(back_to_tab(user, flow, flow.nothing_to_download));
    }
    render(&DownloadPage {
        frame: frame(state, user, flow),
        base: flow.base,
        kind_label: flow.kind.label(),
        rows,
    })
}

pub(crate) async fn download_file(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
    which: &WhichFile,
    ip: &str,
) -> AppResult<Response> {
    // An id that does not parse names no certificate of this office: the same "nothing".
    let which = match which.id.as_deref() {
        None | Some("") => None,
        Some(raw) => match raw.parse() {
            Ok(id) => Some(id),
            Err(_) => return Ok(back_to_tab(user, flow, flow.nothing_to_download)),
        },
    };
    let (name, bytes) = match state
        .services
        .apply
        .download(&user.office, flow.kind, which, ip)
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
