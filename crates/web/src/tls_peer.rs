//! What the TLS listener tells the handlers about the connection.

/// The certificates the client presented in the TLS handshake, leaf first (DER). The
/// listener requests them but accepts any: the 「証明書の確認」 page judges them itself, so
/// that a bad certificate gets an explanation instead of a TLS error.
#[derive(Clone, Debug)]
pub struct PeerCertificates(pub Vec<Vec<u8>>);

/// Marks a request that arrived over the HTTPS listener.
#[derive(Clone, Copy, Debug)]
pub struct OverTls;
