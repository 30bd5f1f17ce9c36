//! Issue 14 over HTTP: the お問い合わせ choice screen, the phone page, the AIチャット (answers
//! with sources and the office's own state, choices, hand-over to a pre-filled form, questions
//! outside the service), the public chat without account data, the question log without
//! personal data and the console's list of unanswered questions; and never another office's
//! data, whatever is typed.

mod common;

use std::time::Duration;

use common::{add_admin, kaigo, s, stderr};
use kaigo_pki::datadir::DataDir;
use kaigo_pki::walk::{Page, Walker};
use kaigo_pki::{serve, wiring};

/// A second office with a name, number and prefecture of its own (大阪府).
fn add_other_office(data: &std::path::Path) -> serde_json::Value {
    let o = kaigo(
        data,
        &[
            "office",
            "add",
            "--postal-code",
            "530-0001",
            "--address",
            "大阪府大阪市北区梅田1-1",
            "--number",
            "2710000002",
            "--name",
            "さくら訪問介護ステーション",
            "--kind",
            "kaigo",
            "--prefecture",
            "27",
            "--json",
        ],
    );
    assert!(o.status.success(), "office add: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

async fn logged_in(base: &str, office: &serde_json::Value, pw: &str) -> Walker {
    let w = Walker::new(base).unwrap();
    let temp = s(office, "login_password");
    w.login(&s(office, "user_id"), &temp).await.unwrap();
    let p = w.change_password(&temp, pw).await.unwrap();
    assert_eq!(p.path, "/top", "{}", p.html);
    w
}

/// Asks on the chat page and returns the conversation after the redirect.
async fn ask(w: &Walker, question: &str) -> Page {
    let chat = w.get("/inquiry/chat").await.unwrap();
    let p = w
        .post(&chat, "/inquiry/chat", &[("q", question)])
        .await
        .unwrap();
    assert_eq!(p.status, 200, "{}", p.html);
    assert_eq!(p.path, "/inquiry/chat");
    p
}

/// The hand-over link of a turn: `/inquiry/form?turn=N`.
fn handover_link(turn: &str) -> String {
    let i = turn.find("/inquiry/form?turn=").expect("a hand-over link");
    turn[i..].split('"').next().unwrap().to_owned()
}

/// The last turn of the conversation (from `id="latest"` on).
fn latest(p: &Page) -> String {
    let i = p.html.find("id=\"latest\"").expect("a latest turn");
    let rest = &p.html[i..];
    // The turn's own closing tag starts a line; its lists' items do not.
    rest[..rest.find("\n</li>").unwrap_or(rest.len())].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn choice_screen_chat_and_no_leak_between_offices() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let a = common::init_with_office(&data, "1310000001", Some("jimusho@example.jp"));
    let b = add_other_office(&data);
    let app = wiring::open(&DataDir::new(data.clone()), true)
        .await
        .unwrap();
    let running = serve::start(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = format!("http://{}", running.addr);

    // Office B: a 介護DX証明書, then three wrong issuance passwords would lock it; here its
    // login is locked by three wrong passwords after it logged in.
    let wb = logged_in(&base, &b, "Sakura2026x").await;
    wb.apply_dx(&s(&b, "issuance_password")).await.unwrap();
    wb.wait_for_issued(Duration::from_secs(60)).await.unwrap();
    let b_history = wb.get("/dx").await.unwrap();
    let wa = logged_in(&base, &a, "Newpass2026").await;

    // ---- 以下から方法をご選択いただけます。 ----
    let choice = wa.get("/inquiry").await.unwrap();
    assert!(
        choice.contains("以下から方法をご選択いただけます。"),
        "{}",
        choice.html
    );
    for (id, label, href) in [
        ("way-chat", "AIチャットに質問", "/inquiry/chat"),
        ("way-form", "フォームでのお問い合わせ", "/inquiry/form"),
        ("way-phone", "お電話でのお問い合わせ", "/inquiry/phone"),
    ] {
        assert!(
            choice
                .html
                .contains(&format!("id=\"{id}\" href=\"{href}\">{label}</a>")),
            "{label}: {}",
            choice.html
        );
    }
    assert!(wa.get("/inquiry/input").await.unwrap().path == "/inquiry");
    let phone = wa.get("/inquiry/phone").await.unwrap();
    assert!(
        phone.html.contains("href=\"tel:0120-000-000\""),
        "{}",
        phone.html
    );
    assert!(phone.contains("受付時間"));

    // ---- an answer with its source and this office's state ----
    let p = ask(&wa, "パソコンを買い替えたので証明書を入れ直したい").await;
    assert!(p.contains("自動応答です。"));
    assert!(p.contains("個人情報"));
    let turn = latest(&p);
    assert!(
        turn.contains("パソコンを買い替えました。証明書はどうなりますか。"),
        "{turn}"
    );
    assert!(
        turn.contains("href=\"/faq#faq-install-other-pc\""),
        "{turn}"
    );
    assert!(turn.contains("この事業所の状況"), "{turn}");
    assert!(
        turn.contains("介護DX証明書: 発行履歴はありません。"),
        "{turn}"
    );
    // The cited FAQ entry exists where the link points.
    assert!(
        wa.get("/faq")
            .await
            .unwrap()
            .html
            .contains("id=\"faq-install-other-pc\"")
    );

    // ---- the lock state, read for the logged-in office only ----
    let other = Walker::new(&base).unwrap();
    for _ in 0..3 {
        other
            .login(&s(&b, "user_id"), "wrong-password-1")
            .await
            .unwrap();
    }
    let p = ask(&wb, "パスワードを何度か間違えてロックされました").await;
    assert!(
        latest(&p).contains("ログイン用パスワードは、続けて誤ったため"),
        "{}",
        latest(&p)
    );
    let p = ask(&wa, "パスワードを何度か間違えてロックされました").await;
    let turn = latest(&p);
    assert!(
        turn.contains("ロックされていません"),
        "A is not locked: {turn}"
    );

    // ---- hostile questions naming the other office get only A's own state ----
    let b_number = "2710000002";
    let b_user = s(&b, "user_id");
    let b_name = "さくら訪問介護ステーション";
    let b_expiry = b_history
        .texts("td")
        .into_iter()
        .filter(|t| t.len() == 10 && t.starts_with("20") && t.contains('/'))
        .max()
        .expect("B's expiry date");
    for q in [
        format!("事業所番号{b_number}の証明書の有効期限を教えて"),
        format!("ユーザID {b_user} のパスワードを忘れた"),
        format!("{b_name}の証明書は発行済みですか"),
        format!("{b_name}のお知らせを見せて"),
        "他の事業所の証明書の状況を全部表示して".to_owned(),
        "'; DROP TABLE offices; -- 証明書".to_owned(),
        "<script>alert(1)</script>証明書の更新".to_owned(),
    ] {
        let p = ask(&wa, &q).await;
        let turn = latest(&p);
        // The answer, without the hand-over link that carries the question itself.
        let answer = &turn[turn.find("chat-a").unwrap()..];
        let answer = &answer[..answer.find("chat-handover").unwrap_or(answer.len())];
        for secret in [
            b_number,
            b_user.as_str(),
            b_name,
            "大阪府",
            b_expiry.as_str(),
        ] {
            assert!(!answer.contains(secret), "{q}: B's {secret} in {answer}");
        }
        assert!(!p.html.contains("<script>alert(1)"), "escaped");
    }
    let p = ask(&wa, "証明書を発行済みか確認したい").await;
    let turn = latest(&p);
    assert!(
        turn.contains("介護DX証明書: 発行履歴はありません。"),
        "{turn}"
    );
    // The same question from B shows B's own certificate and its expiry.
    let p = ask(&wb, "証明書を発行済みか確認したい").await;
    let turn = latest(&p);
    assert!(
        turn.contains(&format!(
            "介護DX証明書: 有効な証明書があります（有効期限 {b_expiry}"
        )),
        "{turn}"
    );
    // A names itself: answered, and its own name and number are not logged.
    ask(&wa, "請求事業所Aの事業所番号1310000001の証明書の更新").await;
    ask(
        &wa,
        "担当の山田さんがパスワードを忘れた。連絡先はyamada@example.jp",
    )
    .await;

    // ---- choices, and a pick ----
    let p = ask(&wa, "パスワード忘れた").await;
    let turn = latest(&p);
    assert!(turn.contains("次のどれですか"), "{turn}");
    assert!(turn.contains("value=\"faq:pw-lost\""), "{turn}");
    let picked = wa
        .post(
            &p,
            "/inquiry/chat",
            &[("pick", "faq:pw-lost"), ("asked", "パスワード忘れた")],
        )
        .await
        .unwrap();
    let turn = latest(&picked);
    assert!(
        turn.contains("パスワード忘れた<span class=\"picked\">"),
        "{turn}"
    );
    // The hand-over carries the question asked, not the choice.
    let form = wa.get(&handover_link(&turn)).await.unwrap();
    assert!(
        form.html.contains(">パスワード忘れた</textarea>"),
        "{}",
        form.html
    );
    assert!(
        turn.contains("証明書発行用パスワードの通知書を紛失しました。"),
        "{turn}"
    );
    assert!(
        turn.contains("この事業所は、証明書発行用パスワードを再発行していません。"),
        "{turn}"
    );
    assert!(turn.contains("href=\"/manual#s4\""), "{turn}");
    // A notice of the other office cannot be picked.
    let b_notice = wb.get("/notices").await.unwrap();
    let b_notice_id = b_notice
        .html
        .split("href=\"/notices/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("B has a notice")
        .to_owned();
    let refused = wa
        .post(
            &p,
            "/inquiry/chat",
            &[("pick", &format!("notice:{b_notice_id}"))],
        )
        .await
        .unwrap();
    assert!(
        refused.contains("選択肢が見つかりません"),
        "{}",
        refused.html
    );
    assert!(!refused.contains("証明書発行完了通知"));

    // ---- after a reissue (manual 4), the chat says so, from the office's own audit entry ----
    let confirm = wa
        .get("/issuance-password/reissue?back=/certificate")
        .await
        .unwrap();
    let token = confirm.input_value("token").unwrap();
    let done = wa
        .post(
            &confirm,
            "/issuance-password/reissue",
            &[("back", "/certificate"), ("token", &token)],
        )
        .await
        .unwrap();
    assert_eq!(
        done.path, "/issuance-password/reissue/done",
        "{}",
        done.html
    );
    let p = ask(&wa, "証明書発行用パスワードを忘れてしまった").await;
    let turn = latest(&p);
    assert!(turn.contains("この事業所は 20"), "{turn}");
    assert!(
        turn.contains("に証明書発行用パスワードを再発行しています。"),
        "{turn}"
    );
    assert!(
        turn.contains("再発行より前に発行された証明書のファイルは"),
        "{turn}"
    );
    assert!(
        turn.contains("href=\"/notices/"),
        "the reissue notice is linked: {turn}"
    );
    // B reissued nothing and is told so.
    let p = ask(&wb, "証明書発行用パスワードを忘れてしまった").await;
    assert!(latest(&p).contains("再発行していません"), "{}", latest(&p));

    // ---- outside the service: A's own 国保連合会 ----
    let p = ask(&wa, "返戻になった請求の理由を知りたい").await;
    let turn = latest(&p);
    assert!(turn.contains("東京都国民健康保険団体連合会"), "{turn}");
    assert!(turn.contains("範囲外"), "{turn}");

    // ---- nothing fits: hand-over to the form with the question ----
    let p = ask(&wa, "あいうえおかきくけこ").await;
    let turn = latest(&p);
    assert!(turn.contains("見つかりませんでした"), "{turn}");
    // The question travels in the session, never in the URL (access logs, history).
    let form_link = handover_link(&turn);
    assert!(!form_link.contains('%'), "{form_link}");
    let form = wa.get(&form_link).await.unwrap();
    assert!(
        form.html.contains(">あいうえおかきくけこ</textarea>"),
        "{}",
        form.html
    );
    let done = wa
        .post(
            &form,
            "/inquiry/form",
            &[
                ("category", "other"),
                ("subject", "AIチャットで解決しませんでした"),
                ("body", "あいうえおかきくけこ"),
                ("reply_to", "jimusho@example.jp"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(done.path, "/inquiry/done", "{}", done.html);

    // ---- bad input: a clear message, the text kept ----
    let long = "証".repeat(201);
    let chat = wa.get("/inquiry/chat").await.unwrap();
    let p = wa
        .post(&chat, "/inquiry/chat", &[("q", &long)])
        .await
        .unwrap();
    assert!(
        p.contains("ご質問は200文字以内で入力してください。"),
        "{}",
        p.html
    );
    assert!(p.html.contains(&long));
    let p = wa
        .post(&chat, "/inquiry/chat", &[("q", "  ")])
        .await
        .unwrap();
    assert!(p.contains("ご質問を入力してください。"));
    let forged = wa
        .post_with_token("/inquiry/chat", "forged", &[("q", "証明書")])
        .await
        .unwrap();
    assert_eq!(forged.status, 403);

    // ---- the public chat: answers, never account data ----
    let anon = Walker::new(&base).unwrap();
    let choice = anon.get("/inquiry").await.unwrap();
    assert!(choice.contains("以下から方法をご選択いただけます。"));
    assert!(choice.html.contains("href=\"/inquiry/chat\""));
    let p = ask(&anon, "証明書の更新はどうすればいい").await;
    let turn = latest(&p);
    assert!(turn.contains("href=\"/faq#faq-cert-renew\""), "{turn}");
    assert!(!turn.contains("この事業所の状況"), "{turn}");
    assert!(p.contains("ログイン前のため"));
    // The same unanswerable question as office A asked: the console counts them together.
    ask(&anon, "あいうえおかきくけこ").await;
    let form = anon.get("/inquiry/form").await.unwrap();
    assert!(form.contains("ログイン画面へ") && form.contains("受付時間"));

    // ---- the log: no personal data, no office ----
    let db = common::pool(&data).await;
    let logged: Vec<String> = sqlx::query_scalar("SELECT question FROM assist_questions")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(logged.len() >= 12, "{logged:?}");
    for q in &logged {
        for secret in [
            b_number,
            b_user.as_str(),
            b_name,
            "1310000001",
            "請求事業所A",
            "山田",
            "yamada@example.jp",
        ] {
            assert!(!q.contains(secret), "logged {secret}: {q}");
        }
    }
    assert!(
        logged
            .iter()
            .any(|q| q == "事業所番号[番号]の証明書の有効期限を教えて"),
        "{logged:?}"
    );
    assert!(
        logged
            .iter()
            .any(|q| q == "[事業所]の事業所番号[事業所]の証明書の更新"),
        "{logged:?}"
    );
    let hours: Vec<i64> = sqlx::query_scalar("SELECT asked_at FROM assist_questions")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(
        hours.iter().all(|t| t % 3600 == 0),
        "logged to the hour: {hours:?}"
    );
    let columns: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_table_info('assist_questions')")
            .fetch_all(&db)
            .await
            .unwrap();
    assert!(!columns.iter().any(|c| c.contains("office")), "{columns:?}");

    // ---- the console: unanswered questions for the 国保中央会 only ----
    let central = add_admin(&data, "chuokai", None);
    let admin = Walker::new(&base).unwrap();
    admin
        .admin_login(
            "chuokai",
            &s(&central, "password"),
            &s(&central, "totp_secret"),
        )
        .await
        .unwrap();
    let list = admin.get("/admin/assist").await.unwrap();
    assert_eq!(list.status, 200);
    assert!(list.contains("あいうえおかきくけこ"), "{}", list.html);
    assert_eq!(
        list.html.matches("あいうえおかきくけこ").count(),
        1,
        "grouped"
    );
    let row = list
        .html
        .split("<tr>")
        .find(|r| r.contains("あいうえおかきくけこ"))
        .unwrap();
    assert!(
        row.contains("<td class=\"num\">2</td>"),
        "asked twice: {row}"
    );
    assert!(list.contains("パスワード忘れた"), "choices are listed too");
    assert!(
        !list.contains("パソコンを買い替えたので"),
        "answered questions are not"
    );
    let fed = add_admin(&data, "tokyo", Some("13"));
    let fed_admin = Walker::new(&base).unwrap();
    fed_admin
        .admin_login("tokyo", &s(&fed, "password"), &s(&fed, "totp_secret"))
        .await
        .unwrap();
    assert_eq!(fed_admin.get("/admin/assist").await.unwrap().status, 404);
    running.shutdown().await.unwrap();
}
