//! Key ceremonies beyond `init`, for a root kept on an offline machine:
//!
//! 1. `root` — the root alone in a directory of the offline machine;
//! 2. `request` — the issuing CA's key on the serving node (file or token) and its CSR;
//! 3. `issuing` — the root certifies the request (and `init` certifies its own key);
//! 4. `install` — the serving node takes the root's files and the issuing certificate.
//!
//! The offline steps log to the root directory's `ceremony.log`; the serving steps are
//! recorded in the audit trail by the application.

mod install;
mod issuing;
mod log;
mod request;
mod root;

pub use install::{InstalledIssuing, adopt_root, install_issuing, install_root_crl};
pub(crate) use issuing::certify_key;
pub use issuing::{CertifiedIssuing, ISSUED_DIR, certify_request};
pub use log::CEREMONY_LOG;
pub use request::{IssuingRequest, request_issuing};
pub use root::{MIN_PASSPHRASE_CHARS, create_offline_root, resign_offline_root_crl};
pub(crate) use root::{check_passphrase, keep_root, make_root, require_empty};

#[cfg(test)]
mod tests;
