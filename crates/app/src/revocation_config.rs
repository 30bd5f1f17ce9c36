//! The `[revocation]` section: how often the CRL and the OCSP answers are re-signed, and how
//! quickly a revocation reaches them.

use serde::{Deserialize, Serialize};

use kaigo_core::revocation::RevocationSettings;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RevocationConfig {
    /// nextUpdate of a CRL, hours after its thisUpdate.
    pub crl_validity_hours: i64,
    /// A CRL is re-signed when less than this many hours remain before its nextUpdate.
    pub crl_resign_before_hours: i64,
    /// Seconds between checks for new revocations (each node). A revocation is in the CRL
    /// and in OCSP answers within about this time.
    pub check_seconds: u64,
    /// nextUpdate of an OCSP answer, minutes after its thisUpdate.
    pub ocsp_validity_minutes: i64,
    /// A cached OCSP answer is re-signed after this many minutes (and at once on a change).
    pub ocsp_refresh_minutes: i64,
    /// Validity of the delegated OCSP responder certificate, days.
    pub responder_validity_days: i64,
    /// The responder certificate is renewed when fewer days than this remain.
    pub responder_renew_days: i64,
}

impl Default for RevocationConfig {
    fn default() -> Self {
        let d = RevocationSettings::default();
        Self {
            crl_validity_hours: d.crl_validity_seconds / 3600,
            crl_resign_before_hours: d.crl_resign_before_seconds / 3600,
            check_seconds: 2,
            ocsp_validity_minutes: d.ocsp_validity_seconds / 60,
            ocsp_refresh_minutes: d.ocsp_refresh_seconds / 60,
            responder_validity_days: d.responder_validity_days,
            responder_renew_days: d.responder_renew_days,
        }
    }
}

impl RevocationConfig {
    pub fn settings(&self) -> RevocationSettings {
        RevocationSettings {
            crl_validity_seconds: self.crl_validity_hours.saturating_mul(3600),
            crl_resign_before_seconds: self.crl_resign_before_hours.saturating_mul(3600),
            ocsp_validity_seconds: self.ocsp_validity_minutes.saturating_mul(60),
            ocsp_refresh_seconds: self.ocsp_refresh_minutes.saturating_mul(60),
            responder_validity_days: self.responder_validity_days,
            responder_renew_days: self.responder_renew_days,
        }
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        if !(1..=60).contains(&self.check_seconds) {
            anyhow::bail!("revocation.check_seconds must be between 1 and 60");
        }
        self.settings()
            .validate()
            .map_err(|e| anyhow::anyhow!("revocation: {e}"))
    }
}
