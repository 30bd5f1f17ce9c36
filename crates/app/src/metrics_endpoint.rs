//! `/metrics` for Prometheus, on its own listener (`server.metrics_listen`), never on the
//! portal's: the load balancer publishes the portal, and these figures are for operators.
//!
//! Counters and histograms come from the `metrics` facade (names in `kaigo_core::observe` and
//! `kaigo_web::request_span`); the gauges of what the database holds (queue depth, mail,
//! certificates by state, CRL age) are read at each scrape.

use std::sync::OnceLock;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kaigo_core::services::Services;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Applications waiting, being built or failed for good, by state.
pub const APPLICATIONS: &str = "kaigo_applications";
/// Mail not yet delivered, by state; `failed` are the dead letters.
pub const MAIL: &str = "kaigo_mail_outbox";
/// Certificates by state: `valid`, `expired`, `revoked`.
pub const CERTIFICATES: &str = "kaigo_certificates";
/// Seconds since the newest CRL's thisUpdate, by issuer.
pub const CRL_AGE: &str = "kaigo_crl_age_seconds";
/// 1 when the last scrape could read the database, else 0.
pub const STATS_UP: &str = "kaigo_stats_up";

/// Latency buckets of page requests, seconds: fine below 50 ms, where the goals are.
const HTTP_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Issuance takes seconds to minutes (a queue, an RSA key, a PKCS#12 file).
const ISSUANCE_BUCKETS: &[f64] = &[
    1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
];

/// The process's recorder, installed on first use (one per process: in-process test servers
/// share it, and their counters add up).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full(kaigo_web::request_span::DURATION.into()),
                HTTP_BUCKETS,
            )
            .and_then(|b| {
                b.set_buckets_for_metric(
                    Matcher::Full(kaigo_core::observe::ISSUANCE_SECONDS.into()),
                    ISSUANCE_BUCKETS,
                )
            })
            .map(PrometheusBuilder::build_recorder)
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics stays empty");
        }
        describe();
        handle.clone()
    })
}

fn describe() {
    use kaigo_core::observe as o;
    metrics::describe_counter!(
        kaigo_web::request_span::REQUESTS,
        "HTTP requests by route pattern, method and status"
    );
    metrics::describe_histogram!(
        kaigo_web::request_span::DURATION,
        metrics::Unit::Seconds,
        "HTTP request latency by route pattern"
    );
    metrics::describe_counter!(o::EVENTS, "Audited events by action");
    metrics::describe_counter!(o::LOGINS, "Office logins by outcome");
    metrics::describe_counter!(o::LOCKOUTS, "Locks imposed after wrong passwords, by kind");
    metrics::describe_histogram!(
        o::ISSUANCE_SECONDS,
        metrics::Unit::Seconds,
        "Time from an application to its stored certificate"
    );
    metrics::describe_counter!(o::ISSUANCE_FAILURES, "Applications failed for good");
    metrics::describe_counter!(o::MAIL_DELIVERIES, "Mail delivery attempts by result");
    metrics::describe_gauge!(APPLICATIONS, "Applications not done, by state");
    metrics::describe_gauge!(MAIL, "Undelivered mail by state (failed = dead letters)");
    metrics::describe_gauge!(CERTIFICATES, "Certificates by state");
    metrics::describe_gauge!(CRL_AGE, metrics::Unit::Seconds, "Age of the newest CRL");
    metrics::describe_gauge!(STATS_UP, "Whether the last scrape read the database");
}

/// Drains histogram samples now and then, as the exporter asks of whoever installs it.
pub fn spawn_upkeep(mut stop: tokio::sync::watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            handle().run_upkeep();
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                _ = stop.changed() => break,
            }
        }
    })
}

pub fn router(services: Services) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(services)
}

async fn scrape(State(services): State<Services>) -> Response {
    refresh_gauges(&services).await;
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle().render(),
    )
        .into_response()
}

async fn refresh_gauges(services: &Services) {
    let stats = match services.health.stats().await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "metrics: cannot read the database");
            metrics::gauge!(STATS_UP).set(0.0);
            return;
        }
    };
    metrics::gauge!(STATS_UP).set(1.0);
    // Every known state is set, so that a state that empties drops to 0 instead of keeping
    // its last value.
    let set = |name: &'static str, states: &[&'static str], rows: &[(String, i64)]| {
        for state in states {
            let n = rows.iter().find(|(l, _)| l == state).map_or(0, |(_, n)| *n);
            metrics::gauge!(name, "state" => *state).set(n as f64);
        }
    };
    set(
        APPLICATIONS,
        &["queued", "running", "failed"],
        &stats.applications,
    );
    set(MAIL, &["pending", "sending", "failed"], &stats.mail);
    set(
        CERTIFICATES,
        &["valid", "expired", "revoked"],
        &stats.certificates,
    );
    let now = services.deps.clock.unix();
    for (issuer, this_update) in &stats.crl_this_update {
        metrics::gauge!(CRL_AGE, "issuer" => issuer.clone()).set((now - this_update) as f64);
    }
}
