//! The notice search, attachments, 照会一覧, FAQ, マニュアル, ダウンロード and お問い合わせ over
//! HTTP, and the CLI `notice add`.

mod common;

use kaigo_core::document::NewOfficeDocument;
use kaigo_core::document::repo::OfficeDocumentRepo;
use kaigo_core::ids::OfficeNumber;
use kaigo_core::notice::repo::NoticeRepo;
use kaigo_core::notice::{NewNotice, NoticeCategory, NoticeTarget};
use kaigo_core::office::repo::OfficeRepo;
use kaigo_pki::datadir::DataDir;
use kaigo_pki::walk::Walker;
use kaigo_pki::{serve, wiring};

const ZIP_NAME: &str = "証明書発行用パスワード通知書.zip";

fn s(v: &serde_json::Value, k: &str) -> String {
    v[k].as_str().unwrap().to_owned()
}

fn add_office(data: &std::path::Path, number: &str, prefecture: &str) -> serde_json::Value {
    let o = common::kaigo(
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
            "別の事業所",
            "--kind",
            "careplan",
            "--prefecture",
            prefecture,
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn notice_add(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["notice", "add"];
    all.extend_from_slice(args);
    common::kaigo(data, &all)
}

/// YYYY-MM-DD (JST) of a Unix time.
fn ymd(t: i64) -> String {
    kaigo_core::clock::jst_date(t).replace('/', "-")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_documents_and_help_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let a_json = common::init_with_office(&data, "1310000001", Some("jimusho@example.jp"));
    let b_json = add_office(&data, "2710000002", "27");

    // ---- CLI: notice add, its targeting, attachments and one-line errors ----
    let zip_path = tmp.path().join(ZIP_NAME);
    // The attachment policy checks the content against the extension: a ZIP starts with "PK".
    let zip_bytes: Vec<u8> = b"PK\x03\x04"
        .iter()
        .copied()
        .chain((4..9_999u32).map(|i| (i % 251) as u8))
        .collect();
    std::fs::write(&zip_path, &zip_bytes).unwrap();
    let pdf_path = tmp.path().join("資料.pdf");
    std::fs::write(&pdf_path, b"%PDF-1.4 test").unwrap();
    let o = notice_add(
        &data,
        &[
            "--title",
            "証明書発行用パスワード再発行通知",
            "--category",
            "証明書",
            "--body",
            "添付のZIPファイルを開くにはログイン用パスワードが必要です。",
            "--office",
            "1310000001",
            "--attach",
            zip_path.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    let posted: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let a_notice = posted["id"].as_i64().unwrap();
    assert_eq!(posted["target"], "office 1310000001");
    assert_eq!(posted["attachments"][0]["size"], 9_999);
    let o = notice_add(
        &data,
        &[
            "--title",
            "東京都の事業所へ",
            "--category",
            "schedule",
            "--prefecture",
            "13",
        ],
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert!(common::stdout(&o).contains("to prefecture 13"));
    let o = notice_add(
        &data,
        &[
            "--title",
            "全事業所へ Maintenance",
            "--category",
            "システム関連",
        ],
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    let o = notice_add(
        &data,
        &[
            "--title",
            "B事業所あて",
            "--category",
            "参考資料",
            "--office",
            "2710000002",
            "--attach",
            pdf_path.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    let b_posted: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let b_notice = b_posted["id"].as_i64().unwrap();

    let html_path = tmp.path().join("evil.html");
    std::fs::write(&html_path, "<script>").unwrap();
    let big_path = tmp.path().join("big.zip");
    std::fs::File::create(&big_path)
        .unwrap()
        .set_len(10 * 1024 * 1024 + 1)
        .unwrap();
    let missing = tmp.path().join("missing.pdf");
    for (args, expected) in [
        (
            vec!["--title", "x", "--category", "お知らせ"],
            "unknown --category",
        ),
        (
            vec!["--title", " ", "--category", "証明書"],
            "--title must not be empty",
        ),
        (
            vec!["--title", "x", "--category", "証明書", "--office", "123"],
            "10 digits",
        ),
        (
            vec![
                "--title",
                "x",
                "--category",
                "証明書",
                "--office",
                "9990000009",
            ],
            "no office",
        ),
        (
            vec!["--title", "x", "--category", "証明書", "--prefecture", "48"],
            "01 to 47",
        ),
        (
            vec![
                "--title",
                "x",
                "--category",
                "証明書",
                "--office",
                "1310000001",
                "--prefecture",
                "13",
            ],
            "cannot be used with",
        ),
        (
            vec![
                "--title",
                "x",
                "--category",
                "証明書",
                "--attach",
                html_path.to_str().unwrap(),
            ],
            "添付できない形式です",
        ),
        (
            vec![
                "--title",
                "x",
                "--category",
                "証明書",
                "--attach",
                big_path.to_str().unwrap(),
            ],
            "too large",
        ),
        (
            vec![
                "--title",
                "x",
                "--category",
                "証明書",
                "--attach",
                missing.to_str().unwrap(),
            ],
            "cannot read",
        ),
    ] {
        let o = notice_add(&data, &args);
        assert!(!o.status.success(), "{args:?} should fail");
        let err = common::stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }

    // ---- fixtures through the store: dated notices, paging, documents ----
    let dir = DataDir::new(data.clone());
    let app = wiring::open(&dir, true).await.unwrap();
    let office = |n: &str| OfficeNumber::parse(n).unwrap();
    let a = app
        .store
        .office_by_number(&office("1310000001"))
        .await
        .unwrap()
        .unwrap();
    let b = app
        .store
        .office_by_number(&office("2710000002"))
        .await
        .unwrap()
        .unwrap();
    let now = app.services.deps.clock.unix();
    let old = now - 40 * 86_400;
    app.store
        .insert_notice(&NewNotice {
            category: NoticeCategory::Reference,
            title: "電子請求受付システムマニュアルリリースのお知らせ".into(),
            body: "マニュアルを公開しました。".into(),
            target: NoticeTarget::All,
            start_at: old,
            end_at: None,
            created_at: old,
        })
        .await
        .unwrap();
    for i in 0..25 {
        app.store
            .insert_notice(&NewNotice {
                category: NoticeCategory::Schedule,
                title: format!("ページ送り確認{i:02}"),
                body: "本文".into(),
                target: NoticeTarget::Prefecture(a.prefecture.unwrap()),
                start_at: now - 3 * 86_400,
                end_at: None,
                created_at: now - 3 * 86_400,
            })
            .await
            .unwrap();
    }
    let a_doc = app
        .store
        .insert_office_document(&NewOfficeDocument {
            office_id: a.id,
            kind: "estimate".into(),
            title: "電子証明書発行手数料 見積書".into(),
            filename: "見積書.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.7 estimate".to_vec(),
            created_at: now - 10,
        })
        .await
        .unwrap();
    let b_doc = app
        .store
        .insert_office_document(&NewOfficeDocument {
            office_id: b.id,
            kind: "estimate".into(),
            title: "B見積書".into(),
            filename: "estimate.pdf".into(),
            content_type: "text/html".into(),
            bytes: b"<html>".to_vec(),
            created_at: now - 10,
        })
        .await
        .unwrap();
    let running = serve::start(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = format!("http://{}", running.addr);

    // Not logged in: the choice screen and the chat are public; the form shows the helpdesk
    // and needs a login.
    let anon = Walker::new(&base).unwrap();
    let public = anon.get("/inquiry").await.unwrap();
    assert_eq!(public.status, 200);
    assert!(public.contains("以下から方法をご選択いただけます。"));
    let public = anon.get("/inquiry/form").await.unwrap();
    assert_eq!(public.status, 200);
    assert!(public.contains("受付時間") && public.contains("ログイン画面へ"));
    assert!(
        anon.get("/login")
            .await
            .unwrap()
            .contains("href=\"/inquiry\"")
    );

    let w = Walker::new(&base).unwrap();
    let pw = s(&a_json, "login_password");
    w.login(&s(&a_json, "user_id"), &pw).await.unwrap();
    w.change_password(&pw, "Newpass2026").await.unwrap();

    // ---- the search: every criterion, with counts ----
    // A sees: 1 office + 1 (CLI prefecture) + 25 prefecture + 1 all (CLI) + 1 old all = 29.
    let count =
        |p: &kaigo_pki::walk::Page| -> Option<String> { p.texts("p.count").into_iter().next() };
    let list = w.get("/notices").await.unwrap();
    assert_eq!(
        count(&list).as_deref(),
        Some("29件が該当しています。"),
        "{}",
        list.html
    );
    for label in ["対象", "キーワード"] {
        assert!(list.contains(label));
    }
    assert_eq!(list.label_for("audience").as_deref(), Some("対象"));
    assert_eq!(list.label_for("keyword").as_deref(), Some("キーワード"));
    assert!(list.contains("提示開始日") && list.contains(">検索</button>"));
    let rows = list.texts("table.notices tbody tr");
    assert_eq!(rows.len(), 20, "one page of 20");
    assert!(rows[0].contains("New"), "newest first and unread: {rows:?}");
    for (q, expected) in [
        ("audience=office", 1),
        ("audience=prefecture", 26),
        ("audience=all", 2),
        ("audience=any", 29),
        ("keyword=maintenance", 1),
        ("keyword=%EF%BC%AD%EF%BD%81%EF%BD%89%EF%BD%8E", 1), // ＭａｉＮ full-width
        ("keyword=%E3%83%9A%E3%83%BC%E3%82%B8%E9%80%81%E3%82%8A", 25), // ページ送り
        ("keyword=%25", 0),
        ("keyword=%E3%83%91%E3%82%B9%E3%83%AF%E3%83%BC%E3%83%89", 1), // パスワード (body/title)
        ("audience=office&keyword=%E3%83%9A%E3%83%BC%E3%82%B8", 0),
    ] {
        let p = w.get(&format!("/notices?{q}")).await.unwrap();
        assert_eq!(
            count(&p),
            Some(format!("{expected}件が該当しています。")),
            "{q}"
        );
    }
    let from_old = w
        .get(&format!("/notices?from={}&to={}", ymd(old), ymd(old)))
        .await
        .unwrap();
    assert_eq!(count(&from_old).as_deref(), Some("1件が該当しています。"));
    assert!(from_old.contains("電子請求受付システムマニュアルリリースのお知らせ"));
    let recent = w
        .get(&format!("/notices?from={}", ymd(now - 86_400)))
        .await
        .unwrap();
    assert_eq!(count(&recent).as_deref(), Some("3件が該当しています。"));
    let until = w
        .get(&format!("/notices?to={}", ymd(now - 2 * 86_400)))
        .await
        .unwrap();
    assert_eq!(count(&until).as_deref(), Some("26件が該当しています。"));

    // Bad dates: a Japanese message, the input kept, no stack trace.
    let bad = w.get("/notices?from=2026-02-30&keyword=abc").await.unwrap();
    assert_eq!(bad.status, 200);
    assert!(
        bad.contains("提示開始日（開始）は「2026-04-01」の形式で正しい日付を入力してください。"),
        "{}",
        bad.html
    );
    assert_eq!(bad.input_value("from").as_deref(), Some("2026-02-30"));
    assert_eq!(bad.input_value("keyword").as_deref(), Some("abc"));
    let order = w
        .get("/notices?from=2026-04-02&to=2026-04-01")
        .await
        .unwrap();
    assert!(order.contains("終了日は開始日以降"));

    // Paging keeps the search.
    let p1 = w
        .get("/notices?keyword=%E3%83%9A%E3%83%BC%E3%82%B8%E9%80%81%E3%82%8A")
        .await
        .unwrap();
    assert_eq!(p1.texts("table.notices tbody tr").len(), 20);
    let next = p1
        .html
        .split("href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().replace("&amp;", "&"))
        .find(|h| h.contains("page=2"))
        .expect("a link to page 2");
    assert!(next.contains("keyword=%E3%83%9A"), "{next}");
    let p2 = w.get(&next).await.unwrap();
    assert_eq!(count(&p2).as_deref(), Some("25件が該当しています。"));
    assert_eq!(p2.texts("table.notices tbody tr").len(), 5);
    assert!(p2.contains("2 / 2 ページ"));

    // ---- the detail page, its attachment table and the download ----
    let detail = w.get(&format!("/notices/{a_notice}")).await.unwrap();
    assert_eq!(detail.status, 200);
    for label in [
        "カテゴリ",
        "提示期間",
        "提示（更新）日時",
        "添付ファイル",
        "サイズ",
        "戻る",
    ] {
        assert!(detail.contains(label), "{label}");
    }
    let att_rows = detail.texts("table.attachments tbody tr");
    assert_eq!(att_rows.len(), 1);
    assert!(
        att_rows[0].contains(ZIP_NAME) && att_rows[0].contains("9,999Byte"),
        "{att_rows:?}"
    );
    let href = detail
        .html
        .split("href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .find(|h| h.contains("/files/"))
        .unwrap();
    let file = w.download(&href).await.unwrap();
    assert_eq!(file.status, 200);
    assert_eq!(file.bytes, zip_bytes);
    assert_eq!(file.content_type, "application/zip");
    assert!(
        file.disposition
            .starts_with("attachment; filename=\"download.zip\""),
        "{}",
        file.disposition
    );
    assert!(
        file.disposition
            .contains("filename*=UTF-8''%E8%A8%BC%E6%98%8E%E6%9B%B8"),
        "{}",
        file.disposition
    );
    // Opened: no longer New.
    let list = w.get("/notices?audience=office").await.unwrap();
    assert!(!list.texts("table.notices tbody tr")[0].contains("New"));

    // ---- another office's IDs are not found ----
    let b_att = format!(
        "/notices/{b_notice}/files/{}",
        att_id(&base, &b_json, b_notice, b_doc.0).await
    );
    for path in [
        format!("/notices/{b_notice}"),
        b_att.clone(),
        format!("/documents/{}", b_doc.0),
        format!(
            "/documents/attachments/{}",
            b_att.rsplit('/').next().unwrap()
        ),
        format!("/notices/{a_notice}/files/999999"),
        "/documents/999999".to_owned(),
        "/documents/x".to_owned(),
    ] {
        assert_eq!(w.download(&path).await.unwrap().status, 404, "{path}");
    }

    // ---- 照会一覧 ----
    let docs = w.get("/documents").await.unwrap();
    assert!(!docs.contains("準備中"));
    let rows = docs.texts("table.documents tbody tr");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows[0].contains("証明書発行用パスワード再発行通知"),
        "newest first: {rows:?}"
    );
    assert!(rows[1].contains("見積書") && rows[1].contains("見積書.pdf"));
    let est = w
        .download(&format!("/documents/{}", a_doc.0))
        .await
        .unwrap();
    assert_eq!(est.bytes, b"%PDF-1.7 estimate");
    assert_eq!(est.content_type, "application/pdf");
    let zip_again = docs
        .html
        .split("href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .find(|h| h.starts_with("/documents/attachments/"))
        .unwrap();
    assert_eq!(w.download(&zip_again).await.unwrap().bytes, zip_bytes);

    // ---- FAQ: width and kana variants find the same entries ----
    let faq_count = |p: &kaigo_pki::walk::Page| p.texts("article.faq").len();
    let all = w.get("/faq").await.unwrap();
    assert!(faq_count(&all) >= 15);
    assert!(!all.contains("準備中"));
    let base_hits = faq_count(
        &w.get("/faq?q=%E3%83%91%E3%82%B9%E3%83%AF%E3%83%BC%E3%83%89")
            .await
            .unwrap(),
    ); // パスワード
    assert!(base_hits >= 3);
    for q in [
        "%EF%BE%8A%EF%BE%9F%EF%BD%BD%EF%BE%9C%EF%BD%B0%EF%BE%84%EF%BE%9E", // ﾊﾟｽﾜｰﾄﾞ
        "%E3%81%B1%E3%81%99%E3%82%8F%E3%83%BC%E3%81%A9",                   // ぱすわーど
    ] {
        assert_eq!(
            faq_count(&w.get(&format!("/faq?q={q}")).await.unwrap()),
            base_hits,
            "{q}"
        );
    }
    let zip_full = w.get("/faq?q=%EF%BC%BA%EF%BC%A9%EF%BC%B0").await.unwrap(); // ＺＩＰ
    let zip_half = w.get("/faq?q=zip").await.unwrap();
    assert_eq!(faq_count(&zip_full), faq_count(&zip_half));
    assert!(zip_half.contains("ダブルクリックして開き"));
    let none = w
        .get("/faq?q=%E5%AD%98%E5%9C%A8%E3%81%97%E3%81%AA%E3%81%84")
        .await
        .unwrap();
    assert!(none.contains("0件が該当しています。"));

    // ---- マニュアル and ダウンロード ----
    let manual = w.get("/manual").await.unwrap();
    assert!(
        manual.contains("href=\"/check\""),
        "the manual's 参考 links the check page"
    );
    for heading in [
        "0. 全体ステップ",
        "1. 証明書発行用パスワードの確認",
        "2. 介護保険証明書発行履歴の確認",
        "3-1. 介護DX証明書のインストール",
        "3-2. 介護保険証明書のインストール",
        "4. 証明書発行用パスワードの再発行方法",
        "参考) 電子証明書の確認方法",
        "【通知書を紛失してしまった】",
        "KaigoJigyousho",
        "e-seikyuu CA",
    ] {
        assert!(manual.contains(heading), "{heading}");
    }
    let css = w.get("/static/style.css").await.unwrap();
    assert!(
        css.html.contains("@media print { .menu"),
        "print hides the menu"
    );
    let dl = w.get("/downloads").await.unwrap();
    assert!(dl.contains("/terms/download") && dl.contains("/manual"));
    for link in [
        "/ca/e-seikyuu-root.pem",
        "/ca/e-seikyuu-root.crt",
        "/ca/e-seikyuu-ca.pem",
        "/ca/e-seikyuu-ca.crt",
        "/ca/e-seikyuu-ca.crl",
        "/ca/e-seikyuu-root.crl",
        "/check",
    ] {
        assert!(dl.contains(link), "{link} not linked");
    }
    // The CA material is public: a client without a session gets it.
    let root_pem = std::fs::read_to_string(data.join("ca/root.crt.pem")).unwrap();
    let issuing_pem = std::fs::read_to_string(data.join("ca/issuing.crt.pem")).unwrap();
    let got_root = anon.download("/ca/e-seikyuu-root.pem").await.unwrap();
    assert_eq!(got_root.status, 200);
    assert_eq!(
        String::from_utf8(got_root.bytes).unwrap().trim(),
        root_pem.trim()
    );
    let got_issuing = anon.download("/ca/e-seikyuu-ca.pem").await.unwrap();
    assert_eq!(
        String::from_utf8(got_issuing.bytes).unwrap().trim(),
        issuing_pem.trim()
    );
    let der = anon.download("/ca/e-seikyuu-ca.crt").await.unwrap();
    assert_eq!(der.content_type, "application/pkix-cert");
    let der_path = tmp.path().join("issuing.der");
    std::fs::write(&der_path, &der.bytes).unwrap();
    common::require_tool("openssl", "apt-get install -y openssl");
    let out = std::process::Command::new("openssl")
        .args(["x509", "-inform", "DER", "-noout", "-subject", "-in"])
        .arg(&der_path)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("e-seikyuu CA"));
    assert_eq!(anon.download("/ca/other.pem").await.unwrap().status, 404);
    assert_eq!(
        anon.download("/ca/e-seikyuu-root.exe")
            .await
            .unwrap()
            .status,
        404
    );

    // ---- every tab of the main menu is real ----
    for tab in [
        "/top",
        "/notices",
        "/documents",
        "/faq",
        "/manual",
        "/downloads",
    ] {
        let p = w.get(tab).await.unwrap();
        assert_eq!(p.status, 200, "{tab}");
        assert!(!p.contains("準備中"), "{tab} is still a placeholder");
        assert!(p.contains("href=\"/inquiry\""), "{tab} links お問い合わせ");
    }

    // ---- お問い合わせ ----
    let form = w.get("/inquiry/form").await.unwrap();
    assert_eq!(
        form.label_for("reply_to").as_deref(),
        Some("返信先メールアドレス")
    );
    assert!(form.contains("0120-000-000"));
    let bad = w
        .post(
            &form,
            "/inquiry/form",
            &[
                ("category", "password"),
                ("subject", "パスワードについて"),
                ("body", "通知書を紛失しました。"),
                ("reply_to", "someone-else@example.jp"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(bad.status, 200);
    // Only the office's own addresses are offered and accepted.
    assert!(
        bad.contains("返信先メールアドレスは、登録済みのメールアドレスから選択してください。"),
        "{}",
        bad.html
    );
    assert_eq!(
        bad.input_value("subject").as_deref(),
        Some("パスワードについて")
    );
    assert!(
        bad.html.contains("<option value=\"jimusho@example.jp\""),
        "{}",
        bad.html
    );
    assert!(bad.contains("通知書を紛失しました。"));
    assert!(bad.html.contains("value=\"password\" selected"));
    let done = w
        .post(
            &bad,
            "/inquiry/form",
            &[
                ("category", "password"),
                ("subject", "パスワードについて"),
                ("body", "通知書を紛失しました。"),
                ("reply_to", "jimusho@example.jp"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(done.path, "/inquiry/done");
    let reception = done.texts("#reception").into_iter().next().unwrap();
    assert!(
        reception.starts_with('Q') && reception.len() == 16,
        "{reception}"
    );
    let mails = common::mail::wait_for_mails(&data).await;
    assert_eq!(mails.len(), 1, "one acknowledgment mail");
    assert!(mails[0].to.contains("jimusho@example.jp"));
    assert!(
        mails[0].body.contains("お問い合わせを受け付けました"),
        "{}",
        mails[0].body
    );
    // A missing CSRF token is refused.
    let forged = w
        .post_with_token("/inquiry/form", "forged", &[("category", "other")])
        .await
        .unwrap();
    assert_eq!(forged.status, 403);
}

/// Logs in as office B in a separate walker, checks its own files, and returns the id of its
/// notice's attachment.
async fn att_id(base: &str, b: &serde_json::Value, notice: i64, doc: i64) -> String {
    let wb = Walker::new(base).unwrap();
    let pw = s(b, "login_password");
    wb.login(&s(b, "user_id"), &pw).await.unwrap();
    wb.change_password(&pw, "Otherpass2026").await.unwrap();
    let detail = wb.get(&format!("/notices/{notice}")).await.unwrap();
    let href = detail
        .html
        .split("href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .find(|h| h.contains("/files/"))
        .expect("B sees its attachment");
    let file = wb.download(&href).await.unwrap();
    assert_eq!(file.bytes, b"%PDF-1.4 test");
    // A document stored as HTML is never served as HTML.
    let html = wb.download(&format!("/documents/{doc}")).await.unwrap();
    assert_eq!(html.status, 200);
    assert_eq!(html.content_type, "application/octet-stream");
    assert!(
        html.disposition
            .starts_with("attachment; filename=\"estimate.pdf\"")
    );
    href.rsplit('/').next().unwrap().to_owned()
}
