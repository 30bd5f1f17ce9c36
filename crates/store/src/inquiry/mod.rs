//! お問い合わせ: stored for the office, and the console's inbox.

mod console;

use async_trait::async_trait;
use kaigo_core::error::RepoResult;
use kaigo_core::ids::OfficeId;
use kaigo_core::inquiry::repo::InquiryRepo;
use kaigo_core::inquiry::{InquiryId, NewInquiry};
use kaigo_core::mail::NewMail;

use crate::SqlStore;
use crate::error::repo_err;

#[async_trait]
impl InquiryRepo for SqlStore {
    async fn insert_inquiry(&self, q: &NewInquiry, ack: Option<&NewMail>) -> RepoResult<InquiryId> {
        let err = repo_err("insert inquiry");
        let mut tx = self.begin_write().await.map_err(&err)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO inquiries (office_id, category, subject, body, reply_to, status, \
             created_at) VALUES ($1, $2, $3, $4, $5, 'open', $6) RETURNING id",
        )
        .bind(q.office_id.0)
        .bind(q.category.code())
        .bind(q.subject.as_str())
        .bind(q.body.as_str())
        .bind(q.reply_to.as_str())
        .bind(q.created_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(&err)?;
        let id = InquiryId(id);
        if let Some(mail) = ack {
            let mut mail = mail.clone();
            mail.body = mail.body.replace(
                "{reception}",
                &kaigo_core::inquiry::reception_number(id, q.created_at),
            );
            crate::mail::insert(&mut *tx, &mail).await.map_err(&err)?;
        }
        tx.commit().await.map_err(&err)?;
        Ok(id)
    }

    async fn count_inquiries_since(&self, office_id: OfficeId, since: i64) -> RepoResult<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM inquiries WHERE office_id = $1 AND created_at >= $2",
        )
        .bind(office_id.0)
        .bind(since)
        .fetch_one(&self.pool)
        .await
        .map_err(repo_err("count inquiries"))
    }
}
