//! The AIチャット's question log: inserts, the console's grouped list of unanswered questions,
//! the hourly count and the purge.

use kaigo_core::assist::ReplyKind;
use kaigo_core::assist::repo::{AssistRepo, NewAssistQuestion};

use crate::harness::TestDb;

fn q(at: i64, text: &str, outcome: ReplyKind, logged_in: bool) -> NewAssistQuestion {
    NewAssistQuestion {
        asked_at: at,
        question: text.to_owned(),
        outcome,
        answer_key: Some("faq:pw-lost".to_owned()),
        logged_in,
    }
}

pub async fn log_groups_counts_and_purges(db: TestDb) {
    let s = &db.store;
    s.insert_assist_question(&q(3600, "あいう", ReplyKind::HandOver, false))
        .await
        .unwrap();
    s.insert_assist_question(&q(7200, "あいう", ReplyKind::HandOver, true))
        .await
        .unwrap();
    s.insert_assist_question(&q(7200, "パスワード忘れた", ReplyKind::Choices, false))
        .await
        .unwrap();
    s.insert_assist_question(&q(7200, "証明書の更新", ReplyKind::Answer, true))
        .await
        .unwrap();
    let list = s.unanswered_assist_questions(0, 10, 0).await.unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list[0].question, "あいう");
    assert_eq!(list[0].count, 2);
    assert_eq!(list[0].asked_at, 7200);
    assert!(list[0].logged_in, "asked after login at least once");
    assert_eq!(list[1].question, "パスワード忘れた");
    assert_eq!(list[1].count, 1);
    assert_eq!(list[1].answer_key.as_deref(), Some("faq:pw-lost"));
    assert_eq!(s.count_unanswered_assist_questions(0).await.unwrap(), 2);
    assert_eq!(s.count_unanswered_assist_questions(7200).await.unwrap(), 2);
    assert_eq!(
        s.unanswered_assist_questions(0, 1, 1).await.unwrap().len(),
        1
    );
    assert_eq!(s.count_assist_questions_since(7200).await.unwrap(), 3);
    assert_eq!(s.purge_assist_questions(7200).await.unwrap(), 1);
    assert_eq!(s.count_assist_questions_since(0).await.unwrap(), 3);
    assert_eq!(
        s.unanswered_assist_questions(0, 10, 0).await.unwrap()[0].count,
        1
    );
}
