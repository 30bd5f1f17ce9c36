//! Manual sections 2 and 3-1 in a real browser: headless Chromium driven over WebDriver
//! (Debian's chromium and chromium-driver). The walk runs with JavaScript switched off, because
//! every step must work without it; a second check with JavaScript on sees the clock tick.
//! Screenshots of each screen go to target/screenshots/ (and to docs/screenshots/ when
//! KAIGO_UPDATE_SCREENSHOTS=1).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Server, require_tool};
use fantoccini::{Client, ClientBuilder, Locator};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn browser(javascript: bool, downloads: &Path, profile: &Path) -> (Driver, Client) {
    require_tool("chromium", "apt-get install chromium");
    require_tool("chromedriver", "apt-get install chromium-driver");
    let port = free_port();
    let driver = Driver(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let mut prefs = serde_json::json!({
        "download.default_directory": downloads.to_str().unwrap(),
        "download.prompt_for_download": false,
    });
    if !javascript {
        prefs["profile.managed_default_content_settings.javascript"] = serde_json::json!(2);
    }
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1366,768", format!("--user-data-dir={}", profile.display())],
            "prefs": prefs,
        }
    });
    let caps = caps.as_object().unwrap().clone();
    let start = Instant::now();
    loop {
        match ClientBuilder::native()
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => return (driver, c),
            Err(e) if start.elapsed() < Duration::from_secs(20) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot reach chromedriver: {e}"),
        }
    }
}

struct Shots {
    dir: PathBuf,
    docs: Option<PathBuf>,
}

impl Shots {
    fn new() -> Self {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let docs = std::env::var("KAIGO_UPDATE_SCREENSHOTS")
            .ok()
            .filter(|v| v == "1")
            .map(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots"));
        Self { dir, docs }
    }

    async fn take(&self, c: &Client, name: &str) {
        let png = c.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(self.dir.join(format!("{name}.png")), &png).unwrap();
        if let Some(docs) = &self.docs {
            std::fs::write(docs.join(format!("{name}.png")), &png).unwrap();
        }
    }
}

async fn text(c: &Client) -> String {
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn fill(c: &Client, id: &str, value: &str) {
    let e = c
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("#{id}"));
    e.clear().await.unwrap();
    e.send_keys(value).await.unwrap();
}

/// Clicks and waits until the browser has replaced the page (the old root element goes stale).
async fn click_and_wait(c: &Client, xpath: &str) {
    let old = c.find(Locator::Css("html")).await.unwrap();
    c.find(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|_| panic!("no element {xpath}"))
        .click()
        .await
        .unwrap();
    let start = Instant::now();
    while old.tag_name().await.is_ok() {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no navigation after clicking {xpath}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn click_button(c: &Client, label: &str) {
    click_and_wait(
        c,
        &format!("//button[normalize-space()='{label}'] | //a[normalize-space()='{label}']"),
    )
    .await;
}

async fn click_tab(c: &Client, label: &str) {
    click_and_wait(
        c,
        &format!("//nav[@aria-label='メインメニュー']//a[normalize-space()='{label}']"),
    )
    .await;
}

/// Manual 2 step 1 without the checks: logs in with the letter's password and changes it.
async fn first_login(c: &Client, base: &str, user_id: &str, temp_pw: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "user_id", user_id).await;
    fill(c, "password", temp_pw).await;
    click_button(c, "ログイン").await;
    fill(c, "current", temp_pw).await;
    fill(c, "new", "Kaigo2026pass").await;
    fill(c, "confirm", "Kaigo2026pass").await;
    click_button(c, "変更").await;
}

/// A registered office, the real server and a browser with JavaScript off.
struct Bed {
    _tmp: tempfile::TempDir,
    server: Server,
    downloads: PathBuf,
    _driver: Driver,
    c: Client,
    user_id: String,
    temp_pw: String,
    issuance_pw: String,
}

async fn bed() -> Bed {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let j = common::init_with_office(&data, "1310000001", Some("office-a@example.jp"));
    let server = Server::start(&data);
    let downloads = tmp.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let (driver, c) = browser(false, &downloads, &tmp.path().join("profile")).await;
    Bed {
        user_id: j["user_id"].as_str().unwrap().to_owned(),
        temp_pw: j["login_password"].as_str().unwrap().to_owned(),
        issuance_pw: j["issuance_password"].as_str().unwrap().to_owned(),
        _tmp: tmp,
        server,
        downloads,
        _driver: driver,
        c,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_2_and_3_1_in_chromium_without_javascript() {
    let Bed {
        _tmp,
        server,
        downloads,
        _driver,
        c,
        user_id,
        temp_pw,
        issuance_pw,
    } = bed().await;
    let shots = Shots::new();

    // Manual 2, step 1.
    c.goto(&format!("{}/login", server.base)).await.unwrap();
    assert!(
        text(&c)
            .await
            .contains("【ログイン】ボタンを押してください。")
    );
    shots.take(&c, "login").await;
    fill(&c, "user_id", &user_id).await;
    fill(&c, "password", &temp_pw).await;
    click_button(&c, "ログイン").await;
    let url = c.current_url().await.unwrap();
    assert!(
        url.path().ends_with("/password/change"),
        "{url}: {}",
        text(&c).await
    );
    shots.take(&c, "password-change").await;
    fill(&c, "current", &temp_pw).await;
    fill(&c, "new", "Kaigo2026pass").await;
    fill(&c, "confirm", "Kaigo2026pass").await;
    click_button(&c, "変更").await;
    let body = text(&c).await;
    assert!(body.contains("件が該当しています。"), "{body}");
    shots.take(&c, "notices").await;

    // 3-1 steps 1–2: the tab; 【次へ】 before the notes is refused.
    click_tab(&c, "介護DX証明書").await;
    shots.take(&c, "dx-tab").await;
    c.find(Locator::Id("choice-apply"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_button(&c, "次へ").await;
    assert!(
        text(&c)
            .await
            .contains("確認せずに証明書の発行申請は行えません。")
    );
    shots.take(&c, "dx-not-read").await;
    click_button(&c, "発行申請を行う前に").await;
    shots.take(&c, "dx-notes").await;
    click_button(&c, "戻る").await;
    c.find(Locator::Id("choice-apply"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_button(&c, "次へ").await;

    // Step 3–5.
    let label = c
        .find(Locator::Css("label[for=issuance_password]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(label, "証明書発行用パスワード");
    shots.take(&c, "dx-issuance-password").await;
    fill(&c, "issuance_password", &issuance_pw).await;
    click_button(&c, "次へ").await;
    assert!(text(&c).await.contains("請求事業所A"));
    shots.take(&c, "dx-terms").await;
    click_button(&c, "利用規約に同意して送信").await;
    assert!(text(&c).await.contains("※証明書発行完了通知が、数分程度でTOP画面のお知らせ欄もしくはご登録のメールアドレス宛に届きます。"));
    shots.take(&c, "dx-done").await;

    // The notice arrives; step 6–7 downloads the file into the browser's download folder.
    let start = Instant::now();
    loop {
        click_tab(&c, "お知らせ").await;
        if text(&c).await.contains("証明書発行完了通知") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no 証明書発行完了通知"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    shots.take(&c, "notices-issued").await;
    click_tab(&c, "介護DX証明書").await;
    assert!(
        text(&c)
            .await
            .contains("※ログイン中のユーザIDで発行済みの介護DX証明書があります。")
    );
    shots.take(&c, "dx-issued").await;
    c.find(Locator::Id("choice-download"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_button(&c, "次へ").await;
    shots.take(&c, "dx-download").await;
    // A download does not replace the page.
    let link = c.find(Locator::Id("download-file")).await.unwrap();
    assert_eq!(link.text().await.unwrap(), "ダウンロード");
    link.click().await.unwrap();
    let start = Instant::now();
    let file = loop {
        let found = std::fs::read_dir(&downloads)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "p12"));
        if let Some(f) = found {
            break f;
        }
        if start.elapsed() > Duration::from_secs(20) {
            let listing: Vec<_> = std::fs::read_dir(&downloads)
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .collect();
            c.goto("chrome://downloads").await.ok();
            panic!(
                "the browser saved no .p12 file: {listing:?} {}",
                text(&c).await
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let name = file.file_name().unwrap().to_str().unwrap().to_owned();
    assert!(name.starts_with("KaigoDX_1310000001_"), "{name}");
    let (ok, out) = common::run(
        "openssl",
        &[
            "pkcs12",
            "-in",
            file.to_str().unwrap(),
            "-passin",
            &format!("pass:{issuance_pw}"),
            "-nokeys",
            "-clcerts",
        ],
    );
    assert!(ok && out.contains("KaigoJigyousho"), "{out}");

    click_button(&c, "ログアウト").await;
    assert!(c.current_url().await.unwrap().path().ends_with("/login"));
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_javascript_the_clock_runs_pages_fit_at_200_percent_and_keyboard_works() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let j = common::init_with_office(&data, "1310000001", None);
    let server = Server::start(&data);
    let (_driver, c) = browser(true, tmp.path(), &tmp.path().join("profile")).await;
    c.goto(&format!("{}/login", server.base)).await.unwrap();
    fill(&c, "user_id", j["user_id"].as_str().unwrap()).await;
    fill(&c, "password", j["login_password"].as_str().unwrap()).await;
    click_button(&c, "ログイン").await;
    fill(&c, "current", j["login_password"].as_str().unwrap()).await;
    fill(&c, "new", "Kaigo2026pass").await;
    fill(&c, "confirm", "Kaigo2026pass").await;
    click_button(&c, "変更").await;
    let clock = c.find(Locator::Id("clock")).await.unwrap();
    let first = clock.text().await.unwrap();
    assert_eq!(first.len(), 8, "HH:MM:SS: {first}");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let later = clock.text().await.unwrap();
    assert_ne!(first, later, "the clock ticks");

    // Readable at 200% zoom: at half the width (what 200% zoom leaves of a 1366px window)
    // nothing needs horizontal scrolling, on the pages of the manual's steps.
    c.set_window_size(683, 768).await.unwrap();
    for path in ["/top", "/dx", "/dx/notes", "/certificate", "/settings"] {
        c.goto(&format!("{}{path}", server.base)).await.unwrap();
        let fits = c
            .execute(
                "return document.documentElement.scrollWidth <= window.innerWidth + 1;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            fits,
            serde_json::json!(true),
            "{path} scrolls sideways at 683px"
        );
    }

    // Every screen at the office PC's common 1366×768 and at a phone's width (390 px): tables
    // scroll in their own box or reflow, the menu wraps compactly, nothing widens the page.
    // Screenshots of each for a look.
    let shots = Shots::new();
    for (width, height, label) in [(1366, 768, "desktop"), (390, 844, "phone")] {
        c.set_window_size(width, height).await.unwrap();
        for path in [
            "/top",
            "/notices",
            "/documents",
            "/faq",
            "/manual",
            "/downloads",
            "/certificate",
            "/dx",
            "/dx/notes",
            "/settings",
            "/inquiry",
            "/inquiry/chat",
            "/inquiry/form",
            "/inquiry/phone",
        ] {
            c.goto(&format!("{}{path}", server.base)).await.unwrap();
            let widths = c
                .execute(
                    "return [document.documentElement.scrollWidth, window.innerWidth];",
                    vec![],
                )
                .await
                .unwrap();
            let name = format!("{label}{}", path.replace('/', "-"));
            shots.take(&c, &name).await;
            let (scroll, inner) = (widths[0].as_i64().unwrap(), widths[1].as_i64().unwrap());
            assert!(
                scroll <= inner + 1,
                "{path} scrolls sideways at {width}px: {scroll} > {inner}"
            );
        }
    }
    c.set_window_size(1366, 768).await.unwrap();

    // Keyboard: the first Tab reaches the skip link, which leads to the main content.
    c.goto(&format!("{}/dx", server.base)).await.unwrap();
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("\u{E004}")
        .await
        .unwrap();
    let active = c
        .execute(
            "return document.activeElement.getAttribute('href');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        active,
        serde_json::json!("#main"),
        "the first Tab stop is the skip link"
    );
    c.close().await.unwrap();
}

/// Waits for a file with this extension in the browser's download folder.
async fn downloaded(dir: &Path, ext: &str) -> PathBuf {
    let start = Instant::now();
    loop {
        let found = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == ext));
        if let Some(f) = found {
            return f;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the browser saved no .{ext} file"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn wait_for_notice(c: &Client, title: &str) {
    let start = Instant::now();
    loop {
        click_tab(c, "お知らせ").await;
        if text(c).await.contains(title) {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "no {title}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_3_2_and_4_in_chromium_without_javascript() {
    let Bed {
        _tmp,
        server,
        downloads,
        _driver,
        c,
        user_id,
        temp_pw,
        issuance_pw,
    } = bed().await;
    let shots = Shots::new();

    first_login(&c, &server.base, &user_id, &temp_pw).await;

    // 3-2 step 1: the 証明書 tab; 見積書を作成する confirms the estimate and offers its PDF.
    click_tab(&c, "証明書").await;
    assert!(
        text(&c)
            .await
            .contains("処理を選択し、【次へ】ボタンを押してください。")
    );
    shots.take(&c, "certificate-tab").await;
    c.find(Locator::Id("choice-estimate"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_button(&c, "次へ").await;
    // The page says the estimate was made, and its button gives the PDF.
    assert!(text(&c).await.contains("見積書を作成しました。"));
    shots.take(&c, "estimate-done").await;
    c.find(Locator::Id("estimate-download"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let pdf = downloaded(&downloads, "pdf").await;
    assert!(
        std::fs::read(&pdf).unwrap().starts_with(b"%PDF"),
        "the estimate is a PDF"
    );

    // Apply for the 介護保険証明書: notes, issuance password, start, terms, submit.
    click_tab(&c, "証明書").await;
    click_button(&c, "発行申請を行う前に").await;
    click_button(&c, "戻る").await;
    c.find(Locator::Id("choice-apply"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_button(&c, "次へ").await;
    fill(&c, "issuance_password", &issuance_pw).await;
    click_button(&c, "次へ").await;
    shots.take(&c, "certificate-start").await;
    c.find(Locator::Id("start-now"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_button(&c, "次へ").await;
    click_button(&c, "利用規約に同意して送信").await;
    wait_for_notice(&c, "証明書発行完了通知").await;

    // The fee balance now blocks a new application, with the manual's message.
    click_tab(&c, "証明書").await;
    let body = text(&c).await;
    assert!(
        body.contains("現在、証明書発行手数料の残高があるため、発行申請ができません。"),
        "{body}"
    );
    assert!(body.contains("7,800 円"), "{body}");
    shots.take(&c, "certificate-issued").await;

    // 3-2 steps 2–3: download.
    c.find(Locator::Id("choice-download"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_button(&c, "次へ").await;
    shots.take(&c, "certificate-download").await;
    c.find(Locator::Id("download-file"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let p12 = downloaded(&downloads, "p12").await;
    assert!(
        p12.file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("KaigoHoken_1310000001_")
    );

    // Manual 4: 「証明書発行用パスワードとは？」 → 【通知書を紛失してしまった】 → 【再発行する】
    // → 【お知らせ画面を開く】 → the notice with the ZIP.
    click_button(&c, "証明書発行用パスワードとは？").await;
    assert!(text(&c).await.contains("【証明書発行用パスワードとは】"));
    shots.take(&c, "issuance-password-about").await;
    click_button(&c, "通知書を紛失してしまった").await;
    shots.take(&c, "issuance-password-reissue").await;
    click_button(&c, "再発行する").await;
    shots.take(&c, "issuance-password-reissued").await;
    click_button(&c, "お知らせ画面を開く").await;
    let body = text(&c).await;
    assert!(
        body.contains("証明書発行用パスワード再発行通知")
            && body.contains("証明書発行用パスワード通知書.zip"),
        "{body}"
    );
    shots.take(&c, "issuance-password-notice").await;
    c.find(Locator::XPath(
        "//a[normalize-space()='証明書発行用パスワード通知書.zip']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let zip = downloaded(&downloads, "zip").await;
    assert!(
        std::fs::read(&zip).unwrap().starts_with(b"PK"),
        "a ZIP file"
    );
    c.close().await.unwrap();
}

/// The admin console in Chromium with JavaScript off: login with the TOTP code, registration of
/// one office with its letter, a CSV upload with a bad row, and each area's first page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_console_in_chromium_without_javascript() {
    let b = bed().await;
    let shots = Shots::new();
    let c = &b.c;
    let data = b._tmp.path().join("data");
    let o = common::kaigo(
        &data,
        &[
            "admin", "add", "--login", "central1", "--role", "central", "--json",
        ],
    );
    assert!(o.status.success(), "{}", common::stderr(&o));
    let j: serde_json::Value = serde_json::from_str(common::stdout(&o).trim()).unwrap();
    let secret =
        kaigo_core::admin::totp::base32_decode(j["totp_secret"].as_str().unwrap()).unwrap();

    c.goto(&format!("{}/admin/login", b.server.base))
        .await
        .unwrap();
    fill(c, "login", "central1").await;
    fill(c, "password", j["password"].as_str().unwrap()).await;
    click_button(c, "ログイン").await;
    let page = text(c).await;
    assert!(page.contains("認証コード"));
    // First login: the page says where the key is, and never shows it.
    assert!(page.contains("初回のログインです"), "{page}");
    assert!(!page.contains(j["totp_secret"].as_str().unwrap()), "{page}");
    shots.take(c, "admin-code-first-time").await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    fill(c, "code", &kaigo_core::admin::totp::code_at(&secret, now)).await;
    click_button(c, "認証").await;
    let page = text(c).await;
    assert!(
        page.contains("管理メニュー") && page.contains("全都道府県"),
        "{page}"
    );
    shots.take(c, "admin-console").await;

    // A new account: its password and key, as text and as a QR code, shown once to its creator.
    c.goto(&format!("{}/admin/accounts", b.server.base))
        .await
        .unwrap();
    fill(c, "login", "fed13").await;
    c.find(Locator::Css("select#role option[value='federation']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(c, "prefecture", "13").await;
    click_button(c, "追加").await;
    let page = text(c).await;
    assert!(page.contains("管理者アカウントを追加しました"), "{page}");
    assert!(
        c.find(Locator::Css("figure.qr svg")).await.is_ok(),
        "the QR code of the key is drawn"
    );
    shots.take(c, "admin-account-created").await;

    // One office through the form: the letters page follows.
    c.goto(&format!("{}/admin/offices/new", b.server.base))
        .await
        .unwrap();
    fill(c, "number", "1310000002").await;
    fill(c, "name", "ケアセンターさくら").await;
    fill(c, "prefecture", "13").await;
    fill(c, "postal_code", "100-0001").await;
    fill(c, "address", "東京都千代田区千代田1-1").await;
    fill(c, "email", "sakura@example.jp").await;
    click_button(c, "登録する").await;
    let page = text(c).await;
    assert!(page.contains("ケアセンターさくら"), "{page}");
    assert!(page.contains("電子請求登録結果に関するお知らせ"), "{page}");
    shots.take(c, "admin-office-registered").await;

    // A CSV with one bad row: the line number and the reason, nothing imported.
    let csv = b._tmp.path().join("offices.csv");
    std::fs::write(
        &csv,
        "事業所番号,事業所名,種別,都道府県,郵便番号,住所,メールアドレス\n\
         1310000003,事業所C,介護,13,100-0001,東京都千代田区1,c@example.jp\n\
         13100X0004,事業所D,介護,13,100-0001,東京都千代田区2,d@example.jp\n",
    )
    .unwrap();
    c.goto(&format!("{}/admin/offices/import", b.server.base))
        .await
        .unwrap();
    c.find(Locator::Id("file"))
        .await
        .unwrap()
        .send_keys(csv.to_str().unwrap())
        .await
        .unwrap();
    click_button(c, "確認する").await;
    let page = text(c).await;
    assert!(page.contains("3行目"), "the bad row by its line: {page}");
    shots.take(c, "admin-import-errors").await;

    for (path, heading, name) in [
        ("/admin/fees", "手数料", "admin-fees"),
        ("/admin/notices/new", "お知らせ", "admin-notice-new"),
        ("/admin/certificates", "証明書", "admin-certificates"),
        ("/admin/inquiries", "お問い合わせ", "admin-inquiries"),
        ("/admin/audit", "監査ログ", "admin-audit"),
    ] {
        c.goto(&format!("{}{path}", b.server.base)).await.unwrap();
        let h1 = c
            .find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(h1.contains(heading), "{path}: {h1}");
        shots.take(c, name).await;
    }
}

/// The FAQ search with a question as typed, then the manual's last page in Chromium without
/// JavaScript: 「以下から方法をご選択いただけます。」,
/// 【AIチャットに質問】, a question and its answer with the office's state and sources, a
/// 「次のどれですか」 choice, and the hand-over to the form with the question filled in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inquiry_choice_and_ai_chat_in_chromium_without_javascript() {
    let Bed {
        _tmp,
        server,
        _driver,
        c,
        user_id,
        temp_pw,
        ..
    } = bed().await;
    let shots = Shots::new();
    first_login(&c, &server.base, &user_id, &temp_pw).await;

    // The FAQ tab's search takes a question as it is typed.
    click_tab(&c, "FAQ").await;
    fill(&c, "q", "パソコンを買い替えたら証明書はどうなりますか").await;
    click_button(&c, "検索").await;
    let first = c
        .find(Locator::Css("article.faq h3"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(first.contains("パソコンを買い替えました。"), "{first}");
    shots.take(&c, "faq-question-search").await;

    // The footer's お問い合わせ leads to the manual's screen.
    click_and_wait(&c, "//footer//a[normalize-space()='お問い合わせ']").await;
    let body = text(&c).await;
    assert!(
        body.contains("以下から方法をご選択いただけます。"),
        "{body}"
    );
    for label in [
        "AIチャットに質問",
        "フォームでのお問い合わせ",
        "お電話でのお問い合わせ",
    ] {
        assert!(body.contains(label), "{label}: {body}");
    }
    shots.take(&c, "inquiry-choice").await;

    click_button(&c, "AIチャットに質問").await;
    assert!(text(&c).await.contains("自動応答です。"));
    fill(
        &c,
        "q",
        "証明書の有効期限が近いのですが、更新はどうすればいいですか",
    )
    .await;
    click_button(&c, "質問する").await;
    let body = text(&c).await;
    assert!(
        body.contains("証明書の有効期限が近づいたらどうすればよいですか。"),
        "{body}"
    );
    assert!(body.contains("この事業所の状況"), "{body}");
    assert!(
        body.contains("出典: FAQ「証明書の有効期限が近づいたらどうすればよいですか。」"),
        "{body}"
    );
    shots.take(&c, "inquiry-chat-answer").await;

    fill(&c, "q", "パスワード忘れた").await;
    click_button(&c, "質問する").await;
    let body = text(&c).await;
    assert!(body.contains("次のどれですか"), "{body}");
    click_button(&c, "証明書発行用パスワードの通知書を紛失しました。").await;
    let body = text(&c).await;
    assert!(
        body.contains("証明書発行用パスワードを再発行していません"),
        "{body}"
    );
    shots.take(&c, "inquiry-chat-choice").await;

    fill(&c, "q", "介護ロボットの補助金について知りたい").await;
    click_button(&c, "質問する").await;
    click_and_wait(
        &c,
        "(//li[@id='latest']//a[normalize-space()='フォームでお問い合わせ'])[1]",
    )
    .await;
    let url = c.current_url().await.unwrap();
    assert_eq!(url.path(), "/inquiry/form");
    let body_field = c.find(Locator::Id("body")).await.unwrap();
    assert_eq!(
        body_field.prop("value").await.unwrap().as_deref(),
        Some("介護ロボットの補助金について知りたい")
    );
    shots.take(&c, "inquiry-form-prefilled").await;
}
