//! The ユーザ情報変更 tab: the link to the login password change and the セキュリティメールアドレス
//! (a new address is confirmed by a code mailed to it).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kaigo_core::account::security_address::{CodeError, StartAddressError};
use kaigo_core::account::security_mail::CODE_DIGITS;
use kaigo_core::clock::jst_datetime;
use kaigo_core::office::Office;
use serde::Deserialize;

use crate::auth::CurrentOffice;
use crate::client::ClientIp;
use crate::csrf::CsrfForm;
use crate::error::{AppResult, render};
use crate::frame::Frame;
use crate::session::Session;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    frame: Frame,
    confirmed: Option<String>,
    confirmed_at: Option<String>,
    /// The address waiting for its code and the code's expiry (JST).
    pending: Option<(String, String)>,
    email_input: String,
    errors: Vec<String>,
    digits: usize,
    max_attempts: i64,
}

async fn page(
    state: &AppState,
    office: &Office,
    session: &Session,
    email_input: String,
    errors: Vec<String>,
) -> AppResult<Response> {
    let account = &state.services.account;
    let status = account.security_status(office).await?;
    let now = state.services.deps.clock.unix();
    render(&SettingsPage {
        frame: Frame::new("ユーザ情報変更", "settings", office, session, now),
        confirmed: status.confirmed.as_ref().map(|a| a.email.clone()),
        confirmed_at: status
            .confirmed
            .as_ref()
            .map(|a| jst_datetime(a.confirmed_at)),
        pending: status.pending.map(|(e, until)| (e, jst_datetime(until))),
        email_input,
        errors,
        digits: CODE_DIGITS,
        max_attempts: account.rules().max_code_attempts,
    })
}

pub async fn settings_page(
    State(state): State<AppState>,
    user: CurrentOffice,
) -> AppResult<Response> {
    page(&state, &user.office, &user.session, String::new(), vec![]).await
}

#[derive(Deserialize)]
pub struct AddressForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    current_password: String,
}

/// 【確認コードを送信】: mails a code to the entered address.
pub async fn address_submit(
    State(state): State<AppState>,
    user: CurrentOffice,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<AddressForm>,
) -> AppResult<Response> {
    let input: String = form.email.trim().chars().take(254).collect();
    let error = match state
        .services
        .account
        .start_address_change(&user.office, &input, &form.current_password, &ip)
        .await
    {
        Ok(email) => {
            user.session.update(|d| {
                d.flash = Some(format!(
                    "{email} あてに確認コードを送信しました。メールに記載された確認コードを入力してください。"
                ))
            });
            return Ok(Redirect::to("/settings").into_response());
        }
        Err(StartAddressError::Invalid(v)) => v.message,
        Err(StartAddressError::WrongPassword) => "現在のパスワードが正しくありません。".to_owned(),
        Err(StartAddressError::Locked(until)) => {
            user.session.destroy();
            return Ok(Redirect::to(&format!("/login?locked={until}")).into_response());
        }
        Err(StartAddressError::TooSoon(secs)) => format!(
            "確認コードは送信済みです。再送信は{secs}秒後から行えます。届いたメールの確認コードを入力してください。"
        ),
        Err(StartAddressError::Core(e)) => return Err(e.into()),
    };
    page(&state, &user.office, &user.session, input, vec![error]).await
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// 【確認】: checks the mailed code and makes the pending address the confirmed one.
pub async fn confirm_submit(
    State(state): State<AppState>,
    user: CurrentOffice,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> AppResult<Response> {
    let account = &state.services.account;
    let max = account.rules().max_code_attempts;
    let error = if form.code.trim().is_empty() {
        "確認コードを入力してください。".to_owned()
    } else {
        match account.confirm_address(&user.office, &form.code, &ip).await {
            Ok(address) => {
                user.session.update(|d| {
                    d.flash = Some(format!(
                        "セキュリティメールアドレスを {} に設定しました。",
                        address.email
                    ))
                });
                return Ok(Redirect::to("/settings").into_response());
            }
            Err(CodeError::NoCode) => "確認コードが発行されていません。セキュリティメールアドレスを入力して、【確認コードを送信】ボタンを押してください。".to_owned(),
            Err(CodeError::Expired) => "確認コードの有効期限が切れています。もう一度、【確認コードを送信】ボタンを押してください。".to_owned(),
            Err(CodeError::TooManyAttempts) => format!(
                "確認コードを{max}回続けて誤ったため、この確認コードは無効になりました。もう一度、【確認コードを送信】ボタンを押してください。"
            ),
            Err(CodeError::Wrong(left)) => format!(
                "確認コードが正しくありません。あと{left}回入力できます。"
            ),
            Err(CodeError::Core(e)) => return Err(e.into()),
        }
    };
    page(
        &state,
        &user.office,
        &user.session,
        String::new(),
        vec![error],
    )
    .await
}
