//! Turns certificate parameters into signed DER through a [`CaSigner`]. This is the only place
//! rcgen signs, so every signature goes through the signer trait (file key today, HSM later).

use kaigo_core::error::PkiError;
use rcgen::{CertificateParams, Issuer, PublicKeyData};

use crate::signer::{CaSigner, RcgenKey};

/// Signs `params` for `subject_key` as the CA whose certificate is `issuer_der`. The issuer
/// name, key identifier and key usages are taken from that certificate, byte for byte, so the
/// new certificate chains to it exactly.
pub(crate) fn sign(
    params: &CertificateParams,
    subject_key: &impl PublicKeyData,
    issuer_der: &[u8],
    signer: &dyn CaSigner,
) -> Result<Vec<u8>, PkiError> {
    let issuer = Issuer::from_ca_cert_der(&issuer_der.into(), RcgenKey::new(signer))
        .map_err(|e| PkiError::Certificate(format!("reading the issuer certificate: {e}")))?;
    params
        .signed_by(subject_key, &issuer)
        .map(|c| c.der().to_vec())
        .map_err(|e| {
            issuer
                .key()
                .take_failure()
                .unwrap_or_else(|| PkiError::Certificate(e.to_string()))
        })
}

/// Signs a self-signed (root) certificate with `signer`'s own key.
pub(crate) fn self_sign(
    params: &CertificateParams,
    signer: &dyn CaSigner,
) -> Result<Vec<u8>, PkiError> {
    let key = RcgenKey::new(signer);
    params
        .self_signed(&key)
        .map(|c| c.der().to_vec())
        .map_err(|e| {
            key.take_failure()
                .unwrap_or_else(|| PkiError::Certificate(e.to_string()))
        })
}
