//! One form submission, one effect. A form carries a one-time token; the first request that
//! claims it in the database does the work and records its result, and every other request
//! with the same token — a double click, a reload, or a script sending it ten times at once —
//! gets that result instead of doing the work again. The claim is a primary-key insert, so
//! it holds across parallel requests and across nodes sharing the database.

pub mod repo;

use sha2::{Digest, Sha256};

use crate::deps::Deps;
use crate::error::CoreResult;

/// What a claim found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This request does the work; call [`Deps::finish_once`] or [`Deps::release_once`].
    First(SubmissionKey),
    /// Another request did (or is doing) it; its result, if recorded yet.
    Repeated(Option<i64>),
}

/// The stored key of a submission: a hash of the purpose, the office and the form token, so
/// that the token itself is not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmissionKey([u8; 32]);

impl SubmissionKey {
    pub fn new(purpose: &str, owner: i64, token: &str) -> Self {
        let mut h = Sha256::new();
        h.update(purpose.as_bytes());
        h.update([0]);
        h.update(owner.to_be_bytes());
        h.update(token.as_bytes());
        Self(h.finalize().into())
    }

    fn hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl Deps {
    /// Claims a form submission; see the module documentation.
    pub(crate) async fn claim_once(&self, key: SubmissionKey) -> CoreResult<Claim> {
        let now = self.clock.unix();
        if self.store.claim_submission(&key.hex(), now).await? {
            return Ok(Claim::First(key));
        }
        let result = self.store.submission_result(&key.hex()).await?;
        Ok(Claim::Repeated(result.flatten()))
    }

    pub(crate) async fn finish_once(&self, key: SubmissionKey, result: i64) -> CoreResult<()> {
        Ok(self.store.finish_submission(&key.hex(), result).await?)
    }

    /// The work failed: the same form may be sent again.
    pub(crate) async fn release_once(&self, key: SubmissionKey) -> CoreResult<()> {
        Ok(self.store.release_submission(&key.hex()).await?)
    }
}
