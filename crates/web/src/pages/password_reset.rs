//! 「パスワード等を紛失した方はこちら」: the user ID and the security address → a mailed code →
//! a new login password. Every answer is the same whether or not the ID or the address exists.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kaigo_core::account::recovery::ResetError;
use kaigo_core::account::security_mail::CODE_DIGITS;
use serde::Deserialize;

use crate::client::ClientIp;
use crate::csrf::CsrfForm;
use crate::error::{AppResult, render};
use crate::session::Session;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "password_forgot.html")]
struct ForgotPage {
    csrf: String,
    user_id: String,
    email: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "password_forgot_code.html")]
struct CodePage {
    csrf: String,
    errors: Vec<String>,
    digits: usize,
    ttl_minutes: i64,
    max_attempts: i64,
}

pub async fn forgot_form(session: Session) -> AppResult<Response> {
    render(&ForgotPage {
        csrf: session.csrf_token(),
        user_id: String::new(),
        email: String::new(),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    email: String,
}

/// 【確認コードを送信】. Whatever the input, the answer is the redirect to the code page.
pub async fn forgot_submit(
    State(state): State<AppState>,
    session: Session,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<ForgotForm>,
) -> AppResult<Response> {
    let user_id: String = form.user_id.trim().chars().take(32).collect();
    let email: String = form.email.trim().chars().take(254).collect();
    if user_id.is_empty() || email.is_empty() {
        return render(&ForgotPage {
            csrf: session.csrf_token(),
            user_id,
            email,
            error: Some("ユーザIDとセキュリティメールアドレスを入力してください。".to_owned()),
        });
    }
    state
        .services
        .account
        .request_password_reset(&user_id, &email, &ip)
        .await?;
    session.update(|d| d.reset_user_id = Some(user_id));
    Ok(Redirect::to("/password/forgot/code").into_response())
}

fn code_page(state: &AppState, session: &Session, errors: Vec<String>) -> AppResult<Response> {
    let rules = state.services.account.rules();
    render(&CodePage {
        csrf: session.csrf_token(),
        errors,
        digits: CODE_DIGITS,
        ttl_minutes: rules.code_ttl_seconds / 60,
        max_attempts: rules.max_code_attempts,
    })
}

pub async fn code_form(State(state): State<AppState>, session: Session) -> AppResult<Response> {
    if session.data().reset_user_id.is_none() {
        return Ok(Redirect::to("/password/forgot").into_response());
    }
    code_page(&state, &session, vec![])
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

/// 【再設定】: the mailed code and the new password.
pub async fn code_submit(
    State(state): State<AppState>,
    session: Session,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> AppResult<Response> {
    let Some(user_id) = session.data().reset_user_id else {
        return Ok(Redirect::to("/password/forgot").into_response());
    };
    if form.code.trim().is_empty() {
        return code_page(
            &state,
            &session,
            vec!["確認コードを入力してください。".to_owned()],
        );
    }
    let result = state
        .services
        .account
        .reset_password(&user_id, &form.code, &form.new, &form.confirm, &ip)
        .await;
    let errors = match result {
        Ok(()) => {
            session.update(|d| {
                d.reset_user_id = None;
                d.flash = Some(
                    "パスワードを再設定しました。新しいパスワードでログインしてください。".into(),
                );
            });
            return Ok(Redirect::to("/login").into_response());
        }
        Err(ResetError::Code) => vec![
            "確認コードが正しくないか、有効期限が切れています。確認コードを確認して入力し直すか、最初からやり直してください。".to_owned(),
        ],
        Err(ResetError::Rules(problems)) => {
            problems.iter().map(|p| p.message().to_owned()).collect()
        }
        Err(ResetError::Core(e)) => return Err(e.into()),
    };
    code_page(&state, &session, errors)
}
