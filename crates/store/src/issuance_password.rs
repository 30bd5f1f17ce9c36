//! Replacing an office's issuance password hash.

use async_trait::async_trait;
use kaigo_core::RepoError;
use kaigo_core::ids::OfficeId;
use kaigo_core::repo::{IssuancePasswordRepo, RepoResult};

use crate::SqlStore;
use crate::error::repo_err;

#[async_trait]
impl IssuancePasswordRepo for SqlStore {
    async fn set_issuance_hash(&self, office_id: OfficeId, hash: &str) -> RepoResult<()> {
        let done = sqlx::query("UPDATE offices SET issuance_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(office_id.0)
            .execute(&self.pool)
            .await
            .map_err(repo_err("set issuance hash"))?;
        if done.rows_affected() == 0 {
            return Err(RepoError::NotFound);
        }
        Ok(())
    }
}
