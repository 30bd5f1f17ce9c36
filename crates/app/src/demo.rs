//! `kaigo-pki demo`: a ready portal on the embedded default, with a demo office.

use kaigo_core::actor::Actor;
use kaigo_core::ids::OfficeNumber;
use kaigo_core::notice::{NewNotice, NoticeCategory, NoticeTarget};
use kaigo_core::office::form::OfficeForm;
use secrecy::ExposeSecret;

use std::net::SocketAddr;

use crate::config::AppConfig;
use crate::datadir::DataDir;
use crate::wiring::{self, App};

pub const DEMO_NUMBER: &str = "1310000001";

/// Initialises the data dir if needed and registers the demo office if it is missing.
/// Returns the loaded app and the text to print.
/// `listen` is where the portal will listen: the URLs written into certificates follow it
/// unless `ca.public_url` is set.
pub async fn prepare(dir: &DataDir, listen: SocketAddr) -> anyhow::Result<(App, String)> {
    let mut out = String::new();
    let mut config = if dir.is_initialised() {
        AppConfig::load(dir)?
    } else {
        AppConfig::defaults_with_env()?
    };
    crate::public_url::resolve(&mut config, listen)?;
    if !dir.is_initialised() {
        let report = crate::init::init_with(dir, &config).await?;
        out.push_str(&crate::print_init(dir, &report));
    }
    let app = wiring::open_with(dir, true, config).await?;
    let number = OfficeNumber::parse(DEMO_NUMBER).map_err(|e| anyhow::anyhow!("{e}"))?;
    match app.store_office(&number).await? {
        Some(user_id) => out.push_str(&format!(
            "Demo office {DEMO_NUMBER} is already registered (ユーザID {user_id}). Its passwords were printed when it was created;\n\
             they are stored only as hashes. For new ones, start with an empty data dir (e.g. --data-dir ./demo-data).\n"
        )),
        None => {
            let form = OfficeForm {
                number: DEMO_NUMBER.into(),
                name: "請求事業所A".into(),
                kind: "kaigo".into(),
                email: "office-a@example.jp".into(),
                prefecture: "13".into(),
                postal_code: "100-0001".into(),
                address: "東京都千代田区千代田1-1".into(),
            };
            let r = crate::office::register(&app, &Actor::System, &form).await?;
            seed_notices(&app).await?;
            out.push_str(&format!(
                "Demo office registered: 請求事業所A ({DEMO_NUMBER})\n  ユーザID:               {}\n  仮パスワード:           {}\n  証明書発行用パスワード: {}\n\
                 (shown once; at the first login the portal asks for a new password)\n",
                r.office.user_id,
                r.login_password.expose_secret(),
                r.issuance_password.expose_secret()
            ));
            out.push_str(&demo_admins(&app).await?);
        }
    }
    Ok((app, out))
}

impl App {
    async fn store_office(&self, number: &OfficeNumber) -> anyhow::Result<Option<String>> {
        use kaigo_core::office::repo::OfficeRepo;
        Ok(self
            .store
            .office_by_number(number)
            .await?
            .map(|o| o.user_id.to_string()))
    }
}

/// A central operator and the 東京都 federation admin for the console at /admin/login.
async fn demo_admins(app: &App) -> anyhow::Result<String> {
    use kaigo_core::admin::{AdminLogin, AdminRole};
    use kaigo_core::ids::PrefectureCode;
    let svc = &app.services.admin;
    let tokyo = PrefectureCode::parse("13").map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut out = String::from(
        "Demo administrators (console at /admin/login; add the TOTP key to an authenticator app; the login page never shows it):\n",
    );
    for (login, role) in [
        ("demo-central", AdminRole::Central),
        ("demo-fed13", AdminRole::Federation(tokyo)),
    ] {
        let login = AdminLogin::parse(login).map_err(|e| anyhow::anyhow!("{e}"))?;
        let c = svc
            .add(login.clone(), role, &kaigo_core::actor::Actor::System)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        out.push_str(&format!(
            "  {login} ({}): password {}  TOTP key {}\n",
            role.label(),
            c.password.expose_secret(),
            c.totp_secret.expose_secret()
        ));
    }
    Ok(out)
}

/// A few notices like those of the manual's screenshots, so the top page looks as it will.
async fn seed_notices(app: &App) -> anyhow::Result<()> {
    use kaigo_core::notice::repo::NoticeRepo;
    let now = app.services.deps.clock.unix();
    let day = 86_400;
    let items = [
        (
            NoticeCategory::Reference,
            "電子請求受付システムマニュアルリリースのお知らせ",
            "セットアップ手順書（電子証明書編）を公開しました。\nメインメニューの「マニュアル」タブからご覧いただけます。",
            30,
        ),
        (
            NoticeCategory::System,
            "電子証明書発行申請時の注意点",
            "電子証明書の発行申請には、国保連合会から通知された「電子請求登録結果に関するお知らせ」に記載の証明書発行用パスワードが必要です。\n\n介護給付費等の請求をインターネットで行う事業所は介護保険証明書を、請求を代理人に委任している事業所や紙・媒体で請求する事業所は介護DX証明書をご利用ください。",
            20,
        ),
        (
            NoticeCategory::Schedule,
            "請求受付期間について",
            "請求の受付期間は毎月1日から10日（24時まで）です。\n期間の初日と最終日は混み合いますので、余裕をもってご提出ください。",
            5,
        ),
    ];
    for (category, title, body, days_ago) in items {
        app.store
            .insert_notice(&NewNotice {
                category,
                title: title.into(),
                body: body.into(),
                target: NoticeTarget::All,
                start_at: now - days_ago * day,
                end_at: None,
                created_at: now - days_ago * day,
            })
            .await?;
    }
    Ok(())
}
