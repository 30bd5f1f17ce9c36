//! Two example relying services built on the [`Verifier`], as the services behind the
//! 介護電子請求受付システム would admit offices: a 資格確認 (eligibility) service that admits
//! both kinds of certificate, and a 請求 (claims) endpoint that admits only the
//! 介護保険証明書. Each serves HTTPS, requires a client certificate in the handshake, and
//! answers JSON: 200 `admitted`, or 401/403 with the verdict and what to do.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use hyper_util::rt::{TokioIo, TokioTimer};
use kaigo_core::certificate::CertKind;
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

use crate::Verifier;

/// How long a client has to finish the TLS handshake, and then to send a request header.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Which example service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// 資格確認: both the 介護DX証明書 and the 介護保険証明書.
    Eligibility,
    /// 請求: the 介護保険証明書 only.
    Claims,
}

impl Service {
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "eligibility" => Some(Self::Eligibility),
            "claims" => Some(Self::Claims),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Eligibility => "資格確認",
            Self::Claims => "請求",
        }
    }

    pub fn admits(self, kind: CertKind) -> bool {
        match self {
            Self::Eligibility => true,
            Self::Claims => kind == CertKind::KaigoHoken,
        }
    }
}

/// The leaf certificate of the connection, if the client sent one.
#[derive(Clone, Debug)]
struct PeerLeaf(Option<Vec<u8>>);

#[derive(Clone)]
struct ServiceState {
    verifier: Arc<Verifier>,
    service: Service,
}

/// The service's routes: `GET /` admits or refuses the connection's certificate.
pub fn router(verifier: Arc<Verifier>, service: Service) -> Router {
    Router::new()
        .route("/", get(admit))
        .with_state(ServiceState { verifier, service })
}

async fn admit(State(s): State<ServiceState>, Extension(peer): Extension<PeerLeaf>) -> Response {
    let Some(leaf) = peer.0 else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({
                "status": "no_certificate",
                "message": "電子証明書が提示されませんでした。",
            })),
        )
            .into_response();
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let report = s.verifier.check(&leaf, None, now).await;
    if !report.verdict.is_usable() {
        tracing::info!(serial = %report.serial, verdict = report.verdict.code(), "refused");
        return (
            StatusCode::FORBIDDEN,
            Json(json!({
                "status": report.verdict.code(),
                "message": report.verdict.message(),
                "next_step": report.verdict.next_step(),
                "serial": report.serial,
            })),
        )
            .into_response();
    }
    match report.kind {
        Some(kind) if s.service.admits(kind) => Json(json!({
            "status": "admitted",
            "service": s.service.label(),
            "kind": kind.label(),
            "office_number": report.office_number,
            "serial": report.serial,
        }))
        .into_response(),
        _ => (
            StatusCode::FORBIDDEN,
            Json(json!({
                "status": "wrong_kind",
                "message": format!(
                    "{}には介護保険証明書が必要です。この証明書（{}）では利用できません。",
                    s.service.label(),
                    report.kind_label.unwrap_or_default()
                ),
                "serial": report.serial,
            })),
        )
            .into_response(),
    }
}

/// A self-signed server certificate for `hosts`, generated at start (examples and tests; a
/// real service configures its own).
pub fn self_signed(
    hosts: &[String],
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    let key = rcgen::generate_simple_self_signed(hosts.to_vec()).map_err(|e| e.to_string())?;
    let cert = key.cert.der().clone();
    let pkcs8 = PrivatePkcs8KeyDer::from(key.signing_key.serialize_der());
    Ok((vec![cert], PrivateKeyDer::Pkcs8(pkcs8)))
}

/// TLS 1.2/1.3 with a *required* client certificate from the issuers named in `hints`.
pub fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    hints: Vec<rustls::DistinguishedName>,
) -> Result<Arc<ServerConfig>, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = crate::tls::request_client_certificate(
        hints,
        true,
        provider.signature_verification_algorithms,
    );
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| e.to_string())?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| e.to_string())?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Serves `router` over TLS on `listener` until `stop` turns true.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    config: Arc<ServerConfig>,
    mut stop: watch::Receiver<bool>,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = stop.wait_for(|s| *s) => return,
        };
        let Ok((stream, peer)) = accepted else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let (acceptor, router) = (acceptor.clone(), router.clone());
        tokio::spawn(async move {
            let Ok(Ok(tls)) =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
            else {
                tracing::debug!(%peer, "TLS handshake failed or timed out");
                return;
            };
            let leaf = tls
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|c| c.first())
                .map(|c| c.to_vec());
            let service = hyper::service::service_fn(
                move |mut req: hyper::Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(PeerLeaf(leaf.clone()));
                    router.clone().oneshot(req.map(axum::body::Body::new))
                },
            );
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HANDSHAKE_TIMEOUT)
                .serve_connection(TokioIo::new(tls), service)
                .await;
        });
    }
}
