//! Ranked retrieval over short Japanese texts without a dictionary: both sides are folded
//! (NFKC, lower case, katakana → hiragana), cut into character bigrams (a one-character word
//! stays a unigram), and scored with BM25. Bigrams made only of hiragana that were hiragana
//! in the original (particles and endings: 「ので」「ですか」) count for the score but not for
//! a match: a text matches a query word when it holds at least half of that word's other
//! ("content") bigrams, and every word of the query must match.

use std::collections::{HashMap, HashSet};

use unicode_normalization::UnicodeNormalization;

/// One gram of folded text and whether it carries content.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Gram {
    text: String,
    content: bool,
}

/// Hiragana, and the long-vowel mark 「ー」 (which both kana use), so that a word typed in
/// hiragana and the same word in katakana are cut the same way.
fn is_hiragana(c: char) -> bool {
    ('\u{3041}'..='\u{309F}').contains(&c) || c == 'ー'
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

/// Folded characters with a flag "was hiragana before folding".
fn folded(text: &str) -> Vec<(char, bool)> {
    text.nfkc()
        .flat_map(char::to_lowercase)
        .map(|c| {
            let was_hiragana = is_hiragana(c);
            let c = match c {
                '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
                _ => c,
            };
            (c, was_hiragana)
        })
        .collect()
}

/// The grams of one run of characters without separators.
fn run_grams(run: &[(char, bool)], out: &mut Vec<Gram>) {
    match run.len() {
        0 => {}
        1 => out.push(Gram {
            text: run[0].0.to_string(),
            content: !run[0].1,
        }),
        _ => {
            for w in run.windows(2) {
                out.push(Gram {
                    text: [w[0].0, w[1].0].iter().collect(),
                    content: !(w[0].1 && w[1].1),
                });
            }
        }
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
        let n = self.docs.len() as f64;
        let mut hits: Vec<(usize, f64)> = (0..self.docs.len())
            .filter(|&d| query.iter().all(|word| self.matches(d, word)))
            .map(|d| {
                let tf = &self.docs[d];
                let len = self.lengths[d];
                let distinct: HashSet<&str> =
                    query.iter().flatten().map(|g| g.text.as_str()).collect();
                let score = distinct
                    .into_iter()
                    .filter_map(|g| {
                        let f = *tf.get(g)?;
                        let df = self.df.get(g).copied().unwrap_or(0.0);
                        let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
                        Some(idf * f * (K1 + 1.0) / (f + K1 * (1.0 - B + B * len / self.average)))
                    })
                    .sum();
                (d, score)
            })
            .collect();
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        hits
    }

    /// Whether document `d` holds at least half of the word's content grams (all of them
    /// for a word of one or two content grams… at least one in any case).
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
