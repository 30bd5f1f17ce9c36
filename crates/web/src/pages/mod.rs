//! Handlers, one module per part of the manual. Each calls services; none touches storage.

pub mod certificate;
pub mod chat;
pub mod check;
pub mod dx;
pub mod flow;
pub mod help;
pub mod inquiry;
pub mod issuance_password;
pub mod login;
pub mod misc;
pub mod notices;
pub mod password_reset;
pub mod settings;
