//! CA constraints, enforced before anything is signed. rcgen signs whatever it is given; these
//! checks make sure that what we sign would validate under RFC 5280 path processing, and that
//! a misconfigured key, an expired CA or a bad request is refused instead of producing a
//! certificate nobody can use.

use kaigo_core::error::PkiError;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use openssl::x509::X509;
use time::OffsetDateTime;

use crate::cert;
use crate::der;
use crate::signer::CaSigner;
use crate::validity::Validity;

/// anyPolicy: an issuer asserting it may issue under every policy.
const ANY_POLICY: &str = "2.5.29.32.0";

/// Smallest RSA modulus we sign for or with.
pub const MIN_RSA_BITS: usize = 2048;

/// The facts about an issuing certificate that decide what it may sign.
#[derive(Clone, Debug)]
pub(crate) struct IssuerFacts {
    pub der: Vec<u8>,
    subject_raw: Vec<u8>,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    path_len: Option<u32>,
    /// Dotted OIDs of certificatePolicies; `None` when the issuer has no such extension.
    policies: Option<Vec<String>>,
    public_key: Vec<u8>,
    key_id: Option<Vec<u8>>,
}

/// What is about to be signed.
#[derive(Clone, Debug)]
pub(crate) struct Planned<'a> {
    pub is_ca: bool,
    pub validity: Validity,
    pub policies: &'a [&'a [u64]],
    pub key_bits: usize,
}

impl IssuerFacts {
    /// Reads an issuer certificate; refuses one that is not a CA allowed to sign certificates.
    pub(crate) fn from_der(der: &[u8]) -> Result<Self, PkiError> {
        let c = cert::parse(der)?;
        let bc = c
            .basic_constraints()
            .map_err(|e| PkiError::Certificate(format!("issuer basicConstraints: {e}")))?
            .ok_or_else(|| {
                PkiError::Policy("issuer has no basicConstraints: it is not a CA".into())
            })?;
        if !bc.value.ca {
            return Err(PkiError::Policy(
                "issuer basicConstraints has cA=false: it is not a CA".into(),
            ));
        }
        let ku = c
            .key_usage()
            .map_err(|e| PkiError::Certificate(format!("issuer keyUsage: {e}")))?
            .ok_or_else(|| PkiError::Policy("issuer has no keyUsage".into()))?;
        if !ku.value.key_cert_sign() {
            return Err(PkiError::Policy("issuer keyUsage lacks keyCertSign".into()));
        }
        Ok(Self {
            der: der.to_vec(),
            subject_raw: c.tbs_certificate.subject.as_raw().to_vec(),
            not_before: c.validity().not_before.to_datetime(),
            not_after: c.validity().not_after.to_datetime(),
            path_len: bc.value.path_len_constraint,
            policies: cert::policies(&c),
            public_key: c.public_key().subject_public_key.data.to_vec(),
            key_id: cert::subject_key_id(&c),
        })
    }

    /// The issuer's subject Name, DER (what an OCSP CertID's issuerNameHash hashes).
    pub(crate) fn subject_raw(&self) -> &[u8] {
        &self.subject_raw
    }

    /// The issuer's subjectPublicKey BIT STRING contents (what issuerKeyHash hashes).
    pub(crate) fn public_key(&self) -> &[u8] {
        &self.public_key
    }

    /// The issuer's subjectKeyIdentifier: what a CRL's authorityKeyIdentifier must repeat.
    pub(crate) fn key_id(&self) -> Option<&[u8]> {
        self.key_id.as_deref()
    }

    /// The signer must hold the key of this certificate, or every signature would be garbage.
    pub(crate) fn check_signer(&self, signer: &dyn CaSigner) -> Result<(), PkiError> {
        if signer.public_key_der() != self.public_key.as_slice() {
            return Err(PkiError::Key(
                "the CA key does not belong to the CA certificate".into(),
            ));
        }
        let bits = rsa_bits(signer.public_key_der())?;
        if bits < MIN_RSA_BITS {
            return Err(PkiError::Policy(format!(
                "CA key has {bits} bits; at least {MIN_RSA_BITS} required"
            )));
        }
        Ok(())
    }

    /// Whether this issuer may sign `planned` at `now`.
    pub(crate) fn permit(
        &self,
        planned: &Planned<'_>,
        now: OffsetDateTime,
    ) -> Result<(), PkiError> {
        if now < self.not_before || now > self.not_after {
            return Err(PkiError::Policy(format!(
                "the issuing CA is not valid now ({} .. {})",
                self.not_before, self.not_after
            )));
        }
        let v = planned.validity;
        if v.not_before >= v.not_after {
            return Err(PkiError::Policy("notBefore is not before notAfter".into()));
        }
        if v.not_before < self.not_before {
            return Err(PkiError::Policy(format!(
                "notBefore {} precedes the issuing CA's notBefore {}",
                v.not_before, self.not_before
            )));
        }
        if v.not_after > self.not_after {
            return Err(PkiError::Policy(format!(
                "notAfter {} would outlive the issuing CA (notAfter {}); a new issuing CA is needed",
                v.not_after, self.not_after
            )));
        }
        if planned.is_ca && self.path_len == Some(0) {
            return Err(PkiError::Policy(
                "the issuer's pathLenConstraint 0 forbids issuing a CA".into(),
            ));
        }
        if let Some(allowed) = &self.policies
            && !allowed.iter().any(|p| p == ANY_POLICY)
        {
            for p in planned.policies {
                let dotted = der::oid_string(p);
                if !allowed.contains(&dotted) {
                    return Err(PkiError::Policy(format!(
                        "the issuer may not assert policy {dotted}"
                    )));
                }
            }
        }
        if planned.key_bits < MIN_RSA_BITS {
            return Err(PkiError::Policy(format!(
                "subject key has {} bits; at least {MIN_RSA_BITS} required",
                planned.key_bits
            )));
        }
        Ok(())
    }

    /// After signing: the certificate names this issuer exactly, points at its key, and its
    /// signature verifies under the issuer key (guards against a faulty signer or token).
    pub(crate) fn check_issued(&self, issued_der: &[u8]) -> Result<(), PkiError> {
        let c = cert::parse(issued_der)?;
        if c.tbs_certificate.issuer.as_raw() != self.subject_raw.as_slice() {
            return Err(PkiError::Certificate(
                "issuer name differs from the CA subject".into(),
            ));
        }
        // A self-signed root may omit authorityKeyIdentifier (RFC 5280 §4.2.1.1); everything
        // else must carry it, and it must name this issuer's key.
        match cert::authority_key_id(&c) {
            Some(aki) if self.key_id.as_ref().is_some_and(|k| *k != aki) => {
                return Err(PkiError::Certificate(
                    "authorityKeyIdentifier differs from the CA's key id".into(),
                ));
            }
            None if c.tbs_certificate.subject.as_raw() != c.tbs_certificate.issuer.as_raw() => {
                return Err(PkiError::Certificate(
                    "authorityKeyIdentifier is missing".into(),
                ));
            }
            _ => {}
        }
        let err = |e: openssl::error::ErrorStack| {
            PkiError::Certificate(format!("verifying the new certificate: {e}"))
        };
        let issuer_key = X509::from_der(&self.der)
            .and_then(|x| x.public_key())
            .map_err(err)?;
        let ok = X509::from_der(issued_der)
            .and_then(|x| x.verify(&issuer_key))
            .map_err(err)?;
        if !ok {
            return Err(PkiError::Certificate(
                "the new certificate's signature does not verify".into(),
            ));
        }
        Ok(())
    }
}

/// Modulus size of an RFC 8017 RSAPublicKey.
pub(crate) fn rsa_bits(rsa_public_key: &[u8]) -> Result<usize, PkiError> {
    let rsa = Rsa::public_key_from_der_pkcs1(rsa_public_key)
        .map_err(|e| PkiError::Key(format!("not an RSA public key: {e}")))?;
    let pkey = PKey::from_rsa(rsa).map_err(|e| PkiError::Key(e.to_string()))?;
    Ok(pkey.bits() as usize)
}

#[cfg(test)]
mod tests {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, KeyUsagePurpose};
    use time::{Duration, OffsetDateTime};

    use super::*;
    use crate::policy;

    fn ca_cert(is_ca: IsCa, usages: Vec<KeyUsagePurpose>, policies: Option<&[&[u64]]>) -> Vec<u8> {
        let mut p = CertificateParams::default();
        p.not_before = OffsetDateTime::now_utc() - Duration::days(1);
        p.not_after = OffsetDateTime::now_utc() + Duration::days(3650);
        p.is_ca = is_ca;
        p.key_usages = usages;
        if let Some(list) = policies {
            p.custom_extensions.push(policy::certificate_policies(list));
        }
        p.self_signed(&KeyPair::generate().unwrap())
            .unwrap()
            .der()
            .to_vec()
    }

    fn signing_ca(path_len: u8, policies: Option<&[&[u64]]>) -> IssuerFacts {
        let der = ca_cert(
            IsCa::Ca(BasicConstraints::Constrained(path_len)),
            vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
            policies,
        );
        IssuerFacts::from_der(&der).unwrap()
    }

    fn planned(policies: &'static [&'static [u64]], days: i64) -> Planned<'static> {
        let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
        Planned {
            is_ca: false,
            validity: Validity {
                not_before: now,
                not_after: now + Duration::days(days),
            },
            policies,
            key_bits: 2048,
        }
    }

    const HOKEN: &[&[u64]] = &[policy::POLICY_KAIGO_HOKEN];

    #[test]
    fn only_a_ca_with_key_cert_sign_may_issue() {
        let leaf = ca_cert(
            IsCa::ExplicitNoCa,
            vec![KeyUsagePurpose::DigitalSignature],
            None,
        );
        assert!(matches!(
            IssuerFacts::from_der(&leaf),
            Err(PkiError::Policy(_))
        ));
        let no_bc = ca_cert(IsCa::NoCa, vec![KeyUsagePurpose::KeyCertSign], None);
        assert!(matches!(
            IssuerFacts::from_der(&no_bc),
            Err(PkiError::Policy(_))
        ));
        let no_sign = ca_cert(
            IsCa::Ca(BasicConstraints::Unconstrained),
            vec![KeyUsagePurpose::CrlSign],
            None,
        );
        assert!(matches!(
            IssuerFacts::from_der(&no_sign),
            Err(PkiError::Policy(_))
        ));
        let no_ku = ca_cert(IsCa::Ca(BasicConstraints::Unconstrained), vec![], None);
        assert!(matches!(
            IssuerFacts::from_der(&no_ku),
            Err(PkiError::Policy(_))
        ));
    }

    #[test]
    fn validity_must_nest() {
        let ca = signing_ca(0, None);
        let now = OffsetDateTime::now_utc();
        assert!(ca.permit(&planned(HOKEN, 365), now).is_ok());
        assert!(matches!(
            ca.permit(&planned(HOKEN, 4000), now),
            Err(PkiError::Policy(_))
        ));
        let mut early = planned(HOKEN, 365);
        early.validity.not_before -= Duration::days(2);
        assert!(matches!(ca.permit(&early, now), Err(PkiError::Policy(_))));
        let mut inverted = planned(HOKEN, 365);
        inverted.validity.not_after = inverted.validity.not_before;
        assert!(matches!(
            ca.permit(&inverted, now),
            Err(PkiError::Policy(_))
        ));
        // The issuer itself must be valid at signing time.
        assert!(matches!(
            ca.permit(&planned(HOKEN, 365), now + Duration::days(4000)),
            Err(PkiError::Policy(_))
        ));
    }

    #[test]
    fn path_length_policies_and_key_size() {
        let ca = signing_ca(0, Some(HOKEN));
        let now = OffsetDateTime::now_utc();
        let mut sub_ca = planned(HOKEN, 365);
        sub_ca.is_ca = true;
        assert!(matches!(ca.permit(&sub_ca, now), Err(PkiError::Policy(_))));
        assert!(signing_ca(1, None).permit(&sub_ca, now).is_ok());

        const DX: &[&[u64]] = &[policy::POLICY_KAIGO_DX];
        assert!(matches!(
            ca.permit(&planned(DX, 365), now),
            Err(PkiError::Policy(_))
        ));
        const ANY: &[&[u64]] = &[&[2, 5, 29, 32, 0]];
        assert!(
            signing_ca(0, Some(ANY))
                .permit(&planned(DX, 365), now)
                .is_ok()
        );

        let mut small = planned(HOKEN, 365);
        small.key_bits = 1024;
        assert!(matches!(ca.permit(&small, now), Err(PkiError::Policy(_))));
    }
}
