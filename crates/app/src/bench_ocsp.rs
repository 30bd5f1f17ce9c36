//! `kaigo-pki bench ocsp`: the OCSP responder over HTTP on loopback, against the raw signing
//! rate of its own key measured in the same run (every core signing responses and nothing
//! else). Requests without a nonce are answered from the cache, so they should go several
//! times faster than signing; requests with a nonce each need a signature and cannot.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use kaigo_core::revocation::CertStatus;
use kaigo_core::revocation::pki::{OcspAnswer, SingleAnswer};

use crate::bench::cores;
use crate::datadir::DataDir;
use crate::{serve, wiring};

/// Distinct certificates asked about (each answer cached after its first request): one
/// 介護DX証明書 and one 介護保険証明書 for each of `SERIALS / 2` offices.
const SERIALS: usize = 200;

fn serial(i: usize) -> Vec<u8> {
    let mut s = vec![0x42u8; 16];
    s[8..].copy_from_slice(&(i as u64).to_be_bytes());
    s
}

/// Responses signed per second by every core with the responder key.
async fn raw_rate(
    services: &kaigo_core::services::Services,
    issuer: &[u8],
    secs: u64,
) -> anyhow::Result<f64> {
    let signer = services
        .responders
        .current(kaigo_core::ids::CaGeneration::FIRST)
        .await?;
    let req = kaigo_ca::ocsp_request(issuer, &serial(0), None)?;
    let query = services
        .deps
        .status
        .decode_request(&req)
        .map_err(|f| anyhow::anyhow!("decode: {f:?}"))?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let answer = OcspAnswer {
        produced_at: now,
        answers: vec![SingleAnswer {
            cert_id_der: query.items[0].cert_id_der.clone(),
            status: CertStatus::Good,
            this_update: now,
            next_update: now + 3600,
        }],
        nonce: Some(vec![
            4, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
        ]),
    };
    let done = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let limit = Duration::from_secs(secs);
    std::thread::scope(|s| {
        for _ in 0..cores() {
            let (signer, answer, done) = (signer.clone(), &answer, done.clone());
            s.spawn(move || {
                while start.elapsed() < limit {
                    if signer.sign(answer).is_ok() {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    Ok(done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64())
}

/// Successful responses per second from `clients` loops posting requests for `secs`.
async fn load(
    base: &str,
    issuer: Arc<Vec<u8>>,
    nonce: bool,
    clients: usize,
    secs: u64,
) -> anyhow::Result<f64> {
    let cached: Arc<Vec<Vec<u8>>> = Arc::new(
        (0..SERIALS)
            .map(|i| kaigo_ca::ocsp_request(&issuer, &serial(i), None))
            .collect::<Result<_, _>>()?,
    );
    let done = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let start = Instant::now();
    let limit = Duration::from_secs(secs);
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (client, url, cached, issuer, done) = (
                client.clone(),
                format!("{base}/ocsp"),
                cached.clone(),
                issuer.clone(),
                done.clone(),
            );
            tokio::spawn(async move {
                let mut i = c;
                while start.elapsed() < limit {
                    i = (i + 7) % SERIALS;
                    let body = if nonce {
                        let n = (i as u64 ^ start.elapsed().as_nanos() as u64).to_be_bytes();
                        kaigo_ca::ocsp_request(&issuer, &serial(i), Some(&[n, n].concat()))?
                    } else {
                        cached[i].clone()
                    };
                    let resp = client
                        .post(&url)
                        .header("content-type", "application/ocsp-request")
                        .body(body)
                        .send()
                        .await?;
                    let bytes = resp.bytes().await?;
                    // A successful OCSPResponse carries responseBytes; failures are 5 bytes.
                    anyhow::ensure!(bytes.len() > 5, "OCSP failure {:02x?}", bytes.as_ref());
                    done.fetch_add(1, Ordering::Relaxed);
                }
                Ok::<_, anyhow::Error>(())
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64())
}

/// Records `SERIALS` issued certificates (good ones, under registered offices) with the
/// serials the load asks about. The certificate bytes are placeholders: OCSP reads only the
/// status.
async fn seed_certificates(app: &wiring::App) -> anyhow::Result<()> {
    use kaigo_core::certificate::repo::ApplicationRepo;
    use kaigo_core::certificate::{CertKind, NewApplication, NewCertificate};
    use kaigo_core::notice::{NewNotice, NoticeCategory, NoticeTarget};
    use kaigo_core::office::repo::OfficeRepo;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let offices = crate::bench::register(app, SERIALS / 2, 0).await?;
    for (n, (user_id, _, _)) in offices.iter().enumerate() {
        let uid = kaigo_core::ids::UserId::parse(user_id).map_err(|e| anyhow::anyhow!("{e}"))?;
        let office = app
            .store
            .office_by_user_id(&uid)
            .await?
            .context("office vanished")?;
        for (k, kind) in [CertKind::KaigoDx, CertKind::KaigoHoken]
            .into_iter()
            .enumerate()
        {
            let i = n * 2 + k;
            let (application, _) = app
                .store
                .submit_application(&NewApplication {
                    office_id: office.id,
                    kind,
                    requested_at: now,
                    terms_version: "bench".into(),
                    consented_at: now,
                    sealed_password: Vec::new(),
                    not_before: None,
                    idempotency_key: format!("bench-ocsp-{i}"),
                })
                .await?;
            app.store
                .claim_application(now, now + 60)
                .await?
                .context("nothing to claim")?;
            let serial = kaigo_core::ids::Serial::from_bytes(&serial(i));
            app.store
                .complete_application(
                    application.id,
                    &NewCertificate {
                        office_id: office.id,
                        application_id: application.id,
                        kind,
                        serial,
                        subject: "CN=KaigoJigyousho".into(),
                        not_before: now,
                        not_after: now + 3 * 365 * 86_400,
                        fingerprint_sha256: format!("bench-{i}"),
                        cert_der: Vec::new(),
                        pkcs12: Vec::new(),
                        issued_at: now,
                        generation: kaigo_core::ids::CaGeneration::FIRST,
                    },
                    &NewNotice {
                        category: NoticeCategory::Certificate,
                        title: "証明書発行完了通知".into(),
                        body: String::new(),
                        target: NoticeTarget::Office(office.id),
                        start_at: now,
                        end_at: None,
                        created_at: now,
                    },
                    None,
                )
                .await?;
        }
    }
    Ok(())
}

pub async fn run(secs: u64, clients: usize) -> anyhow::Result<String> {
    let tmp = tempfile::tempdir()?;
    let dir = DataDir::new(tmp.path().join("data"));
    crate::init::init(&dir).await?;
    let app = wiring::open(&dir, true).await?;
    seed_certificates(&app).await?;
    let services = app.services.clone();
    let issuer = Arc::new(
        app.ca
            .as_ref()
            .context("CA not loaded")?
            .issuing_der()
            .to_vec(),
    );
    let running = serve::start(app, "127.0.0.1:0".parse()?).await?;
    let base = format!("http://{}", running.addr);

    let raw = raw_rate(&services, &issuer, secs).await?;
    // Warm the cache once, then measure.
    load(&base, issuer.clone(), false, clients, 1).await?;
    let cached = load(&base, issuer.clone(), false, clients, secs).await?;
    let nonced = load(&base, issuer.clone(), true, clients, secs).await?;
    running.shutdown().await?;

    let mut out = String::new();
    writeln!(
        out,
        "OCSP on loopback, {clients} clients, {secs} s each, {} cores, {SERIALS} issued certificates asked about:",
        cores()
    )?;
    writeln!(
        out,
        "  raw signing, responder key RSA {} on every core   {raw:8.0} signatures/s",
        kaigo_ca::RESPONDER_KEY_BITS
    )?;
    writeln!(
        out,
        "  HTTP POST without nonce (cached answers)          {cached:8.0} responses/s  = {:.1} x raw signing",
        cached / raw.max(1.0)
    )?;
    writeln!(
        out,
        "  HTTP POST with a fresh nonce (signed per request) {nonced:8.0} responses/s  = {:.2} x raw signing",
        nonced / raw.max(1.0)
    )?;
    Ok(out)
}
