//! Several nodes, one service (issue 13 §1): two `serve` processes on one PostgreSQL database,
//! office applications spread over both, and one node SIGKILLed while it is building
//! certificates. Every application ends issued exactly once, serials stay unique, every file
//! opens, each office gets its one mail, the dead node's jobs are taken over after their
//! lease, and sessions made on the dead node go on working on the other.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::pg::{Node, TestDb};
use kaigo_pki::walk::Walker;

const OFFICES: usize = 24;
/// Short leases, so that the test sees a dead node's work taken over soon; one spool for both.
fn configure(data: &Path, spool: &Path) {
    let path = data.join("config.toml");
    let mut config: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let section = |config: &mut toml::Table, name: &str| {
        config
            .entry(name)
            .or_insert_with(|| toml::Value::Table(Default::default()))
            .as_table_mut()
            .unwrap()
            .clone()
    };
    let mut workers = section(&mut config, "workers");
    workers.insert("job_lease_seconds".into(), 6.into());
    // One certificate at a time per node: when two are being built, each node holds one.
    workers.insert("issuance_concurrency".into(), 1.into());
    config.insert("workers".into(), workers.into());
    let mut mail = section(&mut config, "mail");
    mail.insert("lease_seconds".into(), 10.into());
    mail.insert("spool_dir".into(), spool.display().to_string().into());
    config.insert("mail".into(), mail.into());
    std::fs::write(&path, toml::to_string(&config).unwrap()).unwrap();
}

async fn count(pool: &sqlx::PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn wait_for(pool: &sqlx::PgPool, sql: &str, at_least: i64, what: &str) {
    let start = Instant::now();
    loop {
        let n = count(pool, sql).await;
        if n >= at_least {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(180),
            "{what}: {n} of {at_least}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_one_killed_every_application_issued_once() {
    common::require_tool("openssl", "apt-get install openssl");
    let db = TestDb::create("nodes").await;
    let url = db.url.clone();

    let tmp = tempfile::tempdir().unwrap();
    let (one, two, spool) = (
        tmp.path().join("node-1"),
        tmp.path().join("node-2"),
        tmp.path().join("spool"),
    );
    common::pg::kaigo(&one, &url, &["init"]);
    configure(&one, &spool);
    let offices: Vec<serde_json::Value> = (0..OFFICES)
        .map(|i| {
            let number = format!("13100{i:05}");
            let email = format!("office{i}@example.jp");
            common::add_office_with(
                &one,
                &number,
                Some(&email),
                &[("KAIGO_PKI_DATABASE_URL", url.as_str())],
            )
        })
        .collect();
    // The second node is provisioned with the first one's files (server key, CA key,
    // configuration); its own embedded database is not used.
    assert!(
        Command::new("cp")
            .arg("-a")
            .arg(&one)
            .arg(&two)
            .status()
            .unwrap()
            .success()
    );
    let _ = std::fs::remove_file(two.join("kaigo.db"));
    // Slower PKCS#12 files keep the queue busy long enough to kill a node mid-build.
    let slow = [("KAIGO_PKI_PKCS12_ITERATIONS", "200000")];
    let node1 = Node::start(&one, &url, &slow);
    let node2 = Node::start(&two, &url, &slow);
    let (b1, b2) = (node1.base.clone(), node2.base.clone());
    let pool = sqlx::PgPool::connect(&url).await.unwrap();

    // Every office logs in on one node and changes its password; the first half then applies
    // through the other node with the same session.
    let mut tasks = Vec::new();
    for (i, o) in offices.iter().enumerate() {
        let (home, other) = if i % 2 == 0 {
            (b1.clone(), b2.clone())
        } else {
            (b2.clone(), b1.clone())
        };
        let o = o.clone();
        tasks.push(tokio::spawn(async move {
            let w = Walker::new(&home).unwrap();
            let temp = common::s(&o, "login_password");
            w.login(&common::s(&o, "user_id"), &temp).await.unwrap();
            w.change_password(&temp, "Kaigo2026pass").await.unwrap();
            if i < OFFICES / 2 {
                let done = w
                    .at(&other)
                    .apply_dx(&common::s(&o, "issuance_password"))
                    .await
                    .unwrap();
                assert_eq!(done.status, 200, "{}", done.html);
            }
            w
        }));
    }
    let mut walkers = Vec::new();
    for t in tasks {
        walkers.push(t.await.unwrap());
    }

    // Lockouts are shared: three wrong passwords spread over both nodes lock the login on
    // both (office 0 keeps the session it already has).
    let user0 = common::s(&offices[0], "user_id");
    for base in [&b1, &b2, &b1] {
        let page = Walker::new(base)
            .unwrap()
            .login(&user0, "wrong-password")
            .await
            .unwrap();
        assert_eq!(page.path, "/login");
    }
    let refused = Walker::new(&b2)
        .unwrap()
        .login(&user0, "Kaigo2026pass")
        .await
        .unwrap();
    assert!(
        refused.path == "/login" && refused.contains("ロック"),
        "the right password is refused while locked, on the other node too: {}",
        refused.html
    );

    // Node 1 dies while it builds a certificate (each node builds one at a time, so two
    // running means node 1 holds one).
    wait_for(
        &pool,
        "SELECT COUNT(*) FROM applications WHERE state = 'running'",
        2,
        "the two nodes were never building at once",
    )
    .await;
    let unfinished = count(
        &pool,
        "SELECT COUNT(*) FROM applications WHERE state IN ('queued', 'running')",
    )
    .await;
    let mut node1 = node1;
    node1.child.kill().unwrap();
    node1.child.wait().unwrap();
    assert!(unfinished > 0, "the kill came after the queue was empty");

    // The second half applies now, all through node 2, including the offices whose session
    // node 1 made.
    let mut tasks = Vec::new();
    for (i, w) in walkers.iter().enumerate().skip(OFFICES / 2) {
        let w = w.at(&b2);
        let password = common::s(&offices[i], "issuance_password");
        tasks.push(tokio::spawn(async move {
            let done = w.apply_dx(&password).await.unwrap();
            assert_eq!(done.status, 200, "{}", done.html);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let n = OFFICES as i64;
    wait_for(
        &pool,
        "SELECT COUNT(*) FROM applications WHERE state = 'done'",
        n,
        "not every application was issued",
    )
    .await;
    wait_for(
        &pool,
        "SELECT COUNT(*) FROM mail_outbox WHERE state = 'sent'",
        n,
        "not every mail was sent",
    )
    .await;

    // Exactly once: one application and one certificate per office, no serial twice.
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM applications").await, n);
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM certificates").await, n);
    assert_eq!(
        count(&pool, "SELECT COUNT(DISTINCT serial) FROM certificates").await,
        n
    );
    assert_eq!(
        count(
            &pool,
            "SELECT COUNT(DISTINCT office_id) FROM certificates WHERE status = 'valid'"
        )
        .await,
        n
    );
    assert!(
        count(
            &pool,
            "SELECT COUNT(*) FROM applications WHERE attempts >= 2"
        )
        .await
            >= 1,
        "a job node 1 held was taken over by node 2 after its lease"
    );
    // One mail per office, one file each in the shared spool.
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM mail_outbox").await, n);
    assert_eq!(
        count(&pool, "SELECT COUNT(DISTINCT to_addr) FROM mail_outbox").await,
        n
    );
    // Whole mails only (a node killed mid-write may leave a hidden `.part`, never a mail).
    let files: Vec<String> = std::fs::read_dir(&spool)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| !f.starts_with('.'))
        .collect();
    assert!(files.iter().all(|f| f.ends_with(".eml")), "{files:?}");
    assert_eq!(files.len(), OFFICES, "one file per mail: {files:?}");
    let mut to: Vec<String> = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(spool.join(f)).unwrap();
            text.lines()
                .find(|l| l.starts_with("To: "))
                .unwrap()
                .to_owned()
        })
        .collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), OFFICES, "each office got its own mail");
    // CRLs: numbers grow, never reused.
    let crls: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT number, this_update FROM crls WHERE issuer = 'issuing' ORDER BY number",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(
        crls.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1),
        "{crls:?}"
    );

    // Every office downloads its file from the surviving node, and it opens.
    for (i, w) in walkers.iter().enumerate() {
        let file = w.at(&b2).download_dx().await.unwrap();
        let path = common::write(tmp.path(), &format!("office-{i}.p12"), &file.bytes);
        let pass = format!("pass:{}", common::s(&offices[i], "issuance_password"));
        let (ok, out) = common::run(
            "openssl",
            &[
                "pkcs12",
                "-in",
                path.to_str().unwrap(),
                "-passin",
                &pass,
                "-nokeys",
                "-clcerts",
            ],
        );
        assert!(ok && out.contains("BEGIN CERTIFICATE"), "office {i}: {out}");
    }

    drop(node2);
    pool.close().await;
    db.drop_now().await;
}
