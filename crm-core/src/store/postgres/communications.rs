//! The communication log: what the host reports it sent.

use postgres::Row;

use super::Db;
use super::values::{customer_id, enumerated, get, utc, utc_text};
use crate::error::Result;
use crate::model::{Communication, CommunicationId, CustomerId, TenantId};

const COLUMNS: &str =
    "id, customer_id, channel, address, subject, reference, sent_at, recorded_at, actor_id";

fn from_row(r: &Row) -> Result<Communication> {
    Ok(Communication {
        id: CommunicationId::from_uuid(get(r, 0)?),
        customer_id: customer_id(r, 1)?,
        channel: enumerated(r, 2)?,
        address: get(r, 3)?,
        subject: get(r, 4)?,
        reference: get(r, 5)?,
        sent_at: utc(r, 6)?,
        recorded_at: utc(r, 7)?,
        recorded_by: get(r, 8)?,
    })
}

/// Stores an entry of the log.
pub(super) fn insert(db: &mut Db<'_>, tenant: &TenantId, c: &Communication) -> Result<()> {
    let sql = format!(
        "INSERT INTO communications (tenant_id, {COLUMNS}, sent_us)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    );
    db.execute(
        &sql,
        &[
            &tenant.as_str(),
            c.id.as_uuid(),
            c.customer_id.as_uuid(),
            &c.channel.as_str(),
            &c.address,
            &c.subject,
            &c.reference,
            &utc_text(&c.sent_at),
            &utc_text(&c.recorded_at),
            &c.recorded_by,
            &c.sent_at.timestamp_micros(),
        ],
    )?;
    Ok(())
}

/// The log of customer `id`, newest first.
pub(super) fn of_customer(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<Vec<Communication>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM communications WHERE tenant_id = $1 AND customer_id = $2
             ORDER BY sent_us DESC, id DESC"
    );
    db.query(&sql, &[&tenant.as_str(), id.as_uuid()])?
        .iter()
        .map(from_row)
        .collect()
}

/// Erases the personal content of a customer's log (where it went, what it said, the host's
/// id); the entries stay, as the record that the customer was contacted and when.
pub(super) fn erase(db: &mut Db<'_>, tenant: &TenantId, customer: &CustomerId) -> Result<u64> {
    db.execute(
        "UPDATE communications SET address = '', subject = '', reference = NULL
         WHERE tenant_id = $1 AND customer_id = $2",
        &[&tenant.as_str(), customer.as_uuid()],
    )
}
