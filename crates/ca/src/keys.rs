//! RSA key generation and export (aws-lc-rs). Private key bytes only ever leave aws-lc as
//! PKCS#8 DER in a buffer that is zeroized on drop.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeySize};
use kaigo_core::error::PkiError;
use zeroize::Zeroizing;

/// A fresh RSA key of `bits` (2048, 3072 or 4096), public exponent 65537.
pub(crate) fn generate_rsa(bits: usize) -> Result<RsaKeyPair, PkiError> {
    let size = match bits {
        2048 => KeySize::Rsa2048,
        3072 => KeySize::Rsa3072,
        4096 => KeySize::Rsa4096,
        _ => return Err(PkiError::Key(format!("unsupported RSA size {bits}"))),
    };
    RsaKeyPair::generate(size).map_err(|_| PkiError::Key("RSA key generation failed".into()))
}

/// The private key as unencrypted PKCS#8 DER.
pub(crate) fn pkcs8_der(key: &RsaKeyPair) -> Result<Zeroizing<Vec<u8>>, PkiError> {
    let der = key
        .as_der()
        .map_err(|_| PkiError::Key("PKCS#8 encoding failed".into()))?;
    Ok(Zeroizing::new(der.as_ref().to_vec()))
}
