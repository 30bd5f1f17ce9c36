//! Free text from outside — names, titles, subjects, bodies, reasons — that reaches a mail, a
//! PDF or a page. One rule for every field, whichever path (portal, console, CLI, CSV) it
//! came through:
//! - control characters (NUL, ESC, …) never pass: a one-line field refuses them (the form
//!   says so); a multi-line field keeps only line feeds and tabs, with CR LF and CR made LF;
//! - bidirectional formatting characters (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) are
//!   removed: they make 「evil\u{202e}fdp.exe」 display as 「evilexe.pdf」, and nobody needs them
//!   in a 事業所名 or a notice title;
//! - surrounding whitespace is trimmed.

/// Characters that break a line without being "control" characters: U+2028 LINE SEPARATOR and
/// U+2029 PARAGRAPH SEPARATOR. A one-line field refuses them; a multi-line field turns them
/// into LF.
fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// Bidirectional formatting characters: embeddings, overrides, isolates and the implicit marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// A one-line field: bidi controls removed, trimmed. `None` when a control character (a line
/// break included) remains, for the caller to refuse with its own message.
pub fn single_line(raw: &str) -> Option<String> {
    let s: String = raw.chars().filter(|c| !is_bidi_control(*c)).collect();
    let s = s.trim();
    if s.chars().any(|c| c.is_control() || is_line_separator(c)) {
        return None;
    }
    Some(s.to_owned())
}

/// A multi-line field: line breaks made LF, controls other than LF and TAB and all bidi
/// controls removed, trimmed.
pub fn multi_line(raw: &str) -> String {
    let s = raw.replace("\r\n", "\n").replace('\r', "\n");
    let s: String = s
        .chars()
        .map(|c| if is_line_separator(c) { '\n' } else { c })
        .filter(|c| (*c == '\n' || *c == '\t' || !c.is_control()) && !is_bidi_control(*c))
        .collect();
    s.trim().to_owned()
}

/// A one-line value shown or mailed where refusing is not possible (a stored name of old):
/// controls and bidi controls removed.
pub fn strip_line(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c) && !is_line_separator(*c))
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_strips_bidi_and_refuses_controls() {
        assert_eq!(
            single_line("  事業所\u{202e}A  ").as_deref(),
            Some("事業所A")
        );
        assert_eq!(single_line("a\u{2066}b\u{2069}").as_deref(), Some("ab"));
        assert_eq!(single_line("a\0b"), None);
        assert_eq!(single_line("a\u{1b}[31mb"), None);
        assert_eq!(single_line("a\nb"), None);
        assert_eq!(single_line("a\u{85}b"), None, "C1 controls too");
        assert_eq!(single_line("a\u{2028}b"), None, "line separators too");
    }

    #[test]
    fn multi_line_keeps_lines_only() {
        assert_eq!(
            multi_line("a\r\nb\rc\0d\u{1b}e\u{202e}f\tg\n"),
            "a\nb\ncdef\tg"
        );
        assert_eq!(multi_line("a\u{2029}b"), "a\nb");
    }

    #[test]
    fn strip_line_removes_everything_unprintable() {
        assert_eq!(strip_line("x\u{202e}y\0z\n"), "xyz");
    }
}
