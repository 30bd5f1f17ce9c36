//! The console's inbox of inquiries (お問い合わせ): list, read, reply, close. A federation
//! admin reaches the inquiries of its prefecture's offices; inquiries without an office (the
//! public form) are for central operators only.

use std::sync::Arc;

use crate::admin::{AdminActor, AdminRole};
use crate::audit::AuditAction;
use crate::deps::Deps;
use crate::error::{CoreError, CoreResult};
use crate::inquiry::admin::{InquiryRecord, InquiryReply, InquiryScope, InquiryStatus};
use crate::inquiry::{InquiryId, reception_number};
use crate::mail::NewMail;
use crate::notice::{NewNotice, NoticeCategory, NoticeTarget};

/// Rows per page of the inbox.
pub const PAGE_SIZE: i64 = 50;
/// Longest reply, in characters.
pub const MAX_REPLY_CHARS: usize = 4000;

/// One page of the inbox.
#[derive(Clone, Debug)]
pub struct InquiryPage {
    pub rows: Vec<InquiryRecord>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

#[derive(Clone)]
pub struct InquiryAdminService {
    deps: Arc<Deps>,
}

fn scope(role: AdminRole) -> InquiryScope {
    match role.prefecture() {
        Some(p) => InquiryScope::Prefecture(p),
        None => InquiryScope::All,
    }
}

/// The title of the notice that carries a reply.
pub fn reply_title(reception: &str) -> String {
    format!("お問い合わせへの回答（受付番号 {reception}）")
}

/// Quotes text line by line with 「> 」.
fn quote(text: &str) -> String {
    text.lines()
        .map(|l| format!("> {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl InquiryAdminService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// The inbox, newest first, optionally by status (`open`, `answered`, `closed`).
    pub async fn list(
        &self,
        actor: &AdminActor,
        status: Option<InquiryStatus>,
        page: i64,
    ) -> CoreResult<InquiryPage> {
        let store = &self.deps.store;
        let scope = scope(actor.role);
        let total = store.count_admin_inquiries(scope, status).await?;
        let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        let page = page.clamp(1, pages);
        let rows = store
            .admin_inquiries(scope, status, PAGE_SIZE, (page - 1) * PAGE_SIZE)
            .await?;
        Ok(InquiryPage {
            rows,
            total,
            page,
            pages,
        })
    }

    /// One inquiry; `NotFound` outside the admin's scope.
    pub async fn get(&self, actor: &AdminActor, id: InquiryId) -> CoreResult<InquiryRecord> {
        let found = self
            .deps
            .store
            .admin_inquiry(id)
            .await?
            .ok_or(CoreError::NotFound)?;
        actor.role.ensure_covers(found.prefecture)?;
        Ok(found)
    }

    /// Replies: in one transaction the reply is stored, the inquiry marked answered, a notice
    /// posted to the office (none for a public inquiry) and a mail queued to its reply
    /// address. `Ok(Err(message))` for an empty or too long reply.
    pub async fn reply(
        &self,
        actor: &AdminActor,
        id: InquiryId,
        text: &str,
    ) -> CoreResult<Result<InquiryRecord, String>> {
        let found = self.get(actor, id).await?;
        let text = crate::text::multi_line(text);
        if text.is_empty() {
            return Ok(Err("回答内容を入力してください。".to_owned()));
        }
        if text.chars().count() > MAX_REPLY_CHARS {
            return Ok(Err(format!(
                "回答内容は{MAX_REPLY_CHARS}文字以内で入力してください。"
            )));
        }
        if found.status != InquiryStatus::Open {
            return Err(CoreError::Refused(
                "このお問い合わせは既に回答済みまたは完了のため回答できません。".to_owned(),
            ));
        }
        let d = &self.deps;
        let now = d.clock.unix();
        let reception = reception_number(found.id, found.created_at);
        let title = reply_title(&reception);
        let body = format!(
            "{text}\n\n――― お問い合わせ内容（受付番号 {reception}） ―――\n件名: {}\n{}\n",
            // Text stored before the free-text rule may still hold controls: cleaned here too.
            crate::text::strip_line(&found.subject),
            quote(&crate::text::multi_line(&found.body))
        );
        let notice = found.office_id.map(|office| NewNotice {
            category: NoticeCategory::System,
            title: title.clone(),
            body: body.clone(),
            target: NoticeTarget::Office(office),
            start_at: now,
            end_at: None,
            created_at: now,
        });
        let name =
            crate::text::strip_line(found.office_name.as_deref().unwrap_or("お問い合わせ者"));
        let to = self.reply_recipient(&found).await?;
        let mail = to.map(|to| NewMail {
            to,
            subject: format!("【電子請求受付システム】{title}"),
            body: format!(
                "{name} 様\n\nお問い合わせいただいた件について回答いたします。\n\n{body}\nこのメールは送信専用です。返信はできません。\n\n{}\n",
                d.settings.helpdesk
            ),
            created_at: now,
        });
        let reply = InquiryReply {
            id,
            body: text.clone(),
            by: actor.audit_name(),
            at: now,
        };
        if !d
            .store
            .answer_inquiry(&reply, notice.as_ref(), mail.as_ref())
            .await?
        {
            return Err(CoreError::Refused(
                "このお問い合わせは既に回答済みまたは完了のため回答できません。".to_owned(),
            ));
        }
        d.audit(
            &actor.audit_name(),
            AuditAction::AdminInquiryReply,
            &format!("inquiry:{id}"),
            &actor.source,
            &match found.office_id {
                Some(o) => format!("office:{o}"),
                None => "public".to_owned(),
            },
        )
        .await;
        Ok(Ok(self.get(actor, id).await?))
    }

    /// Where the answer is mailed: the address the office chose if it is still one of its
    /// registered or confirmed addresses, else its registered address; none without one (the
    /// answer still reaches the office as a notice).
    async fn reply_recipient(&self, found: &InquiryRecord) -> CoreResult<Option<String>> {
        let Some(office_id) = found.office_id else {
            return Ok(None);
        };
        let d = &self.deps;
        let Some(office) = d.store.office_by_id(office_id).await? else {
            return Ok(None);
        };
        let allowed = d.reply_addresses(&office).await?;
        let chosen = allowed
            .iter()
            .find(|a| a.eq_ignore_ascii_case(found.reply_to.trim()))
            .or(allowed.first());
        Ok(chosen.cloned())
    }

    /// Closes an inquiry (完了).
    pub async fn close(&self, actor: &AdminActor, id: InquiryId) -> CoreResult<InquiryRecord> {
        let found = self.get(actor, id).await?;
        let d = &self.deps;
        if found.status == InquiryStatus::Closed
            || !d.store.close_inquiry(id, d.clock.unix()).await?
        {
            return Err(CoreError::Refused(
                "このお問い合わせは既に完了しています。".to_owned(),
            ));
        }
        d.audit(
            &actor.audit_name(),
            AuditAction::AdminInquiryClose,
            &format!("inquiry:{id}"),
            &actor.source,
            "",
        )
        .await;
        self.get(actor, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_every_line() {
        assert_eq!(quote("a\nb"), "> a\n> b");
        assert_eq!(reply_title("Q1"), "お問い合わせへの回答（受付番号 Q1）");
    }
}
