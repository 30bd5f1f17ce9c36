//! Publishing the CRL of the issuing CA: signed when a revocation is missing from the newest
//! one or when its nextUpdate comes near, stored in the database so that every node serves
//! the same bytes.

use std::sync::Arc;

use crate::audit::AuditAction;
use crate::deps::Deps;
use crate::error::{CoreError, CoreResult, PkiError};
use crate::ids::CaGeneration;
use crate::revocation::pki::CrlContent;
use crate::revocation::{PublishedCrl, StatusMarker};

/// CRLs kept in the database besides the newest (for an operator who compares).
const CRLS_KEPT: i64 = 20;
/// How long a node may hold the turn to publish a CRL; signing takes well under a second, so
/// a node that died holding it delays the next CRL by at most this.
const CRL_TURN_SECONDS: i64 = 60;

#[derive(Clone)]
pub struct CrlService {
    deps: Arc<Deps>,
}

/// Why a CRL is due, for the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrlDue {
    NoneYet,
    NewRevocation,
    NextUpdateNear,
}

impl CrlService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// The newest CRL of `generation`, as served at the URL in its certificates.
    pub async fn latest(&self, generation: CaGeneration) -> CoreResult<Option<PublishedCrl>> {
        Ok(self.deps.store.latest_crl(generation).await?)
    }

    /// The current counts of certificates and revocations.
    pub async fn marker(&self) -> CoreResult<StatusMarker> {
        Ok(self.deps.store.status_marker().await?)
    }

    /// Whether a new CRL is due given the current counts.
    pub fn due(
        &self,
        latest: Option<&PublishedCrl>,
        marker: StatusMarker,
        now: i64,
    ) -> Option<CrlDue> {
        let rules = &self.deps.settings.revocation;
        match latest {
            None => Some(CrlDue::NoneYet),
            Some(crl) if crl.covered != marker.revoked => Some(CrlDue::NewRevocation),
            Some(crl) if now >= crl.next_update - rules.crl_resign_before_seconds => {
                Some(CrlDue::NextUpdateNear)
            }
            Some(_) => None,
        }
    }

    /// Signs and stores a new CRL for each generation whose CRL is due; returns those it
    /// signed. A generation that fails does not hold up the others.
    pub async fn publish_if_due(&self, marker: StatusMarker) -> CoreResult<Vec<PublishedCrl>> {
        let mut signed = Vec::new();
        let mut failed = None;
        for generation in self.deps.status.generations() {
            match self.publish_generation_if_due(generation, marker).await {
                Ok(Some(crl)) => signed.push(crl),
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(%generation, error = %e, "CRL publication failed");
                    failed = Some(e);
                }
            }
        }
        match failed {
            Some(e) if signed.is_empty() => Err(e),
            _ => Ok(signed),
        }
    }

    async fn publish_generation_if_due(
        &self,
        generation: CaGeneration,
        marker: StatusMarker,
    ) -> CoreResult<Option<PublishedCrl>> {
        let now = self.deps.clock.unix();
        let latest = self.deps.store.latest_crl(generation).await?;
        if self.due(latest.as_ref(), marker, now).is_none() {
            return Ok(None);
        }
        // One node signs per change: take the turn, then look again, since the node that
        // held it may just have published this very change.
        let store = &self.deps.store;
        if !store
            .take_crl_turn(generation, now, now + CRL_TURN_SECONDS)
            .await?
        {
            return Ok(None);
        }
        let published = async {
            let latest = store.latest_crl(generation).await?;
            match self.due(latest.as_ref(), marker, now) {
                Some(why) => Ok(Some((why, self.publish(generation, marker, now).await?))),
                None => Ok::<_, CoreError>(None),
            }
        }
        .await;
        if let Err(e) = store.release_crl_turn(generation).await {
            tracing::warn!(%generation, error = %e, "CRL turn not released; it lapses by itself");
        }
        let Some((why, crl)) = published? else {
            return Ok(None);
        };
        tracing::info!(%generation, number = crl.number, entries = crl.entries, reason = ?why, "CRL published");
        Ok(Some(crl))
    }

    /// Signs and stores a new CRL of `generation` now. `marker` must have been read before the
    /// entries, so that a revocation racing with this CRL makes the next check sign again.
    pub async fn publish(
        &self,
        generation: CaGeneration,
        marker: StatusMarker,
        now: i64,
    ) -> CoreResult<PublishedCrl> {
        let rules = &self.deps.settings.revocation;
        let number = self.deps.store.next_crl_number(generation).await?;
        // RFC 5280 §3.3: an entry stays until it has been on one regular CRL issued after the
        // certificate expired, i.e. while it expired less than a CRL lifetime ago.
        let entries = self
            .deps
            .store
            .revoked_entries(generation, now - rules.crl_validity_seconds)
            .await?;
        let content = CrlContent {
            number,
            this_update: now,
            next_update: now + rules.crl_validity_seconds,
            entries,
        };
        let status = self.deps.status.clone();
        let (der, content) = tokio::task::spawn_blocking(move || {
            status
                .sign_crl(generation, &content)
                .map(|der| (der, content))
        })
        .await
        .map_err(|e| CoreError::Pki(PkiError::Key(format!("CRL signing task: {e}"))))??;
        let crl = PublishedCrl {
            number,
            this_update: content.this_update,
            next_update: content.next_update,
            entries: content.entries.len() as i64,
            covered: marker.revoked,
            der,
        };
        self.deps.store.store_crl(generation, &crl).await?;
        self.deps.store.prune_crls(generation, CRLS_KEPT).await?;
        self.deps
            .audit(
                "system",
                AuditAction::CrlPublish,
                &format!("crl:{number}"),
                "system",
                &format!(
                    "issuer_generation={generation} entries={} next_update={}",
                    crl.entries, crl.next_update
                ),
            )
            .await;
        Ok(crl)
    }
}
