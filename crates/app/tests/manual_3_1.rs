//! Manual section 2 (login) and 3-1 (介護DX証明書) end to end, over HTTP exactly as a browser
//! does it, against the real binary; the downloaded file is checked with OpenSSL, NSS,
//! Java keytool and pkilint.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Server, require_tool, run, write};
use kaigo_pki::walk::Walker;

const TABS: [&str; 10] = [
    "介護保険",
    "お知らせ",
    "照会一覧",
    "FAQ",
    "マニュアル",
    "ダウンロード",
    "証明書",
    "介護DX証明書",
    "ユーザ情報変更",
    "ログアウト",
];

fn check_tools() {
    require_tool("openssl", "apt-get install openssl");
    require_tool("pk12util", "apt-get install libnss3-tools");
    require_tool("certutil", "apt-get install libnss3-tools");
    require_tool("keytool", "apt-get install default-jre-headless");
    require_tool("lint_pkix_cert", "pip install pkilint");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn office_walks_manual_3_1_and_gets_a_working_certificate() {
    check_tools();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let j = common::init_with_office(&data, "1310000001", Some("office-a@example.jp"));
    let user_id = j["user_id"].as_str().unwrap().to_owned();
    let temp_pw = j["login_password"].as_str().unwrap().to_owned();
    let issuance_pw = j["issuance_password"].as_str().unwrap().to_owned();
    let server = Server::start(&data);
    let w = Walker::new(&server.base).unwrap();

    // Manual 2, step 1: the login page.
    let login = w.get("/login").await.unwrap();
    assert!(
        login.contains("ユーザIDとパスワードを入力して、<br>【ログイン】ボタンを押してください。")
    );
    assert_eq!(login.label_for("user_id").as_deref(), Some("ユーザID"));
    assert_eq!(login.label_for("password").as_deref(), Some("パスワード"));
    let buttons = login.texts("form .buttons a, form .buttons button");
    assert_eq!(buttons, vec!["戻る", "ログイン"]);

    // A POST without the CSRF token is refused.
    let forged = w
        .post_with_token(
            "/login",
            "not-the-token",
            &[("user_id", &user_id), ("password", &temp_pw)],
        )
        .await
        .unwrap();
    assert_eq!(forged.status, 403);

    // A wrong password says so without telling whether the ID exists.
    let wrong = w.login(&user_id, "wrongpass1").await.unwrap();
    assert!(wrong.contains("ユーザIDまたはパスワードが正しくありません。"));
    let unknown = w.login("KJZZZZZZZZZZZZ", "wrongpass1").await.unwrap();
    assert!(unknown.contains("ユーザIDまたはパスワードが正しくありません。"));

    // First login: the temporary password must be replaced before anything else.
    let first = w.login(&user_id, &temp_pw).await.unwrap();
    assert_eq!(first.path, "/password/change");
    assert_eq!(
        first.label_for("current").as_deref(),
        Some("現在のパスワード")
    );
    assert_eq!(first.label_for("new").as_deref(), Some("新しいパスワード"));
    assert_eq!(
        first.label_for("confirm").as_deref(),
        Some("新しいパスワード（確認）")
    );
    assert_eq!(
        w.get("/dx").await.unwrap().path,
        "/password/change",
        "no page before the change"
    );
    let short = w
        .post(
            &first,
            "/password/change",
            &[
                ("current", &temp_pw),
                ("new", "abc12"),
                ("confirm", "abc12"),
            ],
        )
        .await
        .unwrap();
    assert!(short.contains("8文字以上16文字以内"));
    let letters = w
        .post(
            &short,
            "/password/change",
            &[
                ("current", &temp_pw),
                ("new", "abcdefghij"),
                ("confirm", "abcdefghij"),
            ],
        )
        .await
        .unwrap();
    assert!(letters.contains("英字と数字をそれぞれ1文字以上"));
    let same = w
        .post(
            &letters,
            "/password/change",
            &[
                ("current", &temp_pw),
                ("new", &temp_pw),
                ("confirm", &temp_pw),
            ],
        )
        .await
        .unwrap();
    assert!(same.contains("現在のパスワードと異なるもの"));
    let new_pw = "Kaigo2026pass";
    let top = w
        .post(
            &same,
            "/password/change",
            &[("current", &temp_pw), ("new", new_pw), ("confirm", new_pw)],
        )
        .await
        .unwrap();
    assert_eq!(top.path, "/top");

    // The main menu, the clock and the notices list.
    let tabs = top.texts("nav.menu a, nav.menu button");
    assert_eq!(tabs, TABS.to_vec());
    assert!(
        top.texts(".clock")
            .first()
            .is_some_and(|c| c.starts_with("時刻 ") && c.len() == "時刻 00:00:00".len())
    );
    assert!(top.contains("件が該当しています。"));
    for th in ["提示開始日", "カテゴリ", "タイトル"] {
        assert!(
            top.texts("table.notices th").iter().any(|t| t == th),
            "{th}"
        );
    }
    for href in [
        "/top",
        "/notices",
        "/documents",
        "/faq",
        "/manual",
        "/downloads",
        "/certificate",
        "/dx",
        "/settings",
    ] {
        assert_eq!(
            w.get(href).await.unwrap().status,
            200,
            "{href} is not broken"
        );
    }

    // 3-1 step 1–2: the tab, and 【次へ】 before the notes were opened.
    let tab = w.get("/dx").await.unwrap();
    assert!(tab.contains("処理を選択し、【次へ】ボタンを押してください。"));
    assert!(tab.contains("介護DX証明書の発行申請をする"));
    assert!(
        tab.contains("介護給付費等の請求を代理人に委任している、または紙請求や媒体請求を行う場合")
    );
    assert!(tab.contains("証明書発行の履歴はありません。"));
    assert!(!tab.contains("介護DX証明書をダウンロード・インストールする"));
    assert_eq!(
        tab.texts(".buttons a, .buttons button"),
        vec!["発行申請を行う前に", "次へ"]
    );
    let refused = w.post(&tab, "/dx", &[("choice", "apply")]).await.unwrap();
    assert_eq!(refused.path, "/dx");
    assert!(
        refused
            .texts("#choice-error")
            .iter()
            .any(|t| t == "確認せずに証明書の発行申請は行えません。")
    );
    assert_eq!(
        w.get("/dx/apply/password").await.unwrap().path,
        "/dx",
        "no skipping ahead"
    );

    // Step 3: the notes, then the issuance password (a wrong one is refused).
    w.get("/dx/notes").await.unwrap();
    let pw_page = w
        .post(&refused, "/dx", &[("choice", "apply")])
        .await
        .unwrap();
    assert_eq!(pw_page.path, "/dx/apply/password");
    assert_eq!(
        pw_page.label_for("issuance_password").as_deref(),
        Some("証明書発行用パスワード")
    );
    let bad = w
        .post(
            &pw_page,
            "/dx/apply/password",
            &[("issuance_password", "WRONG123pw")],
        )
        .await
        .unwrap();
    assert!(bad.contains("証明書発行用パスワードが正しくありません。"));

    // Step 4: the terms of use.
    let terms = w
        .post(
            &bad,
            "/dx/apply/password",
            &[("issuance_password", &issuance_pw)],
        )
        .await
        .unwrap();
    assert_eq!(terms.path, "/dx/apply/terms");
    assert!(terms.contains("介護DX証明書の発行申請処理を行います。"));
    assert!(terms.contains("請求事業所A"), "事業所名");
    assert!(terms.contains("第1条（目的及び定義）") && terms.contains("第7条（免責）"));
    let buttons = terms.texts("a.button, button");
    for b in ["利用規約をダウンロード", "戻る", "利用規約に同意して送信"] {
        assert!(buttons.iter().any(|t| t == b), "{b} in {buttons:?}");
    }
    let text = w.download("/terms/download").await.unwrap();
    assert_eq!(text.status, 200);
    assert!(text.disposition.contains("attachment"));
    assert!(String::from_utf8_lossy(&text.bytes).contains("第3条（事業所の義務）"));

    // Step 5: submitting twice yields one application.
    let token = terms.input_value("token").unwrap();
    let csrf = terms.csrf().unwrap();
    let fields = [("token", token.as_str())];
    let (a, b) = tokio::join!(
        w.post_with_token("/dx/apply/submit", &csrf, &fields),
        w.post_with_token("/dx/apply/submit", &csrf, &fields)
    );
    let done = a.unwrap();
    assert_eq!(done.path, "/dx/apply/done");
    assert_eq!(b.unwrap().path, "/dx/apply/done");
    let again = w
        .post_with_token("/dx/apply/submit", &csrf, &fields)
        .await
        .unwrap();
    assert_eq!(
        again.path, "/dx/apply/done",
        "the back button and a resubmit land on the same page"
    );
    assert!(done.contains("※証明書発行完了通知が、数分程度でTOP画面のお知らせ欄もしくはご登録のメールアドレス宛に届きます。"));

    // The worker issues it: the notice 「証明書発行完了通知」 and an e-mail.
    let notices = w.wait_for_issued(Duration::from_secs(60)).await.unwrap();
    assert!(
        notices.texts("tr.unread td").iter().any(|t| t == "New"),
        "unread notices carry New"
    );
    let row = notices
        .texts("tr.unread")
        .into_iter()
        .find(|r| r.contains("証明書発行完了通知"))
        .unwrap();
    assert!(row.contains("証明書"), "category 証明書: {row}");
    let mails = common::mail::wait_for_mails(&data).await;
    assert_eq!(mails.len(), 1, "one mail for one certificate");
    assert!(mails[0].to.contains("office-a@example.jp"));

    // Step 6: the tab now offers the download; the history shows it issued, 0 円.
    let tab = w.get("/dx").await.unwrap();
    assert!(tab.contains("介護DX証明書をダウンロード・インストールする"));
    assert!(tab.contains("※ログイン中のユーザIDで発行済みの介護DX証明書があります。"));
    let history = tab.texts("table.history tbody tr");
    assert_eq!(
        history.len(),
        1,
        "one application, one certificate: {history:?}"
    );
    assert!(
        history[0].contains("発行済み") && history[0].contains("0 円"),
        "{history:?}"
    );
    let headers = tab.texts("table.history th");
    assert_eq!(
        headers,
        vec![
            "発行申請日",
            "有効開始年月日",
            "有効終了年月日",
            "状況",
            "発行手数料残高"
        ]
    );

    // Step 7: 【次へ】 then 【ダウンロード】.
    let file = w.download_dx().await.unwrap();
    assert_eq!(file.status, 200);
    assert_eq!(file.content_type, "application/x-pkcs12");
    // The same header every download gets: an ASCII name and the RFC 8187 form.
    assert!(
        file.disposition
            .starts_with("attachment; filename=\"KaigoDX_1310000001_")
            && file
                .disposition
                .contains(".p12\"; filename*=UTF-8''KaigoDX_1310000001_")
            && file.disposition.ends_with(".p12"),
        "{}",
        file.disposition
    );
    let again = w.download_dx().await.unwrap();
    assert_eq!(
        again.bytes, file.bytes,
        "a new PC downloads the same certificate"
    );

    check_pkcs12(tmp.path(), &file.bytes, &issuance_pw, &data);

    // 「Mac・古いWindows用のファイル」: the same certificate in 3DES with a SHA-1 MAC, made
    // from the stored file under the same 証明書発行用パスワード, without a new application.
    let page = w.get("/dx/download").await.unwrap();
    assert!(
        page.contains("Mac・古いWindows用のファイル"),
        "{}",
        page.html
    );
    let wrong = w
        .post(
            &page,
            "/dx/download/compat",
            &[("issuance_password", "Wrong0password")],
        )
        .await
        .unwrap();
    assert!(
        wrong.contains("証明書発行用パスワードが正しくありません。"),
        "{}",
        wrong.html
    );
    let form = w.get("/dx/download").await.unwrap();
    let token = form.csrf().unwrap();
    let compat = w
        .post_download(
            "/dx/download/compat",
            &token,
            &[("issuance_password", &issuance_pw)],
        )
        .await
        .unwrap();
    assert_eq!(compat.content_type, "application/x-pkcs12");
    assert!(
        compat.disposition.contains("_compat.p12"),
        "{}",
        compat.disposition
    );
    let cf = write(tmp.path(), "compat.p12", &compat.bytes);
    let (ok, info) = run(
        "openssl",
        &[
            "pkcs12",
            "-in",
            cf.to_str().unwrap(),
            "-passin",
            &format!("pass:{issuance_pw}"),
            "-info",
            "-noout",
        ],
    );
    assert!(ok, "{info}");
    assert!(
        info.contains("pbeWithSHA1And3-KeyTripleDES-CBC") && info.contains("MAC: sha1"),
        "{info}"
    );
    let (ok, leaf) = run(
        "openssl",
        &[
            "pkcs12",
            "-in",
            cf.to_str().unwrap(),
            "-passin",
            &format!("pass:{issuance_pw}"),
            "-nokeys",
            "-clcerts",
        ],
    );
    let (_, orig) = run(
        "openssl",
        &[
            "pkcs12",
            "-in",
            tmp.path().join("office.p12").to_str().unwrap(),
            "-passin",
            &format!("pass:{issuance_pw}"),
            "-nokeys",
            "-clcerts",
        ],
    );
    let pem = |t: &str| t[t.find("-----BEGIN").unwrap()..].to_owned();
    assert!(ok && pem(&leaf) == pem(&orig), "the same certificate");

    // Neither the issuance password nor a private key is stored in clear.
    let mut db = std::fs::read(data.join("kaigo.db")).unwrap();
    db.extend(std::fs::read(data.join("kaigo.db-wal")).unwrap_or_default());
    let hay = String::from_utf8_lossy(&db);
    assert!(
        !hay.contains(&issuance_pw),
        "issuance password found in the database"
    );
    assert!(
        !hay.contains(new_pw),
        "login password found in the database"
    );
    assert!(
        !hay.contains("PRIVATE KEY"),
        "a PEM private key found in the database"
    );

    // Logout ends the session.
    let top = w.get("/top").await.unwrap();
    let out = w.post(&top, "/logout", &[]).await.unwrap();
    assert_eq!(out.path, "/login");
    assert_eq!(w.get("/dx").await.unwrap().path, "/login");

    assert!(server.terminate(), "SIGTERM shuts down cleanly");
}

/// Checks the file with independent implementations, as the Windows import wizard would use it.
fn check_pkcs12(dir: &Path, p12: &[u8], password: &str, data: &Path) {
    let f = write(dir, "office.p12", p12);
    let fs = f.to_str().unwrap();
    let pass = format!("pass:{password}");

    // OpenSSL: algorithms, the wrong password, the chain.
    let (ok, info) = run(
        "openssl",
        &["pkcs12", "-in", fs, "-passin", &pass, "-info", "-noout"],
    );
    assert!(ok, "{info}");
    assert!(
        info.contains("PBES2") && info.contains("PBKDF2") && info.contains("AES-256-CBC"),
        "{info}"
    );
    assert!(info.contains("MAC: sha256"), "{info}");
    let (ok, _) = run(
        "openssl",
        &[
            "pkcs12",
            "-in",
            fs,
            "-passin",
            "pass:wrong-password",
            "-info",
            "-noout",
        ],
    );
    assert!(!ok, "a wrong password must not open the file");
    let leaf = dir.join("leaf.pem");
    let (ok, out) = run(
        "openssl",
        &[
            "pkcs12",
            "-in",
            fs,
            "-passin",
            &pass,
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
            "-subject",
            "-issuer",
            "-ext",
            "extendedKeyUsage,keyUsage",
        ],
    );
    assert!(ok, "{text}");
    assert!(
        text.contains("CN = KaigoJigyousho") || text.contains("CN=KaigoJigyousho"),
        "{text}"
    );
    assert!(
        text.contains("CN = e-seikyuu CA") || text.contains("CN=e-seikyuu CA"),
        "{text}"
    );
    assert!(text.contains("TLS Web Client Authentication"), "{text}");
    assert!(
        text.contains("Digital Signature") && text.contains("Key Encipherment"),
        "{text}"
    );
    let root = data.join("ca/root.crt.pem");
    let issuing = data.join("ca/issuing.crt.pem");
    let (ok, out) = run(
        "openssl",
        &[
            "verify",
            "-purpose",
            "sslclient",
            "-CAfile",
            root.to_str().unwrap(),
            "-untrusted",
            issuing.to_str().unwrap(),
            leaf.to_str().unwrap(),
        ],
    );
    assert!(ok && out.contains("OK"), "{out}");

    // NSS (Firefox, Chromium on Linux).
    let nss = dir.join("nssdb");
    std::fs::create_dir_all(&nss).unwrap();
    let db = format!("sql:{}", nss.display());
    let (ok, out) = run("certutil", &["-N", "-d", &db, "--empty-password"]);
    assert!(ok, "{out}");
    let (ok, _) = run("pk12util", &["-i", fs, "-d", &db, "-W", "wrong-password"]);
    assert!(!ok, "NSS must refuse a wrong password");
    let (ok, out) = run("pk12util", &["-i", fs, "-d", &db, "-W", password]);
    assert!(ok, "{out}");
    let (ok, list) = run("certutil", &["-L", "-d", &db]);
    assert!(
        ok && list.contains("u,u,u"),
        "the key and certificate are imported: {list}"
    );

    // Java keytool.
    let (ok, out) = run(
        "keytool",
        &[
            "-list",
            "-storetype",
            "PKCS12",
            "-keystore",
            fs,
            "-storepass",
            password,
        ],
    );
    assert!(ok && out.contains("PrivateKeyEntry"), "{out}");
    let (ok, _) = run(
        "keytool",
        &[
            "-list",
            "-storetype",
            "PKCS12",
            "-keystore",
            fs,
            "-storepass",
            "wrong-password",
        ],
    );
    assert!(!ok, "keytool must refuse a wrong password");

    // pkilint: no ERROR findings on the certificate.
    let (_, out) = run(
        "lint_pkix_cert",
        &["lint", "-s", "WARNING", leaf.to_str().unwrap()],
    );
    assert!(
        !out.contains("ERROR") && !out.contains("FATAL") && !out.contains("Traceback"),
        "pkilint reports errors:\n{out}"
    );
}
