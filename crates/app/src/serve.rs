//! `kaigo-pki serve` and `kaigo-pki demo`: the portal and its workers in one process.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use kaigo_core::mail::Mailer;
use kaigo_jobs::audit::AuditCheckpointer;
use kaigo_jobs::issuance::IssuanceWorker;
use kaigo_jobs::mail::{FileMailer, MailWorker, SmtpMailer};
use kaigo_jobs::renewal::RenewalNotifier;
use kaigo_jobs::revocation::RevocationPublisher;
use kaigo_jobs::sweeper::SessionSweeper;
use kaigo_web::{AppState, WebConfig};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};

use crate::connections;
use crate::wiring::App;

/// A running server: its address and the handle to stop it.
pub struct Running {
    pub addr: SocketAddr,
    /// The HTTPS listener, when there is one.
    pub tls_addr: Option<SocketAddr>,
    /// The `/metrics` listener, when `server.metrics_listen` is set.
    pub metrics_addr: Option<SocketAddr>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Stops accepting, lets requests and workers finish, and waits.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        self.task.await.context("server task")?
    }

    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await.context("server task")?
    }

    pub fn stopper(&self) -> watch::Sender<bool> {
        self.stop.clone()
    }
}

/// The URLs this CA writes into certificates, for the operator's screen and the log.
pub fn published_urls(app: &App) -> String {
    match app.config.ca_config() {
        Ok(c) => {
            tracing::info!(crl = %c.crl_url, ocsp = %c.ocsp_url, ca_issuers = %c.ca_issuers_url, "URLs written into certificates");
            format!(
                "Certificates name: CRL {}\n                   OCSP {}\n                   CA certificate {}\n",
                c.crl_url, c.ocsp_url, c.ca_issuers_url
            )
        }
        Err(_) => String::new(),
    }
}

/// Binds, starts the workers and serves until the stop signal.
pub async fn start(app: App, listen: SocketAddr) -> anyhow::Result<Running> {
    start_with(app, listen, None).await
}

/// The names the HTTPS certificate must carry: the public URL's host, and loopback.
fn tls_hosts(app: &App, tls_listen: SocketAddr) -> Vec<String> {
    let mut hosts = Vec::new();
    let public = app.config.ca.public_url.trim_end_matches('/');
    if let Some(rest) = public.split_once("://").map(|(_, r)| r) {
        let authority = rest.split('/').next().unwrap_or("");
        let host = match authority.rsplit_once(':') {
            Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h,
            _ => authority,
        };
        hosts.push(host.trim_matches(['[', ']']).to_owned());
    }
    if !tls_listen.ip().is_unspecified() {
        hosts.push(tls_listen.ip().to_string());
    }
    hosts.extend(["localhost".to_owned(), "127.0.0.1".to_owned()]);
    hosts.dedup();
    hosts.retain(|h| !h.is_empty());
    let mut seen = std::collections::HashSet::new();
    hosts.retain(|h| seen.insert(h.clone()));
    hosts
}

/// The HTTPS address of the check page: the public URL's host at the HTTPS listener's port.
fn check_url(app: &App, tls_addr: SocketAddr) -> String {
    let host = tls_hosts(app, tls_addr)
        .into_iter()
        .next()
        .unwrap_or_else(|| "127.0.0.1".into());
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    format!("https://{host}:{}/check", tls_addr.port())
}

/// As [`start`], with the HTTPS listener on `tls_listen` (the 「証明書の確認」 page).
pub async fn start_with(
    app: App,
    listen: SocketAddr,
    tls_listen: Option<SocketAddr>,
) -> anyhow::Result<Running> {
    app.config.server.validate()?;
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    let tls = match tls_listen {
        Some(at) => {
            let ca_ders: Vec<Vec<u8>> = app
                .services
                .ca_files
                .ca_certificates()
                .into_iter()
                .map(|c| c.der)
                .collect();
            let config = crate::tls::server_config(
                &app.dir,
                &app.config.tls,
                &tls_hosts(&app, at),
                &ca_ders,
            )?;
            let l = TcpListener::bind(at)
                .await
                .with_context(|| format!("cannot listen on {at}"))?;
            Some((l, tokio_rustls::TlsAcceptor::from(config)))
        }
        None => None,
    };
    let metrics_listener = match app.config.server.metrics_addr()? {
        Some(at) => Some(
            TcpListener::bind(at)
                .await
                .with_context(|| format!("cannot listen on {at} (server.metrics_listen)"))?,
        ),
        None => None,
    };
    let metrics_addr = match &metrics_listener {
        Some(l) => Some(l.local_addr()?),
        None => None,
    };
    let tls_addr = match &tls {
        Some((l, _)) => Some(l.local_addr()?),
        None => None,
    };
    let (stop, stop_rx) = watch::channel(false);
    let wakeup = Arc::new(Notify::new());
    let deps = app.services.deps.clone();

    let mailer: Arc<dyn Mailer> = if app.config.mail.smtp_url.is_empty() {
        Arc::new(
            FileMailer::new(app.config.mail_spool(&app.dir), &app.config.mail.from)
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        )
    } else {
        Arc::new(
            SmtpMailer::from_url(
                &app.config.mail.smtp_url,
                &app.config.mail.from,
                app.config.smtp_timeout(),
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?,
        )
    };
    let mut workers = IssuanceWorker {
        service: app.services.issue.clone(),
        concurrency: app.config.issuance_concurrency(),
        wakeup: wakeup.clone(),
    }
    .spawn(stop_rx.clone());
    workers.push(
        MailWorker {
            store: deps.store.clone(),
            mailer,
            clock: deps.clock.clone(),
            max_attempts: app.config.mail.max_attempts,
            lease_seconds: app.config.mail.lease_seconds,
        }
        .spawn(stop_rx.clone()),
    );
    workers.push(
        RenewalNotifier {
            service: app.services.renewal.clone(),
            every: Duration::from_secs(3600),
        }
        .spawn(stop_rx.clone()),
    );
    // The first CRL and responder exist before the first request: sign them now.
    let publisher = RevocationPublisher {
        crl: app.services.crl.clone(),
        ocsp: app.services.ocsp.clone(),
        responders: app.services.responders.clone(),
        every: Duration::from_secs(app.config.revocation.check_seconds),
    };
    if app.ca.is_some()
        && let Err(e) = publisher.run_once().await
    {
        tracing::error!(error = %e, "first CRL/OCSP publication failed");
    }
    workers.push(publisher.spawn(stop_rx.clone()));
    if let Some(key) = &app.audit_key {
        workers.push(
            AuditCheckpointer {
                service: app.services.audit_checkpoints.clone(),
                signer: key.clone(),
                every: Duration::from_secs(app.config.audit.checkpoint_seconds),
            }
            .spawn(stop_rx.clone()),
        );
    }
    workers.push(
        SessionSweeper {
            store: deps.store.clone(),
            clock: deps.clock.clone(),
            every: Duration::from_secs(600),
        }
        .spawn(stop_rx.clone()),
    );

    let state = AppState {
        services: app.services.clone(),
        config: Arc::new(WebConfig {
            secure_cookies: app.config.portal.secure_cookies,
            session_idle_seconds: app.config.portal.session_idle_minutes * 60,
            check_url: tls_addr.map(|a| check_url(&app, a)),
        }),
        issuance_wakeup: wakeup,
    };
    let router = kaigo_web::router(state);
    let tls_task = tls.map(|(l, acceptor)| {
        tokio::spawn(connections::serve_tls(
            l,
            router.clone(),
            connections::Limits::from_config(&app.config.server),
            stop_rx.clone(),
            acceptor,
        ))
    });
    let limits = connections::Limits::from_config(&app.config.server);
    warn_if_above_open_file_limit(limits.max_connections);
    if let Some(l) = metrics_listener {
        crate::metrics_endpoint::handle();
        workers.push(crate::metrics_endpoint::spawn_upkeep(stop_rx.clone()));
        workers.push(tokio::spawn(connections::serve(
            l,
            crate::metrics_endpoint::router(app.services.clone()),
            limits,
            stop_rx.clone(),
        )));
    }
    let store = app.store.clone();
    let task = tokio::spawn(async move {
        connections::serve(listener, router, limits, stop_rx).await;
        if let Some(t) = tls_task {
            let _ = t.await;
        }
        for w in workers {
            let _ = w.await;
        }
        store.close().await;
        Ok(())
    });
    Ok(Running {
        addr,
        tls_addr,
        metrics_addr,
        stop,
        task,
    })
}

/// Warns when `max_connections` leaves no room under the process's open-file limit: the
/// cap only protects the server if accepting stops before the descriptors run out.
fn warn_if_above_open_file_limit(max_connections: usize) {
    let Some(soft) = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|text| open_files_soft_limit(&text))
    else {
        return;
    };
    // The database pool, CA files, logs and the listener need descriptors too.
    if (max_connections as u64).saturating_add(64) > soft {
        tracing::warn!(
            max_connections,
            open_file_limit = soft,
            "server.max_connections is close to the open-file limit (ulimit -n): lower it or raise the limit"
        );
    }
}

fn open_files_soft_limit(limits: &str) -> Option<u64> {
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.trim_start_matches("Max open files")
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Flips the stop signal on SIGTERM or Ctrl-C.
pub fn stop_on_signals(stop: watch::Sender<bool>) {
    tokio::spawn(async move {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(e) => {
                    tracing::error!(error = %e, "cannot install SIGTERM handler");
                    return;
                }
            };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        tracing::info!("shutting down");
        let _ = stop.send(true);
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_soft_open_file_limit() {
        let text = "Limit                     Soft Limit           Hard Limit           Units\n\
                    Max cpu time              unlimited            unlimited            seconds\n\
                    Max open files            1024                 524288               files\n";
        assert_eq!(super::open_files_soft_limit(text), Some(1024));
        assert_eq!(
            super::open_files_soft_limit("Max open files unlimited"),
            None
        );
    }
}
