//! The sweeper (issue 8 §10): stale failure counters and old form claims are purged by the
//! running job, while recent ones and locks in force stay.

mod common;

use std::time::Duration;

use kaigo_jobs::sweeper::SessionSweeper;
use kaigo_pki::datadir::DataDir;
use kaigo_pki::wiring;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweeper_purges_stale_counters_and_old_form_claims() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let o = common::kaigo(&data, &["init"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let app = wiring::open(&DataDir::new(data), false).await.unwrap();
    let store = app.services.deps.store.clone();
    let clock = app.services.deps.clock.clone();
    let now = clock.unix();
    let two_days_ago = now - 2 * 86_400;
    store
        .throttle_reserve("login:KJstale", two_days_ago)
        .await
        .unwrap();
    store
        .throttle_reserve("login:KJlocked", two_days_ago)
        .await
        .unwrap();
    store
        .throttle_lock("login:KJlocked", now + 600)
        .await
        .unwrap();
    store.throttle_reserve("login:KJrecent", now).await.unwrap();
    assert!(
        store
            .claim_submission("old-form", two_days_ago)
            .await
            .unwrap()
    );
    assert!(store.claim_submission("new-form", now).await.unwrap());

    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let sweeper = SessionSweeper {
        store: store.clone(),
        clock,
        every: Duration::from_secs(3600),
    }
    .spawn(stop_rx);
    // The first sweep runs at start.
    let mut purged = false;
    for _ in 0..100 {
        if store
            .throttle_state("login:KJstale")
            .await
            .unwrap()
            .failures
            == 0
            && store.submission_result("old-form").await.unwrap().is_none()
        {
            purged = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.send(true).unwrap();
    sweeper.await.unwrap();
    assert!(purged, "the stale counter and the old claim were purged");
    assert_eq!(
        store
            .throttle_state("login:KJrecent")
            .await
            .unwrap()
            .failures,
        1
    );
    assert!(
        store
            .throttle_state("login:KJlocked")
            .await
            .unwrap()
            .locked_until
            .is_some(),
        "a lock in force stays"
    );
    assert!(store.submission_result("new-form").await.unwrap().is_some());
    app.store.close().await;
}
