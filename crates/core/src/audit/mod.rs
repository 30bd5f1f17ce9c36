//! The audit trail: one record per security-relevant event, chained by hash in the store.

pub mod repo;
pub mod search;
pub mod service;

/// One security-relevant event. The store chains each entry to the previous one by hash, so
/// that a removed or altered entry is detectable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    pub at: i64,
    /// Who: a user ID, `system`, or `cli`.
    pub actor: String,
    /// What: e.g. `login.success`, `application.submit`, `certificate.download`.
    pub action: String,
    /// On which object, e.g. `office:12`, `certificate:ab12…`.
    pub object: String,
    /// From where: a client IP address, or empty.
    pub source: String,
    pub detail: String,
}
