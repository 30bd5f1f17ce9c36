//! Ranked retrieval over short Japanese texts without a dictionary: both sides are folded
//! (NFKC, lower case, katakana → hiragana), cut into character bigrams (a character standing
//! alone in its script stays a unigram), and scored with BM25. Only grams within one script
//! of kanji, katakana or letters and digits carry content; hiragana (particles, endings:
//! 「ので」「ですか」) and grams across a change of script count for the score but not for a
//! match. A text matches a query word when it holds at least half of that word's content
//! grams; [`Index::search`] wants every word to match, [`Index::rank`] reports how much of
//! the query each text covers.

use std::collections::{HashMap, HashSet};

use unicode_normalization::UnicodeNormalization;

/// One gram of folded text and whether it carries content.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Gram {
    text: String,
    content: bool,
}

/// The script of a character as typed: a bigram within one script (other than hiragana) is
/// part of a word; one across a change of script mostly spans a word boundary
/// (「パスワードを」「用パ」), and hiragana alone are particles and endings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Script {
    Hiragana,
    Katakana,
    Kanji,
    Alnum,
    Other,
}

fn script(c: char) -> Script {
    match c {
        '\u{3041}'..='\u{309F}' => Script::Hiragana,
        '\u{30A1}'..='\u{30FA}' | '\u{30FD}'..='\u{30FF}' => Script::Katakana,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '々' => Script::Kanji,
        c if c.is_ascii_alphanumeric() => Script::Alnum,
        _ => Script::Other,
    }
}

/// Whether a gram within one script carries content.
fn is_content(s: Script) -> bool {
    matches!(s, Script::Katakana | Script::Kanji | Script::Alnum)
}

/// Characters that separate words inside a query or text (punctuation, symbols, spaces).
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || c.is_ascii_punctuation()
        || matches!(
            c,
            '、' | '。'
                | '？'
                | '！'
                | '「'
                | '」'
                | '（'
                | '）'
                | '・'
                | '【'
                | '】'
                | '：'
                | '…'
        )
}

/// Folded characters with the script each had as typed. The long-vowel mark 「ー」 takes
/// the script of the character before it, so 「ぱすわーど」 and 「パスワード」 fold to the same
/// text (the first without content grams, matched by all its grams instead).
fn folded(text: &str) -> Vec<(char, Script)> {
    let mut prev = Script::Katakana;
    text.nfkc()
        .flat_map(char::to_lowercase)
        .map(|c| {
            let s = if c == 'ー' { prev } else { script(c) };
            prev = s;
            (to_hiragana(c), s)
        })
        .collect()
}

/// ァ (U+30A1) .. ヶ (U+30F6) onto ぁ (U+3041) .. ゖ (U+3096); anything else unchanged.
fn to_hiragana(c: char) -> char {
    match c {
        '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
        _ => c,
    }
}

/// The characters of `text` folded as the index folds them: NFKC, lower case, katakana →
/// hiragana.
pub fn fold_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.nfkc().flat_map(char::to_lowercase).map(to_hiragana)
}

/// The grams of one run of characters without separators: every bigram (content when both
/// characters share a content script), and a unigram for a content character standing alone
/// in its script (「何」 in 「って何」, the 「7」 of 「7-zip」).
fn run_grams(run: &[(char, Script)], out: &mut Vec<Gram>) {
    for (i, (c, s)) in run.iter().enumerate() {
        let same_before = i > 0 && run[i - 1].1 == *s;
        let same_after = i + 1 < run.len() && run[i + 1].1 == *s;
        if !same_before && !same_after && (is_content(*s) || run.len() == 1) {
            out.push(Gram {
                text: c.to_string(),
                content: is_content(*s) && !c.is_ascii_digit(),
            });
        }
    }
    for w in run.windows(2) {
        // Digits alone (「3回」, a 事業所番号 typed in a question) do not say what it is about.
        let digits = w[0].0.is_ascii_digit() && w[1].0.is_ascii_digit();
        out.push(Gram {
            text: [w[0].0, w[1].0].iter().collect(),
            content: w[0].1 == w[1].1 && is_content(w[0].1) && !digits,
        });
    }
}

/// The grams of each white-space separated word of `text`.
fn words(text: &str) -> Vec<Vec<Gram>> {
    text.split_whitespace()
        .map(|word| {
            let chars = folded(word);
            let mut grams = Vec::new();
            for run in chars.split(|(c, _)| is_separator(*c)) {
                run_grams(run, &mut grams);
            }
            grams
        })
        .filter(|g| !g.is_empty())
        .collect()
}

/// The distinct grams of a query, each with whether it carries content (a gram that is
/// content anywhere in the query counts as content).
fn distinct_grams(query: &[Vec<Gram>]) -> Vec<(&str, bool)> {
    let mut out: Vec<(&str, bool)> = Vec::new();
    for g in query.iter().flatten() {
        match out.iter_mut().find(|(t, _)| *t == g.text) {
            Some(entry) => entry.1 |= g.content,
            None => out.push((&g.text, g.content)),
        }
    }
    out
}

/// One document of [`Index::rank`].
#[derive(Clone, Copy, Debug)]
pub struct Ranked {
    pub doc: usize,
    pub score: f64,
    /// The share of the query's content grams, weighted by how rare each is, that the
    /// document holds (0..=1): low when most of the question is not in the document.
    pub coverage: f64,
}

/// A BM25 index over a fixed set of documents.
pub struct Index {
    docs: Vec<HashMap<String, f64>>,
    lengths: Vec<f64>,
    average: f64,
    df: HashMap<String, f64>,
}

const K1: f64 = 1.2;
const B: f64 = 0.75;

impl Index {
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut docs = Vec::new();
        let mut lengths = Vec::new();
        let mut df: HashMap<String, f64> = HashMap::new();
        for text in texts {
            let mut tf: HashMap<String, f64> = HashMap::new();
            let mut n = 0.0;
            for g in words(text).into_iter().flatten() {
                *tf.entry(g.text).or_default() += 1.0;
                n += 1.0;
            }
            for g in tf.keys() {
                *df.entry(g.clone()).or_default() += 1.0;
            }
            docs.push(tf);
            lengths.push(n);
        }
        let average = lengths.iter().sum::<f64>() / (lengths.len().max(1) as f64);
        Self {
            docs,
            lengths,
            average: average.max(1.0),
            df,
        }
    }

    /// Documents matching every word of `query`, best first, with their scores. An empty
    /// query matches nothing (callers show everything then).
    pub fn search(&self, query: &str) -> Vec<(usize, f64)> {
        let query = words(query);
        if query.is_empty() {
            return Vec::new();
        }
        let distinct = distinct_grams(&query);
        let mut hits: Vec<(usize, f64)> = (0..self.docs.len())
            .filter(|&d| query.iter().all(|word| self.matches(d, word)))
            .map(|d| (d, self.score(d, &distinct)))
            .collect();
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        hits
    }

    /// Every document sharing a gram with `query`, best first, without the all-words rule:
    /// for a question typed as a sentence, where the caller judges the best hit by its
    /// [`Ranked::coverage`].
    pub fn rank(&self, query: &str) -> Vec<Ranked> {
        let query = words(query);
        let distinct = distinct_grams(&query);
        let content: Vec<&str> = {
            let c: Vec<&str> = distinct
                .iter()
                .filter(|(_, content)| *content)
                .map(|(g, _)| *g)
                .collect();
            if c.is_empty() {
                distinct.iter().map(|(g, _)| *g).collect()
            } else {
                c
            }
        };
        let total: f64 = content.iter().map(|g| self.idf(g)).sum();
        let mut hits: Vec<Ranked> = (0..self.docs.len())
            .filter_map(|d| {
                let score = self.score(d, &distinct);
                (score > 0.0).then(|| {
                    let held: f64 = content
                        .iter()
                        .filter(|g| self.docs[d].contains_key(**g))
                        .map(|g| self.idf(g))
                        .sum();
                    Ranked {
                        doc: d,
                        score,
                        coverage: if total > 0.0 { held / total } else { 0.0 },
                    }
                })
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.doc.cmp(&b.doc)));
        hits
    }

    fn idf(&self, gram: &str) -> f64 {
        let n = self.docs.len() as f64;
        let df = self.df.get(gram).copied().unwrap_or(0.0);
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
    }

    /// BM25 of document `d` for the query's distinct grams.
    fn score(&self, d: usize, distinct: &[(&str, bool)]) -> f64 {
        let tf = &self.docs[d];
        let len = self.lengths[d];
        distinct
            .iter()
            .filter_map(|(g, _)| {
                let f = *tf.get(*g)?;
                Some(self.idf(g) * f * (K1 + 1.0) / (f + K1 * (1.0 - B + B * len / self.average)))
            })
            .sum()
    }

    /// Whether document `d` holds at least half of the word's content grams, and at least one
    /// (a word without content grams is judged by all its grams).
    fn matches(&self, d: usize, word: &[Gram]) -> bool {
        let content: HashSet<&str> = word
            .iter()
            .filter(|g| g.content)
            .map(|g| g.text.as_str())
            .collect();
        let grams: HashSet<&str> = if content.is_empty() {
            word.iter().map(|g| g.text.as_str()).collect()
        } else {
            content
        };
        let found = grams
            .iter()
            .filter(|g| self.docs[d].contains_key(**g))
            .count();
        found > 0 && found * 2 >= grams.len()
    }
}
