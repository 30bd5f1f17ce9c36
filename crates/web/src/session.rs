//! Cookie sessions stored through kaigo-core's `SessionRepo`.
//!
//! The cookie carries 32 random bytes; the store keeps only their SHA-256, so a leaked
//! database does not hand out live sessions. A session is created lazily (the first time a
//! page needs a CSRF token) and replaced by a new one at login, so an ID seen before login is
//! worthless after it.

use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kaigo_core::account::repo::SessionRecord;
use kaigo_core::certificate::apply::{SealedPassword, ValidityStart};
use kaigo_core::ids::OfficeId;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::state::AppState;

pub const COOKIE_NAME: &str = "kaigo_session";

/// Per-session state kept between the steps of a flow.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SessionData {
    /// The notes behind 【発行申請を行う前に】 have been opened (per certificate kind code).
    #[serde(default)]
    pub notes_read: Vec<String>,
    /// An application between step 3 (password checked) and step 4 (terms accepted).
    #[serde(default)]
    pub pending: Option<PendingApplication>,
    /// Form tokens already submitted, so a repeated submit lands on the completion page.
    #[serde(default)]
    pub submitted: Vec<String>,
    /// A one-shot message for the next page.
    #[serde(default)]
    pub flash: Option<String>,
    /// The user ID typed on 「パスワード等を紛失した方はこちら」, for the code step.
    #[serde(default)]
    pub reset_user_id: Option<String>,
    /// The login password sealed under the server key (see `login_secret`); base64 in the
    /// stored data. One stored in another shape is dropped.
    #[serde(default, deserialize_with = "lenient")]
    pub login_password_sealed_b64: Option<SealedPassword>,
    /// The token of the 【再発行する】 form on screen, and the last one used with the notice it
    /// produced: a double click or a reload reissues once.
    #[serde(default)]
    pub reissue_token: Option<String>,
    #[serde(default)]
    pub reissued: Option<(String, i64)>,
    /// The validity start chosen for the pending application (step after the password). A
    /// choice stored in an older shape is dropped: the office is asked again.
    #[serde(default, deserialize_with = "lenient")]
    pub pending_start: Option<PendingStart>,
    /// The AIチャット's conversation on this session (its last turns); one stored in another
    /// shape is dropped.
    #[serde(default, deserialize_with = "lenient")]
    pub chat: Option<Vec<ChatTurn>>,
}

/// One question of the AIチャット and the reply it got.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ChatTurn {
    pub question: String,
    /// The 「次のどれですか」 choice this turn answers (the question is the one asked).
    #[serde(default)]
    pub picked: Option<String>,
    pub reply: kaigo_core::assist::Reply,
}

/// The office's choice of the start of validity for a pending application; core resolves it
/// to a date when the application is submitted.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PendingStart {
    pub token: String,
    pub start: ValidityStart,
}

/// A checked issuance password, sealed under the server key, waiting for the terms.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PendingApplication {
    pub kind: String,
    /// Stored as base64 under the name it always had.
    #[serde(rename = "sealed_password_b64")]
    pub sealed_password: SealedPassword,
    pub token: String,
}

/// Reads an optional field, taking a value of another shape as absent.
fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = Option::<serde_json::Value>::deserialize(d)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

#[derive(Debug)]
struct Inner {
    token: Option<String>,
    record: SessionRecord,
    data: SessionData,
    stored: bool,
    dirty: bool,
    rotate: bool,
    destroy: bool,
}

/// The request's session; cloned into handlers by the `Session` extractor.
#[derive(Clone, Debug)]
pub struct Session(Arc<Mutex<Inner>>);

/// 256 random bits, URL-safe: session cookies and one-time form tokens.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored of a cookie token (office and admin sessions alike): its SHA-256.
pub(crate) fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Session {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn office_id(&self) -> Option<OfficeId> {
        self.lock().record.office_id
    }

    /// The CSRF token for forms on this page. Calling it makes the session persistent.
    pub fn csrf_token(&self) -> String {
        let mut s = self.lock();
        if !s.stored {
            s.dirty = true;
        }
        s.record.csrf_token.clone()
    }

    /// Constant-time comparison with the session's token.
    pub fn csrf_matches(&self, candidate: &str) -> bool {
        let s = self.lock();
        if !s.stored {
            return false;
        }
        tokens_match(&s.record.csrf_token, candidate)
    }

    pub fn data(&self) -> SessionData {
        self.lock().data.clone()
    }

    pub fn update(&self, f: impl FnOnce(&mut SessionData)) {
        let mut s = self.lock();
        f(&mut s.data);
        s.dirty = true;
    }

    /// Takes the one-shot message, if any.
    pub fn take_flash(&self) -> Option<String> {
        let mut s = self.lock();
        let flash = s.data.flash.take();
        if flash.is_some() {
            s.dirty = true;
        }
        flash
    }

    /// Logs the office in under a brand-new session ID and CSRF token.
    pub fn login(&self, office_id: OfficeId) {
        let mut s = self.lock();
        s.record.office_id = Some(office_id);
        s.record.csrf_token = random_token();
        s.data = SessionData::default();
        s.rotate = true;
        s.dirty = true;
    }

    /// Ends the session (【ログアウト】).
    pub fn destroy(&self) {
        self.lock().destroy = true;
    }
}

fn cookie_token(req: &Request) -> Option<String> {
    req.headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| {
            h.split(';').find_map(|kv| {
                let (k, v) = kv.trim().split_once('=')?;
                (k == COOKIE_NAME && !v.is_empty() && v.len() < 100).then(|| v.to_owned())
            })
        })
}

fn set_cookie(resp: &mut Response, value: &str, max_age: i64, secure: bool) {
    let secure = if secure { "; Secure" } else { "" };
    let cookie =
        format!("{COOKIE_NAME}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(SET_COOKIE, v);
    }
}

/// Middleware: loads the session before the handler and saves it after.
pub async fn session_layer(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let sessions = &state.services.sessions;
    let now = sessions.now();
    let ttl = state.config.session_idle_seconds;
    let mut loaded = None;
    if let Some(token) = cookie_token(&req) {
        match sessions.find(&hash_token(&token)).await {
            Ok(Some(rec)) => loaded = Some((token, rec)),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "session load failed"),
        }
    }
    let inner = match loaded {
        Some((token, record)) => {
            let data = serde_json::from_str(&record.data).unwrap_or_default();
            Inner {
                token: Some(token),
                record,
                data,
                stored: true,
                dirty: false,
                rotate: false,
                destroy: false,
            }
        }
        None => Inner {
            token: None,
            record: SessionRecord {
                token_hash: String::new(),
                office_id: None,
                csrf_token: random_token(),
                data: String::new(),
                created_at: now,
                expires_at: now + ttl,
            },
            data: SessionData::default(),
            stored: false,
            dirty: false,
            rotate: false,
            destroy: false,
        },
    };
    let session = Session(Arc::new(Mutex::new(inner)));
    req.extensions_mut().insert(session.clone());
    let mut resp = next.run(req).await;

    // Copy what is needed out of the lock: a std mutex guard must not live across an await.
    let (destroy, stored, dirty, rotate, record, token, data_json) = {
        let s = session.lock();
        let data_json = serde_json::to_string(&s.data).unwrap_or_default();
        (
            s.destroy,
            s.stored,
            s.dirty,
            s.rotate,
            s.record.clone(),
            s.token.clone(),
            data_json,
        )
    };
    let secure = state.config.secure_cookies;
    if destroy {
        if stored {
            let _ = sessions.delete(&record.token_hash).await;
        }
        set_cookie(&mut resp, "", 0, secure);
        return resp;
    }
    if rotate || (!stored && dirty) {
        if stored {
            let _ = sessions.delete(&record.token_hash).await;
        }
        let token = random_token();
        let mut record = record;
        record.token_hash = hash_token(&token);
        record.data = data_json;
        record.created_at = now;
        record.expires_at = now + ttl;
        match sessions.insert(&record).await {
            Ok(()) => set_cookie(&mut resp, &token, ttl, secure),
            Err(e) => tracing::error!(error = %e, "session insert failed"),
        }
    } else if stored && (dirty || record.expires_at - now < ttl / 2) {
        // Sliding expiry, written at most about twice per idle period unless data changed.
        if let Err(e) = sessions
            .update(&record.token_hash, &data_json, now + ttl)
            .await
        {
            tracing::error!(error = %e, "session update failed");
        }
        if let Some(token) = token {
            set_cookie(&mut resp, &token, ttl, secure);
        }
    }
    resp
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Session {
    type Rejection = crate::error::AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(|| crate::error::AppError::Internal("session layer missing".into()))
    }
}

/// Compares a submitted token with the session's in constant time; an empty token never
/// matches. The one comparison of every CSRF check (forms and multipart uploads).
pub fn tokens_match(expected: &str, candidate: &str) -> bool {
    let a = expected.as_bytes();
    let b = candidate.as_bytes();
    !a.is_empty()
        && a.len() == b.len()
        && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token();
        let b = random_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), a);
    }
}
