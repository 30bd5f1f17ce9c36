//! The console's inbox of inquiries: list, read, answer (reply + notice + mail in one
//! transaction), close.

use async_trait::async_trait;
use kaigo_core::error::RepoResult;
use kaigo_core::ids::{OfficeId, OfficeNumber, PrefectureCode};
use kaigo_core::inquiry::admin::{InquiryRecord, InquiryReply, InquiryScope, InquiryStatus};
use kaigo_core::inquiry::repo::InquiryAdminRepo;
use kaigo_core::inquiry::{InquiryCategory, InquiryId};
use kaigo_core::mail::NewMail;
use kaigo_core::notice::NewNotice;
use sqlx::any::AnyRow;

use crate::SqlStore;
use crate::error::{bad_value, repo_err};
use crate::row::{code, get};

macro_rules! select {
    () => {
        "SELECT q.id, q.office_id, q.category, q.subject, q.body, q.reply_to, q.status, \
         q.created_at, q.reply_body, q.replied_at, q.replied_by, q.closed_at, \
         o.number AS office_number, o.name AS office_name, o.prefecture AS office_prefecture \
         FROM inquiries q LEFT JOIN offices o ON o.id = q.office_id "
    };
}

/// `$1` the prefecture of the scope (NULL: all), `$2` the status (NULL: any). An inquiry
/// without an office has no prefecture, so a prefecture scope never includes it.
macro_rules! scoped {
    () => {
        "WHERE ($1 IS NULL OR o.prefecture = $1) AND ($2 IS NULL OR q.status = $2) "
    };
}

fn scope_param(scope: InquiryScope) -> Option<String> {
    match scope {
        InquiryScope::All => None,
        InquiryScope::Prefecture(p) => Some(p.to_string()),
    }
}

fn record(row: &AnyRow) -> RepoResult<InquiryRecord> {
    let number = get::<Option<String>>(row, "office_number")?
        .map(|n| OfficeNumber::parse(&n).map_err(|_| bad_value("number", &n)))
        .transpose()?;
    let prefecture = get::<Option<String>>(row, "office_prefecture")?
        .map(|p| PrefectureCode::parse(&p).map_err(|_| bad_value("prefecture", &p)))
        .transpose()?;
    Ok(InquiryRecord {
        id: InquiryId(get(row, "id")?),
        office_id: get::<Option<i64>>(row, "office_id")?.map(OfficeId),
        office_number: number,
        office_name: get(row, "office_name")?,
        prefecture,
        category: code(row, "category", InquiryCategory::from_code)?,
        subject: get(row, "subject")?,
        body: get(row, "body")?,
        reply_to: get(row, "reply_to")?,
        status: code(row, "status", InquiryStatus::from_code)?,
        created_at: get(row, "created_at")?,
        reply_body: get(row, "reply_body")?,
        replied_at: get(row, "replied_at")?,
        replied_by: get(row, "replied_by")?,
        closed_at: get(row, "closed_at")?,
    })
}

#[async_trait]
impl InquiryAdminRepo for SqlStore {
    async fn admin_inquiries(
        &self,
        scope: InquiryScope,
        status: Option<InquiryStatus>,
        limit: i64,
        offset: i64,
    ) -> RepoResult<Vec<InquiryRecord>> {
        let rows = sqlx::query(concat!(
            select!(),
            scoped!(),
            "ORDER BY q.created_at DESC, q.id DESC LIMIT $3 OFFSET $4"
        ))
        .bind(scope_param(scope))
        .bind(status.map(InquiryStatus::code))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await
        .map_err(repo_err("admin inquiries"))?;
        rows.iter().map(record).collect()
    }

    async fn count_admin_inquiries(
        &self,
        scope: InquiryScope,
        status: Option<InquiryStatus>,
    ) -> RepoResult<i64> {
        sqlx::query_scalar(concat!(
            "SELECT COUNT(*) FROM inquiries q LEFT JOIN offices o ON o.id = q.office_id ",
            scoped!()
        ))
        .bind(scope_param(scope))
        .bind(status.map(InquiryStatus::code))
        .fetch_one(&self.pool)
        .await
        .map_err(repo_err("count admin inquiries"))
    }

    async fn admin_inquiry(&self, id: InquiryId) -> RepoResult<Option<InquiryRecord>> {
        let row = sqlx::query(concat!(select!(), "WHERE q.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(repo_err("admin inquiry"))?;
        row.as_ref().map(record).transpose()
    }

    async fn answer_inquiry(
        &self,
        reply: &InquiryReply,
        notice: Option<&NewNotice>,
        mail: Option<&NewMail>,
    ) -> RepoResult<bool> {
        let err = repo_err("answer inquiry");
        let mut tx = self.begin_write().await.map_err(&err)?;
        let done = sqlx::query(
            "UPDATE inquiries SET status = 'answered', reply_body = $1, replied_at = $2, \
             replied_by = $3 WHERE id = $4 AND status = 'open'",
        )
        .bind(reply.body.as_str())
        .bind(reply.at)
        .bind(reply.by.as_str())
        .bind(reply.id.0)
        .execute(&mut *tx)
        .await
        .map_err(&err)?;
        if done.rows_affected() != 1 {
            tx.rollback().await.map_err(&err)?;
            return Ok(false);
        }
        if let Some(n) = notice {
            crate::notice::insert(&mut *tx, n).await.map_err(&err)?;
        }
        if let Some(mail) = mail {
            crate::mail::insert(&mut *tx, mail).await.map_err(&err)?;
        }
        tx.commit().await.map_err(&err)?;
        Ok(true)
    }

    async fn close_inquiry(&self, id: InquiryId, at: i64) -> RepoResult<bool> {
        let done = sqlx::query(
            "UPDATE inquiries SET status = 'closed', closed_at = $1 \
             WHERE id = $2 AND status <> 'closed'",
        )
        .bind(at)
        .bind(id.0)
        .execute(&self.pool)
        .await
        .map_err(repo_err("close inquiry"))?;
        Ok(done.rows_affected() == 1)
    }
}
