//! The delegated OCSP responder: a short-lived certificate with id-kp-OCSPSigning that the
//! issuing CA issues and renews by itself. The key is sealed under the server key and stored
//! with the certificate, so every node signs with the same responder.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use time::OffsetDateTime;

use crate::audit::AuditAction;
use crate::deps::Deps;
use crate::error::{CoreError, CoreResult, PkiError};
use crate::ids::CaGeneration;
use crate::revocation::pki::OcspSigner;

#[derive(Clone)]
struct Loaded {
    id: i64,
    not_after: i64,
    signer: Arc<dyn OcspSigner>,
}

/// A responder certificate just issued.
#[derive(Clone, Debug)]
pub struct IssuedResponder {
    pub id: i64,
    pub generation: CaGeneration,
    pub cert_der: Vec<u8>,
    pub not_after: i64,
}

#[derive(Clone)]
pub struct ResponderKeys {
    deps: Arc<Deps>,
    /// The responder in use for each issuing CA generation.
    loaded: Arc<Mutex<HashMap<CaGeneration, Loaded>>>,
    /// One renewal at a time on this node (requests and the poll loop share it). Two nodes
    /// may still renew at once; each stores a valid responder and the newest is used.
    renewing: Arc<tokio::sync::Mutex<()>>,
}

impl ResponderKeys {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self {
            deps,
            loaded: Arc::new(Mutex::new(HashMap::new())),
            renewing: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    fn renew_at(&self, not_after: i64) -> i64 {
        not_after - self.deps.settings.revocation.responder_renew_days * 86_400
    }

    /// Whether a responder ending at `not_after` should be replaced at `now`: in its renewal
    /// window, unless it already lasts as long as its issuing CA (in the CA's last days a new
    /// one could not last longer, so renewing would only make keys).
    fn due(&self, generation: CaGeneration, not_after: i64, now: i64) -> bool {
        now >= self.renew_at(not_after)
            && !self
                .deps
                .status
                .generation_end(generation)
                .is_some_and(|end| not_after >= end && now < not_after)
    }

    /// The responder to sign with for certificates of `generation`: the loaded one while it
    /// is not due for renewal, else the newest stored one, else a new one issued now.
    pub async fn current(&self, generation: CaGeneration) -> CoreResult<Arc<dyn OcspSigner>> {
        let now = self.deps.clock.unix();
        if let Some(l) = self.cached(generation)
            && !self.due(generation, l.not_after, now)
        {
            return Ok(l.signer);
        }
        Ok(self.refresh(generation, now).await?.signer)
    }

    fn cached(&self, generation: CaGeneration) -> Option<Loaded> {
        self.loaded
            .lock()
            .ok()
            .and_then(|g| g.get(&generation).cloned())
    }

    /// Loads the newest stored responder, issuing a new one when none is stored or the
    /// newest is due for renewal. Two nodes renewing at once both store one; either works.
    /// A renewal that fails leaves the current responder in use while it is still valid:
    /// OCSP keeps answering, and the next pass tries again.
    async fn refresh(&self, generation: CaGeneration, now: i64) -> CoreResult<Loaded> {
        let _one = self.renewing.lock().await;
        let stored = self.deps.store.latest_responder(generation).await?;
        let stored = match stored {
            Some(s) if !self.due(generation, s.not_after, now) => s,
            current => match self.issue(generation, now, "system").await {
                Ok(_) => self
                    .deps
                    .store
                    .latest_responder(generation)
                    .await?
                    .ok_or_else(|| PkiError::Key("responder vanished after storing".into()))?,
                Err(e) => match current {
                    Some(s) if now < s.not_after => {
                        tracing::error!(error = %e, not_after = s.not_after, "OCSP responder renewal failed; the current one stays in use");
                        s
                    }
                    _ => return Err(e),
                },
            },
        };
        if let Some(l) = self.cached(generation)
            && l.id == stored.id
        {
            return Ok(l);
        }
        let key = self.deps.sealer.open(&stored.sealed_key)?;
        let signer = self
            .deps
            .status
            .load_responder(generation, &stored.cert_der, &key)?;
        let loaded = Loaded {
            id: stored.id,
            not_after: stored.not_after,
            signer,
        };
        if let Ok(mut g) = self.loaded.lock() {
            g.insert(generation, loaded.clone());
        }
        Ok(loaded)
    }

    /// Issues a new responder certificate now, whatever the current one's age (the
    /// operator's ceremony step). Every node moves to it at its next renewal check or
    /// restart; until then the previous one, still valid, keeps answering.
    pub async fn issue_now(
        &self,
        generation: CaGeneration,
        actor: &str,
    ) -> CoreResult<IssuedResponder> {
        let _one = self.renewing.lock().await;
        self.issue(generation, self.deps.clock.unix(), actor).await
    }

    async fn issue(
        &self,
        generation: CaGeneration,
        now: i64,
        actor: &str,
    ) -> CoreResult<IssuedResponder> {
        let days = self.deps.settings.revocation.responder_validity_days;
        let not_before = OffsetDateTime::from_unix_timestamp(now - 300)
            .map_err(|e| PkiError::Certificate(e.to_string()))?;
        let not_after = not_before + time::Duration::days(days);
        let status = self.deps.status.clone();
        let fresh = tokio::task::spawn_blocking(move || {
            status.new_responder(generation, not_before, not_after)
        })
        .await
        .map_err(|e| CoreError::Pki(PkiError::Key(format!("responder task: {e}"))))??;
        let sealed = self.deps.sealer.seal(&fresh.key_pkcs8)?;
        let id = self
            .deps
            .store
            .store_responder(generation, &fresh.cert_der, &sealed, fresh.not_after, now)
            .await?;
        tracing::info!(
            id,
            not_after = fresh.not_after,
            "OCSP responder certificate issued"
        );
        self.deps
            .audit(
                actor,
                AuditAction::OcspResponderIssue,
                &format!("ocsp_responder:{id}"),
                "system",
                &format!(
                    "issuer_generation={generation} not_after={}",
                    fresh.not_after
                ),
            )
            .await;
        Ok(IssuedResponder {
            id,
            generation,
            cert_der: fresh.cert_der,
            not_after: fresh.not_after,
        })
    }

    /// Destroys the keys of responders whose certificates have ended (in the token, where
    /// they would pile up at one every few weeks) and forgets their sealed copies. Any node
    /// may do it; doing it twice is harmless. Returns how many it retired.
    pub async fn retire_expired(&self) -> CoreResult<usize> {
        let now = self.deps.clock.unix();
        let expired = self.deps.store.expired_responders(now).await?;
        let mut retired = 0;
        for (id, sealed) in expired {
            // One responder that cannot be retired does not keep the others from it.
            match self.retire_one(id, &sealed, now).await {
                Ok(true) => retired += 1,
                Ok(false) => {}
                Err(e) => tracing::error!(id, error = %e, "retiring an OCSP responder key failed"),
            }
        }
        Ok(retired)
    }

    /// Destroys one ended responder's key and forgets it; `false` when another node did first.
    async fn retire_one(&self, id: i64, sealed: &[u8], now: i64) -> CoreResult<bool> {
        let key = self.deps.sealer.open(sealed)?;
        let status = self.deps.status.clone();
        tokio::task::spawn_blocking(move || status.destroy_responder_key(&key))
            .await
            .map_err(|e| CoreError::Pki(PkiError::Key(format!("responder task: {e}"))))??;
        if !self.deps.store.retire_responder(id, now).await? {
            return Ok(false);
        }
        self.deps
            .audit(
                "system",
                AuditAction::OcspResponderRetire,
                &format!("ocsp_responder:{id}"),
                "system",
                "certificate ended; key destroyed in the token if it was there, sealed copy forgotten",
            )
            .await;
        Ok(true)
    }

    /// Issues a responder for each publishing generation that has no current one (at start,
    /// so the first request is fast, and on every pass of the publisher), and retires the
    /// keys of ended ones.
    pub async fn ensure(&self) -> CoreResult<()> {
        if let Err(e) = self.retire_expired().await {
            tracing::error!(error = %e, "retiring expired OCSP responder keys failed");
        }
        let mut failed = None;
        for generation in self.deps.status.generations() {
            if let Err(e) = self.current(generation).await {
                tracing::error!(%generation, error = %e, "OCSP responder unavailable");
                failed = Some(e);
            }
        }
        failed.map_or(Ok(()), Err)
    }
}
