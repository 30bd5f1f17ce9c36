//! The layout of the data directory.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Paths inside a data directory.
#[derive(Clone, Debug)]
pub struct DataDir {
    pub root: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }
    pub fn config_file(&self) -> PathBuf {
        self.root.join("config.toml")
    }
    pub fn database(&self) -> PathBuf {
        self.root.join("kaigo.db")
    }
    pub fn ca_dir(&self) -> PathBuf {
        self.root.join("ca")
    }
    pub fn passphrase_file(&self) -> PathBuf {
        self.root.join("ca-passphrase")
    }
    pub fn server_key(&self) -> PathBuf {
        self.root.join("server.key")
    }
    pub fn mail_dir(&self) -> PathBuf {
        self.root.join("mail")
    }

    /// `config.toml` is written last by `init`, so its presence means a complete data dir.
    pub fn is_initialised(&self) -> bool {
        self.config_file().is_file()
    }

    /// Fails with a one-line reason unless the directory was initialised.
    pub fn require_initialised(&self) -> anyhow::Result<()> {
        if !self.root.exists() {
            bail!(
                "data dir {} does not exist: run `kaigo-pki init` first",
                self.root.display()
            );
        }
        if !self.is_initialised() {
            bail!(
                "data dir {} is not initialised: run `kaigo-pki init` first",
                self.root.display()
            );
        }
        Ok(())
    }
}

/// Writes a file readable only by its owner.
pub fn write_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(contents)?;
    f.sync_all()?;
    Ok(())
}
