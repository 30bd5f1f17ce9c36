//! Every node must hold the same server key: it seals the issuance passwords waiting in the
//! queue and the OCSP responder keys, which any node may have to open. A node provisioned with
//! another key would find out only when it took an office's application. So the database keeps
//! a known text sealed under the key of the first node that started, and every node opens it
//! at start.

use crate::deps::Deps;
use crate::error::{CoreError, CoreResult};

/// The text sealed as the check. Not a secret: only the key that seals it is.
const CHECK_TEXT: &[u8] = b"kaigo-pki server key check v1";

/// What the check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerKeyCheck {
    /// This node's key opens what the database holds.
    Matches,
    /// The database held no check yet; this node's key is now the one every node must have.
    Recorded,
}

/// Opens the database's sealed check with this node's key, or records it on first start.
/// Refuses (with what to do) when the key is another one.
pub async fn check_server_key(deps: &Deps) -> CoreResult<ServerKeyCheck> {
    let outcome = match deps.store.server_key_check().await? {
        Some(sealed) => {
            opens(deps, &sealed)?;
            ServerKeyCheck::Matches
        }
        None => {
            let sealed = deps.sealer.seal(CHECK_TEXT)?;
            // Two first nodes at once: one insert wins, and both verify what was kept.
            let recorded = deps
                .store
                .record_server_key_check(&sealed, deps.clock.unix())
                .await?;
            let kept = deps
                .store
                .server_key_check()
                .await?
                .ok_or_else(|| CoreError::Refused("the server key check vanished".into()))?;
            opens(deps, &kept)?;
            if recorded {
                ServerKeyCheck::Recorded
            } else {
                ServerKeyCheck::Matches
            }
        }
    };
    Ok(outcome)
}

fn opens(deps: &Deps, sealed: &[u8]) -> CoreResult<()> {
    match deps.sealer.open(sealed) {
        Ok(text) if text.as_slice() == CHECK_TEXT => Ok(()),
        _ => Err(CoreError::Refused(
            "this node's server key does not match the database: it seals what every node must \
             open (queued issuance passwords, OCSP responder keys). Copy server.key from a node \
             already serving this database into this node's data dir (mode 0600); do not \
             generate a new one"
                .into(),
        )),
    }
}
