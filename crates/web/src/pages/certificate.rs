//! Manual 2 and 3-2: the 証明書 tab for the 介護保険証明書 — the choice (見積書 / download /
//! application), the history with the fee balance, the notes, and the estimate's confirmation. The
//! application steps themselves are the shared flow of `flow.rs`.

use std::future::Future;
use std::pin::Pin;

use crate::csrf::CsrfForm;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use kaigo_core::certificate::CertKind;
use kaigo_core::certificate::apply::HistoryRow;
use kaigo_core::clock::jst_datetime;
use kaigo_core::document::{OfficeDocumentId, format_size};
use kaigo_core::fee::estimate::{ESTIMATE_KIND, ESTIMATE_VALID_DAYS};
use kaigo_core::fee::service::BALANCE_BLOCKS_APPLICATION;

use super::flow::{
    self,
    tab::{ChoiceForm, Flow, choose, frame, mark_notes_read},
};
use crate::auth::CurrentOffice;
use crate::client::ClientIp;
use crate::error::{AppError, AppResult, render};
use crate::frame::Frame;
use crate::path_id::PathId;
use crate::state::AppState;

/// The 証明書 tab (manual 3-2): 介護保険証明書.
pub(crate) const HOKEN: Flow = Flow {
    kind: CertKind::KaigoHoken,
    base: "/certificate",
    tab_key: "certificate",
    tab_label: CertKind::KaigoHoken.tab_label(),
    download_choice: CertKind::KaigoHoken.download_choice(),
    nothing_to_download: "ダウンロードできる介護保険証明書がありません。",
    tab,
};

fn tab<'a>(
    state: &'a AppState,
    user: &'a CurrentOffice,
    selected: &'a str,
    error: Option<String>,
) -> Pin<Box<dyn Future<Output = AppResult<Response>> + Send + 'a>> {
    Box::pin(tab_page(state, user, selected, error))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/certificate", get(hoken_tab).post(hoken_choose))
        .route("/certificate/notes", get(hoken_notes))
        // The old address of the estimate download (it made an estimate on GET).
        .route(
            "/certificate/estimate",
            get(|| async { Redirect::to("/certificate") }),
        )
        .route("/certificate/estimate/{id}", get(estimate_done))
        .merge(flow::routes(&HOKEN))
}

async fn hoken_choose(
    State(state): State<AppState>,
    user: CurrentOffice,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<ChoiceForm>,
) -> AppResult<Response> {
    if form.choice == "estimate" {
        return make_estimate(&state, &user, &ip).await;
    }
    choose(&state, &user, &HOKEN, &form.choice).await
}

async fn hoken_notes(State(state): State<AppState>, user: CurrentOffice) -> AppResult<Response> {
    mark_notes_read(&user, &HOKEN);
    notes_page(&state, &user)
}

async fn hoken_tab(State(state): State<AppState>, user: CurrentOffice) -> AppResult<Response> {
    tab_page(&state, &user, "", None).await
}

#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    frame: Frame,
    has_current: bool,
    pending: bool,
    /// An outstanding fee: the application choice is not offered.
    blocked: bool,
    blocked_message: &'static str,
    /// The current certificate ends within the renewal window (its end date).
    renewal_end: Option<String>,
    fee: String,
    selected: String,
    error: Option<String>,
    history: Vec<HistoryRow>,
}

#[derive(Template)]
#[template(path = "certificate_notes.html")]
struct NotesPage {
    frame: Frame,
    fee: String,
}

/// Formats yen with thousands separators: 7800 → 7,800.
pub fn yen(amount: &i64) -> String {
    kaigo_core::fee::format_yen(*amount)
}

pub(crate) async fn tab_page(
    state: &AppState,
    user: &CurrentOffice,
    selected: &str,
    error: Option<String>,
) -> AppResult<Response> {
    let s = &state.services;
    let current = s
        .apply
        .current_certificate(&user.office, HOKEN.kind)
        .await?;
    let renewal_end = current
        .as_ref()
        .filter(|c| s.renewal.in_window(c))
        .map(|c| kaigo_core::clock::jst_date(c.not_after));
    let blocked = s.fees.blocks_application(&user.office, HOKEN.kind).await?;
    // The blocking message is on the page itself; do not repeat it as an error.
    let error = error.filter(|e| !(blocked && e == BALANCE_BLOCKS_APPLICATION));
    render(&CertificatePage {
        frame: frame(state, user, &HOKEN),
        has_current: current.is_some(),
        pending: s.apply.pending(&user.office, HOKEN.kind).await?,
        blocked,
        blocked_message: BALANCE_BLOCKS_APPLICATION,
        renewal_end,
        fee: yen(&s.fees.hoken_fee()),
        selected: selected.to_owned(),
        error,
        history: s.apply.history(&user.office, HOKEN.kind).await?,
    })
}

pub(crate) fn notes_page(state: &AppState, user: &CurrentOffice) -> AppResult<Response> {
    render(&NotesPage {
        frame: frame(state, user, &HOKEN),
        fee: yen(&state.services.fees.hoken_fee()),
    })
}

/// 「見積書を作成する（必要な場合のみ）」 and 【次へ】: the estimate is made and kept, and the
/// office is sent to a page that says so and offers the PDF (a bare download left staff
/// unsure whether anything happened).
async fn make_estimate(state: &AppState, user: &CurrentOffice, ip: &str) -> AppResult<Response> {
    let issued = state.services.fees.issue_estimate(&user.office, ip).await?;
    Ok(Redirect::to(&format!("/certificate/estimate/{}", issued.document)).into_response())
}

#[derive(Template)]
#[template(path = "estimate_done.html")]
struct EstimateDonePage {
    frame: Frame,
    title: String,
    created: String,
    filename: String,
    size: String,
    href: String,
    valid_days: i64,
}

/// The confirmation of one estimate of this office (any other document: not found).
async fn estimate_done(
    State(state): State<AppState>,
    user: CurrentOffice,
    PathId(id): PathId<OfficeDocumentId>,
) -> AppResult<Response> {
    let entry = state
        .services
        .documents
        .issued_entry(&user.office, id)
        .await?
        .filter(|e| e.kind == ESTIMATE_KIND)
        .ok_or(AppError::NotFound)?;
    render(&EstimateDonePage {
        frame: frame(&state, &user, &HOKEN),
        title: entry.title,
        created: jst_datetime(entry.created_at),
        filename: entry.filename,
        size: format_size(entry.size),
        href: format!("/documents/{id}"),
        valid_days: ESTIMATE_VALID_DAYS,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::download::content_disposition_as;

    #[test]
    fn disposition_has_ascii_and_utf8_names() {
        let d = content_disposition_as("estimate_1.pdf", "見積書 1.pdf");
        assert_eq!(
            d.to_str().unwrap(),
            "attachment; filename=\"estimate_1.pdf\"; filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8%201.pdf"
        );
        assert_eq!(yen(&7800), "7,800");
        assert_eq!(yen(&0), "0");
    }
}
