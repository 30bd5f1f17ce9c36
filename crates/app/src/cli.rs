//! The command-line contract. Operators, scripts and our own checks rely on these names.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "kaigo-pki",
    version,
    about = "Certificate service of the 介護電子請求受付システム (e-seikyuu CA)"
)]
pub struct Cli {
    /// Data directory: database, CA keys, mail spool, configuration.
    #[arg(
        long,
        global = true,
        env = "KAIGO_PKI_DATA_DIR",
        default_value = "./data"
    )]
    pub data_dir: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create the database and the CA hierarchy (root and `e-seikyuu CA`) in the data dir.
    /// With --root-cert and --root-crl the root stays on its offline machine: the data dir
    /// takes its public files and makes the issuing CA's key and request (see `ca`).
    Init {
        /// The offline root's certificate (root.crt.pem from `ca root-init`).
        #[arg(long, requires = "root_crl")]
        root_cert: Option<PathBuf>,
        /// The offline root's CRL (root.crl.der from `ca root-init`).
        #[arg(long, requires = "root_cert")]
        root_crl: Option<PathBuf>,
    },
    /// Manage offices (介護事業所).
    Office {
        #[command(subcommand)]
        command: OfficeCommand,
    },
    /// Check a certificate as a relying party would (.p12, PEM or DER): 発行先, 発行者,
    /// 有効期限, kind and office, the chain to the root and revocation (OCSP, then the CRL).
    /// Exits 0 only when the certificate is usable.
    Verify {
        /// The certificate file.
        file: PathBuf,
        /// The .p12 file's password (証明書発行用パスワード); or KAIGO_PKI_P12_PASSWORD.
        #[arg(long, env = "KAIGO_PKI_P12_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Ask this kaigo-pki server (e.g. http://ca.example.jp) instead of the URLs in the
        /// certificate; the CA certificates come from it too unless --root is given.
        #[arg(long)]
        url: Option<String>,
        /// The root certificate to trust (PEM or DER).
        #[arg(long)]
        root: Option<PathBuf>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Run an example relying service over mutual TLS: `eligibility` (資格確認, admits both
    /// kinds) or `claims` (請求, admits the 介護保険証明書 only).
    Relying {
        #[arg(long)]
        service: String,
        #[arg(long, default_value = "127.0.0.1:9443")]
        listen: SocketAddr,
        /// The CA's public URL (its /ca/ certificates).
        #[arg(long)]
        ca_url: String,
        /// The root certificate to trust (default: fetched from --ca-url; compare the printed
        /// fingerprint).
        #[arg(long)]
        root: Option<PathBuf>,
    },
    /// Serve the portal and run the background workers.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Also serve HTTPS here, requesting a client certificate (the 「証明書の確認」 page).
        #[arg(long)]
        tls_listen: Option<SocketAddr>,
        /// Serve Prometheus `/metrics` here (overrides `server.metrics_listen`).
        #[arg(long)]
        metrics_listen: Option<SocketAddr>,
    },
    /// Quick start: initialise the data dir and a demo office if needed, then serve.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Also serve HTTPS here, requesting a client certificate (the 「証明書の確認」 page).
        #[arg(long)]
        tls_listen: Option<SocketAddr>,
    },
    /// Post notices (お知らせ) to offices.
    Notice {
        #[command(subcommand)]
        command: NoticeCommand,
    },
    /// Certificate issuance fees (発行手数料).
    Fee {
        #[command(subcommand)]
        command: FeeCommand,
    },
    /// Issued certificates: list and revoke.
    Cert {
        #[command(subcommand)]
        command: CertCommand,
    },
    /// CA key ceremonies: the offline root, the issuing CA's request and certificate, the
    /// root CRL, the OCSP responder (docs/KEY-CEREMONY.md).
    Ca {
        #[command(subcommand)]
        command: CaCommand,
    },
    /// The audit trail: sign a checkpoint, verify the chain and checkpoints, export for an
    /// auditor.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Admin accounts of the console (国保中央会 and 国保連合会).
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// The AIチャット of お問い合わせ: measure it on its question set.
    Assist {
        #[command(subcommand)]
        command: crate::assist_eval::AssistCommand,
    },
    /// Measure throughput against the machine's own limits.
    Bench {
        #[command(subcommand)]
        command: crate::bench_cli::BenchCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum OfficeCommand {
    /// Register an office and print its user ID and passwords.
    Add {
        /// 事業所番号 (10 digits).
        #[arg(long)]
        number: String,
        /// 事業所名.
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        kind: OfficeKindArg,
        #[arg(long)]
        email: Option<String>,
        /// Prefecture code 01–47 of the registering 国保連合会 (default: the first two digits
        /// of the 事業所番号).
        #[arg(long)]
        prefecture: Option<String>,
        /// 郵便番号 of the office, where its letter is mailed (e.g. 100-0001).
        #[arg(long)]
        postal_code: String,
        /// 住所 of the office.
        #[arg(long)]
        address: String,
        /// Print exactly one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Register offices from a CSV file (header: 事業所番号,事業所名,種別,都道府県,郵便番号,
    /// 住所,メールアドレス; UTF-8 or Shift_JIS) and write their letters to one PDF (or one
    /// per part of `documents.letters_per_pdf` offices).
    Import {
        /// The CSV file.
        file: PathBuf,
        /// Import the valid rows even if some rows are bad.
        #[arg(long)]
        valid_only: bool,
        /// Where to write the combined letters PDF (default: FILE-letters.pdf next to FILE);
        /// parts are written as OUT-00001-00500.pdf, ….
        #[arg(long)]
        letters: Option<PathBuf>,
        /// Print exactly one JSON object.
        #[arg(long)]
        json: bool,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum OfficeKindArg {
    Kaigo,
    Careplan,
}

impl OfficeKindArg {
    pub fn code(self) -> &'static str {
        match self {
            Self::Kaigo => "kaigo",
            Self::Careplan => "careplan",
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum NoticeCommand {
    /// Post a notice to all offices (default), one prefecture or one office.
    Add {
        /// タイトル (at most 200 characters).
        #[arg(long)]
        title: String,
        /// カテゴリ: スケジュール|証明書|参考資料|システム関連, or schedule|certificate|reference|system.
        #[arg(long)]
        category: String,
        /// 本文 (paragraphs separated by blank lines).
        #[arg(long, default_value = "")]
        body: String,
        /// Only this office (事業所番号, 10 digits).
        #[arg(long, conflicts_with = "prefecture")]
        office: Option<String>,
        /// Only the offices of this prefecture (01–47).
        #[arg(long)]
        prefecture: Option<String>,
        /// A file to attach (repeatable; at most 10 files of 10 MiB each; PDF, ZIP, text,
        /// images, Office documents, certificates).
        #[arg(long = "attach")]
        attach: Vec<PathBuf>,
        /// Days the notice stays displayed (default: no end).
        #[arg(long)]
        days: Option<u32>,
        /// Print exactly one JSON object.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum FeeCommand {
    /// Record a payment of an office's fee balance.
    Pay {
        /// 事業所番号 (10 digits).
        #[arg(long)]
        office: String,
        /// Amount in yen (positive).
        #[arg(long, allow_negative_numbers = true)]
        amount: i64,
        #[arg(long, value_enum, default_value = "transfer")]
        method: PaymentMethodArg,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum PaymentMethodArg {
    /// Bank transfer (振込).
    Transfer,
    /// Offset against claim payments (相殺).
    Offset,
}

#[derive(Subcommand, Debug)]
pub enum CaCommand {
    /// Offline machine: create the root alone in a new directory (key, certificate, first
    /// CRL). Key from [hsm] env (KAIGO_PKI_HSM_*) or a file under KAIGO_PKI_CA_PASSPHRASE.
    RootInit {
        /// A new or empty directory; it keeps the root key and ceremony.log.
        #[arg(long)]
        out: PathBuf,
    },
    /// Offline machine: certify the issuing CA's request with the root.
    SignIssuing {
        /// The root directory made by `ca root-init`.
        #[arg(long)]
        root_dir: PathBuf,
        /// The request (ca/issuing-next.csr.pem of the serving data dir).
        #[arg(long)]
        csr: PathBuf,
        /// Where to write the issuing CA certificate (PEM); must not exist.
        #[arg(long)]
        out: PathBuf,
        /// The serving nodes' public URL (their [ca] public_url): the certificate names the
        /// root's CRL and certificate under it.
        #[arg(long)]
        public_url: String,
    },
    /// Serving node: make a new issuing CA key (in the token when [hsm] is set) and its
    /// request to the root.
    RequestIssuing,
    /// Serving node: install the root's certificate for the waiting issuing CA key.
    InstallIssuing {
        /// The issuing CA certificate (PEM) from `ca sign-issuing`.
        #[arg(long)]
        cert: PathBuf,
    },
    /// Sign the root's next CRL (a year's validity) with the root key; run it yearly,
    /// before the printed nextUpdate, where the root key is kept.
    RootCrl {
        /// The offline root directory (default: the root key in the data dir).
        #[arg(long)]
        root_dir: Option<PathBuf>,
    },
    /// Serving node: install a root CRL signed on the offline machine.
    InstallRootCrl {
        /// root.crl.der from the root directory.
        #[arg(long)]
        crl: PathBuf,
    },
    /// Issue a new OCSP responder certificate now (serve also renews it by itself).
    OcspResponder,
    /// Re-certify the issuing CA with the root (same key, subject and validity, today's
    /// profile): gives an issuing CA made before CRL/OCSP publication its CRL distribution
    /// point and caIssuers. Restart the nodes afterwards.
    RecertifyIssuing,
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Sign a checkpoint naming the newest record now (`serve` does it every
    /// `[audit] checkpoint_seconds` and at shutdown).
    Checkpoint,
    /// Walk the hash chain and every checkpoint; name the first record altered, deleted,
    /// inserted, reordered or cut off. Exits 1 when the trail is not intact.
    Verify,
    /// Write records.jsonl, checkpoints.jsonl (+ .msg/.sig files), audit.pub.pem and a
    /// verify.py that checks them with Python and OpenSSL alone.
    Export {
        /// A new directory.
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an admin account and print its password and TOTP secret (shown only now).
    Add {
        /// Login name (3–32 letters, digits, '.', '_' or '-').
        #[arg(long)]
        login: String,
        /// central (国保中央会) or federation (国保連合会 of one prefecture).
        #[arg(long)]
        role: String,
        /// Prefecture code 01–47 (federation admins only).
        #[arg(long)]
        prefecture: Option<String>,
        /// Print exactly one JSON object.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum CertCommand {
    /// List issued certificates, newest first.
    List {
        /// Only this office's (事業所番号, 10 digits).
        #[arg(long)]
        office: Option<String>,
        /// Print one JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a certificate (immediately and for good).
    Revoke {
        /// Serial number (hex, case-insensitive, colons allowed).
        serial: String,
        /// RFC 5280 reason: unspecified, keyCompromise, cACompromise, affiliationChanged,
        /// superseded, cessationOfOperation, privilegeWithdrawn, aACompromise.
        #[arg(long)]
        reason: String,
        /// When the key is known or suspected to have been compromised (YYYY-MM-DD, JST);
        /// recorded in the CRL as invalidityDate.
        #[arg(long, default_value = "")]
        invalidity_date: String,
    },
}
