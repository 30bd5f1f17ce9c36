//! Searching the audit trail (central operators only).

use crate::audit::AuditEvent;

/// Search criteria; every set field narrows the result.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Exact actor, e.g. `KJ…`, `admin:central1`, `cli`, `system`.
    pub actor: Option<String>,
    /// Leading part of the action, e.g. `login.` or `admin.certificate`.
    pub action_prefix: Option<String>,
    /// Exact object, e.g. `office:12`, `certificate:ab12`.
    pub object: Option<String>,
    /// Exact source (client IP).
    pub source: Option<String>,
    /// `at` from / to, inclusive (Unix seconds).
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// One stored entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub event: AuditEvent,
}
