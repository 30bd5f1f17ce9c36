//! The audit hash chain.

use kaigo_core::audit::AuditEvent;

use kaigo_core::audit::repo::AuditRepo;
use sha2::{Digest, Sha256};

use crate::harness::TestDb;

fn event(n: i64) -> AuditEvent {
    AuditEvent {
        at: 1_000 + n,
        actor: format!("KJ{n:012}"),
        action: "login.success".into(),
        object: format!("office:{n}"),
        source: "192.0.2.1".into(),
        detail: format!("詳細{n}"),
    }
}

async fn append(db: &TestDb, count: i64) {
    for n in 0..count {
        db.store.append_audit(&event(n)).await.unwrap();
    }
}

/// The id of the `n`th entry (0-based) in chain order.
async fn nth_id(db: &TestDb, n: i64) -> i64 {
    db.raw_i64(&format!(
        "SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET {n}"
    ))
    .await
}

pub async fn chain_verifies(db: TestDb) {
    assert_eq!(db.store.verify_audit_chain().await.unwrap(), Ok(0));
    append(&db, 5).await;
    assert_eq!(db.store.verify_audit_chain().await.unwrap(), Ok(5));
    // More entries than one verification page.
    append(&db, 600).await;
    assert_eq!(db.store.verify_audit_chain().await.unwrap(), Ok(605));
}

pub async fn concurrent_appends_keep_one_chain(db: TestDb) {
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let store = db.store.clone();
            tokio::spawn(async move {
                for n in 0..5 {
                    store.append_audit(&event(t * 100 + n)).await.unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(db.store.verify_audit_chain().await.unwrap(), Ok(40));
}

/// Two nodes (two connection pools, as two processes have) appending at once, each also
/// storing checkpoints: one chain, and every checkpoint names a record of it.
pub async fn two_nodes_keep_one_chain_with_their_checkpoints(db: TestDb) {
    let other = kaigo_store::SqlStore::connect(&db.url).await.unwrap();
    let nodes = [db.store.clone(), other.clone()];
    let tasks: Vec<_> = nodes
        .iter()
        .enumerate()
        .flat_map(|(node, store)| {
            (0..3).map(move |t| {
                let store = store.clone();
                tokio::spawn(async move {
                    for n in 0..10 {
                        store
                            .append_audit(&event((node * 1000 + t * 100 + n) as i64))
                            .await
                            .unwrap();
                        if n % 5 == 4 {
                            let (last_id, last_hash) =
                                store.last_audit_record().await.unwrap().unwrap();
                            store
                                .add_audit_checkpoint(&kaigo_core::audit::chain::Checkpoint {
                                    id: 0,
                                    at: 1,
                                    last_id,
                                    last_hash,
                                    signature: vec![1],
                                })
                                .await
                                .unwrap();
                        }
                    }
                })
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(db.store.verify_audit_chain().await.unwrap(), Ok(60));
    let checkpoints = other.audit_checkpoints().await.unwrap();
    assert_eq!(checkpoints.len(), 12);
    let mut walk = kaigo_core::audit::chain::ChainWalk::new(checkpoints, &|_| true);
    for r in db.store.audit_records(0, 1000).await.unwrap() {
        walk.step(&r);
    }
    assert_eq!(walk.finish(0).finding, None);
    other.close().await;
}

pub async fn tampering_is_detected(db: TestDb) {
    append(&db, 5).await;
    let third = nth_id(&db, 2).await;
    db.raw_execute(&format!(
        "UPDATE audit_log SET detail = 'nothing happened' WHERE id = {third}"
    ))
    .await;
    assert_eq!(db.store.verify_audit_chain().await.unwrap(), Err(third));

    // Restoring the field restores the chain.
    db.raw_execute(&format!(
        "UPDATE audit_log SET detail = '詳細2' WHERE id = {third}"
    ))
    .await;
    assert_eq!(db.store.verify_audit_chain().await.unwrap(), Ok(5));

    // A forger who also recomputes the altered entry's hash only moves the break to the
    // entry after it, whose prev_hash no longer matches.
    let prev = db
        .raw_text(&format!(
            "SELECT prev_hash FROM audit_log WHERE id = {third}"
        ))
        .await
        .unwrap();
    let forged = AuditEvent {
        detail: "nothing happened".into(),
        ..event(2)
    };
    let hash = documented_hash(&prev, &forged);
    assert_eq!(
        db.raw_text(&format!("SELECT hash FROM audit_log WHERE id = {third}"))
            .await
            .unwrap(),
        documented_hash(&prev, &event(2)),
        "the store follows its documented format"
    );
    db.raw_execute(&format!(
        "UPDATE audit_log SET detail = 'nothing happened', hash = '{hash}' WHERE id = {third}"
    ))
    .await;
    let fourth = nth_id(&db, 3).await;
    assert_eq!(db.store.verify_audit_chain().await.unwrap(), Err(fourth));
}

/// The entry hash as documented in the store (an independent implementation).
fn documented_hash(prev: &str, e: &AuditEvent) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"kaigo-audit-v1");
    for field in [
        e.at.to_string().as_str(),
        &e.actor,
        &e.action,
        &e.object,
        &e.source,
        &e.detail,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

pub async fn removal_is_detected(db: TestDb) {
    append(&db, 5).await;
    let second = nth_id(&db, 1).await;
    let third = nth_id(&db, 2).await;
    db.raw_execute(&format!("DELETE FROM audit_log WHERE id = {second}"))
        .await;
    assert_eq!(db.store.verify_audit_chain().await.unwrap(), Err(third));
}
