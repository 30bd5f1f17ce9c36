//! Errors of the domain layer. The web layer maps them to status codes and Japanese messages.

use thiserror::Error;

/// One invalid input, with the field it concerns and a message for the user (Japanese).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: &'static str,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// Failure of a repository implementation.
#[derive(Debug, Error)]
pub enum RepoError {
    /// A uniqueness rule was violated (e.g. a 事業所番号 registered twice).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A new row would repeat a unique key; which one, so that the caller can react (draw
    /// another user ID, or tell that the 事業所番号 is taken).
    #[error("duplicate {0:?}")]
    Duplicate(Unique),
    #[error("not found")]
    NotFound,
    /// The backend failed; the text is for the log, never for the user.
    #[error("storage backend: {0}")]
    Backend(String),
}

/// Why a document could not be rendered.
#[derive(Debug, Error)]
pub enum RenderError {
    /// The node renders one document at a time and its queue is full: try again later.
    #[error("the document renderer is busy; retry after {retry_after} s")]
    Busy { retry_after: u64 },
    /// Anything else (the text is for the log).
    #[error("rendering failed: {0}")]
    Failed(String),
}

/// The unique keys a registration can collide on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unique {
    OfficeNumber,
    UserId,
}

/// Failure inside the certificate factory or a signer.
#[derive(Debug, Error)]
pub enum PkiError {
    #[error("key: {0}")]
    Key(String),
    #[error("certificate: {0}")]
    Certificate(String),
    #[error("pkcs12: {0}")]
    Pkcs12(String),
    #[error("policy: {0}")]
    Policy(String),
    #[error("seal: {0}")]
    Seal(String),
}

/// Failure of a mail transport.
#[derive(Debug, Error)]
#[error("mail: {0}")]
pub struct MailError(pub String);

/// Errors that services return.
#[derive(Debug, Error)]
pub enum CoreError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("not found")]
    NotFound,
    /// A state rule forbids the action; the message is for the user.
    #[error("refused: {0}")]
    Refused(String),
    #[error(transparent)]
    Repo(#[from] RepoError),
    #[error(transparent)]
    Pki(#[from] PkiError),
    #[error("password hashing: {0}")]
    Hash(String),
    #[error(transparent)]
    Render(#[from] RenderError),
}

pub type CoreResult<T> = Result<T, CoreError>;

/// What every persistence call returns.
pub type RepoResult<T> = Result<T, RepoError>;
