//! Builds the object graph: store, CA, sealer, clock, services. No globals: everything that
//! runs receives what it needs from here.

use std::sync::Arc;

use anyhow::{Context, bail};
use kaigo_ca::{FileCa, ServerKeySealer};
use kaigo_core::PkiError;
use kaigo_core::account::issuance_password::IssuancePasswordReissue;
use kaigo_core::account::issuance_password::ZipProtection;
use kaigo_core::account::password::PasswordHasher;
use kaigo_core::certificate::pki::{CertificateFactory, IssueRequest, IssuedBundle};
use kaigo_core::clock::SystemClock;
use kaigo_core::deps::{Deps, Settings};
use kaigo_core::revocation::pki::{StatusSigner, StatusUnavailable};
use kaigo_core::services::Services;
use kaigo_store::SqlStore;
use secrecy::SecretString;

use crate::config::AppConfig;
use crate::datadir::DataDir;

/// A loaded data dir.
pub struct App {
    pub dir: DataDir,
    pub config: AppConfig,
    pub store: Arc<SqlStore>,
    pub services: Services,
    pub ca: Option<Arc<FileCa>>,
    /// The key that signs audit checkpoints (opened with the CA).
    pub audit_key: Option<Arc<kaigo_ca::AuditKey>>,
}

/// The CA passphrase: `KAIGO_PKI_CA_PASSPHRASE` (or `_FILE`), else the generated file of the
/// embedded default.
pub fn ca_passphrase(dir: &DataDir) -> anyhow::Result<SecretString> {
    if let Some(v) = crate::secret_env::secret("KAIGO_PKI_CA_PASSPHRASE")? {
        return Ok(v);
    }
    let path = dir.passphrase_file();
    match std::fs::read_to_string(&path) {
        Ok(s) if !s.trim().is_empty() => Ok(SecretString::from(s.trim().to_owned())),
        _ => bail!(
            "the CA passphrase is not available: set KAIGO_PKI_CA_PASSPHRASE (no passphrase file at {})",
            path.display()
        ),
    }
}

pub async fn open_store(dir: &DataDir, config: &AppConfig) -> anyhow::Result<SqlStore> {
    let url = config.database_url(dir);
    let store = SqlStore::connect(&url)
        .await
        .with_context(|| "cannot open the database")?;
    store
        .migrate()
        .await
        .with_context(|| "cannot migrate the database")?;
    Ok(store)
}

/// Where this data dir's CA keys are opened from: the configured token, or the key files
/// with the CA passphrase.
pub fn ca_keys(dir: &DataDir, config: &AppConfig) -> anyhow::Result<kaigo_ca::hsm::CaKeys> {
    if config.hsm.enabled() {
        return Ok(kaigo_ca::hsm::CaKeys::Token(config.hsm.open()?));
    }
    if let Some(token) = kaigo_ca::hsm::key_token(&dir.ca_dir(), kaigo_ca::hsm::KeyRole::Issuing)? {
        bail!(
            "the CA keys of this data dir are in the PKCS#11 token \"{token}\": configure [hsm] \
             (module, token_label, and the PIN in KAIGO_PKI_HSM_PIN or pin_file)"
        );
    }
    Ok(kaigo_ca::hsm::CaKeys::Files(ca_passphrase(dir)?))
}

/// Stands in for the CA in commands that never issue (e.g. `office add`), so that they need
/// neither the CA passphrase nor the key.
struct CaNotLoaded;

impl CertificateFactory for CaNotLoaded {
    fn issue(&self, _: &IssueRequest, _: &SecretString) -> Result<IssuedBundle, PkiError> {
        Err(PkiError::Key(
            "the CA key is not loaded in this command".into(),
        ))
    }
    fn root_pem(&self) -> String {
        String::new()
    }
    fn issuing_pems(&self) -> Vec<(kaigo_core::ids::CaGeneration, String)> {
        Vec::new()
    }
}

/// Opens an initialised data dir. With `with_ca`, the issuing key is decrypted and loaded.
pub async fn open(dir: &DataDir, with_ca: bool) -> anyhow::Result<App> {
    dir.require_initialised()?;
    let config = AppConfig::load(dir)?;
    open_with(dir, with_ca, config).await
}

/// As [`open`], with a configuration the caller has already loaded and adjusted (e.g. the
/// public URL resolved against `--listen`).
pub async fn open_with(dir: &DataDir, with_ca: bool, config: AppConfig) -> anyhow::Result<App> {
    dir.require_initialised()?;
    let (ca, audit_key) = if with_ca {
        if !dir.ca_dir().join(kaigo_ca::files::ISSUING_CERT).exists()
            && kaigo_ca::hsm::CaKeys::exists(&dir.ca_dir(), kaigo_ca::hsm::KeyRole::NextIssuing)
        {
            bail!(
                "the issuing CA is not installed yet: have the root certify {} \
                 (`kaigo-pki ca sign-issuing` on the root machine), then run \
                 `kaigo-pki ca install-issuing --cert FILE` here",
                dir.ca_dir()
                    .join(kaigo_ca::files::NEXT_ISSUING_CSR)
                    .display()
            );
        }
        let keys = ca_keys(dir, &config)?;
        let ca = FileCa::open(&dir.ca_dir(), &keys, config.ca_config()?)
            .map_err(|e| anyhow::anyhow!("cannot load the CA: {e}"))?;
        let audit_key =
            kaigo_ca::AuditKey::open_or_create(&dir.ca_dir(), &keys, &config.ca_config()?)
                .map_err(|e| anyhow::anyhow!("cannot open the audit key: {e}"))?;
        (Some(Arc::new(ca)), Some(Arc::new(audit_key)))
    } else {
        (None, None)
    };
    let sealer = ServerKeySealer::load_or_create(&dir.server_key())
        .map_err(|e| anyhow::anyhow!("server key: {e}"))?;
    let store = Arc::new(open_store(dir, &config).await?);
    let (factory, status): (Arc<dyn CertificateFactory>, Arc<dyn StatusSigner>) = match &ca {
        Some(ca) => (ca.clone(), ca.clone()),
        None => (Arc::new(CaNotLoaded), Arc::new(StatusUnavailable)),
    };
    let deps = Deps {
        store: store.clone(),
        clock: Arc::new(SystemClock),
        hasher: PasswordHasher::default(),
        sealer: Arc::new(sealer),
        factory,
        status,
        documents: Arc::new(kaigo_docs::TypstRenderer),
        settings: Settings {
            hoken_fee_yen: config.fees.hoken_fee_yen,
            lockout_threshold: config.portal.lockout_threshold,
            lockout_seconds: config.portal.lockout_minutes * 60,
            helpdesk: config.portal.helpdesk.clone(),
            letters_per_pdf: config.documents.letters_per_pdf,
            job_lease_seconds: config.workers.job_lease_seconds,
            revocation: config.revocation.settings(),
            password_zip: ZipProtection::from_code(&config.documents.password_zip)
                .unwrap_or_default(),
            ..Settings::default()
        },
    };
    // One render queue per node (process); the first configuration wins.
    kaigo_docs::configure_renders(config.documents.render_limits());
    // A node with another server key would fail on the first queued application; refuse now.
    match kaigo_core::health::server_key::check_server_key(&deps).await {
        Ok(kaigo_core::health::server_key::ServerKeyCheck::Recorded) => {
            tracing::info!("recorded the server key check in the database");
        }
        Ok(_) => {}
        Err(e) => bail!("{}: {e}", dir.server_key().display()),
    }
    let mut services = Services::new(deps);
    // The notice of manual 4 carries the letter as an AES ZIP; building it needs kaigo-docs.
    services.issuance_reissue = IssuancePasswordReissue::with_notifier(
        services.deps.clone(),
        Arc::new(crate::reissue_notice::ZipReissueNotice::new(
            services.deps.clone(),
        )),
    );
    Ok(App {
        dir: dir.clone(),
        config,
        store,
        services,
        ca,
        audit_key,
    })
}
