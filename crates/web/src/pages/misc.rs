//! The terms download and the static assets.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// 【利用規約をダウンロード】: the terms as a UTF-8 text file (with BOM, so Notepad shows it right).
pub async fn terms_download() -> Response {
    let mut body = "\u{feff}".to_owned();
    body.push_str(&kaigo_core::certificate::terms::terms_text());
    crate::download::file_response_as(
        "terms.txt",
        "利用規約.txt",
        "text/plain; charset=utf-8",
        body.into_bytes(),
    )
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
