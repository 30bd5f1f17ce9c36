//! The help and archive tabs: 照会一覧, FAQ, マニュアル, ダウンロード, and お問い合わせ.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kaigo_core::clock::jst_datetime;
use kaigo_core::document::{DocumentSource, OfficeDocumentId, document_kind_label, format_size};
use kaigo_core::inquiry::InquiryCategory;
use kaigo_core::inquiry::faq;
use kaigo_core::inquiry::service::HELPDESK_PHONES;
use kaigo_core::notice::attachment::AttachmentId;
use serde::Deserialize;

use crate::auth::CurrentOffice;
use crate::client::ClientIp;
use crate::csrf::CsrfForm;
use crate::download::file_response;
use crate::error::{AppError, AppResult, render};
use crate::frame::Frame;
use crate::path_id::PathId;
use crate::session::Session;
use crate::state::AppState;

fn frame(state: &AppState, user: &CurrentOffice, title: &str, key: &'static str) -> Frame {
    let now = state.services.deps.clock.unix();
    Frame::new(title, key, &user.office, &user.session, now)
}

// ---- 照会一覧 ----

pub struct DocumentRow {
    date: String,
    kind: String,
    title: String,
    filename: String,
    size: String,
    href: String,
}

#[derive(Template)]
#[template(path = "documents.html")]
struct DocumentsPage {
    frame: Frame,
    rows: Vec<DocumentRow>,
}

pub async fn documents(State(state): State<AppState>, user: CurrentOffice) -> AppResult<Response> {
    let rows = state
        .services
        .documents
        .documents(&user.office)
        .await?
        .into_iter()
        .map(|e| DocumentRow {
            date: jst_datetime(e.created_at),
            kind: document_kind_label(&e.kind).to_owned(),
            title: e.title,
            filename: e.filename,
            size: format_size(e.size),
            href: match e.source {
                DocumentSource::Issued(id) => format!("/documents/{id}"),
                DocumentSource::NoticeAttachment(id) => format!("/documents/attachments/{id}"),
            },
        })
        .collect();
    render(&DocumentsPage {
        frame: frame(&state, &user, "照会一覧", "documents"),
        rows,
    })
}

pub async fn document_file(
    State(state): State<AppState>,
    user: CurrentOffice,
    ClientIp(ip): ClientIp,
    PathId(OfficeDocumentId(id)): PathId<OfficeDocumentId>,
) -> AppResult<Response> {
    let doc = state
        .services
        .documents
        .document(&user.office, OfficeDocumentId(id), &ip)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(file_response(&doc.filename, &doc.content_type, doc.bytes))
}

pub async fn document_attachment(
    State(state): State<AppState>,
    user: CurrentOffice,
    ClientIp(ip): ClientIp,
    PathId(AttachmentId(id)): PathId<AttachmentId>,
) -> AppResult<Response> {
    let file = state
        .services
        .documents
        .document_attachment(&user.office, AttachmentId(id), &ip)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(file_response(
        &file.info.filename,
        &file.info.content_type,
        file.bytes,
    ))
}

// ---- FAQ ----

pub struct FaqItem {
    id: &'static str,
    topic: &'static str,
    question: &'static str,
    paragraphs: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "faq.html")]
struct FaqPage {
    frame: Frame,
    q: String,
    items: Vec<FaqItem>,
    total: usize,
}

#[derive(Deserialize)]
pub struct FaqQuery {
    q: Option<String>,
}

pub async fn faq(
    State(state): State<AppState>,
    user: CurrentOffice,
    Query(query): Query<FaqQuery>,
) -> AppResult<Response> {
    let q: String = query.q.unwrap_or_default().chars().take(100).collect();
    let items = faq::search(&q)
        .into_iter()
        .map(|e| FaqItem {
            id: e.id,
            topic: e.topic,
            question: e.question,
            paragraphs: e.answer.split("\n\n").collect(),
        })
        .collect();
    render(&FaqPage {
        frame: frame(&state, &user, "FAQ", "faq"),
        q,
        items,
        total: faq::ENTRIES.len(),
    })
}

// ---- マニュアル ----

#[derive(Template)]
#[template(path = "manual.html")]
struct ManualPage {
    frame: Frame,
    zip_hint: &'static str,
}

pub async fn manual(State(state): State<AppState>, user: CurrentOffice) -> AppResult<Response> {
    render(&ManualPage {
        frame: frame(&state, &user, "マニュアル", "manual"),
        zip_hint: state.services.deps.settings.password_zip.open_hint(),
    })
}

// ---- ダウンロード ----

pub struct CaRow {
    file_stem: String,
    label: String,
}

#[derive(Template)]
#[template(path = "downloads.html")]
struct DownloadsPage {
    frame: Frame,
    cas: Vec<CaRow>,
}

pub async fn downloads(State(state): State<AppState>, user: CurrentOffice) -> AppResult<Response> {
    let cas = state
        .services
        .ca_files
        .ca_certificates()
        .into_iter()
        .map(|c| CaRow {
            file_stem: c.file_stem,
            label: c.label,
        })
        .collect();
    render(&DownloadsPage {
        frame: frame(&state, &user, "ダウンロード", "downloads"),
        cas,
    })
}

// ---- お問い合わせ ----

/// The one-shot message that carries the reception number to the acknowledgment page (and
/// reads well if shown on another page instead).
const ACK_PREFIX: &str = "お問い合わせを受け付けました。受付番号: ";

#[derive(Template)]
#[template(path = "inquiry.html")]
struct InquiryPage {
    frame: Frame,
    categories: Vec<(&'static str, &'static str)>,
    phones: &'static [(&'static str, &'static str)],
    hours: String,
    form: InquiryForm,
    errors: Vec<String>,
    /// The office's registered and confirmed addresses: the only reply addresses offered.
    addresses: Vec<String>,
}

#[derive(Template)]
#[template(path = "inquiry_public.html")]
struct InquiryPublicPage {
    phones: &'static [(&'static str, &'static str)],
    hours: String,
}

#[derive(Template)]
#[template(path = "inquiry_done.html")]
struct InquiryDonePage {
    frame: Frame,
    reception: String,
    /// Whether the acknowledgment went by mail (the office has an address to send it to).
    mailed: bool,
    phones: &'static [(&'static str, &'static str)],
    hours: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct InquiryForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    reply_to: String,
}

fn categories() -> Vec<(&'static str, &'static str)> {
    InquiryCategory::ALL
        .into_iter()
        .map(|c| (c.code(), c.label()))
        .collect()
}

/// The form for a logged-in office; without a login, the helpdesk numbers and a login link.
pub async fn inquiry_form(State(state): State<AppState>, session: Session) -> AppResult<Response> {
    let hours = state.services.deps.settings.helpdesk.clone();
    let office = match session.office_id() {
        Some(id) => state.services.auth.office(id).await?,
        None => None,
    };
    match office {
        Some(office) if !office.must_change_password => {
            let addresses = state.services.inquiries.reply_addresses(&office).await?;
            let user = CurrentOffice { office, session };
            render(&InquiryPage {
                frame: frame(&state, &user, "お問い合わせ", "inquiry"),
                categories: categories(),
                phones: HELPDESK_PHONES,
                hours,
                form: InquiryForm::default(),
                errors: Vec::new(),
                addresses,
            })
        }
        _ => render(&InquiryPublicPage {
            phones: HELPDESK_PHONES,
            hours,
        }),
    }
}

pub async fn inquiry_submit(
    State(state): State<AppState>,
    user: CurrentOffice,
    CsrfForm(form): CsrfForm<InquiryForm>,
) -> AppResult<Response> {
    let hours = state.services.deps.settings.helpdesk.clone();
    match state
        .services
        .inquiries
        .submit_inquiry(
            &user.office,
            &form.category,
            &form.subject,
            &form.body,
            &form.reply_to,
        )
        .await?
    {
        Ok((_, reception)) => {
            user.session
                .update(|d| d.flash = Some(format!("{ACK_PREFIX}{reception}")));
            Ok(Redirect::to("/inquiry/done").into_response())
        }
        Err(errors) => {
            let mut form = form;
            form.subject = form.subject.chars().take(200).collect();
            form.reply_to = form.reply_to.chars().take(254).collect();
            let addresses = state
                .services
                .inquiries
                .reply_addresses(&user.office)
                .await?;
            render(&InquiryPage {
                frame: frame(&state, &user, "お問い合わせ", "inquiry"),
                categories: categories(),
                phones: HELPDESK_PHONES,
                hours,
                form,
                errors,
                addresses,
            })
        }
    }
}

pub async fn inquiry_done(
    State(state): State<AppState>,
    user: CurrentOffice,
) -> AppResult<Response> {
    let hours = state.services.deps.settings.helpdesk.clone();
    let mut frame = frame(&state, &user, "お問い合わせ受付完了", "inquiry");
    let Some(reception) = frame
        .flash
        .take()
        .and_then(|f| f.strip_prefix(ACK_PREFIX).map(str::to_owned))
    else {
        return Ok(Redirect::to("/inquiry").into_response());
    };
    let mailed = !state
        .services
        .inquiries
        .reply_addresses(&user.office)
        .await?
        .is_empty();
    render(&InquiryDonePage {
        frame,
        reception,
        mailed,
        phones: HELPDESK_PHONES,
        hours,
    })
}
