//! The rules of the core services, tested without HTTP: over the embedded SQLite of a fresh data
//! dir and the real CA, as `serve` wires them. The HTTP tests show the pages; these show that the
//! rule holds whichever path calls it (console, CLI, import, demo).

mod common;

use std::sync::Arc;

use kaigo_core::CoreError;
use kaigo_core::actor::Actor;
use kaigo_core::admin::{AdminActor, AdminId, AdminLogin, AdminRole};
use kaigo_core::certificate::CertKind;
use kaigo_core::certificate::apply::{HistoryStatus, NOTHING_TO_RENEW, ValidityStart};
use kaigo_core::certificate::repo::CertificateRepo;
use kaigo_core::certificate::revocation::RevocationReason;
use kaigo_core::ids::{OfficeId, OfficeNumber, PrefectureCode};
use kaigo_core::office::Office;
use kaigo_core::office::form::OfficeForm;
use kaigo_core::office::repo::OfficeRepo;
use kaigo_pki::datadir::DataDir;
use kaigo_pki::wiring;
use secrecy::ExposeSecret;
use sqlx::Row;

fn admin(login: &str, role: AdminRole) -> AdminActor {
    AdminActor {
        id: AdminId(1),
        login: AdminLogin::parse(login).unwrap(),
        role,
        source: "192.0.2.1".into(),
    }
}

fn federation(prefecture: u8) -> AdminActor {
    let p = PrefectureCode::new(prefecture).unwrap();
    admin(&format!("fed{prefecture}"), AdminRole::Federation(p))
}

fn form(number: &str, prefecture: &str) -> OfficeForm {
    OfficeForm {
        number: number.into(),
        name: "テスト事業所".into(),
        kind: "kaigo".into(),
        prefecture: prefecture.into(),
        postal_code: "100-0001".into(),
        address: "東京都千代田区千代田1-1".into(),
        email: String::new(),
    }
}

/// A fresh, initialised data dir (no office) and the services over it.
async fn open() -> (tempfile::TempDir, wiring::App) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let o = common::kaigo(&data, &["init"]);
    assert!(o.status.success(), "init: {}", common::stderr(&o));
    let app = wiring::open(&DataDir::new(data), true).await.unwrap();
    (tmp, app)
}

async fn office(app: &wiring::App, number: &str) -> Office {
    let n = OfficeNumber::parse(number).unwrap();
    app.store.office_by_number(&n).await.unwrap().unwrap()
}

/// (actor, action, object) of every audit record with this action, oldest first.
async fn audited(tmp: &tempfile::TempDir, action: &str) -> Vec<(String, String)> {
    let pool = common::pool(&tmp.path().join("data")).await;
    sqlx::query("SELECT actor, object FROM audit_log WHERE action = $1 ORDER BY id")
        .bind(action)
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_registration_path_follows_one_rule_and_audits_alike() {
    let (tmp, app) = open().await;
    let svc = &app.services.admin_offices;

    // The console's form, a federation admin of 13.
    let console = svc
        .register(&federation(13).into(), &form("1310000001", ""))
        .await
        .unwrap()
        .expect("a valid form registers");
    // The CLI, central scope.
    let cli = svc
        .register(&Actor::Cli, &form("2710000001", "27"))
        .await
        .unwrap()
        .expect("the CLI registers by the same rules");
    let cli = cli.into_registered().pop().unwrap();
    assert!(cli.office.user_id.as_str().starts_with("KJ"));
    assert!(cli.login_password.expose_secret().len() >= 12);
    // The CSV import.
    let csv = "事業所番号,事業所名,種別,都道府県,郵便番号,住所,メールアドレス\n\
               1310000002,取込事業所,kaigo,13,100-0001,東京都千代田区千代田1-2,\n";
    let imported = svc
        .import(&Actor::Cli, csv.as_bytes(), false, Arc::new(|_| {}))
        .await
        .unwrap();
    assert_eq!(
        imported.registered.as_ref().map(|r| r.offices.len()),
        Some(1),
        "{:?}",
        imported.check.errors
    );

    // One audit action for the three paths, with each path's actor.
    let registered = audited(&tmp, "office.register").await;
    let actors: Vec<&str> = registered.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actors, ["admin:fed13", "cli", "cli"]);
    assert_eq!(
        registered[0].1,
        format!("office:{}", console.offices[0].id),
        "the object is the office"
    );

    // The same rules refuse alike: a number taken, and a number of another prefecture.
    for actor in [Actor::from(federation(13)), Actor::Cli] {
        let taken = svc
            .register(&actor, &form("1310000001", "13"))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(taken, ["事業所番号 1310000001 は既に登録されています。"]);
        let foreign = svc
            .register(&actor, &form("2710000009", "13"))
            .await
            .unwrap()
            .unwrap_err();
        assert!(foreign.iter().any(|e| e.contains("先頭2桁")), "{foreign:?}");
    }
    assert_eq!(audited(&tmp, "office.register").await.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_reaches_only_offices_of_its_scope() {
    let (_tmp, app) = open().await;
    let svc = &app.services.admin_offices;
    svc.register(&Actor::Cli, &form("1310000001", "13"))
        .await
        .unwrap()
        .unwrap();
    let tokyo = office(&app, "1310000001").await;

    let own = svc.office(&federation(13), tokyo.id).await.unwrap();
    assert_eq!(own.number.as_str(), "1310000001");
    // Another prefecture's admin gets NotFound, exactly like an id that does not exist.
    let other = federation(27);
    assert!(matches!(
        svc.office(&other, tokyo.id).await,
        Err(CoreError::NotFound)
    ));
    assert!(matches!(
        svc.office(&other, OfficeId(999_999)).await,
        Err(CoreError::NotFound)
    ));
    assert!(matches!(
        svc.set_suspended(&other, tokyo.id, true).await,
        Err(CoreError::NotFound)
    ));
    assert!(matches!(
        svc.unlock(&other, tokyo.id).await,
        Err(CoreError::NotFound)
    ));
    // Nothing changed: the office is still active for its own admin.
    let again = svc.office(&federation(13), tokyo.id).await.unwrap();
    assert_eq!(again.status, tokyo.status);
    // And the central operator reaches it.
    let central = admin("central", AdminRole::Central);
    assert!(svc.office(&central, tokyo.id).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn core_decides_the_validity_start_and_revocation_shows_in_the_history() {
    let (_tmp, app) = open().await;
    let registered = app
        .services
        .admin_offices
        .register(&Actor::Cli, &form("1310000001", "13"))
        .await
        .unwrap()
        .unwrap()
        .into_registered()
        .pop()
        .unwrap();
    let office = registered.office;
    let apply = &app.services.apply;

    // Without a certificate: no renewal; the DX flow skips the step, the 介護保険証明書 shows it.
    let dx = apply.start_step(&office, CertKind::KaigoDx).await.unwrap();
    assert!(!dx.shown && dx.renewal_end.is_none());
    assert!(
        apply
            .start_step(&office, CertKind::KaigoHoken)
            .await
            .unwrap()
            .shown
    );
    assert_eq!(
        apply
            .resolve_start(&office, CertKind::KaigoDx, ValidityStart::Renewal)
            .await
            .unwrap(),
        Err(NOTHING_TO_RENEW)
    );
    // A renewal asked for at submit without a certificate to renew is refused by core,
    // whatever the session said.
    let sealed = apply
        .seal_password(registered.issuance_password.expose_secret())
        .unwrap();
    let refused = apply
        .submit_starting(
            &office,
            CertKind::KaigoDx,
            sealed.clone(),
            "tok-renew",
            "test",
            ValidityStart::Renewal,
        )
        .await;
    assert!(
        matches!(&refused, Err(CoreError::Refused(m)) if m == NOTHING_TO_RENEW),
        "{refused:?}"
    );
    assert!(!apply.pending(&office, CertKind::KaigoDx).await.unwrap());

    // Start now: submitted, issued by the worker's pipeline.
    apply
        .submit_starting(
            &office,
            CertKind::KaigoDx,
            sealed,
            "tok-now",
            "test",
            ValidityStart::Now,
        )
        .await
        .unwrap();
    let history = apply.history(&office, CertKind::KaigoDx).await.unwrap();
    assert_eq!(history[0].state, HistoryStatus::Requested);
    assert_eq!(history[0].status, "申請中");
    assert!(
        kaigo_jobs::issuance::process_one(&app.services.issue)
            .await
            .unwrap()
    );
    let (row, today) = apply
        .download_rows(&office, CertKind::KaigoDx)
        .await
        .unwrap()
        .into_iter()
        .next()
        .expect("the issued certificate is the current row");
    assert!(today, "valid today");
    assert_eq!(row.state, HistoryStatus::Issued);
    let cert_id = row.certificate_id.unwrap();

    // Revoked in the console with a typed reason: stored as such, shown as 失効, no longer
    // current.
    let listing = app
        .services
        .admin_certs
        .revoke(&federation(13), cert_id, "keyCompromise", "")
        .await
        .unwrap();
    assert_eq!(
        listing.cert.revocation_reason,
        Some(RevocationReason::KeyCompromise)
    );
    let stored = app.store.certificate(cert_id).await.unwrap().unwrap();
    assert_eq!(
        stored.revocation_reason,
        Some(RevocationReason::KeyCompromise)
    );
    let history = apply.history(&office, CertKind::KaigoDx).await.unwrap();
    assert_eq!(history[0].state, HistoryStatus::Revoked);
    assert_eq!(history[0].status, "失効");
    assert!(
        apply
            .download_rows(&office, CertKind::KaigoDx)
            .await
            .unwrap()
            .is_empty()
    );
    // Another prefecture's admin cannot revoke (or see) it.
    assert!(matches!(
        app.services
            .admin_certs
            .revoke(&federation(27), cert_id, "keyCompromise", "")
            .await,
        Err(CoreError::NotFound)
    ));
}
