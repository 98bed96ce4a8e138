//! Relative periods: date filters that follow the day a search runs ("departing in the next 7
//! days", "no booking for more than 12 months", "created this month"), and the tenant's local
//! day they are read from.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::limits::MAX_PERIOD_COUNT;
use super::string_enum::string_enum;
use crate::error::{Error, Result};

string_enum!(
    /// The unit of a [`RelativePeriod`]. A week runs Monday to Sunday (ISO 8601).
    PeriodUnit, "unit" {
        /// A day.
        Day = "day",
        /// A week, Monday to Sunday.
        Week = "week",
        /// A calendar month.
        Month = "month",
        /// A calendar year.
        Year = "year",
    }
);

impl PeriodUnit {
    /// The plural text form (`days`).
    fn plural(self) -> &'static str {
        match self {
            Self::Day => "days",
            Self::Week => "weeks",
            Self::Month => "months",
            _ => "years",
        }
    }

    /// The unit named `word`, singular or plural.
    fn from_word(word: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|u| word == u.as_str() || word == u.plural())
    }

    /// `day` moved by `n` units (negative: back); a month or year from the 31st lands on the
    /// last day of a shorter month. `None` past the calendar's range.
    fn shift(self, day: NaiveDate, n: i64) -> Option<NaiveDate> {
        let months = |m: i64| -> Option<NaiveDate> {
            let m = u32::try_from(m.unsigned_abs()).ok()?;
            if n >= 0 {
                day.checked_add_months(Months::new(m))
            } else {
                day.checked_sub_months(Months::new(m))
            }
        };
        match self {
            Self::Day | Self::Week => {
                let days = n.unsigned_abs() * if self == Self::Week { 7 } else { 1 };
                if n >= 0 {
                    day.checked_add_days(Days::new(days))
                } else {
                    day.checked_sub_days(Days::new(days))
                }
            }
            Self::Month => months(n),
            _ => months(n.checked_mul(12)?),
        }
    }

    /// The first day of the calendar unit holding `day`.
    fn start(self, day: NaiveDate) -> Option<NaiveDate> {
        match self {
            Self::Day => Some(day),
            Self::Week => {
                day.checked_sub_days(Days::new(u64::from(day.weekday().num_days_from_monday())))
            }
            Self::Month => day.with_day(1),
            _ => NaiveDate::from_ymd_opt(day.year(), 1, 1),
        }
    }
}

/// A period of days relative to the day a query runs, in the tenant's time zone
/// ([`TenantSettings::time_zone`](crate::TenantSettings::time_zone)). A saved search keeps it
/// relative: each run reads it from that run's day.
///
/// Its text form (`FromStr`, `Display`), as the C and Python faces take it:
///
/// | text | days, run on Wednesday 2026-12-02 |
/// |---|---|
/// | `today`, `yesterday`, `tomorrow` | 12-02; 12-01; 12-03 |
/// | `this week`, `this month`, `this year` | 11-30 to 12-06; 12-01 to 12-31; 2026 |
/// | `last week`, `last month`, `last year` (the calendar one before) | 11-23 to 11-29; 11-01 to 11-30; 2025 |
/// | `next week`, `next month`, `next year` (the calendar one after) | 12-07 to 12-13; 2027-01; 2027 |
/// | `last 7 days`, `last 3 months` (today and before) | 11-26 to 12-02; 09-03 to 12-02 |
/// | `next 7 days`, `next 2 weeks` (today and after) | 12-02 to 12-08; 12-02 to 12-15 |
/// | `more than 12 months ago` (before `last 12 months`) | up to 2025-12-02 |
/// | `more than 30 days ahead` (after `next 30 days`) | from 2027-01-01 |
///
/// A count is 1 to [`MAX_PERIOD_COUNT`](crate::limits::MAX_PERIOD_COUNT); units are `day`, `week` (Monday to Sunday), `month`
/// and `year`, singular or plural. `last month` is the previous calendar month, `last 1 month`
/// the month up to today.
///
/// ```
/// use crm_core::{PeriodUnit, RelativePeriod};
/// let p: RelativePeriod = "next 7 days".parse()?;
/// assert_eq!(p, RelativePeriod::Next(7, PeriodUnit::Day));
/// assert_eq!(RelativePeriod::Previous(PeriodUnit::Month).to_string(), "last month");
/// # Ok::<(), crm_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RelativePeriod {
    /// The calendar day, week, month or year holding the day it runs (`this month`, `today`).
    This(PeriodUnit),
    /// The calendar unit before that one (`last month`, `yesterday`).
    Previous(PeriodUnit),
    /// The calendar unit after that one (`next month`, `tomorrow`).
    Following(PeriodUnit),
    /// The `n` units up to the day it runs, that day included (`last 7 days`).
    Last(u32, PeriodUnit),
    /// The `n` units from the day it runs, that day included (`next 7 days`).
    Next(u32, PeriodUnit),
    /// Every day before the last `n` units (`more than 12 months ago`).
    Before(u32, PeriodUnit),
    /// Every day after the next `n` units (`more than 30 days ahead`).
    After(u32, PeriodUnit),
}

impl RelativePeriod {
    /// Checks the count (1 to [`MAX_PERIOD_COUNT`](crate::limits::MAX_PERIOD_COUNT)).
    pub(crate) fn validate(self) -> Result<Self> {
        match self {
            Self::Last(n, _) | Self::Next(n, _) | Self::Before(n, _) | Self::After(n, _)
                if n == 0 || n > MAX_PERIOD_COUNT =>
            {
                Err(Error::validation(
                    "period",
                    format!("the count must be between 1 and {MAX_PERIOD_COUNT}"),
                ))
            }
            _ => Ok(self),
        }
    }

    /// The days `[from, to]` (inclusive; `None`: open) it stands for when run on `today`.
    pub fn days(self, today: NaiveDate) -> Result<(Option<NaiveDate>, Option<NaiveDate>)> {
        let out_of_range = || Error::validation("period", "reaches past the calendar's range");
        let day = |d: Option<NaiveDate>| d.ok_or_else(out_of_range);
        let before = |d: NaiveDate| day(d.pred_opt());
        let (from, to) = match self.validate()? {
            Self::This(u) => {
                let start = day(u.start(today))?;
                (Some(start), Some(before(day(u.shift(start, 1))?)?))
            }
            Self::Previous(u) => {
                let start = day(u.start(today))?;
                (Some(day(u.shift(start, -1))?), Some(before(start)?))
            }
            Self::Following(u) => {
                let next = day(u.shift(day(u.start(today))?, 1))?;
                (Some(next), Some(before(day(u.shift(next, 1))?)?))
            }
            Self::Last(n, u) => (
                Some(day(day(u.shift(today, -i64::from(n)))?.succ_opt())?),
                Some(today),
            ),
            Self::Next(n, u) => (Some(today), Some(before(day(u.shift(today, n.into()))?)?)),
            Self::Before(n, u) => (None, Some(day(u.shift(today, -i64::from(n)))?)),
            Self::After(n, u) => (Some(day(u.shift(today, n.into()))?), None),
        };
        Ok((from, to))
    }
}

impl fmt::Display for RelativePeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let units = |n: u32, u: PeriodUnit| if n == 1 { u.as_str() } else { u.plural() };
        match *self {
            Self::This(PeriodUnit::Day) => f.write_str("today"),
            Self::Previous(PeriodUnit::Day) => f.write_str("yesterday"),
            Self::Following(PeriodUnit::Day) => f.write_str("tomorrow"),
            Self::This(u) => write!(f, "this {u}"),
            Self::Previous(u) => write!(f, "last {u}"),
            Self::Following(u) => write!(f, "next {u}"),
            Self::Last(n, u) => write!(f, "last {n} {}", units(n, u)),
            Self::Next(n, u) => write!(f, "next {n} {}", units(n, u)),
            Self::Before(n, u) => write!(f, "more than {n} {} ago", units(n, u)),
            Self::After(n, u) => write!(f, "more than {n} {} ahead", units(n, u)),
        }
    }
}

impl FromStr for RelativePeriod {
    type Err = Error;

    /// Parses the text form (see the type's docs); words are separated by spaces, case ignored.
    fn from_str(s: &str) -> Result<Self> {
        let bad = || {
            Error::validation(
                "period",
                format!(
                    "{s:?} is not a relative period (such as: today, this month, last month, \
                     last 7 days, next 2 weeks, more than 12 months ago, more than 30 days ahead)"
                ),
            )
        };
        if s.len() > 64 {
            return Err(bad());
        }
        let lower = s.trim().to_ascii_lowercase();
        let words: Vec<&str> = lower.split_whitespace().collect();
        let count = |w: &str| -> Result<u32> {
            let n: u32 = w.parse().map_err(|_| bad())?;
            Ok(n)
        };
        let unit = |w: &str| PeriodUnit::from_word(w).ok_or_else(bad);
        let period = match words.as_slice() {
            ["today"] => Self::This(PeriodUnit::Day),
            ["yesterday"] => Self::Previous(PeriodUnit::Day),
            ["tomorrow"] => Self::Following(PeriodUnit::Day),
            ["this", u] => Self::This(unit(u)?),
            ["last", u] => Self::Previous(unit(u)?),
            ["next", u] => Self::Following(unit(u)?),
            ["last", n, u] => Self::Last(count(n)?, unit(u)?),
            ["next", n, u] => Self::Next(count(n)?, unit(u)?),
            ["more", "than", n, u, "ago"] => Self::Before(count(n)?, unit(u)?),
            ["more", "than", n, u, "ahead"] => Self::After(count(n)?, unit(u)?),
            _ => return Err(bad()),
        };
        period.validate()
    }
}

impl Serialize for RelativePeriod {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RelativePeriod {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Reads an IANA time zone name (`Europe/Paris`), naming `field` in the error.
pub(crate) fn time_zone(field: &str, name: &str) -> Result<Tz> {
    name.trim().parse::<Tz>().map_err(|_| {
        Error::validation(
            field,
            format!("{name:?} is not an IANA time zone name (such as Europe/Paris)"),
        )
    })
}

/// The local date of `at` in `tz`.
pub(crate) fn local_day(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// The instant the local day `day` starts in `tz`: its midnight, or where a daylight-saving
/// change skips midnight, the first local time that exists that day.
pub(crate) fn day_start_in(day: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
    (0..24).find_map(|hour| {
        let local = day.and_hms_opt(hour, 0, 0)?;
        tz.from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn days(text: &str, today: &str) -> (Option<NaiveDate>, Option<NaiveDate>) {
        text.parse::<RelativePeriod>()
            .unwrap()
            .days(d(today))
            .unwrap()
    }

    #[test]
    fn the_documented_table_holds() {
        let t = "2026-12-02";
        let both = |a: &str, b: &str| (Some(d(a)), Some(d(b)));
        assert_eq!(days("today", t), both(t, t));
        assert_eq!(days("yesterday", t), both("2026-12-01", "2026-12-01"));
        assert_eq!(days("tomorrow", t), both("2026-12-03", "2026-12-03"));
        assert_eq!(days("this week", t), both("2026-11-30", "2026-12-06"));
        assert_eq!(days("this month", t), both("2026-12-01", "2026-12-31"));
        assert_eq!(days("this year", t), both("2026-01-01", "2026-12-31"));
        assert_eq!(days("last week", t), both("2026-11-23", "2026-11-29"));
        assert_eq!(days("last month", t), both("2026-11-01", "2026-11-30"));
        assert_eq!(days("last year", t), both("2025-01-01", "2025-12-31"));
        assert_eq!(days("next week", t), both("2026-12-07", "2026-12-13"));
        assert_eq!(days("next month", t), both("2027-01-01", "2027-01-31"));
        assert_eq!(days("next year", t), both("2027-01-01", "2027-12-31"));
        assert_eq!(days("last 7 days", t), both("2026-11-26", t));
        assert_eq!(days("last 3 months", t), both("2026-09-03", t));
        assert_eq!(days("next 7 days", t), both(t, "2026-12-08"));
        assert_eq!(days("next 2 weeks", t), both(t, "2026-12-15"));
        assert_eq!(
            days("more than 12 months ago", t),
            (None, Some(d("2025-12-02")))
        );
        assert_eq!(
            days("more than 30 days ahead", t),
            (Some(d("2027-01-01")), None)
        );
    }

    #[test]
    fn months_end_on_short_months() {
        // From the 31st: the last day of the shorter month.
        assert_eq!(
            days("last 1 month", "2026-03-31"),
            (Some(d("2026-03-01")), Some(d("2026-03-31")))
        );
        assert_eq!(
            days("next 1 month", "2026-01-31"),
            (Some(d("2026-01-31")), Some(d("2026-02-27")))
        );
        assert_eq!(
            days("last month", "2024-03-15"),
            (Some(d("2024-02-01")), Some(d("2024-02-29")))
        );
        assert_eq!(
            days("more than 1 year ago", "2024-02-29"),
            (None, Some(d("2023-02-28")))
        );
    }

    #[test]
    fn the_text_form_round_trips() {
        for text in [
            "today",
            "yesterday",
            "tomorrow",
            "this week",
            "last month",
            "next year",
            "last 1 day",
            "last 7 days",
            "next 2 weeks",
            "more than 12 months ago",
            "more than 1 year ahead",
        ] {
            let p: RelativePeriod = text.parse().unwrap();
            assert_eq!(p.to_string(), text);
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(serde_json::from_str::<RelativePeriod>(&json).unwrap(), p);
        }
        let p: RelativePeriod = "  Last   3  Month ".parse().unwrap();
        assert_eq!(p, RelativePeriod::Last(3, PeriodUnit::Month));
    }

    #[test]
    fn bad_text_and_counts_are_refused_by_name() {
        for bad in [
            "",
            "soon",
            "last",
            "last 0 days",
            "next 1001 days",
            "next -1 days",
            "last 7 fortnights",
            "more than 3 days",
            "this 3 days",
            &"x".repeat(100_000),
        ] {
            let err = bad.parse::<RelativePeriod>().unwrap_err();
            assert_eq!(err.field(), Some("period"), "{bad:?}");
        }
        let err = RelativePeriod::Next(0, PeriodUnit::Day)
            .days(d("2026-01-01"))
            .unwrap_err();
        assert_eq!(err.field(), Some("period"));
    }

    #[test]
    fn the_largest_counts_resolve_without_overflow() {
        for u in PeriodUnit::ALL {
            for p in [
                RelativePeriod::Last(MAX_PERIOD_COUNT, *u),
                RelativePeriod::Next(MAX_PERIOD_COUNT, *u),
                RelativePeriod::Before(MAX_PERIOD_COUNT, *u),
                RelativePeriod::After(MAX_PERIOD_COUNT, *u),
            ] {
                assert!(p.days(d("2026-06-15")).is_ok(), "{p}");
                // At the calendar's ends: an error, never a panic.
                let _ = p.days(NaiveDate::MAX);
                let _ = p.days(NaiveDate::MIN);
            }
            for p in [
                RelativePeriod::This(*u),
                RelativePeriod::Previous(*u),
                RelativePeriod::Following(*u),
            ] {
                let _ = p.days(NaiveDate::MAX);
                let _ = p.days(NaiveDate::MIN);
            }
        }
    }

    #[test]
    fn local_days_start_at_local_midnight() {
        let paris = time_zone("time_zone", "Europe/Paris").unwrap();
        let start = day_start_in(d("2026-07-01"), paris).unwrap();
        assert_eq!(start.to_rfc3339(), "2026-06-30T22:00:00+00:00");
        // Midnight skipped by a daylight-saving change (Santiago, 2022-09-11): 01:00 local.
        let santiago = time_zone("time_zone", "America/Santiago").unwrap();
        let start = day_start_in(d("2022-09-11"), santiago).unwrap();
        assert_eq!(start.to_rfc3339(), "2022-09-11T04:00:00+00:00");
        let late = "2026-06-30T23:30:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(local_day(late, paris), d("2026-07-01"));
        assert_eq!(
            time_zone("time_zone", "Mars/Olympus").unwrap_err().field(),
            Some("time_zone")
        );
    }
}
