//! Certificate policy OIDs, one per certificate kind, so that a relying service can tell a
//! 介護DX証明書 from a 介護保険証明書 by looking at the certificate alone.
//!
//! **The arc is a placeholder.** `1.3.6.1.4.1.99999` stands where the IANA Private Enterprise
//! Number of the operator (国保中央会) must go before production. Below it:
//!
//! | OID | meaning |
//! |---|---|
//! | `{arc}.1` | kaigo-pki |
//! | `{arc}.1.1` | certificate policies of e-seikyuu CA |
//! | `{arc}.1.1.1` | 介護保険証明書 (KaigoHoken) |
//! | `{arc}.1.1.2` | 介護DX証明書 (KaigoDx) |
//!
//! Changing the arc changes what relying services must look for; do it once, before the first
//! production certificate.

use kaigo_core::certificate::CertKind;
use rcgen::CustomExtension;

use crate::der;

/// id-ce-certificatePolicies.
pub const OID_CERTIFICATE_POLICIES: &[u64] = &[2, 5, 29, 32];

/// Placeholder enterprise number; see the module documentation.
pub const PLACEHOLDER_ENTERPRISE_NUMBER: u64 = 99999;

/// Policy of the 介護保険証明書.
pub const POLICY_KAIGO_HOKEN: &[u64] = &[1, 3, 6, 1, 4, 1, PLACEHOLDER_ENTERPRISE_NUMBER, 1, 1, 1];
/// Policy of the 介護DX証明書.
pub const POLICY_KAIGO_DX: &[u64] = &[1, 3, 6, 1, 4, 1, PLACEHOLDER_ENTERPRISE_NUMBER, 1, 1, 2];

/// Every policy the issuing CA may assert.
pub const ALL_POLICIES: [&[u64]; 2] = [POLICY_KAIGO_HOKEN, POLICY_KAIGO_DX];

/// The policy OID of a certificate kind.
pub fn policy_oid(kind: CertKind) -> &'static [u64] {
    match kind {
        CertKind::KaigoHoken => POLICY_KAIGO_HOKEN,
        CertKind::KaigoDx => POLICY_KAIGO_DX,
    }
}

/// The policy OID of a kind in dotted form, as parsers print it.
pub fn policy_oid_string(kind: CertKind) -> String {
    der::oid_string(policy_oid(kind))
}

/// The kind a policy OID (dotted) stands for, for relying services reading a certificate.
pub fn kind_for_policy(dotted: &str) -> Option<CertKind> {
    [CertKind::KaigoHoken, CertKind::KaigoDx]
        .into_iter()
        .find(|k| policy_oid_string(*k) == dotted)
}

/// certificatePolicies with bare policy identifiers. No qualifiers: there is no published
/// CPS URL yet, and user notices are ignored by the clients that matter here.
pub fn certificate_policies(policies: &[&[u64]]) -> CustomExtension {
    let infos: Vec<Vec<u8>> = policies
        .iter()
        .map(|p| der::sequence(&[&der::oid(p)]))
        .collect();
    let refs: Vec<&[u8]> = infos.iter().map(Vec::as_slice).collect();
    CustomExtension::from_oid_content(OID_CERTIFICATE_POLICIES, der::sequence(&refs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_distinct_policies() {
        assert_ne!(
            policy_oid(CertKind::KaigoHoken),
            policy_oid(CertKind::KaigoDx)
        );
        assert_eq!(
            policy_oid_string(CertKind::KaigoDx),
            "1.3.6.1.4.1.99999.1.1.2"
        );
        assert_eq!(
            kind_for_policy("1.3.6.1.4.1.99999.1.1.1"),
            Some(CertKind::KaigoHoken)
        );
        assert_eq!(kind_for_policy("2.5.29.32.0"), None);
    }

    #[test]
    fn encoding() {
        let ext = certificate_policies(&[&[1, 2, 3]]);
        assert!(!ext.criticality());
        assert_eq!(
            ext.content(),
            [0x30, 0x06, 0x30, 0x04, 0x06, 0x02, 0x2a, 0x03]
        );
    }
}
