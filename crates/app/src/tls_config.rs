//! The `[tls]` section: the certificate of the HTTPS listener.

use serde::{Deserialize, Serialize};

/// `[tls]`: the HTTPS listener's certificate.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM certificate chain (server first). Empty: the embedded default under DIR/tls,
    /// issued by our root on first use.
    pub cert_file: String,
    /// PEM private key of the certificate (PKCS#8, RSA or ECDSA).
    pub key_file: String,
}
