//! kaigo-ca: the certificate authority "e-seikyuu CA".
//!
//! * [`init_ca`] creates the root and the issuing CA (the key ceremony).
//! * [`FileCa`] loads them and implements the core's
//!   [`CertificateFactory`](kaigo_core::certificate::pki::CertificateFactory): it generates an office key,
//!   issues the certificate and packs key, certificate and chain into a PKCS#12 file.
//! * [`CaSigner`] is the seam for the CA key: [`FileKeySigner`] today, a PKCS#11 token later.
//! * [`ServerKeySealer`] implements [`SecretSealer`](kaigo_core::certificate::pki::SecretSealer) for the
//!   issuance password in the queue.
//!
//! The certificate profile and its reasons are in `docs/certificate-profile.md`.

pub mod aia;
mod audit_key;
mod bench;
mod builder;
pub mod ceremony;
mod cert;
mod compat;
mod config;
mod constraints;
mod crl;
mod der;
mod error;
mod file_ca;
pub mod files;
mod generations;
pub mod hsm;
mod init;
mod keyfile;
mod keys;
mod names;
mod ocsp;
mod ocsp_request;
mod pkcs12;
mod pkcs12_attrs;
pub mod policy;
mod profile;
mod responder_key;
mod root_crl;
mod root_key;
mod sealer;
mod serial;
mod signer;
mod status;
#[cfg(test)]
mod test_support;
mod tls_server;
mod validity;

pub use audit_key::{AUDIT_KEY_BITS, AuditKey};
pub use bench::{
    PKCS12_KDF_RUNS_PER_FILE, bench_keygen_and_pkcs12, bench_pkcs12_build, bench_pkcs12_kdf,
    bench_rsa2048_keygen,
};
pub use cert::{CertSummary, fingerprint_sha256, subject_der};
pub use config::{
    CaConfig, DEFAULT_KEY_FILE_ITERATIONS, DEFAULT_PKCS12_ITERATIONS, MAX_PKCS12_ITERATIONS,
    NET_LOADER_ITERATIONS, Pkcs12Profile,
};
pub use constraints::MIN_RSA_BITS;
pub use error::CaError;
pub use file_ca::FileCa;
pub use init::{CaSummary, MIN_PASSPHRASE_CHARS, init_ca, init_ca_with};
pub use names::{COUNTRY, ISSUING_CN, ORGANIZATION, ROOT_CN};
pub use ocsp_request::ocsp_request;
pub use pkcs12_attrs::CSP_NAME;
pub use profile::{
    ISSUING_KEY_BITS, ISSUING_VALIDITY_MONTHS, OFFICE_KEY_BITS, ROOT_KEY_BITS, ROOT_VALIDITY_MONTHS,
};
pub use root_crl::{
    ROOT_CRL_DAYS, Recertified, RootCrlSummary, crl_facts, recertify_issuing, resign_root_crl,
};
pub use sealer::{KEY_LEN as SEALER_KEY_LEN, ServerKeySealer};
pub use serial::SERIAL_LEN;
pub use signer::{CaSigner, FileKeySigner, SignatureAlgorithm};
pub use status::RESPONDER_KEY_BITS;
pub use tls_server::{TLS_SERVER_DAYS, TlsServerCert, issue_tls_server};
pub use validity::{CLOCK_SKEW_ALLOWANCE, Validity, add_months_jst};
