//! The portal's notice search and attachments, 照会一覧, お問い合わせ, the CLI's `notice add`
//! and the CA certificates offered for download.

use std::sync::Arc;

use base64::Engine;

use super::Deps;
use super::notices::PAGE_SIZE;
use crate::clock::parse_date_range;
use crate::error::{CoreError, CoreResult, ValidationError};
use crate::ids::{NoticeId, OfficeId};
use crate::mail::NewMail;
use crate::notice::{NewNotice, Notice, NoticeView};
use crate::office::Office;
use crate::portal::{
    Attachment, AttachmentId, AttachmentInfo, DocumentEntry, InquiryCategory, InquiryId,
    NewAttachment, NewInquiry, NoticeAudience, NoticeQuery, OfficeDocument, OfficeDocumentId,
    reception_number,
};

/// Largest attachment accepted (each).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Most attachments per notice.
pub const MAX_ATTACHMENTS: usize = 10;
/// Longest キーワード accepted.
pub const MAX_KEYWORD_CHARS: usize = 100;
/// Inquiries one office may send per hour.
pub const MAX_INQUIRIES_PER_HOUR: i64 = 10;

/// The helpdesk shown on the お問い合わせ page. Fictional numbers: a deployment replaces them
/// here (the hours line comes from `Settings::helpdesk`).
pub const HELPDESK_PHONES: &[(&str, &str)] = &[
    ("電子請求受付システム ヘルプデスク", "0120-000-000（例）"),
    ("携帯電話・IP電話から", "03-0000-0000（例）"),
];

/// The raw search form, as typed.
#[derive(Clone, Debug, Default)]
pub struct NoticeSearchInput {
    pub audience: String,
    pub from: String,
    pub to: String,
    pub keyword: String,
}

impl NoticeSearchInput {
    /// Validates the form. Errors are Japanese messages for the page, all of them at once.
    pub fn parse(&self) -> Result<NoticeQuery, Vec<String>> {
        let mut errors = Vec::new();
        let audience = if self.audience.is_empty() {
            NoticeAudience::Any
        } else {
            NoticeAudience::from_code(&self.audience).unwrap_or_else(|| {
                errors.push("対象の選択が正しくありません。".to_owned());
                NoticeAudience::Any
            })
        };
        let range = parse_date_range("提示開始日", &self.from, &self.to, &mut errors);
        let start_from = range.from;
        // The store compares with an exclusive end.
        let start_to = range.to.map(|t| t + 1);
        let keyword = self.keyword.trim();
        if keyword.chars().count() > MAX_KEYWORD_CHARS {
            errors.push(format!(
                "キーワードは{MAX_KEYWORD_CHARS}文字以内で入力してください。"
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NoticeQuery {
            audience,
            start_from,
            start_to,
            keyword: (!keyword.is_empty()).then(|| keyword.to_owned()),
        })
    }
}

/// A validated `notice add` of the CLI.
#[derive(Clone, Debug)]
pub struct NoticeDraft {
    pub notice: NewNotice,
    pub attachments: Vec<NewAttachment>,
}

/// A CA certificate for relying parties.
#[derive(Clone, Debug)]
pub struct CaCertificate {
    /// "root" or "issuing".
    pub key: &'static str,
    pub label: &'static str,
    pub pem: String,
    pub der: Vec<u8>,
}

/// Splits a PEM bundle into its certificates (DER).
pub fn pem_certificates(bundle: &str) -> Vec<(String, Vec<u8>)> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut out = Vec::new();
    let mut rest = bundle;
    while let Some(b) = rest.find(BEGIN) {
        let after = &rest[b + BEGIN.len()..];
        let Some(e) = after.find(END) else { break };
        let b64: String = after[..e].chars().filter(|c| !c.is_whitespace()).collect();
        if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(b64) {
            out.push((format!("{BEGIN}{}{END}\n", &after[..e]), der));
        }
        rest = &after[e + END.len()..];
    }
    out
}

#[derive(Clone)]
pub struct PortalService {
    deps: Arc<Deps>,
}

impl PortalService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// One page (from 1) of the search result and the total count.
    pub async fn search_notices(
        &self,
        office: &Office,
        query: &NoticeQuery,
        page: i64,
    ) -> CoreResult<(i64, Vec<NoticeView>)> {
        let d = &self.deps;
        let now = d.clock.unix();
        let total = d
            .store
            .count_search_notices_for_office(office, now, query)
            .await?;
        let page = page.max(1);
        let items = d
            .store
            .search_notices_for_office(office, now, query, PAGE_SIZE, (page - 1) * PAGE_SIZE)
            .await?;
        Ok((total, items))
    }

    /// The attachments of a notice this office may see.
    pub async fn attachments(
        &self,
        office: &Office,
        notice: &Notice,
    ) -> CoreResult<Vec<AttachmentInfo>> {
        let now = self.deps.clock.unix();
        Ok(self
            .deps
            .store
            .notice_attachments_for_office(office, notice.id, now)
            .await?)
    }

    /// One attachment, or None if its notice does not target this office now.
    pub async fn attachment(
        &self,
        office: &Office,
        id: AttachmentId,
    ) -> CoreResult<Option<Attachment>> {
        let now = self.deps.clock.unix();
        Ok(self
            .deps
            .store
            .notice_attachment_for_office(office, id, now)
            .await?)
    }

    /// 照会一覧.
    pub async fn documents(&self, office: &Office) -> CoreResult<Vec<DocumentEntry>> {
        let now = self.deps.clock.unix();
        Ok(self.deps.store.office_documents(office.id, now).await?)
    }

    pub async fn document(
        &self,
        office: &Office,
        id: OfficeDocumentId,
    ) -> CoreResult<Option<OfficeDocument>> {
        Ok(self.deps.store.office_document(office.id, id).await?)
    }

    pub async fn document_attachment(
        &self,
        office: &Office,
        id: AttachmentId,
    ) -> CoreResult<Option<Attachment>> {
        Ok(self
            .deps
            .store
            .office_notice_attachment(office.id, id, self.deps.clock.unix())
            .await?)
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
            "inquiry.submit",
            &format!("inquiry:{id}"),
            "web",
            category.code(),
        )
        .await;
        Ok(Ok((id, reception_number(id, now))))
    }

    /// The root and issuing CA certificates (root first), from the certificate factory.
    pub fn ca_certificates(&self) -> Vec<CaCertificate> {
        let certs = pem_certificates(&self.deps.factory.ca_chain_pem());
        let labels = [("root", "ルート認証局"), ("issuing", "発行認証局")];
        certs
            .into_iter()
            .zip(labels)
            .map(|((pem, der), (key, label))| CaCertificate {
                key,
                label,
                pem,
                der,
            })
            .collect()
    }

    /// Validates and posts a notice with attachments (the CLI's `notice add`).
    pub async fn add_notice(&self, draft: &NoticeDraft) -> CoreResult<NoticeId> {
        if draft.attachments.len() > MAX_ATTACHMENTS {
            return Err(CoreError::Validation(ValidationError::new(
                "attach",
                format!("too many attachments (at most {MAX_ATTACHMENTS})"),
            )));
        }
        let id = self
            .deps
            .store
            .insert_notice_with_attachments(&draft.notice, &draft.attachments)
            .await?;
        self.deps
            .audit(
                "cli",
                "notice.add",
                &format!("notice:{id}"),
                "cli",
                &draft.notice.title,
            )
            .await;
        Ok(id)
    }

    /// An office by number, for targeting.
    pub async fn office_id_by_number(
        &self,
        number: &crate::ids::OfficeNumber,
    ) -> CoreResult<Option<OfficeId>> {
        Ok(self
            .deps
            .store
            .office_by_number(number)
            .await?
            .map(|o| o.id))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_input() {
        let ok = NoticeSearchInput {
            audience: "office".into(),
            from: "2026-04-01".into(),
            to: "2026-04-01".into(),
            keyword: " 証明書 ".into(),
        }
        .parse()
        .unwrap();
        assert_eq!(ok.audience, NoticeAudience::Office);
        assert_eq!(ok.start_to.unwrap() - ok.start_from.unwrap(), 86_400);
        assert_eq!(ok.keyword.as_deref(), Some("証明書"));
        let bad = NoticeSearchInput {
            audience: "x".into(),
            from: "2026-13-01".into(),
            to: "".into(),
            keyword: "".into(),
        }
        .parse()
        .unwrap_err();
        assert_eq!(bad.len(), 2);
        let order = NoticeSearchInput {
            from: "2026-04-02".into(),
            to: "2026-04-01".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert!(order[0].contains("開始日以降"));
    }
}
