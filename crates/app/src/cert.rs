//! `kaigo-pki cert list` and `kaigo-pki cert revoke`: the operator's view of issued
//! certificates from the command line (actor `cli`, all prefectures).

use kaigo_core::CoreError;
use kaigo_core::certificate::query::{CertState, CertificateListing};
use kaigo_core::certificate::revocation::RevocationReason;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::datadir::DataDir;
use crate::wiring;

fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// One certificate as `cert list --json` prints it.
pub fn to_json_value(c: &CertificateListing, now: i64) -> serde_json::Value {
    serde_json::json!({
        "serial": c.cert.serial.as_str(),
        "office": c.office_number.as_str(),
        "user_id": c.user_id.as_str(),
        "kind": c.cert.kind.code(),
        "status": CertState::of(&c.cert, now).code(),
        "not_before": rfc3339(c.cert.not_before),
        "not_after": rfc3339(c.cert.not_after),
        "revoked_at": c.cert.revoked_at.map(rfc3339),
        "reason": c.cert.revocation_reason.map(|r| r.name()),
    })
}

/// The certificates (of one office), newest first, as a JSON array.
pub async fn list(dir: &DataDir, office: Option<&str>) -> anyhow::Result<serde_json::Value> {
    let app = wiring::open(dir, false).await?;
    let service = &app.services.admin_certs;
    let result = service.list_all(office).await;
    let now = service.now();
    app.store.close().await;
    let rows = result.map_err(|e| match e {
        CoreError::Validation(v) => anyhow::anyhow!("{}", v.message),
        other => anyhow::anyhow!("cannot list certificates: {other}"),
    })?;
    Ok(serde_json::Value::Array(
        rows.iter().map(|c| to_json_value(c, now)).collect(),
    ))
}

/// Revokes the certificate with this serial; returns it as revoked.
pub async fn revoke(
    dir: &DataDir,
    serial: &str,
    reason: &str,
    invalidity_date: &str,
) -> anyhow::Result<serde_json::Value> {
    let names: Vec<&str> = RevocationReason::selectable().map(|r| r.name()).collect();
    match RevocationReason::from_name(reason.trim()) {
        None => anyhow::bail!(
            "unknown revocation reason {reason:?}: use one of {}",
            names.join(", ")
        ),
        Some(r) if !r.allowed() => {
            anyhow::bail!("certificateHold is not supported: a revocation here is final")
        }
        Some(_) => {}
    }
    let app = wiring::open(dir, false).await?;
    let service = &app.services.admin_certs;
    let result = service
        .revoke_by_serial(serial, reason, invalidity_date)
        .await;
    let now = service.now();
    app.store.close().await;
    match result {
        Ok(c) => Ok(to_json_value(&c, now)),
        Err(CoreError::NotFound) => anyhow::bail!("no certificate with serial {serial}"),
        Err(CoreError::Validation(v)) if v.field == "serial" => {
            anyhow::bail!("the serial must be hexadecimal (got {serial:?})")
        }
        Err(CoreError::Validation(v)) if v.field == "invalidity_date" => {
            anyhow::bail!(
                "--invalidity-date must be a date not after today, e.g. 2026-11-27 (got {invalidity_date:?})"
            )
        }
        Err(CoreError::Refused(_)) => {
            anyhow::bail!("certificate {serial} is already revoked")
        }
        Err(other) => anyhow::bail!("revocation failed: {other}"),
    }
}
