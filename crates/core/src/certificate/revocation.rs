//! Why a certificate was revoked: the RFC 5280 CRLReason values, stored by their camelCase
//! name (the CRL and OCSP responder of the next issue map them to the codes).

/// RFC 5280 §5.3.1 CRLReason. `removeFromCRL` (8) is not a reason to revoke and is absent;
/// `certificateHold` (6) exists so that it can be named and refused: this CA has no holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RevocationReason {
    Unspecified,
    KeyCompromise,
    CaCompromise,
    AffiliationChanged,
    Superseded,
    CessationOfOperation,
    CertificateHold,
    PrivilegeWithdrawn,
    AaCompromise,
}

impl RevocationReason {
    pub const ALL: [Self; 9] = [
        Self::Unspecified,
        Self::KeyCompromise,
        Self::CaCompromise,
        Self::AffiliationChanged,
        Self::Superseded,
        Self::CessationOfOperation,
        Self::CertificateHold,
        Self::PrivilegeWithdrawn,
        Self::AaCompromise,
    ];

    /// The reasons an admin may choose (every one but `certificateHold`).
    pub fn selectable() -> impl Iterator<Item = Self> {
        Self::ALL.into_iter().filter(|r| r.allowed())
    }

    /// The RFC 5280 name, which is also the stored code.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Unspecified => "unspecified",
            Self::KeyCompromise => "keyCompromise",
            Self::CaCompromise => "cACompromise",
            Self::AffiliationChanged => "affiliationChanged",
            Self::Superseded => "superseded",
            Self::CessationOfOperation => "cessationOfOperation",
            Self::CertificateHold => "certificateHold",
            Self::PrivilegeWithdrawn => "privilegeWithdrawn",
            Self::AaCompromise => "aACompromise",
        }
    }

    /// The CRLReason enumeration value.
    pub fn code(self) -> u8 {
        match self {
            Self::Unspecified => 0,
            Self::KeyCompromise => 1,
            Self::CaCompromise => 2,
            Self::AffiliationChanged => 3,
            Self::Superseded => 4,
            Self::CessationOfOperation => 5,
            Self::CertificateHold => 6,
            Self::PrivilegeWithdrawn => 9,
            Self::AaCompromise => 10,
        }
    }

    /// Parses the RFC 5280 name exactly (as stored and as the CLI takes it).
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name() == s)
    }

    /// False for `certificateHold`: a revocation here is final.
    pub fn allowed(self) -> bool {
        self != Self::CertificateHold
    }

    /// The console's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Unspecified => "理由なし（unspecified）",
            Self::KeyCompromise => "秘密鍵の危殆化（keyCompromise）",
            Self::CaCompromise => "認証局の危殆化（cACompromise）",
            Self::AffiliationChanged => "所属・名称の変更（affiliationChanged）",
            Self::Superseded => "新しい証明書への切替（superseded）",
            Self::CessationOfOperation => "事業所の廃止（cessationOfOperation）",
            Self::CertificateHold => "一時停止（certificateHold）",
            Self::PrivilegeWithdrawn => "利用資格の取消（privilegeWithdrawn）",
            Self::AaCompromise => "属性認証局の危殆化（aACompromise）",
        }
    }

    /// The label of a stored code; unknown codes are shown as they are.
    pub fn label_of(stored: &str) -> String {
        Self::from_name(stored)
            .map(|r| r.label().to_owned())
            .unwrap_or_else(|| stored.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_follow_rfc5280() {
        let expected = [
            ("unspecified", 0),
            ("keyCompromise", 1),
            ("cACompromise", 2),
            ("affiliationChanged", 3),
            ("superseded", 4),
            ("cessationOfOperation", 5),
            ("certificateHold", 6),
            ("privilegeWithdrawn", 9),
            ("aACompromise", 10),
        ];
        for (name, code) in expected {
            let r = RevocationReason::from_name(name).unwrap();
            assert_eq!((r.name(), r.code()), (name, code));
        }
        assert_eq!(RevocationReason::from_name("KeyCompromise"), None);
        assert_eq!(RevocationReason::from_name("removeFromCRL"), None);
    }

    #[test]
    fn hold_is_not_selectable() {
        assert!(!RevocationReason::CertificateHold.allowed());
        assert!(RevocationReason::selectable().all(|r| r != RevocationReason::CertificateHold));
        assert_eq!(RevocationReason::selectable().count(), 8);
    }
}
