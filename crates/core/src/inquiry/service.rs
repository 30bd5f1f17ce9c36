//! お問い合わせ from the portal: the form's rules, the acknowledgment mail, and where replies may go.

use std::sync::Arc;

use crate::audit::AuditAction;
use crate::deps::Deps;
use crate::error::CoreResult;
use crate::inquiry::{InquiryCategory, InquiryId, NewInquiry, reception_number};
use crate::mail::NewMail;
use crate::office::Office;

/// Inquiries one office may send per hour.
pub const MAX_INQUIRIES_PER_HOUR: i64 = 10;

/// The helpdesk shown on the お問い合わせ page. Fictional numbers: a deployment replaces them
/// here (the hours line comes from `Settings::helpdesk`).
pub const HELPDESK_PHONES: &[(&str, &str)] = &[
    ("電子請求受付システム ヘルプデスク", "0120-000-000（例）"),
    ("携帯電話・IP電話から", "03-0000-0000（例）"),
];

#[derive(Clone)]
pub struct InquiryService {
    deps: Arc<Deps>,
}

impl InquiryService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// Where the 国保連合会 may answer this office by mail: its registered address and its
    /// confirmed セキュリティメールアドレス (without repeats). Nothing else: the portal must not
    /// let a logged-in user make the system mail arbitrary text to an arbitrary address.
    pub async fn reply_addresses(&self, office: &Office) -> CoreResult<Vec<String>> {
        self.deps.reply_addresses(office).await
    }

    /// Validates and stores an inquiry, queues the acknowledgment mail to the chosen reply
    /// address (one of [`reply_addresses`](Self::reply_addresses); none when the office has
    /// no address, and the answer then comes only as a notice) and returns the id and the
    /// reception number.
    pub async fn submit_inquiry(
        &self,
        office: &Office,
        category: &str,
        subject: &str,
        body: &str,
        reply_to: &str,
    ) -> CoreResult<Result<(InquiryId, String), Vec<String>>> {
        let mut errors = Vec::new();
        let category = InquiryCategory::from_code(category);
        if category.is_none() {
            errors.push("お問い合わせの種別を選択してください。".to_owned());
        }
        let subject = crate::text::single_line(subject);
        match &subject {
            None => errors.push("件名に改行や制御文字は使えません。".to_owned()),
            Some(s) if s.is_empty() => errors.push("件名を入力してください。".to_owned()),
            Some(s) if s.chars().count() > 100 => {
                errors.push("件名は100文字以内で入力してください。".to_owned());
            }
            Some(_) => {}
        }
        let subject = subject.unwrap_or_default();
        let subject = subject.as_str();
        let body = crate::text::multi_line(body);
        let body = body.as_str();
        if body.is_empty() {
            errors.push("お問い合わせ内容を入力してください。".to_owned());
        } else if body.chars().count() > 4000 {
            errors.push("お問い合わせ内容は4000文字以内で入力してください。".to_owned());
        }
        let allowed = self.deps.reply_addresses(office).await?;
        let wanted = reply_to.trim();
        let reply = match allowed.iter().find(|a| a.eq_ignore_ascii_case(wanted)) {
            Some(a) => Ok(Some(a.clone())),
            None if allowed.is_empty() && wanted.is_empty() => Ok(None),
            None => {
                errors.push(
                    "返信先メールアドレスは、登録済みのメールアドレスから選択してください。"
                        .to_owned(),
                );
                Err(())
            }
        };
        let (Some(category), Ok(reply)) = (category, reply) else {
            return Ok(Err(errors));
        };
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let d = &self.deps;
        let now = d.clock.unix();
        if d.store.count_inquiries_since(office.id, now - 3600).await? >= MAX_INQUIRIES_PER_HOUR {
            return Ok(Err(vec![
                "短時間に多数のお問い合わせがあったため受け付けできません。しばらくしてから送信してください。"
                    .to_owned(),
            ]));
        }
        let inquiry = NewInquiry {
            office_id: office.id,
            category,
            subject: subject.to_owned(),
            body: body.to_owned(),
            reply_to: reply.clone().unwrap_or_default(),
            created_at: now,
        };
        let mail = reply.map(|to| NewMail {
            to,
            subject: "【電子請求受付システム】お問い合わせを受け付けました".to_owned(),
            body: format!(
                "{} 様\n\nお問い合わせを受け付けました。\n受付番号: {{reception}}\n種別: {}\n件名: {}\n\n内容を確認のうえ、国保連合会よりご連絡いたします。\nこのメールは送信専用です。返信はできません。\n\n{}\n",
                crate::text::strip_line(&office.name),
                category.label(),
                subject,
                d.settings.helpdesk
            ),
            created_at: now,
        });
        let id = d.store.insert_inquiry(&inquiry, mail.as_ref()).await?;
        d.audit(
            &office.user_id.to_string(),
            AuditAction::InquirySubmit,
            &format!("inquiry:{id}"),
            "web",
            category.code(),
        )
        .await;
        Ok(Ok((id, reception_number(id, now))))
    }
}

impl Deps {
    /// The addresses an office may be mailed at about its inquiries: its registered address
    /// and its confirmed セキュリティメールアドレス, without repeats.
    pub(crate) async fn reply_addresses(&self, office: &Office) -> CoreResult<Vec<String>> {
        let mut out: Vec<String> = office.email.iter().cloned().collect();
        if let Some(a) = self.store.security_address(office.id).await?
            && !out.iter().any(|e| e.eq_ignore_ascii_case(&a.email))
        {
            out.push(a.email);
        }
        Ok(out)
    }
}
