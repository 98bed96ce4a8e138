//! The change feed table: append inside the mutation's transaction, read in order. Each tenant
//! has its own feed: its sequence is the counter of the tenant's row (`tenants.change_seq`),
//! bumped under the row lock the write transaction took first, so it has no gaps and follows
//! commit order.

use postgres::Row;

use super::Db;
use super::values::{enumerated, get, json, opt_customer_id, to_json, utc};
use crate::error::{Error, Result};
use crate::model::{Actor, CustomerId, TenantId};
use crate::model::{Change, ChangeEvent, FeedBounds, FeedCursor};

/// Appends events to the feed after the feed's last sequence `head` (read under the tenant's
/// row lock this transaction holds: nobody else can move it), in order, the rows and the
/// tenant's counter in one statement per 5,000 events. Returns the feed's new last sequence.
pub(super) fn append_many(
    db: &mut Db<'_>,
    tenant: &TenantId,
    head: i64,
    events: &[(Actor, Change, String)],
) -> Result<i64> {
    let mut base = head;
    for chunk in events.chunks(5_000) {
        insert_chunk(db, tenant, base, chunk)?;
        base += chunk.len() as i64;
    }
    Ok(base)
}

/// Inserts events with the sequences after `base`, in order, and moves the tenant's counter
/// past them, in one statement.
fn insert_chunk(
    db: &mut Db<'_>,
    tenant: &TenantId,
    base: i64,
    events: &[(Actor, Change, String)],
) -> Result<()> {
    let mut columns: [Vec<Option<String>>; 6] = Default::default();
    let (mut customers, mut previous) = (Vec::new(), Vec::new());
    for (actor, change, at) in events {
        let fields = if change.fields.is_empty() {
            "[]".to_owned()
        } else {
            to_json(&change.fields)?
        };
        let values = [
            Some(at.clone()),
            Some(change.kind.as_str().to_owned()),
            change.booking_ref.clone(),
            Some(actor.user_id.clone()),
            Some(actor.role.as_str().to_owned()),
            Some(fields),
        ];
        for (column, value) in columns.iter_mut().zip(values) {
            column.push(value);
        }
        customers.push(change.customer_id.as_ref().map(|c| *c.as_uuid()));
        previous.push(change.previous_customer_id.as_ref().map(|c| *c.as_uuid()));
    }
    let [at, kind, booking_ref, actor_id, actor_role, fields] = &columns;
    let appended = db.execute(
        "WITH counter AS (
            UPDATE tenants SET change_seq = $2::BIGINT + $11::BIGINT WHERE tenant_id = $1::TEXT)
         INSERT INTO changes (tenant_id, seq, at, kind, customer_id, previous_customer_id,
            booking_ref, actor_id, actor_role, fields)
         SELECT $1::TEXT, $2::BIGINT + u.n, u.at, u.kind, u.customer_id, u.previous, u.booking_ref,
            u.actor_id, u.actor_role, u.fields
         FROM UNNEST($3::TEXT[], $4::TEXT[], $5::UUID[], $6::UUID[], $7::TEXT[], $8::TEXT[],
            $9::TEXT[], $10::TEXT[])
            WITH ORDINALITY AS u(at, kind, customer_id, previous, booking_ref, actor_id,
                actor_role, fields, n)",
        &[
            &tenant.as_str(),
            &base,
            at,
            kind,
            &customers,
            &previous,
            booking_ref,
            actor_id,
            actor_role,
            fields,
            &(events.len() as i64),
        ],
    )?;
    if appended != events.len() as u64 {
        return Err(Error::Internal(format!(
            "{appended} of {} change events were appended",
            events.len()
        )));
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

/// The last sequence compacted away of the tenant's feed and the feed's last sequence.
pub(super) fn bounds(db: &mut Db<'_>, tenant: &TenantId) -> Result<FeedBounds> {
    let row = db.query_opt(
        "SELECT feed_compacted, change_seq FROM tenants WHERE tenant_id = $1",
        &[&tenant.as_str()],
    )?;
    Ok(match row {
        Some(row) => FeedBounds {
            compacted: get(&row, 0)?,
            head: get(&row, 1)?,
        },
        None => FeedBounds {
            compacted: 0,
            head: 0,
        },
    })
}

/// The first event of the tenant after `after` written at `at` or later.
pub(super) fn first_from(
    db: &mut Db<'_>,
    tenant: &TenantId,
    after: i64,
    at: &str,
) -> Result<Option<i64>> {
    let row = db.query_opt(
        "SELECT seq FROM changes WHERE tenant_id = $1 AND seq > $2
         AND at::TIMESTAMPTZ >= $3::TEXT::TIMESTAMPTZ ORDER BY seq LIMIT 1",
        &[&tenant.as_str(), &after, &at],
    )?;
    row.map(|row| get(&row, 0)).transpose()
}

/// Removes the tenant's events up to `upto`, the `limit` oldest at most, and records the last
/// one removed as compacted, in one statement. Returns how many were removed.
pub(super) fn compact(db: &mut Db<'_>, tenant: &TenantId, upto: i64, limit: u32) -> Result<u64> {
    let row = db.query_one(
        "WITH gone AS (
            DELETE FROM changes WHERE tenant_id = $1 AND seq IN (
                SELECT seq FROM changes WHERE tenant_id = $1 AND seq <= $2
                ORDER BY seq LIMIT $3)
            RETURNING seq),
         last AS (SELECT MAX(seq) AS seq, COUNT(*) AS n FROM gone),
         mark AS (
            UPDATE tenants SET feed_compacted = GREATEST(feed_compacted, last.seq)
            FROM last WHERE tenant_id = $1 AND last.seq IS NOT NULL)
         SELECT n FROM last",
        &[&tenant.as_str(), &upto, &i64::from(limit)],
    )?;
    Ok(get::<i64>(&row, 0)?.max(0).unsigned_abs())
}

/// The tenant's feed cursors, by name.
pub(super) fn cursors(db: &mut Db<'_>, tenant: &TenantId) -> Result<Vec<FeedCursor>> {
    let rows = db.query(
        "SELECT name, seq, updated_at FROM feed_cursors WHERE tenant_id = $1 ORDER BY name",
        &[&tenant.as_str()],
    )?;
    rows.iter()
        .map(|row| {
            Ok(FeedCursor {
                name: get(row, 0)?,
                seq: get(row, 1)?,
                updated_at: utc(row, 2)?,
            })
        })
        .collect()
}

/// Sets (or makes) the cursor `name` at `seq`.
pub(super) fn set_cursor(
    db: &mut Db<'_>,
    tenant: &TenantId,
    name: &str,
    seq: i64,
    at: &str,
) -> Result<()> {
    db.execute(
        "INSERT INTO feed_cursors (tenant_id, name, seq, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, name) DO UPDATE SET seq = excluded.seq,
            updated_at = excluded.updated_at",
        &[&tenant.as_str(), &name, &seq, &at],
    )?;
    Ok(())
}

/// Removes the cursor `name`; whether there was one.
pub(super) fn delete_cursor(db: &mut Db<'_>, tenant: &TenantId, name: &str) -> Result<bool> {
    let n = db.execute(
        "DELETE FROM feed_cursors WHERE tenant_id = $1 AND name = $2",
        &[&tenant.as_str(), &name],
    )?;
    Ok(n > 0)
}
