//! kaigo-jobs: background work that runs inside `kaigo-pki serve` — the issuance queue, the
//! mail outbox, session cleanup and the CRL/OCSP publication. Each worker is a component with `spawn` and stops when the
//! shutdown signal flips.

pub mod audit;
pub mod issuance;
pub mod mail;
pub mod renewal;
pub mod revocation;
pub mod sweeper;

use tokio::sync::watch;

/// The receiving end of the shutdown signal; `true` means stop.
pub type Shutdown = watch::Receiver<bool>;

/// Waits for `dur` or until shutdown; returns true when shutting down.
pub(crate) async fn sleep_or_stop(shutdown: &mut Shutdown, dur: std::time::Duration) -> bool {
    if *shutdown.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(dur) => *shutdown.borrow(),
        _ = shutdown.changed() => true,
    }
}
