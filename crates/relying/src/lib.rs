//! kaigo-relying: what a service that admits e-seikyuu CA certificates needs.
//!
//! * [`Verifier`] checks a client certificate as the manual's 参考 section asks an office to
//!   check it, and as a relying party must: chain to the e-seikyuu root, validity period,
//!   revocation (OCSP at the certificate's responder, the CRL at its distribution point when
//!   OCSP does not answer), and the kind (介護DX証明書 / 介護保険証明書) by certificate policy.
//! * [`Report`] is the result, with the verdict in plain Japanese and what to do next; the
//!   check page, `kaigo-pki verify` and the example services print the same words.
//! * [`Fetch`] is how the verifier reaches OCSP and CRLs: over HTTP for a relying party, or
//!   inside the CA itself for its own check page.

mod fetch;
mod input;
mod report;
pub mod service;
pub mod tls;
mod verifier;

pub use fetch::{Fetch, HttpFetch};
pub use input::{Loaded, load_certificate};
pub use report::{Report, RevocationSource, Verdict};
pub use verifier::Verifier;
