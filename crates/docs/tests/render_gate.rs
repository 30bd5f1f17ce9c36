//! The node's render queue: renders run one at a time, a full queue is refused instead of
//! piling up, and a cancelled request keeps its place until its render really ends.
//! Its own test binary: the counters of `render_stats` are per process.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use kaigo_docs::{
    DocsError, OfficeLetter, OfficeLetterKind, RenderGate, RenderLimits, office_letters_pdf,
    render_stats, renders,
};

fn letter(n: usize) -> OfficeLetter {
    OfficeLetter {
        postal_code: "100-0001".into(),
        address: "東京都千代田区千代田1-1".into(),
        name: format!("ケアセンター{n}"),
        number: format!("13{n:08}"),
        issuer: "東京都国民健康保険団体連合会".into(),
        user_id: format!("KJ{n:013}"),
        login_password: format!("Tmp{n}pass2345"),
        issuance_password: format!("Iss{n}word6789"),
    }
}

/// Yields until `cond` holds (no timing: the condition is what the test waits for).
async fn until(cond: impl Fn() -> bool) {
    while !cond() {
        tokio::task::yield_now().await;
        std::thread::yield_now();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_renders_run_one_at_a_time() {
    // Six admins download letters at once: real renders, through the node's gate.
    let in_job = Arc::new(AtomicUsize::new(0));
    let peak_in_job = Arc::new(AtomicUsize::new(0));
    let mut tasks = vec![];
    for i in 0..6 {
        let (in_job, peak_in_job) = (in_job.clone(), peak_in_job.clone());
        tasks.push(tokio::spawn(async move {
            renders()
                .run(move || {
                    let now = in_job.fetch_add(1, Ordering::SeqCst) + 1;
                    peak_in_job.fetch_max(now, Ordering::SeqCst);
                    let letters: Vec<_> = (0..3).map(|n| letter(i * 10 + n)).collect();
                    let pdf = office_letters_pdf(
                        OfficeLetterKind::Registration,
                        "2026年11月24日",
                        "ヘルプデスク",
                        &letters,
                    );
                    in_job.fetch_sub(1, Ordering::SeqCst);
                    pdf
                })
                .await
        }));
    }
    for t in tasks {
        let pdf = t.await.unwrap().expect("queued, then rendered");
        assert!(pdf.starts_with(b"%PDF"));
    }
    assert_eq!(
        peak_in_job.load(Ordering::SeqCst),
        1,
        "one render at a time"
    );
    let stats = render_stats();
    assert_eq!(stats.peak, 1, "typst never ran twice at once: {stats:?}");
    assert!(stats.done >= 6, "{stats:?}");
    assert_eq!(stats.active, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_is_refused_and_a_cancelled_render_keeps_its_permit() {
    let gate = Arc::new(RenderGate::new(RenderLimits {
        permits: 1,
        max_waiting: 1,
        wait: Duration::from_secs(600),
    }));
    // A: a render that holds the permit until released.
    let (release_a, hold_a) = std::sync::mpsc::channel::<()>();
    let a = {
        let gate = gate.clone();
        tokio::spawn(async move {
            gate.run(move || {
                hold_a.recv().ok();
                Ok(1)
            })
            .await
        })
    };
    until(|| gate.available() == 0).await;
    // B waits for its turn.
    let b = {
        let gate = gate.clone();
        tokio::spawn(async move { gate.run(|| Ok(2)).await })
    };
    until(|| gate.waiting() == 1).await;
    // C finds the queue full: refused at once, with a retry hint.
    match gate.run(|| Ok(3)).await {
        Err(DocsError::Busy { retry_after }) => assert!(retry_after >= 5),
        other => panic!("expected Busy, got {other:?}"),
    }
    // The request of A goes away (browser closed); its render still runs and keeps the permit.
    a.abort();
    assert!(a.await.unwrap_err().is_cancelled());
    assert_eq!(
        gate.available(),
        0,
        "the render of A still holds the permit"
    );
    assert_eq!(gate.waiting(), 1, "B still waits");
    release_a.send(()).unwrap();
    assert_eq!(b.await.unwrap().unwrap(), 2, "B ran once A's render ended");
    until(|| gate.available() == 1).await;
    assert_eq!(gate.waiting(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_that_runs_out_is_refused() {
    let gate = Arc::new(RenderGate::new(RenderLimits {
        permits: 1,
        max_waiting: 4,
        wait: Duration::from_millis(1),
    }));
    let (release, hold) = std::sync::mpsc::channel::<()>();
    let a = {
        let gate = gate.clone();
        tokio::spawn(async move {
            gate.run(move || {
                hold.recv().ok();
                Ok(())
            })
            .await
        })
    };
    until(|| gate.available() == 0).await;
    assert!(matches!(
        gate.run(|| Ok(())).await,
        Err(DocsError::Busy { .. })
    ));
    assert_eq!(gate.waiting(), 0, "the refused caller left the queue");
    release.send(()).unwrap();
    a.await.unwrap().unwrap();
}
