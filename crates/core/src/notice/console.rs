//! Issue 4 §4: notices in the admin console. A central operator manages every notice; a
//! federation admin those for its prefecture or one of its offices, and sees the notices for
//! all offices read-only. Anything else is `NotFound`, whatever the route or the form says.

use std::sync::Arc;

use crate::admin::{AdminActor, AdminRole};
use crate::deps::Deps;
use crate::error::{CoreError, CoreResult, ValidationError};
use crate::ids::{NoticeId, OfficeNumber, PrefectureCode};
use crate::notice::admin::{AdminNotice, NoticeEdit, parse_jst_date};
use crate::notice::attachment::{AttachmentId, AttachmentInfo, NewAttachment};
use crate::notice::{NewNotice, NoticeCategory, NoticeTarget};
use crate::office::prefectures::prefecture_name;

/// Largest attachment accepted, bytes.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Most attachments on one notice.
pub const MAX_ATTACHMENTS: usize = 10;
const MAX_TITLE: usize = 100;
const MAX_BODY: usize = 10_000;

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

/// A file as uploaded.
#[derive(Clone, Debug)]
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
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

/// The allowed attachment types: extension, content type, and a check of the bytes. The one
/// policy of the console and the CLI's `notice add`.
fn file_type(ext: &str, bytes: &[u8]) -> Option<&'static str> {
    let zip = bytes.starts_with(b"PK\x03\x04");
    // The Compound File header of the Excel 97–2003 and Word 97–2003 formats.
    let ole = bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    let text = !bytes.contains(&0) && !bytes.starts_with(b"%PDF") && !bytes.starts_with(b"PK");
    match ext {
        "pdf" if bytes.starts_with(b"%PDF-") => Some("application/pdf"),
        "xlsx" if zip => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "docx" if zip => {
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        }
        "pptx" if zip => {
            Some("application/vnd.openxmlformats-officedocument.presentationml.presentation")
        }
        "csv" if text => Some("text/csv"),
        "txt" if text => Some("text/plain"),
        "zip" if zip => Some("application/zip"),
        "xls" if ole => Some("application/vnd.ms-excel"),
        "doc" if ole => Some("application/msword"),
        // A DER certificate is a SEQUENCE with a long-form length.
        "crt" | "cer" | "der" if bytes.starts_with(b"\x30\x82") => Some("application/pkix-cert"),
        "pem" | "crt" | "cer" if bytes.starts_with(b"-----BEGIN ") => {
            Some("application/x-pem-file")
        }
        "png" if bytes.starts_with(b"\x89PNG\r\n\x1a\n") => Some("image/png"),
        "jpg" | "jpeg" if bytes.starts_with(b"\xFF\xD8\xFF") => Some("image/jpeg"),
        _ => None,
    }
}

/// The file name as stored: the last path component, without control characters or
/// characters that Windows refuses, at most 100 characters (keeping the extension).
pub fn sanitize_filename(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        // Every Bidi_Control character (the one rule in `text`): embeddings, overrides,
        // isolates and the marks (LRM, RLM, ALM) can all reorder how the name is shown.
        .filter(|c| !c.is_control() && !crate::text::is_bidi_control(*c))
        .map(|c| {
            if matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') {
                '_'
            } else {
                c
            }
        })
        .collect();
    // No leading dots or spaces in any mix (". .x" is a hidden file too), none trailing.
    let cleaned = cleaned
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end()
        .to_owned();
    if cleaned.chars().count() <= 100 {
        return cleaned;
    }
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((s, e)) if e.len() <= 5 => (s.to_owned(), format!(".{e}")),
        _ => (cleaned.clone(), String::new()),
    };
    let keep = 100 - ext.chars().count();
    let stem: String = stem.chars().take(keep).collect();
    // Cut without an extension, the name may now end in a space.
    format!("{stem}{ext}").trim_end().to_owned()
}

/// Checks an upload: size, extension and content agree, name. Japanese messages.
pub fn check_upload(u: &Upload) -> Result<NewAttachment, ValidationError> {
    let name = sanitize_filename(&u.filename);
    if name.is_empty() {
        return Err(ValidationError::new(
            "file",
            "添付ファイルの名前が正しくありません。",
        ));
    }
    if u.bytes.is_empty() {
        return Err(ValidationError::new(
            "file",
            format!("添付ファイル「{name}」が空です。"),
        ));
    }
    if u.bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(ValidationError::new(
            "file",
            format!("添付ファイル「{name}」が大きすぎます（1ファイル10MBまで）。"),
        ));
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let content_type = file_type(&ext, &u.bytes).ok_or_else(|| {
        ValidationError::new(
            "file",
            format!(
                "添付ファイル「{name}」は添付できない形式です（PDF、Excel・Word・PowerPoint（xlsx・docx・pptx・xls・doc）、CSV、テキスト、PNG、JPEG、ZIP、証明書（crt・cer・der・pem）のみ。拡張子と内容が一致している必要があります）。"
            ),
        )
    })?;
    Ok(NewAttachment {
        filename: name,
        content_type: content_type.to_owned(),
        bytes: u.bytes.clone(),
    })
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
                "admin.notice.create",
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
                "admin.notice.edit",
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
                "admin.notice.withdraw",
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
                "admin.notice.edit",
                &format!("notice:{id}"),
                &actor.source,
                &format!("attachment_removed={attachment}"),
            )
            .await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(name: &str, bytes: &[u8]) -> Upload {
        Upload {
            filename: name.into(),
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn file_names() {
        assert_eq!(sanitize_filename("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_filename("C:\\a\\b\\資料.pdf"), "資料.pdf");
        assert_eq!(sanitize_filename("a\u{0}b\nc.pdf"), "abc.pdf");
        assert_eq!(sanitize_filename("..hidden.txt"), "hidden.txt");
        // Found by fuzz/attachment_check: dots and spaces mixed left a leading dot.
        assert_eq!(sanitize_filename(". . .x.csv"), "x.csv");
        assert_eq!(sanitize_filename(" . .x "), "x");
        assert_eq!(sanitize_filename("evil\u{202e}fdp.exe"), "evilfdp.exe");
        // Found by fuzz/attachment_check: the bidi marks were kept.
        assert_eq!(
            sanitize_filename("a\u{200e}b\u{200f}c\u{61c}.pdf\u{2066}"),
            "abc.pdf"
        );
        let long = format!("{}.pdf", "あ".repeat(200));
        let s = sanitize_filename(&long);
        assert_eq!(s.chars().count(), 100);
        assert!(s.ends_with(".pdf"));
    }

    #[test]
    fn uploads() {
        assert_eq!(
            check_upload(&up("a.pdf", b"%PDF-1.7 x"))
                .unwrap()
                .content_type,
            "application/pdf"
        );
        assert!(check_upload(&up("a.xlsx", b"PK\x03\x04rest")).is_ok());
        assert!(check_upload(&up("a.csv", "a,b\r\n1,2".as_bytes())).is_ok());
        // Extension and content disagree.
        assert!(check_upload(&up("a.pdf", b"MZ\x90\x00")).is_err());
        assert!(check_upload(&up("a.txt", b"%PDF-1.7")).is_err());
        assert!(check_upload(&up("a.exe", b"MZ\x90\x00")).is_err());
        assert!(check_upload(&up("a.html", b"<script>")).is_err());
        assert!(check_upload(&up("a.pdf", b"")).is_err());
        let big = vec![b'a'; MAX_ATTACHMENT_BYTES + 1];
        let e = check_upload(&up("a.txt", &big)).unwrap_err();
        assert!(e.message.contains("大きすぎます"), "{}", e.message);
        // The types the CLI used to take on the name alone, now checked by content too.
        let ct = |name: &str, bytes: &[u8]| check_upload(&up(name, bytes)).map(|a| a.content_type);
        assert_eq!(ct("通知書.zip", b"PK\x03\x04x").unwrap(), "application/zip");
        assert!(ct("a.zip", b"MZ\x90\x00").is_err());
        let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest";
        assert_eq!(ct("a.xls", ole).unwrap(), "application/vnd.ms-excel");
        assert_eq!(ct("a.doc", ole).unwrap(), "application/msword");
        assert_eq!(
            ct("ca.crt", b"\x30\x82\x05\x00").unwrap(),
            "application/pkix-cert"
        );
        assert_eq!(
            ct("ca.pem", b"-----BEGIN CERTIFICATE-----\n").unwrap(),
            "application/x-pem-file"
        );
        assert!(ct("ca.der", b"-----BEGIN CERTIFICATE-----\n").is_err());
    }
}
