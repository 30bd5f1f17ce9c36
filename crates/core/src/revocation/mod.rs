//! Revocation as relying parties see it: the CRL that e-seikyuu CA publishes at the URL its
//! certificates name, and the OCSP responder at the AIA URL.
//!
//! * [`crl::CrlService`] signs a new CRL when a revocation is not yet on the published one or
//!   when nextUpdate comes near; every node serves the newest one from the database.
//! * [`responder::ResponderKeys`] keeps a delegated OCSP responder certificate current (the CA
//!   issues and renews it by itself; the key is sealed in the database so every node has it).
//! * [`ocsp::OcspService`] answers requests from a cache of signed responses that is dropped
//!   whenever the certificates change, so it signs only on a miss.
//!
//! The ASN.1 lives behind [`pki::StatusSigner`], implemented by `kaigo-ca`.

pub mod crl;
pub mod ocsp;
pub mod pki;
pub mod repo;
pub mod responder;

use crate::certificate::revocation::RevocationReason;
use crate::ids::Serial;

/// One entry of the CRL: a revoked certificate of the issuing CA.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokedEntry {
    pub serial: Serial,
    /// Unix seconds.
    pub revoked_at: i64,
    pub reason: RevocationReason,
    /// When the key is known or suspected to have been compromised (RFC 5280 §5.3.2), if
    /// the revoking admin said so.
    pub invalidity_at: Option<i64>,
}

/// A signed CRL as stored and served.
#[derive(Clone, Debug)]
pub struct PublishedCrl {
    /// The cRLNumber; grows with every CRL, whichever node signs it.
    pub number: i64,
    pub this_update: i64,
    pub next_update: i64,
    /// Entries listed.
    pub entries: i64,
    /// The revocation count this CRL covers ([`StatusMarker::revoked`] read before signing):
    /// a newer count means a revocation is missing from it.
    pub covered: i64,
    pub der: Vec<u8>,
}

/// Cheap fingerprint of the certificate table: when either count moves, a CRL may be due and
/// cached OCSP answers may be stale (a revocation, or a new certificate that was "unknown").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatusMarker {
    pub certificates: i64,
    pub revoked: i64,
}

/// A certificate's status as the responder states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertStatus {
    Good,
    Revoked {
        at: i64,
        reason: RevocationReason,
    },
    /// A serial this CA never issued.
    Unknown,
}

/// The timing of CRLs and OCSP answers. Defaults: a CRL lives 48 hours and is re-signed when
/// less than 24 remain (so daily, and at once after a revocation); an OCSP answer lives 4
/// hours and is re-signed after 1; the responder certificate lives 30 days and is renewed
/// when 10 remain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevocationSettings {
    pub crl_validity_seconds: i64,
    pub crl_resign_before_seconds: i64,
    pub ocsp_validity_seconds: i64,
    pub ocsp_refresh_seconds: i64,
    pub responder_validity_days: i64,
    pub responder_renew_days: i64,
}

impl Default for RevocationSettings {
    fn default() -> Self {
        Self {
            crl_validity_seconds: 48 * 3600,
            crl_resign_before_seconds: 24 * 3600,
            ocsp_validity_seconds: 4 * 3600,
            ocsp_refresh_seconds: 3600,
            responder_validity_days: 30,
            responder_renew_days: 10,
        }
    }
}

impl RevocationSettings {
    /// Names the first value that makes no sense.
    pub fn validate(&self) -> Result<(), String> {
        if self.crl_validity_seconds < 600 || self.crl_validity_seconds > 31 * 86_400 {
            return Err("crl_validity must be between 10 minutes and 31 days".into());
        }
        if self.crl_resign_before_seconds <= 0
            || self.crl_resign_before_seconds >= self.crl_validity_seconds
        {
            return Err("crl_resign_before must be positive and shorter than crl_validity".into());
        }
        if self.ocsp_validity_seconds < 300 || self.ocsp_validity_seconds > 7 * 86_400 {
            return Err("ocsp_validity must be between 5 minutes and 7 days".into());
        }
        if self.ocsp_refresh_seconds <= 0 || self.ocsp_refresh_seconds >= self.ocsp_validity_seconds
        {
            return Err("ocsp_refresh must be positive and shorter than ocsp_validity".into());
        }
        if !(2..=90).contains(&self.responder_validity_days)
            || self.responder_renew_days < 1
            || self.responder_renew_days >= self.responder_validity_days
        {
            return Err(
                "responder_validity_days must be 2..=90 and responder_renew_days 1..validity"
                    .into(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_nonsense_is_named() {
        assert_eq!(RevocationSettings::default().validate(), Ok(()));
        let bad = RevocationSettings {
            crl_resign_before_seconds: 48 * 3600,
            ..RevocationSettings::default()
        };
        assert!(bad.validate().unwrap_err().contains("crl_resign_before"));
        let bad = RevocationSettings {
            ocsp_refresh_seconds: 0,
            ..RevocationSettings::default()
        };
        assert!(bad.validate().unwrap_err().contains("ocsp_refresh"));
    }
}
