//! `kaigo-pki init`: the database and the CA hierarchy, created all at once or not at all.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

use kaigo_ca::hsm::CaKeys;
use kaigo_core::audit::repo::AuditRepo;
use kaigo_core::audit::{AuditAction, AuditEvent};
use kaigo_core::clock::Clock as _;

use crate::config::AppConfig;
use crate::datadir::{DataDir, write_private};
use crate::wiring::open_store;

/// What `init` made, for the caller to print.
pub struct InitReport {
    pub root_subject: String,
    pub issuing_subject: String,
    pub passphrase_file: Option<PathBuf>,
    /// The token holding the keys, when they were generated in an HSM.
    pub hsm_token: Option<String>,
    /// With an offline root: the issuing CA's request, waiting for the root's signature.
    pub pending_request: Option<PendingRequest>,
}

/// The issuing CA's request written by `init --root-cert`.
pub struct PendingRequest {
    pub csr_path: PathBuf,
    pub key_sha256: String,
    pub root_fingerprint_sha256: String,
    /// The public URL the root must name in the issuing CA certificate.
    pub public_url: String,
}

/// The public files of a root kept on an offline machine (`kaigo-pki ca root-init`).
pub struct OfflineRoot {
    pub cert_pem: String,
    pub crl_der: Vec<u8>,
}

impl OfflineRoot {
    /// Reads the root certificate (PEM) and the root CRL (DER) the offline machine wrote.
    pub fn read(cert: &Path, crl: &Path) -> anyhow::Result<Self> {
        Ok(Self {
            cert_pem: std::fs::read_to_string(cert)
                .with_context(|| format!("cannot read the root certificate {}", cert.display()))?,
            crl_der: std::fs::read(crl)
                .with_context(|| format!("cannot read the root CRL {}", crl.display()))?,
        })
    }
}

/// What the CA part of `init` made.
enum MadeCa {
    /// Root and issuing CA, both made here.
    Whole(kaigo_ca::CaSummary),
    /// The offline root's files and the issuing CA's request.
    Pending {
        root: kaigo_ca::CertSummary,
        request: kaigo_ca::ceremony::IssuingRequest,
    },
}

fn generate_passphrase() -> SecretString {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    SecretString::from(hex::encode(b))
}

/// Builds everything in a temporary sibling directory and renames it into place, so an
/// interrupted run leaves no half-initialised data dir.
pub async fn init(dir: &DataDir) -> anyhow::Result<InitReport> {
    init_with(dir, &AppConfig::load(dir)?).await
}

/// As [`init`], with the configuration to write (the demo's follows `--listen`).
pub async fn init_with(dir: &DataDir, config: &AppConfig) -> anyhow::Result<InitReport> {
    init_with_root(dir, config, None).await
}

/// As [`init_with`]; with `root`, the root stays on its offline machine: the data dir takes
/// its certificate and CRL, and the issuing CA's key and request are made, to be certified
/// there and installed with `kaigo-pki ca install-issuing`.
pub async fn init_with_root(
    dir: &DataDir,
    config: &AppConfig,
    root: Option<&OfflineRoot>,
) -> anyhow::Result<InitReport> {
    let config = config.clone();
    if dir.is_initialised() {
        bail!(
            "data dir {} is already initialised; nothing was changed",
            dir.root.display()
        );
    }
    if dir.root.exists() {
        let mut entries = std::fs::read_dir(&dir.root)
            .with_context(|| format!("cannot read {}", dir.root.display()))?;
        if entries.next().is_some() {
            bail!(
                "data dir {} exists and is not empty; choose an empty or new directory",
                dir.root.display()
            );
        }
    }
    let parent = parent_of(&dir.root)?;
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let tmp = tempfile::Builder::new()
        .prefix(".kaigo-pki-init-")
        .tempdir_in(&parent)?;
    let staging = DataDir::new(tmp.path());
    set_mode(tmp.path(), 0o700)?;

    // Keys in the token need no passphrase; key files get the given or a generated one.
    let (keys, passphrase_file) = if config.hsm.enabled() {
        (CaKeys::Token(config.hsm.open()?), None)
    } else {
        match crate::secret_env::secret("KAIGO_PKI_CA_PASSPHRASE")? {
            Some(p) => (CaKeys::Files(p), None),
            None => {
                let p = generate_passphrase();
                write_private(&staging.passphrase_file(), p.expose_secret().as_bytes())?;
                (CaKeys::Files(p), Some(dir.passphrase_file()))
            }
        }
    };
    std::fs::create_dir(staging.ca_dir())?;
    set_mode(&staging.ca_dir(), 0o700)?;
    let made = match root {
        None => MadeCa::Whole(
            kaigo_ca::init_ca_with(&staging.ca_dir(), &keys, &config.ca_config()?)
                .map_err(|e| anyhow::anyhow!("cannot create the CA: {e}"))?,
        ),
        Some(r) => {
            let root = kaigo_ca::ceremony::adopt_root(&staging.ca_dir(), &r.cert_pem, &r.crl_der)
                .map_err(|e| anyhow::anyhow!("cannot take the offline root: {e}"))?;
            let request =
                kaigo_ca::ceremony::request_issuing(&staging.ca_dir(), &keys, &config.ca_config()?)
                    .map_err(|e| anyhow::anyhow!("cannot make the issuing CA key: {e}"))?;
            MadeCa::Pending { root, request }
        }
    };
    // The audit key is made at the ceremony, so every node shares this one.
    let audit_key =
        kaigo_ca::AuditKey::open_or_create(&staging.ca_dir(), &keys, &config.ca_config()?)
            .map_err(|e| anyhow::anyhow!("cannot create the audit key: {e}"))?;
    kaigo_ca::ServerKeySealer::load_or_create(&staging.server_key())
        .map_err(|e| anyhow::anyhow!("server key: {e}"))?;
    std::fs::create_dir(staging.mail_dir())?;

    // The database of the embedded default lives in the data dir; an external one is migrated in place.
    let store = if config.database.url.is_empty() {
        let url_config = AppConfig {
            database: crate::config::DatabaseConfig {
                url: format!("sqlite://{}", staging.database().display()),
                url_file: String::new(),
            },
            ..config.clone()
        };
        open_store(&staging, &url_config).await?
    } else {
        open_store(dir, &config).await?
    };
    // The ceremony is the trail's first record: which root and issuing CA, and where the keys are.
    let keys_at = match keys.token() {
        Some(t) => format!("token:{}", t.label()),
        None => "files".to_owned(),
    };
    let (object, detail) = match &made {
        MadeCa::Whole(summary) => (
            format!("ca:{}", summary.issuing_serial),
            format!(
                "root_sha256={} issuing_sha256={}",
                summary.root_fingerprint_sha256, summary.issuing_fingerprint_sha256
            ),
        ),
        MadeCa::Pending { root, request } => (
            format!("ca:root:{}", root.serial),
            format!(
                "root=offline root_sha256={} issuing=requested issuing_key_sha256={}",
                root.fingerprint_sha256, request.key_sha256
            ),
        ),
    };
    store
        .append_audit(&AuditEvent {
            at: kaigo_core::clock::SystemClock.unix(),
            actor: "cli".into(),
            action: AuditAction::CaInit.name().into(),
            object,
            source: String::new(),
            detail: format!(
                "{detail} audit_key_sha256={} keys={keys_at}",
                audit_key.fingerprint_sha256()
            ),
        })
        .await
        .map_err(|e| anyhow::anyhow!("cannot record the ceremony: {e}"))?;
    store.close().await;
    std::fs::write(staging.config_file(), config.to_toml())?;

    let staged = tmp.keep();
    if dir.root.exists() {
        std::fs::remove_dir(&dir.root)
            .with_context(|| format!("cannot replace {}", dir.root.display()))?;
    }
    std::fs::rename(&staged, &dir.root)
        .with_context(|| format!("cannot move the new data dir into {}", dir.root.display()))?;
    let (root_subject, issuing_subject, pending_request) = match made {
        MadeCa::Whole(s) => (s.root_subject, s.issuing_subject, None),
        MadeCa::Pending { root, request } => (
            root.subject,
            format!("{} (requested, not yet certified)", kaigo_ca::ISSUING_CN),
            Some(PendingRequest {
                csr_path: dir.ca_dir().join(kaigo_ca::files::NEXT_ISSUING_CSR),
                key_sha256: request.key_sha256,
                root_fingerprint_sha256: root.fingerprint_sha256,
                public_url: config.ca.public_url.clone(),
            }),
        ),
    };
    Ok(InitReport {
        root_subject,
        issuing_subject,
        passphrase_file,
        hsm_token: keys.token().map(|t| t.label().to_owned()),
        pending_request,
    })
}

fn parent_of(path: &Path) -> anyhow::Result<PathBuf> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    abs.parent()
        .map(Path::to_path_buf)
        .context("the data dir has no parent directory")
}

fn set_mode(path: &Path, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    Ok(())
}
