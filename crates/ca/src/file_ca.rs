//! The CA as the application runs it: the issuing certificate and a signer, implementing the
//! core's [`CertificateFactory`]. Issuance follows one pipeline: plan validity → generate the
//! office key → build the profile → enforce the CA constraints → sign → verify what was
//! signed → pack the PKCS#12.

use std::path::Path;
use std::sync::Arc;

use kaigo_core::certificate::pki::{CertificateFactory, IssueRequest, IssuedBundle};
use kaigo_core::clock::{Clock, SystemClock};
use kaigo_core::error::PkiError;
use openssl::x509::X509;
use secrecy::{ExposeSecret, SecretString};
use time::Duration;

use crate::builder;
use crate::cert::{self, CertSummary};
use crate::config::CaConfig;
use crate::constraints::{IssuerFacts, Planned};
use crate::error::CaError;
use crate::files;
use crate::hsm::{CaKeys, KeyRole, Token};
use crate::keys;
use crate::pkcs12;
use crate::profile::{self, Common, OFFICE_KEY_BITS};
use crate::serial::random_serial;
use crate::signer::{CaSigner, RsaPublicKey};
use crate::validity;

/// The issuing CA with its key, ready to issue office certificates.
pub struct FileCa {
    cfg: CaConfig,
    signer: Box<dyn CaSigner>,
    issuer: IssuerFacts,
    issuing_pem: String,
    root_pem: String,
    /// Issuing CA then root, for the PKCS#12 file.
    chain: Vec<X509>,
    clock: Arc<dyn Clock>,
    /// The root's CRL as the last ceremony signed it (absent in data dirs made before it).
    root_crl: Option<Vec<u8>>,
    /// The token that holds the CA keys, if any: OCSP responder keys are made there.
    token: Option<Arc<Token>>,
}

impl std::fmt::Debug for FileCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileCa")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

fn read_text(path: &Path) -> Result<String, CaError> {
    std::fs::read_to_string(path).map_err(|e| CaError::io(path, e))
}

impl FileCa {
    /// Loads the CA that `init_ca` wrote to `dir`, decrypting the issuing key with
    /// `passphrase`. The root key is not read: it is not needed to issue.
    pub fn load(dir: &Path, passphrase: &SecretString, cfg: CaConfig) -> Result<Self, CaError> {
        Self::open(dir, &CaKeys::Files(passphrase.clone()), cfg)
    }

    /// Loads the CA in `dir` with its issuing key wherever `keys` says (a file or a token).
    /// With a token, OCSP responder keys are generated in it too.
    pub fn open(dir: &Path, keys: &CaKeys, cfg: CaConfig) -> Result<Self, CaError> {
        let root_pem = read_text(&dir.join(files::ROOT_CERT))?;
        let issuing_pem = read_text(&dir.join(files::ISSUING_CERT))?;
        let signer = keys.open(dir, KeyRole::Issuing)?;
        let root_crl = match std::fs::read(dir.join(files::ROOT_CRL)) {
            Ok(der) => Some(der),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(CaError::io(dir.join(files::ROOT_CRL), e)),
        };
        let mut ca = Self::with_signer(&root_pem, &issuing_pem, signer, cfg)?;
        ca.root_crl = root_crl;
        ca.token = keys.token().cloned();
        Ok(ca)
    }

    /// Assembles a CA from its certificates and any signer (a PKCS#11 token, for instance).
    /// Checks that the issuing certificate is a CA certified by the root and that the signer
    /// holds its key.
    pub fn with_signer(
        root_pem: &str,
        issuing_pem: &str,
        signer: Box<dyn CaSigner>,
        cfg: CaConfig,
    ) -> Result<Self, CaError> {
        cfg.validate()?;
        let root_der = cert::pem_to_der(root_pem)?;
        let issuing_der = cert::pem_to_der(issuing_pem)?;
        let root = IssuerFacts::from_der(&root_der)?;
        root.check_issued(&root_der)
            .map_err(|e| CaError::Certificate(format!("root is not self-signed: {e}")))?;
        root.check_issued(&issuing_der).map_err(|e| {
            CaError::Certificate(format!("issuing CA is not certified by the root: {e}"))
        })?;
        let issuer = IssuerFacts::from_der(&issuing_der)?;
        issuer.check_signer(signer.as_ref())?;
        let x509 =
            |der: &[u8]| X509::from_der(der).map_err(|e| CaError::Certificate(e.to_string()));
        let chain = vec![x509(&issuing_der)?, x509(&root_der)?];
        Ok(Self {
            cfg,
            signer,
            issuer,
            issuing_pem: cert::der_to_pem(&issuing_der),
            root_pem: cert::der_to_pem(&root_der),
            chain,
            clock: Arc::new(SystemClock),
            root_crl: None,
            token: None,
        })
    }

    /// Replaces the clock (tests, or a process that already has one).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The root certificate, PEM.
    pub fn root_pem(&self) -> &str {
        &self.root_pem
    }

    /// The issuing CA certificate, PEM.
    pub fn issuing_pem(&self) -> &str {
        &self.issuing_pem
    }

    /// The issuing CA certificate, DER: what the caIssuers URL serves.
    pub fn issuing_der(&self) -> &[u8] {
        &self.issuer.der
    }

    /// Subject, serial, fingerprint and validity of the issuing CA.
    pub fn issuing_summary(&self) -> Result<CertSummary, PkiError> {
        CertSummary::from_der(&self.issuer.der)
    }

    /// The signer, for CRL and OCSP signing.
    pub fn signer(&self) -> &dyn CaSigner {
        self.signer.as_ref()
    }

    /// The token holding the CA keys, if they are in one.
    pub fn token(&self) -> Option<&Arc<Token>> {
        self.token.as_ref()
    }

    /// The root's CRL (DER), if the data dir has one.
    pub fn root_crl(&self) -> Option<&[u8]> {
        self.root_crl.as_deref()
    }

    /// The CA certificates that go into an office's PKCS#12 file: the issuing CA, and the
    /// root unless the configuration leaves it out.
    pub(crate) fn file_chain(&self) -> &[X509] {
        if self.cfg.pkcs12_include_root {
            &self.chain
        } else {
            &self.chain[..1]
        }
    }

    /// The issuing CA as an issuer (CRL and responder signing).
    pub(crate) fn issuer(&self) -> &IssuerFacts {
        &self.issuer
    }

    /// The clock this CA issues by.
    pub(crate) fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    /// The configuration in force.
    pub fn config(&self) -> &CaConfig {
        &self.cfg
    }
}

impl CertificateFactory for FileCa {
    fn issue(
        &self,
        request: &IssueRequest,
        password: &SecretString,
    ) -> Result<IssuedBundle, PkiError> {
        let now = self.clock.now();
        let validity = validity::office_validity(
            request.not_before,
            now,
            self.cfg.validity_months,
            Duration::days(i64::from(self.cfg.max_postdate_days)),
            self.issuer.not_before,
        )?;

        let key = keys::generate_rsa(OFFICE_KEY_BITS)?;
        let public = RsaPublicKey(
            aws_lc_rs::signature::KeyPair::public_key(&key)
                .as_ref()
                .to_vec(),
        );
        let serial = random_serial()?;
        let params = profile::office(
            request,
            &Common {
                validity,
                serial: &serial,
                public_key: &public.0,
            },
            &self.cfg,
        )?;

        let policies = profile::office_policies(request.kind);
        self.issuer.permit(
            &Planned {
                is_ca: false,
                validity,
                policies: &policies,
                key_bits: key.public_modulus_len() * 8,
            },
            now,
        )?;
        let cert_der = builder::sign(&params, &public, &self.issuer.der, self.signer.as_ref())?;
        self.issuer.check_issued(&cert_der)?;
        let summary = CertSummary::from_der(&cert_der)?;

        let key_pkcs8 = keys::pkcs8_der(&key)?;
        let pkcs12 = pkcs12::build(
            &pkcs12::Contents {
                key_pkcs8: &key_pkcs8,
                cert_der: &cert_der,
                chain: self.file_chain(),
                friendly_name: &kaigo_core::certificate::friendly_name(
                    request.kind,
                    &request.office_number,
                    summary.not_after.unix_timestamp(),
                ),
            },
            password.expose_secret(),
            &self.cfg.pkcs12,
        )?;

        tracing::info!(
            serial = %summary.serial,
            kind = request.kind.code(),
            office = %request.office_number,
            not_after = %summary.not_after,
            "issued office certificate"
        );
        Ok(IssuedBundle {
            serial: summary.serial,
            subject: summary.subject,
            not_before: summary.not_before,
            not_after: summary.not_after,
            cert_der,
            pkcs12,
            fingerprint_sha256: summary.fingerprint_sha256,
        })
    }

    fn ca_chain_pem(&self) -> String {
        format!("{}{}", self.root_pem, self.issuing_pem)
    }

    fn compat_copy(&self, pkcs12: &[u8], password: &SecretString) -> Result<Vec<u8>, PkiError> {
        self.compat_file(pkcs12, password)
    }

    fn signer_ready(&self) -> Result<(), PkiError> {
        match &self.token {
            Some(token) => token.probe_signer(self.signer.as_ref()),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::Arc;

    use crate::signer::FileKeySigner;

    use kaigo_core::certificate::CertKind;
    use kaigo_core::clock::ManualClock;
    use kaigo_core::office::OfficeKind;
    use openssl::pkcs12::Pkcs12;
    use time::OffsetDateTime;

    use super::*;
    use crate::config::Pkcs12Profile;
    use crate::test_support::{PASSPHRASE, fast_config, fixture, load_ca, request};

    const PW: &str = "Ab3dEf6hJk9m";

    fn issue_now(ca: &FileCa) -> Result<IssuedBundle, PkiError> {
        ca.issue(
            &request(
                CertKind::KaigoHoken,
                OfficeKind::Kaigo,
                OffsetDateTime::now_utc(),
            ),
            &SecretString::from(PW),
        )
    }

    #[test]
    fn serials_are_unique_and_wide_across_issues() {
        let ca = load_ca(fast_config());
        let mut seen = HashSet::new();
        for _ in 0..40 {
            let b = issue_now(&ca).unwrap();
            // 127 random bits: a serial shorter than 64 bits would be a 2^-63 event.
            assert!(
                b.serial.as_str().len() > 16,
                "serial {} too short",
                b.serial
            );
            assert!(b.serial.as_str().len() <= 32);
            assert!(
                seen.insert(b.serial.clone()),
                "duplicate serial {}",
                b.serial
            );
        }
    }

    #[test]
    fn refuses_to_outlive_the_issuing_ca() {
        let ca = load_ca(fast_config());
        let ca_end = ca.issuer.not_after;
        // Seven years on, a 3-year certificate would end after the issuing CA: refused.
        let later = OffsetDateTime::now_utc() + Duration::days(8 * 365);
        let ca = ca.with_clock(Arc::new(ManualClock::new(later)));
        let req = request(CertKind::KaigoHoken, OfficeKind::Kaigo, later);
        match ca.issue(&req, &SecretString::from(PW)) {
            Err(PkiError::Policy(m)) => assert!(m.contains("outlive"), "{m}"),
            other => panic!("expected a policy refusal, got {other:?}"),
        }
        // One that ends a day before the CA does still fits.
        let start = ca_end - Duration::days(3 * 366);
        let ca = ca.with_clock(Arc::new(ManualClock::new(start)));
        let b = ca
            .issue(
                &request(CertKind::KaigoHoken, OfficeKind::Kaigo, start),
                &SecretString::from(PW),
            )
            .unwrap();
        assert!(b.not_after <= ca_end);
    }

    #[test]
    fn refuses_backdating_and_far_future_starts() {
        let ca = load_ca(fast_config());
        let now = OffsetDateTime::now_utc();
        let old = request(
            CertKind::KaigoHoken,
            OfficeKind::Kaigo,
            now - Duration::hours(1),
        );
        assert!(matches!(
            ca.issue(&old, &SecretString::from(PW)),
            Err(PkiError::Policy(_))
        ));
        let far = request(
            CertKind::KaigoHoken,
            OfficeKind::Kaigo,
            now + Duration::days(400),
        );
        assert!(matches!(
            ca.issue(&far, &SecretString::from(PW)),
            Err(PkiError::Policy(_))
        ));
        // A renewal dated 90 days ahead is fine and starts then.
        let renewal = request(
            CertKind::KaigoHoken,
            OfficeKind::Kaigo,
            now + Duration::days(90),
        );
        let b = ca.issue(&renewal, &SecretString::from(PW)).unwrap();
        assert!(b.not_before > now + Duration::days(89));
    }

    #[test]
    fn wrong_ca_passphrase_is_a_clear_error() {
        let dir = fixture().materialize();
        let e = FileCa::load(
            dir.path(),
            &SecretString::from("not the passphrase"),
            fast_config(),
        )
        .unwrap_err();
        assert!(matches!(e, CaError::WrongPassphrase { .. }), "{e}");
        assert!(e.to_string().contains("wrong CA passphrase"), "{e}");
        assert!(FileCa::load(dir.path(), &SecretString::from(PASSPHRASE), fast_config()).is_ok());
    }

    #[test]
    fn a_signer_with_another_key_is_refused() {
        let f = fixture();
        let other = FileKeySigner::generate(2048).unwrap();
        let root = std::str::from_utf8(f.file(files::ROOT_CERT)).unwrap();
        let issuing = std::str::from_utf8(f.file(files::ISSUING_CERT)).unwrap();
        let e = FileCa::with_signer(root, issuing, Box::new(other), fast_config()).unwrap_err();
        assert!(e.to_string().contains("does not belong"), "{e}");
        // Root and issuing swapped: the "issuing" one is not certified by the "root" one.
        let e = FileCa::with_signer(
            issuing,
            root,
            Box::new(FileKeySigner::generate(2048).unwrap()),
            fast_config(),
        );
        assert!(e.is_err());
    }

    #[test]
    fn a_bad_password_is_an_error_not_a_panic() {
        let ca = load_ca(fast_config());
        let now = OffsetDateTime::now_utc();
        let req = request(CertKind::KaigoHoken, OfficeKind::Kaigo, now);
        assert!(matches!(
            ca.issue(&req, &SecretString::from("a\0b")),
            Err(PkiError::Pkcs12(_))
        ));
        assert!(matches!(
            ca.issue(&req, &SecretString::from("")),
            Err(PkiError::Pkcs12(_))
        ));
    }

    #[test]
    fn pkcs12_holds_key_leaf_and_chain() {
        let ca = load_ca(CaConfig {
            pkcs12: Pkcs12Profile::Compat { iterations: 1_000 },
            ..fast_config()
        });
        let b = issue_now(&ca).unwrap();
        let parsed = Pkcs12::from_der(&b.pkcs12).unwrap().parse2(PW).unwrap();
        let leaf = parsed.cert.unwrap();
        assert_eq!(leaf.to_der().unwrap(), b.cert_der);
        assert!(parsed.pkey.unwrap().public_eq(&leaf.public_key().unwrap()));
        let chain: Vec<Vec<u8>> = parsed
            .ca
            .unwrap()
            .iter()
            .map(|c| c.to_der().unwrap())
            .collect();
        assert_eq!(chain.len(), 2);
        assert!(chain.contains(&ca.issuing_der().to_vec()));
        assert!(chain.contains(&cert::pem_to_der(ca.root_pem()).unwrap()));
        assert!(
            Pkcs12::from_der(&b.pkcs12)
                .unwrap()
                .parse2("wrong")
                .is_err()
        );
    }

    #[test]
    fn the_root_can_be_left_out_of_the_file() {
        let ca = load_ca(CaConfig {
            pkcs12_include_root: false,
            ..fast_config()
        });
        let b = issue_now(&ca).unwrap();
        let parsed = Pkcs12::from_der(&b.pkcs12).unwrap().parse2(PW).unwrap();
        let chain: Vec<Vec<u8>> = parsed
            .ca
            .unwrap()
            .iter()
            .map(|c| c.to_der().unwrap())
            .collect();
        assert_eq!(
            chain,
            vec![ca.issuing_der().to_vec()],
            "the issuing CA only"
        );
    }

    #[test]
    fn chain_pem_is_root_first() {
        let ca = load_ca(fast_config());
        assert_eq!(
            ca.ca_chain_pem(),
            format!("{}{}", ca.root_pem(), ca.issuing_pem())
        );
        assert!(ca.root_pem().starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert_eq!(
            cert::pem_to_der(ca.issuing_pem()).unwrap(),
            ca.issuing_der()
        );
    }
}
