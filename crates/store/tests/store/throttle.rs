//! Failure counting and locks.

use kaigo_core::account::repo::{ThrottleRepo, ThrottleState};

use crate::harness::TestDb;

fn st(failures: i64, locked_until: Option<i64>) -> ThrottleState {
    ThrottleState {
        failures,
        locked_until,
    }
}

pub async fn counts_and_locks(db: TestDb) {
    let s = &db.store;
    assert_eq!(
        s.throttle_state("login:KJ1").await.unwrap(),
        ThrottleState::default()
    );
    assert_eq!(
        s.throttle_reserve("login:KJ1", 100).await.unwrap(),
        st(1, None)
    );
    assert_eq!(
        s.throttle_reserve("login:KJ1", 101).await.unwrap(),
        st(2, None)
    );
    assert_eq!(
        s.throttle_reserve("login:KJ1", 102).await.unwrap(),
        st(3, None)
    );
    // Keys are independent.
    assert_eq!(
        s.throttle_reserve("issuance:1", 102).await.unwrap(),
        st(1, None)
    );
    assert_eq!(s.throttle_state("login:KJ1").await.unwrap(), st(3, None));

    // A lock keeps the count; an attempt while it holds is answered with it, uncounted.
    s.throttle_lock("login:KJ1", 2_000).await.unwrap();
    assert_eq!(
        s.throttle_state("login:KJ1").await.unwrap(),
        st(3, Some(2_000))
    );
    assert_eq!(
        s.throttle_reserve("login:KJ1", 1_999).await.unwrap(),
        st(3, Some(2_000))
    );
    // Once it has run out, the next attempt lifts it and starts a fresh count.
    assert_eq!(
        s.throttle_reserve("login:KJ1", 2_000).await.unwrap(),
        st(1, None)
    );
    assert_eq!(
        s.throttle_reserve("login:KJ1", 2_001).await.unwrap(),
        st(2, None)
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
            tokio::spawn(async move { store.throttle_reserve("login:KJ9", i).await.unwrap() })
        })
        .collect();
    let mut counts = Vec::new();
    for t in tasks {
        counts.push(t.await.unwrap().failures);
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

/// Parallel attempts after a lock ran out share one fresh window: exactly one of them
/// restarts the count, the others count on from it (a read-then-clear let them reset each
/// other).
pub async fn expired_lock_restarts_once(db: TestDb) {
    let s = &db.store;
    for t in 0..3 {
        s.throttle_reserve("login:KJ7", t).await.unwrap();
    }
    s.throttle_lock("login:KJ7", 100).await.unwrap();
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let store = db.store.clone();
            tokio::spawn(async move { store.throttle_reserve("login:KJ7", 200).await.unwrap() })
        })
        .collect();
    let mut counts = Vec::new();
    for t in tasks {
        let state = t.await.unwrap();
        assert_eq!(state.locked_until, None);
        counts.push(state.failures);
    }
    counts.sort_unstable();
    assert_eq!(counts, (1..=12).collect::<Vec<i64>>());
}

/// Stale counters go; locks in force and recent counters stay.
pub async fn purge_stale_counters(db: TestDb) {
    let s = &db.store;
    s.throttle_reserve("old", 100).await.unwrap();
    s.throttle_reserve("old-locked", 100).await.unwrap();
    s.throttle_lock("old-locked", 10_000).await.unwrap();
    s.throttle_reserve("recent", 5_000).await.unwrap();
    assert_eq!(s.throttle_purge(1_000, 5_000).await.unwrap(), 1);
    assert_eq!(
        s.throttle_state("old").await.unwrap(),
        ThrottleState::default()
    );
    assert_eq!(s.throttle_state("old-locked").await.unwrap().failures, 1);
    assert_eq!(s.throttle_state("recent").await.unwrap().failures, 1);
    // After the lock has run out it goes too.
    assert_eq!(s.throttle_purge(1_000, 10_000).await.unwrap(), 1);
}
