//! Consent records: appended at the tenant's next position, read per customer or for a page
//! of customers.

use rusqlite::{Row, Transaction, params};

use super::values::{customer_id, parse_enum, parse_utc, utc_text};
use crate::error::Result;
use crate::model::{Channel, ConsentPurpose, ConsentRecord, CustomerId, TenantId};

const COLUMNS: &str = "channel, purpose, state, at, source, recorded_at, recorded_by";

/// The record whose [`COLUMNS`] start at column `o`.
fn from_row(row: &Row<'_>, o: usize) -> rusqlite::Result<ConsentRecord> {
    let text = |i: usize| row.get::<_, String>(o + i);
    Ok(ConsentRecord {
        channel: parse_enum(o, &text(0)?)?,
        purpose: parse_enum(o + 1, &text(1)?)?,
        state: parse_enum(o + 2, &text(2)?)?,
        at: parse_utc(o + 3, &text(3)?)?,
        source: text(4)?,
        recorded_at: parse_utc(o + 5, &text(5)?)?,
        recorded_by: text(6)?,
    })
}

/// Appends a record of `customer` at the tenant's next position.
pub(super) fn insert(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
    r: &ConsentRecord,
) -> Result<()> {
    tx.prepare_cached(&format!(
        "INSERT INTO consent_records (tenant_id, id, customer_id, {COLUMNS})
         SELECT ?1, COALESCE(MAX(id), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9
         FROM consent_records WHERE tenant_id = ?1"
    ))
    .map_err(super::db)?
    .execute(params![
        tenant.as_str(),
        customer.as_uuid(),
        r.channel.as_str(),
        r.purpose.as_str(),
        r.state.as_str(),
        utc_text(&r.at),
        r.source,
        utc_text(&r.recorded_at),
        r.recorded_by,
    ])
    .map_err(super::db)?;
    Ok(())
}

/// The records of `customers` (a few: a customer, the parties of a merge), the latest recorded
/// first.
pub(super) fn of_customers(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    customers: &[CustomerId],
) -> Result<Vec<ConsentRecord>> {
    let mut out: Vec<(i64, ConsentRecord)> = Vec::new();
    let mut stmt = tx
        .prepare_cached(&format!(
            "SELECT id, {COLUMNS} FROM consent_records WHERE tenant_id = ?1 AND customer_id = ?2"
        ))
        .map_err(super::db)?;
    for customer in customers {
        let rows = stmt
            .query_map(params![tenant.as_str(), customer.as_uuid()], |r| {
                Ok((r.get(0)?, from_row(r, 1)?))
            })
            .map_err(super::db)?;
        for row in rows {
            out.push(row.map_err(super::db)?);
        }
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.0));
    Ok(out.into_iter().map(|(_, r)| r).collect())
}

/// Customers per statement when the records of a page are read.
const CUSTOMERS_PER_QUERY: usize = 500;

/// The records on `channel` for `purpose` of each of `customers`, the latest recorded first.
pub(super) fn among(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    customers: &[CustomerId],
    channel: Channel,
    purpose: ConsentPurpose,
) -> Result<Vec<(CustomerId, ConsentRecord)>> {
    let mut out = Vec::new();
    for chunk in customers.chunks(CUSTOMERS_PER_QUERY) {
        let marks = super::numbered_marks(4, chunk.len());
        let sql = format!(
            "SELECT customer_id, {COLUMNS} FROM consent_records
             WHERE tenant_id = ?1 AND channel = ?2 AND purpose = ?3 AND customer_id IN ({marks})
             ORDER BY id DESC"
        );
        let (tenant_text, channel, purpose) = (tenant.as_str(), channel.as_str(), purpose.as_str());
        let ids: Vec<&uuid::Uuid> = chunk.iter().map(CustomerId::as_uuid).collect();
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&tenant_text, &channel, &purpose];
        args.extend(ids.iter().map(|id| *id as &dyn rusqlite::ToSql));
        let mut stmt = tx.prepare_cached(&sql).map_err(super::db)?;
        let rows = stmt
            .query_map(args.as_slice(), |r| {
                Ok((customer_id(r, 0)?, from_row(r, 1)?))
            })
            .map_err(super::db)?;
        for row in rows {
            out.push(row.map_err(super::db)?);
        }
    }
    Ok(out)
}

/// Deletes a customer's records.
pub(super) fn erase(tx: &Transaction<'_>, tenant: &TenantId, customer: &CustomerId) -> Result<()> {
    tx.prepare_cached("DELETE FROM consent_records WHERE tenant_id = ?1 AND customer_id = ?2")
        .map_err(super::db)?
        .execute(params![tenant.as_str(), customer.as_uuid()])
        .map_err(super::db)?;
    Ok(())
}
