//! What guards an office account: lockout counters, sessions, the セキュリティメールアドレス and the 証明書発行用パスワード.

mod issuance_password;
mod security_mail;
pub(crate) mod sessions;
mod throttle;
