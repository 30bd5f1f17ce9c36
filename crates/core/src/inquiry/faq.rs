//! FAQ (よくある質問): the entries of `help/faq.toml` and the search over them.
//!
//! Both the query and the text are folded the same way: NFKC (full-width ASCII and half-width
//! katakana become their usual forms), lower case, and katakana → hiragana. So 「ＰＫＣＳ」,
//! 「pkcs」, 「ﾊﾟｽﾜｰﾄﾞ」, 「パスワード」 and 「ぱすわーど」 find the same entries.

use std::sync::LazyLock;

use serde::Deserialize;

use super::state_fact::StateFact;

/// Folds text for matching: NFKC, lower case, katakana to hiragana (the search's own
/// folding, [`super::search::fold_chars`]), spaces dropped.
pub fn fold(text: &str) -> String {
    super::search::fold_chars(text)
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// One question and its answer (paragraphs separated by blank lines).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaqEntry {
    pub id: String,
    pub topic: String,
    pub question: String,
    answer: String,
    /// Other ways staff ask the same question (searched, not shown).
    #[serde(default)]
    pub phrasings: Vec<String>,
    /// Pages of the portal the answer points to: (label, path).
    #[serde(default)]
    pub links: Vec<(String, String)>,
    /// Anchors of the manual sections the answer rests on.
    #[serde(default)]
    pub manual: Vec<String>,
    /// What of the office's own state the AIチャット adds to this answer.
    #[serde(default)]
    pub state: Vec<StateFact>,
}

impl FaqEntry {
    /// The answer's paragraphs.
    pub fn paragraphs(&self) -> impl Iterator<Item = &str> {
        self.answer
            .trim()
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
    }

    /// The entry's place on the FAQ page.
    pub fn href(&self) -> String {
        format!("/faq#faq-{}", self.id)
    }

    /// What the search reads: the question and each phrasing twice (they say what the entry
    /// is about), the topic and the answer.
    pub fn search_text(&self) -> String {
        let mut parts = vec![self.topic.as_str(), &self.question, &self.question];
        parts.extend(self.phrasings.iter().map(String::as_str));
        parts.extend(self.phrasings.iter().map(String::as_str));
        parts.push(&self.answer);
        parts.join(" ")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaqFile {
    entry: Vec<FaqEntry>,
}

/// The FAQ, in the order of `help/faq.toml` (compiled in; the tests hold it well-formed).
pub fn entries() -> &'static [FaqEntry] {
    static ENTRIES: LazyLock<Vec<FaqEntry>> = LazyLock::new(|| {
        toml::from_str::<FaqFile>(include_str!("../../help/faq.toml"))
            .map(|f| f.entry)
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "help/faq.toml does not parse; the FAQ is empty");
                Vec::new()
            })
    });
    &ENTRIES
}

/// The entry with this id.
pub fn entry(id: &str) -> Option<&'static FaqEntry> {
    entries().iter().find(|e| e.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_case_and_kana() {
        assert_eq!(fold("ＰＫＣＳ１２"), "pkcs12");
        assert_eq!(fold("ﾊﾟｽﾜｰﾄﾞ"), fold("パスワード"));
        assert_eq!(fold("パスワード"), "ぱすわーど");
        assert_eq!(fold("Ｚｉｐ"), "zip");
    }
}
