//! The duplicate-detection model of each tenant, and the pairs a person decided are not
//! duplicates.

use rusqlite::{OptionalExtension, Transaction, params};

use super::values::{parse_utc, utc_text};
use crate::dedupe::NotDuplicate;
use crate::error::Result;
use crate::model::{CustomerId, TenantId};

/// When the tenant's model was learned, if it was.
pub(super) fn model_stamp(tx: &Transaction<'_>, tenant: &TenantId) -> Result<Option<String>> {
    tx.prepare_cached("SELECT learned_at FROM match_models WHERE tenant_id = ?1")
        .map_err(super::db)?
        .query_row([tenant.as_str()], |r| r.get(0))
        .optional()
        .map_err(super::db)
}

/// The tenant's model: when learned, parameters and frequencies.
pub(super) fn model(
    tx: &Transaction<'_>,
    tenant: &TenantId,
) -> Result<Option<(String, String, Vec<u8>)>> {
    tx.prepare_cached(
        "SELECT learned_at, params, frequencies FROM match_models WHERE tenant_id = ?1",
    )
    .map_err(super::db)?
    .query_row([tenant.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
    .optional()
    .map_err(super::db)
}

/// Keeps the tenant's model in place of the one before.
pub(super) fn set_model(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    learned_at: &str,
    params: &str,
    frequencies: &[u8],
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO match_models (tenant_id, learned_at, params, frequencies)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (tenant_id) DO UPDATE SET learned_at = excluded.learned_at,
            params = excluded.params, frequencies = excluded.frequencies",
    )
    .map_err(super::db)?
    .execute(params![tenant.as_str(), learned_at, params, frequencies])
    .map_err(super::db)?;
    Ok(())
}

const DECISION_COLUMNS: &str = "low, high, marked_by, marked_at";

fn decision(r: &rusqlite::Row<'_>) -> rusqlite::Result<NotDuplicate> {
    Ok(NotDuplicate {
        a: CustomerId::from_uuid(r.get(0)?),
        b: CustomerId::from_uuid(r.get(1)?),
        marked_by: r.get(2)?,
        marked_at: parse_utc(3, &r.get::<_, String>(3)?)?,
    })
}

/// Every not-a-duplicate decision of the tenant, by pair.
pub(super) fn decisions(tx: &Transaction<'_>, tenant: &TenantId) -> Result<Vec<NotDuplicate>> {
    tx.prepare_cached(&format!(
        "SELECT {DECISION_COLUMNS} FROM not_duplicates WHERE tenant_id = ?1 ORDER BY low, high"
    ))
    .map_err(super::db)?
    .query_map([tenant.as_str()], decision)
    .map_err(super::db)?
    .collect::<rusqlite::Result<_>>()
    .map_err(super::db)
}

/// The decisions about customer `id`, by pair.
pub(super) fn decisions_of(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<Vec<NotDuplicate>> {
    tx.prepare_cached(&format!(
        "SELECT {DECISION_COLUMNS} FROM not_duplicates WHERE tenant_id = ?1 AND low = ?2
         UNION ALL
         SELECT {DECISION_COLUMNS} FROM not_duplicates WHERE tenant_id = ?1 AND high = ?2
         ORDER BY 1, 2"
    ))
    .map_err(super::db)?
    .query_map(params![tenant.as_str(), id.as_uuid()], decision)
    .map_err(super::db)?
    .collect::<rusqlite::Result<_>>()
    .map_err(super::db)
}

/// Stores a decision unless its pair has one; whether it was stored.
pub(super) fn insert_decision(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    d: &NotDuplicate,
) -> Result<bool> {
    Ok(tx
        .prepare_cached(&format!(
            "INSERT INTO not_duplicates (tenant_id, {DECISION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (tenant_id, low, high) DO NOTHING"
        ))
        .map_err(super::db)?
        .execute(params![
            tenant.as_str(),
            d.a.as_uuid(),
            d.b.as_uuid(),
            d.marked_by,
            utc_text(&d.marked_at)
        ])
        .map_err(super::db)?
        > 0)
}

/// Removes the decision about the pair (`low` < `high`); whether there was one.
pub(super) fn delete_decision(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    low: &CustomerId,
    high: &CustomerId,
) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "DELETE FROM not_duplicates WHERE tenant_id = ?1 AND low = ?2 AND high = ?3",
        )
        .map_err(super::db)?
        .execute(params![tenant.as_str(), low.as_uuid(), high.as_uuid()])
        .map_err(super::db)?
        > 0)
}

/// Removes every decision about customer `id`; how many.
pub(super) fn delete_decisions_of(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<u64> {
    Ok(tx
        .prepare_cached(
            "DELETE FROM not_duplicates WHERE tenant_id = ?1 AND (low = ?2 OR high = ?2)",
        )
        .map_err(super::db)?
        .execute(params![tenant.as_str(), id.as_uuid()])
        .map_err(super::db)? as u64)
}
