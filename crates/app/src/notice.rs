//! `kaigo-pki notice add`: posts a notice (お知らせ) with optional attachments.

use std::path::PathBuf;

use anyhow::{anyhow, bail};
use kaigo_core::ids::{NoticeId, OfficeNumber, PrefectureCode};
use kaigo_core::notice::attachment::NewAttachment;
use kaigo_core::notice::attachment::{MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, NoticeDraft};
use kaigo_core::notice::attachment::{Upload, check_upload};
use kaigo_core::notice::{NewNotice, NoticeCategory, NoticeTarget};

use crate::datadir::DataDir;
use crate::wiring;

pub struct AddArgs {
    pub title: String,
    pub category: String,
    pub body: String,
    pub office: Option<String>,
    pub prefecture: Option<String>,
    pub attach: Vec<PathBuf>,
    pub days: Option<u32>,
}

/// What was posted.
pub struct Posted {
    pub id: NoticeId,
    pub title: String,
    pub category: NoticeCategory,
    /// "all", "prefecture NN" or "office NNNNNNNNNN".
    pub target: String,
    pub attachments: Vec<(String, usize)>,
}

/// Reads and checks the files before anything is stored.
fn read_attachments(paths: &[PathBuf]) -> anyhow::Result<Vec<NewAttachment>> {
    if paths.len() > MAX_ATTACHMENTS {
        bail!("too many attachments: at most {MAX_ATTACHMENTS}");
    }
    let mut out = Vec::new();
    for path in paths {
        let shown = path.display();
        let meta = std::fs::metadata(path).map_err(|e| anyhow!("cannot read {shown}: {e}"))?;
        if !meta.is_file() {
            bail!("{shown} is not a file");
        }
        if meta.len() > MAX_ATTACHMENT_BYTES as u64 {
            bail!(
                "{shown} is too large ({} bytes; at most {} bytes)",
                meta.len(),
                MAX_ATTACHMENT_BYTES
            );
        }
        let filename = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(path).map_err(|e| anyhow!("cannot read {shown}: {e}"))?;
        // The console's policy: name, size, the allow-list, the extension agreeing with the
        // content.
        let checked = check_upload(&Upload { filename, bytes })
            .map_err(|e| anyhow!("{shown}: {}", e.message))?;
        out.push(checked);
    }
    Ok(out)
}

pub async fn add(dir: &DataDir, args: AddArgs) -> anyhow::Result<Posted> {
    let title = kaigo_core::text::single_line(&args.title)
        .ok_or_else(|| anyhow!("--title must be one line without control characters"))?;
    if title.is_empty() {
        bail!("--title must not be empty");
    }
    if title.chars().count() > kaigo_core::notice::MAX_TITLE {
        bail!(
            "--title is too long (at most {} characters)",
            kaigo_core::notice::MAX_TITLE
        );
    }
    if args.body.chars().count() > kaigo_core::notice::MAX_BODY {
        bail!(
            "--body is too long (at most {} characters)",
            kaigo_core::notice::MAX_BODY
        );
    }
    let category = NoticeCategory::from_code(args.category.trim()).ok_or_else(|| {
        anyhow!(
            "unknown --category {:?}: use スケジュール, 証明書, 参考資料, システム関連 (or schedule, certificate, reference, system)",
            args.category
        )
    })?;
    let office_number = args
        .office
        .as_deref()
        .map(|n| {
            OfficeNumber::parse(n)
                .map_err(|_| anyhow!("--office must be a 事業所番号 of 10 digits, got {n:?}"))
        })
        .transpose()?;
    let prefecture = args
        .prefecture
        .as_deref()
        .map(|p| {
            PrefectureCode::parse(p)
                .map_err(|_| anyhow!("--prefecture must be a code from 01 to 47, got {p:?}"))
        })
        .transpose()?;
    let attachments = read_attachments(&args.attach)?;

    let app = wiring::open(dir, false).await?;
    let result = async {
        let (target, target_text) = match (office_number, prefecture) {
            (Some(number), _) => {
                let id = app
                    .services
                    .notices
                    .office_id_by_number(&number)
                    .await?
                    .ok_or_else(|| anyhow!("no office with 事業所番号 {number}"))?;
                (NoticeTarget::Office(id), format!("office {number}"))
            }
            (None, Some(p)) => (NoticeTarget::Prefecture(p), format!("prefecture {p}")),
            (None, None) => (NoticeTarget::All, "all".to_owned()),
        };
        let now = app.services.deps.clock.unix();
        let draft = NoticeDraft {
            notice: NewNotice {
                category,
                title: title.clone(),
                body: kaigo_core::text::multi_line(&args.body),
                target,
                start_at: now,
                end_at: args.days.map(|d| now + i64::from(d) * 86_400),
                created_at: now,
            },
            attachments,
        };
        let id = app.services.notices.add_notice(&draft).await?;
        Ok::<_, anyhow::Error>(Posted {
            id,
            title: title.clone(),
            category,
            target: target_text,
            attachments: draft
                .attachments
                .iter()
                .map(|a| (a.filename.clone(), a.bytes.len()))
                .collect(),
        })
    }
    .await;
    app.store.close().await;
    result
}

pub fn to_json(p: &Posted) -> serde_json::Value {
    serde_json::json!({
        "id": p.id.0,
        "title": p.title,
        "category": p.category.code(),
        "target": p.target,
        "attachments": p.attachments.iter().map(|(name, size)| serde_json::json!({"filename": name, "size": size})).collect::<Vec<_>>(),
    })
}

pub fn to_text(p: &Posted) -> String {
    format!(
        "Posted notice {} 「{}」 ({}) to {} with {} attachment(s)",
        p.id,
        p.title,
        p.category.label(),
        p.target,
        p.attachments.len()
    )
}
