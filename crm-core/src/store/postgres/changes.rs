//! The change feed table: append inside the mutation's transaction, read in order. Each tenant
//! has its own feed: its sequence is the counter of the tenant's row (`tenants.change_seq`),
//! bumped under the row lock the write transaction took first, so it has no gaps and follows
//! commit order.

use postgres::Row;

use super::Db;
use super::values::{enumerated, get, json, opt_customer_id, to_json, utc};
use crate::error::{Error, Result};
use crate::model::{Actor, CustomerId, TenantId};
use crate::model::{Change, ChangeEvent};

/// Appends an event to the feed, recording the time `at` (as stored): a batch writes one for all.
pub(super) fn append_at(
    db: &mut Db<'_>,
    tenant: &TenantId,
    actor: &Actor,
    change: &Change,
    at: &str,
) -> Result<()> {
    let fields = if change.fields.is_empty() {
        "[]".to_owned()
    } else {
        to_json(&change.fields)?
    };
    let appended = db.execute(
        "WITH s AS (
            UPDATE tenants SET change_seq = change_seq + 1 WHERE tenant_id = $1
            RETURNING change_seq)
         INSERT INTO changes (tenant_id, seq, at, kind, customer_id, previous_customer_id,
            booking_ref, actor_id, actor_role, fields)
         SELECT $1, s.change_seq, $2::TEXT, $3::TEXT, $4::UUID, $5::UUID, $6::TEXT, $7::TEXT,
            $8::TEXT, $9::TEXT
         FROM s",
        &[
            &tenant.as_str(),
            &at,
            &change.kind.as_str(),
            &change.customer_id.as_ref().map(|c| c.as_uuid()),
            &change.previous_customer_id.as_ref().map(|c| c.as_uuid()),
            &change.booking_ref,
            &actor.user_id,
            &actor.role.as_str(),
            &fields,
        ],
    )?;
    // The write transaction made the tenant's row before anything else: no row, no event.
    if appended != 1 {
        return Err(Error::Internal(
            "a change event was not appended: the tenant has no row".into(),
        ));
    }
    Ok(())
}

const COLUMNS: &str =
    "seq, at, kind, customer_id, previous_customer_id, booking_ref, actor_id, actor_role, fields";

fn event(row: &Row) -> Result<ChangeEvent> {
    Ok(ChangeEvent {
        seq: get(row, 0)?,
        at: utc(row, 1)?,
        kind: enumerated(row, 2)?,
        customer_id: opt_customer_id(row, 3)?,
        previous_customer_id: opt_customer_id(row, 4)?,
        booking_ref: get(row, 5)?,
        actor: Actor::new(get::<String>(row, 6)?, enumerated(row, 7)?),
        fields: json(row, 8)?,
    })
}

/// Every event of the tenant about one of `ids` (as the customer or the previous one), in
/// order. It reads the tenant's feed through: for rare calls (an export).
pub(super) fn about(
    db: &mut Db<'_>,
    tenant: &TenantId,
    ids: &[CustomerId],
) -> Result<Vec<ChangeEvent>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM changes WHERE tenant_id = $1
         AND (customer_id = ANY($2) OR previous_customer_id = ANY($2)) ORDER BY seq"
    );
    let ids: Vec<uuid::Uuid> = ids.iter().map(|id| *id.as_uuid()).collect();
    let rows = db.query(&sql, &[&tenant.as_str(), &ids])?;
    rows.iter().map(event).collect()
}

/// Up to `limit` events of the tenant after sequence `after`, in order.
pub(super) fn since(
    db: &mut Db<'_>,
    tenant: &TenantId,
    after: i64,
    limit: u32,
) -> Result<Vec<ChangeEvent>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM changes WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
    );
    let rows = db.query(&sql, &[&tenant.as_str(), &after, &i64::from(limit)])?;
    rows.iter().map(event).collect()
}
