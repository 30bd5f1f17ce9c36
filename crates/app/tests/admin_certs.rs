//! Issue 4 §5: certificates in the admin console (search, details, revocation) and the CLI
//! `cert list` / `cert revoke`; role boundaries; a revoked certificate is not downloadable.

mod common;

use common::{add_admin, json, kaigo, now, s, stderr, stdout};
use kaigo_core::certificate::repo::{ApplicationRepo, CertificateRepo};
use kaigo_core::certificate::revocation::RevocationReason;
use kaigo_core::certificate::{CertKind, CertStatus, NewApplication, NewCertificate};
use kaigo_core::ids::{CertificateId, OfficeNumber, Serial};
use kaigo_core::mail::NewMail;
use kaigo_core::notice::{NewNotice, NoticeCategory, NoticeTarget};
use kaigo_core::office::repo::OfficeRepo;
use kaigo_pki::datadir::DataDir;
use kaigo_pki::walk::Walker;
use kaigo_pki::{serve, wiring};
use kaigo_store::SqlStore;

fn add_office(data: &std::path::Path, number: &str, prefecture: &str) -> serde_json::Value {
    json(&kaigo(
        data,
        &[
            "office",
            "add",
            "--postal-code",
            "100-0001",
            "--address",
            "東京都千代田区千代田1-1",
            "--number",
            number,
            "--name",
            "大阪事業所",
            "--kind",
            "kaigo",
            "--prefecture",
            prefecture,
            "--json",
        ],
    ))
}

/// Issues a certificate to the office through the store (as the worker would).
async fn issue(store: &SqlStore, number: &str, kind: CertKind, serial: &str) -> CertificateId {
    let office = store
        .office_by_number(&OfficeNumber::parse(number).unwrap())
        .await
        .unwrap()
        .unwrap();
    let t = now();
    let (app, _) = store
        .submit_application(&NewApplication {
            office_id: office.id,
            kind,
            requested_at: t,
            terms_version: "t".into(),
            consented_at: t,
            sealed_password: b"x".to_vec(),
            not_before: None,
            idempotency_key: serial.into(),
        })
        .await
        .unwrap();
    let claimed = store.claim_application(t, t + 60).await.unwrap().unwrap();
    assert_eq!(claimed.id, app.id);
    store
        .complete_application(
            app.id,
            &NewCertificate {
                office_id: office.id,
                application_id: app.id,
                kind,
                serial: Serial::parse(serial).unwrap(),
                subject: "CN=KaigoJigyousho,O=テスト".into(),
                not_before: t - 60,
                not_after: t + 365 * 86_400,
                fingerprint_sha256: format!("fp{serial}"),
                cert_der: vec![1],
                pkcs12: b"PKCS12-BYTES".to_vec(),
                issued_at: t,
                generation: kaigo_core::ids::CaGeneration::FIRST,
            },
            &NewNotice {
                category: NoticeCategory::Certificate,
                title: "証明書発行完了通知".into(),
                body: String::new(),
                target: NoticeTarget::Office(office.id),
                start_at: t,
                end_at: None,
                created_at: t,
            },
            None::<&NewMail>,
        )
        .await
        .unwrap()
}

async fn status(store: &SqlStore, id: CertificateId) -> (CertStatus, Option<String>) {
    let c = store.certificate(id).await.unwrap().unwrap();
    (c.status, c.revocation_reason.map(|r| r.name().to_owned()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_search_detail_revoke_and_boundaries() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let o13 = common::init_with_office(&data, "1310000001", None);
    add_office(&data, "2710000001", "27");
    let central = add_admin(&data, "central1", None);
    let fed13 = add_admin(&data, "fed13", Some("13"));
    let app = wiring::open(&DataDir::new(data.clone()), true)
        .await
        .unwrap();
    let store = app.store.clone();
    let c13 = issue(&store, "1310000001", CertKind::KaigoDx, "0a13").await;
    let c27 = issue(&store, "2710000001", CertKind::KaigoDx, "0b27").await;
    let running = serve::start(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = format!("http://{}", running.addr);

    // The office downloads its certificate before the revocation.
    let ow = Walker::new(&base).unwrap();
    let password = s(&o13, "login_password");
    let top = ow.login(&s(&o13, "user_id"), &password).await.unwrap();
    if top.path == "/password/change" {
        ow.change_password(&password, "KaigoNew2026x")
            .await
            .unwrap();
    }
    let before = ow.download("/dx/download/file").await.unwrap();
    assert_eq!(before.status, 200);
    assert_eq!(before.bytes, b"PKCS12-BYTES");

    // ---- federation admin of 13 ----
    let fw = Walker::new(&base).unwrap();
    let console = fw
        .admin_login("fed13", &s(&fed13, "password"), &s(&fed13, "totp_secret"))
        .await
        .unwrap();
    let list = fw.get("/admin/certificates").await.unwrap();
    assert_eq!(list.status, 200);
    assert!(list.contains("data-serial=\"a13\""), "{}", list.html);
    assert!(
        !list.contains("b27"),
        "the pref-27 certificate is not listed"
    );
    // Even when searched for by its office or serial.
    let p = fw
        .get("/admin/certificates?office_number=2710000001")
        .await
        .unwrap();
    assert!(!p.contains("b27") && p.contains("0件"), "{}", p.html);
    let p = fw.get("/admin/certificates?serial=B27").await.unwrap();
    assert!(!p.contains("data-serial=\"b27\""));
    // Every route on the pref-27 certificate is a 404, GET and POST.
    let p = fw
        .get(&format!("/admin/certificates/{}", c27.0))
        .await
        .unwrap();
    assert_eq!(p.status, 404);
    let p = fw
        .post(
            &console,
            &format!("/admin/certificates/{}/revoke", c27.0),
            &[("reason", "keyCompromise"), ("confirm", "yes")],
        )
        .await
        .unwrap();
    assert_eq!(p.status, 404);
    assert_eq!(status(&store, c27).await, (CertStatus::Valid, None));
    // A bad search is explained on the page, input kept.
    let p = fw
        .get("/admin/certificates?serial=xyz&expires_from=2026-13-01")
        .await
        .unwrap();
    assert!(
        p.contains("シリアル番号は16進数で入力してください。"),
        "{}",
        p.html
    );
    assert!(p.contains("有効期限（開始）"));
    assert!(p.contains("value=\"xyz\""));

    // Details of its own certificate.
    let d = fw
        .get(&format!("/admin/certificates/{}", c13.0))
        .await
        .unwrap();
    assert_eq!(d.status, 200);
    assert!(d.contains("a13") && d.contains("fp0a13") && d.contains("1310000001"));
    assert!(d.contains("CN=KaigoJigyousho,O=テスト"));
    assert!(d.contains("有効"));
    assert!(!d.contains("certificateHold"), "no hold among the reasons");
    // Without the confirmation: refused, nothing changed.
    let p = fw
        .post(
            &d,
            &format!("/admin/certificates/{}/revoke", c13.0),
            &[("reason", "keyCompromise")],
        )
        .await
        .unwrap();
    assert_eq!(p.status, 400);
    assert!(p.contains("確認欄にチェック"), "{}", p.html);
    // A hold is refused.
    let p = fw
        .post(
            &d,
            &format!("/admin/certificates/{}/revoke", c13.0),
            &[("reason", "certificateHold"), ("confirm", "yes")],
        )
        .await
        .unwrap();
    assert_eq!(p.status, 400);
    assert_eq!(status(&store, c13).await, (CertStatus::Valid, None));
    // Revoke.
    let p = fw
        .post(
            &d,
            &format!("/admin/certificates/{}/revoke", c13.0),
            &[("reason", "keyCompromise"), ("confirm", "yes")],
        )
        .await
        .unwrap();
    assert_eq!(p.status, 200, "{}", p.html);
    assert!(p.contains("証明書を失効させました。"), "{}", p.html);
    assert!(p.contains("秘密鍵の危殆化（keyCompromise）"));
    assert!(!p.contains("id=\"revoke-form\""), "no second revoke form");
    let rec = store.certificate(c13).await.unwrap().unwrap();
    assert_eq!(rec.status, CertStatus::Revoked);
    assert_eq!(rec.revocation_reason, Some(RevocationReason::KeyCompromise));
    assert!(rec.revoked_at.unwrap() >= now() - 60);
    // A double submit revokes once: the second is refused and the reason stays.
    let p = fw
        .post(
            &d,
            &format!("/admin/certificates/{}/revoke", c13.0),
            &[("reason", "unspecified"), ("confirm", "yes")],
        )
        .await
        .unwrap();
    assert_eq!(p.status, 400);
    assert!(p.contains("既に失効しています"), "{}", p.html);
    assert_eq!(
        status(&store, c13).await,
        (CertStatus::Revoked, Some("keyCompromise".into()))
    );
    let p = fw.get("/admin/certificates?status=revoked").await.unwrap();
    assert!(p.contains("data-serial=\"a13\""));

    // The office can no longer download it, at once.
    let after = ow.download("/dx/download/file").await.unwrap();
    assert_ne!(
        after.bytes, b"PKCS12-BYTES",
        "a revoked certificate is not served"
    );
    let page = ow.get("/dx/download").await.unwrap();
    assert_ne!(
        page.path, "/dx/download",
        "no download page for a revoked certificate"
    );

    // ---- central operator: sees both, and the revocation was audited ----
    let cw = Walker::new(&base).unwrap();
    cw.admin_login(
        "central1",
        &s(&central, "password"),
        &s(&central, "totp_secret"),
    )
    .await
    .unwrap();
    let all = cw.get("/admin/certificates").await.unwrap();
    assert!(all.contains("data-serial=\"a13\"") && all.contains("data-serial=\"b27\""));
    let d = cw
        .get(&format!("/admin/certificates/{}", c27.0))
        .await
        .unwrap();
    assert_eq!(d.status, 200);
    let audit = cw
        .get("/admin/audit?action=admin.certificate.revoke")
        .await
        .unwrap();
    assert_eq!(audit.status, 200);
    assert!(audit.contains("admin:fed13"), "{}", audit.html);
    assert!(audit.contains("certificate:a13"));
    assert!(audit.contains("reason:keyCompromise"));
    assert!(
        audit.contains("改ざんは検出されませんでした"),
        "{}",
        audit.html
    );
    // The federation admin has no audit search.
    assert_eq!(fw.get("/admin/audit").await.unwrap().status, 404);

    running.shutdown().await.unwrap();
}

#[test]
fn cli_cert_list_and_revoke() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    common::init_with_office(&data, "1310000001", None);
    add_office(&data, "2710000001", "27");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let app = wiring::open(&DataDir::new(data.clone()), false)
            .await
            .unwrap();
        issue(&app.store, "1310000001", CertKind::KaigoDx, "0A13").await;
        issue(&app.store, "2710000001", CertKind::KaigoHoken, "b27").await;
        app.store.close().await;
    });

    let list = json(&kaigo(&data, &["cert", "list", "--json"]));
    let rows = list.as_array().expect("a JSON array");
    assert_eq!(rows.len(), 2);
    let b = rows.iter().find(|r| r["serial"] == "b27").unwrap();
    assert_eq!(b["office"], "2710000001");
    assert_eq!(b["kind"], "hoken");
    assert_eq!(b["status"], "valid");
    assert!(b["user_id"].as_str().unwrap().starts_with("KJ"));
    let nb = b["not_before"].as_str().unwrap();
    assert!(
        time::OffsetDateTime::parse(nb, &time::format_description::well_known::Rfc3339).is_ok(),
        "{nb}"
    );
    assert!(b["revoked_at"].is_null() && b["reason"].is_null());
    let one = json(&kaigo(
        &data,
        &["cert", "list", "--office", "1310000001", "--json"],
    ));
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(one[0]["serial"], "a13");

    // Errors: one line each, nothing changed.
    let one_line = |args: &[&str], needle: &str| {
        let o = kaigo(&data, args);
        assert!(!o.status.success(), "must fail: {}", stdout(&o));
        let err = stderr(&o);
        assert!(err.contains(needle), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    };
    one_line(
        &["cert", "revoke", "ffff", "--reason", "keyCompromise"],
        "no certificate with serial",
    );
    one_line(
        &["cert", "revoke", "B27", "--reason", "badReason"],
        "unknown revocation reason",
    );
    one_line(
        &["cert", "revoke", "B27", "--reason", "certificateHold"],
        "certificateHold",
    );
    one_line(
        &["cert", "revoke", "zz", "--reason", "unspecified"],
        "hexadecimal",
    );
    one_line(&["cert", "list", "--office", "12", "--json"], "--office");

    // Revoke by serial, case-insensitive.
    let o = kaigo(
        &data,
        &["cert", "revoke", "B27", "--reason", "cessationOfOperation"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("revoked certificate b27"));
    one_line(
        &["cert", "revoke", "b27", "--reason", "unspecified"],
        "already revoked",
    );
    let list = json(&kaigo(&data, &["cert", "list", "--json"]));
    let b = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["serial"] == "b27")
        .unwrap()
        .clone();
    assert_eq!(b["status"], "revoked");
    assert_eq!(b["reason"], "cessationOfOperation");
    assert!(b["revoked_at"].is_string());
    let a = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["serial"] == "a13")
        .unwrap()
        .clone();
    assert_eq!(a["status"], "valid");
}
