//! One search index over everything the portal has written for offices: the FAQ (with its
//! phrasings), the manual's sections and the topics outside the service. The FAQ page searches
//! it with every word required; the AIチャット ranks it and judges the best hit itself.

use std::sync::LazyLock;

use super::faq::{self, FaqEntry};
use super::manual::{self, ManualSection};
use super::outside::{self, OutsideTopic};
use super::search::Index;

/// A document of the index.
#[derive(Clone, Copy, Debug)]
pub enum HelpDoc {
    Faq(&'static FaqEntry),
    Manual(&'static ManualSection),
    Outside(&'static OutsideTopic),
}

impl HelpDoc {
    /// A stable key: `faq:<id>`, `manual:<anchor>` or `outside:<id>`.
    pub fn key(&self) -> String {
        match self {
            Self::Faq(e) => format!("faq:{}", e.id),
            Self::Manual(s) => format!("manual:{}", s.id),
            Self::Outside(t) => format!("outside:{}", t.id),
        }
    }

    /// The document a key names, if it exists.
    pub fn from_key(key: &str) -> Option<Self> {
        let (kind, id) = key.split_once(':')?;
        match kind {
            "faq" => faq::entry(id).map(Self::Faq),
            "manual" => manual::section(id).map(Self::Manual),
            "outside" => outside::topic(id).map(Self::Outside),
            _ => None,
        }
    }

    /// How the document is named in a list of choices.
    pub fn title(&self) -> String {
        match self {
            Self::Faq(e) => e.question.clone(),
            Self::Manual(s) => format!("マニュアル「{}」", s.title),
            Self::Outside(t) => format!("{}について", t.label),
        }
    }
}

/// A document with its score and how much of the question it covers.
#[derive(Clone, Copy, Debug)]
pub struct Hit {
    pub doc: HelpDoc,
    pub score: f64,
    pub coverage: f64,
}

pub struct HelpIndex {
    docs: Vec<HelpDoc>,
    index: Index,
}

impl HelpIndex {
    /// The index, built once from the compiled-in texts.
    pub fn get() -> &'static Self {
        static INDEX: LazyLock<HelpIndex> = LazyLock::new(HelpIndex::build);
        &INDEX
    }

    fn build() -> Self {
        let mut docs = Vec::new();
        let mut texts = Vec::new();
        for e in faq::entries() {
            docs.push(HelpDoc::Faq(e));
            texts.push(e.search_text());
        }
        for s in manual::SECTIONS {
            docs.push(HelpDoc::Manual(s));
            texts.push(s.text());
        }
        for t in outside::topics() {
            docs.push(HelpDoc::Outside(t));
            texts.push(t.search_text());
        }
        let index = Index::new(texts.iter().map(String::as_str));
        Self { docs, index }
    }

    /// Documents holding every word of `query`, best first.
    pub fn search(&self, query: &str) -> Vec<Hit> {
        self.index
            .search(query)
            .into_iter()
            .map(|(d, score)| Hit {
                doc: self.docs[d],
                score,
                coverage: 1.0,
            })
            .collect()
    }

    /// Documents sharing anything with `query`, best first, with their coverage.
    pub fn rank(&self, query: &str) -> Vec<Hit> {
        self.index
            .rank(query)
            .into_iter()
            .map(|r| Hit {
                doc: self.docs[r.doc],
                score: r.score,
                coverage: r.coverage,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The portal's pages an answer may link to (the routes of kaigo-web's router).
    const PORTAL_PAGES: &[&str] = &[
        "/login",
        "/top",
        "/notices",
        "/documents",
        "/faq",
        "/manual",
        "/downloads",
        "/certificate",
        "/dx",
        "/settings",
        "/check",
        "/inquiry",
        "/password/forgot",
        "/issuance-password/about",
    ];

    #[test]
    fn keys_round_trip_and_every_reference_exists() {
        for s in manual::SECTIONS {
            for (_, path) in s.see {
                assert!(PORTAL_PAGES.contains(path), "{}: {path}", s.id);
            }
        }
        let index = HelpIndex::get();
        for d in &index.docs {
            assert_eq!(HelpDoc::from_key(&d.key()).map(|x| x.key()), Some(d.key()));
        }
        assert!(HelpDoc::from_key("faq:nope").is_none());
        assert!(HelpDoc::from_key("notice:1").is_none());
        let mut ids: Vec<&str> = faq::entries().iter().map(|e| e.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), faq::entries().len(), "FAQ ids repeat");
        for e in faq::entries() {
            for m in &e.manual {
                assert!(
                    manual::section(m).is_some(),
                    "{}: no manual section {m}",
                    e.id
                );
            }
            for (label, path) in &e.links {
                assert!(
                    path.starts_with('/') && !label.is_empty(),
                    "{}: {path}",
                    e.id
                );
            }
            assert!(e.paragraphs().count() >= 1, "{}", e.id);
        }
    }
}
