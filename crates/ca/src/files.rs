//! File names inside the CA directory.

/// Root certificate, PEM.
pub const ROOT_CERT: &str = "root.crt.pem";
/// Root key, encrypted PKCS#8 PEM. Needed only to certify a new issuing CA: move it
/// offline after the ceremony.
pub const ROOT_KEY: &str = "root.key.pem";
/// Issuing CA certificate, PEM.
pub const ISSUING_CERT: &str = "issuing.crt.pem";
/// Issuing CA key, encrypted PKCS#8 PEM.
pub const ISSUING_KEY: &str = "issuing.key.pem";
/// Instead of the issuing key file when the key is in a PKCS#11 token: token and label.
pub const ISSUING_KEY_REF: &str = "issuing-key.pkcs11";
/// Instead of the root key file when the key is in a PKCS#11 token: token and label.
pub const ROOT_KEY_REF: &str = "root-key.pkcs11";
/// A new issuing CA key waiting for its certificate from the root (`ca request-issuing`).
pub const NEXT_ISSUING_KEY: &str = "issuing-next.key.pem";
/// As [`NEXT_ISSUING_KEY`], when the key is in a PKCS#11 token.
pub const NEXT_ISSUING_KEY_REF: &str = "issuing-next-key.pkcs11";
/// The certificate signing request of the waiting key: carry it to the root.
pub const NEXT_ISSUING_CSR: &str = "issuing-next.csr.pem";
/// The audit key, encrypted like the CA keys (made at the first checkpoint).
pub const AUDIT_KEY: &str = "audit.key.pem";
/// Instead of the audit key file when the key is in a PKCS#11 token.
pub const AUDIT_KEY_REF: &str = "audit-key.pkcs11";
/// The audit key's public half, PEM, for auditors.
pub const AUDIT_PUBLIC: &str = "audit.pub.pem";
/// The generation of the issuing CA in this directory (a number; absent means 1). Written
/// when a rollover installs a new issuing CA.
pub const GENERATION: &str = "generation";
/// Earlier issuing CAs, each in `previous/<generation>/` with its certificate and key (or key
/// reference) under the usual names: they sign their CRLs and OCSP responders until they end.
pub const PREVIOUS_DIR: &str = "previous";
/// Issuing CA then root, PEM: the order a TLS server sends a chain in.
pub const CHAIN: &str = "chain.pem";
/// The root's CRL (DER), signed at the ceremony and again with `kaigo-pki ca root-crl`.
pub const ROOT_CRL: &str = "root.crl.der";
