//! The CA as the application runs it: the issuing certificate and a signer, implementing the
//! core's [`CertificateFactory`]. Issuance follows one pipeline: plan validity → generate the
//! office key → build the profile → enforce the CA constraints → sign → verify what was
//! signed → pack the PKCS#12.

use std::path::Path;
use std::sync::Arc;

use kaigo_core::clock::{Clock, SystemClock};
use kaigo_core::error::PkiError;
use kaigo_core::pki::{CertificateFactory, IssueRequest, IssuedBundle};
use openssl::x509::X509;
use secrecy::{ExposeSecret, SecretString};
use time::Duration;

use crate::builder;
use crate::cert::{self, CertSummary};
use crate::config::CaConfig;
use crate::constraints::{IssuerFacts, Planned};
use crate::error::CaError;
use crate::init::files;
use crate::keyfile;
use crate::keys;
use crate::pkcs12;
use crate::profile::{self, OFFICE_KEY_BITS};
use crate::serial::random_serial;
use crate::signer::{CaSigner, FileKeySigner, RsaPublicKey};
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
}

impl std::fmt::Debug for FileCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileCa").field("cfg", &self.cfg).finish_non_exhaustive()
    }
}

fn read_text(path: &Path) -> Result<String, CaError> {
    std::fs::read_to_string(path).map_err(|e| CaError::io(path, e))
}

impl FileCa {
    /// Loads the CA that `init_ca` wrote to `dir`, decrypting the issuing key with
    /// `passphrase`. The root key is not read: it is not needed to issue.
    pub fn load(dir: &Path, passphrase: &SecretString, cfg: CaConfig) -> Result<Self, CaError> {
        let root_pem = read_text(&dir.join(files::ROOT_CERT))?;
        let issuing_pem = read_text(&dir.join(files::ISSUING_CERT))?;
        let key_path = dir.join(files::ISSUING_KEY);
        let key_pem = keyfile::read_secret_file(&key_path)?;
        let key_pem = std::str::from_utf8(&key_pem)
            .map_err(|_| CaError::Key(format!("{} is not a PEM file", key_path.display())))?;
        let pkcs8 = keyfile::decrypt_pkcs8_pem(key_pem, passphrase.expose_secret().as_bytes(), &key_path)?;
        let signer = FileKeySigner::from_pkcs8_der(&pkcs8)?;
        Self::with_signer(&root_pem, &issuing_pem, Box::new(signer), cfg)
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
        root.check_issued(&root_der).map_err(|e| CaError::Certificate(format!("root is not self-signed: {e}")))?;
        root.check_issued(&issuing_der)
            .map_err(|e| CaError::Certificate(format!("issuing CA is not certified by the root: {e}")))?;
        let issuer = IssuerFacts::from_der(&issuing_der)?;
        issuer.check_signer(signer.as_ref())?;
        let x509 = |der: &[u8]| X509::from_der(der).map_err(|e| CaError::Certificate(e.to_string()));
        let chain = vec![x509(&issuing_der)?, x509(&root_der)?];
        Ok(Self {
            cfg,
            signer,
            issuer,
            issuing_pem: cert::der_to_pem(&issuing_der),
            root_pem: cert::der_to_pem(&root_der),
            chain,
            clock: Arc::new(SystemClock),
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

    /// The configuration in force.
    pub fn config(&self) -> &CaConfig {
        &self.cfg
    }
}

impl CertificateFactory for FileCa {
    fn issue(&self, request: &IssueRequest, password: &SecretString) -> Result<IssuedBundle, PkiError> {
        let now = self.clock.now();
        let validity = validity::office_validity(
            request.not_before,
            now,
            self.cfg.validity_months,
            Duration::days(i64::from(self.cfg.max_postdate_days)),
            self.issuer.not_before,
        )?;

        let key = keys::generate_rsa(OFFICE_KEY_BITS)?;
        let public = RsaPublicKey(aws_lc_rs::signature::KeyPair::public_key(&key).as_ref().to_vec());
        let serial = random_serial()?;
        let params = profile::office(request, validity, &serial, &self.cfg)?;

        let policies = profile::office_policies(request.kind);
        self.issuer.permit(
            &Planned { is_ca: false, validity, policies: &policies, key_bits: key.public_modulus_len() * 8 },
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
                chain: &self.chain,
                friendly_name: &request.friendly_name,
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
}
