//! The AIチャット as the portal calls it: reads the logged-in office's state and notices (its
//! own rows only, through the office the session belongs to — never anything a question
//! names), decides, composes, and logs the question with personal data removed.

use std::sync::Arc;

use crate::CoreResult;
use crate::account::issuance_password::REISSUE_NOTICE_TITLE;
use crate::account::login::login_key;
use crate::admin::AdminActor;
use crate::assist::compose::{self, Context};
use crate::assist::decide::{self, Candidate, NoticeDoc};
use crate::assist::redact::redact;
use crate::assist::repo::{AssistQuestionRecord, NewAssistQuestion};
use crate::assist::state::{CertFact, OfficeState, PendingFact};
use crate::assist::{MAX_QUESTION_CHARS, Reply};
use crate::audit::AuditAction;
use crate::audit::search::AuditQuery;
use crate::certificate::apply::issuance_key;
use crate::certificate::{ApplicationState, CertKind, CertStatus};
use crate::deps::Deps;
use crate::ids::NoticeId;
use crate::inquiry::help_index::HelpDoc;
use crate::office::Office;
use crate::office::prefectures::{kokuhoren_name, office_prefecture};

/// The newest notices the chat reads for one question.
pub const NOTICES_READ: i64 = 50;
/// At most this many questions are logged per hour (all offices and visitors together); the
/// chat answers beyond it, without logging.
pub const MAX_LOGGED_PER_HOUR: i64 = 5_000;
/// Logged questions are kept this long.
pub const LOG_RETENTION_SECONDS: i64 = 365 * 86_400;
/// The console lists unanswered questions of this many days.
pub const UNANSWERED_DAYS: i64 = 90;
/// Unanswered questions per console page.
pub const PAGE_SIZE: i64 = 50;

#[derive(Clone)]
pub struct AssistService {
    deps: Arc<Deps>,
}

impl AssistService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// Answers a question: `office` is the logged-in office (`None` on the public pages,
    /// which then get no account data). `None` for an empty question.
    pub async fn ask(&self, office: Option<&Office>, question: &str) -> CoreResult<Option<Reply>> {
        let question: String = question.trim().chars().take(MAX_QUESTION_CHARS).collect();
        if question.is_empty() {
            return Ok(None);
        }
        let (state, notices) = self.context_of(office).await?;
        let cx = Context {
            state: state.as_ref(),
            notices: &notices,
            zip_hint: self.deps.settings.password_zip.open_hint(),
        };
        let decision = decide::decide(&question, &notices);
        let reply = compose::reply(&decision, &cx);
        self.log(office, &question, &reply).await?;
        Ok(Some(reply))
    }

    /// The answer for a choice the office picked (`faq:…`, `manual:…`, `outside:…`, or
    /// `notice:<id>` of a notice this office may see). `None` for any other key.
    pub async fn pick(&self, office: Option<&Office>, key: &str) -> CoreResult<Option<Reply>> {
        let (state, notices) = self.context_of(office).await?;
        let candidate = match key.strip_prefix("notice:") {
            Some(id) => {
                let Ok(id) = id.parse::<i64>() else {
                    return Ok(None);
                };
                match notices.iter().position(|n| n.id == NoticeId(id)) {
                    Some(i) => Candidate::Notice(i),
                    None => return Ok(None),
                }
            }
            None => match HelpDoc::from_key(key) {
                Some(doc) => Candidate::Help(doc),
                None => return Ok(None),
            },
        };
        let cx = Context {
            state: state.as_ref(),
            notices: &notices,
            zip_hint: self.deps.settings.password_zip.open_hint(),
        };
        Ok(Some(compose::picked(candidate, &cx)))
    }

    async fn context_of(
        &self,
        office: Option<&Office>,
    ) -> CoreResult<(Option<OfficeState>, Vec<NoticeDoc>)> {
        match office {
            Some(o) => {
                let notices = self.notices(o).await?;
                let state = self.state(o, &notices).await?;
                Ok((Some(state), notices))
            }
            None => Ok((None, Vec::new())),
        }
    }

    /// The newest notices this office may see.
    async fn notices(&self, office: &Office) -> CoreResult<Vec<NoticeDoc>> {
        let now = self.deps.clock.unix();
        Ok(self
            .deps
            .store
            .notices_for_office(office, now, NOTICES_READ, 0)
            .await?
            .into_iter()
            .map(|v| NoticeDoc {
                id: v.notice.id,
                title: v.notice.title,
                body: v.notice.body,
                // When it was shown: its start, or a later update (as the list orders them).
                created_at: v.notice.updated_at.max(v.notice.start_at),
                read: v.read,
            })
            .collect())
    }

    /// The office's state, from its own rows.
    pub async fn state(&self, office: &Office, notices: &[NoticeDoc]) -> CoreResult<OfficeState> {
        let d = &self.deps;
        let now = d.clock.unix();
        let mut certificates = Vec::new();
        let mut pending = Vec::new();
        for kind in [CertKind::KaigoHoken, CertKind::KaigoDx] {
            let certs = d.store.certificates_for_office(office.id, kind).await?;
            let last_issued = certs.iter().map(|c| c.issued_at).max().unwrap_or(i64::MIN);
            for c in &certs {
                certificates.push(CertFact {
                    kind,
                    not_before: c.not_before,
                    not_after: c.not_after,
                    revoked: c.status == CertStatus::Revoked,
                });
            }
            for a in d.store.applications_for_office(office.id, kind).await? {
                let failed = match a.state {
                    ApplicationState::Queued | ApplicationState::Running => false,
                    // A failure a later certificate of the kind made good is history.
                    ApplicationState::Failed if a.requested_at > last_issued => true,
                    ApplicationState::Failed | ApplicationState::Done => continue,
                };
                pending.push(PendingFact {
                    kind,
                    requested_at: a.requested_at,
                    failed,
                });
            }
        }
        certificates.sort_by_key(|c| std::cmp::Reverse(c.not_after));
        let locked = |until: Option<i64>| until.filter(|t| *t > now);
        let login = d
            .store
            .throttle_state(&login_key(office.user_id.as_str()))
            .await?;
        let issuance = d.store.throttle_state(&issuance_key(office)).await?;
        let fees = crate::fee::service::FeeService::new(d.clone());
        // The reissue is read from the audit trail (the office's own entries, by its actor
        // index): its notice leaves the display after a while, the reissue stays true.
        let reissued = d
            .store
            .search_audit(
                &AuditQuery {
                    actor: Some(office.user_id.as_str().to_owned()),
                    action_prefix: Some(AuditAction::IssuancePasswordReissue.name().to_owned()),
                    object: Some(format!("office:{}", office.id)),
                    ..AuditQuery::default()
                },
                1,
                0,
            )
            .await?
            .first()
            .map(|e| e.event.at);
        let reissue_notice = reissued.and_then(|at| {
            notices
                .iter()
                .filter(|n| n.title == REISSUE_NOTICE_TITLE && n.created_at >= at - 3600)
                .min_by_key(|n| n.created_at)
                .map(|n| n.id)
        });
        Ok(OfficeState {
            now,
            kokuhoren: office_prefecture(office).map(kokuhoren_name),
            certificates,
            pending,
            login_locked_until: locked(login.locked_until),
            issuance_locked_until: locked(issuance.locked_until),
            fee_balance: fees.balance(office).await?,
            fee_blocks: fees
                .blocks_application(office, CertKind::KaigoHoken)
                .await?,
            reissued,
            reissue_notice,
            unread_notices: d.store.count_unread_notices_for_office(office, now).await?,
            security_mail: d.store.security_address(office.id).await?.is_some(),
            renewal_window: d.settings.renewal_window_seconds(),
        })
    }

    async fn log(&self, office: Option<&Office>, question: &str, reply: &Reply) -> CoreResult<()> {
        let own: Vec<String> = office
            .map(|o| {
                vec![
                    o.name.clone(),
                    o.number.to_string(),
                    o.user_id.as_str().to_owned(),
                ]
            })
            .unwrap_or_default();
        let own: Vec<&str> = own.iter().map(String::as_str).collect();
        let nearest = reply
            .key
            .as_deref()
            .or(reply.choices.first().map(|c| c.key.as_str()));
        let answer_key = nearest.map(|k| {
            // A notice's id says which office asked; the log keeps only that it was a notice.
            if k.starts_with("notice:") {
                "notice".to_owned()
            } else {
                k.to_owned()
            }
        });
        let hour = self.deps.clock.unix().div_euclid(3600) * 3600;
        let store = &self.deps.store;
        if store.count_assist_questions_since(hour).await? >= MAX_LOGGED_PER_HOUR {
            tracing::warn!("AIチャット question log full for this hour; not logged");
            return Ok(());
        }
        store
            .insert_assist_question(&NewAssistQuestion {
                asked_at: hour,
                question: redact(question, &own),
                outcome: reply.kind,
                answer_key,
                logged_in: office.is_some(),
            })
            .await?;
        Ok(())
    }

    /// Questions the chat could not answer alone in the last [`UNANSWERED_DAYS`] days, grouped
    /// by text, the most asked first, and the number of groups (central operators only).
    pub async fn unanswered(
        &self,
        actor: &AdminActor,
        page: i64,
    ) -> CoreResult<(Vec<AssistQuestionRecord>, i64)> {
        actor.ensure_central()?;
        let s = &self.deps.store;
        let offset = (page.max(1) - 1).saturating_mul(PAGE_SIZE);
        let since = self.deps.clock.unix() - UNANSWERED_DAYS * 86_400;
        Ok((
            s.unanswered_assist_questions(since, PAGE_SIZE, offset)
                .await?,
            s.count_unanswered_assist_questions(since).await?,
        ))
    }
}
