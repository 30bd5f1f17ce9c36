//! Readiness of a node: the database answers and the CA signer (key file or HSM token) can
//! sign. `/readyz` reports it, so a load balancer takes a node whose token failed out of
//! service instead of sending it applications that would fail.

use std::sync::Arc;

pub mod repo;

use crate::deps::Deps;

/// Each dependency, ok or why not (no secrets in the reasons).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readiness {
    pub database: Result<(), String>,
    pub signer: Result<(), String>,
}

impl Readiness {
    pub fn ready(&self) -> bool {
        self.database.is_ok() && self.signer.is_ok()
    }
}

#[derive(Clone)]
pub struct HealthService {
    deps: Arc<Deps>,
}

impl HealthService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    pub async fn readiness(&self) -> Readiness {
        let database = self.deps.store.ping().await.map_err(|e| e.to_string());
        let signer = self.deps.factory.signer_ready().map_err(|e| e.to_string());
        Readiness { database, signer }
    }
}
