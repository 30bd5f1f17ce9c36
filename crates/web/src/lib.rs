//! kaigo-web: the office portal. axum routes, askama templates, cookie sessions and CSRF.
//! Handlers call kaigo-core services and never touch storage themselves.

pub mod admin;
pub mod auth;
pub mod client;
pub mod console;
pub mod csrf;
pub mod download;
pub mod error;
pub mod frame;
pub mod headers;
pub mod login_secret;
pub mod pages;
pub mod path_id;
pub mod publication;
pub mod request_span;
pub mod session;
pub mod state;
pub mod tls_peer;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::response::Redirect;
use axum::routing::{get, post};

pub use state::{AppState, WebConfig};

use crate::pages::{chat, help, inquiry, login, misc, notices};
use crate::pages::{issuance_password, password_reset, settings};

/// The whole portal as one router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(login::landing))
        .route("/login", get(login::login_form).post(login::login_submit))
        .route("/logout", post(login::logout))
        .route(
            "/password/change",
            get(login::password_form).post(login::password_submit),
        )
        .route("/top", get(notices::top))
        .route("/notices", get(notices::list))
        .route("/notices/{id}", get(notices::detail))
        .route("/notices/{id}/files/{file}", get(notices::attachment))
        .merge(pages::dx::routes())
        .merge(pages::certificate::routes())
        .route("/documents", get(help::documents))
        .route("/documents/{id}", get(help::document_file))
        .route(
            "/documents/attachments/{id}",
            get(help::document_attachment),
        )
        .route("/check", get(pages::check::check))
        .route("/faq", get(help::faq))
        .route("/manual", get(help::manual))
        .route("/downloads", get(help::downloads))
        .route("/inquiry", get(inquiry::choice))
        .route(
            "/inquiry/input",
            get(|| async { Redirect::permanent("/inquiry") }),
        )
        .route(
            "/inquiry/form",
            get(inquiry::inquiry_form).post(inquiry::inquiry_submit),
        )
        .route("/inquiry/done", get(inquiry::inquiry_done))
        .route("/inquiry/phone", get(inquiry::phone))
        .route("/inquiry/chat", get(chat::chat).post(chat::ask))
        .route("/inquiry/chat/clear", post(chat::clear))
        .route("/settings", get(settings::settings_page))
        .route("/settings/security-mail", post(settings::address_submit))
        .route(
            "/settings/security-mail/confirm",
            post(settings::confirm_submit),
        )
        .route(
            "/password/forgot",
            get(password_reset::forgot_form).post(password_reset::forgot_submit),
        )
        .route("/issuance-password/about", get(issuance_password::about))
        .route(
            "/issuance-password/reissue",
            get(issuance_password::reissue_form).post(issuance_password::reissue_submit),
        )
        .route(
            "/issuance-password/reissue/done",
            get(issuance_password::reissue_done),
        )
        .route(
            "/password/forgot/code",
            get(password_reset::code_form).post(password_reset::code_submit),
        )
        .route("/terms/download", get(misc::terms_download))
        .route("/static/style.css", get(misc::style_css))
        .route("/static/clock.js", get(misc::clock_js))
        .route(
            "/admin/login",
            get(admin::login_form).post(admin::login_submit),
        )
        .route(
            "/admin/login/code",
            get(admin::code_form).post(admin::code_submit),
        )
        .route("/admin/logout", post(admin::logout))
        .merge(console::routes())
        .merge(publication::routes())
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .fallback(|| async { error::AppError::NotFound })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::session_layer,
        ))
        .layer(middleware::from_fn(csrf::origin_check))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            headers::security_headers,
        ))
        .layer(DefaultBodyLimit::max(64 * 1024))
        // Outermost: every answer is counted and carries a request ID, a CSRF refusal too.
        .layer(middleware::from_fn(request_span::request_span))
        .with_state(state)
}

/// Readiness for a load balancer: 200 when the database answers and the CA signer (key file
/// or HSM token) is usable, else 503 naming what is not.
async fn readyz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let r = state.services.health.readiness().await;
    // The reasons go to the log; the public answer only says what is unavailable.
    let line = |name: &str, v: &Result<(), String>| match v {
        Ok(()) => format!("{name}: ok\n"),
        Err(e) => {
            tracing::warn!(check = name, reason = %e, "not ready");
            format!("{name}: unavailable\n")
        }
    };
    let body = format!(
        "{}{}",
        line("database", &r.database),
        line("signer", &r.signer)
    );
    let status = if r.ready() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::SERVICE_UNAVAILABLE
    };
    (status, body).into_response()
}
