//! Issue 4 §2: registering offices in the console (one by form, many by CSV in UTF-8 and
//! Shift_JIS), the letters (checked with pdftotext), suspend/resume/close, login password
//! reissue and unlock, the scope of federation admins, and the CLI import.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{kaigo, require_tool, stderr, stdout};
use kaigo_core::certificate::repo::CertificateRepo;
use kaigo_core::certificate::{CertKind, CertStatus};
use kaigo_core::ids::OfficeNumber;
use kaigo_core::office::OfficeStatus;
use kaigo_core::office::repo::OfficeRepo;
use kaigo_pki::datadir::DataDir;
use kaigo_pki::walk::{Page, Walker};
use kaigo_pki::{serve, wiring};

const HEADER: &str = "事業所番号,事業所名,種別,都道府県,郵便番号,住所,メールアドレス\n";

fn s(v: &serde_json::Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("no {k} in {v}"))
        .to_owned()
}

fn admin(data: &Path, login: &str, pref: Option<&str>) -> serde_json::Value {
    let mut args = vec!["admin", "add", "--login", login, "--json"];
    match pref {
        Some(p) => args.extend(["--role", "federation", "--prefecture", p]),
        None => args.extend(["--role", "central"]),
    }
    let o = kaigo(data, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

async fn login(base: &str, a: &serde_json::Value) -> (Walker, Page) {
    let w = Walker::new(base).unwrap();
    let console = w
        .admin_login(&s(a, "login"), &s(a, "password"), &s(a, "totp_secret"))
        .await
        .unwrap();
    (w, console)
}

fn pdf_text(bytes: &[u8], layout: bool) -> String {
    require_tool("pdftotext", "apt-get install poppler-utils");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("l.pdf");
    std::fs::write(&p, bytes).unwrap();
    let mut args = vec![];
    if layout {
        args.push("-layout");
    }
    args.extend([p.to_str().unwrap(), "-"]);
    let (ok, text) = common::run("pdftotext", &args);
    assert!(ok, "{text}");
    text
}

fn pdf_pages(bytes: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("l.pdf");
    std::fs::write(&p, bytes).unwrap();
    let (ok, info) = common::run("pdfinfo", &[p.to_str().unwrap()]);
    assert!(ok, "{info}");
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap()
}

/// The values of a letter's table: the last token of the line whose first token is `label`.
fn letter_value(text: &str, label: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let mut t = l.split_whitespace();
            (t.next() == Some(label)).then(|| t.last().map(str::to_owned))?
        })
        .collect()
}

/// The batch id of a letters page path `/admin/offices/letters/N`.
fn batch_of(page: &Page) -> String {
    page.path
        .strip_prefix("/admin/offices/letters/")
        .unwrap_or_else(|| panic!("not a letters page: {} {}", page.path, page.html))
        .to_owned()
}

async fn letters(w: &Walker, batch: &str) -> (String, Vec<u8>) {
    let d = w
        .download(&format!("/admin/offices/letters/{batch}/part/1.pdf"))
        .await
        .unwrap();
    assert_eq!(d.status, 200);
    assert_eq!(d.content_type, "application/pdf");
    (pdf_text(&d.bytes, true), d.bytes)
}

async fn store(data: &Path) -> kaigo_store::SqlStore {
    let url = format!("sqlite://{}", data.join("kaigo.db").display());
    kaigo_store::SqlStore::connect(&url).await.unwrap()
}

async fn office_id(st: &kaigo_store::SqlStore, number: &str) -> kaigo_core::office::Office {
    st.office_by_number(&OfficeNumber::parse(number).unwrap())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("office {number} not registered"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offices_console_over_http() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let o = kaigo(&data, &["init"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let central = admin(&data, "central1", None);
    let fed13 = admin(&data, "fed13", Some("13"));
    let fed27 = admin(&data, "fed27", Some("27"));
    let app = wiring::open(&DataDir::new(data.clone()), true)
        .await
        .unwrap();
    let running = serve::start(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = format!("http://{}", running.addr);
    let st = store(&data).await;
    let (w13, c13) = login(&base, &fed13).await;
    let (wc, cc) = login(&base, &central).await;
    let (w27, c27) = login(&base, &fed27).await;

    // ---- One office by form; bad input keeps the input and says why.
    let form = w13.get("/admin/offices/new").await.unwrap();
    assert_eq!(form.status, 200);
    let bad = w13
        .post(
            &form,
            "/admin/offices/new",
            &[
                ("number", "13100"),
                ("name", "ケアセンターさくら"),
                ("kind", "kaigo"),
                ("prefecture", "27"),
                ("postal_code", "12-34"),
                ("address", "東京都千代田区1-1"),
                ("email", "bad@"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(bad.status, 400);
    for msg in [
        "事業所番号は半角数字10桁",
        "担当外",
        "郵便番号は",
        "メールアドレスの形式",
    ] {
        assert!(bad.contains(msg), "{msg}: {}", bad.html);
    }
    assert_eq!(
        bad.input_value("name").as_deref(),
        Some("ケアセンターさくら")
    );
    let done = w13
        .post(
            &form,
            "/admin/offices/new",
            &[
                ("number", "1310000001"),
                ("name", "ケアセンターさくら"),
                ("kind", "kaigo"),
                ("postal_code", "1000001"),
                ("address", "東京都千代田区千代田1-1"),
                ("email", "sakura@example.jp"),
            ],
        )
        .await
        .unwrap();
    let batch1 = batch_of(&done);
    let (text, _) = letters(&w13, &batch1).await;
    let sakura = office_id(&st, "1310000001").await;
    assert_eq!(
        sakura.prefecture.unwrap().to_string(),
        "13",
        "fixed to the admin's prefecture"
    );
    assert!(text.contains("電子請求登録結果に関するお知らせ"), "{text}");
    assert!(text.contains("東京都国民健康保険団体連合会"), "{text}");
    assert!(
        text.contains("〒100-0001") && text.contains("ケアセンターさくら"),
        "{text}"
    );
    assert_eq!(
        letter_value(&text, "ユーザID"),
        vec![sakura.user_id.to_string()],
        "{text}"
    );
    let temp_pw = letter_value(&text, "仮パスワード").remove(0);
    let issuance_pw = letter_value(&text, "証明書発行用パスワード").remove(0);
    assert_eq!(temp_pw.len(), 12);
    assert_eq!(issuance_pw.len(), 12);
    // Plaintext only in the letter: not in the database.
    for file in ["kaigo.db", "kaigo.db-wal"] {
        if let Ok(bytes) = std::fs::read(data.join(file)) {
            let t = String::from_utf8_lossy(&bytes);
            assert!(
                !t.contains(&temp_pw) && !t.contains(&issuance_pw),
                "password in clear in {file}"
            );
        }
    }
    // The one-office letter, and the temporary password logs in.
    let one = w13
        .download(&format!(
            "/admin/offices/letters/{batch1}/office/{}.pdf",
            sakura.id
        ))
        .await
        .unwrap();
    assert_eq!(one.status, 200);
    assert!(pdf_text(&one.bytes, false).contains(&temp_pw));
    let ow = Walker::new(&base).unwrap();
    let first = ow.login(sakura.user_id.as_str(), &temp_pw).await.unwrap();
    assert_eq!(first.path, "/password/change", "{}", first.html);
    ow.change_password(&temp_pw, "Sakura2026new").await.unwrap();

    // ---- CSV in UTF-8 with a BOM, and in Shift_JIS.
    let imp = w13.get("/admin/offices/import").await.unwrap();
    let utf8 = format!(
        "\u{feff}{HEADER}1310000002,ひまわり介護,介護,13,100-0002,東京都千代田区2,\n1310000003,あおば居宅,居宅,,100-0003,東京都千代田区3,aoba@example.jp\n"
    );
    let report = w13
        .post_multipart(
            &imp,
            "/admin/offices/import",
            &[],
            &[("file", "a.csv", "text/csv", utf8.into_bytes())],
        )
        .await
        .unwrap();
    assert!(
        report.contains("2行中、登録できる行は2行"),
        "{}",
        report.html
    );
    let data_field = report.input_value("data").unwrap();
    let done = w13
        .post(
            &report,
            "/admin/offices/import/confirm",
            &[("data", &data_field)],
        )
        .await
        .unwrap();
    let batch2 = batch_of(&done);
    let (text, pdf) = letters(&w13, &batch2).await;
    assert_eq!(pdf_pages(&pdf), 2);
    assert_eq!(letter_value(&text, "ユーザID").len(), 2);
    assert_eq!(
        office_id(&st, "1310000003").await.kind,
        kaigo_core::office::OfficeKind::CarePlan
    );

    let sjis_text = format!("{HEADER}1310000004,すみれ事業所,介護,13,100-0004,東京都港区4,\n");
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&sjis_text);
    assert!(std::str::from_utf8(&sjis).is_err());
    let report = w13
        .post_multipart(
            &imp,
            "/admin/offices/import",
            &[],
            &[("file", "s.csv", "text/csv", sjis.into_owned())],
        )
        .await
        .unwrap();
    assert!(
        report.contains("1行中、登録できる行は1行"),
        "{}",
        report.html
    );
    let done = w13
        .post(
            &report,
            "/admin/offices/import/confirm",
            &[("data", &report.input_value("data").unwrap())],
        )
        .await
        .unwrap();
    batch_of(&done);
    assert_eq!(office_id(&st, "1310000004").await.name, "すみれ事業所");
    let list = w13.get("/admin/offices?q=すみれ").await.unwrap();
    assert!(
        list.contains("1310000004") && !list.contains("1310000002"),
        "{}",
        list.html
    );

    // ---- A bad file: every bad row with its line and reason; nothing imported.
    let bad_csv = format!(
        "{HEADER}\
         1310000010,有効な事業所,介護,13,100-0010,東京都10,\n\
         13100000AB,番号誤り,介護,13,100-0011,東京都11,\n\
         1310000010,重複,介護,13,100-0012,東京都12,\n\
         1310000001,登録済み,介護,13,100-0013,東京都13,\n\
         2710000001,大阪の事業所,介護,27,530-0001,大阪府1,\n\
         1310000015,種別誤り,病院,13,100-0015,東京都15,\n\
         1310000016,メール誤り,介護,13,100-0016,東京都16,bad@@x\n\
         1310000017,郵便番号誤り,介護,13,1000,東京都17,\n\
         1310000018,列不足\n"
    );
    let report = w13
        .post_multipart(
            &imp,
            "/admin/offices/import",
            &[],
            &[("file", "bad.csv", "text/csv", bad_csv.into_bytes())],
        )
        .await
        .unwrap();
    let rows = report.texts("#import-errors tbody tr");
    let expect = [
        ("3行目", "事業所番号は半角数字10桁"),
        ("4行目", "ファイル内で重複"),
        ("5行目", "既に登録されています"),
        ("6行目", "担当外"),
        ("7行目", "種別は"),
        ("8行目", "メールアドレスの形式"),
        ("9行目", "郵便番号は"),
        ("10行目", "列の数が正しくありません"),
    ];
    assert_eq!(rows.len(), expect.len(), "{rows:?}");
    for ((line, reason), row) in expect.iter().zip(&rows) {
        assert!(
            row.starts_with(line) && row.contains(reason),
            "{line} {reason}: {row}"
        );
    }
    let data_field = report.input_value("data").unwrap();
    let refused = w13
        .post(
            &report,
            "/admin/offices/import/confirm",
            &[("data", &data_field)],
        )
        .await
        .unwrap();
    assert_eq!(refused.status, 400);
    assert!(refused.contains("登録しませんでした"), "{}", refused.html);
    assert!(
        st.office_by_number(&OfficeNumber::parse("1310000010").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    let done = w13
        .post(
            &refused,
            "/admin/offices/import/confirm",
            &[("data", &data_field), ("valid_only", "1")],
        )
        .await
        .unwrap();
    let batch3 = batch_of(&done);
    assert_eq!(done.texts("#letters tbody tr").len(), 1);
    assert_eq!(office_id(&st, "1310000010").await.name, "有効な事業所");
    assert!(
        st.office_by_number(&OfficeNumber::parse("1310000015").unwrap())
            .await
            .unwrap()
            .is_none()
    );

    // ---- Suspend and resume.
    let detail_path = format!("/admin/offices/{}", sakura.id);
    let detail = w13.get(&detail_path).await.unwrap();
    assert!(detail.contains("利用中"), "{}", detail.html);
    let p = w13
        .post(&detail, &format!("{detail_path}/suspend"), &[])
        .await
        .unwrap();
    assert!(p.contains("利用停止"), "{}", p.html);
    let refused = Walker::new(&base)
        .unwrap()
        .login(sakura.user_id.as_str(), "Sakura2026new")
        .await
        .unwrap();
    assert_eq!(refused.path, "/login");
    assert!(
        refused.contains("利用停止中のため、ログインできません"),
        "{}",
        refused.html
    );
    assert_eq!(
        ow.get("/top").await.unwrap().path,
        "/login",
        "the open session ended"
    );
    w13.post(&detail, &format!("{detail_path}/resume"), &[])
        .await
        .unwrap();
    let back = ow
        .login(sakura.user_id.as_str(), "Sakura2026new")
        .await
        .unwrap();
    assert_eq!(back.path, "/top", "{}", back.html);

    // ---- Close: the office's certificate is revoked with cessationOfOperation.
    ow.apply_dx(&issuance_pw).await.unwrap();
    ow.wait_for_issued(Duration::from_secs(60)).await.unwrap();
    let certs = st
        .certificates_for_office(sakura.id, CertKind::KaigoDx)
        .await
        .unwrap();
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0].status, CertStatus::Valid);
    let confirm = w13.get(&format!("{detail_path}/close")).await.unwrap();
    assert!(confirm.contains("cessationOfOperation"), "{}", confirm.html);
    let wrong = w13
        .post(
            &confirm,
            &format!("{detail_path}/close"),
            &[("confirm_number", "1310000009")],
        )
        .await
        .unwrap();
    assert_eq!(wrong.status, 400);
    assert_eq!(
        office_id(&st, "1310000001").await.status,
        OfficeStatus::Active
    );
    let closed = w13
        .post(
            &confirm,
            &format!("{detail_path}/close"),
            &[("confirm_number", "1310000001")],
        )
        .await
        .unwrap();
    assert!(closed.contains("廃止"), "{}", closed.html);
    let certs = st
        .certificates_for_office(sakura.id, CertKind::KaigoDx)
        .await
        .unwrap();
    assert_eq!(certs[0].status, CertStatus::Revoked);
    assert_eq!(
        certs[0].revocation_reason,
        Some(kaigo_core::certificate::revocation::RevocationReason::CessationOfOperation)
    );
    assert!(certs[0].revoked_at.is_some());
    // The office is told which certificate, and why, in its notices.
    let pool = common::pool(&data).await;
    let body: String = sqlx::query_scalar(
        "SELECT body FROM notices WHERE title = '証明書失効のお知らせ（介護DX証明書）' \
         AND target_kind = 'office' AND target_value = $1",
    )
    .bind(sakura.id.0.to_string())
    .fetch_one(&pool)
    .await
    .expect("a revocation notice for the closed office");
    assert!(
        body.contains("事業所の廃止のため") && body.contains(certs[0].serial.as_str()),
        "{body}"
    );
    let refused = Walker::new(&base)
        .unwrap()
        .login(sakura.user_id.as_str(), "Sakura2026new")
        .await
        .unwrap();
    assert!(refused.contains("廃止されているため"), "{}", refused.html);

    // ---- Login password reissue: the old password stops working, the letter's works.
    let himawari = office_id(&st, "1310000002").await;
    let hpath = format!("/admin/offices/{}", himawari.id);
    let page = w13
        .post(&c13, &format!("{hpath}/reissue"), &[])
        .await
        .unwrap();
    let batch4 = batch_of(&page);
    let (text, _) = letters(&w13, &batch4).await;
    assert!(text.contains("電子請求ログイン情報発行通知書"), "{text}");
    assert!(
        !text.contains("証明書発行用パスワード "),
        "no issuance password: {text}"
    );
    let new_pw = letter_value(&text, "仮パスワード").remove(0);
    assert_eq!(
        letter_value(&text, "ユーザID"),
        vec![himawari.user_id.to_string()]
    );
    let hw = Walker::new(&base).unwrap();
    let p = hw.login(himawari.user_id.as_str(), &new_pw).await.unwrap();
    assert_eq!(p.path, "/password/change", "{}", p.html);

    // ---- Unlock: three wrong passwords lock; the admin unlocks.
    let aoba = office_id(&st, "1310000003").await;
    let lw = Walker::new(&base).unwrap();
    for _ in 0..3 {
        lw.login(aoba.user_id.as_str(), "wrongpass1").await.unwrap();
    }
    let apath = format!("/admin/offices/{}", aoba.id);
    let detail = w13.get(&apath).await.unwrap();
    assert!(detail.contains("ロック中"), "{}", detail.html);
    let p = w13
        .post(&detail, &format!("{apath}/unlock"), &[])
        .await
        .unwrap();
    assert!(p.contains("ロックなし"), "{}", p.html);
    let p = w13
        .post(&c13, &format!("{apath}/reissue"), &[])
        .await
        .unwrap();
    let (text, _) = letters(&w13, &batch_of(&p)).await;
    let pw = letter_value(&text, "仮パスワード").remove(0);
    assert_eq!(
        lw.login(aoba.user_id.as_str(), &pw).await.unwrap().path,
        "/password/change"
    );

    // ---- Edit.
    let e = w13
        .post(
            &c13,
            &format!("{apath}/edit"),
            &[
                ("name", "あおば居宅介護支援"),
                ("kind", "careplan"),
                ("postal_code", "100-0099"),
                ("address", "東京都中央区1"),
                ("email", ""),
            ],
        )
        .await
        .unwrap();
    assert!(e.contains("更新しました"), "{}", e.html);
    assert_eq!(
        office_id(&st, "1310000003").await.name,
        "あおば居宅介護支援"
    );

    // ---- Role boundaries: the central operator registers an office of 27.
    let form = wc.get("/admin/offices/new").await.unwrap();
    let done = wc
        .post(
            &form,
            "/admin/offices/new",
            &[
                ("number", "2710000001"),
                ("name", "なにわ介護"),
                ("kind", "kaigo"),
                ("prefecture", "27"),
                ("postal_code", "530-0001"),
                ("address", "大阪府大阪市北区1"),
                ("email", ""),
            ],
        )
        .await
        .unwrap();
    let batch27 = batch_of(&done);
    let naniwa = office_id(&st, "2710000001").await;
    // fed27 sees its office and the central's batch of 27, but nothing of 13.
    assert_eq!(
        w27.get(&format!("/admin/offices/{}", naniwa.id))
            .await
            .unwrap()
            .status,
        200
    );
    assert_eq!(
        w27.get(&format!("/admin/offices/letters/{batch27}"))
            .await
            .unwrap()
            .status,
        200
    );
    let list27 = w27.get("/admin/offices").await.unwrap();
    assert!(
        list27.contains("2710000001") && !list27.contains("1310000002"),
        "{}",
        list27.html
    );
    let list13 = w13.get("/admin/offices").await.unwrap();
    assert!(!list13.contains("2710000001"), "{}", list13.html);
    let before = office_id(&st, "2710000001").await;
    let h_before = office_id(&st, "1310000002").await;
    for (w, console, victim, batch) in [
        (&w13, &c13, naniwa.id.0, batch27.as_str()),
        (&w27, &c27, himawari.id.0, batch2.as_str()),
    ] {
        let o = format!("/admin/offices/{victim}");
        for path in [
            o.clone(),
            format!("{o}/close"),
            format!("/admin/offices/letters/{batch}"),
        ] {
            let p = w.get(&path).await.unwrap();
            assert_eq!(p.status, 404, "GET {path}");
        }
        for path in [
            format!("/admin/offices/letters/{batch}/part/1.pdf"),
            format!("/admin/offices/letters/{batch}/office/{victim}.pdf"),
        ] {
            assert_eq!(w.download(&path).await.unwrap().status, 404, "GET {path}");
        }
        let edit = [
            ("name", "乗っ取り"),
            ("kind", "kaigo"),
            ("postal_code", "100-0001"),
            ("address", "x"),
            ("email", ""),
        ];
        for (path, fields) in [
            (format!("{o}/edit"), &edit[..]),
            (format!("{o}/suspend"), &[][..]),
            (format!("{o}/resume"), &[][..]),
            (
                format!("{o}/close"),
                &[("confirm_number", "2710000001")][..],
            ),
            (format!("{o}/reissue"), &[][..]),
            (format!("{o}/unlock"), &[][..]),
            (format!("/admin/offices/letters/{batch}/discard"), &[][..]),
        ] {
            let p = w.post(console, &path, fields).await.unwrap();
            assert_eq!(p.status, 404, "POST {path}: {}", p.html);
        }
    }
    let after = office_id(&st, "2710000001").await;
    assert_eq!(
        (after.name.as_str(), after.status, after.login_hash.as_str()),
        (
            before.name.as_str(),
            before.status,
            before.login_hash.as_str()
        )
    );
    let h = office_id(&st, "1310000002").await;
    assert_eq!(
        (h.name.as_str(), h.status, h.login_hash.as_str()),
        (
            "ひまわり介護",
            OfficeStatus::Active,
            h_before.login_hash.as_str()
        )
    );
    // The batches are still there for their owners.
    assert_eq!(
        wc.download(&format!("/admin/offices/letters/{batch27}/part/1.pdf"))
            .await
            .unwrap()
            .status,
        200
    );
    assert_eq!(
        w13.get(&format!("/admin/offices/letters/{batch2}"))
            .await
            .unwrap()
            .status,
        200
    );

    // ---- Discard: gone at once.
    let p = w13
        .post(
            &c13,
            &format!("/admin/offices/letters/{batch3}/discard"),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(p.status, 200, "{}", p.html);
    assert_eq!(
        w13.get(&format!("/admin/offices/letters/{batch3}"))
            .await
            .unwrap()
            .status,
        404
    );
    let _ = cc;

    st.close().await;
    running.shutdown().await.unwrap();
}

#[test]
fn cli_import_good_and_bad_files() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let o = kaigo(&data, &["init"]);
    assert!(o.status.success(), "{}", stderr(&o));

    let bad = common::write(
        tmp.path(),
        "bad.csv",
        format!(
            "{HEADER}1310000001,良い事業所,kaigo,13,100-0001,東京都1,\n1310000002,悪い事業所,kaigo,99,100-0002,東京都2,\n"
        )
        .as_bytes(),
    );
    let o = kaigo(&data, &["office", "import", bad.to_str().unwrap()]);
    assert!(!o.status.success(), "nothing imported: non-zero exit");
    let err = stderr(&o);
    assert!(err.contains("line 3: 都道府県コードは01から47"), "{err}");
    assert!(err.contains("Nothing imported"), "{err}");
    assert!(!tmp.path().join("bad-letters.pdf").exists());

    let o = kaigo(
        &data,
        &[
            "office",
            "import",
            bad.to_str().unwrap(),
            "--valid-only",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["imported"], 1);
    assert_eq!(v["errors"][0]["line"], 3);
    let letters = tmp.path().join("bad-letters.pdf");
    assert_eq!(
        v["letters"].as_str().unwrap(),
        letters.display().to_string()
    );

    let good = common::write(
        tmp.path(),
        "good.csv",
        "number,name,kind,prefecture,postal_code,address,email\n\
         2710000001,Osaka A,careplan,27,530-0001,Osaka 1,a@example.jp\n\
         0110000001,Sapporo B,kaigo,01,060-0001,Sapporo 1,\n"
            .as_bytes(),
    );
    let out = tmp.path().join("out.pdf");
    let o = kaigo(
        &data,
        &[
            "office",
            "import",
            good.to_str().unwrap(),
            "--letters",
            out.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["imported"], 2);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::metadata(&letters).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(pdf_pages(&bytes), 2);
    let text = pdf_text(&bytes, true);
    for office in v["offices"].as_array().unwrap() {
        assert!(text.contains(office["user_id"].as_str().unwrap()), "{text}");
    }
    assert!(
        text.contains("大阪府国民健康保険団体連合会")
            && text.contains("北海道国民健康保険団体連合会"),
        "{text}"
    );
    // Importing the same file again: every row is already registered.
    let o = kaigo(&data, &["office", "import", good.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("line 2: 事業所番号 2710000001 は既に登録されています"),
        "{}",
        stderr(&o)
    );
}

/// Issue 8 §4: a batch larger than `documents.letters_per_pdf` is printed in parts; the
/// console lists them and each part holds only its offices' letters.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_batches_print_in_parts() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let o = kaigo(&data, &["init"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let config = data.join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("letters_per_pdf = 500"), "{text}");
    std::fs::write(
        &config,
        text.replace("letters_per_pdf = 500", "letters_per_pdf = 2"),
    )
    .unwrap();
    let central = admin(&data, "central1", None);
    let app = wiring::open(&DataDir::new(data.clone()), true)
        .await
        .unwrap();
    let running = serve::start(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = format!("http://{}", running.addr);
    let (w, _) = login(&base, &central).await;

    let mut csv = HEADER.to_owned();
    for i in 1..=5 {
        csv.push_str(&format!(
            "13200000{i:02},分割事業所{i},介護,13,100-000{i},東京都千代田区{i},\n"
        ));
    }
    let imp = w.get("/admin/offices/import").await.unwrap();
    let report = w
        .post_multipart(
            &imp,
            "/admin/offices/import",
            &[],
            &[("file", "five.csv", "text/csv", csv.into_bytes())],
        )
        .await
        .unwrap();
    let done = w
        .post(
            &report,
            "/admin/offices/import/confirm",
            &[("data", &report.input_value("data").unwrap())],
        )
        .await
        .unwrap();
    let batch = batch_of(&done);
    assert_eq!(
        done.texts("a.letters-part"),
        vec![
            "まとめて印刷用PDF（1〜2件目）",
            "まとめて印刷用PDF（3〜4件目）",
            "まとめて印刷用PDF（5〜5件目）",
        ],
        "{}",
        done.html
    );
    assert!(
        done.contains("2 事業所ごとに分かれています"),
        "{}",
        done.html
    );
    let listed = done.texts("td.user-id");
    assert_eq!(listed.len(), 5, "every office is still listed");

    let mut printed = vec![];
    for (part, pages) in [(1, 2), (2, 2), (3, 1)] {
        let d = w
            .download(&format!("/admin/offices/letters/{batch}/part/{part}.pdf"))
            .await
            .unwrap();
        assert_eq!(d.status, 200, "part {part}");
        assert_eq!(d.content_type, "application/pdf");
        assert_eq!(pdf_pages(&d.bytes), pages, "part {part}");
        let first = 2 * part - 1;
        assert!(
            d.disposition.contains(&format!(
                "letters_{batch}_{first}-{}.pdf",
                first + pages - 1
            )),
            "{}",
            d.disposition
        );
        printed.extend(letter_value(&pdf_text(&d.bytes, true), "ユーザID"));
    }
    assert_eq!(printed, listed, "each office once, in the page's order");
    for path in [
        format!("/admin/offices/letters/{batch}/part/4.pdf"),
        format!("/admin/offices/letters/{batch}/part/0.pdf"),
        format!("/admin/offices/letters/{batch}/letters.pdf"),
    ] {
        assert_eq!(w.download(&path).await.unwrap().status, 404, "GET {path}");
    }
    running.shutdown().await.unwrap();
}

#[test]
fn cli_import_writes_large_batches_in_parts() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let o = kaigo(&data, &["init"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut csv = HEADER.to_owned();
    for i in 1..=3 {
        csv.push_str(&format!(
            "13300000{i:02},CLI分割{i},介護,13,100-000{i},東京都港区{i},\n"
        ));
    }
    let file = common::write(tmp.path(), "three.csv", csv.as_bytes());
    let out = tmp.path().join("out.pdf");
    let o = std::process::Command::new(common::BIN)
        .arg("--data-dir")
        .arg(&data)
        .args(["office", "import", file.to_str().unwrap(), "--json"])
        .arg("--letters")
        .arg(&out)
        .env_remove("KAIGO_PKI_CA_PASSPHRASE")
        .env("KAIGO_PKI_LOG", "warn")
        .env("KAIGO_PKI_LETTERS_PER_PDF", "2")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let parts = [
        tmp.path().join("out-1-2.pdf"),
        tmp.path().join("out-3-3.pdf"),
    ];
    let files: Vec<String> = parts.iter().map(|p| p.display().to_string()).collect();
    assert_eq!(v["letter_files"], serde_json::json!(files), "{v}");
    assert!(!out.exists(), "no unbounded single file");
    assert_eq!(pdf_pages(&std::fs::read(&parts[0]).unwrap()), 2);
    assert_eq!(pdf_pages(&std::fs::read(&parts[1]).unwrap()), 1);
}
