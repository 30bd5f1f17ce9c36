//! What to answer, from the question alone: the best documents of the help index and of the
//! office's notices, and whether the best is clear enough to answer, close to others (then
//! the office chooses), outside the service, or not there at all.

use crate::ids::NoticeId;
use crate::inquiry::help_index::{HelpDoc, HelpIndex, Hit};
use crate::inquiry::outside::OutsideTopic;
use crate::inquiry::search::Index;

/// The best hit answers alone when it covers at least this share of the question…
pub const ANSWER_COVERAGE: f64 = 0.5;
/// …and no other hit scores within this ratio of it while covering nearly as much
/// (within [`CLOSE_COVERAGE`]).
pub const CLOSE_RATIO: f64 = 0.85;
pub const CLOSE_COVERAGE: f64 = 0.15;
/// Below this coverage a hit is not offered even as a choice.
pub const CHOICE_COVERAGE: f64 = 0.3;
/// A notice is offered when it covers this much of the question.
pub const NOTICE_COVERAGE: f64 = 0.6;
/// At most this many 「次のどれですか」 choices.
pub const MAX_CHOICES: usize = 3;

/// A notice the office may see, as the chat searches it.
#[derive(Clone, Debug)]
pub struct NoticeDoc {
    pub id: NoticeId,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    pub read: bool,
}

/// Something the chat can answer with.
#[derive(Clone, Copy, Debug)]
pub enum Candidate {
    Help(HelpDoc),
    /// An index into the notices given to [`decide`].
    Notice(usize),
}

#[derive(Clone, Debug)]
pub enum Decision {
    /// One clear answer, and notices that also match (indexes into the notices).
    Answer(HelpDoc, Vec<usize>),
    /// A notice answers best.
    Notice(usize),
    /// Unsure: the office picks (best first, at most [`MAX_CHOICES`]).
    Choose(Vec<Candidate>),
    Outside(&'static OutsideTopic),
    HandOver,
}

impl Decision {
    /// The candidates in the order the office sees them (for measuring).
    pub fn candidates(&self) -> Vec<Candidate> {
        match self {
            Self::Answer(d, _) => vec![Candidate::Help(*d)],
            Self::Notice(i) => vec![Candidate::Notice(*i)],
            Self::Choose(c) => c.clone(),
            Self::Outside(t) => vec![Candidate::Help(HelpDoc::Outside(t))],
            Self::HandOver => Vec::new(),
        }
    }
}

/// Whether `a` and `b` give the same answer: an FAQ entry and a manual section it rests on.
fn same_family(a: &HelpDoc, b: &HelpDoc) -> bool {
    match (a, b) {
        (HelpDoc::Faq(e), HelpDoc::Manual(s)) | (HelpDoc::Manual(s), HelpDoc::Faq(e)) => {
            e.manual.iter().any(|m| m == s.id)
        }
        _ => false,
    }
}

/// The notices matching the question well, best first.
fn notice_hits(question: &str, notices: &[NoticeDoc]) -> Vec<usize> {
    if notices.is_empty() {
        return Vec::new();
    }
    let texts: Vec<String> = notices
        .iter()
        .map(|n| format!("{} {} {}", n.title, n.title, n.body))
        .collect();
    Index::new(texts.iter().map(String::as_str))
        .rank(question)
        .into_iter()
        .filter(|r| r.coverage >= NOTICE_COVERAGE)
        .map(|r| r.doc)
        .take(2)
        .collect()
}

/// The ranked help documents for a question (what [`decide`] judges).
pub fn ranked(question: &str) -> Vec<Hit> {
    HelpIndex::get().rank(question)
}

pub fn decide(question: &str, notices: &[NoticeDoc]) -> Decision {
    let hits = ranked(question);
    let notices = notice_hits(question, notices);
    let Some(top) = hits.first().filter(|h| h.coverage >= CHOICE_COVERAGE) else {
        return match notices.first() {
            Some(n) => Decision::Notice(*n),
            None => Decision::HandOver,
        };
    };
    if let HelpDoc::Outside(t) = top.doc
        && top.coverage >= ANSWER_COVERAGE
    {
        return Decision::Outside(t);
    }
    let mut close: Vec<&Hit> = Vec::new();
    for h in &hits[1..] {
        if h.score < CLOSE_RATIO * top.score || close.len() + 1 >= MAX_CHOICES {
            break;
        }
        let known = std::iter::once(&top.doc).chain(close.iter().map(|c| &c.doc));
        if h.coverage >= CHOICE_COVERAGE
            && h.coverage >= top.coverage - CLOSE_COVERAGE
            && !known.clone().any(|k| same_family(k, &h.doc))
        {
            close.push(h);
        }
    }
    if top.coverage >= ANSWER_COVERAGE && close.is_empty() {
        return Decision::Answer(top.doc, notices);
    }
    // Unsure only between topics outside the service: it is outside, whichever it is.
    if let HelpDoc::Outside(t) = top.doc
        && close.iter().all(|h| matches!(h.doc, HelpDoc::Outside(_)))
    {
        return Decision::Outside(t);
    }
    let mut choices: Vec<Candidate> = std::iter::once(top)
        .chain(close)
        .map(|h| Candidate::Help(h.doc))
        .collect();
    if choices.len() < MAX_CHOICES
        && let Some(n) = notices.first()
    {
        choices.push(Candidate::Notice(*n));
    }
    Decision::Choose(choices)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_key(q: &str) -> Option<String> {
        match decide(q, &[]).candidates().first()? {
            Candidate::Help(d) => Some(d.key()),
            Candidate::Notice(_) => None,
        }
    }

    #[test]
    fn clear_questions_are_answered_and_nonsense_is_handed_over() {
        assert!(matches!(
            decide("パソコンを買い替えたので証明書を入れ直したい", &[]),
            Decision::Answer(HelpDoc::Faq(e), _) if e.id == "install-other-pc"
        ));
        assert!(matches!(decide("あいうえお", &[]), Decision::HandOver));
        assert!(matches!(decide("", &[]), Decision::HandOver));
        assert_eq!(
            first_key("返戻になった請求の理由を知りたい").as_deref(),
            Some("outside:claims")
        );
    }

    #[test]
    fn a_matching_notice_is_found() {
        let notices = [NoticeDoc {
            id: NoticeId(7),
            title: "年末年始のシステム停止について".into(),
            body: "12月29日から1月3日まで電子請求受付システムを停止します。".into(),
            created_at: 0,
            read: false,
        }];
        let d = decide("年末年始のシステム停止はいつですか", &notices);
        assert!(
            d.candidates()
                .iter()
                .any(|c| matches!(c, Candidate::Notice(0))),
            "{d:?}"
        );
    }
}
