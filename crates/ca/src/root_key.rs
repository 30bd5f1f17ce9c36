//! Opening the encrypted CA key files: the issuing key at every start, the root key at the
//! ceremonies that need it (root CRL, re-certification, the HTTPS certificate).

use std::path::Path;

use secrecy::{ExposeSecret, SecretString};

use crate::constraints::IssuerFacts;
use crate::error::CaError;
use crate::files;
use crate::signer::FileKeySigner;
use crate::{cert, keyfile};

/// Decrypts the PKCS#8 key file at `path` with `passphrase`.
pub(crate) fn open_key_file(
    path: &Path,
    passphrase: &SecretString,
) -> Result<FileKeySigner, CaError> {
    let pem = keyfile::read_secret_file(path)?;
    let pem = std::str::from_utf8(&pem)
        .map_err(|_| CaError::Key(format!("{} is not a PEM file", path.display())))?;
    let pkcs8 = keyfile::decrypt_pkcs8_pem(pem, passphrase.expose_secret().as_bytes(), path)?;
    Ok(FileKeySigner::from_pkcs8_der(&pkcs8)?)
}

/// The root as a ceremony uses it: its certificate and its key, checked to belong together.
pub(crate) struct Root {
    pub der: Vec<u8>,
    pub facts: IssuerFacts,
    pub key: FileKeySigner,
}

/// Reads the root certificate and decrypts the root key in the CA directory `dir`.
pub(crate) fn open_root(dir: &Path, passphrase: &SecretString) -> Result<Root, CaError> {
    let path = dir.join(files::ROOT_CERT);
    let pem = std::fs::read_to_string(&path).map_err(|e| CaError::io(path, e))?;
    let der = cert::pem_to_der(&pem)?;
    let facts = IssuerFacts::from_der(&der)?;
    let key = open_key_file(&dir.join(files::ROOT_KEY), passphrase)?;
    facts.check_signer(&key)?;
    Ok(Root { der, facts, key })
}
