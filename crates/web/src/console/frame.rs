//! The frame of every console page, and [`Console`]: the logged-in admin a console handler
//! takes (with the CSRF token and the client address).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;
use kaigo_core::admin::{Admin, AdminActor, AdminRole};
use kaigo_core::office::prefectures::prefecture_name;

use crate::admin::AdminUser;
use crate::client::ClientIp;
use crate::session::Session;
use crate::state::AppState;

/// What every console page shows in its frame (`templates/admin/layout.html`).
#[derive(Clone, Debug)]
pub struct ConsoleFrame {
    pub login: String,
    pub role: String,
    /// `13 東京都`, or `全都道府県` for a central operator.
    pub prefecture: String,
    pub central: bool,
    pub csrf: String,
    /// The request path, to mark the current area in the menu.
    pub path: String,
}

impl ConsoleFrame {
    /// The console's areas: (label, link, central only).
    pub fn areas(&self) -> Vec<(&'static str, &'static str)> {
        let mut areas = vec![
            ("管理メニュー", "/admin"),
            ("事業所", "/admin/offices"),
            ("手数料", "/admin/fees"),
            ("お知らせ", "/admin/notices"),
            ("証明書", "/admin/certificates"),
            ("お問い合わせ", "/admin/inquiries"),
        ];
        if self.central {
            areas.push(("監査ログ", "/admin/audit"));
            areas.push(("管理者", "/admin/accounts"));
            areas.push(("メール", "/admin/mail"));
            areas.push(("AIチャット", "/admin/assist"));
        }
        areas
    }

    /// Whether `href` is the area of the current page.
    pub fn is_current(&self, href: &str) -> bool {
        if href == "/admin" {
            return self.path == "/admin";
        }
        self.path == href
            || self
                .path
                .strip_prefix(href)
                .is_some_and(|rest| rest.starts_with('/') || rest.starts_with('.'))
    }
}

/// A logged-in admin in a console handler.
pub struct Console {
    pub admin: Admin,
    pub ip: String,
    pub csrf: String,
    pub path: String,
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
            path: self.path.clone(),
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
            path: parts.uri.path().to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(path: &str, central: bool) -> ConsoleFrame {
        ConsoleFrame {
            login: "a".into(),
            role: String::new(),
            prefecture: String::new(),
            central,
            csrf: String::new(),
            path: path.into(),
        }
    }

    #[test]
    fn current_area() {
        let f = frame("/admin/fees/12", false);
        assert!(f.is_current("/admin/fees"));
        assert!(!f.is_current("/admin"));
        assert!(frame("/admin/fees.csv", false).is_current("/admin/fees"));
        assert!(frame("/admin", false).is_current("/admin"));
        assert!(!frame("/admin/feesx", false).is_current("/admin/fees"));
        assert_eq!(frame("/admin", false).areas().len(), 6);
        assert_eq!(frame("/admin", true).areas().len(), 10);
    }
}
