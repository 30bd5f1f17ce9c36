//! Notices as the admin console sees them (issue 4 §4): author, withdrawal (取下げ), and the
//! fields an edit may change.

use crate::notice::{Notice, NoticeCategory, NoticeTarget};

/// A stored notice with its console fields.
#[derive(Clone, Debug)]
pub struct AdminNotice {
    pub notice: Notice,
    pub created_by: String,
    pub withdrawn_at: Option<i64>,
    pub withdrawn_by: Option<String>,
}

/// What an edit replaces.
#[derive(Clone, Debug)]
pub struct NoticeEdit {
    pub category: NoticeCategory,
    pub title: String,
    pub body: String,
    pub target: NoticeTarget,
    pub start_at: i64,
    pub end_at: Option<i64>,
    pub updated_at: i64,
}

/// A date a form requires (see [`crate::clock::parse_jst_date`]), from the year 2000 on, as
/// JST midnight; `label` names the field in the Japanese message.
pub fn parse_jst_date(
    raw: &str,
    field: &'static str,
    label: &str,
) -> Result<i64, crate::error::ValidationError> {
    // 2000-01-01 00:00 JST: earlier dates are typing mistakes in every form that asks.
    const Y2000: i64 = 946_652_400;
    crate::clock::parse_jst_date(raw)
        .filter(|t| *t >= Y2000)
        .ok_or_else(|| {
            crate::error::ValidationError::new(
                field,
                format!("{label}は「2026-04-01」の形式で入力してください。"),
            )
        })
}

/// A stored time as the date input shows it, `YYYY-MM-DD` (JST).
pub fn date_input(unix: i64) -> String {
    crate::clock::jst_date(unix).replace('/', "-")
}

/// A piece of a notice body line: text, or an http(s) URL to show as a link. Both are
/// escaped by the template; only `http://` and `https://` URLs become links.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodySegment {
    pub text: String,
    pub link: bool,
}

/// Splits a body line into text and http(s) links. A URL ends at whitespace, a non-ASCII
/// character or one of `<>"'`; trailing punctuation (`.,)`…) stays text.
pub fn linkify(line: &str) -> Vec<BodySegment> {
    let mut out = Vec::new();
    let mut rest = line;
    loop {
        let next = ["https://", "http://"]
            .iter()
            .filter_map(|p| rest.find(p))
            .min();
        let Some(start) = next else { break };
        let tail = &rest[start..];
        let mut end = tail
            .find(|c: char| {
                c.is_whitespace()
                    || !c.is_ascii()
                    || c.is_ascii_control()
                    || matches!(c, '<' | '>' | '"' | '\'' | '`')
            })
            .unwrap_or(tail.len());
        while end > 0 && tail[..end].ends_with(['.', ',', ')', ';', ':', '!', '?']) {
            end -= 1;
        }
        let url = &tail[..end];
        let scheme_only = url == "https://" || url == "http://";
        if scheme_only {
            out.push(BodySegment {
                text: rest[..start + end.max(1)].to_owned(),
                link: false,
            });
            rest = &rest[start + end.max(1)..];
            continue;
        }
        if start > 0 {
            out.push(BodySegment {
                text: rest[..start].to_owned(),
                link: false,
            });
        }
        out.push(BodySegment {
            text: url.to_owned(),
            link: true,
        });
        rest = &tail[end..];
    }
    if !rest.is_empty() {
        out.push(BodySegment {
            text: rest.to_owned(),
            link: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links() {
        let l = linkify("詳細は https://example.jp/a?b=1&c=2。または http://x.jp/. です");
        assert_eq!(
            l.iter()
                .filter(|s| s.link)
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>(),
            vec!["https://example.jp/a?b=1&c=2", "http://x.jp/"]
        );
        assert_eq!(
            l.iter().map(|s| s.text.as_str()).collect::<String>(),
            "詳細は https://example.jp/a?b=1&c=2。または http://x.jp/. です"
        );
        assert!(linkify("javascript:alert(1)").iter().all(|s| !s.link));
        assert!(linkify("https://\"><script>").iter().all(|s| !s.link));
        assert_eq!(
            linkify("https://a.jp\"onmouseover=x")[0].text,
            "https://a.jp"
        );
        assert!(linkify("").is_empty());
    }

    #[test]
    fn dates() {
        // 2026-04-01 00:00 JST
        assert_eq!(
            parse_jst_date("2026-04-01", "d", "日付").unwrap(),
            1_774_969_200
        );
        assert_eq!(
            parse_jst_date(" 2026/4/1 ", "d", "日付").unwrap(),
            1_774_969_200
        );
        assert_eq!(date_input(1_774_969_200), "2026-04-01");
        for bad in [
            "",
            "2026-02-30",
            "2026-13-01",
            "abc",
            "2026-04-01-1",
            "1999-01-01",
        ] {
            let e = parse_jst_date(bad, "d", "日付").unwrap_err();
            assert!(e.message.contains("日付は"), "{bad}");
        }
    }
}
