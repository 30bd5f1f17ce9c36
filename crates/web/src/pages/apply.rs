//! Manual 3-1: the 介護DX証明書 tab — choose, read the notes, enter the issuance password,
//! accept the terms, submit; then download. The steps after the tab page are written for any
//! certificate kind, so the 証明書 tab can reuse them.

use askama::Template;
use axum::extract::State;

use crate::client::ClientIp;
use crate::session::random_token;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use kaigo_core::certificate::CertKind;
use kaigo_core::certificate::apply::{HistoryRow, IssuancePasswordCheck};
use kaigo_core::certificate::terms::{TERMS_ARTICLES, TERMS_TITLE};
use kaigo_core::fee::service::BALANCE_BLOCKS_APPLICATION;
use serde::Deserialize;

use crate::auth::CurrentOffice;
use crate::csrf::CsrfForm;
use crate::error::{AppError, AppResult, render};
use crate::frame::Frame;
use crate::session::{PendingApplication, PendingStart};
use crate::state::AppState;

/// The message of the manual when 【次へ】 is pressed before the notes were opened.
pub const NOTES_NOT_READ: &str = "確認せずに証明書の発行申請は行えません。";

/// Where each kind's flow lives and how the manual names its parts.
pub(crate) struct Flow {
    pub(crate) kind: CertKind,
    pub(crate) base: &'static str,
    pub(crate) tab_key: &'static str,
    pub(crate) tab_label: &'static str,
    pub(crate) download_choice: &'static str,
    /// Shown when there is nothing to download.
    pub(crate) nothing_to_download: &'static str,
}

pub(crate) const DX: Flow = Flow {
    kind: CertKind::KaigoDx,
    base: "/dx",
    tab_key: "dx",
    tab_label: CertKind::KaigoDx.tab_label(),
    download_choice: CertKind::KaigoDx.download_choice(),
    nothing_to_download: "ダウンロードできる介護DX証明書がありません。",
};

/// The 証明書 tab (manual 3-2): 介護保険証明書.
pub(crate) const HOKEN: Flow = Flow {
    kind: CertKind::KaigoHoken,
    base: "/certificate",
    tab_key: "certificate",
    tab_label: CertKind::KaigoHoken.tab_label(),
    download_choice: CertKind::KaigoHoken.download_choice(),
    nothing_to_download: "ダウンロードできる介護保険証明書がありません。",
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

pub(crate) fn frame(state: &AppState, user: &CurrentOffice, flow: &Flow) -> Frame {
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
    if flow.kind == CertKind::KaigoHoken {
        return super::certificate::tab_page(state, user, selected, error).await;
    }
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
    mark_notes_read(&user, &DX);
    render(&DxNotesPage {
        frame: frame(&state, &user, &DX),
    })
}

pub(crate) fn mark_notes_read(user: &CurrentOffice, flow: &Flow) {
    user.session.update(|d| {
        if !d.notes_read.iter().any(|k| k == flow.kind.code()) {
            d.notes_read.push(flow.kind.code().to_owned());
        }
    });
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
    choose(&state, &user, &DX, &form.choice).await
}

pub async fn hoken_choose(
    State(state): State<AppState>,
    user: CurrentOffice,
    CsrfForm(form): CsrfForm<ChoiceForm>,
) -> AppResult<Response> {
    choose(&state, &user, &HOKEN, &form.choice).await
}

/// Whether an outstanding fee blocks applications of this flow's kind.
async fn fee_blocks(state: &AppState, user: &CurrentOffice, flow: &Flow) -> AppResult<bool> {
    Ok(state
        .services
        .fees
        .blocks_application(&user.office, flow.kind)
        .await?)
}

async fn choose(
    state: &AppState,
    user: &CurrentOffice,
    flow: &'static Flow,
    choice: &str,
) -> AppResult<Response> {
    match choice {
        "download" => Ok(Redirect::to(&format!("{}/download", flow.base)).into_response()),
        "estimate" if flow.kind == CertKind::KaigoHoken => {
            Ok(Redirect::to("/certificate/estimate").into_response())
        }
        "apply" => {
            if fee_blocks(state, user, flow).await? {
                return tab_page(
                    state,
                    user,
                    flow,
                    "",
                    Some(BALANCE_BLOCKS_APPLICATION.into()),
                )
                .await;
            }
            if !notes_read(user, flow) {
                return tab_page(state, user, flow, "apply", Some(NOTES_NOT_READ.to_owned())).await;
            }
            if state
                .services
                .apply
                .pending(&user.office, flow.kind)
                .await?
            {
                let msg =
                    "既に発行申請中です。証明書発行完了通知が届くまでお待ちください。".to_owned();
                return tab_page(state, user, flow, "apply", Some(msg)).await;
            }
            Ok(Redirect::to(&format!("{}/apply/password", flow.base)).into_response())
        }
        _ => {
            tab_page(
                state,
                user,
                flow,
                "",
                Some("処理を選択してください。".to_owned()),
            )
            .await
        }
    }
}

pub(crate) fn notes_read(user: &CurrentOffice, flow: &Flow) -> bool {
    user.session
        .data()
        .notes_read
        .iter()
        .any(|k| k == flow.kind.code())
}

/// Sends the office back to the tab page with a message when it skipped a step.
pub(crate) fn back_to_tab(user: &CurrentOffice, flow: &Flow, message: &str) -> Response {
    user.session.update(|d| d.flash = Some(message.to_owned()));
    Redirect::to(flow.base).into_response()
}

/// Generates the thin per-kind handlers that axum routes to.
macro_rules! flow_handlers {
    ($flow:expr, $password_form:ident, $password_submit:ident, $start_form:ident,
     $start_submit:ident, $terms:ident, $submit:ident, $done:ident, $download_page:ident,
     $download_file:ident) => {
        pub async fn $password_form(
            State(state): State<AppState>,
            user: CurrentOffice,
        ) -> AppResult<Response> {
            password_form(&state, &user, &$flow).await
        }
        pub async fn $password_submit(
            State(state): State<AppState>,
            user: CurrentOffice,
            ClientIp(ip): ClientIp,
            CsrfForm(form): CsrfForm<IssuancePasswordForm>,
        ) -> AppResult<Response> {
            password_submit(&state, &user, &$flow, &ip, form).await
        }
        pub async fn $start_form(
            State(state): State<AppState>,
            user: CurrentOffice,
        ) -> AppResult<Response> {
            start_form(&state, &user, &$flow, None).await
        }
        pub async fn $start_submit(
            State(state): State<AppState>,
            user: CurrentOffice,
            CsrfForm(form): CsrfForm<StartForm>,
        ) -> AppResult<Response> {
            start_submit(&state, &user, &$flow, form).await
        }
        pub async fn $terms(
            State(state): State<AppState>,
            user: CurrentOffice,
        ) -> AppResult<Response> {
            terms(&state, &user, &$flow).await
        }
        pub async fn $submit(
            State(state): State<AppState>,
            user: CurrentOffice,
            ClientIp(ip): ClientIp,
            CsrfForm(form): CsrfForm<SubmitForm>,
        ) -> AppResult<Response> {
            submit(&state, &user, &$flow, &ip, form).await
        }
        pub async fn $done(
            State(state): State<AppState>,
            user: CurrentOffice,
        ) -> AppResult<Response> {
            done(&state, &user, &$flow)
        }
        pub async fn $download_page(
            State(state): State<AppState>,
            user: CurrentOffice,
        ) -> AppResult<Response> {
            download_page(&state, &user, &$flow).await
        }
        pub async fn $download_file(
            State(state): State<AppState>,
            user: CurrentOffice,
            ClientIp(ip): ClientIp,
        ) -> AppResult<Response> {
            download_file(&state, &user, &$flow, &ip).await
        }
    };
}

flow_handlers!(
    DX,
    dx_password_form,
    dx_password_submit,
    dx_start_form,
    dx_start_submit,
    dx_terms,
    dx_submit,
    dx_done,
    dx_download_page,
    dx_download_file
);
flow_handlers!(
    HOKEN,
    hoken_password_form,
    hoken_password_submit,
    hoken_start_form,
    hoken_start_submit,
    hoken_terms,
    hoken_submit,
    hoken_done,
    hoken_download_page,
    hoken_download_file
);

pub async fn hoken_notes(
    State(state): State<AppState>,
    user: CurrentOffice,
) -> AppResult<Response> {
    mark_notes_read(&user, &HOKEN);
    super::certificate::notes_page(&state, &user)
}

pub async fn hoken_tab(State(state): State<AppState>, user: CurrentOffice) -> AppResult<Response> {
    tab_page(&state, &user, &HOKEN, "", None).await
}

/// A step of the application reached while a fee blocks it: back to the tab with the message.
async fn refuse_if_fee_blocks(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
) -> AppResult<Option<Response>> {
    if fee_blocks(state, user, flow).await? {
        user.session.update(|d| d.pending = None);
        return Ok(Some(back_to_tab(user, flow, BALANCE_BLOCKS_APPLICATION)));
    }
    Ok(None)
}

async fn password_form(state: &AppState, user: &CurrentOffice, flow: &Flow) -> AppResult<Response> {
    if let Some(r) = refuse_if_fee_blocks(state, user, flow).await? {
        return Ok(r);
    }
    if !notes_read(user, flow) {
        return Ok(back_to_tab(user, flow, NOTES_NOT_READ));
    }
    render(&PasswordPage {
        frame: frame(state, user, flow),
        base: flow.base,
        error: None,
    })
}

#[derive(Deserialize)]
pub struct IssuancePasswordForm {
    #[serde(default)]
    issuance_password: String,
}

async fn password_submit(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
    ip: &str,
    form: IssuancePasswordForm,
) -> AppResult<Response> {
    if let Some(r) = refuse_if_fee_blocks(state, user, flow).await? {
        return Ok(r);
    }
    if !notes_read(user, flow) {
        return Ok(back_to_tab(user, flow, NOTES_NOT_READ));
    }
    let pw = form.issuance_password.trim();
    let error = if pw.is_empty() {
        "証明書発行用パスワードを入力してください。".to_owned()
    } else {
        let apply = &state.services.apply;
        match apply.check_issuance_password(&user.office, pw, ip).await? {
            IssuancePasswordCheck::Ok => {
                let sealed = apply.seal_password(pw)?;
                let token = random_token();
                user.session.update(|d| {
                    d.pending = Some(PendingApplication {
                        kind: flow.kind.code().to_owned(),
                        sealed_password_b64: STANDARD.encode(sealed),
                        token: token.clone(),
                    });
                    d.pending_start = None;
                });
                // The validity-start step: always for 介護保険証明書 (manual 3-2), for 介護DX証明書
                // only when a renewal is possible (manual 3-1 goes straight to the terms).
                let renewal = renewal_end(state, user, flow).await?;
                if flow.kind == CertKind::KaigoDx && renewal.is_none() {
                    user.session.update(|d| {
                        d.pending_start = Some(PendingStart {
                            token: token.clone(),
                            not_before: None,
                        })
                    });
                    return Ok(Redirect::to(&format!("{}/apply/terms", flow.base)).into_response());
                }
                return Ok(Redirect::to(&format!("{}/apply/start", flow.base)).into_response());
            }
            IssuancePasswordCheck::Wrong => format!(
                "証明書発行用パスワードが正しくありません。「電子請求登録結果に関するお知らせ」に記載された証明書発行用パスワードを入力してください。{}続けて誤ると{}間発行申請ができなくなります。",
                state.services.deps.settings.lockout_times(),
                state.services.deps.settings.lockout_span()
            ),
            IssuancePasswordCheck::Locked(until) => format!(
                "証明書発行用パスワードを{}続けて誤ったため、{}間発行申請ができません。{} 以降に再度お試しください。",
                state.services.deps.settings.lockout_times(),
                state.services.deps.settings.lockout_span(),
                kaigo_core::clock::jst_datetime(until)
            ),
        }
    };
    render(&PasswordPage {
        frame: frame(state, user, flow),
        base: flow.base,
        error: Some(error),
    })
}

/// The end of the current certificate when it is inside the renewal window.
async fn renewal_end(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
) -> AppResult<Option<i64>> {
    let current = state
        .services
        .apply
        .current_certificate(&user.office, flow.kind)
        .await?;
    Ok(current
        .filter(|c| state.services.renewal.in_window(c))
        .map(|c| c.not_after))
}

#[derive(Template)]
#[template(path = "apply_start.html")]
struct StartPage {
    frame: Frame,
    base: &'static str,
    kind_label: &'static str,
    renewal_end: Option<String>,
    selected: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    start: String,
}

fn pending_for<'a>(
    data: &'a crate::session::SessionData,
    flow: &Flow,
) -> Option<&'a PendingApplication> {
    data.pending.as_ref().filter(|p| p.kind == flow.kind.code())
}

async fn start_form(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
    error: Option<String>,
) -> AppResult<Response> {
    if pending_for(&user.session.data(), flow).is_none() {
        return Ok(back_to_tab(
            user,
            flow,
            "最初から発行申請の手続きを行ってください。",
        ));
    }
    let end = renewal_end(state, user, flow).await?;
    render(&StartPage {
        frame: frame(state, user, flow),
        base: flow.base,
        kind_label: flow.kind.label(),
        renewal_end: end.map(kaigo_core::clock::jst_date),
        selected: if end.is_some() {
            "renewal".into()
        } else {
            "now".into()
        },
        error,
    })
}

async fn start_submit(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
    form: StartForm,
) -> AppResult<Response> {
    if let Some(r) = refuse_if_fee_blocks(state, user, flow).await? {
        return Ok(r);
    }
    let data = user.session.data();
    let Some(pending) = pending_for(&data, flow) else {
        return Ok(back_to_tab(
            user,
            flow,
            "最初から発行申請の手続きを行ってください。",
        ));
    };
    let not_before = match form.start.as_str() {
        "now" => None,
        "renewal" => match renewal_end(state, user, flow).await? {
            Some(end) => Some(end),
            None => {
                return start_form(
                    state,
                    user,
                    flow,
                    Some("更新できる証明書がありません。「申請日から」を選択してください。".into()),
                )
                .await;
            }
        },
        _ => {
            return start_form(
                state,
                user,
                flow,
                Some("有効開始年月日を選択してください。".into()),
            )
            .await;
        }
    };
    let token = pending.token.clone();
    user.session
        .update(|d| d.pending_start = Some(PendingStart { token, not_before }));
    Ok(Redirect::to(&format!("{}/apply/terms", flow.base)).into_response())
}

async fn terms(state: &AppState, user: &CurrentOffice, flow: &Flow) -> AppResult<Response> {
    let data = user.session.data();
    let Some(pending) = pending_for(&data, flow) else {
        return Ok(back_to_tab(
            user,
            flow,
            "最初から発行申請の手続きを行ってください。",
        ));
    };
    if data
        .pending_start
        .as_ref()
        .is_none_or(|s| s.token != pending.token)
    {
        return Ok(Redirect::to(&format!("{}/apply/start", flow.base)).into_response());
    }
    render(&TermsPage {
        frame: frame(state, user, flow),
        base: flow.base,
        kind_label: flow.kind.label(),
        terms_title: TERMS_TITLE,
        terms_version: state.services.deps.settings.terms_version.clone(),
        articles: TERMS_ARTICLES,
        token: pending.token.clone(),
    })
}

#[derive(Deserialize)]
pub struct SubmitForm {
    #[serde(default)]
    token: String,
}

async fn submit(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
    ip: &str,
    form: SubmitForm,
) -> AppResult<Response> {
    let done_url = format!("{}/apply/done", flow.base);
    let data = user.session.data();
    // A repeated submit (double click, back button, reload) lands on the completion page.
    if data.submitted.contains(&form.token) {
        return Ok(Redirect::to(&done_url).into_response());
    }
    if let Some(r) = refuse_if_fee_blocks(state, user, flow).await? {
        return Ok(r);
    }
    let Some(pending) = data
        .pending
        .clone()
        .filter(|p| p.kind == flow.kind.code() && p.token == form.token)
    else {
        if state
            .services
            .apply
            .pending(&user.office, flow.kind)
            .await?
        {
            return Ok(Redirect::to(&done_url).into_response());
        }
        return Ok(back_to_tab(
            user,
            flow,
            "最初から発行申請の手続きを行ってください。",
        ));
    };
    let not_before = data
        .pending_start
        .as_ref()
        .filter(|s| s.token == pending.token)
        .and_then(|s| s.not_before);
    let sealed = STANDARD
        .decode(pending.sealed_password_b64.as_bytes())
        .map_err(|_| AppError::Internal("sealed password in session is not base64".into()))?;
    state
        .services
        .apply
        .submit_starting(
            &user.office,
            flow.kind,
            sealed,
            &pending.token,
            ip,
            not_before,
        )
        .await?;
    state.issuance_wakeup.notify_one();
    user.session.update(|d| {
        d.pending = None;
        d.pending_start = None;
        d.submitted.push(pending.token.clone());
        if d.submitted.len() > 10 {
            d.submitted.remove(0);
        }
    });
    Ok(Redirect::to(&done_url).into_response())
}

fn done(state: &AppState, user: &CurrentOffice, flow: &Flow) -> AppResult<Response> {
    render(&DonePage {
        frame: frame(state, user, flow),
        kind_label: flow.kind.label(),
        tab_label: flow.tab_label,
        download_choice: flow.download_choice,
    })
}

async fn download_page(state: &AppState, user: &CurrentOffice, flow: &Flow) -> AppResult<Response> {
    let apply = &state.services.apply;
    let Some(cert) = apply.current_certificate(&user.office, flow.kind).await? else {
        return Ok(back_to_tab(user, flow, flow.nothing_to_download));
    };
    let history = apply.history(&user.office, flow.kind).await?;
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
        frame: frame(state, user, flow),
        base: flow.base,
        kind_label: flow.kind.label(),
        row,
    })
}

async fn download_file(
    state: &AppState,
    user: &CurrentOffice,
    flow: &Flow,
    ip: &str,
) -> AppResult<Response> {
    let (name, bytes) = match state
        .services
        .apply
        .download(&user.office, flow.kind, ip)
        .await
    {
        Ok(found) => found,
        Err(kaigo_core::CoreError::NotFound) => {
            return Ok(back_to_tab(user, flow, flow.nothing_to_download));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(crate::download::file_response(
        &name,
        "application/x-pkcs12",
        bytes,
    ))
}
