//! The renewal notifier driven by a ManualClock: 「証明書有効期限切れ事前通知」 is posted 90
//! days before expiry, once per certificate (both kinds), also across a restart, and mailed.

use std::sync::Arc;
use std::time::Duration;

use kaigo_core::account::password::PasswordHasher;
use kaigo_core::certificate::pki::{CertificateFactory, IssueRequest, IssuedBundle};
use kaigo_core::certificate::renewal::RENEWAL_NOTICE_TITLE;
use kaigo_core::certificate::repo::ApplicationRepo;
use kaigo_core::certificate::{CertKind, NewApplication, NewCertificate};
use kaigo_core::clock::{Clock, ManualClock};
use kaigo_core::deps::{Deps, Settings};
use kaigo_core::error::PkiError;
use kaigo_core::ids::{OfficeNumber, PrefectureCode, Serial, UserId};
use kaigo_core::mail::NewMail;
use kaigo_core::mail::repo::MailRepo;
use kaigo_core::notice::repo::NoticeRepo;
use kaigo_core::notice::{NewNotice, NoticeCategory, NoticeTarget};
use kaigo_core::office::repo::OfficeRepo;
use kaigo_core::office::{NewOffice, Office, OfficeKind};
use kaigo_core::services::Services;
use kaigo_jobs::renewal::RenewalNotifier;
use kaigo_store::SqlStore;
use secrecy::SecretString;

struct NoFactory;

impl CertificateFactory for NoFactory {
    fn issue(&self, _: &IssueRequest, _: &SecretString) -> Result<IssuedBundle, PkiError> {
        Err(PkiError::Key("not used".into()))
    }
    fn root_pem(&self) -> String {
        String::new()
    }
    fn issuing_pems(&self) -> Vec<(kaigo_core::ids::CaGeneration, String)> {
        Vec::new()
    }
}

const DAY: i64 = 86_400;

async fn issue(
    store: &SqlStore,
    office: &Office,
    kind: CertKind,
    serial: &str,
    now: i64,
    days: i64,
) {
    let (app, _) = store
        .submit_application(&NewApplication {
            office_id: office.id,
            kind,
            requested_at: now,
            terms_version: "t".into(),
            consented_at: now,
            sealed_password: b"x".to_vec(),
            not_before: None,
            idempotency_key: serial.into(),
        })
        .await
        .unwrap();
    let claimed = store
        .claim_application(now, now + 60)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, app.id);
    store
        .complete_application(
            app.id,
            &NewCertificate {
                office_id: office.id,
                application_id: app.id,
                kind,
                serial: Serial::parse(serial).unwrap(),
                subject: "CN=KaigoJigyousho".into(),
                not_before: now,
                not_after: now + days * DAY,
                fingerprint_sha256: serial.into(),
                cert_der: vec![1],
                pkcs12: vec![2],
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
            None::<&NewMail>,
        )
        .await
        .unwrap();
}

fn notifier(store: &SqlStore, clock: Arc<ManualClock>, dir: &std::path::Path) -> RenewalNotifier {
    let sealer = kaigo_ca::ServerKeySealer::load_or_create(&dir.join("server.key")).unwrap();
    let services = Services::new(Deps {
        store: Arc::new(store.clone()),
        clock,
        hasher: PasswordHasher::default(),
        sealer: Arc::new(sealer),
        factory: Arc::new(NoFactory),
        status: Arc::new(kaigo_core::revocation::pki::StatusUnavailable),
        documents: Arc::new(kaigo_docs::TypstRenderer),
        settings: Settings::default(),
    });
    RenewalNotifier {
        service: services.renewal,
        every: Duration::from_secs(3600),
    }
}

#[tokio::test]
async fn renewal_notice_is_posted_once_per_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::connect(&format!("sqlite://{}", dir.path().join("t.db").display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let start = time::OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let now = clock.unix();
    let office = store
        .insert_office(&NewOffice {
            number: OfficeNumber::parse("1310000001").unwrap(),
            name: "事業所".into(),
            kind: OfficeKind::Kaigo,
            email: Some("a@example.jp".into()),
            prefecture: Some(PrefectureCode::new(13).unwrap()),
            user_id: UserId::parse("KJ000000000001").unwrap(),
            login_hash: "x".into(),
            issuance_hash: "x".into(),
            created_at: now,
            postal_code: String::new(),
            address: String::new(),
        })
        .await
        .unwrap();
    issue(&store, &office, CertKind::KaigoHoken, "0a01", now, 100).await;
    issue(&store, &office, CertKind::KaigoDx, "0b02", now, 95).await;

    let job = notifier(&store, clock.clone(), dir.path());
    assert_eq!(
        job.run_once().await.unwrap(),
        0,
        "100 and 95 days left: not yet"
    );
    clock.advance(time::Duration::days(6)); // 94 and 89 days left
    assert_eq!(job.run_once().await.unwrap(), 1, "the DX certificate");
    assert_eq!(job.run_once().await.unwrap(), 0, "not twice");
    clock.advance(time::Duration::days(5)); // 89 and 84 days left
    assert_eq!(job.run_once().await.unwrap(), 1, "the 介護保険 certificate");

    // A restart (a new notifier on the same database) repeats nothing.
    let restarted = notifier(&store, clock.clone(), dir.path());
    clock.advance(time::Duration::days(1));
    assert_eq!(restarted.run_once().await.unwrap(), 0);

    let t = clock.unix();
    let notices = store.notices_for_office(&office, t, 50, 0).await.unwrap();
    let renewal: Vec<_> = notices
        .iter()
        .filter(|v| v.notice.title == RENEWAL_NOTICE_TITLE)
        .collect();
    assert_eq!(renewal.len(), 2, "one per certificate");
    assert!(
        renewal
            .iter()
            .all(|v| v.notice.category == NoticeCategory::Certificate
                && v.notice.target == NoticeTarget::Office(office.id))
    );
    assert!(
        renewal
            .iter()
            .any(|v| v.notice.body.contains("介護DX証明書"))
    );
    assert!(
        renewal
            .iter()
            .any(|v| v.notice.body.contains("介護保険証明書"))
    );
    let mut mails = 0;
    while let Some(m) = store.claim_mail(t, t + 60).await.unwrap() {
        assert!(m.subject.contains(RENEWAL_NOTICE_TITLE));
        assert_eq!(m.to, "a@example.jp");
        mails += 1;
    }
    assert_eq!(mails, 2);
}
