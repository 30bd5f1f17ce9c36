//! The admin console behind `/admin`: one module per area. Every handler takes a
//! [`Console`] (a logged-in admin with the CSRF token and client address) and passes
//! `console.actor()` to a core service, which checks the admin's scope on every object.

pub mod accounts;
pub mod audit;
pub mod certificates;
pub mod fees;
pub mod inquiries;
pub mod notices;
pub mod offices;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;
use kaigo_core::admin::{Admin, AdminActor, AdminRole};
use kaigo_core::prefectures::prefecture_name;

use crate::admin::AdminUser;
use crate::client::ClientIp;
use crate::session::Session;
use crate::state::AppState;

/// All console routes (the login pages stay in [`crate::admin`]).
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(offices::routes())
        .merge(fees::routes())
        .merge(notices::routes())
        .merge(certificates::routes())
        .merge(inquiries::routes())
        .merge(audit::routes())
        .merge(accounts::routes())
}

/// What every console page shows in its frame (`templates/admin/layout.html`).
#[derive(Clone, Debug)]
pub struct ConsoleFrame {
    pub login: String,
    pub role: String,
    /// `13 東京都`, or `全都道府県` for a central operator.
    pub prefecture: String,
    pub central: bool,
    pub csrf: String,
}

/// A logged-in admin in a console handler.
pub struct Console {
    pub admin: Admin,
    pub ip: String,
    pub csrf: String,
}

impl Console {
    /// The admin as core services receive it.
    pub fn actor(&self) -> AdminActor {
        AdminActor::new(&self.admin, &self.ip)
    }

    pub fn role(&self) -> AdminRole {
        self.admin.role
    }

    pub fn frame(&self) -> ConsoleFrame {
        ConsoleFrame {
            login: self.admin.login.to_string(),
            role: self.admin.role.label().to_owned(),
            prefecture: self
                .admin
                .role
                .prefecture()
                .map(|p| format!("{p} {}", prefecture_name(p)))
                .unwrap_or_else(|| "全都道府県".to_owned()),
            central: matches!(self.admin.role, AdminRole::Central),
            csrf: self.csrf.clone(),
        }
    }
}

impl FromRequestParts<AppState> for Console {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let user = AdminUser::from_request_parts(parts, state).await?;
        let Ok(ClientIp(ip)) = ClientIp::from_request_parts(parts, state).await;
        let csrf = match Session::from_request_parts(parts, state).await {
            Ok(s) => s.csrf_token(),
            Err(e) => return Err(axum::response::IntoResponse::into_response(e)),
        };
        Ok(Self {
            admin: user.admin,
            ip,
            csrf,
        })
    }
}
