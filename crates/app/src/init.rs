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
        match std::env::var("KAIGO_PKI_CA_PASSPHRASE") {
            Ok(p) if !p.is_empty() => (CaKeys::Files(SecretString::from(p)), None),
            _ => {
                let p = generate_passphrase();
                write_private(&staging.passphrase_file(), p.expose_secret().as_bytes())?;
                (CaKeys::Files(p), Some(dir.passphrase_file()))
            }
        }
    };
    std::fs::create_dir(staging.ca_dir())?;
    set_mode(&staging.ca_dir(), 0o700)?;
    let summary = kaigo_ca::init_ca_with(&staging.ca_dir(), &keys, &config.ca_config()?)
        .map_err(|e| anyhow::anyhow!("cannot create the CA: {e}"))?;
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
    store
        .append_audit(&AuditEvent {
            at: kaigo_core::clock::SystemClock.unix(),
            actor: "cli".into(),
            action: AuditAction::CaInit.name().into(),
            object: format!("ca:{}", summary.issuing_serial),
            source: String::new(),
            detail: format!(
                "root_sha256={} issuing_sha256={} audit_key_sha256={} keys={keys_at}",
                summary.root_fingerprint_sha256,
                summary.issuing_fingerprint_sha256,
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
    Ok(InitReport {
        root_subject: summary.root_subject,
        issuing_subject: summary.issuing_subject,
        passphrase_file,
        hsm_token: keys.token().map(|t| t.label().to_owned()),
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
