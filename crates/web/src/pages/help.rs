//! The help and archive tabs: 照会一覧, FAQ, マニュアル and ダウンロード.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use kaigo_core::clock::jst_datetime;
use kaigo_core::document::{DocumentSource, OfficeDocumentId, document_kind_label, format_size};
use kaigo_core::inquiry::{faq, faq_search, manual};
use kaigo_core::notice::attachment::AttachmentId;
use serde::Deserialize;

use crate::auth::CurrentOffice;
use crate::client::ClientIp;
use crate::download::file_response;
use crate::error::{AppError, AppResult, render};
use crate::frame::Frame;
use crate::path_id::PathId;
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
    let items = faq_search::search(&q)
        .into_iter()
        .map(|e| FaqItem {
            id: &e.id,
            topic: &e.topic,
            question: &e.question,
            paragraphs: e.paragraphs().collect(),
        })
        .collect();
    render(&FaqPage {
        frame: frame(&state, &user, "FAQ", "faq"),
        q,
        items,
        total: faq::entries().len(),
    })
}

// ---- マニュアル ----

/// A manual section as the page shows it (the deployment's ZIP hint filled in).
pub struct ManualView {
    id: &'static str,
    title: &'static str,
    lead: &'static [&'static str],
    steps: Vec<(String, &'static [&'static str])>,
    after: &'static [&'static str],
    see: &'static [(&'static str, &'static str)],
}

#[derive(Template)]
#[template(path = "manual.html")]
struct ManualPage {
    frame: Frame,
    sections: Vec<ManualView>,
}

pub async fn manual(State(state): State<AppState>, user: CurrentOffice) -> AppResult<Response> {
    let hint = state.services.deps.settings.password_zip.open_hint();
    let sections = manual::SECTIONS
        .iter()
        .map(|s| ManualView {
            id: s.id,
            title: s.title,
            lead: s.lead,
            steps: s
                .steps
                .iter()
                .map(|st| (st.text.replace(manual::ZIP_HINT, hint), st.checks))
                .collect(),
            after: s.after,
            see: s.see,
        })
        .collect();
    render(&ManualPage {
        frame: frame(&state, &user, "マニュアル", "manual"),
        sections,
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
