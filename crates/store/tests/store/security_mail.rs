//! Security addresses and one-time codes.

use kaigo_core::account::repo::{SecurityMailRepo, SessionRecord, SessionRepo};
use kaigo_core::account::security_mail::{CodePurpose, OneTimeCode, SecurityAddress};
use kaigo_core::mail::NewMail;

use crate::harness::{TestDb, office};

fn code(office_id: kaigo_core::ids::OfficeId, purpose: CodePurpose, hash: &str) -> OneTimeCode {
    OneTimeCode {
        office_id,
        purpose,
        email: "a@example.jp".into(),
        code_hash: hash.into(),
        sent_at: 100,
        expires_at: 1_000,
        attempts: 0,
    }
}

fn mail(body: &str) -> NewMail {
    NewMail {
        to: "a@example.jp".into(),
        subject: "確認コード".into(),
        body: body.into(),
        created_at: 100,
    }
}

pub async fn addresses_and_codes(db: TestDb) {
    let s = &db.store;
    let o = office(&db, 1, None).await;
    let other = office(&db, 2, None).await;
    assert_eq!(s.security_address(o.id).await.unwrap(), None);

    let a = SecurityAddress {
        office_id: o.id,
        email: "old@example.jp".into(),
        confirmed_at: 50,
    };
    s.set_security_address(&a).await.unwrap();
    assert_eq!(s.security_address(o.id).await.unwrap(), Some(a.clone()));
    assert_eq!(s.security_address(other.id).await.unwrap(), None);
    let b = SecurityAddress {
        email: "new@example.jp".into(),
        confirmed_at: 60,
        ..a
    };
    s.set_security_address(&b).await.unwrap();
    assert_eq!(s.security_address(o.id).await.unwrap(), Some(b));

    // A code and its mail are stored together.
    let c = code(o.id, CodePurpose::ConfirmAddress, "s$h1");
    s.put_one_time_code(&c, &mail("one")).await.unwrap();
    assert_eq!(
        s.one_time_code(o.id, CodePurpose::ConfirmAddress)
            .await
            .unwrap(),
        Some(c.clone())
    );
    assert_eq!(
        db.raw_i64("SELECT COUNT(*) FROM mail_outbox WHERE body = 'one'")
            .await,
        1
    );
    // Purposes and offices are independent.
    assert_eq!(
        s.one_time_code(o.id, CodePurpose::ResetPassword)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        s.one_time_code(other.id, CodePurpose::ConfirmAddress)
            .await
            .unwrap(),
        None
    );

    // Entries are reserved up to the limit; a missing code or another hash reserves nothing.
    let hash = s
        .one_time_code(o.id, CodePurpose::ConfirmAddress)
        .await
        .unwrap()
        .unwrap()
        .code_hash;
    let reserve = |purpose, hash: String| {
        let s = s.clone();
        async move {
            s.one_time_code_reserve(o.id, purpose, &hash, 2)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        reserve(CodePurpose::ConfirmAddress, hash.clone()).await,
        Some(1)
    );
    assert_eq!(
        reserve(CodePurpose::ConfirmAddress, "other".into()).await,
        None
    );
    assert_eq!(
        reserve(CodePurpose::ConfirmAddress, hash.clone()).await,
        Some(2)
    );
    assert_eq!(
        reserve(CodePurpose::ConfirmAddress, hash.clone()).await,
        None,
        "exhausted"
    );
    assert_eq!(
        reserve(CodePurpose::ResetPassword, hash.clone()).await,
        None
    );

    // A new code replaces the old one and resets the count.
    let c2 = OneTimeCode {
        code_hash: "s$h2".into(),
        sent_at: 200,
        expires_at: 1_100,
        email: "next@example.jp".into(),
        ..c.clone()
    };
    s.put_one_time_code(&c2, &mail("two")).await.unwrap();
    assert_eq!(
        s.one_time_code(o.id, CodePurpose::ConfirmAddress)
            .await
            .unwrap(),
        Some(c2.clone())
    );

    // Taking needs the current hash, and succeeds once.
    assert!(
        !s.take_one_time_code(o.id, CodePurpose::ConfirmAddress, "s$h1")
            .await
            .unwrap()
    );
    assert!(
        s.take_one_time_code(o.id, CodePurpose::ConfirmAddress, "s$h2")
            .await
            .unwrap()
    );
    assert!(
        !s.take_one_time_code(o.id, CodePurpose::ConfirmAddress, "s$h2")
            .await
            .unwrap()
    );
    assert_eq!(
        s.one_time_code(o.id, CodePurpose::ConfirmAddress)
            .await
            .unwrap(),
        None
    );
}

pub async fn concurrent_takes_succeed_once(db: TestDb) {
    let s = db.store.clone();
    let o = office(&db, 1, None).await;
    s.put_one_time_code(&code(o.id, CodePurpose::ResetPassword, "s$h"), &mail("m"))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.take_one_time_code(o.id, CodePurpose::ResetPassword, "s$h")
                .await
                .unwrap()
        }));
    }
    let mut wins = 0;
    for t in tasks {
        if t.await.unwrap() {
            wins += 1;
        }
    }
    assert_eq!(wins, 1);
}

pub async fn office_sessions_are_deleted(db: TestDb) {
    let s = &db.store;
    let o = office(&db, 1, None).await;
    let other = office(&db, 2, None).await;
    for (token, id) in [
        ("a", Some(o.id)),
        ("b", Some(o.id)),
        ("c", Some(other.id)),
        ("d", None),
    ] {
        s.insert_session(&SessionRecord {
            token_hash: token.into(),
            office_id: id,
            csrf_token: "x".into(),
            data: "{}".into(),
            created_at: 1,
            expires_at: 10_000,
        })
        .await
        .unwrap();
    }
    assert_eq!(s.delete_office_sessions(o.id).await.unwrap(), 2);
    assert!(s.session("a", 5).await.unwrap().is_none());
    assert!(s.session("b", 5).await.unwrap().is_none());
    assert!(s.session("c", 5).await.unwrap().is_some());
    assert!(s.session("d", 5).await.unwrap().is_some());
}
