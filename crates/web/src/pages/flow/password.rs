//! The step 証明書発行用パスワード of an application.

use askama::Template;

use crate::session::random_token;
use axum::response::{IntoResponse, Redirect, Response};
use kaigo_core::certificate::apply::IssuancePasswordCheck;
use kaigo_core::certificate::apply::ValidityStart;
use serde::Deserialize;

use super::tab::{Flow, NOTES_NOT_READ, back_to_tab, frame, notes_read, refuse_if_fee_blocks};
use crate::auth::CurrentOffice;
use crate::error::{AppResult, render};
use crate::frame::Frame;
use crate::session::{PendingApplication, PendingStart};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "apply_password.html")]
struct PasswordPage {
    frame: Frame,
    base: &'static str,
    error: Option<String>,
}

pub(crate) async fn password_form(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
) -> AppResult<Response> {
    if let Some(r) = refuse_if_fee_blocks(state, user, flow).await? {
        return Ok(r);
    }
    if !notes_read(user, flow) {
        return Ok(back_to_tab(user, flow, NOTES_NOT_READ));
    }
    render(&PasswordPage {
        frame: frame(state, user, flow),
        base: flow.base,
        error: None,
    })
}

#[derive(Deserialize)]
pub struct IssuancePasswordForm {
    #[serde(default)]
    issuance_password: String,
}

pub(crate) async fn password_submit(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
    ip: &str,
    form: IssuancePasswordForm,
) -> AppResult<Response> {
    if let Some(r) = refuse_if_fee_blocks(state, user, flow).await? {
        return Ok(r);
    }
    if !notes_read(user, flow) {
        return Ok(back_to_tab(user, flow, NOTES_NOT_READ));
    }
    let pw = form.issuance_password.trim();
    let error = if pw.is_empty() {
        "証明書発行用パスワードを入力してください。".to_owned()
    } else {
        let apply = &state.services.apply;
        match apply.check_issuance_password(&user.office, pw, ip).await? {
            IssuancePasswordCheck::Ok => {
                let sealed = apply.seal_password(pw)?;
                let token = random_token();
                user.session.update(|d| {
                    d.pending = Some(PendingApplication {
                        kind: flow.kind.code().to_owned(),
                        sealed_password: sealed,
                        token: token.clone(),
                    });
                    d.pending_start = None;
                });
                // Core decides whether the validity-start step is shown.
                if !apply.start_step(&user.office, flow.kind).await?.shown {
                    user.session.update(|d| {
                        d.pending_start = Some(PendingStart {
                            token: token.clone(),
                            start: ValidityStart::Now,
                        })
                    });
                    return Ok(Redirect::to(&format!("{}/apply/terms", flow.base)).into_response());
                }
                return Ok(Redirect::to(&format!("{}/apply/start", flow.base)).into_response());
            }
            IssuancePasswordCheck::Wrong => format!(
                "証明書発行用パスワードが正しくありません。「電子請求登録結果に関するお知らせ」に記載された証明書発行用パスワードを入力してください。{}続けて誤ると{}間発行申請ができなくなります。",
                state.services.deps.settings.lockout_times(),
                state.services.deps.settings.lockout_span()
            ),
            IssuancePasswordCheck::Locked(until) => format!(
                "証明書発行用パスワードを{}続けて誤ったため、{}間発行申請ができません。{} 以降に再度お試しください。",
                state.services.deps.settings.lockout_times(),
                state.services.deps.settings.lockout_span(),
                kaigo_core::clock::jst_datetime(until)
            ),
        }
    };
    render(&PasswordPage {
        frame: frame(state, user, flow),
        base: flow.base,
        error: Some(error),
    })
}
