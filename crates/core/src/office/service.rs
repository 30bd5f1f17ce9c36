//! The console's office administration, scoped by [`AdminActor`]. Its use cases live beside
//! it: the office pages in `console.rs`, registration in `register.rs`, the CSV import in
//! `import.rs`, the sealed letters in `letters.rs`.
//!
//! Scope: an office belongs to the prefecture stored with it. A federation admin registers
//! only in its own prefecture and reaches only offices of it; everything else answers
//! `NotFound`, exactly like an office that does not exist.

use std::sync::Arc;

use crate::admin::AdminActor;
use crate::deps::Deps;
use crate::error::{CoreError, CoreResult};
use crate::ids::OfficeId;
use crate::office::Office;

/// Offices per page of the console list.
pub const PAGE_SIZE: i64 = 50;

#[derive(Clone)]
pub struct AdminOfficeService {
    pub(crate) deps: Arc<Deps>,
}

impl AdminOfficeService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }
}

impl Deps {
    /// One office, if it exists and the admin covers its prefecture; otherwise `NotFound`, so
    /// that another prefecture's office looks like a missing one. Every console service that
    /// takes an office id goes through here.
    pub(crate) async fn office_in_scope(
        &self,
        actor: &AdminActor,
        id: OfficeId,
    ) -> CoreResult<Office> {
        let office = self
            .store
            .office_by_id(id)
            .await?
            .ok_or(CoreError::NotFound)?;
        actor.role.ensure_covers(office.prefecture)?;
        Ok(office)
    }
}
