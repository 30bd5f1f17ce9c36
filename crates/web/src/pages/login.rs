//! Manual section 2, step 1: logging in; the first-login password change; logging out.

use askama::Template;
use axum::extract::{Query, State};

use crate::client::ClientIp;
use axum::response::{IntoResponse, Redirect, Response};
use kaigo_core::account::login::{ChangePasswordError, LoginRefusal};
use kaigo_core::clock::jst_datetime;
use kaigo_core::deps::Settings;
use serde::Deserialize;

use crate::auth::LoggedIn;
use crate::csrf::CsrfForm;
use crate::error::{AppResult, render};
use crate::session::Session;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "landing.html")]
struct LandingPage;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    user_id: String,
    error: Option<String>,
    info: Option<String>,
    /// The lockout rule with the configured values.
    hint: String,
}

#[derive(Template)]
#[template(path = "password_change.html")]
struct PasswordChangePage {
    csrf: String,
    first: bool,
    errors: Vec<String>,
}

pub async fn landing(session: Session) -> AppResult<Response> {
    if session.office_id().is_some() {
        return Ok(Redirect::to("/top").into_response());
    }
    render(&LandingPage)
}

#[derive(Deserialize)]
pub struct LoginQuery {
    locked: Option<String>,
}

pub async fn login_form(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<LoginQuery>,
) -> AppResult<Response> {
    if session.office_id().is_some() {
        return Ok(Redirect::to("/top").into_response());
    }
    let info = session.take_flash();
    // Set when the current password was mistyped three times on the change form.
    let error = q
        .locked
        .as_deref()
        .and_then(|t| t.parse::<i64>().ok())
        .map(|until| locked_message(&state.services.deps.settings, until));
    render(&LoginPage {
        csrf: session.csrf_token(),
        user_id: String::new(),
        error,
        info,
        hint: state.services.deps.settings.lockout_warning(),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    password: String,
}

pub fn locked_message(settings: &Settings, until: i64) -> String {
    format!(
        "パスワードを{}続けて誤ったため、アカウントをロックしました。{}後（{} 以降）に再度ログインしてください。",
        settings.lockout_times(),
        settings.lockout_span(),
        jst_datetime(until)
    )
}

/// The message for an office that is suspended or closed (given only after a right password).
pub fn inactive_message(status: kaigo_core::office::OfficeStatus) -> String {
    match status {
        kaigo_core::office::OfficeStatus::Closed => "この事業所は廃止されているため、ログインできません。ご不明な点は国民健康保険団体連合会へお問い合わせください。".to_owned(),
        _ => "この事業所は利用停止中のため、ログインできません。利用の再開については国民健康保険団体連合会へお問い合わせください。".to_owned(),
    }
}

pub async fn login_submit(
    State(state): State<AppState>,
    session: Session,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> AppResult<Response> {
    let user_id: String = form.user_id.trim().chars().take(32).collect();
    let error = if user_id.is_empty() || form.password.is_empty() {
        Some("ユーザIDとパスワードを入力してください。".to_owned())
    } else {
        match state
            .services
            .auth
            .login(&user_id, &form.password, &ip)
            .await?
        {
            Ok(office) => {
                session.login(office.id);
                crate::login_secret::keep_login_password(&state, &session, &form.password);
                let to = if office.must_change_password {
                    "/password/change"
                } else {
                    "/top"
                };
                return Ok(Redirect::to(to).into_response());
            }
            Err(LoginRefusal::Invalid) => Some(format!(
                "ユーザIDまたはパスワードが正しくありません。{}",
                state.services.deps.settings.lockout_warning()
            )),
            Err(LoginRefusal::Locked(until)) => {
                Some(locked_message(&state.services.deps.settings, until))
            }
            Err(LoginRefusal::Inactive(status)) => Some(inactive_message(status)),
        }
    };
    render(&LoginPage {
        csrf: session.csrf_token(),
        user_id,
        error,
        info: None,
        hint: state.services.deps.settings.lockout_warning(),
    })
}

pub async fn password_form(user: LoggedIn) -> AppResult<Response> {
    render(&PasswordChangePage {
        csrf: user.session.csrf_token(),
        first: user.office.must_change_password,
        errors: vec![],
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    user: LoggedIn,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> AppResult<Response> {
    let result = state
        .services
        .auth
        .change_password(user.office.id, &form.current, &form.new, &form.confirm, &ip)
        .await;
    let errors = match result {
        Ok(()) => {
            // A new session ID, and (in the service) every other session of the office ended:
            // a stolen cookie does not outlive the password it was stolen with.
            user.session.login(user.office.id);
            crate::login_secret::keep_login_password(&state, &user.session, &form.new);
            user.session
                .update(|d| d.flash = Some("パスワードを変更しました。".into()));
            return Ok(Redirect::to("/top").into_response());
        }
        Err(ChangePasswordError::WrongCurrent) => {
            vec!["現在のパスワードが正しくありません。".to_owned()]
        }
        Err(ChangePasswordError::Rules(problems)) => {
            problems.iter().map(|p| p.message().to_owned()).collect()
        }
        Err(ChangePasswordError::Locked(until)) => {
            user.session.destroy();
            return Ok(Redirect::to(&format!("/login?locked={until}")).into_response());
        }
        Err(ChangePasswordError::Core(e)) => return Err(e.into()),
    };
    render(&PasswordChangePage {
        csrf: user.session.csrf_token(),
        first: user.office.must_change_password,
        errors,
    })
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(session: Session, CsrfForm(_): CsrfForm<Empty>) -> Response {
    session.destroy();
    Redirect::to("/login").into_response()
}
