//! An office's account: login and lockout, passwords, the セキュリティメールアドレス, recovery, and the
//! 証明書発行用パスワード.

pub mod issuance_password;
pub mod login;
pub mod password;
pub mod recovery;
pub mod repo;
pub mod security_address;
pub mod security_mail;
pub mod session;
pub mod throttle;
pub mod zip_protection;
