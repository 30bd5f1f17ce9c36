//! The terms download and the static assets.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

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
