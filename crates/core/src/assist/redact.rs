//! Removes personal data from a question before it is logged: mail addresses, numbers of five
//! or more digits (事業所番号, phone numbers, dates of birth), tokens mixing letters and digits
//! (user IDs, passwords), a name before 「さん」「様」「氏」, a name ending in what offices are
//! called (…事業所, …ステーション, …センター), and the asking office's own name, number and user
//! ID. It is a best effort, not a guarantee: the chat asks not to type personal data.

use unicode_normalization::UnicodeNormalization;

const NUMBER: &str = "[番号]";
const ID: &str = "[ID]";
const MAIL: &str = "[メール]";
const NAME: &str = "[氏名]";
const OFFICE: &str = "[事業所]";
const OFFICE_NAME: &str = "[事業所名]";

/// How offices' names end.
const OFFICE_SUFFIXES: &[&str] = &[
    "事業所",
    "ステーション",
    "センター",
    "ホーム",
    "クリニック",
    "病院",
    "施設",
    "苑",
    "園",
];

/// `own`: the office's name, 事業所番号 and user ID (empty on the public pages).
pub fn redact(question: &str, own: &[&str]) -> String {
    let mut text: String = question.nfkc().collect();
    for o in own {
        let o: String = o.nfkc().collect();
        if o.chars().count() >= 2 {
            text = text.replace(&o, OFFICE);
        }
    }
    let text = tokens(&text);
    office_names(&names(&text))
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '_' | '-' | '+')
}

/// Replaces mail addresses, long numbers and letter-digit tokens.
fn tokens(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if !is_token_char(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (is_token_char(chars[i]) || chars[i] == ' ') {
            // A space continues a token only between digits (「03 1234 5678」).
            if chars[i] == ' '
                && !(i + 1 < chars.len()
                    && chars[i + 1].is_ascii_digit()
                    && chars[i - 1].is_ascii_digit())
            {
                break;
            }
            i += 1;
        }
        let token: String = chars[start..i].iter().collect();
        let digits = token.chars().filter(char::is_ascii_digit).count();
        let letters = token.chars().filter(char::is_ascii_alphabetic).count();
        if token.contains('@') {
            out.push_str(MAIL);
        } else if letters == 0 && digits >= 5 {
            out.push_str(NUMBER);
        } else if letters > 0 && digits > 0 && token.len() >= 6 {
            out.push_str(ID);
        } else {
            out.push_str(&token);
        }
    }
    out
}

fn is_name_char(c: char) -> bool {
    // Kanji and katakana; hiragana is left, as particles (「の」「は」) come before a name.
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{30A1}'..='\u{30FF}').contains(&c) || c == '々'
}

/// Replaces the name (up to eight kanji or katakana) before 「さん」「様」「氏」; not 「様式」
/// or 「氏名」, where a kanji follows.
fn names(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let honorific = if chars[i..].starts_with(&['さ', 'ん']) {
            2
        } else if matches!(chars[i], '様' | '氏')
            && !chars.get(i + 1).is_some_and(|c| is_name_char(*c))
        {
            1
        } else {
            0
        };
        if honorific > 0 {
            let run = out
                .iter()
                .rev()
                .take_while(|c| is_name_char(**c))
                .count()
                .min(8);
            if run > 0 {
                out.truncate(out.len() - run);
                out.extend(NAME.chars());
            }
            out.extend(&chars[i..i + honorific]);
            i += honorific;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out.into_iter().collect()
}

/// Replaces a name ending in one of [`OFFICE_SUFFIXES`] (two to twenty characters of kana or
/// kanji before it), e.g. 「さくら訪問介護ステーション」.
fn office_names(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = Vec::new();
    let mut i = 0;
    'scan: while i < chars.len() {
        for suffix in OFFICE_SUFFIXES {
            let sfx: Vec<char> = suffix.chars().collect();
            if chars[i..].starts_with(&sfx) {
                let run = out
                    .iter()
                    .rev()
                    .take_while(|c| is_name_char(**c) || ('\u{3041}'..='\u{309F}').contains(*c))
                    .count()
                    .min(20);
                if run >= 2 {
                    out.truncate(out.len() - run);
                    out.extend(OFFICE_NAME.chars());
                    i += sfx.len();
                    continue 'scan;
                }
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_is_removed() {
        assert_eq!(
            redact("事業所番号１３１２３４５６７８のパスワード", &[]),
            "事業所番号[番号]のパスワード"
        );
        assert_eq!(
            redact("連絡先は03-1234-5678かtaro@example.jpです", &[]),
            "連絡先は[番号]か[メール]です"
        );
        assert_eq!(redact("ユーザIDはkj0012345です", &[]), "ユーザIDは[ID]です");
        assert_eq!(redact("担当の山田さんに", &[]), "担当の[氏名]さんに");
        assert_eq!(redact("佐々木小次郎様の件", &[]), "[氏名]様の件");
        assert_eq!(
            redact("さくら介護センターの証明書", &["さくら介護センター"]),
            "[事業所]の証明書"
        );
        assert_eq!(
            redact("さくら訪問介護ステーションの証明書は", &[]),
            "[事業所名]の証明書は"
        );
        // Ordinary questions pass unchanged.
        for q in [
            "証明書発行用パスワードを忘れた。Windows 11でp12を開くには？",
            "7-Zipで開けない",
            "請求様式と利用者氏名の書き方",
            "2026年の更新",
            "事業所番号はどこに書いてある",
        ] {
            assert_eq!(redact(q, &[]), q.nfkc().collect::<String>(), "{q}");
        }
    }
}
