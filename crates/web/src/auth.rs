//! Extractors that put authorization in handler signatures.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use kaigo_core::office::Office;

use crate::error::AppError;
use crate::session::Session;
use crate::state::AppState;

/// A logged-in office, whatever the state of its password. Only the password change page and
/// logout take this.
pub struct LoggedIn {
    pub office: Office,
    pub session: Session,
}

/// A logged-in office that has replaced its temporary password. Every portal page takes this.
pub struct CurrentOffice {
    pub office: Office,
    pub session: Session,
}

/// Why an extractor turned the request away.
pub enum AuthRejection {
    Login,
    ChangePassword,
    Error(AppError),
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            Self::Login => Redirect::to("/login").into_response(),
            Self::ChangePassword => Redirect::to("/password/change").into_response(),
            Self::Error(e) => e.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for LoggedIn {
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(AuthRejection::Error)?;
        let Some(id) = session.office_id() else {
            return Err(AuthRejection::Login);
        };
        match state.services.auth.office(id).await {
            Ok(Some(office)) => Ok(Self { office, session }),
            Ok(None) => {
                session.destroy();
                Err(AuthRejection::Login)
            }
            Err(e) => Err(AuthRejection::Error(e.into())),
        }
    }
}

impl FromRequestParts<AppState> for CurrentOffice {
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let LoggedIn { office, session } = LoggedIn::from_request_parts(parts, state).await?;
        if office.must_change_password {
            return Err(AuthRejection::ChangePassword);
        }
        Ok(Self { office, session })
    }
}
