//! Issue 4 §6: inquiries in the admin console — inbox, reply (a notice to the office and a
//! mail to the reply address, when it is one of the office's own), close — and the role
//! boundary.

mod common;

use common::{add_admin, json, kaigo, now, s};
use kaigo_core::ids::OfficeNumber;
use kaigo_core::inquiry::admin::InquiryStatus;
use kaigo_core::inquiry::repo::{InquiryAdminRepo, InquiryRepo};
use kaigo_core::inquiry::{InquiryCategory, InquiryId, NewInquiry, reception_number};
use kaigo_core::office::repo::OfficeRepo;
use kaigo_pki::datadir::DataDir;
use kaigo_pki::walk::Walker;
use kaigo_pki::{serve, wiring};
use kaigo_store::SqlStore;

async fn ask(store: &SqlStore, number: &str, subject: &str, reply_to: &str) -> InquiryId {
    let office = store
        .office_by_number(&OfficeNumber::parse(number).unwrap())
        .await
        .unwrap()
        .unwrap();
    store
        .insert_inquiry(
            &NewInquiry {
                office_id: office.id,
                category: InquiryCategory::Password,
                subject: subject.into(),
                body: "ログインできません。\n<script>alert(1)</script>".into(),
                reply_to: reply_to.into(),
                created_at: now(),
            },
            None,
        )
        .await
        .unwrap()
}

async fn status(store: &SqlStore, id: InquiryId) -> InquiryStatus {
    store.admin_inquiry(id).await.unwrap().unwrap().status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_reaches_office_as_notice_and_mail_close_and_boundaries() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    // Answers are mailed only to an address the office registered (or confirmed).
    let o13 = common::init_with_office(&data, "1310000001", Some("office13@example.jp"));
    json(&kaigo(
        &data,
        &[
            "office",
            "add",
            "--postal-code",
            "100-0001",
            "--address",
            "東京都千代田区千代田1-1",
            "--number",
            "2710000001",
            "--name",
            "大阪事業所",
            "--kind",
            "kaigo",
            "--prefecture",
            "27",
            "--json",
        ],
    ));
    let central = add_admin(&data, "central1", None);
    let fed13 = add_admin(&data, "fed13", Some("13"));
    let app = wiring::open(&DataDir::new(data.clone()), true)
        .await
        .unwrap();
    let store = app.store.clone();
    let q13 = ask(
        &store,
        "1310000001",
        "ログインについて",
        "office13@example.jp",
    )
    .await;
    let q27 = ask(&store, "2710000001", "大阪の質問", "office27@example.jp").await;
    let running = serve::start(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = format!("http://{}", running.addr);

    let fw = Walker::new(&base).unwrap();
    let console = fw
        .admin_login("fed13", &s(&fed13, "password"), &s(&fed13, "totp_secret"))
        .await
        .unwrap();
    // The inbox lists only its prefecture's inquiries.
    let inbox = fw.get("/admin/inquiries").await.unwrap();
    assert_eq!(inbox.status, 200);
    assert!(inbox.contains("ログインについて"), "{}", inbox.html);
    assert!(!inbox.contains("大阪の質問"));
    // The pref-27 inquiry: 404 on every route, nothing changes.
    assert_eq!(
        fw.get(&format!("/admin/inquiries/{}", q27.0))
            .await
            .unwrap()
            .status,
        404
    );
    let p = fw
        .post(
            &console,
            &format!("/admin/inquiries/{}/reply", q27.0),
            &[("body", "回答")],
        )
        .await
        .unwrap();
    assert_eq!(p.status, 404);
    let p = fw
        .post(&console, &format!("/admin/inquiries/{}/close", q27.0), &[])
        .await
        .unwrap();
    assert_eq!(p.status, 404);
    assert_eq!(status(&store, q27).await, InquiryStatus::Open);

    // Read its own: the question is escaped.
    let d = fw
        .get(&format!("/admin/inquiries/{}", q13.0))
        .await
        .unwrap();
    assert_eq!(d.status, 200);
    assert!(d.contains("ログインについて") && d.contains("office13@example.jp"));
    assert!(!d.contains("<script>alert(1)</script>"), "escaped");
    // An empty reply is refused on the page.
    let p = fw
        .post(
            &d,
            &format!("/admin/inquiries/{}/reply", q13.0),
            &[("body", "  ")],
        )
        .await
        .unwrap();
    assert_eq!(p.status, 400);
    assert!(p.contains("回答内容を入力してください。"));
    // Reply.
    let answer = "パスワードを再発行しました。<b>再度</b>ログインしてください。";
    let p = fw
        .post(
            &d,
            &format!("/admin/inquiries/{}/reply", q13.0),
            &[("body", answer)],
        )
        .await
        .unwrap();
    assert_eq!(p.status, 200, "{}", p.html);
    assert!(p.contains("回答を送信しました。"), "{}", p.html);
    assert!(p.contains("回答済み"));
    assert_eq!(status(&store, q13).await, InquiryStatus::Answered);
    // A second reply (double submit) is refused: one notice, one mail.
    let again = fw
        .post(
            &d,
            &format!("/admin/inquiries/{}/reply", q13.0),
            &[("body", answer)],
        )
        .await
        .unwrap();
    assert_eq!(again.status, 400);

    // The office sees the reply as a notice on /top and /notices, escaped.
    let rec = store.admin_inquiry(q13).await.unwrap().unwrap();
    let title = format!(
        "お問い合わせへの回答（受付番号 {}）",
        reception_number(q13, rec.created_at)
    );
    let ow = Walker::new(&base).unwrap();
    let password = s(&o13, "login_password");
    let top = ow.login(&s(&o13, "user_id"), &password).await.unwrap();
    if top.path == "/password/change" {
        ow.change_password(&password, "KaigoNew2026x")
            .await
            .unwrap();
    }
    let top = ow.get("/top").await.unwrap();
    assert!(top.contains(&title), "{}", top.html);
    let notices = ow.get("/notices").await.unwrap();
    assert!(notices.contains(&title), "{}", notices.html);
    assert_eq!(
        notices.html.matches(&title).count(),
        1,
        "one notice despite the double submit"
    );
    // The mail to the reply address.
    let mails = common::mail::wait_for_mails(&data).await;
    assert_eq!(mails.len(), 1, "one reply mail");
    assert!(mails[0].to.contains("office13@example.jp"));
    assert!(!mails.iter().any(|m| m.to.contains("office27@example.jp")));

    // Close.
    let d = fw
        .get(&format!("/admin/inquiries/{}", q13.0))
        .await
        .unwrap();
    let p = fw
        .post(&d, &format!("/admin/inquiries/{}/close", q13.0), &[])
        .await
        .unwrap();
    assert_eq!(p.status, 200);
    assert!(p.contains("お問い合わせを完了にしました。"));
    assert_eq!(status(&store, q13).await, InquiryStatus::Closed);
    let closed = fw.get("/admin/inquiries?status=closed").await.unwrap();
    assert!(closed.contains("ログインについて"));
    let open = fw.get("/admin/inquiries?status=open").await.unwrap();
    assert!(!open.contains("ログインについて"));

    // The central operator sees both; the actions are in the audit log, and the search of
    // the audit log is audited too.
    let cw = Walker::new(&base).unwrap();
    cw.admin_login(
        "central1",
        &s(&central, "password"),
        &s(&central, "totp_secret"),
    )
    .await
    .unwrap();
    let inbox = cw.get("/admin/inquiries").await.unwrap();
    assert!(inbox.contains("ログインについて") && inbox.contains("大阪の質問"));
    let audit = cw.get("/admin/audit?action=admin.inquiry").await.unwrap();
    assert_eq!(audit.status, 200);
    assert!(audit.contains("admin.inquiry.reply") && audit.contains("admin.inquiry.close"));
    assert!(audit.contains(&format!("inquiry:{}", q13.0)));
    assert!(
        !audit.contains("admin.certificate"),
        "filtered by action prefix"
    );
    let audit = cw
        .get("/admin/audit?actor=admin%3Acentral1&action=admin.audit")
        .await
        .unwrap();
    assert!(audit.contains("admin.audit.search"), "{}", audit.html);
    // Bad dates are explained.
    let bad = cw.get("/admin/audit?from=2026-02-30").await.unwrap();
    assert!(bad.contains("日付（開始）"), "{}", bad.html);
    // Federation admins: 404.
    assert_eq!(fw.get("/admin/audit").await.unwrap().status, 404);
    assert_eq!(fw.get("/admin/audit?actor=x").await.unwrap().status, 404);

    running.shutdown().await.unwrap();
}
