//! The audit trail an outsider can verify: `audit checkpoint` signs the newest record,
//! `audit verify` names the first record that was altered, deleted, inserted, reordered or cut
//! off (each done to the database directly, as an intruder with database access would), and
//! `audit export` gives files that a short Python script and OpenSSL check without kaigo-pki.

mod common;

use std::path::{Path, PathBuf};

use common::{kaigo, pool, stderr, stdout};
use kaigo_core::audit::AuditEvent;
use kaigo_core::audit::chain::entry_hash;
use sqlx::Row;

/// A data dir with 10 audit records (the ceremonies `init` and `ca root-crl`, then admin
/// accounts), a checkpoint naming record 8, and two records after it.
fn trail(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    let o = kaigo(&data, &["init"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = kaigo(&data, &["ca", "root-crl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let add = |n: usize| {
        for i in 0..n {
            let o = kaigo(
                &data,
                &[
                    "admin",
                    "add",
                    "--login",
                    &format!("op{i}-{n}"),
                    "--role",
                    "central",
                ],
            );
            assert!(o.status.success(), "{}", stderr(&o));
        }
    };
    add(6);
    let o = kaigo(&data, &["audit", "checkpoint"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Signed checkpoint 1"), "{}", stdout(&o));
    add(2);
    data
}

/// A copy of the data dir, to tamper with.
fn copy(data: &Path, to: &Path) -> PathBuf {
    let o = std::process::Command::new("cp")
        .args(["-a", data.to_str().unwrap(), to.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success());
    to.to_owned()
}

fn verify(data: &Path) -> (bool, String) {
    let o = kaigo(data, &["audit", "verify"]);
    (o.status.success(), format!("{}{}", stdout(&o), stderr(&o)))
}

async fn exec(data: &Path, sql: &'static str) {
    let p = pool(data).await;
    sqlx::query(sql).execute(&p).await.unwrap();
    p.close().await;
}

async fn record(data: &Path, id: i64) -> (AuditEvent, String, String) {
    let p = pool(data).await;
    let r = sqlx::query(
        "SELECT at, actor, action, object, source, detail, prev_hash, hash FROM audit_log WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&p)
    .await
    .unwrap();
    let e = AuditEvent {
        at: r.get("at"),
        actor: r.get("actor"),
        action: r.get("action"),
        object: r.get("object"),
        source: r.get("source"),
        detail: r.get("detail"),
    };
    let out = (e, r.get("prev_hash"), r.get("hash"));
    p.close().await;
    out
}

#[tokio::test]
async fn verify_names_the_first_tampered_record_and_an_export_checks_without_us() {
    let tmp = tempfile::tempdir().unwrap();
    let data = trail(tmp.path());
    let (ok, text) = verify(&data);
    assert!(ok, "{text}");
    assert!(
        text.contains("intact: 10 records, 1 checkpoints; 2 records after the newest checkpoint"),
        "{text}"
    );

    // Change a field.
    let d = copy(&data, &tmp.path().join("altered"));
    exec(
        &d,
        "UPDATE audit_log SET detail = 'nothing happened' WHERE id = 3",
    )
    .await;
    let (ok, text) = verify(&d);
    assert!(!ok && text.contains("record 3 was altered"), "{text}");

    // Delete a row.
    let d = copy(&data, &tmp.path().join("deleted"));
    exec(&d, "DELETE FROM audit_log WHERE id = 4").await;
    let (ok, text) = verify(&d);
    assert!(!ok && text.contains("record 5 does not follow"), "{text}");

    // Insert one (self-consistent, claiming a predecessor that is not in the trail; the
    // schema already refuses a second record after the same one).
    let d = copy(&data, &tmp.path().join("inserted"));
    let hash2 = "ab".repeat(32);
    let forged = AuditEvent {
        at: 1,
        actor: "system".into(),
        action: "admin.account.add".into(),
        object: "admin:99".into(),
        source: String::new(),
        detail: String::new(),
    };
    let p = pool(&d).await;
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor, action, object, source, detail, prev_hash, hash) \
         VALUES (100, 1, 'system', 'admin.account.add', 'admin:99', '', '', $1, $2)",
    )
    .bind(&hash2)
    .bind(entry_hash(&hash2, &forged))
    .execute(&p)
    .await
    .unwrap();
    p.close().await;
    let (ok, text) = verify(&d);
    assert!(!ok && text.contains("record 100 does not follow"), "{text}");

    // Swap two.
    let d = copy(&data, &tmp.path().join("swapped"));
    exec(&d, "UPDATE audit_log SET id = -2 WHERE id = 2").await;
    exec(&d, "UPDATE audit_log SET id = 2 WHERE id = 3").await;
    exec(&d, "UPDATE audit_log SET id = 3 WHERE id = -2").await;
    let (ok, text) = verify(&d);
    assert!(!ok && text.contains("record 2 does not follow"), "{text}");

    // Truncate the tail, through the record the checkpoint names.
    let d = copy(&data, &tmp.path().join("truncated"));
    exec(&d, "DELETE FROM audit_log WHERE id >= 5").await;
    let (ok, text) = verify(&d);
    assert!(
        !ok && text.contains("cut off after record 4: checkpoint 1 names record 8"),
        "{text}"
    );

    // Rewrite from record 2 on with fresh hashes: self-consistent, but not what was signed.
    let d = copy(&data, &tmp.path().join("rewritten"));
    let (_, _, mut prev) = record(&d, 1).await;
    let p = pool(&d).await;
    for id in 2..=10 {
        let (mut e, _, _) = record(&d, id).await;
        e.detail = "rewritten".into();
        let hash = entry_hash(&prev, &e);
        sqlx::query("UPDATE audit_log SET detail = $1, prev_hash = $2, hash = $3 WHERE id = $4")
            .bind(&e.detail)
            .bind(&prev)
            .bind(&hash)
            .bind(id)
            .execute(&p)
            .await
            .unwrap();
        prev = hash;
    }
    p.close().await;
    let (ok, text) = verify(&d);
    assert!(
        !ok && text.contains("checkpoint 1 names record 8 with another hash"),
        "{text}"
    );

    // A forged checkpoint (the intruder has no audit key).
    let d = copy(&data, &tmp.path().join("forged"));
    exec(
        &d,
        "UPDATE audit_checkpoints SET signature = X'00' WHERE id = 1",
    )
    .await;
    let (ok, text) = verify(&d);
    assert!(
        !ok && text.contains("checkpoint 1 has a signature"),
        "{text}"
    );

    // The ceremonies are the first records.
    let (first, _, _) = record(&data, 1).await;
    let (second, _, _) = record(&data, 2).await;
    assert_eq!(
        (first.action.as_str(), first.actor.as_str()),
        ("ca.init", "cli")
    );
    assert!(
        first.detail.contains("root_sha256=") && first.detail.contains("keys=files"),
        "{first:?}"
    );
    assert_eq!(second.action, "ca.root_crl");

    // The auditor's way: export, then Python and OpenSSL alone.
    let out = tmp.path().join("export");
    let o = kaigo(&data, &["audit", "export", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let run = |dir: &Path| {
        let o = std::process::Command::new("python3")
            .arg(dir.join("verify.py"))
            .arg(dir)
            .output()
            .unwrap();
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    let (ok, text) = run(&out);
    assert!(
        ok && text.starts_with("OK: 10 records, 1 checkpoints"),
        "{text}"
    );
    let (ok, text) = common::run(
        "openssl",
        &[
            "dgst",
            "-sha256",
            "-verify",
            out.join("audit.pub.pem").to_str().unwrap(),
            "-signature",
            out.join("checkpoints/1.sig").to_str().unwrap(),
            out.join("checkpoints/1.msg").to_str().unwrap(),
        ],
    );
    assert!(ok && text.contains("Verified OK"), "{text}");
    // The key in the export is the one the ceremony recorded.
    let der = tmp.path().join("audit-pub.der");
    let (ok, text) = common::run(
        "openssl",
        &[
            "pkey",
            "-pubin",
            "-in",
            out.join("audit.pub.pem").to_str().unwrap(),
            "-outform",
            "DER",
            "-out",
            der.to_str().unwrap(),
        ],
    );
    assert!(ok, "{text}");
    let (ok, text) = common::run("sha256sum", &[der.to_str().unwrap()]);
    assert!(ok, "{text}");
    let fingerprint = text.split_whitespace().next().unwrap();
    assert!(
        first
            .detail
            .contains(&format!("audit_key_sha256={fingerprint}")),
        "{first:?} vs {fingerprint}"
    );
    // The script sees a tampered export too.
    let records = std::fs::read_to_string(out.join("records.jsonl")).unwrap();
    let kept: Vec<&str> = records.lines().take(4).collect();
    std::fs::write(out.join("records.jsonl"), kept.join("\n") + "\n").unwrap();
    let (ok, text) = run(&out);
    assert!(
        !ok && text.contains("cut off after record 4: checkpoint 1 names record 8"),
        "{text}"
    );
}
