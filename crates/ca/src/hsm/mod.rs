//! CA keys in a PKCS#11 token (HSM), beside the encrypted key files: [`CaKeys`] says where a
//! data dir's keys are, and every use of a CA key (issuing, CRLs, OCSP responders, ceremonies)
//! opens it through here.
//!
//! A key in the token is recorded in the CA directory by a small reference file
//! (`issuing-key.pkcs11`, `root-key.pkcs11`) naming the token and the key label: no secret,
//! and a node started without the token configured says exactly what it misses.

mod ca_keys;
mod new_key;
pub mod signer;
pub mod token;

pub use ca_keys::{CaKeys, KeyRole, key_token};
pub use new_key::NewKey;
pub use signer::Pkcs11Signer;
pub use token::{Token, TokenConfig};
