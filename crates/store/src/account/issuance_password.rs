//! Replacing an office's issuance password hash.

use async_trait::async_trait;
use kaigo_core::RepoError;
use kaigo_core::account::repo::IssuancePasswordRepo;
use kaigo_core::error::RepoResult;
use kaigo_core::ids::{NoticeId, OfficeId};
use kaigo_core::notice::NewNotice;
use kaigo_core::notice::attachment::NewAttachment;

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

    async fn reissue_issuance_password(
        &self,
        office_id: OfficeId,
        hash: &str,
        notice: &NewNotice,
        attachments: &[NewAttachment],
    ) -> RepoResult<NoticeId> {
        let err = repo_err("reissue issuance password");
        let mut tx = self.begin_write().await.map_err(&err)?;
        let done = sqlx::query("UPDATE offices SET issuance_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(office_id.0)
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
        if done.rows_affected() == 0 {
            return Err(RepoError::NotFound);
        }
        let id = crate::notice::search::insert_notice_and_attachments(&mut tx, notice, attachments)
            .await
            .map_err(&err)?;
        tx.commit().await.map_err(&err)?;
        Ok(id)
    }
}
