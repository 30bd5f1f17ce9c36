//! [`CaKeys`]: where a data dir's CA keys are, and opening the key of a role from there.

use std::path::Path;
use std::sync::Arc;

use secrecy::SecretString;

use crate::error::CaError;
use crate::files;
use crate::hsm::signer::Pkcs11Signer;
use crate::hsm::token::Token;
use crate::signer::CaSigner;

/// Where the CA keys of a data dir are kept, and what opens them.
#[derive(Clone)]
pub enum CaKeys {
    /// Encrypted PKCS#8 files, opened with the CA passphrase.
    Files(SecretString),
    /// A logged-in PKCS#11 token.
    Token(Arc<Token>),
}

impl std::fmt::Debug for CaKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Files(_) => f.write_str("CaKeys::Files"),
            Self::Token(t) => write!(f, "CaKeys::Token({})", t.label()),
        }
    }
}

/// The CA keys by role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRole {
    Root,
    Issuing,
    /// A new issuing CA key made for a request to the root, not yet certified.
    NextIssuing,
    /// Signs the audit trail's checkpoints; nothing else.
    Audit,
}

impl KeyRole {
    pub(crate) fn key_file(self) -> &'static str {
        match self {
            Self::Root => files::ROOT_KEY,
            Self::Issuing => files::ISSUING_KEY,
            Self::NextIssuing => files::NEXT_ISSUING_KEY,
            Self::Audit => files::AUDIT_KEY,
        }
    }

    pub(crate) fn reference_file(self) -> &'static str {
        match self {
            Self::Root => files::ROOT_KEY_REF,
            Self::Issuing => files::ISSUING_KEY_REF,
            Self::NextIssuing => files::NEXT_ISSUING_KEY_REF,
            Self::Audit => files::AUDIT_KEY_REF,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Root => "root",
            Self::Issuing => "issuing",
            Self::NextIssuing => "new issuing",
            Self::Audit => "audit",
        }
    }

    /// A fresh label for a new key of this role: unique, so a ceremony never collides with
    /// the keys of an earlier one.
    pub fn new_label(self) -> Result<String, CaError> {
        let mut b = [0u8; 4];
        aws_lc_rs::rand::fill(&mut b).map_err(|_| CaError::Key("no randomness".into()))?;
        let role = match self {
            Self::NextIssuing => Self::Issuing,
            other => other,
        };
        Ok(format!("e-seikyuu-{}-{}", role.name(), hex::encode(b)))
    }
}

/// What a reference file says.
struct KeyReference {
    token: String,
    label: String,
}

fn read_reference(path: &Path) -> Result<Option<KeyReference>, CaError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CaError::io(path, e)),
    };
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| CaError::Token(format!("{} has no {name}= line", path.display())))
    };
    Ok(Some(KeyReference {
        token: field("token")?,
        label: field("label")?,
    }))
}

/// The token that holds the key of `role` in the CA directory `dir`, if a reference file says
/// the key is in one.
pub fn key_token(dir: &Path, role: KeyRole) -> Result<Option<String>, CaError> {
    Ok(read_reference(&dir.join(role.reference_file()))?.map(|r| r.token))
}

/// The reference file's text for a key in `token` under `label`.
pub(crate) fn reference_text(token: &str, label: &str) -> String {
    format!(
        "# The key is in a PKCS#11 token; this file holds no secret.\ntoken={token}\nlabel={label}\n"
    )
}

impl CaKeys {
    /// Opens the key of `role` in the CA directory `dir`.
    pub fn open(&self, dir: &Path, role: KeyRole) -> Result<Box<dyn CaSigner>, CaError> {
        let reference = read_reference(&dir.join(role.reference_file()))?;
        match (self, reference) {
            (Self::Token(token), Some(r)) => {
                if r.token != token.label() {
                    return Err(CaError::Token(format!(
                        "the {} key is in token \"{}\", but token \"{}\" is configured",
                        role.name(),
                        r.token,
                        token.label()
                    )));
                }
                Ok(Box::new(Pkcs11Signer::find(token.clone(), &r.label)?))
            }
            (Self::Files(_), Some(r)) => Err(CaError::Token(format!(
                "the {} key is in the PKCS#11 token \"{}\" (label \"{}\"): configure [hsm] \
                 (module, token_label, and the PIN in KAIGO_PKI_HSM_PIN or pin_file)",
                role.name(),
                r.token,
                r.label
            ))),
            (Self::Files(pass), None) => Ok(Box::new(crate::keyfile::open_key_file(
                &dir.join(role.key_file()),
                pass,
            )?)),
            (Self::Token(token), None) => {
                let file = dir.join(role.key_file());
                if !file.exists() {
                    return Err(CaError::io(
                        &file,
                        std::io::Error::from(std::io::ErrorKind::NotFound),
                    ));
                }
                Err(CaError::Token(format!(
                    "the {} key is the file {}, not in token \"{}\": leave [hsm] unset for \
                     this data dir, or move the CA to the token with a key ceremony",
                    role.name(),
                    file.display(),
                    token.label()
                )))
            }
        }
    }

    /// Whether the CA directory `dir` holds a key of `role` (a key file or a reference).
    pub fn exists(dir: &Path, role: KeyRole) -> bool {
        dir.join(role.key_file()).exists() || dir.join(role.reference_file()).exists()
    }

    /// The token, when the keys are in one.
    pub fn token(&self) -> Option<&Arc<Token>> {
        match self {
            Self::Token(t) => Some(t),
            Self::Files(_) => None,
        }
    }
}
