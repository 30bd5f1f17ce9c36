//! One typed configuration, layered: defaults → `config.toml` in the data dir → environment.
//! Validated at start; every message names the value that is wrong.

use std::path::Path;

use anyhow::{Context, bail};
use kaigo_ca::{CaConfig, Pkcs12Profile};
use kaigo_core::account::issuance_password::ZipProtection;
use serde::{Deserialize, Serialize};

use crate::datadir::DataDir;
use crate::env_vars::{env, env_parse};
pub use crate::revocation_config::RevocationConfig;
pub use crate::server_config::{LogConfig, ServerConfig};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppConfig {
    pub database: DatabaseConfig,
    pub ca: CaSection,
    pub portal: PortalConfig,
    pub mail: MailConfig,
    pub workers: WorkersConfig,
    pub fees: FeesConfig,
    pub server: ServerConfig,
    pub documents: DocumentsConfig,
    pub revocation: RevocationConfig,
    pub tls: crate::tls_config::TlsConfig,
    pub hsm: crate::hsm_config::HsmConfig,
    pub audit: AuditConfig,
    pub log: LogConfig,
}

/// `[audit]`: the signed checkpoints of the audit trail.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// Seconds between checkpoints (each node signs one when records were added; and one at
    /// shutdown). Records after the newest checkpoint are not yet anchored.
    pub checkpoint_seconds: u64,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            checkpoint_seconds: 300,
        }
    }
}

/// PDF rendering (typst lays out a whole document in memory, so its work is bounded).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DocumentsConfig {
    /// Offices per combined letters PDF; a larger batch is printed in parts (1 to 2000).
    pub letters_per_pdf: usize,
    /// PDFs rendered at once on this node (1 to 16); others wait their turn.
    pub renders_at_once: usize,
    /// Requests that may wait for a render; one more is answered 503 at once (0 to 1000).
    pub render_queue: usize,
    /// How long a request waits for its render to start before it is answered 503 (1 to 600).
    pub render_wait_seconds: u64,
    /// Encryption of 「証明書発行用パスワード通知書.zip」: `traditional` (default; Windows'
    /// Explorer and the Mac open it without any tool, as the manual says — weak, see
    /// docs/account.md) or `aes256` (strong; needs 7-Zip or similar on the office PC).
    pub password_zip: String,
}

impl Default for DocumentsConfig {
    fn default() -> Self {
        let limits = kaigo_docs::RenderLimits::default();
        Self {
            letters_per_pdf: kaigo_core::deps::DEFAULT_LETTERS_PER_PDF,
            renders_at_once: limits.permits,
            render_queue: limits.max_waiting,
            render_wait_seconds: limits.wait.as_secs(),
            password_zip: "traditional".into(),
        }
    }
}

impl DocumentsConfig {
    pub fn render_limits(&self) -> kaigo_docs::RenderLimits {
        kaigo_docs::RenderLimits {
            permits: self.renders_at_once,
            max_waiting: self.render_queue,
            wait: std::time::Duration::from_secs(self.render_wait_seconds),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeesConfig {
    /// Fee charged for each issued 介護保険証明書, yen, tax included.
    pub hoken_fee_yen: i64,
}

impl Default for FeesConfig {
    fn default() -> Self {
        Self {
            hoken_fee_yen: kaigo_core::fee::DEFAULT_HOKEN_FEE_YEN,
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// Empty: the embedded SQLite file in the data dir. Otherwise `postgres://…` or `sqlite://…`.
    pub url: String,
    /// Instead of `url`: a file holding it (mode 0600), so that a password in the URL is not
    /// written here; env `KAIGO_PKI_DATABASE_URL_FILE`.
    pub url_file: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaSection {
    pub validity_months: u32,
    /// Base URL under which relying parties reach `/ca/…` and `/ocsp`; the CRL, OCSP and
    /// caIssuers URLs in certificates are derived from it.
    pub public_url: String,
    /// `modern` (AES-256-CBC, PBKDF2-HMAC-SHA256, HMAC-SHA256) or `compat` (3DES, SHA-1 MAC).
    pub pkcs12_profile: String,
    pub pkcs12_iterations: u32,
    /// Put the root certificate in the office's PKCS#12 file (the manual's 「はい」 to the
    /// root warning installs it); `false` where the root reaches PCs another way.
    pub pkcs12_include_root: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PortalConfig {
    /// Mark cookies `Secure`; turn on when the portal is served over TLS.
    pub secure_cookies: bool,
    pub session_idle_minutes: i64,
    /// Wrong password entries before a lock (login, issuance password, admin login). The
    /// portal's texts state the public record's values (3 entries, 30 minutes): change these
    /// only together with them.
    pub lockout_threshold: i64,
    /// How long a lock lasts.
    pub lockout_minutes: i64,
    /// The helpdesk line printed in notices and mail (問い合わせ先).
    pub helpdesk: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    pub from: String,
    /// Empty: mail is written as `.eml` files under DIR/mail (the embedded default).
    /// Otherwise an SMTP URL: `smtp://host:25`, `smtp://host:587?tls=required`,
    /// `smtps://user:password@host:465`.
    pub smtp_url: String,
    /// Instead of `smtp_url`: a file holding it (mode 0600); env `KAIGO_PKI_SMTP_URL_FILE`.
    pub smtp_url_file: String,
    /// Where `.eml` files go when there is no SMTP URL. Empty: `mail/` in the data dir.
    /// Nodes of one service may share one directory: each mail keeps one file there.
    pub spool_dir: String,
    /// Seconds a node holds a mail it is sending before another node may take it over
    /// (10 to 3600); each SMTP conversation is cut off at half of it, 30 s at most.
    pub lease_seconds: i64,
    /// Attempts before a mail becomes a dead letter (listed in the console under メール);
    /// the wait between attempts doubles from one minute, at most six hours (1 to 30).
    pub max_attempts: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkersConfig {
    /// Certificates built at once; 0 means one per CPU core.
    pub issuance_concurrency: usize,
    /// Seconds an application being built stays this node's without renewal (5 to 3600);
    /// the node renews it every third of that, so a node that died hands its jobs over
    /// after at most this long.
    pub job_lease_seconds: i64,
}

impl Default for WorkersConfig {
    fn default() -> Self {
        Self {
            issuance_concurrency: 0,
            job_lease_seconds: kaigo_core::deps::Settings::default().job_lease_seconds,
        }
    }
}

impl Default for CaSection {
    fn default() -> Self {
        Self {
            validity_months: 36,
            public_url: "http://127.0.0.1:8080".into(),
            pkcs12_profile: "modern".into(),
            pkcs12_iterations: kaigo_ca::DEFAULT_PKCS12_ITERATIONS,
            pkcs12_include_root: true,
        }
    }
}

impl Default for PortalConfig {
    fn default() -> Self {
        let defaults = kaigo_core::deps::Settings::default();
        Self {
            secure_cookies: false,
            session_idle_minutes: 30,
            lockout_threshold: defaults.lockout_threshold,
            lockout_minutes: defaults.lockout_seconds / 60,
            helpdesk: defaults.helpdesk,
        }
    }
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            from: "電子請求受付システム <noreply@e-seikyuu.invalid>".into(),
            smtp_url: String::new(),
            smtp_url_file: String::new(),
            max_attempts: kaigo_core::mail::DEFAULT_MAX_ATTEMPTS,
            spool_dir: String::new(),
            lease_seconds: 120,
        }
    }
}

/// A URL that may carry a password: from `variable`, or from the file `variable_FILE` or the
/// `…_file` setting names. Only the file's path is ever written back to `config.toml`.
fn resolve_secret_url(
    variable: &str,
    key: &str,
    url: &mut String,
    file: &mut String,
) -> anyhow::Result<()> {
    let file_variable = format!("{variable}_FILE");
    match (env(variable), env(&file_variable)) {
        (Some(_), Some(_)) => bail!("both {variable} and {file_variable} are set: keep one"),
        (Some(v), None) => {
            *url = v;
            file.clear();
        }
        (None, Some(path)) => {
            *file = path;
            url.clear();
        }
        (None, None) => {
            if !url.is_empty() && !file.is_empty() {
                bail!("{key} and {key}_file are both set in config.toml: keep one");
            }
        }
    }
    if !file.is_empty() {
        *url = crate::secret_env::read_secret_file(&format!("{key}_file"), Path::new(file))?;
    }
    Ok(())
}

impl AppConfig {
    /// Reads `config.toml` (if present) and applies `KAIGO_PKI_*` environment overrides.
    pub fn load(dir: &DataDir) -> anyhow::Result<Self> {
        Self::from_file(&dir.config_file())?.with_env()
    }

    /// The defaults with the `KAIGO_PKI_*` variables applied (no data dir): what a benchmark
    /// compares against must use the same values as the data dirs it creates.
    pub fn defaults_with_env() -> anyhow::Result<Self> {
        Self::default().with_env()
    }

    /// Applies the `KAIGO_PKI_*` variables and validates.
    fn with_env(self) -> anyhow::Result<Self> {
        let mut cfg = self;
        resolve_secret_url(
            "KAIGO_PKI_DATABASE_URL",
            "database.url",
            &mut cfg.database.url,
            &mut cfg.database.url_file,
        )?;
        resolve_secret_url(
            "KAIGO_PKI_SMTP_URL",
            "mail.smtp_url",
            &mut cfg.mail.smtp_url,
            &mut cfg.mail.smtp_url_file,
        )?;
        if let Some(v) = env("KAIGO_PKI_PUBLIC_URL") {
            cfg.ca.public_url = v;
        }
        if let Some(v) = env("KAIGO_PKI_PKCS12_PROFILE") {
            cfg.ca.pkcs12_profile = v;
        }
        env_parse("KAIGO_PKI_PKCS12_ITERATIONS", &mut cfg.ca.pkcs12_iterations)?;
        env_parse("KAIGO_PKI_VALIDITY_MONTHS", &mut cfg.ca.validity_months)?;
        env_parse("KAIGO_PKI_SECURE_COOKIES", &mut cfg.portal.secure_cookies)?;
        env_parse(
            "KAIGO_PKI_ISSUANCE_CONCURRENCY",
            &mut cfg.workers.issuance_concurrency,
        )?;
        env_parse("KAIGO_PKI_HOKEN_FEE_YEN", &mut cfg.fees.hoken_fee_yen)?;
        env_parse("KAIGO_PKI_MAIL_MAX_ATTEMPTS", &mut cfg.mail.max_attempts)?;
        cfg.server.apply_env()?;
        cfg.log.apply_env();
        cfg.hsm.apply_env();
        if let Some(v) = env("KAIGO_PKI_PASSWORD_ZIP") {
            cfg.documents.password_zip = v;
        }
        env_parse(
            "KAIGO_PKI_LETTERS_PER_PDF",
            &mut cfg.documents.letters_per_pdf,
        )?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn from_file(path: &Path) -> anyhow::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text)
                .with_context(|| format!("invalid configuration in {}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        if !(1..=20).contains(&self.portal.lockout_threshold) {
            bail!("portal.lockout_threshold must be between 1 and 20");
        }
        if !(1..=24 * 60).contains(&self.portal.lockout_minutes) {
            bail!("portal.lockout_minutes must be between 1 and 1440");
        }
        if self.portal.helpdesk.trim().is_empty() || self.portal.helpdesk.chars().count() > 200 {
            bail!("portal.helpdesk must be 1 to 200 characters");
        }
        if !(0..=10_000_000).contains(&self.fees.hoken_fee_yen) {
            bail!("fees.hoken_fee_yen must be between 0 and 10000000");
        }
        self.server.validate()?;
        self.log.validate()?;
        self.revocation.validate()?;
        self.hsm.validate()?;
        if self.audit.checkpoint_seconds == 0 {
            bail!("[audit] checkpoint_seconds must be at least 1");
        }
        let docs = &self.documents;
        if !(1..=kaigo_docs::MAX_LETTERS_PER_PDF).contains(&docs.letters_per_pdf) {
            bail!(
                "documents.letters_per_pdf must be between 1 and {}",
                kaigo_docs::MAX_LETTERS_PER_PDF
            );
        }
        if !(1..=16).contains(&docs.renders_at_once) {
            bail!("documents.renders_at_once must be between 1 and 16");
        }
        if docs.render_queue > 1000 {
            bail!("documents.render_queue must be between 0 and 1000");
        }
        if ZipProtection::from_code(&docs.password_zip).is_none() {
            bail!(
                "documents.password_zip must be \"traditional\" or \"aes256\" (got {:?})",
                docs.password_zip
            );
        }
        if !(1..=600).contains(&docs.render_wait_seconds) {
            bail!("documents.render_wait_seconds must be between 1 and 600");
        }
        self.ca_config()?
            .validate()
            .map_err(|e| anyhow::anyhow!("ca: {e}"))?;
        if !(1..=24 * 60).contains(&self.portal.session_idle_minutes) {
            bail!("portal.session_idle_minutes must be between 1 and 1440");
        }
        if !(10..=3600).contains(&self.mail.lease_seconds) {
            bail!("mail.lease_seconds must be between 10 and 3600");
        }
        if !(5..=3600).contains(&self.workers.job_lease_seconds) {
            bail!("workers.job_lease_seconds must be between 5 and 3600");
        }
        if !(1..=30).contains(&self.mail.max_attempts) {
            bail!("mail.max_attempts must be between 1 and 30");
        }
        let smtp = &self.mail.smtp_url;
        if !smtp.is_empty() && !smtp.starts_with("smtp://") && !smtp.starts_with("smtps://") {
            bail!("mail.smtp_url must start with smtp:// or smtps:// (got a value that does not)");
        }
        let url = &self.database.url;
        if !url.is_empty()
            && !url.starts_with("sqlite:")
            && !url.starts_with("postgres://")
            && !url.starts_with("postgresql://")
        {
            bail!("database.url must start with sqlite: or postgres:// (got {url:?})");
        }
        Ok(())
    }

    /// The CA's configuration derived from this one.
    pub fn ca_config(&self) -> anyhow::Result<CaConfig> {
        let iterations = self.ca.pkcs12_iterations;
        let pkcs12 = match self.ca.pkcs12_profile.as_str() {
            "modern" => Pkcs12Profile::Modern { iterations },
            "compat" => Pkcs12Profile::Compat { iterations },
            other => bail!("ca.pkcs12_profile must be \"modern\" or \"compat\" (got {other:?})"),
        };
        let urls = kaigo_core::certificate::ca_files::PublicUrls::under(&self.ca.public_url);
        Ok(CaConfig {
            validity_months: self.ca.validity_months,
            crl_url: urls.crl,
            ocsp_url: urls.ocsp,
            ca_issuers_url: urls.ca_issuers,
            root_crl_url: urls.root_crl,
            root_cert_url: urls.root_cert,
            pkcs12,
            pkcs12_include_root: self.ca.pkcs12_include_root,
            ..CaConfig::default()
        })
    }

    pub fn database_url(&self, dir: &DataDir) -> String {
        if self.database.url.is_empty() {
            format!("sqlite://{}", dir.database().display())
        } else {
            self.database.url.clone()
        }
    }

    /// Where the `.eml` spool is.
    pub fn mail_spool(&self, dir: &DataDir) -> std::path::PathBuf {
        if self.mail.spool_dir.is_empty() {
            dir.mail_dir()
        } else {
            std::path::PathBuf::from(&self.mail.spool_dir)
        }
    }

    /// The SMTP conversation's limit: half the mail lease, at most 30 s.
    pub fn smtp_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs((self.mail.lease_seconds / 2).clamp(1, 30) as u64)
    }

    pub fn issuance_concurrency(&self) -> usize {
        match self.workers.issuance_concurrency {
            0 => std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            n => n,
        }
    }

    /// The file `init` writes: every setting with its default, so operators see what exists.
    pub fn to_toml(&self) -> String {
        // A URL read from a file stays in the file: only its path is written.
        let mut written = self.clone();
        if !written.database.url_file.is_empty() {
            written.database.url.clear();
        }
        if !written.mail.smtp_url_file.is_empty() {
            written.mail.smtp_url.clear();
        }
        let body = toml::to_string_pretty(&written).unwrap_or_default();
        format!(
            "# kaigo-pki configuration. Environment variables KAIGO_PKI_* override these values.\n{body}"
        )
    }
}
