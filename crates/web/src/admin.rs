//! The admin console's login (password, then a TOTP code; the key is shown only when the account
//! is created, never here), its own session cookie and the extractors `AdminUser`, `CentralOperator` and
//! `FederationAdmin`.
//!
//! Admin sessions live in the same session store as office sessions, but under their own
//! cookie and with `office_id` empty, so an admin session never satisfies `CurrentOffice`; an
//! office session carries no admin marker, so it never satisfies `AdminUser`.

use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use kaigo_core::account::repo::SessionRecord;
use kaigo_core::admin::login::{AdminService, AdminStep};
use kaigo_core::admin::{Admin, AdminId, AdminRole};
use kaigo_core::clock::jst_datetime;
use kaigo_core::ids::PrefectureCode;
use serde::{Deserialize, Serialize};

use crate::client::ClientIp;
use crate::csrf::CsrfForm;
use crate::error::{AppError, AppResult, render};
use crate::session::{Session, hash_token, random_token};
use crate::state::AppState;

/// The admin session cookie (distinct from the office portal's).
pub const ADMIN_COOKIE: &str = "kaigo_admin_session";
/// An admin session ends after 15 minutes without a request.
pub const ADMIN_IDLE_SECONDS: i64 = 15 * 60;

/// What an admin session record's `data` holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct AdminSessionData {
    /// Always "admin": marks the record as an admin session.
    kind: String,
    admin_id: i64,
    /// False between the password and the code step.
    verified: bool,
}

fn service(state: &AppState) -> &AdminService {
    &state.services.admin
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| {
            h.split(';').find_map(|kv| {
                let (k, v) = kv.trim().split_once('=')?;
                (k == ADMIN_COOKIE && !v.is_empty() && v.len() < 100).then(|| v.to_owned())
            })
        })
}

fn cookie_header(value: &str, max_age: i64, secure: bool) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{ADMIN_COOKIE}={value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .ok()
}

/// The admin session of the request, if any: (token hash, data).
async fn load(state: &AppState, headers: &HeaderMap) -> Option<(String, AdminSessionData)> {
    let token = cookie_token(headers)?;
    let hash = hash_token(&token);
    let record = state.services.sessions.find(&hash).await.ok().flatten()?;
    if record.office_id.is_some() {
        return None;
    }
    let data: AdminSessionData = serde_json::from_str(&record.data).ok()?;
    (data.kind == "admin").then_some((hash, data))
}

/// Replaces any admin session of the request by a new one (new ID) and returns the cookie.
async fn start(
    state: &AppState,
    old: Option<&str>,
    admin: AdminId,
    verified: bool,
) -> AppResult<HeaderValue> {
    let sessions = &state.services.sessions;
    if let Some(old) = old {
        let _ = sessions.delete(old).await;
    }
    let now = sessions.now();
    let token = random_token();
    let data = AdminSessionData {
        kind: "admin".to_owned(),
        admin_id: admin.0,
        verified,
    };
    let record = SessionRecord {
        token_hash: hash_token(&token),
        office_id: None,
        csrf_token: random_token(),
        data: serde_json::to_string(&data).map_err(|e| AppError::Internal(e.to_string()))?,
        created_at: now,
        expires_at: now + ADMIN_IDLE_SECONDS,
    };
    sessions.insert(&record).await?;
    cookie_header(&token, ADMIN_IDLE_SECONDS, state.config.secure_cookies)
        .ok_or_else(|| AppError::Internal("cookie".into()))
}

fn with_cookie(mut resp: Response, cookie: HeaderValue) -> Response {
    resp.headers_mut().append(SET_COOKIE, cookie);
    resp
}

/// Any logged-in admin (both steps passed).
pub struct AdminUser {
    pub admin: Admin,
    token_hash: String,
}

/// A central operator (国保中央会).
pub struct CentralOperator {
    pub admin: Admin,
}

/// A federation admin (国保連合会) with its prefecture.
pub struct FederationAdmin {
    pub admin: Admin,
    pub prefecture: PrefectureCode,
}

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let to_login = || Redirect::to("/admin/login").into_response();
        let Some((hash, data)) = load(state, &parts.headers).await else {
            return Err(to_login());
        };
        if !data.verified {
            return Err(to_login());
        }
        let admin = match service(state).admin(AdminId(data.admin_id)).await {
            Ok(Some(a)) if !a.disabled => a,
            Ok(_) => return Err(to_login()),
            Err(e) => return Err(AppError::from(e).into_response()),
        };
        // Sliding idle timeout.
        let sessions = &state.services.sessions;
        if let Ok(json) = serde_json::to_string(&data) {
            let _ = sessions
                .update(&hash, &json, sessions.now() + ADMIN_IDLE_SECONDS)
                .await;
        }
        Ok(Self {
            admin,
            token_hash: hash,
        })
    }
}

impl FromRequestParts<AppState> for CentralOperator {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let user = AdminUser::from_request_parts(parts, state).await?;
        match user.admin.role {
            AdminRole::Central => Ok(Self { admin: user.admin }),
            AdminRole::Federation(_) => Err(AppError::NotFound.into_response()),
        }
    }
}

impl FromRequestParts<AppState> for FederationAdmin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let user = AdminUser::from_request_parts(parts, state).await?;
        match user.admin.role {
            AdminRole::Federation(prefecture) => Ok(Self {
                admin: user.admin,
                prefecture,
            }),
            AdminRole::Central => Err(AppError::NotFound.into_response()),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage {
    csrf: String,
    login: String,
    error: Option<String>,
    /// The lockout rule with the configured values.
    hint: String,
}

#[derive(Template)]
#[template(path = "admin/code.html")]
struct CodePage {
    csrf: String,
    error: Option<String>,
    /// Not enrolled yet: the page says where the key is (never shows it).
    first_time: bool,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

#[derive(Deserialize)]
pub struct EmptyForm {}

fn locked_message(state: &AppState, until: i64) -> String {
    let settings = &state.services.deps.settings;
    format!(
        "{}続けて誤ったため、アカウントをロックしました。{}後（{} 以降）に再度ログインしてください。",
        settings.lockout_times(),
        settings.lockout_span(),
        jst_datetime(until)
    )
}

pub async fn login_form(State(state): State<AppState>, session: Session) -> AppResult<Response> {
    render(&LoginPage {
        csrf: session.csrf_token(),
        login: String::new(),
        error: None,
        hint: state.services.deps.settings.lockout_warning(),
    })
}

pub async fn login_submit(
    State(state): State<AppState>,
    session: Session,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> AppResult<Response> {
    let step = service(&state)
        .check_password(&form.login, &form.password, &ip)
        .await?;
    let error = match step {
        AdminStep::Ok(admin) => {
            let old = load(&state, &headers).await.map(|(h, _)| h);
            let cookie = start(&state, old.as_deref(), admin.id, false).await?;
            return Ok(with_cookie(
                Redirect::to("/admin/login/code").into_response(),
                cookie,
            ));
        }
        AdminStep::Wrong | AdminStep::Reused => format!(
            "ログインIDまたはパスワードが正しくありません。{}",
            state.services.deps.settings.lockout_warning()
        ),
        AdminStep::Locked(until) => locked_message(&state, until),
    };
    render(&LoginPage {
        csrf: session.csrf_token(),
        login: form.login,
        error: Some(error),
        hint: state.services.deps.settings.lockout_warning(),
    })
}

async fn code_page(
    state: &AppState,
    session: &Session,
    admin: AdminId,
    error: Option<String>,
) -> AppResult<Response> {
    let confirmed = service(state)
        .admin(admin)
        .await?
        .is_some_and(|a| a.totp_confirmed);
    render(&CodePage {
        csrf: session.csrf_token(),
        error,
        first_time: !confirmed,
    })
}

pub async fn code_form(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
) -> AppResult<Response> {
    match load(&state, &headers).await {
        Some((_, data)) if !data.verified => {
            code_page(&state, &session, AdminId(data.admin_id), None).await
        }
        Some(_) => Ok(Redirect::to("/admin").into_response()),
        None => Ok(Redirect::to("/admin/login").into_response()),
    }
}

pub async fn code_submit(
    State(state): State<AppState>,
    session: Session,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> AppResult<Response> {
    let Some((hash, data)) = load(&state, &headers).await.filter(|(_, d)| !d.verified) else {
        return Ok(Redirect::to("/admin/login").into_response());
    };
    let id = AdminId(data.admin_id);
    match service(&state).check_code(id, &form.code, &ip).await? {
        AdminStep::Ok(admin) => {
            let cookie = start(&state, Some(&hash), admin.id, true).await?;
            Ok(with_cookie(Redirect::to("/admin").into_response(), cookie))
        }
        AdminStep::Wrong => code_page(
            &state,
            &session,
            id,
            Some(format!(
                "認証コードが正しくありません。{}",
                state.services.deps.settings.lockout_warning()
            )),
        )
        .await,
        AdminStep::Reused => code_page(
            &state,
            &session,
            id,
            Some(
                "この認証コードは使用済みです。認証アプリに次のコードが表示されてから入力してください。"
                    .to_owned(),
            ),
        )
        .await,
        AdminStep::Locked(until) => {
            let _ = state.services.sessions.delete(&hash).await;
            let resp = render(&LoginPage {
                csrf: session.csrf_token(),
                login: String::new(),
                error: Some(locked_message(&state, until)),
                hint: state.services.deps.settings.lockout_warning(),
            })?;
            Ok(match cookie_header("", 0, state.config.secure_cookies) {
                Some(c) => with_cookie(resp, c),
                None => resp,
            })
        }
    }
}

pub async fn logout(
    State(state): State<AppState>,
    user: AdminUser,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> AppResult<Response> {
    let _ = state
        .services
        .deps
        .store
        .delete_session(&user.token_hash)
        .await;
    let resp = Redirect::to("/admin/login").into_response();
    Ok(match cookie_header("", 0, state.config.secure_cookies) {
        Some(c) => with_cookie(resp, c),
        None => resp,
    })
}
