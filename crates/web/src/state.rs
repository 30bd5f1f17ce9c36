//! What every handler receives through axum's `State`.

use std::sync::Arc;

use kaigo_core::services::Services;
use tokio::sync::Notify;

/// Settings of the web layer.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Mark the session cookie `Secure` (when served over TLS or behind a TLS proxy).
    pub secure_cookies: bool,
    /// A session ends after this many seconds without a request.
    pub session_idle_seconds: i64,
    /// Where the 「証明書の確認」 page answers over HTTPS (with the client certificate), when
    /// the server has an HTTPS listener.
    pub check_url: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_idle_seconds: 30 * 60,
            check_url: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub config: Arc<WebConfig>,
    /// Wakes the issuance worker when an application arrives, so it need not wait for its poll.
    pub issuance_wakeup: Arc<Notify>,
}
