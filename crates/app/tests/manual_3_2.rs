//! Manual section 2 and 3-2 (介護保険証明書) end to end over HTTP against the real binary:
//! application → issued → the fee blocks a new application (page and POST) → `fee pay` →
//! the application is offered again; the estimate PDF checked with pdftotext and pdffonts;
//! the downloaded file's policy OID checked with OpenSSL against the 介護DX証明書's.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Server, kaigo, require_tool, run, stderr, stdout, write};
use kaigo_pki::walk::Walker;

const BLOCKED: &str = "現在、証明書発行手数料の残高があるため、発行申請ができません。発行申請を行うためには、証明書発行手数料の残高の支払を行う必要があります。手続きの方法等に関しては、国保連合会へお問合せください。";

fn policy_of(dir: &Path, name: &str, p12: &[u8], password: &str) -> String {
    let f = write(dir, name, p12);
    let leaf = dir.join(format!("{name}.pem"));
    let (ok, out) = run(
        "openssl",
        &[
            "pkcs12",
            "-in",
            f.to_str().unwrap(),
            "-passin",
            &format!("pass:{password}"),
            "-clcerts",
            "-nokeys",
            "-out",
            leaf.to_str().unwrap(),
        ],
    );
    assert!(ok, "{out}");
    let (ok, text) = run(
        "openssl",
        &[
            "x509",
            "-in",
            leaf.to_str().unwrap(),
            "-noout",
            "-ext",
            "certificatePolicies",
        ],
    );
    assert!(ok, "{text}");
    text.lines()
        .find_map(|l| l.trim().strip_prefix("Policy: ").map(str::to_owned))
        .unwrap_or_else(|| panic!("no policy in {text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn office_walks_manual_3_2_with_fee_and_estimate() {
    require_tool("openssl", "apt-get install openssl");
    require_tool("pdftotext", "apt-get install poppler-utils");
    require_tool("pdffonts", "apt-get install poppler-utils");
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let j = common::init_with_office(&data, "1310000001", Some("office-a@example.jp"));
    let user_id = j["user_id"].as_str().unwrap().to_owned();
    let temp_pw = j["login_password"].as_str().unwrap().to_owned();
    let issuance_pw = j["issuance_password"].as_str().unwrap().to_owned();
    // A second office, to check that nothing of the first is visible to it.
    let o = kaigo(
        &data,
        &[
            "office",
            "add",
            "--postal-code",
            "100-0001",
            "--address",
            "東京都千代田区千代田1-1",
            "--number",
            "2710000002",
            "--name",
            "大阪事業所",
            "--kind",
            "kaigo",
            "--prefecture",
            "27",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let j2: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();

    let server = Server::start(&data);
    let w = Walker::new(&server.base).unwrap();

    // Manual 2: login, first password change.
    let first = w.login(&user_id, &temp_pw).await.unwrap();
    assert_eq!(first.path, "/password/change");
    let top = w.change_password(&temp_pw, "Kaigo2026pw").await.unwrap();
    assert_eq!(top.status, 200);

    // Step 1 of the 証明書 tab: the choice and the empty history.
    let tab = w.get("/certificate").await.unwrap();
    assert_eq!(tab.status, 200);
    assert!(tab.contains("処理を選択し、【次へ】ボタンを押してください。"));
    // No history yet: before the choice, who needs which (the manual's 0. 全体ステップ).
    let html = tab.html.as_str();
    let pointer = html
        .find("id=\"dx-first\"")
        .expect("the free 介護DX証明書 is pointed to");
    assert!(
        pointer < html.find("choice-apply").unwrap(),
        "before the paid application"
    );
    assert_eq!(
        tab.label_for("choice-estimate").as_deref(),
        Some("見積書を作成する（必要な場合のみ）")
    );
    assert_eq!(
        tab.label_for("choice-apply").as_deref(),
        Some("証明書の発行申請をする")
    );
    assert!(
        tab.label_for("choice-download").is_none(),
        "nothing issued yet"
    );
    assert!(!tab.contains(BLOCKED));

    // The estimate (before any certificate): a page confirms it was made and offers the PDF
    // (A4, Japanese, fonts embedded).
    let done = w.make_estimate().await.unwrap();
    assert_eq!(done.status, 200);
    assert!(done.contains("見積書を作成しました。"), "{}", done.html);
    assert!(
        done.texts("dl.facts dd")
            .iter()
            .any(|t| t.starts_with("電子証明書発行手数料 見積書 7,800円（")),
        "the confirmation names the estimate and its amount: {}",
        done.html
    );
    assert!(
        done.contains("照会一覧"),
        "it says where the estimate is kept"
    );
    // Old address, old bookmarks: no estimate is made by a GET.
    let old = w.get("/certificate/estimate").await.unwrap();
    assert_eq!(old.path, "/certificate");
    let est = w.estimate_pdf().await.unwrap();
    assert_eq!(est.status, 200);
    assert_eq!(est.content_type, "application/pdf");
    assert!(
        est.disposition
            .contains("filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8_1310000001-"),
        "{}",
        est.disposition
    );
    let pdf = write(tmp.path(), "estimate.pdf", &est.bytes);
    // 照会一覧 keeps it, and gives back the same file.
    let docs = w.get("/documents").await.unwrap();
    assert!(
        docs.contains("見積書"),
        "the estimate is listed in 照会一覧"
    );
    let doc_href = scraper::Html::parse_document(&docs.html)
        .select(&scraper::Selector::parse("a[href^='/documents/']").unwrap())
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .find(|h| !h.contains("attachments"))
        .expect("a link to the estimate");
    assert_eq!(w.download(&doc_href).await.unwrap().bytes, est.bytes);
    let (ok, text) = run("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    assert!(ok, "{text}");
    let flat: String = text.split_whitespace().collect();
    for needle in [
        "御見積書",
        "請求事業所A",
        "1310000001",
        "電子証明書発行手数料",
        "7,800円（税込）",
        "東京都国民健康保険団体連合会",
        "見積有効期限",
    ] {
        assert!(
            flat.contains(needle),
            "{needle} missing in the estimate:\n{text}"
        );
    }
    let (ok, fonts) = run("pdffonts", &[pdf.to_str().unwrap()]);
    assert!(ok, "{fonts}");
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols[cols.len() - 5], "yes", "font not embedded: {row}");
    }

    // Application: notes → password → validity start → terms → submit → completion.
    let done = w.apply_hoken(&issuance_pw, "now").await.unwrap();
    assert_eq!(done.path, "/certificate/apply/done");
    w.wait_for_issued(Duration::from_secs(120)).await.unwrap();

    // Issued: the history shows the fee, the balance blocks a new application.
    let tab = w.get("/certificate").await.unwrap();
    let cells = tab.texts("table.history tbody td");
    assert!(cells.iter().any(|c| c == "発行済み"), "{cells:?}");
    assert!(
        !tab.contains("id=\"dx-first\""),
        "with a history the pointer is gone"
    );
    assert!(cells.iter().any(|c| c == "7,800 円"), "{cells:?}");
    assert!(tab.contains(BLOCKED), "the balance message");
    assert!(
        tab.label_for("choice-apply").is_none(),
        "no application choice"
    );
    assert_eq!(
        tab.label_for("choice-download").as_deref(),
        Some("証明書をダウンロード・インストールする")
    );
    // Enforced on POST too.
    let refused = w
        .post(&tab, "/certificate", &[("choice", "apply")])
        .await
        .unwrap();
    assert_eq!(refused.path, "/certificate");
    assert!(refused.contains(BLOCKED));
    let pw_refused = w
        .post(
            &tab,
            "/certificate/apply/password",
            &[("issuance_password", &issuance_pw)],
        )
        .await
        .unwrap();
    assert_eq!(pw_refused.path, "/certificate", "password step refused");
    assert!(pw_refused.contains(BLOCKED));

    // Download: the 介護保険証明書 file, KaigoHoken prefix, policy differs from DX.
    let tab = w.get("/certificate").await.unwrap();
    let dl_page = w
        .post(&tab, "/certificate", &[("choice", "download")])
        .await
        .unwrap();
    assert_eq!(dl_page.path, "/certificate/download");
    let hoken = w.download("/certificate/download/file").await.unwrap();
    assert_eq!(hoken.status, 200);
    assert_eq!(hoken.content_type, "application/x-pkcs12");
    assert!(
        hoken.disposition.contains("KaigoHoken_1310000001_"),
        "{}",
        hoken.disposition
    );
    // A free 介護DX証明書 on the same office is not blocked by the fee.
    let dx_done = w.apply_dx(&issuance_pw).await.unwrap();
    assert_eq!(dx_done.path, "/dx/apply/done");
    let start = std::time::Instant::now();
    let dx = loop {
        let d = w.download("/dx/download/file").await.unwrap();
        if d.content_type == "application/x-pkcs12" {
            break d;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "DX not issued");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let hoken_policy = policy_of(tmp.path(), "hoken.p12", &hoken.bytes, &issuance_pw);
    let dx_policy = policy_of(tmp.path(), "dx.p12", &dx.bytes, &issuance_pw);
    assert_ne!(hoken_policy, dx_policy);
    assert_eq!(
        hoken_policy,
        kaigo_ca::policy::policy_oid_string(kaigo_core_kind())
    );

    // Another office sees none of it.
    let w2 = Walker::new(&server.base).unwrap();
    let first2 = w2
        .login(
            j2["user_id"].as_str().unwrap(),
            j2["login_password"].as_str().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(first2.path, "/password/change");
    w2.change_password(j2["login_password"].as_str().unwrap(), "Osaka2026pw")
        .await
        .unwrap();
    let tab2 = w2.get("/certificate").await.unwrap();
    assert!(!tab2.contains(BLOCKED));
    assert!(tab2.label_for("choice-apply").is_some());
    assert!(!tab2.contains("7,800 円"));
    let none = w2.download("/certificate/download/file").await.unwrap();
    assert_ne!(none.content_type, "application/x-pkcs12");
    let est2 = w2.estimate_pdf().await.unwrap();
    let pdf2 = write(tmp.path(), "estimate2.pdf", &est2.bytes);
    let (_, text2) = run("pdftotext", &[pdf2.to_str().unwrap(), "-"]);
    let flat2: String = text2.split_whitespace().collect();
    assert!(flat2.contains("大阪府国民健康保険団体連合会"), "{text2}");
    assert!(!flat2.contains("請求事業所A"));

    // CLI: validations with one-line errors, then the payment.
    for (args, needle) in [
        (vec!["--office", "1310000001", "--amount", "0"], "positive"),
        (vec!["--office", "1310000001", "--amount", "-5"], "positive"),
        (
            vec!["--office", "9999999999", "--amount", "7800"],
            "no office",
        ),
        (vec!["--office", "12", "--amount", "7800"], ""),
    ] {
        let mut full = vec!["fee", "pay"];
        full.extend(args.iter().copied());
        let o = kaigo(&data, &full);
        assert!(!o.status.success(), "{full:?} must fail");
        let err = stderr(&o);
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(err.contains(needle), "{err}");
    }
    let o = kaigo(
        &data,
        &[
            "fee",
            "pay",
            "--office",
            "1310000001",
            "--amount",
            "7800",
            "--method",
            "offset",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("balance now 0 yen"), "{}", stdout(&o));

    // At once the application is offered again.
    let tab = w.get("/certificate").await.unwrap();
    assert!(!tab.contains(BLOCKED));
    assert_eq!(
        tab.label_for("choice-apply").as_deref(),
        Some("証明書の発行申請をする")
    );
    let cells = tab.texts("table.history tbody td");
    assert!(cells.iter().any(|c| c == "0 円"), "{cells:?}");
    let pw = w
        .post(&tab, "/certificate", &[("choice", "apply")])
        .await
        .unwrap();
    assert_eq!(pw.path, "/certificate/apply/password");

    assert!(server.terminate(), "clean shutdown");
}

fn kaigo_core_kind() -> kaigo_core::certificate::CertKind {
    kaigo_core::certificate::CertKind::KaigoHoken
}

/// With certificates valid for 2 months, a new certificate is at once inside the 90-day renewal
/// window: the tab says so, the validity-start step offers the current certificate's end, and
/// the renewed certificate starts then while the current one stays valid. DX offers the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renewal_starts_when_the_current_certificate_ends() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let j = common::init_with_office(&data, "1310000001", None);
    let cfg = data.join("config.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    assert!(text.contains("validity_months = 36"), "{text}");
    std::fs::write(
        &cfg,
        text.replace("validity_months = 36", "validity_months = 2"),
    )
    .unwrap();
    let issuance_pw = j["issuance_password"].as_str().unwrap().to_owned();
    let temp_pw = j["login_password"].as_str().unwrap().to_owned();
    let server = Server::start(&data);
    let w = Walker::new(&server.base).unwrap();
    w.login(j["user_id"].as_str().unwrap(), &temp_pw)
        .await
        .unwrap();
    w.change_password(&temp_pw, "Kaigo2026pw").await.unwrap();

    let done = w.apply_hoken(&issuance_pw, "now").await.unwrap();
    assert_eq!(done.path, "/certificate/apply/done");
    w.wait_for_issued(Duration::from_secs(120)).await.unwrap();
    let tab = w.get("/certificate").await.unwrap();
    let end = tab.texts("table.history tbody td")[2].clone();
    assert!(tab.contains("有効期限"), "renewal message");
    assert!(tab.texts("#renewal-msg")[0].contains(&end));
    // The fee of the first certificate blocks the renewal until paid.
    assert!(tab.contains(BLOCKED));
    let o = kaigo(
        &data,
        &["fee", "pay", "--office", "1310000001", "--amount", "7800"],
    );
    assert!(o.status.success(), "{}", stderr(&o));

    // The start step offers the end of the current certificate.
    let tab = w.get("/certificate").await.unwrap();
    w.get("/certificate/notes").await.unwrap();
    let pw = w
        .post(&tab, "/certificate", &[("choice", "apply")])
        .await
        .unwrap();
    let start = w
        .post(
            &pw,
            "/certificate/apply/password",
            &[("issuance_password", &issuance_pw)],
        )
        .await
        .unwrap();
    assert_eq!(start.path, "/certificate/apply/start");
    let label = start.label_for("start-renewal").expect("renewal offered");
    assert!(label.contains(&end), "{label}");
    let bad = w
        .post(&start, "/certificate/apply/start", &[("start", "later")])
        .await
        .unwrap();
    assert!(bad.contains("有効開始年月日を選択してください。"));
    let terms = w
        .post(&bad, "/certificate/apply/start", &[("start", "renewal")])
        .await
        .unwrap();
    assert_eq!(terms.path, "/certificate/apply/terms");
    let token = terms.input_value("token").unwrap();
    w.post(&terms, "/certificate/apply/submit", &[("token", &token)])
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let rows = loop {
        let tab = w.get("/certificate").await.unwrap();
        let cells = tab.texts("table.history tbody td");
        if cells.iter().filter(|c| *c == "発行済み").count() == 2 {
            break cells;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "{cells:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    // Newest first: the renewal starts on the day the current one ends; both are valid.
    assert_eq!(rows[1], end, "{rows:?}");
    assert_eq!(rows[5 + 2], end, "{rows:?}");
    // The unpaid fee belongs to the renewal; the first certificate is paid.
    assert_eq!((rows[4].as_str(), rows[9].as_str()), ("7,800 円", "0 円"));

    // The download step offers both, the one valid today first: a new PC needs it now.
    let page = w.get("/certificate/download").await.unwrap();
    let cells = page.texts("table.history tbody td");
    assert_eq!(cells[0], "現在ご利用中の証明書", "{cells:?}");
    assert!(
        cells[5].starts_with("更新後の証明書（") && cells[7] == end,
        "{cells:?}"
    );
    assert!(page.contains("id=\"renewal-files\""));
    let current = w.download("/certificate/download/file").await.unwrap();
    assert_eq!(current.content_type, "application/x-pkcs12");
    assert!(
        !current.disposition.contains(&end.replace('/', "")),
        "{}",
        current.disposition
    );
    let href = scraper::Html::parse_document(&page.html)
        .select(&scraper::Selector::parse("a[id^=download-file-]").unwrap())
        .next()
        .and_then(|a| a.value().attr("href").map(str::to_owned))
        .expect("a link to the renewal's file");
    let renewal = w.download(&href).await.unwrap();
    assert_eq!(renewal.content_type, "application/x-pkcs12");
    assert!(
        renewal.disposition.contains(&end.replace('/', "")),
        "{}",
        renewal.disposition
    );
    let foreign = w
        .download("/certificate/download/file?id=999999")
        .await
        .unwrap();
    assert_ne!(
        foreign.content_type, "application/x-pkcs12",
        "another id is no file"
    );

    // 介護DX証明書: the same step, free.
    let dx = w.get("/dx").await.unwrap();
    w.get("/dx/notes").await.unwrap();
    let pw = w.post(&dx, "/dx", &[("choice", "apply")]).await.unwrap();
    let terms = w
        .post(
            &pw,
            "/dx/apply/password",
            &[("issuance_password", &issuance_pw)],
        )
        .await
        .unwrap();
    assert_eq!(
        terms.path, "/dx/apply/terms",
        "no DX certificate yet: no start step"
    );
    assert!(server.terminate());
}
