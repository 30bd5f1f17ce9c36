//! Manual 3-1: the 介護DX証明書 tab — choose, read the notes, enter the issuance password,
//! accept the terms, submit; then download. The steps after the tab page are written for any
//! certificate kind, so the 証明書 tab can reuse them.

use askama::Template;
use axum::extract::State;

use crate::client::ClientIp;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use kaigo_core::certificate::CertKind;
use kaigo_core::service::apply::{HistoryRow, IssuancePasswordCheck};
use kaigo_core::terms::{TERMS_ARTICLES, TERMS_TITLE};
use rand::RngCore;
use serde::Deserialize;

use crate::auth::CurrentOffice;
use crate::csrf::CsrfForm;
use crate::error::{AppError, AppResult, render};
use crate::frame::Frame;
use crate::session::PendingApplication;
use crate::state::AppState;

/// The message of the manual when 【次へ】 is pressed before the notes were opened.
pub const NOTES_NOT_READ: &str = "確認せずに証明書の発行申請は行えません。";

/// Where each kind's flow lives and how the manual names its parts.
struct Flow {
    kind: CertKind,
    base: &'static str,
    tab_key: &'static str,
    tab_label: &'static str,
    download_choice: &'static str,
}

const DX: Flow = Flow {
    kind: CertKind::KaigoDx,
    base: "/dx",
    tab_key: "dx",
    tab_label: "介護DX証明書",
    download_choice: "介護DX証明書をダウンロード・インストールする",
};

#[derive(Template)]
#[template(path = "dx.html")]
struct DxPage {
    frame: Frame,
    kind_label: &'static str,
    has_current: bool,
    pending: bool,
    selected: String,
    error: Option<String>,
    history: Vec<HistoryRow>,
}

#[derive(Template)]
#[template(path = "dx_notes.html")]
struct DxNotesPage {
    frame: Frame,
}

#[derive(Template)]
#[template(path = "apply_password.html")]
struct PasswordPage {
    frame: Frame,
    base: &'static str,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "apply_terms.html")]
struct TermsPage {
    frame: Frame,
    base: &'static str,
    kind_label: &'static str,
    terms_title: &'static str,
    terms_version: String,
    articles: &'static [(&'static str, &'static [&'static str])],
    token: String,
}

#[derive(Template)]
#[template(path = "apply_done.html")]
struct DonePage {
    frame: Frame,
    kind_label: &'static str,
    tab_label: &'static str,
    download_choice: &'static str,
}

#[derive(Template)]
#[template(path = "download.html")]
struct DownloadPage {
    frame: Frame,
    base: &'static str,
    kind_label: &'static str,
    row: HistoryRow,
}

fn frame(state: &AppState, user: &CurrentOffice, flow: &Flow) -> Frame {
    let now = state.services.deps.clock.unix();
    Frame::new(
        flow.tab_label,
        flow.tab_key,
        &user.office,
        &user.session,
        now,
    )
}

async fn tab_page(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
    selected: &str,
    error: Option<String>,
) -> AppResult<Response> {
    let apply = &state.services.apply;
    let has_current = apply
        .current_certificate(&user.office, flow.kind)
        .await?
        .is_some();
    let pending = apply.pending(&user.office, flow.kind).await?;
    let history = apply.history(&user.office, flow.kind).await?;
    render(&DxPage {
        frame: frame(state, user, flow),
        kind_label: flow.kind.label(),
        has_current,
        pending,
        selected: selected.to_owned(),
        error,
        history,
    })
}

pub async fn dx_tab(State(state): State<AppState>, user: CurrentOffice) -> AppResult<Response> {
    tab_page(&state, &user, &DX, "", None).await
}

pub async fn dx_notes(State(state): State<AppState>, user: CurrentOffice) -> AppResult<Response> {
    user.session.update(|d| {
        if !d.notes_read.iter().any(|k| k == DX.kind.code()) {
            d.notes_read.push(DX.kind.code().to_owned());
        }
    });
    render(&DxNotesPage {
        frame: frame(&state, &user, &DX),
    })
}

#[derive(Deserialize)]
pub struct ChoiceForm {
    #[serde(default)]
    choice: String,
}

pub async fn dx_choose(
    State(state): State<AppState>,
    user: CurrentOffice,
    CsrfForm(form): CsrfForm<ChoiceForm>,
) -> AppResult<Response> {
    match form.choice.as_str() {
        "download" => Ok(Redirect::to("/dx/download").into_response()),
        "apply" => {
            if !notes_read(&user, &DX) {
                return tab_page(&state, &user, &DX, "apply", Some(NOTES_NOT_READ.to_owned()))
                    .await;
            }
            if state.services.apply.pending(&user.office, DX.kind).await? {
                let msg =
                    "既に発行申請中です。証明書発行完了通知が届くまでお待ちください。".to_owned();
                return tab_page(&state, &user, &DX, "apply", Some(msg)).await;
            }
            Ok(Redirect::to("/dx/apply/password").into_response())
        }
        _ => {
            tab_page(
                &state,
                &user,
                &DX,
                "",
                Some("処理を選択してください。".to_owned()),
            )
            .await
        }
    }
}

fn notes_read(user: &CurrentOffice, flow: &Flow) -> bool {
    user.session
        .data()
        .notes_read
        .iter()
        .any(|k| k == flow.kind.code())
}

/// Sends the office back to the tab page with a message when it skipped a step.
fn back_to_tab(user: &CurrentOffice, flow: &Flow, message: &str) -> Response {
    user.session.update(|d| d.flash = Some(message.to_owned()));
    Redirect::to(flow.base).into_response()
}

pub async fn dx_password_form(
    State(state): State<AppState>,
    user: CurrentOffice,
) -> AppResult<Response> {
    if !notes_read(&user, &DX) {
        return Ok(back_to_tab(&user, &DX, NOTES_NOT_READ));
    }
    render(&PasswordPage {
        frame: frame(&state, &user, &DX),
        base: DX.base,
        error: None,
    })
}

#[derive(Deserialize)]
pub struct IssuancePasswordForm {
    #[serde(default)]
    issuance_password: String,
}

pub async fn dx_password_submit(
    State(state): State<AppState>,
    user: CurrentOffice,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<IssuancePasswordForm>,
) -> AppResult<Response> {
    if !notes_read(&user, &DX) {
        return Ok(back_to_tab(&user, &DX, NOTES_NOT_READ));
    }
    let pw = form.issuance_password.trim();
    let error = if pw.is_empty() {
        "証明書発行用パスワードを入力してください。".to_owned()
    } else {
        let apply = &state.services.apply;
        match apply.check_issuance_password(&user.office, pw, &ip).await? {
            IssuancePasswordCheck::Ok => {
                let sealed = apply.seal_password(pw)?;
                let token = random_token();
                user.session.update(|d| {
                    d.pending = Some(PendingApplication {
                        kind: DX.kind.code().to_owned(),
                        sealed_password_b64: STANDARD.encode(sealed),
                        token,
                    });
                });
                return Ok(Redirect::to("/dx/apply/terms").into_response());
            }
            IssuancePasswordCheck::Wrong => "証明書発行用パスワードが正しくありません。「電子請求登録結果に関するお知らせ」に記載された証明書発行用パスワードを入力してください。3回続けて誤ると30分間発行申請ができなくなります。".to_owned(),
            IssuancePasswordCheck::Locked(until) => format!(
                "証明書発行用パスワードを3回続けて誤ったため、30分間発行申請ができません。{} 以降に再度お試しください。",
                kaigo_core::clock::jst_datetime(until)
            ),
        }
    };
    render(&PasswordPage {
        frame: frame(&state, &user, &DX),
        base: DX.base,
        error: Some(error),
    })
}

fn random_token() -> String {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

pub async fn dx_terms(State(state): State<AppState>, user: CurrentOffice) -> AppResult<Response> {
    let Some(pending) = user
        .session
        .data()
        .pending
        .filter(|p| p.kind == DX.kind.code())
    else {
        return Ok(back_to_tab(
            &user,
            &DX,
            "最初から発行申請の手続きを行ってください。",
        ));
    };
    render(&TermsPage {
        frame: frame(&state, &user, &DX),
        base: DX.base,
        kind_label: DX.kind.label(),
        terms_title: TERMS_TITLE,
        terms_version: state.services.deps.settings.terms_version.clone(),
        articles: TERMS_ARTICLES,
        token: pending.token,
    })
}

#[derive(Deserialize)]
pub struct SubmitForm {
    #[serde(default)]
    token: String,
}

pub async fn dx_submit(
    State(state): State<AppState>,
    user: CurrentOffice,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<SubmitForm>,
) -> AppResult<Response> {
    let data = user.session.data();
    // A repeated submit (double click, back button, reload) lands on the completion page.
    if data.submitted.contains(&form.token) {
        return Ok(Redirect::to("/dx/apply/done").into_response());
    }
    let Some(pending) = data
        .pending
        .filter(|p| p.kind == DX.kind.code() && p.token == form.token)
    else {
        if state.services.apply.pending(&user.office, DX.kind).await? {
            return Ok(Redirect::to("/dx/apply/done").into_response());
        }
        return Ok(back_to_tab(
            &user,
            &DX,
            "最初から発行申請の手続きを行ってください。",
        ));
    };
    let sealed = STANDARD
        .decode(pending.sealed_password_b64.as_bytes())
        .map_err(|_| AppError::Internal("sealed password in session is not base64".into()))?;
    state
        .services
        .apply
        .submit(&user.office, DX.kind, sealed, &pending.token, &ip)
        .await?;
    state.issuance_wakeup.notify_one();
    user.session.update(|d| {
        d.pending = None;
        d.submitted.push(pending.token.clone());
        if d.submitted.len() > 10 {
            d.submitted.remove(0);
        }
    });
    Ok(Redirect::to("/dx/apply/done").into_response())
}

pub async fn dx_done(State(state): State<AppState>, user: CurrentOffice) -> AppResult<Response> {
    render(&DonePage {
        frame: frame(&state, &user, &DX),
        kind_label: DX.kind.label(),
        tab_label: DX.tab_label,
        download_choice: DX.download_choice,
    })
}

pub async fn dx_download_page(
    State(state): State<AppState>,
    user: CurrentOffice,
) -> AppResult<Response> {
    let apply = &state.services.apply;
    let Some(cert) = apply.current_certificate(&user.office, DX.kind).await? else {
        return Ok(back_to_tab(
            &user,
            &DX,
            "ダウンロードできる介護DX証明書がありません。",
        ));
    };
    let history = apply.history(&user.office, DX.kind).await?;
    let valid_from = kaigo_core::clock::jst_date(cert.not_before);
    let row = history
        .into_iter()
        .find(|h| h.valid_from == valid_from && h.status == "発行済み")
        .unwrap_or(HistoryRow {
            requested_on: String::new(),
            valid_from,
            valid_to: kaigo_core::clock::jst_date(cert.not_after),
            status: "発行済み".into(),
            fee_balance: 0,
        });
    render(&DownloadPage {
        frame: frame(&state, &user, &DX),
        base: DX.base,
        kind_label: DX.kind.label(),
        row,
    })
}

pub async fn dx_download_file(
    State(state): State<AppState>,
    user: CurrentOffice,
    ClientIp(ip): ClientIp,
) -> AppResult<Response> {
    let (name, bytes) = match state
        .services
        .apply
        .download(&user.office, DX.kind, &ip)
        .await
    {
        Ok(found) => found,
        Err(kaigo_core::CoreError::NotFound) => {
            return Ok(back_to_tab(
                &user,
                &DX,
                "ダウンロードできる介護DX証明書がありません。",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let disposition = format!("attachment; filename=\"{name}\"");
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-pkcs12"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}
