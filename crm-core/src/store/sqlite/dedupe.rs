//! The duplicate-detection model of each tenant.

use rusqlite::{OptionalExtension, Transaction, params};

use crate::error::Result;
use crate::model::TenantId;

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
