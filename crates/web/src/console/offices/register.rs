//! Registering offices in the console: one office by form, many by CSV upload (check, then
//! confirm), and the letter batches (combined PDFs in parts of `letters_per_pdf` offices, one
//! PDF per office, discard).

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use kaigo_core::clock::jst_datetime;
use kaigo_core::office::admin::{LetterEntry, LetterKind};
use kaigo_core::office::form::OfficeForm;
use kaigo_core::office::import::{ImportCheck, RowError};
use kaigo_core::office::letters::LetterPart;
use serde::Deserialize;

use crate::console::frame::{Console, ConsoleFrame};
use crate::csrf::CsrfForm;
use crate::error::{AppError, AppResult, render};
use crate::path_id::row_id;
use crate::session::Session;
use crate::state::AppState;

/// The largest CSV accepted (about 20,000 rows).
const MAX_CSV_BYTES: usize = 6 * 1024 * 1024;
/// The confirm form carries the file again, base64-encoded.
const MAX_CONFIRM_BYTES: usize = MAX_CSV_BYTES * 4 / 3 + 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/offices/new", get(new_form).post(new_submit))
        .route(
            "/admin/offices/import",
            get(import_form)
                .post(import_upload)
                .layer(DefaultBodyLimit::max(MAX_CSV_BYTES + 64 * 1024)),
        )
        .route(
            "/admin/offices/import/confirm",
            post(import_confirm).layer(DefaultBodyLimit::max(MAX_CONFIRM_BYTES)),
        )
        .route("/admin/offices/letters/{batch}", get(letters_page))
        .route(
            "/admin/offices/letters/{batch}/part/{part}",
            get(letters_part),
        )
        .route(
            "/admin/offices/letters/{batch}/office/{office}",
            get(letter_one),
        )
        .route("/admin/offices/letters/{batch}/discard", post(discard))
}

#[derive(Template)]
#[template(path = "admin/offices/new.html")]
struct NewPage {
    frame: ConsoleFrame,
    form: OfficeForm,
    errors: Vec<String>,
    fixed_prefecture: String,
}

async fn new_form(console: Console) -> AppResult<Response> {
    let fixed = console.role().prefecture().map(|p| p.to_string());
    render(&NewPage {
        frame: console.frame(),
        form: OfficeForm {
            prefecture: fixed.clone().unwrap_or_default(),
            ..OfficeForm::default()
        },
        errors: vec![],
        fixed_prefecture: fixed.unwrap_or_default(),
    })
}

async fn new_submit(
    State(state): State<AppState>,
    console: Console,
    CsrfForm(form): CsrfForm<OfficeForm>,
) -> AppResult<Response> {
    let svc = &state.services.admin_offices;
    match svc.register(&console.actor().into(), &form).await {
        Ok(Ok(batch)) => {
            Ok(Redirect::to(&format!("/admin/offices/letters/{}", batch.batch_id)).into_response())
        }
        Ok(Err(errors)) => new_again(&console, form, errors),
        Err(kaigo_core::CoreError::Refused(m)) => new_again(&console, form, vec![m]),
        Err(e) => Err(e.into()),
    }
}

fn new_again(console: &Console, form: OfficeForm, errors: Vec<String>) -> AppResult<Response> {
    let page = NewPage {
        frame: console.frame(),
        form,
        errors,
        fixed_prefecture: console
            .role()
            .prefecture()
            .map(|p| p.to_string())
            .unwrap_or_default(),
    };
    Ok((StatusCode::BAD_REQUEST, render(&page)?).into_response())
}

#[derive(Template)]
#[template(path = "admin/offices/import.html")]
struct ImportPage {
    frame: ConsoleFrame,
    error: Option<String>,
    /// After a check: the report.
    checked: bool,
    rows: usize,
    valid: usize,
    errors: Vec<RowError>,
    /// The file, base64, for the confirm step (empty when there is nothing to import).
    data: String,
    /// After an import that registered nothing.
    refused: bool,
}

impl ImportPage {
    fn blank(frame: ConsoleFrame) -> Self {
        Self {
            frame,
            error: None,
            checked: false,
            rows: 0,
            valid: 0,
            errors: vec![],
            data: String::new(),
            refused: false,
        }
    }
}

async fn import_form(console: Console) -> AppResult<Response> {
    render(&ImportPage::blank(console.frame()))
}

async fn import_upload(
    State(state): State<AppState>,
    console: Console,
    session: Session,
    mut multipart: Multipart,
) -> AppResult<Response> {
    let mut csrf_ok = false;
    let mut file: Option<Vec<u8>> = None;
    let bad = || AppError::BadRequest("送信内容が大きすぎるか、正しくありません。".into());
    while let Some(field) = multipart.next_field().await.map_err(|_| bad())? {
        let name = field.name().map(str::to_owned);
        match name.as_deref() {
            Some("csrf") => {
                let token = field.text().await.map_err(|_| bad())?;
                csrf_ok = session.csrf_matches(&token);
            }
            Some("file") => file = Some(field.bytes().await.map_err(|_| bad())?.to_vec()),
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(AppError::Csrf);
    }
    let mut page = ImportPage::blank(console.frame());
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        page.error = Some("CSVファイルを選択してください。".into());
        return Ok((StatusCode::BAD_REQUEST, render(&page)?).into_response());
    };
    let svc = &state.services.admin_offices;
    match svc.check_import(&console.actor().into(), &bytes).await {
        Ok(check) => {
            fill_report(&mut page, &check);
            if !check.valid.is_empty() {
                page.data = base64::engine::general_purpose::STANDARD.encode(&bytes);
            }
            render(&page)
        }
        Err(kaigo_core::CoreError::Refused(m)) => {
            page.error = Some(m);
            Ok((StatusCode::BAD_REQUEST, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn fill_report(page: &mut ImportPage, check: &ImportCheck) {
    page.checked = true;
    page.rows = check.rows();
    page.valid = check.valid.len();
    page.errors = check.errors.clone();
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    data: String,
    #[serde(default)]
    valid_only: Option<String>,
}

async fn import_confirm(
    State(state): State<AppState>,
    console: Console,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> AppResult<Response> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(form.data.trim())
        .map_err(|_| AppError::BadRequest("送信内容が正しくありません。".into()))?;
    let svc = &state.services.admin_offices;
    // The file is checked again: nothing from the first step is trusted.
    let mut page = ImportPage::blank(console.frame());
    match svc
        .import(
            &console.actor().into(),
            &bytes,
            form.valid_only.is_some(),
            std::sync::Arc::new(|_| {}),
        )
        .await
    {
        Ok(outcome) => match outcome.registered {
            Some(batch) => Ok(
                Redirect::to(&format!("/admin/offices/letters/{}", batch.batch_id)).into_response(),
            ),
            None => {
                fill_report(&mut page, &outcome.check);
                page.refused = true;
                if !outcome.check.valid.is_empty() {
                    page.data = form.data;
                }
                Ok((StatusCode::BAD_REQUEST, render(&page)?).into_response())
            }
        },
        Err(kaigo_core::CoreError::Refused(m)) => {
            page.error = Some(m);
            Ok((StatusCode::BAD_REQUEST, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A letter's office on the batch page (no passwords).
struct LetterRow {
    office_id: i64,
    number: String,
    name: String,
    user_id: String,
}

/// A combined PDF of the batch page: 「1〜500件目」.
struct PartRow {
    number: usize,
    label: String,
}

#[derive(Template)]
#[template(path = "admin/offices/letters.html")]
struct LettersPage {
    frame: ConsoleFrame,
    batch_id: i64,
    title: &'static str,
    created: String,
    expires: String,
    rows: Vec<LetterRow>,
    parts: Vec<PartRow>,
    per_pdf: usize,
}

async fn letters_page(
    State(state): State<AppState>,
    console: Console,
    Path(batch): Path<String>,
) -> AppResult<Response> {
    let batch_id = row_id(&batch)?;
    let (batch, entries) = state
        .services
        .admin_offices
        .letters_summary(&console.actor().into(), batch_id)
        .await?;
    let svc = &state.services.admin_offices;
    let parts = svc
        .parts_of(entries.len())
        .into_iter()
        .map(|p| PartRow {
            number: p.number,
            label: p.label(),
        })
        .collect();
    render(&LettersPage {
        frame: console.frame(),
        batch_id,
        parts,
        per_pdf: state.services.deps.settings.letters_per_pdf,
        title: batch.kind.title(),
        created: jst_datetime(batch.created_at),
        expires: jst_datetime(batch.expires_at),
        rows: entries
            .into_iter()
            .map(|e| LetterRow {
                office_id: e.office_id,
                number: e.number,
                name: e.name,
                user_id: e.user_id,
            })
            .collect(),
    })
}

async fn pdf_response(
    state: &AppState,
    kind: LetterKind,
    entries: Vec<LetterEntry>,
    fallback: &str,
    name: &str,
) -> AppResult<Response> {
    let pdf = state
        .services
        .admin_offices
        .letters_pdf(kind, entries)
        .await?;
    Ok(crate::download::file_response_as(
        fallback,
        name,
        "application/pdf",
        pdf,
    ))
}

/// The file names of a part: `letters_12_1-500.pdf`, `…_12_1〜500件目.pdf`.
fn part_names(batch_id: i64, title: &str, part: &LetterPart) -> (String, String) {
    (
        format!("letters_{batch_id}_{}-{}.pdf", part.first, part.last),
        format!("{title}_{batch_id}_{}.pdf", part.label()),
    )
}

async fn letters_part(
    State(state): State<AppState>,
    console: Console,
    Path((batch, part)): Path<(String, String)>,
) -> AppResult<Response> {
    let batch_id = row_id(&batch)?;
    let part_no =
        usize::try_from(row_id(part.trim_end_matches(".pdf"))?).map_err(|_| AppError::NotFound)?;
    let (batch, part, entries) = state
        .services
        .admin_offices
        .letters_part(&console.actor().into(), batch_id, part_no)
        .await?;
    let (fallback, name) = part_names(batch_id, batch.kind.title(), &part);
    pdf_response(&state, batch.kind, entries, &fallback, &name).await
}

async fn letter_one(
    State(state): State<AppState>,
    console: Console,
    Path((batch, office)): Path<(String, String)>,
) -> AppResult<Response> {
    let batch_id = row_id(&batch)?;
    let office_id = row_id(office.trim_end_matches(".pdf"))?;
    let (batch, entries) = state
        .services
        .admin_offices
        .letters(&console.actor().into(), batch_id)
        .await?;
    let one: Vec<LetterEntry> = entries
        .into_iter()
        .filter(|e| e.office_id == office_id)
        .collect();
    let Some(first) = one.first() else {
        return Err(AppError::NotFound);
    };
    let name = format!("{}_{}.pdf", batch.kind.title(), first.number);
    let fallback = format!("letter_{}.pdf", first.number);
    pdf_response(&state, batch.kind, one, &fallback, &name).await
}

#[derive(Deserialize)]
struct Empty {}

async fn discard(
    State(state): State<AppState>,
    console: Console,
    Path(batch): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    let batch_id = row_id(&batch)?;
    state
        .services
        .admin_offices
        .discard_letters(&console.actor().into(), batch_id)
        .await?;
    Ok(Redirect::to("/admin/offices?discarded=1").into_response())
}
