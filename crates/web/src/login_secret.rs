//! The login password, kept for the session: the notice 「証明書発行用パスワード再発行通知」
//! carries a ZIP encrypted with the office's login password, which is otherwise stored only as
//! a hash. It is sealed under the server key (AES-256-GCM) into the session data at login and
//! at a password change, and disappears with the session (logout deletes it).

use secrecy::SecretString;

use crate::session::Session;
use crate::state::AppState;

/// Seals the password into the session. A sealing failure is logged; the session goes on
/// without it (the reissue then reports that the attachment cannot be built).
pub fn keep_login_password(state: &AppState, session: &Session, password: &str) {
    match state.services.sessions.seal_secret(password) {
        Ok(sealed) => session.update(|d| d.login_password_sealed_b64 = Some(sealed)),
        Err(e) => tracing::error!(error = %e, "cannot seal the login password"),
    }
}

/// The login password of this session, if it was captured and still opens.
pub fn login_password(state: &AppState, session: &Session) -> Option<SecretString> {
    let sealed = session.data().login_password_sealed_b64?;
    state.services.sessions.open_secret(&sealed)
}
