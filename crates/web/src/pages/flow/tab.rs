//! What a tab tells the flow about itself ([`Flow`]), and the checks every step shares:
//! the notes read, an outstanding fee, the choice on the tab page.

use std::future::Future;
use std::pin::Pin;

use axum::response::{IntoResponse, Redirect, Response};
use kaigo_core::certificate::CertKind;
use kaigo_core::fee::service::BALANCE_BLOCKS_APPLICATION;
use serde::Deserialize;

use crate::auth::CurrentOffice;
use crate::error::AppResult;
use crate::frame::Frame;
use crate::state::AppState;

/// The message of the manual when 【次へ】 is pressed before the notes were opened.
pub const NOTES_NOT_READ: &str = "確認せずに証明書の発行申請は行えません。";

/// Where each kind's flow lives and how the manual names its parts.
pub(crate) struct Flow {
    pub(crate) kind: CertKind,
    pub(crate) base: &'static str,
    pub(crate) tab_key: &'static str,
    pub(crate) tab_label: &'static str,
    pub(crate) download_choice: &'static str,
    /// Shown when there is nothing to download.
    pub(crate) nothing_to_download: &'static str,
    /// Renders the tab's own page (with the step's error) when a step sends the office back.
    pub(crate) tab: TabPage,
}

/// A tab's page: `(state, office, selected choice, error)`.
pub(crate) type TabPage =
    for<'a> fn(
        &'a AppState,
        &'a CurrentOffice,
        &'a str,
        Option<String>,
    ) -> Pin<Box<dyn Future<Output = AppResult<Response>> + Send + 'a>>;

pub(crate) fn frame(state: &AppState, user: &CurrentOffice, flow: &Flow) -> Frame {
    let now = state.services.deps.clock.unix();
    Frame::new(
        flow.tab_label,
        flow.tab_key,
        &user.office,
        &user.session,
        now,
    )
}

pub(crate) fn mark_notes_read(user: &CurrentOffice, flow: &Flow) {
    user.session.update(|d| {
        if !d.notes_read.iter().any(|k| k == flow.kind.code()) {
            d.notes_read.push(flow.kind.code().to_owned());
        }
    });
}

#[derive(Deserialize)]
pub struct ChoiceForm {
    #[serde(default)]
    pub(crate) choice: String,
}

/// Whether an outstanding fee blocks applications of this flow's kind.
pub(crate) async fn fee_blocks(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
) -> AppResult<bool> {
    Ok(state
        .services
        .fees
        .blocks_application(&user.office, flow.kind)
        .await?)
}

pub(crate) async fn choose(
    state: &AppState,
    user: &CurrentOffice,
    flow: &'static Flow,
    choice: &str,
) -> AppResult<Response> {
    match choice {
        "download" => Ok(Redirect::to(&format!("{}/download", flow.base)).into_response()),
        "apply" => {
            if fee_blocks(state, user, flow).await? {
                return (flow.tab)(state, user, "", Some(BALANCE_BLOCKS_APPLICATION.into())).await;
            }
            if !notes_read(user, flow) {
                return (flow.tab)(state, user, "apply", Some(NOTES_NOT_READ.to_owned())).await;
            }
            if state
                .services
                .apply
                .pending(&user.office, flow.kind)
                .await?
            {
                let msg =
                    "既に発行申請中です。証明書発行完了通知が届くまでお待ちください。".to_owned();
                return (flow.tab)(state, user, "apply", Some(msg)).await;
            }
            Ok(Redirect::to(&format!("{}/apply/password", flow.base)).into_response())
        }
        _ => (flow.tab)(state, user, "", Some("処理を選択してください。".to_owned())).await,
    }
}

pub(crate) fn notes_read(user: &CurrentOffice, flow: &Flow) -> bool {
    user.session
        .data()
        .notes_read
        .iter()
        .any(|k| k == flow.kind.code())
}

/// Sends the office back to the tab page with a message when it skipped a step.
pub(crate) fn back_to_tab(user: &CurrentOffice, flow: &Flow, message: &str) -> Response {
    user.session.update(|d| d.flash = Some(message.to_owned()));
    Redirect::to(flow.base).into_response()
}

/// A step of the application reached while a fee blocks it: back to the tab with the message.
pub(crate) async fn refuse_if_fee_blocks(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
) -> AppResult<Option<Response>> {
    if fee_blocks(state, user, flow).await? {
        user.session.update(|d| d.pending = None);
        return Ok(Some(back_to_tab(user, flow, BALANCE_BLOCKS_APPLICATION)));
    }
    Ok(None)
}
