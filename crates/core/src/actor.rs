//! Who does something: an office, an admin of the console, the operator at the CLI, or the
//! system itself (workers, sweeps). Services take an [`Actor`] where more than one of them
//! may act, and the audit trail names it the same way whatever the path.

use crate::admin::{AdminActor, AdminRole};
use crate::ids::UserId;

#[derive(Clone, Debug)]
pub enum Actor {
    /// A logged-in office, with its client address.
    Office { user_id: UserId, source: String },
    /// An admin of the console, with its client address.
    Admin(AdminActor),
    /// The operator at the command line (full scope).
    Cli,
    /// The service itself: workers, sweeps, the demo set-up.
    System,
}

impl Actor {
    /// The audit trail's `actor`: the office's user ID, `admin:LOGIN`, `cli` or `system`.
    pub fn audit_name(&self) -> String {
        match self {
            Self::Office { user_id, .. } => user_id.to_string(),
            Self::Admin(a) => a.audit_name(),
            Self::Cli => "cli".to_owned(),
            Self::System => "system".to_owned(),
        }
    }

    /// The audit trail's `source`: the client address, or the kind of process.
    pub fn source(&self) -> &str {
        match self {
            Self::Office { source, .. } => source,
            Self::Admin(a) => &a.source,
            Self::Cli => "cli",
            Self::System => "system",
        }
    }

    /// The prefectures the actor reaches in the console's sense: the CLI and the system act
    /// with the central scope.
    pub fn scope(&self) -> AdminRole {
        match self {
            Self::Admin(a) => a.role,
            _ => AdminRole::Central,
        }
    }
}

impl From<AdminActor> for Actor {
    fn from(a: AdminActor) -> Self {
        Self::Admin(a)
    }
}

impl From<&AdminActor> for Actor {
    fn from(a: &AdminActor) -> Self {
        Self::Admin(a.clone())
    }
}
