//! A CA key inside a PKCS#11 token, as a [`CaSigner`]: generated in the token (sensitive,
//! never extractable, sign-only), found again by its label, used through the token's session
//! pool. The private key never leaves the token; only the public key is read.

use std::sync::{Arc, Mutex};

use cryptoki::error::{Error, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use kaigo_core::error::PkiError;

use crate::error::CaError;
use crate::hsm::token::{Token, explain};
use crate::signer::{CaSigner, SignatureAlgorithm};

/// An RSA private key in the token.
pub struct Pkcs11Signer {
    token: Arc<Token>,
    label: String,
    /// RFC 8017 RSAPublicKey DER, read from the public key object.
    public_der: Vec<u8>,
    /// The private key's handle (handles are shared by the sessions of one process); found
    /// again if the token says it is stale.
    handle: Mutex<ObjectHandle>,
}

impl std::fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("token", &self.token.label())
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

fn find_one(
    session: &Session,
    class: ObjectClass,
    label: &str,
) -> Result<Option<ObjectHandle>, Error> {
    let found = session.find_objects(&[
        Attribute::Class(class),
        Attribute::Label(label.as_bytes().to_vec()),
    ])?;
    Ok(match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    })
}

fn rsa_public_der(session: &Session, public: ObjectHandle) -> Result<Vec<u8>, CaError> {
    let (mut n, mut e) = (Vec::new(), Vec::new());
    for a in session
        .get_attributes(
            public,
            &[AttributeType::Modulus, AttributeType::PublicExponent],
        )
        .map_err(|err| explain("cannot read the public key", &err))?
    {
        match a {
            Attribute::Modulus(v) => n = v,
            Attribute::PublicExponent(v) => e = v,
            _ => {}
        }
    }
    let rsa = openssl::rsa::Rsa::from_public_components(
        openssl::bn::BigNum::from_slice(&n).map_err(|err| CaError::Key(err.to_string()))?,
        openssl::bn::BigNum::from_slice(&e).map_err(|err| CaError::Key(err.to_string()))?,
    )
    .map_err(|err| CaError::Key(err.to_string()))?;
    rsa.public_key_to_der_pkcs1()
        .map_err(|err| CaError::Key(err.to_string()))
}

/// Every OCSP responder key's label in the token starts so (and no CA key's does).
pub(crate) const RESPONDER_LABEL_PREFIX: &str = "e-seikyuu-ocsp-";

impl Pkcs11Signer {
    /// Generates an RSA key pair of `bits` in the token under `label`: the private key is
    /// sensitive, never extractable and may only sign. Refuses a label already in use, so a
    /// ceremony never shadows an existing key.
    pub fn generate(token: Arc<Token>, label: &str, bits: usize) -> Result<Self, CaError> {
        let (session, guard) = token.rw_session()?;
        let existing = session
            .find_objects(&[Attribute::Label(label.as_bytes().to_vec())])
            .map_err(|e| explain("cannot search the token", &e))?;
        if !existing.is_empty() {
            return Err(CaError::Token(format!(
                "token \"{}\" already holds an object labelled \"{label}\"; choose another label",
                token.label()
            )));
        }
        let mut id = [0u8; 16];
        aws_lc_rs::rand::fill(&mut id).map_err(|_| CaError::Key("no randomness".into()))?;
        let public_template = [
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Verify(true),
            Attribute::Encrypt(false),
            Attribute::Wrap(false),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Id(id.to_vec()),
            Attribute::ModulusBits((bits as u64).into()),
            Attribute::PublicExponent(vec![0x01, 0x00, 0x01]),
        ];
        let private_template = [
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
            Attribute::Decrypt(false),
            Attribute::Unwrap(false),
            Attribute::Derive(false),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Id(id.to_vec()),
        ];
        let (public, private) = session
            .generate_key_pair(
                &Mechanism::RsaPkcsKeyPairGen,
                &public_template,
                &private_template,
            )
            .map_err(|e| explain(&format!("cannot generate the key \"{label}\""), &e))?;
        let public_der = rsa_public_der(&session, public)?;
        drop(guard);
        Ok(Self {
            token,
            label: label.to_owned(),
            public_der,
            handle: Mutex::new(private),
        })
    }

    /// Destroys the key pair labelled `label` (every object under that label) and returns how
    /// many objects went. Only OCSP responder keys may be destroyed this way: they are
    /// renewed every few weeks and would otherwise pile up; a CA key never is.
    pub fn destroy_responder(token: &Token, label: &str) -> Result<usize, CaError> {
        if !label.starts_with(RESPONDER_LABEL_PREFIX) {
            return Err(CaError::Token(format!(
                "refusing to destroy \"{label}\": only OCSP responder keys are destroyed"
            )));
        }
        let (session, guard) = token.rw_session()?;
        let found = session
            .find_objects(&[Attribute::Label(label.as_bytes().to_vec())])
            .map_err(|e| explain("cannot search the token", &e))?;
        for handle in &found {
            session
                .destroy_object(*handle)
                .map_err(|e| explain(&format!("cannot destroy \"{label}\""), &e))?;
        }
        drop(guard);
        Ok(found.len())
    }

    /// The key labelled `label` in the token (exactly one private and one public key).
    pub fn find(token: Arc<Token>, label: &str) -> Result<Self, CaError> {
        let session = token.take_session()?;
        let found = {
            let _guard = token.objects_lock();
            let private = find_one(&session, ObjectClass::PRIVATE_KEY, label)
                .map_err(|e| explain("cannot search the token", &e))?;
            let public = find_one(&session, ObjectClass::PUBLIC_KEY, label)
                .map_err(|e| explain("cannot search the token", &e))?;
            (private, public)
        };
        let (Some(private), Some(public)) = found else {
            return Err(CaError::Token(format!(
                "token \"{}\" holds no single key pair labelled \"{label}\"",
                token.label()
            )));
        };
        let public_der = rsa_public_der(&session, public)?;
        token.give_back(session);
        Ok(Self {
            token,
            label: label.to_owned(),
            public_der,
            handle: Mutex::new(private),
        })
    }

    /// The key's label in the token.
    pub fn label(&self) -> &str {
        &self.label
    }

    fn handle(&self) -> ObjectHandle {
        *self.handle.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn refind(&self, session: &Session) -> Result<(), Error> {
        let _guard = self.token.objects_lock();
        if let Some(h) = find_one(session, ObjectClass::PRIVATE_KEY, &self.label)? {
            *self.handle.lock().unwrap_or_else(|p| p.into_inner()) = h;
        }
        Ok(())
    }

    /// One signature; on a stale handle, a lost login or a dead session the step is redone
    /// once, then the token's error is the answer.
    fn sign_once(&self, message: &[u8], retry: bool) -> Result<Vec<u8>, CaError> {
        let session = self.token.take_session()?;
        match session.sign(&Mechanism::Sha256RsaPkcs, self.handle(), message) {
            Ok(sig) => {
                self.token.give_back(session);
                Ok(sig)
            }
            Err(e) if retry => {
                match e {
                    Error::Pkcs11(RvError::ObjectHandleInvalid | RvError::KeyHandleInvalid, _) => {
                        // Handles of private keys die with the login (a logout anywhere in
                        // the process, or the HSM ending it): log in again, then find the key.
                        self.token.login()?;
                        self.refind(&session)
                            .map_err(|e| explain("cannot find the key again", &e))?;
                        self.token.give_back(session);
                    }
                    Error::Pkcs11(RvError::UserNotLoggedIn, _) => {
                        self.token.give_back(session);
                        // The kept session may be gone with the login (an HSM reset).
                        if self.token.login().is_err() {
                            self.token.reopen()?;
                        }
                    }
                    // Every session gone (a reset or failover): start over with new ones.
                    Error::Pkcs11(
                        RvError::SessionHandleInvalid
                        | RvError::SessionClosed
                        | RvError::DeviceRemoved
                        | RvError::TokenNotPresent,
                        _,
                    ) => {
                        drop(session);
                        self.token.reopen()?;
                    }
                    // Anything else: this session is not reused.
                    _ => drop(session),
                }
                self.sign_once(message, false)
            }
            Err(e) => Err(explain(
                &format!("signing with \"{}\" failed", self.label),
                &e,
            )),
        }
    }
}

impl CaSigner for Pkcs11Signer {
    fn public_key_der(&self) -> &[u8] {
        &self.public_der
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::RsaPkcs1Sha256
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, PkiError> {
        self.sign_once(message, true)
            .map_err(|e| PkiError::Key(e.to_string()))
    }
}
