//! 「証明書の確認」 (manual 参考): on the HTTPS listener the browser presents the office's
//! certificate and this page says what the manual tells offices to check — 発行先, 発行者,
//! 有効期限 — with the kind, the office and a verdict in plain Japanese. Without a certificate
//! (or over plain HTTP) it explains how to install one and how to look in Windows' list.
//! Public: no login, since the point is to check before anything else works.

use std::sync::Arc;

use askama::Template;
use async_trait::async_trait;
use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use kaigo_core::certificate::ca_files::{ROOT_STEM, generation_of_url};
use kaigo_core::ids::CaGeneration;
use kaigo_core::services::Services;
use kaigo_relying::{Fetch, Report, Verifier};

use crate::error::{AppResult, render};
use crate::state::AppState;
use crate::tls_peer::{OverTls, PeerCertificates};

/// Revocation as the CA itself knows it: the responder and the CRL of this node, without a
/// round trip through the network to itself.
struct LocalStatus(Services);

#[async_trait]
impl Fetch for LocalStatus {
    async fn ocsp(&self, _url: &str, request: Vec<u8>) -> Result<Vec<u8>, String> {
        Ok(self.0.ocsp.respond(&request).await.der.to_vec())
    }

    async fn crl(&self, url: &str) -> Result<Vec<u8>, String> {
        if url.ends_with(&format!("/ca/{ROOT_STEM}.crl")) {
            return self
                .0
                .deps
                .status
                .root_crl_der()
                .ok_or_else(|| "no root CRL in this data dir".to_owned());
        }
        // Each issuing CA generation's certificates name its own CRL.
        let generation = generation_of_url(url).unwrap_or(CaGeneration::FIRST);
        match self.0.crl.latest(generation).await {
            Ok(Some(crl)) => Ok(crl.der),
            Ok(None) => Err("no CRL published yet".into()),
            Err(e) => Err(e.to_string()),
        }
    }
}

#[derive(Template)]
#[template(path = "check.html")]
struct CheckPage {
    report: Option<ReportView>,
    over_tls: bool,
    check_url: Option<String>,
}

struct ReportView {
    usable: bool,
    code: &'static str,
    message: String,
    next_step: &'static str,
    issued_to: String,
    issued_by: String,
    expiry: String,
    kind: String,
    office_number: String,
    serial: String,
}

impl From<Report> for ReportView {
    fn from(r: Report) -> Self {
        let dash = || "—".to_owned();
        Self {
            usable: r.verdict.is_usable(),
            code: r.verdict.code(),
            message: r.verdict.message(),
            next_step: r.verdict.next_step(),
            issued_to: if r.issued_to.is_empty() {
                dash()
            } else {
                r.issued_to.clone()
            },
            issued_by: if r.issued_by.is_empty() {
                dash()
            } else {
                r.issued_by.clone()
            },
            expiry: if r.not_after == 0 { dash() } else { r.expiry() },
            kind: r.kind_label.clone().unwrap_or_else(dash),
            office_number: r.office_number.clone().unwrap_or_else(dash),
            serial: if r.serial.is_empty() {
                dash()
            } else {
                r.serial.clone()
            },
        }
    }
}

async fn judge(state: &AppState, leaf: &[u8]) -> Report {
    let cas = state.services.ca_files.ca_certificates();
    let root = cas
        .iter()
        .find(|c| c.key == "root")
        .map(|c| c.der.as_slice());
    let issuing: Vec<&[u8]> = cas
        .iter()
        .filter(|c| c.key == "issuing")
        .map(|c| c.der.as_slice())
        .collect();
    let fetch = Arc::new(LocalStatus(state.services.clone()));
    let now = state.services.deps.clock.unix();
    match root.map(|r| Verifier::new(r, &issuing, fetch)) {
        Some(Ok(v)) => v.check(leaf, None, now).await,
        _ => unavailable(),
    }
}

/// The CA certificates are not loaded in this process: nothing can be judged.
fn unavailable() -> Report {
    Report::bare(
        kaigo_relying::Verdict::StatusUnavailable {
            why: "the CA certificates are not loaded".into(),
        },
        None,
    )
}

/// `GET /check`.
pub async fn check(
    State(state): State<AppState>,
    over_tls: Option<Extension<OverTls>>,
    certs: Option<Extension<PeerCertificates>>,
) -> AppResult<Response> {
    let report = match certs.as_ref().and_then(|c| c.0.0.first()) {
        Some(leaf) => Some(judge(&state, leaf).await.into()),
        None => None,
    };
    render(&CheckPage {
        report,
        over_tls: over_tls.is_some(),
        check_url: state.config.check_url.clone(),
    })
}
