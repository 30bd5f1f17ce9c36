//! Issue 4 §3 end to end: the fee ledger in the admin console. An office with an issued
//! 介護保険証明書 and an unpaid fee is refused a new application; the 国保連合会 of its
//! prefecture sees the balance, records a payment, and the office can apply at once. A
//! federation admin of another prefecture can reach nothing of it; bad input is refused with
//! a Japanese message and the input kept; the CSV and the 請求書 PDF are checked.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Server, kaigo, require_tool, run, stderr, stdout, write};
use kaigo_pki::walk::Walker;

const BLOCKED: &str = "現在、証明書発行手数料の残高があるため、発行申請ができません。";

fn admin(data: &Path, login: &str, prefecture: Option<&str>) -> serde_json::Value {
    let mut args = vec!["admin", "add", "--login", login, "--json"];
    match prefecture {
        Some(p) => args.extend(["--role", "federation", "--prefecture", p]),
        None => args.extend(["--role", "central"]),
    }
    let o = kaigo(data, &args);
    assert!(o.status.success(), "admin add: {}", stderr(&o));
    serde_json::from_str(stdout(&o).trim()).unwrap()
}

async fn login_admin(base: &str, j: &serde_json::Value) -> (Walker, kaigo_pki::walk::Page) {
    let w = Walker::new(base).unwrap();
    let s = |k: &str| j[k].as_str().unwrap().to_owned();
    let page = w
        .admin_login(&s("login"), &s("password"), &s("totp_secret"))
        .await
        .unwrap();
    (w, page)
}

/// The office id in the console's link `/admin/fees/{id}` of the row of this 事業所番号.
fn office_link(page: &kaigo_pki::walk::Page, number: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(&page.html);
    let sel = scraper::Selector::parse("#balances a").unwrap();
    doc.select(&sel)
        .find(|a| a.text().collect::<String>() == number)
        .and_then(|a| a.value().attr("href"))
        .map(|h| h.trim_start_matches("/admin/fees/").to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payment_recorded_by_the_federation_clears_the_balance_and_scope_holds() {
    require_tool("pdftotext", "apt-get install poppler-utils");
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let j = common::init_with_office(&data, "1310000001", None);
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
    let central = admin(&data, "central1", None);
    let fed13 = admin(&data, "fed13", Some("13"));
    let issuance_pw = j["issuance_password"].as_str().unwrap().to_owned();
    let temp_pw = j["login_password"].as_str().unwrap().to_owned();
    let server = Server::start(&data);
    let base = server.base.clone();

    // The office gets a 介護保険証明書: the fee is charged and blocks a new application.
    let w = Walker::new(&base).unwrap();
    w.login(j["user_id"].as_str().unwrap(), &temp_pw)
        .await
        .unwrap();
    w.change_password(&temp_pw, "Kaigo2026pw").await.unwrap();
    let done = w.apply_hoken(&issuance_pw, "now").await.unwrap();
    assert_eq!(done.path, "/certificate/apply/done", "{}", done.html);
    w.wait_for_issued(Duration::from_secs(120)).await.unwrap();
    let tab = w.get("/certificate").await.unwrap();
    assert!(tab.contains(BLOCKED), "the balance message");

    // The central operator charges the Osaka office by a correction (so that it has a balance).
    let (cw, _) = login_admin(&base, &central).await;
    let list = cw.get("/admin/fees").await.unwrap();
    assert!(list.contains("1310000001"), "{}", list.html);
    let id13 = office_link(&list, "1310000001").expect("office 13 listed");
    assert!(office_link(&list, "2710000002").is_none(), "no balance yet");
    // Find the Osaka office's id: ids are given in order, 13's is 1.
    let id27 = (1..10).map(|i| i.to_string()).find(|i| *i != id13).unwrap();
    let ledger27 = cw.get(&format!("/admin/fees/{id27}")).await.unwrap();
    assert_eq!(ledger27.status, 200);
    assert!(ledger27.contains("2710000002"), "{}", ledger27.html);
    let after = cw
        .post(
            &ledger27,
            &format!("/admin/fees/{id27}/correction"),
            &[("amount", "7800"), ("reason", "手数料の計上漏れ")],
        )
        .await
        .unwrap();
    assert!(after.contains("訂正を記録しました"), "{}", after.html);
    assert!(after.contains("admin:central1"));
    let list = cw.get("/admin/fees").await.unwrap();
    assert!(office_link(&list, "2710000002").is_some());
    assert!(
        list.texts("#total-balance")[0].contains("15,600"),
        "{}",
        list.html
    );

    // The federation admin of 13 sees its office only.
    let (fw, _) = login_admin(&base, &fed13).await;
    let list = fw.get("/admin/fees").await.unwrap();
    assert!(office_link(&list, "1310000001").is_some(), "{}", list.html);
    assert!(!list.contains("2710000002"), "another prefecture's office");
    assert!(list.texts("#total-balance")[0].contains("7,800"));
    let csv = fw.download("/admin/fees.csv").await.unwrap();
    assert_eq!(csv.status, 200);
    assert!(csv.content_type.starts_with("text/csv"));
    assert!(csv.bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM");
    let text = String::from_utf8(csv.bytes[3..].to_vec()).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "事業所番号,事業所名,都道府県,請求額,入金額,残高"
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with("\"1310000001\",\"請求事業所A\",\"東京都\",7800,0,7800"),
        "{row}"
    );
    assert!(lines.next().is_none(), "one row: {text}");

    // Scope: every route on the Osaka office is 404 for fed13, GET and POST.
    for path in [
        format!("/admin/fees/{id27}"),
        format!("/admin/fees/{id27}/invoice.pdf"),
    ] {
        assert_eq!(fw.download(&path).await.unwrap().status, 404, "{path}");
    }
    let own = fw.get(&format!("/admin/fees/{id13}")).await.unwrap();
    for (path, fields) in [
        (
            format!("/admin/fees/{id27}/payment"),
            vec![
                ("method", "transfer"),
                ("paid_on", "2026-01-05"),
                ("amount", "7800"),
            ],
        ),
        (
            format!("/admin/fees/{id27}/correction"),
            vec![("amount", "-7800"), ("reason", "x")],
        ),
    ] {
        let p = fw.post(&own, &path, &fields).await.unwrap();
        assert_eq!(p.status, 404, "{path}: {}", p.html);
    }
    let ledger27 = cw.get(&format!("/admin/fees/{id27}")).await.unwrap();
    assert!(ledger27.texts("#balance")[0].contains("7,800"), "unchanged");

    // Bad input: a Japanese message on the same page, the input kept, nothing recorded.
    let bad = fw
        .post(
            &own,
            &format!("/admin/fees/{id13}/payment"),
            &[
                ("method", "transfer"),
                ("paid_on", "2026-01-05"),
                ("amount", "0"),
                ("note", "メモ欄"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(bad.status, 422);
    assert!(
        bad.contains("入金額は1円以上で入力してください。"),
        "{}",
        bad.html
    );
    assert_eq!(bad.input_value("note").as_deref(), Some("メモ欄"));
    let bad = fw
        .post(
            &own,
            &format!("/admin/fees/{id13}/payment"),
            &[
                ("method", "transfer"),
                ("paid_on", "2026-02-30"),
                ("amount", "7800"),
            ],
        )
        .await
        .unwrap();
    assert!(bad.contains("入金日は"), "{}", bad.html);
    let bad = fw
        .post(
            &own,
            &format!("/admin/fees/{id13}/correction"),
            &[("amount", "-100"), ("reason", "  ")],
        )
        .await
        .unwrap();
    assert!(bad.contains("訂正理由を入力してください。"), "{}", bad.html);
    assert!(
        bad.html
            .contains("id=\"correction-amount\" name=\"amount\" value=\"-100\""),
        "the correction keeps its input: {}",
        bad.html
    );
    assert!(w.get("/certificate").await.unwrap().contains(BLOCKED));

    // The 請求書: the office's address block, the sender, the serial, the tax contained.
    let pdf = fw
        .download(&format!("/admin/fees/{id13}/invoice.pdf"))
        .await
        .unwrap();
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.content_type, "application/pdf");
    assert!(
        pdf.disposition.contains("invoice_1310000001_"),
        "{}",
        pdf.disposition
    );
    let file = write(tmp.path(), "invoice.pdf", &pdf.bytes);
    let (ok, text) = run("pdftotext", &[file.to_str().unwrap(), "-"]);
    assert!(ok, "{text}");
    let flat: String = text.split_whitespace().collect();
    for needle in [
        "請求書",
        "請求事業所A",
        "1310000001",
        "東京都国民健康保険団体連合会",
        "7,800",
        "709",
        "介護保険証明書",
    ] {
        assert!(flat.contains(needle), "{needle} in {text}");
    }
    let ledger = fw.get(&format!("/admin/fees/{id13}")).await.unwrap();
    assert!(ledger.contains("シリアル番号"), "{}", ledger.html);

    // The payment clears the balance, and the office can apply at once.
    let paid = fw
        .post(
            &own,
            &format!("/admin/fees/{id13}/payment"),
            &[
                ("method", "offset"),
                ("paid_on", "2026-01-05"),
                ("amount", "7,800"),
                ("note", "1月分相殺"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(paid.path, format!("/admin/fees/{id13}"), "{}", paid.html);
    assert!(paid.contains("入金を記録しました"));
    assert!(
        paid.texts("#balance")[0].starts_with("0円"),
        "{}",
        paid.html
    );
    assert!(paid.contains("相殺") && paid.contains("admin:fed13") && paid.contains("2026/01/05"));
    let tab = w.get("/certificate").await.unwrap();
    assert!(!tab.contains(BLOCKED), "{}", tab.html);
    w.get("/certificate/notes").await.unwrap();
    let pw = w
        .post(&tab, "/certificate", &[("choice", "apply")])
        .await
        .unwrap();
    assert_eq!(pw.path, "/certificate/apply/password", "{}", pw.html);
    let list = fw.get("/admin/fees").await.unwrap();
    assert!(
        office_link(&list, "1310000001").is_none(),
        "balance 0: not listed"
    );

    // Audited, with who and what (never a secret).
    server.terminate();
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}", data.join("kaigo.db").display());
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let out: Vec<String> = sqlx::query_scalar(
        "SELECT actor || ' ' || action || ' ' || object || ' ' || detail FROM audit_log \
         WHERE action LIKE 'admin.fee.%' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let out = out.join("\n");
    assert!(
        out.contains(&format!(
            "admin:central1 admin.fee.correction office:{id27}"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("admin:fed13 admin.fee.payment office:{id13}")),
        "{out}"
    );
    assert!(out.contains("method=offset"), "{out}");
    assert!(out.contains("admin.fee.invoice"), "{out}");
}
