//! Signed checkpoints of the audit trail, and verifying the whole trail against them. The
//! audit key is behind [`AuditSigner`] (a key file or a key in the HSM, made by kaigo-ca).

use std::sync::Arc;

use crate::audit::chain::{ChainReport, ChainWalk, Checkpoint, checkpoint_message};
use crate::deps::Deps;
use crate::error::{CoreResult, PkiError};

/// Records read per round while verifying or exporting.
pub const PAGE: i64 = 1000;

/// The dedicated key that signs checkpoints.
pub trait AuditSigner: Send + Sync {
    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, PkiError>;
    /// Whether `signature` over `message` was made by this key.
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool;
    /// The public key, PEM (SubjectPublicKeyInfo), for auditors.
    fn public_key_pem(&self) -> String;
}

#[derive(Clone)]
pub struct AuditCheckpoints {
    deps: Arc<Deps>,
}

impl AuditCheckpoints {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// Signs a checkpoint naming the newest record, unless the newest checkpoint already
    /// names it (or the trail is empty). Returns the new checkpoint.
    pub async fn checkpoint(&self, signer: &dyn AuditSigner) -> CoreResult<Option<Checkpoint>> {
        let store = &self.deps.store;
        let Some((last_id, last_hash)) = store.last_audit_record().await? else {
            return Ok(None);
        };
        let newest = store.newest_checkpointed_id().await?;
        if newest.is_some_and(|n| n >= last_id) {
            return Ok(None);
        }
        let at = self.deps.clock.unix();
        let signature = signer.sign(&checkpoint_message(last_id, &last_hash, at))?;
        let mut c = Checkpoint {
            id: 0,
            at,
            last_id,
            last_hash,
            signature,
        };
        c.id = store.add_audit_checkpoint(&c).await?;
        Ok(Some(c))
    }

    /// Walks every record and checkpoint; the report names the first thing found wrong.
    pub async fn verify(&self, signer: &dyn AuditSigner) -> CoreResult<ChainReport> {
        let store = &self.deps.store;
        let checkpoints = store.audit_checkpoints().await?;
        let mut walk = ChainWalk::new(checkpoints, &|c| {
            signer.verify(
                &checkpoint_message(c.last_id, &c.last_hash, c.at),
                &c.signature,
            )
        });
        let (mut after, mut unanchored) = (0i64, 0u64);
        while !walk.done() {
            let page = store.audit_records(after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for r in &page {
                walk.step(r);
                if r.id > walk.anchored_up_to() {
                    unanchored += 1;
                } else {
                    unanchored = 0;
                }
            }
        }
        Ok(walk.finish(unanchored))
    }

    /// Every checkpoint, oldest first (for an export).
    pub async fn checkpoints(&self) -> CoreResult<Vec<Checkpoint>> {
        Ok(self.deps.store.audit_checkpoints().await?)
    }

    /// Up to [`PAGE`] records after `after` (for an export).
    pub async fn records(&self, after: i64) -> CoreResult<Vec<crate::audit::chain::AuditRecord>> {
        Ok(self.deps.store.audit_records(after, PAGE).await?)
    }
}
