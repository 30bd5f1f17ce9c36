//! Browser sessions as the web layer keeps them (an office's or an admin's): the cookie and the
//! data's shape are the web's, the persistence and the sealing of a secret kept in a session
//! are here, so the web reaches neither the store nor the sealer directly.

use std::sync::Arc;

use secrecy::SecretString;

use crate::account::repo::SessionRecord;
use crate::certificate::apply::SealedPassword;
use crate::deps::Deps;
use crate::error::CoreResult;

#[derive(Clone)]
pub struct SessionService {
    deps: Arc<Deps>,
}

impl SessionService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// Now, by the service's clock (Unix seconds): the reference of every expiry.
    pub fn now(&self) -> i64 {
        self.deps.clock.unix()
    }

    /// The session of this token hash, if it exists and has not expired.
    pub async fn find(&self, token_hash: &str) -> CoreResult<Option<SessionRecord>> {
        Ok(self.deps.store.session(token_hash, self.now()).await?)
    }

    pub async fn insert(&self, record: &SessionRecord) -> CoreResult<()> {
        Ok(self.deps.store.insert_session(record).await?)
    }

    /// New data and a new expiry (the sliding idle timeout).
    pub async fn update(&self, token_hash: &str, data: &str, expires_at: i64) -> CoreResult<()> {
        Ok(self
            .deps
            .store
            .update_session(token_hash, data, expires_at)
            .await?)
    }

    pub async fn delete(&self, token_hash: &str) -> CoreResult<()> {
        Ok(self.deps.store.delete_session(token_hash).await?)
    }

    /// Seals a secret to be kept in a session (the login password, for the reissue's ZIP).
    pub fn seal_secret(&self, secret: &str) -> CoreResult<SealedPassword> {
        Ok(SealedPassword::seal(&*self.deps.sealer, secret)?)
    }

    /// The secret again, if it still opens under this server's key.
    pub fn open_secret(&self, sealed: &SealedPassword) -> Option<SecretString> {
        sealed.open(&*self.deps.sealer)
    }
}
