//! The FAQ page's search: the help index the AIチャット uses, limited to FAQ entries, with
//! every word of the query required.

use super::faq::{FaqEntry, entries};
use super::help_index::{HelpDoc, HelpIndex};

/// Entries matching `query`, best first (ranked retrieval over the help index, the one the
/// AIチャット uses); every white-space separated word must match. An empty query returns all
/// entries in their order.
pub fn search(query: &str) -> Vec<&'static FaqEntry> {
    if query.trim().is_empty() {
        return entries().iter().collect();
    }
    HelpIndex::get()
        .search(query)
        .into_iter()
        .filter_map(|hit| match hit.doc {
            HelpDoc::Faq(e) => Some(e),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(q: &str) -> Vec<&'static str> {
        search(q).into_iter().map(|e| e.id.as_str()).collect()
    }

    #[test]
    fn variants_find_the_same_entries() {
        let base = ids("パスワード");
        assert!(base.len() >= 3);
        assert_eq!(ids("ﾊﾟｽﾜｰﾄﾞ"), base);
        assert_eq!(ids("ぱすわーど"), base);
        assert_eq!(ids("ＺＩＰ"), ids("zip"));
        assert!(ids("zip").contains(&"pw-zip"));
        assert_eq!(ids("７－ｚｉｐ"), ids("7-Zip"));
        assert!(ids("ｅ－ｓｅｉｋｙｕｕ").contains(&"install-check"));
    }

    #[test]
    fn questions_as_staff_type_them_find_their_answer_first() {
        for (q, want) in [
            (
                "証明書発行用パスワードを忘れてしまったのですが、どうすればいいですか？",
                "pw-lost",
            ),
            ("ログインのパスワードを忘れた", "pw-login-lost"),
            (
                "パソコンを買い替えたら証明書はどうなりますか",
                "install-other-pc",
            ),
            ("介護DX証明書と介護保険証明書はどう違うの", "cert-kinds"),
            ("証明書の有効期限が近い", "cert-renew"),
        ] {
            let got = ids(q);
            assert_eq!(got.first().copied(), Some(want), "{q}: {got:?}");
        }
    }

    #[test]
    fn words_and_empty_query() {
        assert_eq!(search("").len(), entries().len());
        assert_eq!(ids("インストール　ウィザード"), vec!["install-steps"]);
        assert!(ids("存在しない語句").is_empty());
    }
}
