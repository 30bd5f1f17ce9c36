//! The AIチャット's question log.

use async_trait::async_trait;
use kaigo_core::assist::repo::{AssistQuestionRecord, AssistRepo, NewAssistQuestion};
use kaigo_core::error::RepoResult;
use sqlx::any::AnyRow;

use crate::SqlStore;
use crate::error::repo_err;
use crate::row::{flag, get};

/// The outcomes the console lists as unanswered (a macro, so the SQL stays `&'static str`).
macro_rules! unanswered {
    () => {
        "outcome IN ('handover', 'choices')"
    };
}

fn record(row: &AnyRow) -> RepoResult<AssistQuestionRecord> {
    Ok(AssistQuestionRecord {
        asked_at: get(row, "asked_at")?,
        question: get(row, "question")?,
        outcome: get(row, "outcome")?,
        answer_key: get(row, "answer_key")?,
        logged_in: flag(row, "logged_in")?,
        count: get(row, "n")?,
    })
}

#[async_trait]
impl AssistRepo for SqlStore {
    async fn insert_assist_question(&self, q: &NewAssistQuestion) -> RepoResult<()> {
        let err = repo_err("insert assist question");
        let mut tx = self.begin_write().await.map_err(&err)?;
        sqlx::query(
            "INSERT INTO assist_questions (asked_at, question, outcome, answer_key, logged_in) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(q.asked_at)
        .bind(q.question.as_str())
        .bind(q.outcome.code())
        .bind(q.answer_key.as_deref())
        .bind(i64::from(q.logged_in))
        .execute(&mut *tx)
        .await
        .map_err(&err)?;
        tx.commit().await.map_err(&err)
    }

    async fn unanswered_assist_questions(
        &self,
        since: i64,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<AssistQuestionRecord>> {
        const SQL: &str = concat!(
            "SELECT MAX(id) AS last_id, MAX(asked_at) AS asked_at, question, outcome, \
             MAX(answer_key) AS answer_key, MAX(logged_in) AS logged_in, COUNT(*) AS n \
             FROM assist_questions WHERE ",
            unanswered!(),
            " AND asked_at >= $1 GROUP BY question, outcome \
             ORDER BY n DESC, last_id DESC LIMIT $2 OFFSET $3"
        );
        sqlx::query(SQL)
            .bind(since)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await
            .map_err(repo_err("unanswered assist questions"))?
            .iter()
            .map(record)
            .collect()
    }

    async fn count_unanswered_assist_questions(&self, since: i64) -> RepoResult<i64> {
        const SQL: &str = concat!(
            "SELECT COUNT(*) FROM (SELECT 1 AS one FROM assist_questions WHERE ",
            unanswered!(),
            " AND asked_at >= $1 GROUP BY question, outcome) g"
        );
        sqlx::query_scalar(SQL)
            .bind(since)
            .fetch_one(&self.pool)
            .await
            .map_err(repo_err("count unanswered assist questions"))
    }

    async fn count_assist_questions_since(&self, since: i64) -> RepoResult<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM assist_questions WHERE asked_at >= $1")
            .bind(since)
            .fetch_one(&self.pool)
            .await
            .map_err(repo_err("count assist questions"))
    }

    async fn purge_assist_questions(&self, before: i64) -> RepoResult<u64> {
        let err = repo_err("purge assist questions");
        let mut tx = self.begin_write().await.map_err(&err)?;
        let n = sqlx::query("DELETE FROM assist_questions WHERE asked_at < $1")
            .bind(before)
            .execute(&mut *tx)
            .await
            .map_err(&err)?
            .rows_affected();
        tx.commit().await.map_err(&err)?;
        Ok(n)
    }
}
