//! `kaigo-pki admin add`.

use kaigo_core::admin::login::AdminCredentials;
use kaigo_core::admin::{AdminLogin, AdminRole};
use secrecy::ExposeSecret;

use crate::datadir::DataDir;
use crate::wiring;

/// Validates the arguments (before touching the data dir) and creates the account.
pub async fn add(
    dir: &DataDir,
    login: &str,
    role: &str,
    prefecture: Option<&str>,
) -> anyhow::Result<AdminCredentials> {
    let login = AdminLogin::parse(login).map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let role = AdminRole::parse(role, prefecture).map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let app = wiring::open(dir, false).await?;
    let result = app
        .services
        .admin
        .add(login, role, &kaigo_core::actor::Actor::Cli)
        .await;
    app.store.close().await;
    result.map_err(|e| match e {
        kaigo_core::CoreError::Refused(m) => anyhow::anyhow!("{m}"),
        other => anyhow::anyhow!("cannot create the admin: {other}"),
    })
}

/// The new account as one JSON object (keys are part of the CLI contract).
pub fn to_json(c: &AdminCredentials) -> serde_json::Value {
    serde_json::json!({
        "login": c.admin.login.as_str(),
        "role": c.admin.role.code(),
        "prefecture": c.admin.role.prefecture().map(|p| p.to_string()),
        "password": c.password.expose_secret(),
        "totp_secret": c.totp_secret.expose_secret(),
        "otpauth_uri": c.otpauth_uri.expose_secret(),
    })
}

/// The otpauth URI as a QR code drawn with Unicode half blocks, for the terminal.
fn qr_text(uri: &str) -> String {
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(qr) => qr
            .render::<qrcode::render::unicode::Dense1x2>()
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

pub fn to_text(c: &AdminCredentials) -> String {
    format!(
        "Created admin {login} ({role}{pref})\n  password:    {password}\n  TOTP secret: {secret}\n  otpauth URI: {uri}\n{qr}\nThe password and the secret are shown only now, here: scan the QR code or type the secret into an authenticator app, then log in to /admin/login with a code from it. The login page never shows the secret.\n",
        qr = qr_text(c.otpauth_uri.expose_secret()),
        login = c.admin.login,
        role = c.admin.role.code(),
        pref = c
            .admin
            .role
            .prefecture()
            .map(|p| format!(", prefecture {p}"))
            .unwrap_or_default(),
        password = c.password.expose_secret(),
        secret = c.totp_secret.expose_secret(),
        uri = c.otpauth_uri.expose_secret(),
    )
}
