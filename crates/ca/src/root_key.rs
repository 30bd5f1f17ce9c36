//! Opening the encrypted CA key files: the issuing key at every start, the root key at the
//! ceremonies that need it (root CRL, re-certification, the HTTPS certificate).

use std::path::Path;

use crate::cert;
use crate::constraints::IssuerFacts;
use crate::error::CaError;
use crate::files;
use crate::hsm::{CaKeys, KeyRole};
use crate::signer::CaSigner;

/// The root as a ceremony uses it: its certificate and its key, checked to belong together.
pub(crate) struct Root {
    pub der: Vec<u8>,
    pub facts: IssuerFacts,
    pub key: Box<dyn CaSigner>,
}

/// Reads the root certificate and opens the root key of the CA directory `dir` (a file or a
/// key in the token).
pub(crate) fn open_root(dir: &Path, keys: &CaKeys) -> Result<Root, CaError> {
    let path = dir.join(files::ROOT_CERT);
    let pem = std::fs::read_to_string(&path).map_err(|e| CaError::io(path, e))?;
    let der = cert::pem_to_der(&pem)?;
    let facts = IssuerFacts::from_der(&der)?;
    if !CaKeys::exists(dir, KeyRole::Root) {
        return Err(CaError::Ceremony(format!(
            "the root key is not in {}: with an offline root, run this step on the root \
             machine with --root-dir (see docs/KEY-CEREMONY.md)",
            dir.display()
        )));
    }
    let key = keys.open(dir, KeyRole::Root)?;
    facts.check_signer(key.as_ref())?;
    Ok(Root { der, facts, key })
}
