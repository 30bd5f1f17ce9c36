//! Backup and restore as docs/OPERATIONS.md tells it: `pg_dump` of the database and a copy of
//! the node files, restored with `pg_restore` into a fresh database and a fresh data dir. The
//! restored node serves the same offices and certificates: the office logs in with the password
//! it chose, downloads the very same file, revoked stays revoked in the CRL, the audit trail
//! verifies, and issuance goes on with new serials.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::pg::{Node, TestDb, kaigo};
use kaigo_pki::walk::Walker;

/// The node files of a data dir a restore needs (docs/OPERATIONS.md, "What a node needs").
const NODE_FILES: &[&str] = &["server.key", "ca", "config.toml", "ca-passphrase"];

fn run(cmd: &str, args: &[&str]) {
    let (ok, out) = common::run(cmd, args);
    assert!(ok, "{cmd} {args:?}: {out}");
}

fn copy_node_files(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in NODE_FILES {
        let ok = Command::new("cp")
            .arg("-a")
            .arg(from.join(f))
            .arg(to.join(f))
            .status()
            .unwrap()
            .success();
        assert!(ok, "copy {f}");
    }
}

fn serials(data: &Path, url: &str) -> Vec<(String, String)> {
    let list = kaigo(data, url, &["cert", "list", "--json"]);
    let mut v: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (common::s(c, "serial"), common::s(c, "status")))
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_restored_into_a_fresh_database_and_node_serves_the_same_offices() {
    common::require_tool("pg_dump", "apt-get install postgresql-client");
    common::require_tool("pg_restore", "apt-get install postgresql-client");
    let tmp = tempfile::tempdir().unwrap();
    let (data, restored) = (tmp.path().join("node"), tmp.path().join("restored"));
    let db = TestDb::create("backup").await;
    kaigo(&data, &db.url, &["init"]);
    let a = common::add_office_with(
        &data,
        "1310000001",
        None,
        &[("KAIGO_PKI_DATABASE_URL", db.url.as_str())],
    );
    let b = common::add_office_with(
        &data,
        "1310000002",
        None,
        &[("KAIGO_PKI_DATABASE_URL", db.url.as_str())],
    );

    // Before: both offices hold a 介護DX証明書; B's is revoked.
    let node = Node::start(&data, &db.url, &[]);
    let mut files = Vec::new();
    for o in [&a, &b] {
        let w = Walker::new(&node.base).unwrap();
        let temp = common::s(o, "login_password");
        w.login(&common::s(o, "user_id"), &temp).await.unwrap();
        w.change_password(&temp, "Kaigo2026pass").await.unwrap();
        w.apply_dx(&common::s(o, "issuance_password"))
            .await
            .unwrap();
        w.wait_for_issued(Duration::from_secs(60)).await.unwrap();
        files.push(w.download_dx().await.unwrap().bytes);
    }
    let before = serials(&data, &db.url);
    assert_eq!(before.len(), 2);
    let b_serial = kaigo(
        &data,
        &db.url,
        &["cert", "list", "--office", "1310000002", "--json"],
    )[0]["serial"]
        .as_str()
        .unwrap()
        .to_owned();
    kaigo(
        &data,
        &db.url,
        &["cert", "revoke", &b_serial, "--reason", "keyCompromise"],
    );
    assert!(node.stop(), "the node stops cleanly");
    let before = serials(&data, &db.url);

    // Backup: the database and the node files.
    let dump = tmp.path().join("kaigo.dump");
    run(
        "pg_dump",
        &["--format=custom", "--file", dump.to_str().unwrap(), &db.url],
    );
    let saved = tmp.path().join("node-files");
    copy_node_files(&data, &saved);

    // Restore into a database and a data dir that never saw this service.
    let fresh = TestDb::create("restored").await;
    run(
        "pg_restore",
        &[
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            &fresh.url,
            dump.to_str().unwrap(),
        ],
    );
    copy_node_files(&saved, &restored);
    assert_eq!(
        serials(&restored, &fresh.url),
        before,
        "the same certificates"
    );
    let verified = common::kaigo_with(
        &restored,
        &["audit", "verify"],
        &[("KAIGO_PKI_DATABASE_URL", fresh.url.as_str())],
    );
    assert!(
        verified.status.success(),
        "audit verify: {}{}",
        common::stdout(&verified),
        common::stderr(&verified)
    );

    let node = Node::start(&restored, &fresh.url, &[]);
    // A logs in with the password it chose and downloads the very same file.
    let w = Walker::new(&node.base).unwrap();
    let top = w
        .login(&common::s(&a, "user_id"), "Kaigo2026pass")
        .await
        .unwrap();
    assert_eq!(top.path, "/top", "{}", top.html);
    assert!(
        w.get("/notices")
            .await
            .unwrap()
            .contains("証明書発行完了通知")
    );
    assert_eq!(
        w.download_dx().await.unwrap().bytes,
        files[0],
        "the same PKCS#12 file"
    );

    // B's revocation is in the restored node's CRL.
    let crl = reqwest::get(format!("{}/ca/e-seikyuu-ca.crl", node.base))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let crl_path = common::write(tmp.path(), "restored.crl", &crl);
    let (ok, text) = common::run(
        "openssl",
        &[
            "crl",
            "-inform",
            "DER",
            "-in",
            crl_path.to_str().unwrap(),
            "-noout",
            "-text",
        ],
    );
    assert!(ok, "{text}");
    assert!(
        text.to_uppercase()
            .replace(':', "")
            .contains(&b_serial.to_uppercase().replace(':', "")),
        "{text}"
    );

    // B applies again on the restored node: a new certificate with a new serial.
    let wb = Walker::new(&node.base).unwrap();
    wb.login(&common::s(&b, "user_id"), "Kaigo2026pass")
        .await
        .unwrap();
    wb.apply_dx(&common::s(&b, "issuance_password"))
        .await
        .unwrap();
    let start = std::time::Instant::now();
    while serials(&restored, &fresh.url).len() < 3 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no new certificate after the restore"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let after = serials(&restored, &fresh.url);
    assert_eq!(after.len(), 3);
    let mut distinct: Vec<&String> = after.iter().map(|(s, _)| s).collect();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "a new serial: {after:?}");
    drop(node);
    db.drop_now().await;
    fresh.drop_now().await;
}

/// The one-node default: an online `.backup` of the embedded SQLite file while the node serves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_online_sqlite_backup_restores_into_a_fresh_node() {
    common::require_tool("sqlite3", "apt-get install sqlite3");
    let tmp = tempfile::tempdir().unwrap();
    let (data, restored) = (tmp.path().join("node"), tmp.path().join("restored"));
    let a = common::init_with_office(&data, "1310000001", None);
    let server = common::Server::start(&data);
    let w = Walker::new(&server.base).unwrap();
    let temp = common::s(&a, "login_password");
    w.login(&common::s(&a, "user_id"), &temp).await.unwrap();
    w.change_password(&temp, "Kaigo2026pass").await.unwrap();
    w.apply_dx(&common::s(&a, "issuance_password"))
        .await
        .unwrap();
    w.wait_for_issued(Duration::from_secs(60)).await.unwrap();
    let file = w.download_dx().await.unwrap().bytes;

    // Taken while the node runs.
    let copy = tmp.path().join("kaigo.db.backup");
    let db = data.join("kaigo.db");
    run(
        "sqlite3",
        &[
            db.to_str().unwrap(),
            &format!(".backup '{}'", copy.display()),
        ],
    );
    drop(server);
    copy_node_files(&data, &restored);
    std::fs::copy(&copy, restored.join("kaigo.db")).unwrap();

    let server = common::Server::start(&restored);
    let w = Walker::new(&server.base).unwrap();
    let top = w
        .login(&common::s(&a, "user_id"), "Kaigo2026pass")
        .await
        .unwrap();
    assert_eq!(top.path, "/top", "{}", top.html);
    assert_eq!(w.download_dx().await.unwrap().bytes, file, "the same file");
    let o = common::kaigo(&restored, &["audit", "verify"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
}
