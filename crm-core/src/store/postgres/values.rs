//! Conversions between our values and PostgreSQL columns. Times are RFC 3339 text that
//! round-trips exactly (offset and nanoseconds kept, as the API returns them; `timestamptz`
//! keeps neither), plus a `BIGINT` column where a sort needs one; ids are `UUID`, JSON is text
//! (kept byte for byte), counters `BIGINT`.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

pub(super) use crate::store::text::{local_text, utc_text};
use postgres::Row;
use postgres::types::FromSql;

use crate::error::{Error, Result};
use crate::model::CustomerId;

/// A stored value this version cannot read: a bug or a row written by something else.
fn unreadable(col: usize, what: &str, e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("column {col}: stored {what} unreadable: {e}"))
}

/// Column `col` of `row`.
pub(super) fn get<'a, T: FromSql<'a>>(row: &'a Row, col: usize) -> Result<T> {
    row.try_get(col).map_err(super::pg)
}

/// A UTC time column.
pub(super) fn utc(row: &Row, col: usize) -> Result<DateTime<Utc>> {
    parse_utc(col, get::<&str>(row, col)?)
}

/// An optional UTC time column.
pub(super) fn opt_utc(row: &Row, col: usize) -> Result<Option<DateTime<Utc>>> {
    get::<Option<&str>>(row, col)?
        .map(|s| parse_utc(col, s))
        .transpose()
}

fn parse_utc(col: usize, s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| unreadable(col, "time", e))
}

/// A local time column (offset kept).
pub(super) fn local(row: &Row, col: usize) -> Result<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(get::<&str>(row, col)?).map_err(|e| unreadable(col, "time", e))
}

/// An optional local time column.
pub(super) fn opt_local(row: &Row, col: usize) -> Result<Option<DateTime<FixedOffset>>> {
    get::<Option<&str>>(row, col)?
        .map(|s| DateTime::parse_from_rfc3339(s).map_err(|e| unreadable(col, "time", e)))
        .transpose()
}

/// An optional date column (`YYYY-MM-DD`).
pub(super) fn opt_date(row: &Row, col: usize) -> Result<Option<NaiveDate>> {
    get::<Option<&str>>(row, col)?
        .map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| unreadable(col, "date", e)))
        .transpose()
}

/// A column holding the name of an enum value (`as_str` of it).
pub(super) fn enumerated<T: std::str::FromStr<Err = Error>>(row: &Row, col: usize) -> Result<T> {
    get::<&str>(row, col)?
        .parse()
        .map_err(|e| unreadable(col, "name", e))
}

/// A customer id column.
pub(super) fn customer_id(row: &Row, col: usize) -> Result<CustomerId> {
    get::<uuid::Uuid>(row, col).map(CustomerId::from_uuid)
}

/// An optional customer id column.
pub(super) fn opt_customer_id(row: &Row, col: usize) -> Result<Option<CustomerId>> {
    Ok(get::<Option<uuid::Uuid>>(row, col)?.map(CustomerId::from_uuid))
}

/// A JSON text column read into `T`.
pub(super) fn json<T: serde::de::DeserializeOwned>(row: &Row, col: usize) -> Result<T> {
    serde_json::from_str(get::<&str>(row, col)?).map_err(|e| unreadable(col, "JSON", e))
}

/// `value` as JSON text.
pub(super) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(e.to_string()))
}

/// A count column as `u64` (never negative).
pub(super) fn count(row: &Row, col: usize) -> Result<u64> {
    Ok(get::<i64>(row, col)?.max(0).unsigned_abs())
}
