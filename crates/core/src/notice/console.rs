//! Issue 4 §4: notices in the admin console. A central operator manages every notice; a
//! federation admin those for its prefecture or one of its offices, and sees the notices for
//! all offices read-only. Anything else is `NotFound`, whatever the route or the form says.

use std::sync::Arc;

use crate::admin::{AdminActor, AdminRole};
use crate::audit::AuditAction;
use crate::deps::Deps;
use crate::error::{CoreError, CoreResult, ValidationError};
use crate::ids::{NoticeId, OfficeNumber, PrefectureCode};
use crate::notice::admin::{AdminNotice, NoticeEdit, parse_jst_date};
use crate::notice::attachment::{
    AttachmentId, AttachmentInfo, MAX_ATTACHMENTS, Upload, check_upload,
};
use crate::notice::{NewNotice, NoticeCategory, NoticeTarget};
use crate::office::prefectures::prefecture_name;

use crate::notice::{MAX_BODY, MAX_TITLE};

/// The notice form as typed.
#[derive(Clone, Debug, Default)]
pub struct NoticeInput {
    pub category: String,
    pub title: String,
    pub body: String,
    /// `all`, `prefecture` or `office`.
    pub target: String,
    pub prefecture: String,
    /// 事業所番号 for an office target.
    pub office_number: String,
    /// 提示開始日 and the optional last day, `YYYY-MM-DD`.
    pub start: String,
    pub end: String,
}

/// A notice with what the console shows about it.
#[derive(Clone, Debug)]
pub struct NoticeSummary {
    pub notice: AdminNotice,
    /// Whether this admin may edit and withdraw it.
    pub editable: bool,
    pub target_label: String,
}

/// One notice opened in the console.
#[derive(Clone, Debug)]
pub struct NoticeDetail {
    pub summary: NoticeSummary,
    pub attachments: Vec<AttachmentInfo>,
    /// The form's values.
    pub input: NoticeInput,
}

fn clean_line(
    raw: &str,
    field: &'static str,
    label: &str,
    max: usize,
) -> Result<String, ValidationError> {
    let Some(s) = crate::text::single_line(raw) else {
        return Err(ValidationError::new(
            field,
            format!("{label}に改行や制御文字は使えません。"),
        ));
    };
    if s.is_empty() {
        return Err(ValidationError::new(
            field,
            format!("{label}を入力してください。"),
        ));
    }
    if s.chars().count() > max {
        return Err(ValidationError::new(
            field,
            format!("{label}は{max}文字以内で入力してください。"),
        ));
    }
    Ok(s)
}

fn clean_body(raw: &str) -> Result<String, ValidationError> {
    let s = crate::text::multi_line(raw);
    if s.is_empty() {
        return Err(ValidationError::new("body", "本文を入力してください。"));
    }
    if s.chars().count() > MAX_BODY {
        return Err(ValidationError::new(
            "body",
            format!("本文は{MAX_BODY}文字以内で入力してください。"),
        ));
    }
    Ok(s)
}

#[derive(Clone)]
pub struct AdminNoticeService {
    deps: Arc<Deps>,
}

impl AdminNoticeService {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// Whether the admin may see (`Some`) and edit (`Some(true)`) a notice of this target.
    async fn access(&self, role: AdminRole, target: NoticeTarget) -> CoreResult<Option<bool>> {
        Ok(match (role, target) {
            (AdminRole::Central, _) => Some(true),
            (AdminRole::Federation(_), NoticeTarget::All) => Some(false),
            (AdminRole::Federation(own), NoticeTarget::Prefecture(p)) => (p == own).then_some(true),
            (AdminRole::Federation(own), NoticeTarget::Office(id)) => {
                let office = self.deps.store.office_by_id(id).await?;
                office
                    .is_some_and(|o| o.prefecture == Some(own))
                    .then_some(true)
            }
        })
    }

    async fn target_label(&self, target: NoticeTarget) -> CoreResult<(String, String)> {
        Ok(match target {
            NoticeTarget::All => ("全事業所".to_owned(), String::new()),
            NoticeTarget::Prefecture(p) => (format!("{p} {}", prefecture_name(p)), String::new()),
            NoticeTarget::Office(id) => match self.deps.store.office_by_id(id).await? {
                Some(o) => (format!("{} {}", o.number, o.name), o.number.to_string()),
                None => ("（削除された事業所）".to_owned(), String::new()),
            },
        })
    }

    async fn summary(
        &self,
        role: AdminRole,
        notice: AdminNotice,
    ) -> CoreResult<Option<NoticeSummary>> {
        let Some(editable) = self.access(role, notice.notice.target).await? else {
            return Ok(None);
        };
        let (target_label, _) = self.target_label(notice.notice.target).await?;
        Ok(Some(NoticeSummary {
            editable: editable && notice.withdrawn_at.is_none(),
            notice,
            target_label,
        }))
    }

    pub async fn list(&self, actor: &AdminActor) -> CoreResult<Vec<NoticeSummary>> {
        let notices = self
            .deps
            .store
            .admin_notices(actor.role.prefecture())
            .await?;
        let mut out = Vec::with_capacity(notices.len());
        for n in notices {
            if let Some(s) = self.summary(actor.role, n).await? {
                out.push(s);
            }
        }
        Ok(out)
    }

    pub async fn get(&self, actor: &AdminActor, id: NoticeId) -> CoreResult<NoticeDetail> {
        let notice = self
            .deps
            .store
            .admin_notice(id)
            .await?
            .ok_or(CoreError::NotFound)?;
        let summary = self
            .summary(actor.role, notice)
            .await?
            .ok_or(CoreError::NotFound)?;
        let n = &summary.notice.notice;
        let (target, prefecture, office_number) = match n.target {
            NoticeTarget::All => ("all", String::new(), String::new()),
            NoticeTarget::Prefecture(p) => ("prefecture", p.to_string(), String::new()),
            NoticeTarget::Office(_) => (
                "office",
                String::new(),
                self.target_label(n.target).await?.1,
            ),
        };
        let input = NoticeInput {
            category: n.category.code().to_owned(),
            title: n.title.clone(),
            body: n.body.clone(),
            target: target.to_owned(),
            prefecture,
            office_number,
            start: crate::notice::admin::date_input(n.start_at),
            end: n
                .end_at
                .map(crate::notice::admin::date_input)
                .unwrap_or_default(),
        };
        let attachments = self.deps.store.admin_notice_attachments(id).await?;
        Ok(NoticeDetail {
            summary,
            attachments,
            input,
        })
    }

    /// Only a notice this admin may edit, not withdrawn.
    async fn editable(&self, actor: &AdminActor, id: NoticeId) -> CoreResult<AdminNotice> {
        let notice = self
            .deps
            .store
            .admin_notice(id)
            .await?
            .ok_or(CoreError::NotFound)?;
        match self.access(actor.role, notice.notice.target).await? {
            None => Err(CoreError::NotFound),
            Some(false) => Err(CoreError::Refused(
                "全事業所向けのお知らせは国保中央会のみ変更できます。".to_owned(),
            )),
            Some(true) if notice.withdrawn_at.is_some() => Err(CoreError::Refused(
                "取り下げたお知らせは変更できません。".to_owned(),
            )),
            Some(true) => Ok(notice),
        }
    }

    /// Validates the form: the fields and a target the admin may address.
    async fn validate(
        &self,
        actor: &AdminActor,
        input: &NoticeInput,
        now: i64,
    ) -> CoreResult<NoticeEdit> {
        let category = NoticeCategory::from_code(input.category.trim())
            .ok_or_else(|| ValidationError::new("category", "カテゴリを選択してください。"))?;
        let title = clean_line(&input.title, "title", "件名", MAX_TITLE)?;
        let body = clean_body(&input.body)?;
        let target = match input.target.trim() {
            "all" => match actor.role {
                AdminRole::Central => NoticeTarget::All,
                AdminRole::Federation(_) => {
                    return Err(ValidationError::new(
                        "target",
                        "全事業所向けのお知らせは国保中央会のみ登録できます。",
                    )
                    .into());
                }
            },
            "prefecture" => {
                let p = PrefectureCode::parse(&input.prefecture)?;
                if !actor.role.covers(Some(p)) {
                    return Err(ValidationError::new(
                        "prefecture",
                        "ご担当の都道府県以外を対象にすることはできません。",
                    )
                    .into());
                }
                NoticeTarget::Prefecture(p)
            }
            "office" => {
                let missing = || {
                    ValidationError::new(
                        "office_number",
                        "対象の事業所番号に該当する事業所がありません。",
                    )
                };
                let number = OfficeNumber::parse(&input.office_number).map_err(|_| missing())?;
                let office = self
                    .deps
                    .store
                    .office_by_number(&number)
                    .await?
                    .ok_or_else(missing)?;
                if !actor.role.covers(office.prefecture) {
                    return Err(missing().into());
                }
                NoticeTarget::Office(office.id)
            }
            _ => return Err(ValidationError::new("target", "対象を選択してください。").into()),
        };
        let start_at = parse_jst_date(&input.start, "start", "提示開始日")?;
        let end_at = if input.end.trim().is_empty() {
            None
        } else {
            // The last day is shown in full: the period ends at its last second.
            let end = parse_jst_date(&input.end, "end", "提示終了日")? + 86_399;
            if end < start_at {
                return Err(ValidationError::new(
                    "end",
                    "提示終了日は提示開始日以降の日付を入力してください。",
                )
                .into());
            }
            Some(end)
        };
        Ok(NoticeEdit {
            category,
            title,
            body,
            target,
            start_at,
            end_at,
            updated_at: now,
        })
    }

    pub async fn create(
        &self,
        actor: &AdminActor,
        input: &NoticeInput,
        uploads: &[Upload],
    ) -> CoreResult<NoticeId> {
        let now = self.deps.clock.unix();
        let e = self.validate(actor, input, now).await?;
        if uploads.len() > MAX_ATTACHMENTS {
            return Err(ValidationError::new(
                "file",
                format!("添付ファイルは{MAX_ATTACHMENTS}個までです。"),
            )
            .into());
        }
        let attachments = uploads
            .iter()
            .map(check_upload)
            .collect::<Result<Vec<_>, _>>()?;
        let notice = NewNotice {
            category: e.category,
            title: e.title,
            body: e.body,
            target: e.target,
            start_at: e.start_at,
            end_at: e.end_at,
            created_at: now,
        };
        let id = self
            .deps
            .store
            .create_admin_notice(&notice, &actor.audit_name(), &attachments)
            .await?;
        self.deps
            .audit(
                &actor.audit_name(),
                AuditAction::AdminNoticeCreate,
                &format!("notice:{id}"),
                &actor.source,
                &format!(
                    "target={:?} attachments={}",
                    notice.target,
                    attachments.len()
                ),
            )
            .await;
        Ok(id)
    }

    pub async fn edit(
        &self,
        actor: &AdminActor,
        id: NoticeId,
        input: &NoticeInput,
        uploads: &[Upload],
    ) -> CoreResult<()> {
        self.editable(actor, id).await?;
        let now = self.deps.clock.unix();
        let e = self.validate(actor, input, now).await?;
        let existing = self.deps.store.admin_notice_attachments(id).await?.len();
        if existing + uploads.len() > MAX_ATTACHMENTS {
            return Err(ValidationError::new(
                "file",
                format!("添付ファイルは{MAX_ATTACHMENTS}個までです。"),
            )
            .into());
        }
        let attachments = uploads
            .iter()
            .map(check_upload)
            .collect::<Result<Vec<_>, _>>()?;
        if !self.deps.store.update_notice(id, &e).await? {
            return Err(CoreError::NotFound);
        }
        for a in &attachments {
            self.deps.store.add_notice_attachment(id, a, now).await?;
        }
        self.deps
            .audit(
                &actor.audit_name(),
                AuditAction::AdminNoticeEdit,
                &format!("notice:{id}"),
                &actor.source,
                &format!(
                    "target={:?} attachments_added={}",
                    e.target,
                    attachments.len()
                ),
            )
            .await;
        Ok(())
    }

    pub async fn withdraw(&self, actor: &AdminActor, id: NoticeId) -> CoreResult<()> {
        self.editable(actor, id).await?;
        let now = self.deps.clock.unix();
        if !self
            .deps
            .store
            .withdraw_notice(id, &actor.audit_name(), now)
            .await?
        {
            return Err(CoreError::NotFound);
        }
        self.deps
            .audit(
                &actor.audit_name(),
                AuditAction::AdminNoticeWithdraw,
                &format!("notice:{id}"),
                &actor.source,
                "",
            )
            .await;
        Ok(())
    }

    pub async fn remove_attachment(
        &self,
        actor: &AdminActor,
        id: NoticeId,
        attachment: AttachmentId,
    ) -> CoreResult<()> {
        self.editable(actor, id).await?;
        if !self
            .deps
            .store
            .remove_notice_attachment(id, attachment)
            .await?
        {
            return Err(CoreError::NotFound);
        }
        self.deps
            .audit(
                &actor.audit_name(),
                AuditAction::AdminNoticeEdit,
                &format!("notice:{id}"),
                &actor.source,
                &format!("attachment_removed={attachment}"),
            )
            .await;
        Ok(())
    }
}
