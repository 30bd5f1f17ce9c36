//! kaigo-core: the domain of kaigo-pki — offices, certificates, notices — with its policies,
//! its use cases (services) and the traits through which it reaches storage and keys.
//! It depends on no web framework, database driver or crypto library implementation.

pub mod certificate;
pub mod clock;
pub mod error;
pub mod fee_admin;
pub mod fees;
pub mod ids;
pub mod mail;
pub mod notice;
pub mod notice_admin;
pub mod office;
pub mod office_admin;
pub mod password;
pub mod pki;
pub mod prefectures;
pub mod repo;
pub mod security_mail;
pub mod service;
pub mod terms;
pub mod text;

pub use error::{CoreError, CoreResult, PkiError, RepoError, ValidationError};
pub mod admin;
pub mod audit_search;
pub mod cert_admin;
pub mod faq;
pub mod inquiry_admin;
pub mod portal;
pub mod revocation;
pub mod totp;
