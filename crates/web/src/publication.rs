//! What relying parties fetch, without login, from every node: the CA certificates and CRL at
//! the URLs written into certificates (`/ca/…`) and the OCSP responder (`/ocsp`, RFC 6960
//! POST and GET). Errors here are never HTML: a missing file is a bare 404, a bad OCSP
//! request gets an OCSP `malformedRequest`.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use kaigo_core::certificate::ca_files::{OCSP_PATH, ROOT_STEM, generation_of_stem};
use kaigo_core::ids::CaGeneration;
use kaigo_core::revocation::ocsp::{MAX_REQUEST_BYTES, OcspReply};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::state::AppState;

/// Root CRLs are signed yearly; caches may keep one a day.
const ROOT_CRL_MAX_AGE: i64 = 86_400;

/// The longest HTTP caches may keep the CRL, so that a revocation published now reaches a
/// relying party behind a cache within a minute more.
const CRL_MAX_AGE: i64 = 60;
/// CA certificates change only at a key ceremony.
const CA_CERT_MAX_AGE: i64 = 86_400;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ca/{file}", get(ca_file))
        .route(OCSP_PATH, post(ocsp_post))
        .route("/ocsp/{*request}", get(ocsp_get))
}

fn http_date(unix: i64) -> Option<HeaderValue> {
    let t = OffsetDateTime::from_unix_timestamp(unix).ok()?;
    let text = t
        .format(format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        ))
        .ok()?;
    HeaderValue::from_str(&text).ok()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

fn body(content_type: &'static str, bytes: Vec<u8>, max_age: i64) -> Response {
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={max_age}, no-transform")) {
        h.insert(header::CACHE_CONTROL, v);
    }
    h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    resp
}

/// `/ca/{file}`: each issuing CA generation (DER at the caIssuers URL, PEM, and its CRL), the
/// root and the root's CRL.
async fn ca_file(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((stem, ext)) = file.rsplit_once('.') else {
        return not_found();
    };
    match (stem, ext) {
        (ROOT_STEM, "crl") => {
            return match state.services.deps.status.root_crl_der() {
                Some(der) => body("application/pkix-crl", der, ROOT_CRL_MAX_AGE),
                None => not_found(),
            };
        }
        (_, "crl") => {
            return match generation_of_stem(stem) {
                Some(generation) => crl(&state, generation).await,
                None => not_found(),
            };
        }
        _ => {}
    }
    let certs = state.services.ca_files.ca_certificates();
    match (certs.into_iter().find(|c| c.file_stem == stem), ext) {
        (Some(c), "pem") => body(
            "application/x-pem-file",
            c.pem.into_bytes(),
            CA_CERT_MAX_AGE,
        ),
        (Some(c), "crt") => body("application/pkix-cert", c.der, CA_CERT_MAX_AGE),
        _ => not_found(),
    }
}

async fn crl(state: &AppState, generation: CaGeneration) -> Response {
    let latest = match state.services.crl.latest(generation).await {
        Ok(Some(crl)) => crl,
        Ok(None) => {
            let ours = state
                .services
                .ca_files
                .ca_certificates()
                .iter()
                .any(|c| c.generation == Some(generation));
            if !ours {
                return not_found();
            }
            return (StatusCode::SERVICE_UNAVAILABLE, "no CRL yet\n").into_response();
        }
        Err(e) => {
            tracing::error!(error = %e, "reading the CRL failed");
            return (StatusCode::SERVICE_UNAVAILABLE, "CRL unavailable\n").into_response();
        }
    };
    let now = state.services.deps.clock.unix();
    let max_age = (latest.next_update - now).clamp(0, CRL_MAX_AGE);
    let mut resp = body("application/pkix-crl", latest.der, max_age);
    let h = resp.headers_mut();
    if let Some(v) = http_date(latest.this_update) {
        h.insert(header::LAST_MODIFIED, v);
    }
    if let Some(v) = http_date(now + max_age) {
        h.insert(header::EXPIRES, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"crl-{}\"", latest.number)) {
        h.insert(header::ETAG, v);
    }
    resp
}

fn ocsp_response(reply: OcspReply, now: i64) -> Response {
    let der = std::sync::Arc::unwrap_or_clone(reply.der);
    if reply.max_age <= 0 {
        let mut resp = body("application/ocsp-response", der, 0);
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return resp;
    }
    let mut resp = body("application/ocsp-response", der, reply.max_age);
    let h = resp.headers_mut();
    if let Some(v) = http_date(reply.this_update) {
        h.insert(header::LAST_MODIFIED, v);
    }
    if let Some(v) = http_date(now + reply.max_age) {
        h.insert(header::EXPIRES, v);
    }
    resp
}

/// `POST /ocsp`: the DER request is the body (read up to the limit; more is malformed).
async fn ocsp_post(State(state): State<AppState>, request: Body) -> Response {
    let now = state.services.deps.clock.unix();
    let bytes = axum::body::to_bytes(request, MAX_REQUEST_BYTES)
        .await
        .unwrap_or_default();
    let reply = state.services.ocsp.respond(&bytes).await;
    ocsp_response(reply, now)
}

/// `GET /ocsp/{base64}`: the DER request, base64 and URL-encoded, as the last part of the path.
async fn ocsp_get(State(state): State<AppState>, Path(encoded): Path<String>) -> Response {
    let now = state.services.deps.clock.unix();
    // Base64 of the largest request accepted, with room for percent-encoding; anything longer
    // is malformed without being decoded.
    if encoded.len() > MAX_REQUEST_BYTES * 2 {
        return ocsp_response(state.services.ocsp.respond(&[]).await, now);
    }
    let compact: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .unwrap_or_default();
    let reply = state.services.ocsp.respond(&bytes).await;
    ocsp_response(reply, now)
}
