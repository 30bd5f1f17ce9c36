//! The embedded default's HTTPS certificate, issued by the root at the operator's request
//! (`serve --tls-listen` when none is configured): the root key must be in the CA directory.

use std::path::Path;

use aws_lc_rs::signature::KeyPair as _;
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

use crate::constraints::Planned;
use crate::error::CaError;
use crate::hsm::CaKeys;
use crate::profile::{self, Common};
use crate::serial::random_serial;
use crate::signer::RsaPublicKey;
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
    keys: &CaKeys,
    hosts: &[String],
) -> Result<TlsServerCert, CaError> {
    let crate::root_key::Root {
        der: root_der,
        facts: root,
        key: root_key,
    } = crate::root_key::open_root(dir, keys)?;

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
    let der = builder::sign(&params, &public, &root_der, root_key.as_ref())?;
    root.check_issued(&der)?;
    let pkcs8 = keys::pkcs8_der(&key)?;
    Ok(TlsServerCert {
        chain_pem: format!("{}{}", cert::der_to_pem(&der), cert::der_to_pem(&root_der)),
        key_pem: Zeroizing::new(keyfile::pem_encode("PRIVATE KEY", &pkcs8)),
    })
}
