//! The duplicate-detection model of each tenant.

use super::Db;
use super::values::get;
use crate::error::Result;
use crate::model::TenantId;

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
