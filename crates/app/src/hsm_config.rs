//! The `[hsm]` section: CA keys in a PKCS#11 token instead of encrypted files.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use kaigo_ca::hsm::{Token, TokenConfig};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// `[hsm]`: empty `module` means the keys are files.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HsmConfig {
    /// The PKCS#11 module (e.g. `/usr/lib/softhsm/libsofthsm2.so`); env `KAIGO_PKI_HSM_MODULE`.
    pub module: String,
    /// The token's label; env `KAIGO_PKI_HSM_TOKEN`.
    pub token_label: String,
    /// A file holding the user PIN (mode 0600). The PIN may instead be given in the
    /// environment as `KAIGO_PKI_HSM_PIN`; never on the command line or in this file.
    pub pin_file: String,
}

impl HsmConfig {
    pub fn enabled(&self) -> bool {
        !self.module.is_empty()
    }

    pub(crate) fn apply_env(&mut self) {
        if let Ok(v) = std::env::var("KAIGO_PKI_HSM_MODULE") {
            self.module = v;
        }
        if let Ok(v) = std::env::var("KAIGO_PKI_HSM_TOKEN") {
            self.token_label = v;
        }
        if let Ok(v) = std::env::var("KAIGO_PKI_HSM_PIN_FILE") {
            self.pin_file = v;
        }
    }

    pub(crate) fn validate(&self) -> anyhow::Result<()> {
        if self.enabled() && self.token_label.is_empty() {
            bail!("[hsm] token_label is required when [hsm] module is set");
        }
        Ok(())
    }

    fn pin(&self) -> anyhow::Result<SecretString> {
        if let Some(v) = crate::secret_env::secret("KAIGO_PKI_HSM_PIN")? {
            return Ok(v);
        }
        if self.pin_file.is_empty() {
            bail!("the HSM PIN is not available: set KAIGO_PKI_HSM_PIN or [hsm] pin_file");
        }
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&self.pin_file)
                .with_context(|| format!("[hsm] pin_file {}", self.pin_file))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                bail!(
                    "[hsm] pin_file {} is readable by others (mode {:o}): chmod 600 it",
                    self.pin_file,
                    mode & 0o777
                );
            }
        }
        let text = zeroize::Zeroizing::new(
            std::fs::read_to_string(&self.pin_file)
                .with_context(|| format!("[hsm] pin_file {}", self.pin_file))?,
        );
        let pin = text.trim();
        if pin.is_empty() {
            bail!("[hsm] pin_file {} is empty", self.pin_file);
        }
        Ok(SecretString::from(pin.to_owned()))
    }

    /// Opens and logs in to the token.
    pub fn open(&self) -> anyhow::Result<Arc<Token>> {
        let token = Token::open(&TokenConfig {
            module: PathBuf::from(&self.module),
            token_label: self.token_label.clone(),
            pin: self.pin()?,
        })?;
        tracing::info!(token = %self.token_label, module = %self.module, "HSM token opened");
        Ok(Arc::new(token))
    }
}
