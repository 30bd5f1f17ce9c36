//! The notice search of the list (対象, 提示開始日, キーワード).

use crate::clock::parse_date_range;

/// 対象 of the notice search. The manual's list filters by whom a notice addresses; an office
/// only ever sees notices that target it, so the choices narrow that set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum NoticeAudience {
    /// すべて
    #[default]
    Any,
    /// 全事業所向け (target all)
    All,
    /// 都道府県向け (target the office's prefecture)
    Prefecture,
    /// 自事業所あて (target this office alone)
    Office,
}

impl NoticeAudience {
    pub const ALL: [Self; 4] = [Self::Any, Self::All, Self::Prefecture, Self::Office];
    pub fn code(self) -> &'static str {
        match self {
            Self::Any => "any",
            Self::All => "all",
            Self::Prefecture => "prefecture",
            Self::Office => "office",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Any => "すべて",
            Self::All => "全事業所向け",
            Self::Prefecture => "都道府県向け",
            Self::Office => "自事業所あて",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == s)
    }
}

/// The search of the notice list. Times are Unix seconds; `start_to` is exclusive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoticeQuery {
    pub audience: NoticeAudience,
    /// 提示開始日 from (inclusive).
    pub start_from: Option<i64>,
    /// 提示開始日 to (exclusive: the start of the day after the "to" date).
    pub start_to: Option<i64>,
    /// キーワード, searched in title and body. Matching ignores ASCII case; the store also tries
    /// the NFKC form of the keyword so that full-width ASCII input finds half-width text.
    pub keyword: Option<String>,
}

impl NoticeQuery {
    /// The LIKE patterns (lower case, wildcards escaped with `\\`) for the keyword: as typed and,
    /// if different, in NFKC form. Empty without a keyword.
    pub fn keyword_patterns(&self) -> Vec<String> {
        use unicode_normalization::UnicodeNormalization;
        let Some(k) = self.keyword.as_deref() else {
            return Vec::new();
        };
        let escape = |s: &str| {
            let mut out = String::from("%");
            for c in s.to_lowercase().chars() {
                if matches!(c, '%' | '_' | '\\') {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('%');
            out
        };
        let raw = escape(k);
        let nfkc = escape(&k.nfkc().collect::<String>());
        if raw == nfkc {
            vec![raw]
        } else {
            vec![raw, nfkc]
        }
    }
}

/// Longest キーワード accepted.
pub const MAX_KEYWORD_CHARS: usize = 100;
/// The raw search form, as typed.
#[derive(Clone, Debug, Default)]
pub struct NoticeSearchInput {
    pub audience: String,
    pub from: String,
    pub to: String,
    pub keyword: String,
}

impl NoticeSearchInput {
    /// Validates the form. Errors are Japanese messages for the page, all of them at once.
    pub fn parse(&self) -> Result<NoticeQuery, Vec<String>> {
        let mut errors = Vec::new();
        let audience = if self.audience.is_empty() {
            NoticeAudience::Any
        } else {
            NoticeAudience::from_code(&self.audience).unwrap_or_else(|| {
                errors.push("対象の選択が正しくありません。".to_owned());
                NoticeAudience::Any
            })
        };
        let range = parse_date_range("提示開始日", &self.from, &self.to, &mut errors);
        let start_from = range.from;
        // The store compares with an exclusive end.
        let start_to = range.to.map(|t| t + 1);
        let keyword = self.keyword.trim();
        if keyword.chars().count() > MAX_KEYWORD_CHARS {
            errors.push(format!(
                "キーワードは{MAX_KEYWORD_CHARS}文字以内で入力してください。"
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NoticeQuery {
            audience,
            start_from,
            start_to,
            keyword: (!keyword.is_empty()).then(|| keyword.to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_patterns_escape() {
        let q = |k: &str| NoticeQuery {
            keyword: Some(k.into()),
            ..Default::default()
        };
        assert_eq!(q("100%_a\\").keyword_patterns(), vec!["%100\\%\\_a\\\\%"]);
        assert_eq!(q("ＰＫＩ").keyword_patterns(), vec!["%ｐｋｉ%", "%pki%"]);
        assert!(NoticeQuery::default().keyword_patterns().is_empty());
    }

    #[test]
    fn search_input() {
        let ok = NoticeSearchInput {
            audience: "office".into(),
            from: "2026-04-01".into(),
            to: "2026-04-01".into(),
            keyword: " 証明書 ".into(),
        }
        .parse()
        .unwrap();
        assert_eq!(ok.audience, NoticeAudience::Office);
        assert_eq!(ok.start_to.unwrap() - ok.start_from.unwrap(), 86_400);
        assert_eq!(ok.keyword.as_deref(), Some("証明書"));
        let bad = NoticeSearchInput {
            audience: "x".into(),
            from: "2026-13-01".into(),
            to: "".into(),
            keyword: "".into(),
        }
        .parse()
        .unwrap_err();
        assert_eq!(bad.len(), 2);
        let order = NoticeSearchInput {
            from: "2026-04-02".into(),
            to: "2026-04-01".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        assert!(order[0].contains("開始日以降"));
    }
}
