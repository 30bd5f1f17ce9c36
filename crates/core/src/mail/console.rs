//! Dead letters in the console: mail the worker gave up on after its last attempt, listed for
//! central operators, who may send one again once the cause (a full mailbox, a relay that was
//! down) is mended.

use std::sync::Arc;

use crate::CoreResult;
use crate::admin::AdminActor;
use crate::audit::AuditAction;
use crate::deps::Deps;
use crate::error::CoreError;
use crate::ids::MailId;
use crate::mail::DeadLetter;

/// At most this many dead letters are listed at once.
pub const LIST_LIMIT: i64 = 200;

#[derive(Clone)]
pub struct MailConsole {
    deps: Arc<Deps>,
}

impl MailConsole {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// The newest dead letters (central operators only).
    pub async fn dead_letters(&self, actor: &AdminActor) -> CoreResult<Vec<DeadLetter>> {
        actor.ensure_central()?;
        Ok(self.deps.store.dead_letters(LIST_LIMIT).await?)
    }

    /// Queues a dead letter again; `NotFound` when `id` is not one (any more).
    pub async fn retry(&self, actor: &AdminActor, id: MailId) -> CoreResult<()> {
        actor.ensure_central()?;
        if !self.deps.store.requeue_dead_letter(id).await? {
            return Err(CoreError::NotFound);
        }
        self.deps
            .audit(
                &actor.audit_name(),
                AuditAction::AdminMailRetry,
                &format!("mail:{id}"),
                &actor.source,
                "",
            )
            .await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::mail::retry_delay_seconds;

    #[test]
    fn retries_back_off_and_stay_bounded() {
        assert_eq!(retry_delay_seconds(0), 60);
        assert_eq!(retry_delay_seconds(1), 60);
        assert_eq!(retry_delay_seconds(2), 120);
        assert_eq!(retry_delay_seconds(7), 64 * 60);
        assert_eq!(retry_delay_seconds(40), 6 * 3600);
        let total: i64 = (1..8).map(retry_delay_seconds).sum();
        assert!((2 * 3600..3 * 3600).contains(&total), "{total}");
    }
}
