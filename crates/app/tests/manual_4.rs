//! Manual section 4 end to end against the real binary: 「証明書発行用パスワードとは？」 →
//! 【通知書を紛失してしまった】 → 【再発行する】 → 【お知らせ画面を開く】 → the notice with
//! 「証明書発行用パスワード通知書.zip」, opened as Windows' Explorer opens it — with Python's
//! `zipfile`, which like Explorer understands only the traditional encryption and reads the entry
//! name in the system code page (CP932 on a Japanese Windows) — and the login password; the PDF
//! inside (read with pdftotext) holds the new password, which is then the only one that works.

mod common;

use common::{Server, require_tool, run, write};
use kaigo_pki::walk::Walker;

/// 7-Zip: Debian's `7zip` package installs `7zz`; `p7zip-full` installs `7z`.
fn seven_zip() -> &'static str {
    let has = |t: &str| {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {t}"))
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if has("7z") {
        "7z"
    } else {
        require_tool("7zz", "apt-get install 7zip");
        "7zz"
    }
}

/// Opens the ZIP as Explorer on a Japanese Windows does: traditional encryption only, the entry
/// name read in CP932 (no UTF-8 flag). Arguments: zip, password, output dir.
const EXPLORER: &str = r#"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
info = z.infolist()[0]
assert not info.flag_bits & 0x800, "Explorer on older Windows ignores the UTF-8 flag"
name = info.filename.encode("cp437").decode("cp932")
data = z.read(info, pwd=sys.argv[2].encode())
open(sys.argv[3] + "/" + name, "wb").write(data)
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_issuance_password_is_reissued_in_a_zip_explorer_opens() {
    let zip_tool = seven_zip();
    require_tool("pdftotext", "apt-get install poppler-utils");
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let j = common::init_with_office(&data, "1310000001", None);
    let user = j["user_id"].as_str().unwrap().to_owned();
    let temp = j["login_password"].as_str().unwrap().to_owned();
    let old_issuance = j["issuance_password"].as_str().unwrap().to_owned();
    let server = Server::start(&data);
    let w = Walker::new(&server.base).unwrap();
    w.login(&user, &temp).await.unwrap();
    let login_pw = "Kaigo2026pass";
    assert_eq!(
        w.change_password(&temp, login_pw).await.unwrap().path,
        "/top"
    );

    // Step 1: the link on the issuance password screen.
    let tab = w.get("/dx").await.unwrap();
    w.get("/dx/notes").await.unwrap();
    let pw_page = w.post(&tab, "/dx", &[("choice", "apply")]).await.unwrap();
    assert!(
        pw_page
            .texts("a")
            .iter()
            .any(|t| t == "証明書発行用パスワードとは？")
    );
    let about = w
        .get("/issuance-password/about?back=/dx/apply/password")
        .await
        .unwrap();
    for text in [
        "【証明書発行用パスワードとは】",
        "【証明書発行用パスワードの入手方法】",
        "・電子請求登録結果に関するお知らせ",
        "【証明書発行用パスワードの使用】",
    ] {
        assert!(about.contains(text), "{text}");
    }
    let buttons = about.texts(".buttons a, .buttons button");
    assert!(
        buttons.contains(&"戻る".to_owned())
            && buttons.contains(&"通知書を紛失してしまった".to_owned()),
        "{buttons:?}"
    );

    // Steps 2–4: 【通知書を紛失してしまった】 → 【再発行する】 → 【お知らせ画面を開く】.
    let confirm = w
        .get("/issuance-password/reissue?back=/dx/apply/password")
        .await
        .unwrap();
    assert!(confirm.texts("button").contains(&"再発行する".to_owned()));
    let token = confirm.input_value("token").unwrap();
    let done = w
        .post(
            &confirm,
            "/issuance-password/reissue",
            &[("back", "/dx/apply/password"), ("token", &token)],
        )
        .await
        .unwrap();
    assert_eq!(done.path, "/issuance-password/reissue/done");
    let open = done
        .texts("a.button")
        .into_iter()
        .find(|t| t == "お知らせ画面を開く");
    assert!(open.is_some(), "【お知らせ画面を開く】");
    let href = scraper::Html::parse_document(&done.html)
        .select(&scraper::Selector::parse("a.button.primary").unwrap())
        .next()
        .and_then(|a| a.value().attr("href").map(str::to_owned))
        .unwrap();

    // Step 5: the notice with its attachment.
    let notice = w.get(&href).await.unwrap();
    assert!(notice.contains("証明書発行用パスワード再発行通知"));
    assert!(notice.contains("パスワードは、ログイン用パスワードをご入力ください。"));
    assert!(
        !notice.contains("7-Zip") && !notice.contains("エクスプローラーでは開けません"),
        "the notice asks for no tool: Explorer opens the ZIP"
    );
    let rows = notice.texts("table tr");
    assert!(
        rows.iter()
            .any(|r| r.contains("証明書発行用パスワード通知書.zip") && r.contains("Byte")),
        "{rows:?}"
    );
    let file_href = scraper::Html::parse_document(&notice.html)
        .select(&scraper::Selector::parse("a[href*='/files/']").unwrap())
        .next()
        .and_then(|a| a.value().attr("href").map(str::to_owned))
        .unwrap();
    let zip = w.download(&file_href).await.unwrap();
    assert_eq!(zip.status, 200);
    assert!(
        zip.disposition.contains("filename*=UTF-8''"),
        "{}",
        zip.disposition
    );
    let zip_path = write(tmp.path(), "notice.zip", &zip.bytes);

    // Steps 6–7: opened from the folder as Explorer does, with the login password only; the
    // PDF shows the new password. 7-Zip names the encryption: the traditional one.
    let (listed, listing) = run(zip_tool, &["l", "-slt", zip_path.to_str().unwrap()]);
    assert!(listed && listing.contains("ZipCrypto"), "{listing}");
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let (ok, log) = run(
        "python3",
        &[
            "-c",
            EXPLORER,
            zip_path.to_str().unwrap(),
            &old_issuance,
            out.to_str().unwrap(),
        ],
    );
    assert!(
        !ok && log.contains("Bad password"),
        "another password must not open the ZIP: {log}"
    );
    let (ok, log) = run(
        "python3",
        &[
            "-c",
            EXPLORER,
            zip_path.to_str().unwrap(),
            login_pw,
            out.to_str().unwrap(),
        ],
    );
    assert!(ok, "{log}");
    let pdf = out.join("証明書発行用パスワード通知書.pdf");
    assert!(pdf.exists(), "the PDF 証明書発行用パスワード通知書");
    let (ok, text) = run("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    assert!(ok, "{text}");
    assert!(
        text.contains("証明書発行用パスワード通知書")
            && text.contains(&user)
            && text.contains("請求事業所"),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| {
            l.contains("証明書発行用パスワード") && !l.contains("通知書") && !l.contains("を")
        })
        .unwrap_or_else(|| panic!("{text}"));
    let new_issuance = line.split_whitespace().last().unwrap().to_owned();
    assert_eq!(new_issuance.len(), 12, "{line}");
    assert_ne!(new_issuance, old_issuance);

    // Only the new password works for applications from now on.
    let tab = w.get("/dx").await.unwrap();
    let pw_page = w.post(&tab, "/dx", &[("choice", "apply")]).await.unwrap();
    let refused = w
        .post(
            &pw_page,
            "/dx/apply/password",
            &[("issuance_password", &old_issuance)],
        )
        .await
        .unwrap();
    assert!(refused.contains("証明書発行用パスワードが正しくありません。"));
    let terms = w
        .post(
            &refused,
            "/dx/apply/password",
            &[("issuance_password", &new_issuance)],
        )
        .await
        .unwrap();
    assert_eq!(terms.path, "/dx/apply/terms");

    // 照会一覧 lists the notice's attachment too.
    let docs = w.get("/documents").await.unwrap();
    assert!(docs.contains("証明書発行用パスワード通知書.zip"));
    assert!(server.terminate());
}
