//! The communication log: what the host reports it sent.

use rusqlite::{Row, Transaction, params};

use super::values::{parse_enum, parse_utc, utc_text};
use crate::error::Result;
use crate::model::{Communication, CommunicationId, CustomerId, TenantId};

const COLUMNS: &str =
    "id, customer_id, channel, address, subject, reference, sent_at, recorded_at, actor_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Communication> {
    Ok(Communication {
        id: CommunicationId::from_uuid(r.get(0)?),
        customer_id: CustomerId::from_uuid(r.get(1)?),
        channel: parse_enum(2, &r.get::<_, String>(2)?)?,
        address: r.get(3)?,
        subject: r.get(4)?,
        reference: r.get(5)?,
        sent_at: parse_utc(6, &r.get::<_, String>(6)?)?,
        recorded_at: parse_utc(7, &r.get::<_, String>(7)?)?,
        recorded_by: r.get(8)?,
    })
}

/// Stores an entry of the log.
pub(super) fn insert(tx: &Transaction<'_>, tenant: &TenantId, c: &Communication) -> Result<()> {
    tx.prepare_cached(&format!(
        "INSERT INTO communications (tenant_id, {COLUMNS}, sent_us)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    ))
    .map_err(super::db)?
    .execute(params![
        tenant.as_str(),
        c.id.as_uuid(),
        c.customer_id.as_uuid(),
        c.channel.as_str(),
        c.address,
        c.subject,
        c.reference,
        utc_text(&c.sent_at),
        utc_text(&c.recorded_at),
        c.recorded_by,
        c.sent_at.timestamp_micros(),
    ])
    .map_err(super::db)?;
    Ok(())
}

/// The log of customer `id`, newest first.
pub(super) fn of_customer(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<Vec<Communication>> {
    tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM communications WHERE tenant_id = ?1 AND customer_id = ?2
             ORDER BY sent_us DESC, id DESC"
    ))
    .map_err(super::db)?
    .query_map(params![tenant.as_str(), id.as_uuid()], from_row)
    .map_err(super::db)?
    .collect::<rusqlite::Result<_>>()
    .map_err(super::db)
}

/// Erases the personal content of a customer's log (where it went, what it said, the host's
/// id); the entries stay, as the record that the customer was contacted and when.
pub(super) fn erase(tx: &Transaction<'_>, tenant: &TenantId, customer: &CustomerId) -> Result<u64> {
    Ok(tx
        .prepare_cached(
            "UPDATE communications SET address = '', subject = '', reference = NULL
             WHERE tenant_id = ?1 AND customer_id = ?2",
        )
        .map_err(super::db)?
        .execute(params![tenant.as_str(), customer.as_uuid()])
        .map_err(super::db)? as u64)
}
