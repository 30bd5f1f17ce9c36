//! The CA as the application runs it: the issuing certificate and a signer, implementing the
//! core's [`CertificateFactory`]. Issuance follows one pipeline: plan validity → generate the
//! office key → build the profile → enforce the CA constraints → sign → verify what was
//! signed → pack the PKCS#12.

use std::path::Path;
use std::sync::Arc;

use kaigo_core::certificate::pki::{CertificateFactory, IssueRequest, IssuedBundle};
use kaigo_core::clock::{Clock, SystemClock};
use kaigo_core::error::PkiError;
use kaigo_core::ids::CaGeneration;
use openssl::x509::X509;
use secrecy::{ExposeSecret, SecretString};
use time::Duration;

use crate::builder;
use crate::cert::{self, CertSummary};
use crate::config::CaConfig;
use crate::constraints::{IssuerFacts, Planned};
use crate::error::CaError;
use crate::files;
use crate::generations::{self, PreviousCa};
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
    /// The generation of the issuing CA that issues now.
    generation: CaGeneration,
    /// Earlier generations that still publish, newest first.
    previous: Vec<PreviousCa>,
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
        let generation = generations::current_generation(dir)?;
        if generations::effective_generation(dir)? != generation {
            return Err(CaError::Ceremony(format!(
                "a rollover in {} was interrupted: run `kaigo-pki ca install-issuing --cert FILE` \
                 again with the same certificate to finish it",
                dir.display()
            )));
        }
        let cfg = generations::config_for(cfg, generation)?;
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
        ca.generation = generation;
        let root = IssuerFacts::from_der(&cert::pem_to_der(&root_pem)?)?;
        ca.previous = generations::load_previous(dir, keys, &root, generation, ca.clock.now())?;
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
            generation: CaGeneration::FIRST,
            previous: Vec::new(),
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

    /// The generation that issues now.
    pub fn generation(&self) -> CaGeneration {
        self.generation
    }

    /// The issuing CA of `generation` and its key, if this CA holds it.
    pub(crate) fn issuing(
        &self,
        generation: CaGeneration,
    ) -> Option<(&IssuerFacts, &dyn CaSigner)> {
        if generation == self.generation {
            return Some((&self.issuer, self.signer.as_ref()));
        }
        self.previous
            .iter()
            .find(|p| p.generation == generation)
            .map(|p| (&p.issuer, p.signer.as_ref()))
    }

    /// Every issuing CA this process holds, the current first, with its generation.
    pub(crate) fn issuers(&self) -> Vec<(CaGeneration, &IssuerFacts)> {
        std::iter::once((self.generation, &self.issuer))
            .chain(self.previous.iter().map(|p| (p.generation, &p.issuer)))
            .collect()
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
            generation: self.generation,
        })
    }

    fn root_pem(&self) -> String {
        self.root_pem.clone()
    }

    fn issuing_pems(&self) -> Vec<(CaGeneration, String)> {
        std::iter::once((self.generation, self.issuing_pem.clone()))
            .chain(self.previous.iter().map(|p| (p.generation, p.pem.clone())))
            .collect()
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
#[path = "file_ca_tests.rs"]
mod tests;
