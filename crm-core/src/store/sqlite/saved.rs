//! Saved searches and the customers each matched at its last run.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::values::{opt, parse_utc, utc_text};
use crate::error::{Error, Result};
use crate::model::{CustomerId, CustomerQuery, SavedSearch, SavedSearchId, TenantId};

const COLUMNS: &str = "id, name, query, created_at, updated_at, last_run_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<(SavedSearch, String)> {
    Ok((
        SavedSearch {
            id: SavedSearchId::from_uuid(r.get(0)?),
            name: r.get(1)?,
            query: CustomerQuery::default(),
            created_at: parse_utc(3, &r.get::<_, String>(3)?)?,
            updated_at: parse_utc(4, &r.get::<_, String>(4)?)?,
            last_run_at: opt(r, 5, parse_utc)?,
        },
        r.get(2)?,
    ))
}

/// The query stored as JSON, read back.
fn with_query((mut search, json): (SavedSearch, String)) -> Result<SavedSearch> {
    search.query = serde_json::from_str(&json)
        .map_err(|_| Error::Internal("a saved search's query is not readable".into()))?;
    Ok(search)
}

pub(super) fn get(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
) -> Result<Option<SavedSearch>> {
    let found = tx
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM saved_searches WHERE tenant_id = ?1 AND id = ?2"
        ))
        .map_err(super::db)?
        .query_row(params![tenant.as_str(), id.as_uuid()], from_row)
        .optional()
        .map_err(super::db)?;
    found.map(with_query).transpose()
}

/// The id and query of the saved search `name` (`None` for a query that cannot be read).
pub(super) fn named(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    name: &str,
) -> Result<Option<(SavedSearchId, Option<CustomerQuery>)>> {
    let found: Option<(uuid::Uuid, String)> = tx
        .prepare_cached("SELECT id, query FROM saved_searches WHERE tenant_id = ?1 AND name = ?2")
        .map_err(super::db)?
        .query_row(params![tenant.as_str(), name], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()
        .map_err(super::db)?;
    Ok(found.map(|(id, json)| {
        (
            SavedSearchId::from_uuid(id),
            serde_json::from_str(&json).ok(),
        )
    }))
}

pub(super) fn all(tx: &Transaction<'_>, tenant: &TenantId) -> Result<Vec<SavedSearch>> {
    let rows = tx
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM saved_searches WHERE tenant_id = ?1 ORDER BY name"
        ))
        .map_err(super::db)?
        .query_map([tenant.as_str()], from_row)
        .map_err(super::db)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(super::db)?;
    rows.into_iter().map(with_query).collect()
}

fn query_text(query: &CustomerQuery) -> Result<String> {
    serde_json::to_string(query).map_err(|e| Error::Internal(e.to_string()))
}

pub(super) fn insert(tx: &Transaction<'_>, tenant: &TenantId, s: &SavedSearch) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO saved_searches (id, tenant_id, name, query, created_at, updated_at, last_run_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    ).map_err(super::db)?
    .execute(params![
        s.id.as_uuid(),
        tenant.as_str(),
        s.name,
        query_text(&s.query)?,
        utc_text(&s.created_at),
        utc_text(&s.updated_at),
        s.last_run_at.as_ref().map(utc_text),
    ]).map_err(super::db)?;
    Ok(())
}

/// Writes the query of a saved search, the time it was saved and its last run.
pub(super) fn set_query(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
    query: &CustomerQuery,
    saved_at: DateTime<Utc>,
    last_run_at: Option<DateTime<Utc>>,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE saved_searches SET query = ?3, updated_at = ?4, last_run_at = ?5
         WHERE tenant_id = ?1 AND id = ?2",
    )
    .map_err(super::db)?
    .execute(params![
        tenant.as_str(),
        id.as_uuid(),
        query_text(query)?,
        utc_text(&saved_at),
        last_run_at.as_ref().map(utc_text),
    ])
    .map_err(super::db)?;
    Ok(())
}

/// Records the time of a saved search's last run.
pub(super) fn set_last_run(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
    at: DateTime<Utc>,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE saved_searches SET last_run_at = ?3 WHERE tenant_id = ?1 AND id = ?2",
    )
    .map_err(super::db)?
    .execute(params![tenant.as_str(), id.as_uuid(), utc_text(&at)])
    .map_err(super::db)?;
    Ok(())
}

/// Deletes a saved search; `false` if there was none.
pub(super) fn delete(tx: &Transaction<'_>, tenant: &TenantId, id: &SavedSearchId) -> Result<bool> {
    Ok(tx
        .prepare_cached("DELETE FROM saved_searches WHERE tenant_id = ?1 AND id = ?2")
        .map_err(super::db)?
        .execute(params![tenant.as_str(), id.as_uuid()])
        .map_err(super::db)?
        == 1)
}

/// The tenant's saved search `?1`, in the statements on its matches (which hold no tenant).
const OWN_SEARCH: &str = "EXISTS (SELECT 1 FROM saved_searches WHERE id = ?1 AND tenant_id = ?2)";

/// The customers a saved search of the tenant matched, each with when it first matched.
pub(super) fn matches(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
) -> Result<Vec<(CustomerId, DateTime<Utc>)>> {
    let mut stmt = tx
        .prepare_cached(&format!(
            "SELECT customer_id, first_matched_at FROM saved_search_matches
         WHERE search_id = ?1 AND {OWN_SEARCH}"
        ))
        .map_err(super::db)?;
    let rows = stmt
        .query_map(params![id.as_uuid(), tenant.as_str()], |r| {
            Ok((
                CustomerId::from_uuid(r.get(0)?),
                parse_utc(1, &r.get::<_, String>(1)?)?,
            ))
        })
        .map_err(super::db)?;
    rows.collect::<rusqlite::Result<_>>().map_err(super::db)
}

pub(super) fn forget_matches(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
) -> Result<()> {
    tx.prepare_cached(&format!(
        "DELETE FROM saved_search_matches WHERE search_id = ?1 AND {OWN_SEARCH}"
    ))
    .map_err(super::db)?
    .execute(params![id.as_uuid(), tenant.as_str()])
    .map_err(super::db)?;
    Ok(())
}

pub(super) fn insert_match(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
    customer: &CustomerId,
    at: DateTime<Utc>,
) -> Result<()> {
    tx.prepare_cached(&format!(
        "INSERT INTO saved_search_matches (search_id, customer_id, first_matched_at)
         SELECT ?1, ?3, ?4 WHERE {OWN_SEARCH}"
    ))
    .map_err(super::db)?
    .execute(params![
        id.as_uuid(),
        tenant.as_str(),
        customer.as_uuid(),
        utc_text(&at)
    ])
    .map_err(super::db)?;
    Ok(())
}

pub(super) fn delete_match(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
    customer: &CustomerId,
) -> Result<()> {
    tx.prepare_cached(&format!(
        "DELETE FROM saved_search_matches WHERE search_id = ?1 AND customer_id = ?3 AND {OWN_SEARCH}"
    )).map_err(super::db)?
    .execute(params![id.as_uuid(), tenant.as_str(), customer.as_uuid()]).map_err(super::db)?;
    Ok(())
}
