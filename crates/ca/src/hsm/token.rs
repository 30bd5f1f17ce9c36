//! One PKCS#11 token (an HSM, or SoftHSM2 in tests) opened by this process: the module, the
//! slot found by token label, the user login, and a pool of sessions so that signing on
//! several worker threads does not queue behind one session.
//!
//! PKCS#11 login state belongs to the process, not to a session: one session (the keeper) is
//! held open for the token's lifetime so that the login is never dropped by the pool running
//! empty, and a signer that finds the token logged out logs in again.

use std::path::PathBuf;
use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error, RvError};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use kaigo_core::error::PkiError;
use secrecy::{ExposeSecret, SecretString};

use crate::error::CaError;

/// Where the token is and how to log in. The PIN comes from an environment variable or a file
/// (see the app's `[hsm]` settings), never from the command line.
#[derive(Clone)]
pub struct TokenConfig {
    /// The vendor's PKCS#11 module, e.g. `/usr/lib/softhsm/libsofthsm2.so`.
    pub module: PathBuf,
    /// The token label (CKA_LABEL of the token, as `pkcs11-tool -L` shows it).
    pub token_label: String,
    /// The user PIN.
    pub pin: SecretString,
}

impl std::fmt::Debug for TokenConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenConfig")
            .field("module", &self.module)
            .field("token_label", &self.token_label)
            .finish_non_exhaustive()
    }
}

/// An opened, logged-in token.
pub struct Token {
    ctx: Pkcs11,
    slot: Slot,
    label: String,
    pin: SecretString,
    /// Holds the process's login for as long as the token is open.
    keeper: Mutex<Session>,
    /// Set once the token refused the PIN: no further login is tried (each try counts toward
    /// the token's PIN lock, shared by every node) until the process restarts.
    pin_refused: std::sync::atomic::AtomicBool,
    /// The last readiness probe: when, and its outcome.
    probed: Mutex<Option<(std::time::Instant, Result<(), String>)>>,
    /// Idle sessions for signing; one is taken per signature and given back.
    idle: Mutex<Vec<Session>>,
    /// SoftHSM 2.6 races object creation against concurrent searches: key generation and
    /// lookups by label take this lock (signing with a found key does not).
    objects: Mutex<()>,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

/// A PKCS#11 error in words an operator can act on.
pub(crate) fn explain(what: &str, e: &Error) -> CaError {
    let hint = match e {
        Error::Pkcs11(RvError::PinIncorrect, _) => " (wrong PIN)",
        Error::Pkcs11(RvError::PinLocked, _) => " (the PIN is locked: unlock it with the SO PIN)",
        Error::Pkcs11(RvError::TokenNotPresent | RvError::DeviceRemoved, _) => {
            " (the token is not present)"
        }
        Error::Pkcs11(RvError::DeviceError | RvError::DeviceMemory, _) => " (device error)",
        _ => "",
    };
    CaError::Token(format!("{what}: {e}{hint}"))
}

impl Token {
    /// Loads the module, finds the token by label and logs in. Each failure names what to
    /// check: the module path, the token label, the PIN.
    pub fn open(cfg: &TokenConfig) -> Result<Self, CaError> {
        if !cfg.module.is_file() {
            return Err(CaError::Token(format!(
                "the PKCS#11 module {} does not exist (check [hsm] module)",
                cfg.module.display()
            )));
        }
        let ctx = Pkcs11::new(&cfg.module).map_err(|e| {
            CaError::Token(format!(
                "cannot load the PKCS#11 module {}: {e}",
                cfg.module.display()
            ))
        })?;
        match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            // Another token object of this process initialised the module already.
            Ok(()) | Err(Error::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => return Err(explain("the PKCS#11 module did not initialise", &e)),
        }
        let slots = ctx
            .get_slots_with_initialized_token()
            .map_err(|e| explain("cannot list the token slots", &e))?;
        let mut found = Vec::new();
        for slot in slots {
            let info = ctx
                .get_token_info(slot)
                .map_err(|e| explain("cannot read a token's label", &e))?;
            if info.label() == cfg.token_label {
                found.push(slot);
            }
        }
        let slot = match found.as_slice() {
            [one] => *one,
            [] => {
                return Err(CaError::Token(format!(
                    "no token labelled \"{}\" in {} (check [hsm] token_label; `pkcs11-tool \
                     --module {} -L` lists the tokens)",
                    cfg.token_label,
                    cfg.module.display(),
                    cfg.module.display()
                )));
            }
            _ => {
                return Err(CaError::Token(format!(
                    "{} tokens are labelled \"{}\": give the CA's token a unique label",
                    found.len(),
                    cfg.token_label
                )));
            }
        };
        let keeper = ctx
            .open_ro_session(slot)
            .map_err(|e| explain("cannot open a session", &e))?;
        let token = Self {
            ctx,
            slot,
            label: cfg.token_label.clone(),
            pin: cfg.pin.clone(),
            keeper: Mutex::new(keeper),
            idle: Mutex::new(Vec::new()),
            objects: Mutex::new(()),
            probed: Mutex::new(None),
            pin_refused: std::sync::atomic::AtomicBool::new(false),
        };
        token.login()?;
        Ok(token)
    }

    /// The token label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Logs the process in (again); being logged in already is success.
    pub(crate) fn login(&self) -> Result<(), CaError> {
        use std::sync::atomic::Ordering;
        if self.pin_refused.load(Ordering::Relaxed) {
            return Err(CaError::Token(format!(
                "token \"{}\" refused the PIN earlier; not trying again (fix the PIN and restart)",
                self.label
            )));
        }
        let keeper = self.keeper.lock().unwrap_or_else(|p| p.into_inner());
        let pin = AuthPin::new(self.pin.expose_secret().into());
        match keeper.login(UserType::User, Some(&pin)) {
            Ok(()) | Err(Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
            Err(e) => {
                if matches!(
                    e,
                    Error::Pkcs11(RvError::PinIncorrect | RvError::PinLocked, _)
                ) {
                    self.pin_refused.store(true, Ordering::Relaxed);
                }
                Err(explain(
                    &format!("cannot log in to token \"{}\"", self.label),
                    &e,
                ))
            }
        }
    }

    /// After the token lost every session (an HSM reset or failover): a new kept session, an
    /// empty pool (its sessions are dead too), and the login again.
    pub(crate) fn reopen(&self) -> Result<(), CaError> {
        let fresh = self
            .ctx
            .open_ro_session(self.slot)
            .map_err(|e| explain("cannot open a session", &e))?;
        *self.keeper.lock().unwrap_or_else(|p| p.into_inner()) = fresh;
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).clear();
        self.login()
    }

    /// Whether the token still answers with this process logged in (for `/readyz`).
    pub fn check(&self) -> Result<(), CaError> {
        let keeper = self.keeper.lock().unwrap_or_else(|p| p.into_inner());
        let info = keeper.get_session_info();
        drop(keeper);
        let info = match info {
            Ok(info) => info,
            Err(Error::Pkcs11(RvError::SessionHandleInvalid | RvError::SessionClosed, _)) => {
                return self.reopen();
            }
            Err(e) => {
                return Err(explain(
                    &format!("token \"{}\" does not answer", self.label),
                    &e,
                ));
            }
        };
        if matches!(
            info.session_state(),
            cryptoki::session::SessionState::RoUser | cryptoki::session::SessionState::RwUser
        ) {
            Ok(())
        } else {
            self.login()
        }
    }

    /// Readiness: the token answers, the process is logged in, and `signer` (a key in this
    /// token) makes a real signature — a token that keeps its session but lost its key store
    /// fails here, not at the next application. At most one probe a second reaches the token,
    /// however often `/readyz` is asked; callers in between get the last outcome.
    pub fn probe_signer(&self, signer: &dyn crate::signer::CaSigner) -> Result<(), PkiError> {
        self.probe(|| {
            self.check().map_err(|e| PkiError::Key(e.to_string()))?;
            signer.sign(b"kaigo-pki readiness probe").map(drop)
        })
    }

    fn probe(&self, probe: impl FnOnce() -> Result<(), PkiError>) -> Result<(), PkiError> {
        // A probe in progress (a slow token): answer with the last outcome, do not queue.
        let mut last = match self.probed.try_lock() {
            Ok(guard) => guard,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => {
                return Err(PkiError::Key("a readiness probe is still running".into()));
            }
        };
        let fresh = last
            .as_ref()
            .filter(|(at, _)| at.elapsed() < std::time::Duration::from_secs(1));
        let outcome = match fresh {
            Some((_, outcome)) => outcome.clone(),
            None => {
                let outcome = probe().map_err(|e| match e {
                    PkiError::Key(m) => m,
                    other => other.to_string(),
                });
                *last = Some((std::time::Instant::now(), outcome.clone()));
                outcome
            }
        };
        outcome.map_err(PkiError::Key)
    }

    /// An idle session, or a new read-only one (signing needs no more).
    pub(crate) fn take_session(&self) -> Result<Session, CaError> {
        if let Some(s) = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop() {
            return Ok(s);
        }
        self.ctx
            .open_ro_session(self.slot)
            .map_err(|e| explain("cannot open a session", &e))
    }

    /// Gives a healthy session back to the pool.
    pub(crate) fn give_back(&self, session: Session) {
        self.idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(session);
    }

    /// A read-write session for creating objects, with the object lock held.
    pub(crate) fn rw_session(&self) -> Result<(Session, std::sync::MutexGuard<'_, ()>), CaError> {
        let guard = self.objects.lock().unwrap_or_else(|p| p.into_inner());
        let session = self
            .ctx
            .open_rw_session(self.slot)
            .map_err(|e| explain("cannot open a read-write session", &e))?;
        Ok((session, guard))
    }

    /// The object lock, for lookups that may run while another thread creates objects.
    pub(crate) fn objects_lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.objects.lock().unwrap_or_else(|p| p.into_inner())
    }
}
