//! Issue 4 §4 end to end: notices written in the admin console reach exactly their targets,
//! respect the display period, disappear when withdrawn, are shown escaped, refuse bad
//! attachments with a Japanese message, and a federation admin can reach nothing outside its
//! prefecture by any route.

mod common;

use std::path::Path;

use common::{Server, kaigo, stderr, stdout};
use kaigo_pki::walk::{Page, Walker};

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

fn office(data: &Path, number: &str, name: &str, prefecture: &str) -> serde_json::Value {
    let o = kaigo(
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
            name,
            "--kind",
            "kaigo",
            "--prefecture",
            prefecture,
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

async fn login_admin(base: &str, j: &serde_json::Value) -> (Walker, Page) {
    let w = Walker::new(base).unwrap();
    let s = |k: &str| j[k].as_str().unwrap().to_owned();
    let page = w
        .admin_login(&s("login"), &s("password"), &s("totp_secret"))
        .await
        .unwrap();
    (w, page)
}

async fn login_office(base: &str, j: &serde_json::Value) -> Walker {
    let w = Walker::new(base).unwrap();
    let temp = j["login_password"].as_str().unwrap();
    w.login(j["user_id"].as_str().unwrap(), temp).await.unwrap();
    w.change_password(temp, "Kaigo2026pw").await.unwrap();
    w
}

/// Posts the notice form (multipart) and returns the resulting page.
async fn submit(
    w: &Walker,
    from: &Page,
    action: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &str, Vec<u8>)],
) -> Page {
    w.post_multipart(from, action, fields, files).await.unwrap()
}

fn fields<'a>(title: &'a str, target: &'a str, value: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("category", "system"),
        ("title", title),
        (
            "body",
            "本文です。\n\n詳しくは https://example.jp/info をご覧ください。",
        ),
        ("target", target),
        ("start", "2020-01-01"),
        ("end", ""),
    ];
    match target {
        "prefecture" => f.push(("prefecture", value)),
        "office" => f.push(("office_number", value)),
        _ => {}
    }
    f
}

/// The notice id after a successful create (redirect to `/admin/notices/{id}`).
fn created_id(page: &Page) -> String {
    assert!(
        page.contains("お知らせを登録しました"),
        "{} {}",
        page.path,
        page.html
    );
    page.path.trim_start_matches("/admin/notices/").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_reach_their_targets_and_scope_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let a = common::init_with_office(&data, "1310000001", None);
    let b = office(&data, "1310000002", "東京第二事業所", "13");
    let c = office(&data, "2710000003", "大阪事業所", "27");
    let central = admin(&data, "central1", None);
    let fed13 = admin(&data, "fed13", Some("13"));
    let server = Server::start(&data);
    let base = server.base.clone();
    let wa = login_office(&base, &a).await;
    let wb = login_office(&base, &b).await;
    let wc = login_office(&base, &c).await;
    let (fw, _) = login_admin(&base, &fed13).await;
    let (cw, _) = login_admin(&base, &central).await;

    // A prefecture notice with markup in title and body, and a PDF attachment.
    let form = fw.get("/admin/notices/new").await.unwrap();
    assert_eq!(form.status, 200);
    let xss = "<script>alert(1)</script>東京都のお知らせ";
    let mut f = fields(xss, "prefecture", "13");
    f[2].1 = "<b>太字</b>\n\n詳しくは https://example.jp/info?a=1&b=2 をご覧ください。";
    let pdf = b"%PDF-1.4\n%fake but starts right\n".to_vec();
    let done = submit(
        &fw,
        &form,
        "/admin/notices/new",
        &f,
        &[("files", "../../資料.pdf", "application/pdf", pdf.clone())],
    )
    .await;
    let n13 = created_id(&done);
    assert!(
        done.contains("資料.pdf") && !done.contains("../"),
        "sanitized name: {}",
        done.html
    );

    // Office A (13) sees it escaped; office C (27) does not.
    let top = wa.get("/notices").await.unwrap();
    assert!(
        top.contains("&#60;script&#62;alert(1)&#60;/script&#62;東京都のお知らせ"),
        "{}",
        top.html
    );
    assert!(!top.contains("<script>alert(1)"));
    let detail = wa.get(&format!("/notices/{n13}")).await.unwrap();
    assert_eq!(detail.status, 200);
    assert!(
        detail.contains("&#60;b&#62;太字&#60;/b&#62;"),
        "{}",
        detail.html
    );
    assert!(!detail.contains("<b>太字"));
    assert!(
        detail.contains("<a href=\"https://example.jp/info?a=1&#38;b=2\""),
        "autolink: {}",
        detail.html
    );
    assert!(detail.contains("資料.pdf"));
    assert!(
        !wc.get("/notices")
            .await
            .unwrap()
            .contains("東京都のお知らせ")
    );
    assert_eq!(
        wc.get(&format!("/notices/{n13}")).await.unwrap().status,
        404
    );

    // An office notice: only office B.
    let form = fw.get("/admin/notices/new").await.unwrap();
    let done = submit(
        &fw,
        &form,
        "/admin/notices/new",
        &fields("第二事業所あて", "office", "1310000002"),
        &[],
    )
    .await;
    let nb = created_id(&done);
    assert!(wb.get("/notices").await.unwrap().contains("第二事業所あて"));
    assert!(!wa.get("/notices").await.unwrap().contains("第二事業所あて"));
    assert_eq!(wa.get(&format!("/notices/{nb}")).await.unwrap().status, 404);

    // Display period: not yet, and already over.
    let form = fw.get("/admin/notices/new").await.unwrap();
    let mut f = fields("来年のお知らせ", "prefecture", "13");
    f[4].1 = "2099-01-01";
    created_id(&submit(&fw, &form, "/admin/notices/new", &f, &[]).await);
    let mut f = fields("終わったお知らせ", "prefecture", "13");
    f[5].1 = "2020-01-31";
    created_id(&submit(&fw, &form, "/admin/notices/new", &f, &[]).await);
    let list = wa.get("/notices").await.unwrap();
    assert!(!list.contains("来年のお知らせ") && !list.contains("終わったお知らせ"));
    assert!(
        fw.get("/admin/notices")
            .await
            .unwrap()
            .contains("来年のお知らせ")
    );

    // Targets outside the scope are refused with a message, the input kept, nothing stored.
    let before = cw
        .get("/admin/notices")
        .await
        .unwrap()
        .texts("#notices tbody tr")
        .len();
    for (target, value, message) in [
        ("prefecture", "27", "ご担当の都道府県以外"),
        ("office", "2710000003", "該当する事業所がありません"),
        ("all", "", "国保中央会のみ"),
    ] {
        let p = submit(
            &fw,
            &form,
            "/admin/notices/new",
            &fields("越境するお知らせ", target, value),
            &[],
        )
        .await;
        assert_eq!(p.status, 422, "{target}");
        assert!(p.contains(message), "{target}: {}", p.html);
        assert_eq!(p.input_value("title").as_deref(), Some("越境するお知らせ"));
    }
    assert_eq!(
        cw.get("/admin/notices")
            .await
            .unwrap()
            .texts("#notices tbody tr")
            .len(),
        before
    );

    // Attachments: a type not allowed, content not matching, too large.
    let exe = b"MZ\x90\x00\x03".to_vec();
    let big = vec![b'a'; 10 * 1024 * 1024 + 1];
    for (name, bytes, message) in [
        ("tool.exe", exe.clone(), "添付できない形式"),
        ("fake.pdf", exe.clone(), "添付できない形式"),
        ("big.txt", big, "大きすぎます"),
    ] {
        let p = submit(
            &fw,
            &form,
            "/admin/notices/new",
            &fields("添付テスト", "prefecture", "13"),
            &[("files", name, "application/octet-stream", bytes)],
        )
        .await;
        assert_eq!(p.status, 422, "{name}");
        assert!(p.contains(message), "{name}: {}", p.html);
    }
    assert!(!wa.get("/notices").await.unwrap().contains("添付テスト"));

    // The central operator's notices: one for 27, one for all.
    let cform = cw.get("/admin/notices/new").await.unwrap();
    let n27 = created_id(
        &submit(
            &cw,
            &cform,
            "/admin/notices/new",
            &fields("大阪府のお知らせ", "prefecture", "27"),
            &[("files", "osaka.csv", "text/csv", b"a,b\n1,2\n".to_vec())],
        )
        .await,
    );
    let nall = created_id(
        &submit(
            &cw,
            &cform,
            "/admin/notices/new",
            &fields("全国のお知らせ", "all", ""),
            &[],
        )
        .await,
    );
    assert!(
        wc.get("/notices")
            .await
            .unwrap()
            .contains("大阪府のお知らせ")
    );
    assert!(wa.get("/notices").await.unwrap().contains("全国のお知らせ"));
    let edit27 = cw.get(&format!("/admin/notices/{n27}")).await.unwrap();
    let att27 = edit27
        .html
        .split(&format!("/admin/notices/{n27}/attachments/"))
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("attachment delete link")
        .to_owned();

    // fed13 cannot see or change the 27 notice by any route.
    let flist = fw.get("/admin/notices").await.unwrap();
    assert!(!flist.contains("大阪府のお知らせ"));
    assert!(flist.contains("全国のお知らせ"), "all: read-only");
    assert_eq!(
        fw.get(&format!("/admin/notices/{n27}"))
            .await
            .unwrap()
            .status,
        404
    );
    let own = fw.get(&format!("/admin/notices/{n13}")).await.unwrap();
    let p = submit(
        &fw,
        &own,
        &format!("/admin/notices/{n27}"),
        &fields("乗っ取り", "prefecture", "13"),
        &[],
    )
    .await;
    assert_eq!(p.status, 404, "{}", p.html);
    for path in [
        format!("/admin/notices/{n27}/withdraw"),
        format!("/admin/notices/{n27}/attachments/{att27}/delete"),
    ] {
        assert_eq!(
            fw.post(&own, &path, &[]).await.unwrap().status,
            404,
            "{path}"
        );
    }
    // Nor move its own notice to 27.
    let p = submit(
        &fw,
        &own,
        &format!("/admin/notices/{n13}"),
        &fields("東京から大阪へ", "prefecture", "27"),
        &[],
    )
    .await;
    assert_eq!(p.status, 422);
    // The 'all' notice is read-only for fed13.
    let p = fw
        .post(&own, &format!("/admin/notices/{nall}/withdraw"), &[])
        .await
        .unwrap();
    assert_eq!(p.status, 400, "{}", p.html);
    assert!(p.contains("国保中央会のみ"));
    // Nothing changed.
    let c27 = wc.get(&format!("/notices/{n27}")).await.unwrap();
    assert!(
        c27.contains("大阪府のお知らせ") && c27.contains("osaka.csv"),
        "{}",
        c27.html
    );
    assert!(!c27.contains("乗っ取り"));
    assert!(wa.get("/notices").await.unwrap().contains("全国のお知らせ"));
    assert!(!wc.get("/notices").await.unwrap().contains("東京から大阪へ"));

    // Edit: the office sees the new title; remove the attachment.
    let p = submit(
        &fw,
        &own,
        &format!("/admin/notices/{n13}"),
        &fields("東京都のお知らせ（改）", "prefecture", "13"),
        &[],
    )
    .await;
    assert!(p.contains("お知らせを更新しました"), "{}", p.html);
    assert!(
        wa.get(&format!("/notices/{n13}"))
            .await
            .unwrap()
            .contains("東京都のお知らせ（改）")
    );
    let att13 = p
        .html
        .split(&format!("/admin/notices/{n13}/attachments/"))
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_owned();
    let p = fw
        .post(
            &p,
            &format!("/admin/notices/{n13}/attachments/{att13}/delete"),
            &[],
        )
        .await
        .unwrap();
    assert!(p.contains("添付ファイルを削除しました"), "{}", p.html);
    assert!(
        !wa.get(&format!("/notices/{n13}"))
            .await
            .unwrap()
            .contains("資料.pdf")
    );

    // Withdraw: gone from the office's pages, kept (marked) in the console.
    let p = fw
        .post(&p, &format!("/admin/notices/{n13}/withdraw"), &[])
        .await
        .unwrap();
    assert!(p.contains("お知らせを取り下げました"), "{}", p.html);
    assert!(!wa.get("/top").await.unwrap().contains("東京都のお知らせ"));
    assert!(
        !wa.get("/notices")
            .await
            .unwrap()
            .contains("東京都のお知らせ")
    );
    assert_eq!(
        wa.get(&format!("/notices/{n13}")).await.unwrap().status,
        404
    );
    let v = fw.get(&format!("/admin/notices/{n13}")).await.unwrap();
    assert!(
        v.contains("取り下げ済み") && v.contains("admin:fed13"),
        "{}",
        v.html
    );
    let again = fw
        .post(&v, &format!("/admin/notices/{n13}/withdraw"), &[])
        .await
        .unwrap();
    assert_eq!(again.status, 400);

    server.terminate();
}
