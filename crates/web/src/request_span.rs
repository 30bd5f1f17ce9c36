//! Every request gets an ID (the load balancer's `X-Request-Id` when it is a sane token, else a
//! new one), a tracing span carrying it, so that each log line of the request names it, and
//! the HTTP metrics: requests by route, method and status, and a latency histogram by route.
//!
//! The route label is axum's matched pattern (`/notices/{id}`), never the raw path, so the
//! number of series stays bounded whatever clients ask for.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// Requests served, by `route`, `method` and `status`.
pub const REQUESTS: &str = "kaigo_http_requests_total";
/// Seconds from the request's arrival at the router to its response head, by `route`.
pub const DURATION: &str = "kaigo_http_request_duration_seconds";
/// The header that carries the request ID both ways.
pub const HEADER: &str = "x-request-id";

/// An ID from outside is kept only if it is short and plain, so that it cannot forge log lines.
fn incoming_id(req: &Request) -> Option<String> {
    let v = req.headers().get(HEADER)?.to_str().ok()?;
    let plain = (1..=64).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    plain.then(|| v.to_owned())
}

fn new_id() -> String {
    hex::encode(rand::random::<[u8; 8]>())
}

/// A method label from a closed set.
fn method_label(req: &Request) -> &'static str {
    use axum::http::Method;
    match *req.method() {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

pub async fn request_span(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = incoming_id(&req).unwrap_or_else(new_id);
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = method_label(&req);
    // At ERROR level, so that whatever level the log filter keeps, a kept line of this
    // request still carries its ID (a span is cheap; it writes nothing by itself).
    let span = tracing::error_span!("request", request_id = %id, method, route = %route);
    let mut resp = next.run(req).instrument(span.clone()).await;
    let status = resp.status();
    let seconds = started.elapsed().as_secs_f64();
    metrics::counter!(
        REQUESTS,
        "route" => route.clone(),
        "method" => method,
        "status" => status.as_str().to_owned()
    )
    .increment(1);
    metrics::histogram!(DURATION, "route" => route).record(seconds);
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), seconds, "request failed");
        } else {
            tracing::debug!(status = status.as_u16(), seconds, "request");
        }
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(HEADER, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(v: &str) -> Request {
        axum::http::Request::builder()
            .header(HEADER, v)
            .body(axum::body::Body::empty())
            .unwrap()
    }

    #[test]
    fn a_plain_incoming_id_is_kept_and_anything_else_replaced() {
        assert_eq!(
            incoming_id(&with("lb-7f3a.2")).as_deref(),
            Some("lb-7f3a.2")
        );
        assert_eq!(incoming_id(&with("a b")), None);
        assert_eq!(incoming_id(&with("x\"}{forged")), None);
        assert_eq!(incoming_id(&with(&"a".repeat(65))), None);
        assert_eq!(new_id().len(), 16);
    }
}
