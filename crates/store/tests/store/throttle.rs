//! Failure counting and locks.

use kaigo_core::repo::{ThrottleRepo, ThrottleState};

use crate::harness::TestDb;

pub async fn counts_and_locks(db: TestDb) {
    let s = &db.store;
    assert_eq!(
        s.throttle_state("login:KJ1").await.unwrap(),
        ThrottleState::default()
    );
    assert_eq!(s.throttle_fail("login:KJ1", 100).await.unwrap(), 1);
    assert_eq!(s.throttle_fail("login:KJ1", 101).await.unwrap(), 2);
    assert_eq!(s.throttle_fail("login:KJ1", 102).await.unwrap(), 3);
    // Keys are independent.
    assert_eq!(s.throttle_fail("issuance:1", 102).await.unwrap(), 1);
    assert_eq!(
        s.throttle_state("login:KJ1").await.unwrap(),
        ThrottleState {
            failures: 3,
            locked_until: None
        }
    );

    // A lock keeps the count (racing attempts still count above the threshold).
    s.throttle_lock("login:KJ1", 2_000).await.unwrap();
    assert_eq!(
        s.throttle_state("login:KJ1").await.unwrap(),
        ThrottleState {
            failures: 3,
            locked_until: Some(2_000)
        }
    );
    assert_eq!(s.throttle_fail("login:KJ1", 2_100).await.unwrap(), 4);
    assert_eq!(
        s.throttle_state("login:KJ1").await.unwrap().locked_until,
        Some(2_000)
    );

    // A key never failed can be locked directly.
    s.throttle_lock("login:KJ2", 500).await.unwrap();
    assert_eq!(
        s.throttle_state("login:KJ2").await.unwrap().locked_until,
        Some(500)
    );

    s.throttle_clear("login:KJ1").await.unwrap();
    assert_eq!(
        s.throttle_state("login:KJ1").await.unwrap(),
        ThrottleState::default()
    );
    assert_eq!(s.throttle_state("issuance:1").await.unwrap().failures, 1);
    s.throttle_clear("never-seen").await.unwrap();
}

pub async fn concurrent_failures_all_count(db: TestDb) {
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = db.store.clone();
            tokio::spawn(async move { store.throttle_fail("login:KJ9", i).await.unwrap() })
        })
        .collect();
    let mut counts = Vec::new();
    for t in tasks {
        counts.push(t.await.unwrap());
    }
    counts.sort_unstable();
    assert_eq!(
        counts,
        (1..=20).collect::<Vec<i64>>(),
        "each failure got its own count"
    );
    assert_eq!(
        db.store.throttle_state("login:KJ9").await.unwrap().failures,
        20
    );
}
