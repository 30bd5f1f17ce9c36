//! The mail outbox.

use kaigo_core::RepoError;
use kaigo_core::ids::MailId;
use kaigo_core::mail::NewMail;
use kaigo_core::mail::repo::MailRepo;

use crate::harness::TestDb;

fn mail(n: u32) -> NewMail {
    NewMail {
        to: format!("office{n}@example.jp"),
        subject: format!("件名{n}"),
        body: format!("本文{n}"),
        created_at: 100 + i64::from(n),
    }
}

pub async fn outbox(db: TestDb) {
    let s = &db.store;
    assert!(s.claim_mail(1_000, 1_060).await.unwrap().is_none());
    let m1 = s.enqueue_mail(&mail(1)).await.unwrap();
    let m2 = s.enqueue_mail(&mail(2)).await.unwrap();
    let m3 = s.enqueue_mail(&mail(3)).await.unwrap();

    let got = s.claim_mail(1_000, 1_060).await.unwrap().unwrap();
    assert_eq!((got.id, got.attempts), (m1, 1), "oldest first");
    assert_eq!(
        (got.to.as_str(), got.subject.as_str(), got.body.as_str()),
        ("office1@example.jp", "件名1", "本文1")
    );
    assert_eq!(s.claim_mail(1_000, 1_060).await.unwrap().unwrap().id, m2);
    assert_eq!(s.claim_mail(1_000, 1_060).await.unwrap().unwrap().id, m3);
    assert!(
        s.claim_mail(1_000, 1_060).await.unwrap().is_none(),
        "all leased"
    );

    s.mark_mail_sent(m1, 1, 1_001).await.unwrap();
    s.mark_mail_failed(m2, 1, "SMTP 451", Some(2_000))
        .await
        .unwrap();
    // m3's sender died: after its lease it is sent again.
    let again = s.claim_mail(1_061, 1_200).await.unwrap().unwrap();
    assert_eq!((again.id, again.attempts), (m3, 2));
    // The first sender, back after its lease ran out, can no longer record anything.
    assert!(matches!(
        s.mark_mail_sent(m3, 1, 1_062).await,
        Err(RepoError::Conflict(_))
    ));
    assert!(matches!(
        s.mark_mail_failed(m3, 1, "late", None).await,
        Err(RepoError::Conflict(_))
    ));
    s.mark_mail_failed(m3, 2, "SMTP 550", None).await.unwrap();
    assert!(
        s.claim_mail(1_999, 2_100).await.unwrap().is_none(),
        "m2 waits until 2000"
    );
    let retried = s.claim_mail(2_000, 2_100).await.unwrap().unwrap();
    assert_eq!((retried.id, retried.attempts), (m2, 2));
    s.mark_mail_sent(m2, 2, 2_001).await.unwrap();
    assert!(
        s.claim_mail(10_000, 10_100).await.unwrap().is_none(),
        "sent and given-up mail stay put"
    );

    assert_eq!(
        db.raw_text(&format!("SELECT state FROM mail_outbox WHERE id = {m3}"))
            .await
            .as_deref(),
        Some("failed")
    );
    assert_eq!(
        db.raw_text(&format!(
            "SELECT last_error FROM mail_outbox WHERE id = {m3}"
        ))
        .await
        .as_deref(),
        Some("SMTP 550")
    );
    assert!(matches!(
        s.mark_mail_failed(m1, 1, "late", None).await,
        Err(RepoError::Conflict(_))
    ));
    assert!(matches!(
        s.mark_mail_sent(MailId(9_999), 1, 1).await,
        Err(RepoError::NotFound)
    ));
    assert!(matches!(
        s.mark_mail_failed(MailId(9_999), 1, "x", None).await,
        Err(RepoError::NotFound)
    ));

    // m3 is the one dead letter; requeued, it is claimable with fresh attempts, once.
    let dead = s.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (dead[0].id, dead[0].attempts, dead[0].last_error.as_str()),
        (m3, 2, "SMTP 550")
    );
    assert_eq!(dead[0].to, "office3@example.jp");
    assert!(
        !s.requeue_dead_letter(m1).await.unwrap(),
        "a sent mail is no dead letter"
    );
    assert!(s.requeue_dead_letter(m3).await.unwrap());
    assert!(!s.requeue_dead_letter(m3).await.unwrap(), "requeued once");
    assert!(s.dead_letters(10).await.unwrap().is_empty());
    let back = s.claim_mail(10_000, 10_100).await.unwrap().unwrap();
    assert_eq!(
        (back.id, back.attempts, back.body.as_str()),
        (m3, 1, "本文3")
    );
}
