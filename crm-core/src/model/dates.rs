//! Bounds on date-times: what the store can write and read back exactly.

use chrono::{DateTime, Datelike, FixedOffset, Utc};

use super::limits::{MAX_YEAR, MIN_YEAR};
use crate::error::{Error, Result};

fn check_year(field: &str, year: i32) -> Result<()> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(Error::validation(
            field,
            format!("must be in the years {MIN_YEAR} to {MAX_YEAR}"),
        ));
    }
    Ok(())
}

/// Checks a UTC time, if any, is within the accepted years.
pub(crate) fn check_utc(field: &str, at: Option<DateTime<Utc>>) -> Result<()> {
    at.map_or(Ok(()), |t| check_year(field, t.year()))
}

/// Checks a local time, if any: within the accepted years (in UTC and locally) and with a UTC
/// offset of whole minutes (RFC 3339 cannot write seconds in an offset).
pub(crate) fn check_local(field: &str, at: Option<DateTime<FixedOffset>>) -> Result<()> {
    let Some(t) = at else { return Ok(()) };
    check_year(field, t.year())?;
    check_year(field, t.with_timezone(&Utc).year())?;
    if t.offset().local_minus_utc() % 60 != 0 {
        return Err(Error::validation(
            field,
            "the UTC offset must be whole minutes",
        ));
    }
    Ok(())
}

/// Checks a calendar date, if any, is within the accepted years.
pub(crate) fn check_date(field: &str, day: Option<chrono::NaiveDate>) -> Result<()> {
    day.map_or(Ok(()), |d| check_year(field, d.year()))
}
