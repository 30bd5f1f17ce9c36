//! TLS for services that admit e-seikyuu CA certificates. The handshake *requests* a client
//! certificate, names the acceptable issuers (so browsers offer the right one) and checks the
//! client's handshake signature (it holds the key it presents), but leaves judging the
//! certificate to the [`Verifier`](crate::Verifier): a revoked or foreign certificate then
//! gets a clear answer instead of a TLS alert no user can read.

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};

/// The client-certificate policy of the handshake: request (`mandatory`: require) one from
/// the CAs named by `hints` (DER subject names), accept whatever comes.
pub fn request_client_certificate(
    hints: Vec<DistinguishedName>,
    mandatory: bool,
    algorithms: WebPkiSupportedAlgorithms,
) -> Arc<dyn ClientCertVerifier> {
    Arc::new(RequestClientCertificate {
        hints,
        mandatory,
        algorithms,
    })
}

/// Requests a client certificate, names the CAs whose certificates it wants, accepts any
/// (the handshake signature is still checked: the client holds the key it presents).
#[derive(Debug)]
struct RequestClientCertificate {
    hints: Vec<DistinguishedName>,
    mandatory: bool,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for RequestClientCertificate {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
