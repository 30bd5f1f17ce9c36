//! Errors of the CA crate. Issuance reports [`PkiError`] (the core trait's error); setting up or
//! loading the CA reports [`CaError`], which says which file or value is at fault.

use std::path::PathBuf;

use kaigo_core::error::PkiError;
use thiserror::Error;

/// Failure while creating, loading or configuring the CA.
#[derive(Debug, Error)]
pub enum CaError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The passphrase does not decrypt the key file. (A damaged file looks the same to the
    /// decryption, which is why the file is named.)
    #[error("wrong CA passphrase for {path} (or the key file is damaged)")]
    WrongPassphrase { path: PathBuf },
    /// `init_ca` refuses to write into a directory that already holds files, so that an
    /// existing CA can never be overwritten by accident.
    #[error("{0} is not empty; init_ca writes a new CA into an empty directory")]
    DirectoryNotEmpty(PathBuf),
    /// A configuration value is unusable; the message names it.
    #[error("invalid CA configuration: {0}")]
    Config(String),
    /// A key could not be generated, parsed or encoded.
    #[error("key: {0}")]
    Key(String),
    /// The PKCS#11 token (HSM) cannot be used: module, token, PIN or key; the message says
    /// which and what to check.
    #[error("HSM: {0}")]
    Token(String),
    /// A ceremony step does not fit the state of the CA directory; the message says what
    /// to do first.
    #[error("{0}")]
    Ceremony(String),
    /// A CA certificate could not be built, parsed or does not fit its role.
    #[error("certificate: {0}")]
    Certificate(String),
}

impl CaError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<PkiError> for CaError {
    fn from(e: PkiError) -> Self {
        match e {
            PkiError::Key(m) => Self::Key(m),
            other => Self::Certificate(other.to_string()),
        }
    }
}

impl From<CaError> for PkiError {
    fn from(e: CaError) -> Self {
        match e {
            CaError::Key(m) => Self::Key(m),
            CaError::Certificate(m) => Self::Certificate(m),
            CaError::Config(m) => Self::Policy(m),
            other => Self::Key(other.to_string()),
        }
    }
}
