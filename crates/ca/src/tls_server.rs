//! The embedded default's HTTPS certificate, issued by the root at the operator's request
//! (`serve --tls-listen` when none is configured): the root key must be in the CA directory.

use std::path::Path;

use aws_lc_rs::signature::KeyPair as _;
use secrecy::{ExposeSecret, SecretString};
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

use crate::constraints::{IssuerFacts, Planned};
use crate::error::CaError;
use crate::files;
use crate::profile::{self, Common};
use crate::serial::random_serial;
use crate::signer::{FileKeySigner, RsaPublicKey};
use crate::validity::{Validity, to_cert_time};
use crate::{builder, cert, keyfile, keys};

/// How long the HTTPS certificate lives.
pub const TLS_SERVER_DAYS: i64 = 365;

/// A certificate chain (server, root; PEM) and its unencrypted PKCS#8 key (PEM).
pub struct TlsServerCert {
    pub chain_pem: String,
    pub key_pem: Zeroizing<String>,
}

/// Issues an HTTPS server certificate for `hosts` (names or addresses) under the root in
/// `dir`, whose key `passphrase` opens.
pub fn issue_tls_server(
    dir: &Path,
    passphrase: &SecretString,
    hosts: &[String],
) -> Result<TlsServerCert, CaError> {
    let root_path = dir.join(files::ROOT_CERT);
    let root_pem = std::fs::read_to_string(&root_path).map_err(|e| CaError::io(root_path, e))?;
    let root_der = cert::pem_to_der(&root_pem)?;
    let root = IssuerFacts::from_der(&root_der)?;
    let key_path = dir.join(files::ROOT_KEY);
    let key_pem = keyfile::read_secret_file(&key_path)?;
    let key_pem = std::str::from_utf8(&key_pem)
        .map_err(|_| CaError::Key(format!("{} is not a PEM file", key_path.display())))?;
    let pkcs8 =
        keyfile::decrypt_pkcs8_pem(key_pem, passphrase.expose_secret().as_bytes(), &key_path)?;
    let root_key = FileKeySigner::from_pkcs8_der(&pkcs8)?;
    root.check_signer(&root_key)?;

    let now = OffsetDateTime::now_utc();
    let validity = Validity {
        not_before: to_cert_time(now - Duration::minutes(5)),
        not_after: to_cert_time(now + Duration::days(TLS_SERVER_DAYS)),
    };
    let key = keys::generate_rsa(2048)?;
    let public = RsaPublicKey(key.public_key().as_ref().to_vec());
    root.permit(
        &Planned {
            is_ca: false,
            validity,
            policies: &[],
            key_bits: 2048,
        },
        now,
    )?;
    let params = profile::tls_server(
        &Common {
            validity,
            serial: &random_serial()?,
            public_key: &public.0,
        },
        hosts,
    )?;
    let der = builder::sign(&params, &public, &root_der, &root_key)?;
    root.check_issued(&der)?;
    let pkcs8 = keys::pkcs8_der(&key)?;
    Ok(TlsServerCert {
        chain_pem: format!("{}{}", cert::der_to_pem(&der), cert::der_to_pem(&root_der)),
        key_pem: Zeroizing::new(keyfile::pem_encode("PRIVATE KEY", &pkcs8)),
    })
}
