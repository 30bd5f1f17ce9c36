//! 「Mac・古いWindows用のファイル」: an office's stored PKCS#12 file, opened with its password
//! and rebuilt in the compat profile (3DES, SHA-1 MAC) for Macs and Windows before 10 1709.

use kaigo_core::error::PkiError;
use secrecy::{ExposeSecret, SecretString};

use crate::file_ca::FileCa;
use crate::pkcs12;

impl FileCa {
    pub(crate) fn compat_file(
        &self,
        stored: &[u8],
        password: &SecretString,
    ) -> Result<Vec<u8>, PkiError> {
        let pw = password.expose_secret();
        if pw.is_empty() || pw.contains('\0') {
            return Err(PkiError::Pkcs12("wrong password".into()));
        }
        let parsed = openssl::pkcs12::Pkcs12::from_der(stored)
            .and_then(|p| p.parse2(pw))
            .map_err(|_| PkiError::Pkcs12("wrong password".into()))?;
        let (Some(key), Some(cert)) = (parsed.pkey, parsed.cert) else {
            return Err(PkiError::Pkcs12(
                "the file holds no key or certificate".into(),
            ));
        };
        let friendly_name = cert
            .alias()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .unwrap_or_else(|| "e-seikyuu".to_owned());
        let key_pkcs8 = zeroize::Zeroizing::new(
            key.private_key_to_pkcs8()
                .map_err(|e| PkiError::Pkcs12(e.to_string()))?,
        );
        let cert_der = cert.to_der().map_err(|e| PkiError::Pkcs12(e.to_string()))?;
        pkcs12::build(
            &pkcs12::Contents {
                key_pkcs8: &key_pkcs8,
                cert_der: &cert_der,
                chain: self.file_chain(),
                friendly_name: &friendly_name,
            },
            pw,
            &crate::config::Pkcs12Profile::Compat {
                iterations: self.config().pkcs12.iterations(),
            },
        )
    }
}
