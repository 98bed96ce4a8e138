//! The duplicate-detection model of each tenant, and the pairs a person decided are not
//! duplicates.

use postgres::Row;

use super::Db;
use super::values::{customer_id, get, utc, utc_text};
use crate::dedupe::NotDuplicate;
use crate::error::Result;
use crate::model::{CustomerId, TenantId};

/// When the tenant's model was learned, if it was.
pub(super) fn model_stamp(db: &mut Db<'_>, tenant: &TenantId) -> Result<Option<String>> {
    let rows = db.query(
        "SELECT learned_at FROM match_models WHERE tenant_id = $1",
        &[&tenant.as_str()],
    )?;
    rows.first().map(|row| get(row, 0)).transpose()
}

/// The tenant's model: when learned, parameters and frequencies.
pub(super) fn model(
    db: &mut Db<'_>,
    tenant: &TenantId,
) -> Result<Option<(String, String, Vec<u8>)>> {
    let rows = db.query(
        "SELECT learned_at, params, frequencies FROM match_models WHERE tenant_id = $1",
        &[&tenant.as_str()],
    )?;
    rows.first()
        .map(|row| Ok((get(row, 0)?, get(row, 1)?, get(row, 2)?)))
        .transpose()
}

/// Keeps the tenant's model in place of the one before.
pub(super) fn set_model(
    db: &mut Db<'_>,
    tenant: &TenantId,
    learned_at: &str,
    params: &str,
    frequencies: &[u8],
) -> Result<()> {
    db.execute(
        "INSERT INTO match_models (tenant_id, learned_at, params, frequencies)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id) DO UPDATE SET learned_at = excluded.learned_at,
            params = excluded.params, frequencies = excluded.frequencies",
        &[&tenant.as_str(), &learned_at, &params, &frequencies],
    )?;
    Ok(())
}

const DECISION_COLUMNS: &str = "low, high, marked_by, marked_at";

fn decision(r: &Row) -> Result<NotDuplicate> {
    Ok(NotDuplicate {
        a: customer_id(r, 0)?,
        b: customer_id(r, 1)?,
        marked_by: get(r, 2)?,
        marked_at: utc(r, 3)?,
    })
}

/// Every not-a-duplicate decision of the tenant, by pair.
pub(super) fn decisions(db: &mut Db<'_>, tenant: &TenantId) -> Result<Vec<NotDuplicate>> {
    let sql = format!(
        "SELECT {DECISION_COLUMNS} FROM not_duplicates WHERE tenant_id = $1 ORDER BY low, high"
    );
    db.query(&sql, &[&tenant.as_str()])?
        .iter()
        .map(decision)
        .collect()
}

/// The decisions about customer `id`, by pair.
pub(super) fn decisions_of(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<Vec<NotDuplicate>> {
    let sql = format!(
        "SELECT {DECISION_COLUMNS} FROM not_duplicates WHERE tenant_id = $1 AND low = $2
         UNION ALL
         SELECT {DECISION_COLUMNS} FROM not_duplicates WHERE tenant_id = $1 AND high = $2
         ORDER BY 1, 2"
    );
    db.query(&sql, &[&tenant.as_str(), id.as_uuid()])?
        .iter()
        .map(decision)
        .collect()
}

/// Stores a decision unless its pair has one; whether it was stored.
pub(super) fn insert_decision(
    db: &mut Db<'_>,
    tenant: &TenantId,
    d: &NotDuplicate,
) -> Result<bool> {
    let sql = format!(
        "INSERT INTO not_duplicates (tenant_id, {DECISION_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, low, high) DO NOTHING"
    );
    let stored = db.execute(
        &sql,
        &[
            &tenant.as_str(),
            d.a.as_uuid(),
            d.b.as_uuid(),
            &d.marked_by,
            &utc_text(&d.marked_at),
        ],
    )?;
    Ok(stored > 0)
}

/// Removes the decision about the pair (`low` < `high`); whether there was one.
pub(super) fn delete_decision(
    db: &mut Db<'_>,
    tenant: &TenantId,
    low: &CustomerId,
    high: &CustomerId,
) -> Result<bool> {
    let removed = db.execute(
        "DELETE FROM not_duplicates WHERE tenant_id = $1 AND low = $2 AND high = $3",
        &[&tenant.as_str(), low.as_uuid(), high.as_uuid()],
    )?;
    Ok(removed > 0)
}

/// Removes every decision about customer `id`; how many.
pub(super) fn delete_decisions_of(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<u64> {
    db.execute(
        "DELETE FROM not_duplicates WHERE tenant_id = $1 AND (low = $2 OR high = $2)",
        &[&tenant.as_str(), id.as_uuid()],
    )
}
