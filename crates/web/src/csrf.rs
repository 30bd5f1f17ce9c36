//! CSRF protection: every POST body carries the session's synchronizer token, and cross-site
//! requests are refused by their `Origin` / `Sec-Fetch-Site` headers before any handler runs.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::session::Session;

/// Name of the hidden form field.
pub const FIELD: &str = "csrf";

/// A urlencoded form whose CSRF token has been checked. Handlers of POST routes take this
/// instead of `Form`, so none can forget the check.
pub struct CsrfForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let session = req
            .extensions()
            .get::<Session>()
            .cloned()
            .ok_or(AppError::Csrf)?;
        let body = Bytes::from_request(req, state).await.map_err(|_| {
            AppError::BadRequest("送信内容が大きすぎるか、正しくありません。".into())
        })?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
            .map_err(|_| AppError::BadRequest("送信内容が正しくありません。".into()))?;
        let token = pairs
            .iter()
            .find(|(k, _)| k == FIELD)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if !session.csrf_matches(token) {
            return Err(AppError::Csrf);
        }
        let value = serde_urlencoded::from_bytes(&body)
            .map_err(|_| AppError::BadRequest("送信内容が正しくありません。".into()))?;
        Ok(Self(value))
    }
}

/// Middleware: refuses unsafe requests that a browser marks as cross-site.
pub async fn origin_check(req: Request, next: Next) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let h = req.headers();
        let cross_site = h
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == "cross-site");
        let host = h.get("host").and_then(|v| v.to_str().ok()).unwrap_or("");
        let foreign_origin = h
            .get("origin")
            .and_then(|v| v.to_str().ok())
            .filter(|o| *o != "null")
            .is_some_and(|o| o.split_once("://").map(|(_, rest)| rest) != Some(host));
        if cross_site || foreign_origin {
            return (StatusCode::FORBIDDEN, AppError::Csrf).into_response();
        }
    }
    next.run(req).await
}
