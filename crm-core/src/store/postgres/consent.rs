//! Consent records: appended at the tenant's next position, read per customer or for a page
//! of customers.

use postgres::Row;

use super::Db;
use super::values::{customer_id, enumerated, get, utc, utc_text};
use crate::error::Result;
use crate::model::{Channel, ConsentPurpose, ConsentRecord, CustomerId, TenantId};

const COLUMNS: &str = "channel, purpose, state, at, source, recorded_at, recorded_by";

/// The record whose [`COLUMNS`] start at column `o`.
fn from_row(row: &Row, o: usize) -> Result<ConsentRecord> {
    Ok(ConsentRecord {
        channel: enumerated(row, o)?,
        purpose: enumerated(row, o + 1)?,
        state: enumerated(row, o + 2)?,
        at: utc(row, o + 3)?,
        source: get(row, o + 4)?,
        recorded_at: utc(row, o + 5)?,
        recorded_by: get(row, o + 6)?,
    })
}

/// Appends a record of `customer` at the tenant's next position.
pub(super) fn insert(
    db: &mut Db<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
    r: &ConsentRecord,
) -> Result<()> {
    db.execute(
        &format!(
            "INSERT INTO consent_records (tenant_id, id, customer_id, {COLUMNS})
             SELECT $1, COALESCE(MAX(id), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9
             FROM consent_records WHERE tenant_id = $1"
        ),
        &[
            &tenant.as_str(),
            customer.as_uuid(),
            &r.channel.as_str(),
            &r.purpose.as_str(),
            &r.state.as_str(),
            &utc_text(&r.at),
            &r.source,
            &utc_text(&r.recorded_at),
            &r.recorded_by,
        ],
    )?;
    Ok(())
}

/// The records of `customers`, the latest recorded first.
pub(super) fn of_customers(
    db: &mut Db<'_>,
    tenant: &TenantId,
    customers: &[CustomerId],
) -> Result<Vec<ConsentRecord>> {
    let ids: Vec<uuid::Uuid> = customers.iter().map(|id| *id.as_uuid()).collect();
    db.query(
        &format!(
            "SELECT {COLUMNS} FROM consent_records WHERE tenant_id = $1 AND customer_id = ANY($2)
             ORDER BY id DESC"
        ),
        &[&tenant.as_str(), &ids],
    )?
    .iter()
    .map(|row| from_row(row, 0))
    .collect()
}

/// The records on `channel` for `purpose` of each of `customers`, the latest recorded first.
pub(super) fn among(
    db: &mut Db<'_>,
    tenant: &TenantId,
    customers: &[CustomerId],
    channel: Channel,
    purpose: ConsentPurpose,
) -> Result<Vec<(CustomerId, ConsentRecord)>> {
    let ids: Vec<uuid::Uuid> = customers.iter().map(|id| *id.as_uuid()).collect();
    db.query(
        &format!(
            "SELECT customer_id, {COLUMNS} FROM consent_records
             WHERE tenant_id = $1 AND channel = $2 AND purpose = $3 AND customer_id = ANY($4)
             ORDER BY id DESC"
        ),
        &[&tenant.as_str(), &channel.as_str(), &purpose.as_str(), &ids],
    )?
    .iter()
    .map(|row| Ok((customer_id(row, 0)?, from_row(row, 1)?)))
    .collect()
}

/// Deletes a customer's records.
pub(super) fn erase(db: &mut Db<'_>, tenant: &TenantId, customer: &CustomerId) -> Result<()> {
    db.execute(
        "DELETE FROM consent_records WHERE tenant_id = $1 AND customer_id = $2",
        &[&tenant.as_str(), customer.as_uuid()],
    )?;
    Ok(())
}
