//! Persistence of published CRLs, the responder credentials and the status lookups.

use async_trait::async_trait;

use crate::error::RepoResult;
use crate::ids::Serial;
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

#[async_trait]
pub trait RevocationRepo: Send + Sync {
    /// Counts of certificates and of revoked certificates.
    async fn status_marker(&self) -> RepoResult<StatusMarker>;
    /// Revoked certificates whose validity had not ended by `since` (the CRL drops a
    /// certificate once it has appeared on a CRL issued after its expiry), in issuance order.
    async fn revoked_entries(&self, since: i64) -> RepoResult<Vec<RevokedEntry>>;
    /// The status of a serial of the issuing CA.
    async fn certificate_status(&self, serial: &Serial) -> RepoResult<CertStatus>;
    /// Takes the next cRLNumber: one atomic increment shared by every node.
    async fn next_crl_number(&self) -> RepoResult<i64>;
    /// Stores a signed CRL.
    async fn store_crl(&self, crl: &PublishedCrl) -> RepoResult<()>;
    /// The CRL with the highest number, if any was signed.
    async fn latest_crl(&self) -> RepoResult<Option<PublishedCrl>>;
    /// Drops CRLs older than the newest `keep`.
    async fn prune_crls(&self, keep: i64) -> RepoResult<()>;
    /// The newest responder credentials.
    async fn latest_responder(&self) -> RepoResult<Option<StoredResponder>>;
    async fn store_responder(
        &self,
        cert_der: &[u8],
        sealed_key: &[u8],
        not_after: i64,
        at: i64,
    ) -> RepoResult<i64>;
}
