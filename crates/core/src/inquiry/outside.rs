//! Questions outside the certificate service (`help/outside.toml`): the AIチャット names who
//! answers them instead of answering.

use std::sync::LazyLock;

use serde::Deserialize;

/// Who answers a question outside the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Contact {
    /// The office's own 国保連合会.
    Kokuhoren,
    /// The 保険者 (市町村) or the 指定権者 (都道府県・市町村).
    Insurer,
    /// The maker of the office's claim software.
    Vendor,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutsideTopic {
    pub id: String,
    pub label: String,
    pub contact: Contact,
    pub phrasings: Vec<String>,
}

impl OutsideTopic {
    pub fn search_text(&self) -> String {
        format!("{} {}", self.label, self.phrasings.join(" "))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutsideFile {
    topic: Vec<OutsideTopic>,
}

/// The topics of `help/outside.toml` (compiled in; the tests hold it well-formed).
pub fn topics() -> &'static [OutsideTopic] {
    static TOPICS: LazyLock<Vec<OutsideTopic>> = LazyLock::new(|| {
        toml::from_str::<OutsideFile>(include_str!("../../help/outside.toml"))
            .map(|f| f.topic)
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "help/outside.toml does not parse");
                Vec::new()
            })
    });
    &TOPICS
}

pub fn topic(id: &str) -> Option<&'static OutsideTopic> {
    topics().iter().find(|t| t.id == id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_file_parses_with_a_topic_per_contact() {
        let t = super::topics();
        for c in [
            super::Contact::Kokuhoren,
            super::Contact::Insurer,
            super::Contact::Vendor,
        ] {
            assert!(t.iter().any(|x| x.contact == c && x.phrasings.len() >= 5));
        }
    }
}
