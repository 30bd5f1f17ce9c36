//! The step 有効期間の開始 of an application (a renewal may start when the current
//! certificate ends).

use askama::Template;

use axum::response::{IntoResponse, Redirect, Response};
use kaigo_core::certificate::apply::ValidityStart;
use serde::Deserialize;

use super::tab::{Flow, back_to_tab, frame, refuse_if_fee_blocks};
use crate::auth::CurrentOffice;
use crate::error::{AppResult, render};
use crate::frame::Frame;
use crate::session::{PendingApplication, PendingStart};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "apply_start.html")]
struct StartPage {
    frame: Frame,
    base: &'static str,
    kind_label: &'static str,
    renewal_end: Option<String>,
    selected: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    start: String,
}

pub(crate) fn pending_for<'a>(
    data: &'a crate::session::SessionData,
    flow: &Flow,
) -> Option<&'a PendingApplication> {
    data.pending.as_ref().filter(|p| p.kind == flow.kind.code())
}

pub(crate) async fn start_form(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
    error: Option<String>,
) -> AppResult<Response> {
    if pending_for(&user.session.data(), flow).is_none() {
        return Ok(back_to_tab(
            user,
            flow,
            "最初から発行申請の手続きを行ってください。",
        ));
    }
    let end = state
        .services
        .apply
        .start_step(&user.office, flow.kind)
        .await?
        .renewal_end;
    render(&StartPage {
        frame: frame(state, user, flow),
        base: flow.base,
        kind_label: flow.kind.label(),
        renewal_end: end.map(kaigo_core::clock::jst_date),
        selected: if end.is_some() {
            "renewal".into()
        } else {
            "now".into()
        },
        error,
    })
}

pub(crate) async fn start_submit(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
    form: StartForm,
) -> AppResult<Response> {
    if let Some(r) = refuse_if_fee_blocks(state, user, flow).await? {
        return Ok(r);
    }
    let data = user.session.data();
    let Some(pending) = pending_for(&data, flow) else {
        return Ok(back_to_tab(
            user,
            flow,
            "最初から発行申請の手続きを行ってください。",
        ));
    };
    let Some(start) = ValidityStart::from_code(&form.start) else {
        return start_form(
            state,
            user,
            flow,
            Some("有効開始年月日を選択してください。".into()),
        )
        .await;
    };
    // Checked here for the message; core checks again when the application is submitted.
    if let Err(message) = state
        .services
        .apply
        .resolve_start(&user.office, flow.kind, start)
        .await?
    {
        return start_form(state, user, flow, Some(message.into())).await;
    }
    let token = pending.token.clone();
    user.session
        .update(|d| d.pending_start = Some(PendingStart { token, start }));
    Ok(Redirect::to(&format!("{}/apply/terms", flow.base)).into_response())
}
