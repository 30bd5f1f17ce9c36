//! What the domain counts for operators, through the `metrics` facade (the binary installs a
//! Prometheus recorder; without one these calls cost nothing). The names live here, once, so
//! that docs/OPERATIONS.md and the dashboards have one list to follow.
//!
//! Labels are closed sets (an audit action, an outcome, a throttle kind), never a user ID or
//! any other value a client chooses, so the number of series stays bounded.

use crate::audit::AuditAction;

/// Every audited event, by action (`login.success`, `certificate.issue`, …).
pub const EVENTS: &str = "kaigo_audit_events_total";
/// Office logins by outcome: `success`, `failure`, `locked`, `inactive`.
pub const LOGINS: &str = "kaigo_logins_total";
/// Locks imposed by wrong passwords, by what was locked: `login`, `issuance`, `admin`, ….
pub const LOCKOUTS: &str = "kaigo_lockouts_total";
/// Seconds from an office's application to its certificate being stored.
pub const ISSUANCE_SECONDS: &str = "kaigo_issuance_seconds";
/// Applications whose issuance failed for good.
pub const ISSUANCE_FAILURES: &str = "kaigo_issuance_failures_total";
/// Mail handed to the transport, by result: `sent`, `retry`, `dead`.
pub const MAIL_DELIVERIES: &str = "kaigo_mail_deliveries_total";

pub(crate) fn event(action: AuditAction) {
    metrics::counter!(EVENTS, "action" => action.name()).increment(1);
}

pub(crate) fn login(outcome: &'static str) {
    metrics::counter!(LOGINS, "outcome" => outcome).increment(1);
}

/// `key` is a throttle key such as `login:K0000001`; only its kind before the colon is kept.
pub(crate) fn lockout(key: &str) {
    let kind = match key.split_once(':').map(|(k, _)| k) {
        Some("login") => "login",
        Some("issuance") => "issuance",
        Some("admin") => "admin",
        Some("admin-code") => "admin_code",
        Some("reset") => "reset",
        _ => "other",
    };
    metrics::counter!(LOCKOUTS, "kind" => kind).increment(1);
}

pub(crate) fn issued(seconds_since_application: i64) {
    metrics::histogram!(ISSUANCE_SECONDS).record(seconds_since_application.max(0) as f64);
}

pub(crate) fn issuance_failed() {
    metrics::counter!(ISSUANCE_FAILURES).increment(1);
}

/// Called by the mail worker after each attempt.
pub fn mail_delivery(result: &'static str) {
    metrics::counter!(MAIL_DELIVERIES, "result" => result).increment(1);
}
