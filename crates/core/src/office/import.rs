//! CSV import of offices: decode (UTF-8 with or without BOM, or Shift_JIS/CP932 as Japanese
//! Excel saves it), map the header, validate every row, and register all rows — or, when the
//! admin asks for it, only the valid ones — in one transaction.

use std::collections::HashMap;
use std::sync::Arc;

use crate::actor::Actor;
use crate::admin::AdminRole;
use crate::audit::AuditAction;
use crate::error::{CoreError, CoreResult};
use crate::ids::OfficeNumber;
use crate::office::form::{OfficeForm, ValidOffice, validate_office_form};
use crate::office::register::RegisteredBatch;
use crate::office::service::AdminOfficeService;

/// The most rows one file may hold.
pub const MAX_ROWS: usize = 20_000;

/// The columns, in the canonical order, with their accepted header names.
const COLUMNS: [(&str, &str); 7] = [
    ("事業所番号", "number"),
    ("事業所名", "name"),
    ("種別", "kind"),
    ("都道府県", "prefecture"),
    ("郵便番号", "postal_code"),
    ("住所", "address"),
    ("メールアドレス", "email"),
];

/// One rejected row: its line in the file (the header is line 1) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub reason: String,
}

/// The result of checking a file.
#[derive(Clone, Debug, Default)]
pub struct ImportCheck {
    /// Valid rows with their line numbers.
    pub valid: Vec<(u64, ValidOffice)>,
    pub errors: Vec<RowError>,
}

impl ImportCheck {
    pub fn rows(&self) -> usize {
        self.valid.len() + self.errors.len()
    }
}

/// What an import did.
pub struct ImportOutcome {
    pub check: ImportCheck,
    /// None when nothing was imported.
    pub registered: Option<RegisteredBatch>,
}

fn refuse(msg: impl Into<String>) -> CoreError {
    CoreError::Refused(msg.into())
}

/// Decodes the file: UTF-8 (a BOM is dropped) or, failing that, Shift_JIS (CP932).
pub fn decode(bytes: &[u8]) -> CoreResult<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_owned());
    }
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
    if had_errors {
        return Err(refuse(
            "ファイルの文字コードを判別できません。UTF-8 または Shift_JIS（Excel の「CSV（コンマ区切り）」）で保存してください。",
        ));
    }
    Ok(text.into_owned())
}

/// Rows read from a CSV file: each form with its line number, and the rows broken as such.
pub type ParsedRows = (Vec<(u64, OfficeForm)>, Vec<RowError>);

/// The line numbers of records as an editor shows them. The csv crate counts only `\n` and
/// takes a record's position before the terminator and blank lines that precede it, so a
/// CRLF file (as Excel writes it) would number every row one line too early and a CR-only
/// file (Excel for Mac's "CSV (Macintosh)") every row as line 1.
struct LineCounter<'a> {
    text: &'a [u8],
    /// Bytes before `pos` hold `line - 1` line breaks (`\r\n`, `\r` or `\n`).
    pos: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    /// The line of the record whose reading began at byte `from`: its first byte is the
    /// first one after the line breaks there. Records come in order, so this is linear.
    fn record_line(&mut self, from: u64) -> u64 {
        let from = usize::try_from(from)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        let start = from
            + self.text[from..]
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
        while self.pos < start {
            match self.text[self.pos] {
                b'\n' if self.pos > 0 && self.text[self.pos - 1] == b'\r' => {}
                b'\r' | b'\n' => self.line += 1,
                _ => {}
            }
            self.pos += 1;
        }
        self.line
    }
}

/// Parses the CSV text into forms with their line numbers, and rows that are broken as such
/// (wrong column count). Header problems refuse the whole file.
pub fn parse(text: &str) -> CoreResult<ParsedRows> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|_| refuse("1行目（見出し行）を読み取れません。"))?
        .clone();
    let mut index: HashMap<usize, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}');
        match COLUMNS
            .iter()
            .position(|(ja, en)| h == *ja || h.eq_ignore_ascii_case(en))
        {
            Some(c) if index.values().any(|v| *v == c) => {
                return Err(refuse(format!("1行目: 見出し「{h}」が重複しています。")));
            }
            Some(c) => {
                index.insert(i, c);
            }
            None => {
                return Err(refuse(format!(
                    "1行目: 見出し「{h}」は使用できません。使用できる見出しは {} です。",
                    COLUMNS
                        .iter()
                        .map(|(ja, _)| *ja)
                        .collect::<Vec<_>>()
                        .join("、")
                )));
            }
        }
    }
    let missing: Vec<&str> = COLUMNS
        .iter()
        .enumerate()
        .filter(|(c, _)| !index.values().any(|v| v == c))
        .map(|(_, (ja, _))| *ja)
        .collect();
    if !missing.is_empty() {
        return Err(refuse(format!(
            "1行目: 見出し {} がありません。",
            missing.join("、")
        )));
    }
    let mut forms = Vec::new();
    let mut errors = Vec::new();
    let mut lines = LineCounter::new(text);
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = lines.record_line(e.position().map_or(0, |p| p.byte()));
                errors.push(RowError {
                    line,
                    reason: "行を読み取れません（引用符の対応を確認してください）。".into(),
                });
                continue;
            }
        };
        let line = lines.record_line(record.position().map_or(0, |p| p.byte()));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if forms.len() + errors.len() >= MAX_ROWS {
            return Err(refuse(format!(
                "一度に登録できるのは {MAX_ROWS} 行までです。ファイルを分けてください。"
            )));
        }
        if record.len() != headers.len() {
            errors.push(RowError {
                line,
                reason: format!(
                    "列の数が正しくありません（{} 列必要ですが、{} 列あります）。",
                    headers.len(),
                    record.len()
                ),
            });
            continue;
        }
        let mut cols: [String; 7] = Default::default();
        for (i, v) in record.iter().enumerate() {
            if let Some(c) = index.get(&i) {
                cols[*c] = v.to_owned();
            }
        }
        let [number, name, kind, prefecture, postal_code, address, email] = cols;
        forms.push((
            line,
            OfficeForm {
                number,
                name,
                kind,
                prefecture,
                postal_code,
                address,
                email,
            },
        ));
    }
    Ok((forms, errors))
}

/// Checks a file without the database: decodes it, parses it and validates every row for
/// `role`, reporting rows that repeat an earlier row's 事業所番号. Whether a number is already
/// registered is the service's check on top of this. Errors are sorted by line.
pub fn check_rows(role: AdminRole, bytes: &[u8]) -> CoreResult<ImportCheck> {
    let text = decode(bytes)?;
    let (forms, mut errors) = parse(&text)?;
    if forms.is_empty() && errors.is_empty() {
        return Err(refuse(
            "登録する行がありません（2行目以降に事業所を記入してください）。",
        ));
    }
    let mut valid = Vec::new();
    let mut first_line: HashMap<OfficeNumber, u64> = HashMap::new();
    for (line, form) in forms {
        match validate_office_form(role, &form) {
            Err(reasons) => errors.push(RowError {
                line,
                reason: reasons.join(" "),
            }),
            Ok(v) => match first_line.get(&v.number) {
                Some(first) => errors.push(RowError {
                    line,
                    reason: format!(
                        "事業所番号 {} がファイル内で重複しています（{first}行目と同じ）。",
                        v.number
                    ),
                }),
                None => {
                    first_line.insert(v.number.clone(), line);
                    valid.push((line, v));
                }
            },
        }
    }
    errors.sort_by_key(|e| e.line);
    Ok(ImportCheck { valid, errors })
}

impl AdminOfficeService {
    /// Checks a file for `actor` without importing anything.
    pub async fn check_import(&self, actor: &Actor, bytes: &[u8]) -> CoreResult<ImportCheck> {
        self.check_file(actor.scope(), bytes).await
    }

    async fn check_file(&self, role: AdminRole, bytes: &[u8]) -> CoreResult<ImportCheck> {
        let ImportCheck {
            mut valid,
            mut errors,
        } = check_rows(role, bytes)?;
        let numbers: Vec<OfficeNumber> = valid.iter().map(|(_, v)| v.number.clone()).collect();
        let taken: std::collections::HashSet<OfficeNumber> = self
            .deps
            .store
            .registered_office_numbers(&numbers)
            .await?
            .into_iter()
            .collect();
        if !taken.is_empty() {
            valid.retain(|(line, v)| {
                if taken.contains(&v.number) {
                    errors.push(RowError {
                        line: *line,
                        reason: crate::office::register::taken(&v.number),
                    });
                    false
                } else {
                    true
                }
            });
        }
        errors.sort_by_key(|e| e.line);
        Ok(ImportCheck { valid, errors })
    }

    /// Checks the file and registers its offices: all of them, or with `valid_only` the valid
    /// rows when some are bad. Nothing is imported when any row is bad and `valid_only` is
    /// false. `progress` is called with the count of rows hashed so far.
    pub async fn import(
        &self,
        actor: &Actor,
        bytes: &[u8],
        valid_only: bool,
        progress: Arc<dyn Fn(usize) + Send + Sync>,
    ) -> CoreResult<ImportOutcome> {
        let check = self.check_file(actor.scope(), bytes).await?;
        if check.valid.is_empty() || (!check.errors.is_empty() && !valid_only) {
            return Ok(ImportOutcome {
                check,
                registered: None,
            });
        }
        let rows: Vec<ValidOffice> = check.valid.iter().map(|(_, v)| v.clone()).collect();
        let registered = self.register_valid(actor, rows, progress).await?;
        self.deps
            .audit(
                &actor.audit_name(),
                AuditAction::OfficeImport,
                &format!("letter_batch:{}", registered.batch_id),
                actor.source(),
                &format!(
                    "imported={} skipped={}",
                    registered.offices.len(),
                    check.errors.len()
                ),
            )
            .await;
        Ok(ImportOutcome {
            check,
            registered: Some(registered),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "事業所番号,事業所名,種別,都道府県,郵便番号,住所,メールアドレス\n";

    #[test]
    fn decodes_utf8_bom_and_shift_jis() {
        let text = format!("{HEADER}1310000001,介護事業所あ,介護,13,100-0001,東京都千代田区1-1,\n");
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom).unwrap(), text);
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
        assert!(std::str::from_utf8(&sjis).is_err());
        assert_eq!(decode(&sjis).unwrap(), text);
        assert!(decode(b"\xff\xfe\xff").is_err());
    }

    #[test]
    fn english_headers_in_any_order_and_column_counts() {
        let text = "email,number,name,kind,prefecture,postal_code,address\n\
                    a@example.jp,1310000001,A,kaigo,13,1000001,Tokyo\n\
                    1310000002,B\n";
        let (forms, errors) = parse(text).unwrap();
        assert_eq!(forms.len(), 1);
        assert_eq!(forms[0].0, 2);
        assert_eq!(forms[0].1.number, "1310000001");
        assert_eq!(forms[0].1.email, "a@example.jp");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3);
        assert!(errors[0].reason.contains("列の数"), "{:?}", errors[0]);
    }

    #[test]
    fn line_numbers_with_crlf_cr_and_blank_lines() {
        let rows = [
            "1310000001,A,kaigo,13,1000001,Tokyo,",
            "x",
            "\"1310000002\",B",
        ];
        for eol in ["\n", "\r\n", "\r"] {
            let text = format!(
                "number,name,kind,prefecture,postal_code,address,email{eol}{}{eol}{eol}{}{eol}{}{eol}",
                rows[0], rows[1], rows[2]
            );
            let (forms, errors) = parse(&text).unwrap();
            assert_eq!(forms.len(), 1, "{eol:?}");
            assert_eq!(forms[0].0, 2, "{eol:?}");
            let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
            assert_eq!(lines, [4, 5], "{eol:?}");
        }
        // A quoted field over two lines: the next row is on line 4.
        let text = "number,name,kind,prefecture,postal_code,address,email\r\n\
                    1310000001,A,kaigo,13,1000001,\"Tokyo\r\n1-1\",\r\nx\r\n";
        let (forms, errors) = parse(text).unwrap();
        assert_eq!(forms[0].0, 2);
        assert_eq!(errors[0].line, 4);
    }

    #[test]
    fn header_problems_refuse_the_file() {
        assert!(parse("事業所番号,事業所名\n1,2\n").is_err());
        assert!(parse("number,name,kind,prefecture,postal_code,address,email,extra\n").is_err());
    }
}
