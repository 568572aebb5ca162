//! Instants: the time axis every decision is taken on.

use chrono::{DateTime, Days, FixedOffset, Months, NaiveDate, TimeZone, Utc};

use crate::limits::{MAX_YEAR, MIN_YEAR};

/// Microseconds since 1970-01-01T00:00:00Z.
///
/// Policy times are whole microseconds; request times are floored to one, so
/// `request >= boundary` means the same before and after flooring.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Instant(pub i64);

impl Instant {
    /// Before every time that can be written.
    pub const MIN: Instant = Instant(i64::MIN);
    /// After every time that can be written.
    pub const MAX: Instant = Instant(i64::MAX);

    /// The instant of a chrono date-time.
    pub fn from_datetime<Tz: TimeZone>(t: &DateTime<Tz>) -> Instant {
        Instant(t.timestamp_micros())
    }

    /// An RFC 3339 date-time (`2026-04-01T10:00:00+08:00`; seconds may be
    /// left out), as requests and `--at` write one. A bare date has no
    /// instant of its own: see [`crate::Policy::parse_at`], which reads
    /// one in the policy set's time zone.
    ///
    /// ```
    /// use autoseal::Instant;
    /// let t = Instant::parse("2026-04-01T10:00+08:00").unwrap();
    /// assert_eq!(t, Instant::parse("2026-04-01T02:00:00Z").unwrap());
    /// assert!(Instant::parse("2026-02-30T10:00:00+08:00").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Instant, TimeError> {
        parse_datetime(text).map(|t| Instant::from_datetime(&t))
    }

    /// The current time, to the microsecond.
    pub fn now() -> Instant {
        Instant::from_datetime(&Utc::now())
    }

    /// The start of `date` in `tz`.
    pub fn start_of_day(date: NaiveDate, tz: FixedOffset) -> Option<Instant> {
        let naive = date.and_hms_opt(0, 0, 0)?;
        let t = tz.from_local_datetime(&naive).single()?;
        Some(Instant::from_datetime(&t))
    }

    /// The start of the day after `date` in `tz`: `until DATE` runs through
    /// the end of that day.
    pub fn end_of_day(date: NaiveDate, tz: FixedOffset) -> Option<Instant> {
        Instant::start_of_day(date.checked_add_days(Days::new(1))?, tz)
    }

    /// The date-time of the instant at the offset `tz`; `None` when out of chrono's range.
    pub fn to_datetime(self, tz: FixedOffset) -> Option<DateTime<FixedOffset>> {
        DateTime::<Utc>::from_timestamp_micros(self.0).map(|t| t.with_timezone(&tz))
    }

    /// RFC 3339 in the given offset, seconds always shown, fractions only when
    /// present.
    pub fn display(self, tz: FixedOffset) -> String {
        match self.to_datetime(tz) {
            Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            None => format!("{}us", self.0),
        }
    }
}

/// Why a time could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Not an RFC 3339 date-time; `reason` is what is wrong with it, and
    /// `kind` the same as a key (`out_of_range`, `impossible`,
    /// `not_enough`, `invalid`, `too_short`, `too_long`, `bad_format`),
    /// for messages in other languages.
    #[error("`{text}` is not a valid RFC 3339 time: {reason}")]
    NotRfc3339 {
        /// The text as given.
        text: String,
        /// What is wrong with it, in English.
        reason: String,
        /// What is wrong with it, as a key.
        kind: &'static str,
    },
    /// Not a date that exists (`2026-02-30`), or not `YYYY-MM-DD`.
    #[error("no such date `{text}`")]
    NoSuchDate {
        /// The text as given.
        text: String,
    },
    /// A year outside [`MIN_YEAR`]..=[`MAX_YEAR`].
    #[error("`{text}` is out of range: years {MIN_YEAR} to {MAX_YEAR} are supported")]
    YearOutOfRange {
        /// The text as given.
        text: String,
    },
}

/// Parses an RFC 3339 date-time (seconds optional) within the supported
/// years.
pub fn parse_datetime(text: &str) -> Result<DateTime<FixedOffset>, TimeError> {
    // `2026-03-01T09:00+08:00`: chrono needs the seconds.
    let with_seconds;
    let mut s = text;
    // The date is `YYYY-MM-DD`; then `T`, `t` or a space (as chrono takes).
    let sep = s.get(10..11).filter(|c| matches!(*c, "T" | "t" | " "));
    if let Some(t) = sep.map(|_| 10) {
        let rest = s.get(t + 1..).unwrap_or("");
        let hm_len = rest.find(['+', '-', 'Z', 'z']).unwrap_or(rest.len());
        if hm_len == 5 {
            with_seconds = format!(
                "{}:00{}",
                s.get(..t + 6).unwrap_or(""),
                s.get(t + 6..).unwrap_or("")
            );
            s = &with_seconds;
        }
    }
    let t = DateTime::parse_from_rfc3339(s).map_err(|e| TimeError::NotRfc3339 {
        text: text.to_owned(),
        reason: e.to_string(),
        kind: parse_error_kind(&e),
    })?;
    check_year(chrono::Datelike::year(&t.naive_local()), text)?;
    Ok(t)
}

/// What chrono says is wrong with a time, as a key.
fn parse_error_kind(e: &chrono::ParseError) -> &'static str {
    use chrono::format::ParseErrorKind as K;
    match e.kind() {
        K::OutOfRange => "out_of_range",
        K::Impossible => "impossible",
        K::NotEnough => "not_enough",
        K::Invalid => "invalid",
        K::TooShort => "too_short",
        K::TooLong => "too_long",
        _ => "bad_format",
    }
}

/// Parses `YYYY-MM-DD`, refusing days that do not exist (`2026-02-30`).
pub(crate) fn parse_date(text: &str) -> Result<NaiveDate, TimeError> {
    let d = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| TimeError::NoSuchDate {
        text: text.to_owned(),
    })?;
    check_year(chrono::Datelike::year(&d), text)?;
    Ok(d)
}

fn check_year(year: i32, text: &str) -> Result<(), TimeError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(TimeError::YearOutOfRange {
            text: text.to_owned(),
        })
    }
}

/// `at + n months`, clamped to the month's last day (2026-01-31 plus a
/// month is 2026-02-28), at the same clock time in the same offset.
#[doc(hidden)]
pub fn add_months(t: DateTime<FixedOffset>, n: u32) -> Option<DateTime<FixedOffset>> {
    t.checked_add_months(Months::new(n))
}

/// `n` days after `t`, at the same clock time in the same offset; `None` when out of range.
pub(crate) fn add_days(t: DateTime<FixedOffset>, n: u32) -> Option<DateTime<FixedOffset>> {
    t.checked_add_days(Days::new(u64::from(n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_end_clamps() {
        let t = parse_datetime("2026-01-31T10:00:00+08:00").unwrap();
        let e = add_months(t, 1).unwrap();
        assert_eq!(e.to_rfc3339(), "2026-02-28T10:00:00+08:00");
    }

    #[test]
    fn seconds_optional() {
        for text in [
            "2026-03-01T09:00+08:00",
            "2026-03-01t09:00+08:00",
            "2026-03-01 09:00+08:00",
            "2026-03-01 09:00:00+08:00",
        ] {
            let t = parse_datetime(text).unwrap();
            assert_eq!(t.to_rfc3339(), "2026-03-01T09:00:00+08:00", "{text}");
        }
        let t = parse_datetime("2026-03-01T01:00Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-01T01:00:00+00:00");
        assert!(parse_datetime("2026-3-01T09:00+08:00").is_err());
    }

    #[test]
    fn impossible_date_is_refused() {
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("2028-02-29").is_ok());
    }

    #[test]
    fn until_date_is_through_end_of_day() {
        let tz = FixedOffset::east_opt(8 * 3600).unwrap();
        let d = parse_date("2026-12-31").unwrap();
        let end = Instant::end_of_day(d, tz).unwrap();
        let t = parse_datetime("2027-01-01T00:00:00+08:00").unwrap();
        assert_eq!(end, Instant::from_datetime(&t));
    }
}
