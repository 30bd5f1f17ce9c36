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
