//! Injected time, so validity, lockouts and renewal windows are testable without sleeping.

use std::sync::Mutex;

use time::{OffsetDateTime, UtcOffset};

/// Japan Standard Time, the zone every date on screen and on paper uses.
pub const JST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("valid offset"),
};

pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
    /// Seconds since the Unix epoch, the form timestamps are stored in.
    fn unix(&self) -> i64 {
        self.now().unix_timestamp()
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that only moves when told to (tests).
#[derive(Debug)]
pub struct ManualClock(Mutex<OffsetDateTime>);

impl ManualClock {
    pub fn new(at: OffsetDateTime) -> Self {
        Self(Mutex::new(at))
    }
    pub fn advance(&self, by: time::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Parses a date as people type it — `YYYY-MM-DD` (a date input), `YYYY/MM/DD`, full-width
/// digits and separators, one- or two-digit month and day — as the Unix time of that day's
/// midnight in JST. The one date parser of every form and search; `None` when it is no date.
pub fn parse_jst_date(raw: &str) -> Option<i64> {
    let s: String = raw
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '／' | '/' | '－' => '-',
            _ => c,
        })
        .collect();
    let mut parts = s.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let num = |p: &str, max_len: usize| -> Option<u32> {
        (!p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let (y, m, d) = (num(y, 4)?, num(m, 2)?, num(d, 2)?);
    if y < 1900 {
        return None;
    }
    let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
    let date = time::Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?)
        .ok()?;
    Some(
        time::PrimitiveDateTime::new(date, time::Time::MIDNIGHT)
            .assume_offset(JST)
            .unix_timestamp(),
    )
}

/// The date range of a search form: either end may be empty; the end day is included whole.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DateRange {
    /// JST midnight of the first day.
    pub from: Option<i64>,
    /// The last second (JST) of the end day.
    pub to: Option<i64>,
}

/// Parses the two date fields of a search (see [`parse_jst_date`]), adding a Japanese message
/// naming `label` (「提示開始日」, 「有効期限」, 「日付」) to `errors` for each bad field and for an
/// end before the start. The one range rule of every search.
pub fn parse_date_range(label: &str, from: &str, to: &str, errors: &mut Vec<String>) -> DateRange {
    let mut date = |raw: &str, end: &str| -> Option<i64> {
        if raw.trim().is_empty() {
            return None;
        }
        let parsed = parse_jst_date(raw);
        if parsed.is_none() {
            errors.push(format!(
                "{label}（{end}）は「2026-04-01」の形式で正しい日付を入力してください。"
            ));
        }
        parsed
    };
    let from = date(from, "開始");
    let to = date(to, "終了").map(|t| t + 86_399);
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        errors.push(format!(
            "{label}の終了日は開始日以降の日付を入力してください。"
        ));
    }
    DateRange { from, to }
}

/// A JST date as letters, estimates and invoices print it: 「2026年11月24日」. The one
/// Japanese date format of every document.
pub fn jst_japanese_date(unix: i64) -> String {
    let t = to_jst(unix);
    format!("{}年{}月{}日", t.year(), u8::from(t.month()), t.day())
}

/// Formats a stored timestamp as a JST date, `YYYY/MM/DD`.
pub fn jst_date(unix: i64) -> String {
    let t = to_jst(unix);
    format!("{:04}/{:02}/{:02}", t.year(), u8::from(t.month()), t.day())
}

/// Formats a stored timestamp as JST date and time, `YYYY/MM/DD HH:MM`.
pub fn jst_datetime(unix: i64) -> String {
    let t = to_jst(unix);
    format!(
        "{:04}/{:02}/{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// `HH:MM:SS` in JST, for the clock in the page header.
pub fn jst_time(unix: i64) -> String {
    let t = to_jst(unix);
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

/// Never panics: a timestamp outside what `time` can show in JST (e.g. from a crafted query
/// string) is shown as the epoch.
fn to_jst(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.checked_to_offset(JST))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH.to_offset(JST))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_ranges() {
        let t = parse_jst_date("2026-04-01").unwrap();
        assert_eq!(jst_date(t), "2026/04/01");
        assert_eq!(parse_jst_date("２０２６／０４／０１"), Some(t));
        assert_eq!(parse_jst_date("2026/4/1"), Some(t));
        for bad in [
            "2026-02-30",
            "abc",
            "2026-04-01-01",
            "1899-12-31",
            "2026-4-1x",
        ] {
            assert_eq!(parse_jst_date(bad), None, "{bad}");
        }
        let mut errors = Vec::new();
        let r = parse_date_range("有効期限", "2026-04-01", "2026-04-01", &mut errors);
        assert!(errors.is_empty());
        assert_eq!(
            r,
            DateRange {
                from: Some(t),
                to: Some(t + 86_399)
            },
            "the end day whole"
        );
        let r = parse_date_range("有効期限", "2026-04-02", "2026-04-01", &mut errors);
        assert_eq!(r.from, Some(t + 86_400));
        assert_eq!(
            errors,
            ["有効期限の終了日は開始日以降の日付を入力してください。"]
        );
        let mut errors = Vec::new();
        let r = parse_date_range("日付", "x", "", &mut errors);
        assert_eq!(r, DateRange::default());
        assert_eq!(
            errors,
            ["日付（開始）は「2026-04-01」の形式で正しい日付を入力してください。"]
        );
    }

    #[test]
    fn formats_in_jst() {
        // 2026-11-24T15:30:05Z is 2026-11-25 00:30:05 in Japan.
        let t = 1_795_534_205;
        assert_eq!(jst_date(t), "2026/11/25");
        assert_eq!(jst_time(t), "00:30:05");
    }

    #[test]
    fn out_of_range_timestamps_do_not_panic() {
        assert_eq!(jst_date(253_402_300_799), "1970/01/01");
        assert_eq!(jst_date(i64::MAX), "1970/01/01");
        assert_eq!(jst_time(i64::MIN), "09:00:00");
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new(OffsetDateTime::UNIX_EPOCH);
        assert_eq!(c.unix(), 0);
        c.advance(time::Duration::minutes(30));
        assert_eq!(c.unix(), 1800);
    }
}
