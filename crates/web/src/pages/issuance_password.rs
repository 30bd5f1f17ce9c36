//! Manual 4: 「証明書発行用パスワードとは？」 → 【通知書を紛失してしまった】 → 【再発行する】 →
//! 【お知らせ画面を開く】.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kaigo_core::account::issuance_password::ReissueOutcome;
use serde::Deserialize;

use crate::auth::CurrentOffice;
use crate::client::ClientIp;
use crate::csrf::CsrfForm;
use crate::error::{AppResult, render};
use crate::frame::Frame;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "issuance_password_about.html")]
struct AboutPage {
    frame: Frame,
    back: String,
}

#[derive(Template)]
#[template(path = "issuance_password_reissue.html")]
struct ConfirmPage {
    frame: Frame,
    back: String,
    token: String,
    /// How to open the ZIP, for the configured encryption.
    zip_hint: &'static str,
}

#[derive(Template)]
#[template(path = "issuance_password_reissued.html")]
struct DonePage {
    frame: Frame,
    back: String,
    notice_id: i64,
    zip_hint: &'static str,
}

#[derive(Deserialize, Default)]
pub struct BackQuery {
    #[serde(default)]
    back: String,
    #[serde(default)]
    notice: Option<i64>,
}

/// The page 【戻る】 returns to: a local portal path of plain characters, else the 証明書 tab.
fn safe_back(raw: &str) -> String {
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && raw.len() <= 64
        && raw.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '/' || c == '-' || c == '_'
        });
    if ok {
        raw.to_owned()
    } else {
        "/certificate".to_owned()
    }
}

/// The tab of the screen the office came from.
fn tab_of(back: &str) -> &'static str {
    if back.starts_with("/dx") {
        "dx"
    } else {
        "certificate"
    }
}

fn frame(state: &AppState, user: &CurrentOffice, title: &str, back: &str) -> Frame {
    let now = state.services.deps.clock.unix();
    Frame::new(title, tab_of(back), &user.office, &user.session, now)
}

/// 「証明書発行用パスワードとは？」
pub async fn about(
    State(state): State<AppState>,
    user: CurrentOffice,
    Query(q): Query<BackQuery>,
) -> AppResult<Response> {
    let back = safe_back(&q.back);
    render(&AboutPage {
        frame: frame(&state, &user, "証明書発行用パスワードとは", &back),
        back,
    })
}

/// 【通知書を紛失してしまった】: the confirmation with 【再発行する】.
pub async fn reissue_form(
    State(state): State<AppState>,
    user: CurrentOffice,
    Query(q): Query<BackQuery>,
) -> AppResult<Response> {
    let back = safe_back(&q.back);
    let token = crate::session::random_token();
    user.session
        .update(|d| d.reissue_token = Some(token.clone()));
    render(&ConfirmPage {
        frame: frame(&state, &user, "証明書発行用パスワードの再発行", &back),
        back,
        token,
        zip_hint: state.services.deps.settings.password_zip.open_hint(),
    })
}

#[derive(Deserialize)]
pub struct ReissueForm {
    #[serde(default)]
    back: String,
    #[serde(default)]
    token: String,
}

/// 【再発行する】
pub async fn reissue_submit(
    State(state): State<AppState>,
    user: CurrentOffice,
    ClientIp(ip): ClientIp,
    CsrfForm(form): CsrfForm<ReissueForm>,
) -> AppResult<Response> {
    let back = safe_back(&form.back);
    let data = user.session.data();
    if let Some((_, notice)) = data.reissued.filter(|(t, _)| *t == form.token) {
        // The same form again (double click, reload): no second reissue.
        return Ok(Redirect::to(&format!(
            "/issuance-password/reissue/done?back={back}&notice={notice}"
        ))
        .into_response());
    }
    if data.reissue_token.as_deref() != Some(form.token.as_str()) || form.token.is_empty() {
        return Ok(
            Redirect::to(&format!("/issuance-password/reissue?back={back}")).into_response(),
        );
    }
    let login_password = crate::login_secret::login_password(&state, &user.session);
    let reissued = match state
        .services
        .issuance_reissue
        .reissue_once(&user.office, login_password.as_ref(), &form.token, &ip)
        .await?
    {
        ReissueOutcome::Reissued(r) => r,
        // Another request with this form got there first.
        ReissueOutcome::AlreadySubmitted(notice) => {
            let to = match notice {
                Some(n) => format!("/issuance-password/reissue/done?back={back}&notice={}", n.0),
                None => "/notices".to_owned(),
            };
            return Ok(Redirect::to(&to).into_response());
        }
    };
    // A password checked earlier in this session is the old one: drop it.
    let token = form.token.clone();
    let notice = reissued.notice_id.0;
    user.session.update(|d| {
        d.pending = None;
        d.reissue_token = None;
        d.reissued = Some((token, notice));
    });
    drop(reissued.password);
    Ok(Redirect::to(&format!(
        "/issuance-password/reissue/done?back={back}&notice={}",
        reissued.notice_id.0
    ))
    .into_response())
}

/// The completion page with 【お知らせ画面を開く】.
pub async fn reissue_done(
    State(state): State<AppState>,
    user: CurrentOffice,
    Query(q): Query<BackQuery>,
) -> AppResult<Response> {
    let back = safe_back(&q.back);
    let Some(notice_id) = q.notice else {
        return Ok(Redirect::to("/notices").into_response());
    };
    render(&DonePage {
        frame: frame(&state, &user, "証明書発行用パスワードの再発行", &back),
        back,
        notice_id,
        zip_hint: state.services.deps.settings.password_zip.open_hint(),
    })
}
