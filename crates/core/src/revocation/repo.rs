//! Persistence of published CRLs, the responder credentials and the status lookups.

use async_trait::async_trait;

use crate::error::RepoResult;
use crate::ids::{CaGeneration, Serial};
use crate::revocation::{CertStatus, PublishedCrl, RevokedEntry, StatusMarker};

/// The delegated OCSP responder as stored: its certificate and its key sealed under the
/// server key.
#[derive(Clone, Debug)]
pub struct StoredResponder {
    pub id: i64,
    pub cert_der: Vec<u8>,
    pub sealed_key: Vec<u8>,
    pub not_after: i64,
}

/// Every method is about the certificates, CRLs and responders of one issuing CA generation.
#[async_trait]
pub trait RevocationRepo: Send + Sync {
    /// Counts of certificates and of revoked certificates (all generations).
    async fn status_marker(&self) -> RepoResult<StatusMarker>;
    /// Revoked certificates of `generation` whose validity had not ended by `since` (the CRL
    /// drops a certificate once it has appeared on a CRL issued after its expiry), in
    /// issuance order.
    async fn revoked_entries(
        &self,
        generation: CaGeneration,
        since: i64,
    ) -> RepoResult<Vec<RevokedEntry>>;
    /// The status of a serial as issued by `generation` (unknown if another one issued it).
    async fn certificate_status(
        &self,
        generation: CaGeneration,
        serial: &Serial,
    ) -> RepoResult<CertStatus>;
    /// Takes the next cRLNumber of `generation`: one atomic increment shared by every node.
    async fn next_crl_number(&self, generation: CaGeneration) -> RepoResult<i64>;
    /// Takes the turn to publish `generation`'s CRL until `until`, unless another node holds
    /// it at `now`; `true` when this call took it.
    async fn take_crl_turn(
        &self,
        generation: CaGeneration,
        now: i64,
        until: i64,
    ) -> RepoResult<bool>;
    /// Gives the publication turn back.
    async fn release_crl_turn(&self, generation: CaGeneration) -> RepoResult<()>;
    /// Stores a signed CRL of `generation`.
    async fn store_crl(&self, generation: CaGeneration, crl: &PublishedCrl) -> RepoResult<()>;
    /// The CRL of `generation` with the highest number, if any was signed.
    async fn latest_crl(&self, generation: CaGeneration) -> RepoResult<Option<PublishedCrl>>;
    /// Drops CRLs of `generation` older than the newest `keep`.
    async fn prune_crls(&self, generation: CaGeneration, keep: i64) -> RepoResult<()>;
    /// The newest responder credentials certified by `generation`.
    async fn latest_responder(
        &self,
        generation: CaGeneration,
    ) -> RepoResult<Option<StoredResponder>>;
    /// Responders whose certificates ended before `now` and whose keys are not yet retired:
    /// (id, sealed key).
    async fn expired_responders(&self, now: i64) -> RepoResult<Vec<(i64, Vec<u8>)>>;
    /// Marks a responder's key retired at `at` and forgets its sealed key; `false` when it
    /// already was.
    async fn retire_responder(&self, id: i64, at: i64) -> RepoResult<bool>;
    async fn store_responder(
        &self,
        generation: CaGeneration,
        cert_der: &[u8],
        sealed_key: &[u8],
        not_after: i64,
        at: i64,
    ) -> RepoResult<i64>;
}
