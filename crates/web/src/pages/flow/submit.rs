//! The terms of use, the submission and the 申請完了 page.

use askama::Template;

use axum::response::{IntoResponse, Redirect, Response};
use kaigo_core::CoreError;
use kaigo_core::certificate::apply::NOTHING_TO_RENEW;
use kaigo_core::certificate::terms::{TERMS_ARTICLES, TERMS_TITLE};
use serde::Deserialize;

use super::start::{pending_for, start_form};
use super::tab::{Flow, back_to_tab, frame, refuse_if_fee_blocks};
use crate::auth::CurrentOffice;
use crate::error::{AppResult, render};
use crate::frame::Frame;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "apply_terms.html")]
struct TermsPage {
    frame: Frame,
    base: &'static str,
    kind_label: &'static str,
    terms_title: &'static str,
    terms_version: String,
    articles: &'static [(&'static str, &'static [&'static str])],
    token: String,
    /// 4 after the validity-start step (介護保険証明書), else 3.
    step: u8,
}

#[derive(Template)]
#[template(path = "apply_done.html")]
struct DonePage {
    frame: Frame,
    kind_label: &'static str,
    tab_label: &'static str,
    download_choice: &'static str,
}

pub(crate) async fn terms(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
) -> AppResult<Response> {
    let data = user.session.data();
    let Some(pending) = pending_for(&data, flow) else {
        return Ok(back_to_tab(
            user,
            flow,
            "最初から発行申請の手続きを行ってください。",
        ));
    };
    if data
        .pending_start
        .as_ref()
        .is_none_or(|s| s.token != pending.token)
    {
        return Ok(Redirect::to(&format!("{}/apply/start", flow.base)).into_response());
    }
    let start_shown = state
        .services
        .apply
        .start_step(&user.office, flow.kind)
        .await?
        .shown;
    render(&TermsPage {
        step: if start_shown { 4 } else { 3 },
        frame: frame(state, user, flow),
        base: flow.base,
        kind_label: flow.kind.label(),
        terms_title: TERMS_TITLE,
        terms_version: state.services.deps.settings.terms_version.clone(),
        articles: TERMS_ARTICLES,
        token: pending.token.clone(),
    })
}

#[derive(Deserialize)]
pub struct SubmitForm {
    #[serde(default)]
    token: String,
}

pub(crate) async fn submit(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
    ip: &str,
    form: SubmitForm,
) -> AppResult<Response> {
    let done_url = format!("{}/apply/done", flow.base);
    let data = user.session.data();
    // A repeated submit (double click, back button, reload) lands on the completion page.
    if data.submitted.contains(&form.token) {
        return Ok(Redirect::to(&done_url).into_response());
    }
    if let Some(r) = refuse_if_fee_blocks(state, user, flow).await? {
        return Ok(r);
    }
    let Some(pending) = data
        .pending
        .clone()
        .filter(|p| p.kind == flow.kind.code() && p.token == form.token)
    else {
        if state
            .services
            .apply
            .pending(&user.office, flow.kind)
            .await?
        {
            return Ok(Redirect::to(&done_url).into_response());
        }
        return Ok(back_to_tab(
            user,
            flow,
            "最初から発行申請の手続きを行ってください。",
        ));
    };
    let Some(start) = data
        .pending_start
        .as_ref()
        .filter(|s| s.token == pending.token)
        .map(|s| s.start)
    else {
        return Ok(Redirect::to(&format!("{}/apply/start", flow.base)).into_response());
    };
    let submitted = state
        .services
        .apply
        .submit_starting(
            &user.office,
            flow.kind,
            pending.sealed_password,
            &pending.token,
            ip,
            start,
        )
        .await;
    match submitted {
        Ok(_) => {}
        // The certificate to renew left the window since the start step: ask again there.
        Err(CoreError::Refused(message)) if message == NOTHING_TO_RENEW => {
            return start_form(state, user, flow, Some(message)).await;
        }
        Err(e) => return Err(e.into()),
    }
    state.issuance_wakeup.notify_one();
    user.session.update(|d| {
        d.pending = None;
        d.pending_start = None;
        d.submitted.push(pending.token.clone());
        if d.submitted.len() > 10 {
            d.submitted.remove(0);
        }
    });
    Ok(Redirect::to(&done_url).into_response())
}

pub(crate) fn done(state: &AppState, user: &CurrentOffice, flow: &Flow) -> AppResult<Response> {
    render(&DonePage {
        frame: frame(state, user, flow),
        kind_label: flow.kind.label(),
        tab_label: flow.tab_label,
        download_choice: flow.download_choice,
    })
}
