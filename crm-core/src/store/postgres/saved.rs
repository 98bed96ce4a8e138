//! Saved searches and the customers each matched at its last run.

use chrono::{DateTime, Utc};
use postgres::Row;

use super::Db;
use super::values::{self, customer_id, opt_utc, to_json, utc, utc_text};
use crate::error::{Error, Result};
use crate::model::{CustomerId, CustomerQuery, SavedSearch, SavedSearchId, TenantId};

const COLUMNS: &str = "id, name, query, created_at, updated_at, last_run_at";

fn from_row(r: &Row) -> Result<SavedSearch> {
    let search = SavedSearch {
        id: SavedSearchId::from_uuid(values::get(r, 0)?),
        name: values::get(r, 1)?,
        query: CustomerQuery::default(),
        created_at: utc(r, 3)?,
        updated_at: utc(r, 4)?,
        last_run_at: opt_utc(r, 5)?,
    };
    with_query(search, values::get(r, 2)?)
}

/// The query stored as JSON, read back.
fn with_query(mut search: SavedSearch, json: &str) -> Result<SavedSearch> {
    search.query = serde_json::from_str(json)
        .map_err(|_| Error::Internal("a saved search's query is not readable".into()))?;
    Ok(search)
}

pub(super) fn get(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
) -> Result<Option<SavedSearch>> {
    let sql = format!("SELECT {COLUMNS} FROM saved_searches WHERE tenant_id = $1 AND id = $2");
    db.query_opt(&sql, &[&tenant.as_str(), id.as_uuid()])?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// The id and query of the saved search `name` (`None` for a query that cannot be read).
pub(super) fn named(
    db: &mut Db<'_>,
    tenant: &TenantId,
    name: &str,
) -> Result<Option<(SavedSearchId, Option<CustomerQuery>)>> {
    let Some(row) = db.query_opt(
        "SELECT id, query FROM saved_searches WHERE tenant_id = $1 AND name = $2",
        &[&tenant.as_str(), &name],
    )?
    else {
        return Ok(None);
    };
    let id: uuid::Uuid = values::get(&row, 0)?;
    let json: &str = values::get(&row, 1)?;
    Ok(Some((
        SavedSearchId::from_uuid(id),
        serde_json::from_str(json).ok(),
    )))
}

pub(super) fn all(db: &mut Db<'_>, tenant: &TenantId) -> Result<Vec<SavedSearch>> {
    let sql = format!("SELECT {COLUMNS} FROM saved_searches WHERE tenant_id = $1 ORDER BY name");
    db.query(&sql, &[&tenant.as_str()])?
        .iter()
        .map(from_row)
        .collect()
}

pub(super) fn insert(db: &mut Db<'_>, tenant: &TenantId, s: &SavedSearch) -> Result<()> {
    db.execute(
        "INSERT INTO saved_searches (id, tenant_id, name, query, created_at, updated_at, last_run_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            s.id.as_uuid(),
            &tenant.as_str(),
            &s.name,
            &to_json(&s.query)?,
            &utc_text(&s.created_at),
            &utc_text(&s.updated_at),
            &s.last_run_at.as_ref().map(utc_text),
        ],
    )?;
    Ok(())
}

/// Writes the query of a saved search, the time it was saved and its last run.
pub(super) fn set_query(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
    query: &CustomerQuery,
    saved_at: DateTime<Utc>,
    last_run_at: Option<DateTime<Utc>>,
) -> Result<()> {
    db.execute(
        "UPDATE saved_searches SET query = $3, updated_at = $4, last_run_at = $5
         WHERE tenant_id = $1 AND id = $2",
        &[
            &tenant.as_str(),
            id.as_uuid(),
            &to_json(query)?,
            &utc_text(&saved_at),
            &last_run_at.as_ref().map(utc_text),
        ],
    )?;
    Ok(())
}

/// Records the time of a saved search's last run.
pub(super) fn set_last_run(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
    at: DateTime<Utc>,
) -> Result<()> {
    db.execute(
        "UPDATE saved_searches SET last_run_at = $3 WHERE tenant_id = $1 AND id = $2",
        &[&tenant.as_str(), id.as_uuid(), &utc_text(&at)],
    )?;
    Ok(())
}

/// Deletes a saved search; `false` if there was none.
pub(super) fn delete(db: &mut Db<'_>, tenant: &TenantId, id: &SavedSearchId) -> Result<bool> {
    Ok(db.execute(
        "DELETE FROM saved_searches WHERE tenant_id = $1 AND id = $2",
        &[&tenant.as_str(), id.as_uuid()],
    )? == 1)
}

/// The customers a saved search of the tenant matched, each with when it first matched (in
/// customer id order, the order of the SQLite table's key).
pub(super) fn matches(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
) -> Result<Vec<(CustomerId, DateTime<Utc>)>> {
    db.query(
        "SELECT customer_id, first_matched_at FROM saved_search_matches
         WHERE tenant_id = $1 AND search_id = $2 ORDER BY customer_id",
        &[&tenant.as_str(), id.as_uuid()],
    )?
    .iter()
    .map(|r| -> Result<_> { Ok((customer_id(r, 0)?, utc(r, 1)?)) })
    .collect()
}

pub(super) fn forget_matches(db: &mut Db<'_>, tenant: &TenantId, id: &SavedSearchId) -> Result<()> {
    db.execute(
        "DELETE FROM saved_search_matches WHERE tenant_id = $1 AND search_id = $2",
        &[&tenant.as_str(), id.as_uuid()],
    )?;
    Ok(())
}

/// Records that `customer` matches the saved search; nothing when the tenant has no such
/// search (as on SQLite, rather than failing on the foreign key).
pub(super) fn insert_match(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
    customer: &CustomerId,
    at: DateTime<Utc>,
) -> Result<()> {
    db.execute(
        "INSERT INTO saved_search_matches (tenant_id, search_id, customer_id, first_matched_at)
         SELECT $1::TEXT, $2::UUID, $3::UUID, $4::TEXT
         WHERE EXISTS (SELECT 1 FROM saved_searches WHERE tenant_id = $1 AND id = $2)",
        &[
            &tenant.as_str(),
            id.as_uuid(),
            customer.as_uuid(),
            &utc_text(&at),
        ],
    )?;
    Ok(())
}

pub(super) fn delete_match(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
    customer: &CustomerId,
) -> Result<()> {
    db.execute(
        "DELETE FROM saved_search_matches WHERE tenant_id = $1 AND search_id = $2 AND customer_id = $3",
        &[&tenant.as_str(), id.as_uuid(), customer.as_uuid()],
    )?;
    Ok(())
}
