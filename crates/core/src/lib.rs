//! kaigo-core: the domain of kaigo-pki — offices, certificates, notices — with its policies,
//! its use cases (services) and the traits through which it reaches storage and keys.
//! It depends on no web framework, database driver or crypto library implementation.

pub mod account;
pub mod actor;
pub mod admin;
pub mod assist;
pub mod audit;
pub mod certificate;
pub mod clock;
pub mod deps;
pub mod document;
pub mod error;
pub mod fee;
pub mod health;
pub mod ids;
pub mod inquiry;
pub mod mail;
pub mod notice;
pub mod observe;
pub mod office;
pub mod revocation;

pub mod services;
pub mod store;
pub mod submission;
pub mod text;

pub use error::{CoreError, CoreResult, PkiError, RepoError, ValidationError};
