//! Console area: certificates — search, details, revocation. The service checks the admin's
//! scope on every certificate; one outside it is a 404 like one that does not exist.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kaigo_core::CoreError;
use kaigo_core::certificate::CertKind;
use kaigo_core::certificate::console::CertSearchInput;
use kaigo_core::certificate::query::{CertState, CertificateListing};
use kaigo_core::certificate::revocation::RevocationReason;
use kaigo_core::clock::jst_datetime;
use kaigo_core::ids::CertificateId;
use kaigo_core::office::prefectures::prefecture_name;
use serde::Deserialize;

use super::frame::{Console, ConsoleFrame};
use crate::csrf::CsrfForm;
use crate::error::{AppResult, render};
use crate::path_id::PathId;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/certificates", get(search))
        .route("/admin/certificates/{id}", get(detail))
        .route("/admin/certificates/{id}/revoke", post(revoke))
}

#[derive(Deserialize, Default, Clone)]
pub struct SearchForm {
    #[serde(default)]
    office_number: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    serial: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    expires_from: String,
    #[serde(default)]
    expires_to: String,
    #[serde(default)]
    page: String,
}

impl SearchForm {
    fn input(&self) -> CertSearchInput {
        CertSearchInput {
            office_number: self.office_number.clone(),
            user_id: self.user_id.clone(),
            serial: self.serial.clone(),
            kind: self.kind.clone(),
            status: self.status.clone(),
            expires_from: self.expires_from.clone(),
            expires_to: self.expires_to.clone(),
        }
    }

    /// The query string of this search for page `page`.
    fn link(&self, page: i64) -> String {
        let pairs = [
            ("office_number", self.office_number.as_str()),
            ("user_id", self.user_id.as_str()),
            ("serial", self.serial.as_str()),
            ("kind", self.kind.as_str()),
            ("status", self.status.as_str()),
            ("expires_from", self.expires_from.as_str()),
            ("expires_to", self.expires_to.as_str()),
        ];
        let mut q: Vec<(&str, String)> = pairs
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k, v.to_owned()))
            .collect();
        q.push(("page", page.to_string()));
        format!(
            "/admin/certificates?{}",
            serde_urlencoded::to_string(&q).unwrap_or_default()
        )
    }
}

/// One certificate as the console shows it.
pub struct CertView {
    pub id: i64,
    pub serial: String,
    pub kind: &'static str,
    pub subject: String,
    pub office_number: String,
    pub office_name: String,
    pub user_id: String,
    pub prefecture: String,
    pub not_before: String,
    pub not_after: String,
    pub issued_at: String,
    pub state: &'static str,
    pub state_code: &'static str,
    pub fingerprint: String,
    pub revoked_at: String,
    pub reason: String,
    pub revocable: bool,
}

fn view(c: &CertificateListing, now: i64) -> CertView {
    let state = CertState::of(&c.cert, now);
    CertView {
        id: c.cert.id.0,
        serial: c.cert.serial.to_string(),
        kind: c.cert.kind.label(),
        subject: c.cert.subject.clone(),
        office_number: c.office_number.to_string(),
        office_name: c.office_name.clone(),
        user_id: c.user_id.to_string(),
        prefecture: c
            .prefecture
            .map(|p| format!("{p} {}", prefecture_name(p)))
            .unwrap_or_default(),
        not_before: jst_datetime(c.cert.not_before),
        not_after: jst_datetime(c.cert.not_after),
        issued_at: jst_datetime(c.cert.issued_at),
        state: state.label(),
        state_code: state.code(),
        fingerprint: c.cert.fingerprint_sha256.clone(),
        revoked_at: c.cert.revoked_at.map(jst_datetime).unwrap_or_default(),
        reason: c
            .cert
            .revocation_reason
            .map(|r| r.label().to_owned())
            .unwrap_or_default(),
        revocable: state != CertState::Revoked,
    }
}

#[derive(Template)]
#[template(path = "admin/certificates/search.html")]
struct SearchPage {
    frame: ConsoleFrame,
    form: SearchForm,
    kinds: Vec<(&'static str, &'static str)>,
    states: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
    rows: Vec<CertView>,
    total: i64,
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
}

async fn search(
    State(state): State<AppState>,
    console: Console,
    Query(form): Query<SearchForm>,
) -> AppResult<Response> {
    let service = &state.services.admin_certs;
    let page = form.page.trim().parse::<i64>().unwrap_or(1);
    let now = service.now();
    let result = service
        .search(&console.actor(), &form.input(), page)
        .await?;
    let (errors, rows, total, page, pages) = match result {
        Ok(p) => (
            Vec::new(),
            p.rows.iter().map(|c| view(c, now)).collect(),
            p.total,
            p.page,
            p.pages,
        ),
        Err(errors) => (errors, Vec::new(), 0, 1, 1),
    };
    render(&SearchPage {
        frame: console.frame(),
        prev: (page > 1).then(|| form.link(page - 1)),
        next: (page < pages).then(|| form.link(page + 1)),
        form,
        kinds: [CertKind::KaigoDx, CertKind::KaigoHoken]
            .into_iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        states: CertState::ALL
            .into_iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        errors,
        rows,
        total,
        page,
        pages,
    })
}

#[derive(Template)]
#[template(path = "admin/certificates/detail.html")]
struct DetailPage {
    frame: ConsoleFrame,
    cert: CertView,
    reasons: Vec<(&'static str, &'static str)>,
    selected: String,
    error: Option<String>,
    done: bool,
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    #[serde(default)]
    revoked: String,
}

fn detail_page(
    console: &Console,
    c: &CertificateListing,
    now: i64,
    selected: String,
    error: Option<String>,
    done: bool,
) -> AppResult<Response> {
    render(&DetailPage {
        frame: console.frame(),
        cert: view(c, now),
        reasons: RevocationReason::selectable()
            .map(|r| (r.name(), r.label()))
            .collect(),
        selected,
        error,
        done,
    })
}

async fn detail(
    State(state): State<AppState>,
    console: Console,
    PathId(id): PathId<CertificateId>,
    Query(q): Query<DetailQuery>,
) -> AppResult<Response> {
    let service = &state.services.admin_certs;
    let found = service.detail(&console.actor(), id).await?;
    detail_page(
        &console,
        &found,
        service.now(),
        String::new(),
        None,
        q.revoked == "1",
    )
}

#[derive(Deserialize, Default)]
pub struct RevokeForm {
    #[serde(default)]
    reason: String,
    /// 危殆化が判明した日 (optional; RFC 5280 invalidityDate).
    #[serde(default)]
    invalidity_date: String,
    #[serde(default)]
    confirm: String,
}

async fn revoke(
    State(state): State<AppState>,
    console: Console,
    PathId(id): PathId<CertificateId>,
    CsrfForm(form): CsrfForm<RevokeForm>,
) -> AppResult<Response> {
    let service = &state.services.admin_certs;
    let actor = console.actor();
    // Scope first: outside it, every answer is the same 404.
    let found = service.detail(&actor, id).await?;
    let again = |msg: String, found: &CertificateListing| {
        detail_page(
            &console,
            found,
            service.now(),
            form.reason.clone(),
            Some(msg),
            false,
        )
        .map(|mut r| {
            *r.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            r
        })
    };
    if form.confirm != "yes" {
        return again(
            "失効は取り消せません。確認欄にチェックを入れてから【失効する】を押してください。"
                .to_owned(),
            &found,
        );
    }
    match service
        .revoke(&actor, id, &form.reason, &form.invalidity_date)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/admin/certificates/{}?revoked=1", id.0)).into_response())
        }
        Err(CoreError::Validation(v)) => again(v.message, &found),
        Err(CoreError::Refused(m)) => {
            let fresh = service.detail(&actor, id).await?;
            again(m, &fresh)
        }
        Err(e) => Err(e.into()),
    }
}
