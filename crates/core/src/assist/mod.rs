//! The AIチャット of お問い合わせ: it picks a reviewed answer — never writes one — from the
//! help index (FAQ, manual sections, topics outside the service) and the notices the office
//! may see, adds the logged-in office's own state in reviewed sentences, cites every source,
//! offers at most three choices when unsure, and hands over to the form or the phone.
//!
//! `decide` chooses what to answer from the question alone; `facts` writes the office's state;
//! `compose` puts the reply together; `service` reads the state through the logged-in office
//! and logs the question with personal data removed (`redact`); `eval` measures the whole
//! against the question set in `help/eval.toml`.

pub mod compose;
pub mod decide;
pub mod eval;
pub mod facts;
pub mod redact;
pub mod repo;
pub mod service;
pub mod state;

use serde::{Deserialize, Serialize};

/// The longest question accepted (characters); a longer one is cut there.
pub const MAX_QUESTION_CHARS: usize = 200;

/// What kind of reply the chat gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyKind {
    /// One answer, with its sources.
    Answer,
    /// 「次のどれですか」: up to three candidates to pick from.
    Choices,
    /// Nothing fits: the form and the phone.
    HandOver,
    /// A question outside the service: who answers it.
    Outside,
}

impl ReplyKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Answer => "answer",
            Self::Choices => "choices",
            Self::HandOver => "handover",
            Self::Outside => "outside",
        }
    }
}

/// A link shown with a reply: a page of the portal or a cited source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub label: String,
    pub href: String,
}

/// One of the 「次のどれですか」 candidates; `key` is what the office sends back to pick it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub key: String,
    pub label: String,
}

/// A reply of the chat: every sentence comes from a reviewed text or a reviewed template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub kind: ReplyKind,
    /// The question answered (the FAQ's own question, the section's title), if any.
    pub heading: String,
    pub paragraphs: Vec<String>,
    /// This office's state, each a sentence (empty before login).
    pub facts: Vec<String>,
    /// Where to go next in the portal.
    pub links: Vec<Link>,
    /// The texts the answer comes from.
    pub sources: Vec<Link>,
    pub choices: Vec<Choice>,
    /// The key of the answered document (`faq:…`, `manual:…`, `notice:…`, `outside:…`).
    pub key: Option<String>,
}
