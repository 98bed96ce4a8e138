//! Saved searches and the customers each matched at its last run.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::changes;
use super::values::{opt, parse_utc, utc_text};
use crate::changes::{Change, ChangeKind};
use crate::error::{Error, Result};
use crate::model::CustomerQuery;
use crate::model::{Actor, CustomerId, SavedSearch, SavedSearchId, TenantId};

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

fn event(kind: ChangeKind) -> Change {
    Change {
        kind,
        customer_id: None,
        previous_customer_id: None,
        booking_ref: None,
        fields: Vec::new(),
    }
}

pub(super) fn get(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
) -> Result<SavedSearch> {
    let found = tx
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM saved_searches WHERE tenant_id = ?1 AND id = ?2"
        ))?
        .query_row(params![tenant.as_str(), id.as_uuid()], from_row)
        .optional()?;
    found
        .map(with_query)
        .transpose()?
        .ok_or_else(|| Error::not_found("saved search", id))
}

pub(super) fn all(tx: &Transaction<'_>, tenant: &TenantId) -> Result<Vec<SavedSearch>> {
    let rows = tx
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM saved_searches WHERE tenant_id = ?1 ORDER BY name"
        ))?
        .query_map([tenant.as_str()], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(with_query).collect()
}

/// Saves `query` under `name`: a new saved search, or the one of that name with its query
/// replaced (its matches forgotten when the query changed: the next run starts afresh).
pub(super) fn save(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    name: &str,
    query: &CustomerQuery,
) -> Result<SavedSearch> {
    let json = serde_json::to_string(query).map_err(|e| Error::Internal(e.to_string()))?;
    let now = utc_text(&Utc::now());
    let existing: Option<(uuid::Uuid, String)> = tx
        .prepare_cached("SELECT id, query FROM saved_searches WHERE tenant_id = ?1 AND name = ?2")?
        .query_row(params![tenant.as_str(), name], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let id = match existing {
        Some((id, old)) => {
            let id = SavedSearchId::from_uuid(id);
            if old != json {
                tx.prepare_cached(
                    "UPDATE saved_searches SET query = ?3, updated_at = ?4, last_run_at = NULL
                     WHERE tenant_id = ?1 AND id = ?2",
                )?
                .execute(params![tenant.as_str(), id.as_uuid(), json, now])?;
                tx.prepare_cached("DELETE FROM saved_search_matches WHERE search_id = ?1")?
                    .execute([id.as_uuid()])?;
            }
            id
        }
        None => {
            let id = SavedSearchId::new();
            tx.prepare_cached(
                "INSERT INTO saved_searches (id, tenant_id, name, query, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            )?
            .execute(params![id.as_uuid(), tenant.as_str(), name, json, now])?;
            id
        }
    };
    changes::append(tx, tenant, actor, &event(ChangeKind::SavedSearchSaved))?;
    get(tx, tenant, &id)
}

pub(super) fn delete(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    id: &SavedSearchId,
) -> Result<()> {
    let gone = tx
        .prepare_cached("DELETE FROM saved_searches WHERE tenant_id = ?1 AND id = ?2")?
        .execute(params![tenant.as_str(), id.as_uuid()])?;
    if gone == 0 {
        return Err(Error::not_found("saved search", id));
    }
    changes::append(tx, tenant, actor, &event(ChangeKind::SavedSearchDeleted))
}

/// Records a run that matched `ids` of the query saved at `saved_at`: customers not matched
/// before are remembered from now, those that no longer match are forgotten. Returns the search
/// as it stands (its `last_run_at` is this run's time, never earlier than the previous run's),
/// when it ran before, and those of `ids` (in their order, once each) that first matched after
/// `since` (by default the previous run; all on a first run). Conflict if the query was saved
/// again since it was read.
pub(super) fn record_run(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &SavedSearchId,
    saved_at: DateTime<Utc>,
    ids: &[CustomerId],
    since: Option<DateTime<Utc>>,
) -> Result<(SavedSearch, Option<DateTime<Utc>>, Vec<CustomerId>)> {
    let before = get(tx, tenant, id)?;
    if before.updated_at != saved_at {
        return Err(Error::conflict(
            "the saved search was saved again while it ran: run it again",
        ));
    }
    let at = before
        .last_run_at
        .map_or_else(Utc::now, |last| Utc::now().max(last));
    let mut known: HashMap<CustomerId, DateTime<Utc>> = HashMap::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT customer_id, first_matched_at FROM saved_search_matches WHERE search_id = ?1",
        )?;
        let mut rows = stmt.query([id.as_uuid()])?;
        while let Some(r) = rows.next()? {
            known.insert(
                CustomerId::from_uuid(r.get(0)?),
                parse_utc(1, &r.get::<_, String>(1)?)?,
            );
        }
    }
    let now = utc_text(&at);
    let mut insert = tx.prepare_cached(
        "INSERT INTO saved_search_matches (search_id, customer_id, first_matched_at)
         VALUES (?1, ?2, ?3)",
    )?;
    let mut new = Vec::new();
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    for customer in ids {
        if !seen.insert(*customer) {
            continue;
        }
        let first = match known.remove(customer) {
            Some(first) => first,
            None => {
                insert.execute(params![id.as_uuid(), customer.as_uuid(), now])?;
                at
            }
        };
        let is_new = match since.or(before.last_run_at) {
            Some(since) => first > since,
            None => true,
        };
        if is_new {
            new.push(*customer);
        }
    }
    let mut forget = tx.prepare_cached(
        "DELETE FROM saved_search_matches WHERE search_id = ?1 AND customer_id = ?2",
    )?;
    for gone in known.keys() {
        forget.execute(params![id.as_uuid(), gone.as_uuid()])?;
    }
    tx.prepare_cached(
        "UPDATE saved_searches SET last_run_at = ?3 WHERE tenant_id = ?1 AND id = ?2",
    )?
    .execute(params![tenant.as_str(), id.as_uuid(), now])?;
    Ok((get(tx, tenant, id)?, before.last_run_at, new))
}
