//! Validity periods. Months are calendar months counted in Japan Standard Time, because the
//! dates offices see (有効開始年月日 / 有効終了年月日) are JST dates.

use kaigo_core::clock::JST;
use kaigo_core::error::PkiError;
use time::{Date, Duration, OffsetDateTime, UtcOffset};

/// How far notBefore is set before the requested start, so that a PC whose clock runs a
/// little slow does not see a brand-new certificate as "not yet valid". Five minutes covers
/// ordinary drift (Windows time sync allows more only when sync is broken); more would be
/// backdating.
pub const CLOCK_SKEW_ALLOWANCE: Duration =
    Duration::seconds(kaigo_core::certificate::STARTS_EARLY_SECONDS);

/// A notBefore/notAfter pair, whole seconds, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Validity {
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
}

/// Whole seconds in UTC: certificates cannot carry fractions, and the bundle we return must
/// equal what is in the certificate.
pub(crate) fn to_cert_time(t: OffsetDateTime) -> OffsetDateTime {
    t.to_offset(UtcOffset::UTC)
        .replace_nanosecond(0)
        .expect("0 is a valid nanosecond")
}

/// `t` plus `months` calendar months in JST; a day that does not exist in the target month
/// becomes its last day (31 Jan + 1 month = 28/29 Feb).
pub fn add_months_jst(t: OffsetDateTime, months: u32) -> Option<OffsetDateTime> {
    let local = t.to_offset(JST);
    let index =
        i64::from(local.year()) * 12 + i64::from(u8::from(local.month())) - 1 + i64::from(months);
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = time::Month::try_from(u8::try_from(index.rem_euclid(12) + 1).ok()?).ok()?;
    let day = local.day().min(month.length(year));
    let date = Date::from_calendar_date(year, month, day).ok()?;
    Some(local.replace_date(date).to_offset(UtcOffset::UTC))
}

/// The validity of an office certificate.
///
/// * The requested start may not lie in the past by more than the clock-skew allowance
///   (no backdating) nor more than `max_postdate` in the future.
/// * notBefore is the requested start minus the allowance, but never before `earliest`
///   (the issuing CA's own notBefore).
/// * notAfter is the requested start plus `months`, minus one second: RFC 5280 validity is
///   inclusive at both ends, so a renewal starting at the old notAfter overlaps by one second
///   only, and the period is exactly `months` long.
pub(crate) fn office_validity(
    requested: OffsetDateTime,
    now: OffsetDateTime,
    months: u32,
    max_postdate: Duration,
    earliest: OffsetDateTime,
) -> Result<Validity, PkiError> {
    let start = to_cert_time(requested);
    if start < now - CLOCK_SKEW_ALLOWANCE {
        return Err(PkiError::Policy(format!(
            "requested start {start} lies in the past (now {now}); certificates are not backdated"
        )));
    }
    if start > now + max_postdate {
        return Err(PkiError::Policy(format!(
            "requested start {start} lies more than {} days ahead",
            max_postdate.whole_days()
        )));
    }
    if start < earliest {
        return Err(PkiError::Policy(format!(
            "requested start {start} precedes the issuing CA ({earliest})"
        )));
    }
    let not_before = (start - CLOCK_SKEW_ALLOWANCE).max(to_cert_time(earliest));
    let end = add_months_jst(start, months).ok_or_else(|| {
        PkiError::Policy(format!("{months} months after {start} is out of range"))
    })?;
    Ok(Validity {
        not_before,
        not_after: end - Duration::SECOND,
    })
}

/// Validity of a CA certificate created now: from `now` minus the allowance, `months` long.
pub(crate) fn ca_validity(now: OffsetDateTime, months: u32) -> Result<Validity, PkiError> {
    let start = to_cert_time(now);
    let end = add_months_jst(start, months)
        .ok_or_else(|| PkiError::Policy("CA validity out of range".into()))?;
    Ok(Validity {
        not_before: start - CLOCK_SKEW_ALLOWANCE,
        not_after: end - Duration::SECOND,
    })
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn calendar_months_in_jst() {
        // 2026-04-01 00:00 JST + 36 months = 2029-04-01 00:00 JST.
        let t = datetime!(2026-03-31 15:00 UTC);
        assert_eq!(
            add_months_jst(t, 36).unwrap(),
            datetime!(2029-03-31 15:00 UTC)
        );
        // 31 Jan JST + 1 month = 28 Feb JST (the JST date decides, not the UTC one).
        let t = datetime!(2027-01-30 20:00 UTC); // 2027-01-31 05:00 JST
        assert_eq!(
            add_months_jst(t, 1).unwrap(),
            datetime!(2027-02-27 20:00 UTC)
        );
        // Leap day.
        let t = datetime!(2028-02-29 00:00 UTC);
        assert_eq!(
            add_months_jst(t, 12).unwrap(),
            datetime!(2029-02-28 00:00 UTC)
        );
        assert_eq!(
            add_months_jst(t, 48).unwrap(),
            datetime!(2032-02-29 00:00 UTC)
        );
    }

    #[test]
    fn office_window() {
        let now = datetime!(2026-05-01 01:02:03.456 UTC);
        let v = office_validity(
            now,
            now,
            36,
            Duration::days(180),
            datetime!(2026-01-01 0:00 UTC),
        )
        .unwrap();
        assert_eq!(v.not_before, datetime!(2026-05-01 00:57:03 UTC));
        assert_eq!(v.not_after, datetime!(2029-05-01 01:02:02 UTC));
    }

    #[test]
    fn skew_clamped_to_issuer_start() {
        let now = datetime!(2026-05-01 00:00 UTC);
        let issuer_start = now - Duration::minutes(2);
        let v = office_validity(now, now, 36, Duration::days(180), issuer_start).unwrap();
        assert_eq!(v.not_before, issuer_start);
    }

    #[test]
    fn no_backdating_and_no_far_future() {
        let now = datetime!(2026-05-01 00:00 UTC);
        let early = datetime!(2020-01-01 0:00 UTC);
        assert!(
            office_validity(
                now - Duration::minutes(4),
                now,
                36,
                Duration::days(180),
                early
            )
            .is_ok()
        );
        let e = office_validity(
            now - Duration::minutes(6),
            now,
            36,
            Duration::days(180),
            early,
        )
        .unwrap_err();
        assert!(matches!(e, PkiError::Policy(_)), "{e}");
        let e = office_validity(
            now + Duration::days(181),
            now,
            36,
            Duration::days(180),
            early,
        )
        .unwrap_err();
        assert!(matches!(e, PkiError::Policy(_)), "{e}");
    }
}
