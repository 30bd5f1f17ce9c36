//! The question log of the AIチャット: questions with personal data removed, for improving the
//! texts; the console lists those it could not answer.

use async_trait::async_trait;

use crate::assist::ReplyKind;
use crate::error::RepoResult;

/// A question as logged (already redacted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAssistQuestion {
    /// The hour it was asked (rounded down), so that the log cannot be matched second by
    /// second against access logs to find who asked.
    pub asked_at: i64,
    pub question: String,
    pub outcome: ReplyKind,
    /// What was answered, or the first choice (`faq:…`, `manual:…`, `outside:…`; a notice
    /// only as `notice`).
    pub answer_key: Option<String>,
    /// Asked after login (else on the public pages).
    pub logged_in: bool,
}

/// A question as the console lists it: the same (redacted) text with the same outcome, asked
/// `count` times, the last time in the hour `asked_at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssistQuestionRecord {
    pub asked_at: i64,
    pub question: String,
    pub outcome: String,
    pub answer_key: Option<String>,
    /// Asked after login at least once.
    pub logged_in: bool,
    pub count: i64,
}

#[async_trait]
pub trait AssistRepo: Send + Sync {
    async fn insert_assist_question(&self, q: &NewAssistQuestion) -> RepoResult<()>;
    /// Questions handed over or answered only with choices since `since`, grouped by text
    /// and outcome, the most asked first (then the newest).
    async fn unanswered_assist_questions(
        &self,
        since: i64,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<AssistQuestionRecord>>;
    /// How many groups [`unanswered_assist_questions`](Self::unanswered_assist_questions) has.
    async fn count_unanswered_assist_questions(&self, since: i64) -> RepoResult<i64>;
    /// Questions logged at or after `since` (to cap the log per hour).
    async fn count_assist_questions_since(&self, since: i64) -> RepoResult<i64>;
    /// Deletes questions asked before `before`; how many.
    async fn purge_assist_questions(&self, before: i64) -> RepoResult<u64>;
}
