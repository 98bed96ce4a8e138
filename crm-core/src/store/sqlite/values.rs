//! Conversions between our values and SQLite columns. Times are RFC 3339 text that round-trips
//! exactly (offset and sub-seconds kept), plus an integer column where a sort needs one.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

pub(super) use crate::store::text::{local_text, utc_text};
use rusqlite::types::Type;

use crate::model::CustomerId;

fn bad(col: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, Type::Text, Box::new(e))
}

pub(super) fn parse_utc(col: usize, s: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| bad(col, e))
}

pub(super) fn parse_local(col: usize, s: &str) -> rusqlite::Result<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s).map_err(|e| bad(col, e))
}

pub(super) fn parse_date(col: usize, s: &str) -> rusqlite::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| bad(col, e))
}

pub(super) fn parse_enum<T: std::str::FromStr<Err = crate::Error>>(
    col: usize,
    s: &str,
) -> rusqlite::Result<T> {
    s.parse().map_err(|e| bad(col, e))
}

/// Reads an optional column through a fallible conversion.
pub(super) fn opt<T>(
    row: &rusqlite::Row<'_>,
    col: usize,
    parse: impl FnOnce(usize, &str) -> rusqlite::Result<T>,
) -> rusqlite::Result<Option<T>> {
    row.get::<_, Option<String>>(col)?
        .map(|s| parse(col, &s))
        .transpose()
}

pub(super) fn customer_id(row: &rusqlite::Row<'_>, col: usize) -> rusqlite::Result<CustomerId> {
    row.get(col).map(CustomerId::from_uuid)
}

pub(super) fn opt_customer_id(
    row: &rusqlite::Row<'_>,
    col: usize,
) -> rusqlite::Result<Option<CustomerId>> {
    row.get::<_, Option<uuid::Uuid>>(col)
        .map(|u| u.map(CustomerId::from_uuid))
}
