//! Pages that later issues fill (準備中), the 証明書 tab's history, the terms download and the
//! static assets.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::auth::CurrentOffice;
use crate::error::{AppResult, render};
use crate::frame::Frame;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "placeholder.html")]
struct Placeholder {
    frame: Frame,
    note: &'static str,
}

async fn placeholder(
    state: &AppState,
    user: &CurrentOffice,
    title: &str,
    key: &'static str,
    note: &'static str,
) -> AppResult<Response> {
    let now = state.services.deps.clock.unix();
    render(&Placeholder {
        frame: Frame::new(title, key, &user.office, &user.session, now),
        note,
    })
}

pub async fn documents(State(s): State<AppState>, u: CurrentOffice) -> AppResult<Response> {
    placeholder(
        &s,
        &u,
        "照会一覧",
        "documents",
        "事業所あての通知文書や見積書をここから再取得できるようになります。",
    )
    .await
}
pub async fn faq(State(s): State<AppState>, u: CurrentOffice) -> AppResult<Response> {
    placeholder(
        &s,
        &u,
        "FAQ",
        "faq",
        "よくある質問と回答を掲載する予定です。",
    )
    .await
}
pub async fn manual(State(s): State<AppState>, u: CurrentOffice) -> AppResult<Response> {
    placeholder(
        &s,
        &u,
        "マニュアル",
        "manual",
        "セットアップ手順書（電子証明書編）を掲載する予定です。",
    )
    .await
}
pub async fn downloads(State(s): State<AppState>, u: CurrentOffice) -> AppResult<Response> {
    placeholder(
        &s,
        &u,
        "ダウンロード",
        "downloads",
        "利用規約、マニュアル、認証局の証明書を掲載する予定です。",
    )
    .await
}
#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    frame: Frame,
}

pub async fn settings(State(state): State<AppState>, user: CurrentOffice) -> AppResult<Response> {
    let now = state.services.deps.clock.unix();
    render(&SettingsPage {
        frame: Frame::new(
            "ユーザ情報変更",
            "settings",
            &user.office,
            &user.session,
            now,
        ),
    })
}

/// 【利用規約をダウンロード】: the terms as a UTF-8 text file (with BOM, so Notepad shows it right).
pub async fn terms_download() -> Response {
    let mut body = "\u{feff}".to_owned();
    body.push_str(&kaigo_core::terms::terms_text());
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"terms.txt\"; filename*=UTF-8''%E5%88%A9%E7%94%A8%E8%A6%8F%E7%B4%84.txt"),
    );
    resp
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    resp
}

pub async fn style_css() -> Response {
    asset(
        include_str!("../../static/style.css"),
        "text/css; charset=utf-8",
    )
}

pub async fn clock_js() -> Response {
    asset(
        include_str!("../../static/clock.js"),
        "text/javascript; charset=utf-8",
    )
}
