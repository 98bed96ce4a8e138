//! The change feed table: append inside the mutation's transaction, read in order.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};

use super::values::{opt_customer_id, parse_enum, parse_utc};
use crate::error::{Error, Result};
use crate::model::{Actor, CustomerId, TenantId};
use crate::model::{Change, ChangeEvent, FeedBounds, FeedCursor};

/// Appends an event to the feed, recording the time `at` (as stored): a batch writes one for all.
pub(super) fn append_at(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    change: &Change,
    at: &str,
) -> Result<()> {
    let fields = if change.fields.is_empty() {
        "[]".to_owned()
    } else {
        serde_json::to_string(&change.fields).map_err(|e| Error::Internal(e.to_string()))?
    };
    tx.prepare_cached(
        "INSERT INTO changes (tenant_id, at, kind, customer_id, previous_customer_id, booking_ref,
            actor_id, actor_role, fields) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .map_err(super::db)?
    .execute(params![
        tenant.as_str(),
        at,
        change.kind.as_str(),
        change.customer_id.as_ref().map(|c| c.as_uuid()),
        change.previous_customer_id.as_ref().map(|c| c.as_uuid()),
        change.booking_ref,
        actor.user_id,
        actor.role.as_str(),
        fields,
    ])
    .map_err(super::db)?;
    Ok(())
}

const COLUMNS: &str =
    "seq, at, kind, customer_id, previous_customer_id, booking_ref, actor_id, actor_role, fields";

fn event(row: &rusqlite::Row<'_>) -> rusqlite::Result<ChangeEvent> {
    let fields: String = row.get(8)?;
    Ok(ChangeEvent {
        seq: row.get(0)?,
        at: parse_utc(1, &row.get::<_, String>(1)?)?,
        kind: parse_enum(2, &row.get::<_, String>(2)?)?,
        customer_id: opt_customer_id(row, 3)?,
        previous_customer_id: opt_customer_id(row, 4)?,
        booking_ref: row.get(5)?,
        actor: Actor::new(
            row.get::<_, String>(6)?,
            parse_enum(7, &row.get::<_, String>(7)?)?,
        ),
        fields: serde_json::from_str(&fields).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(8, rusqlite::types::Type::Text, Box::new(e))
        })?,
    })
}

/// Every event of the tenant about one of `ids` (as the customer or the previous one), in
/// order. It reads the tenant's feed through: for rare calls (an export).
pub(super) fn about(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    ids: &[CustomerId],
) -> Result<Vec<ChangeEvent>> {
    let marks = super::numbered_marks(2, ids.len());
    let sql = format!(
        "SELECT {COLUMNS} FROM changes WHERE tenant_id = ?1
         AND (customer_id IN ({marks}) OR previous_customer_id IN ({marks})) ORDER BY seq"
    );
    let tenant_text = tenant.as_str();
    let mut args: Vec<&dyn rusqlite::ToSql> = vec![&tenant_text];
    args.extend(ids.iter().map(|id| id.as_uuid() as &dyn rusqlite::ToSql));
    let mut stmt = tx.prepare(&sql).map_err(super::db)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args), event)
        .map_err(super::db)?;
    rows.collect::<rusqlite::Result<_>>().map_err(super::db)
}

pub(super) fn since(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    after: i64,
    limit: u32,
) -> Result<Vec<ChangeEvent>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM changes WHERE tenant_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3"
    );
    let mut stmt = tx.prepare_cached(&sql).map_err(super::db)?;
    let rows = stmt
        .query_map(params![tenant.as_str(), after, limit], event)
        .map_err(super::db)?;
    rows.collect::<rusqlite::Result<_>>().map_err(super::db)
}

/// The last sequence compacted away of the tenant's feed and the feed's last sequence.
pub(super) fn bounds(tx: &Transaction<'_>, tenant: &TenantId) -> Result<FeedBounds> {
    tx.prepare_cached(
        "SELECT IFNULL((SELECT feed_compacted FROM tenants WHERE tenant_id = ?1), 0),
                IFNULL((SELECT MAX(seq) FROM changes WHERE tenant_id = ?1), 0)",
    )
    .map_err(super::db)?
    .query_row([tenant.as_str()], |r| {
        let compacted: i64 = r.get(0)?;
        Ok(FeedBounds {
            compacted,
            head: compacted.max(r.get(1)?),
        })
    })
    .map_err(super::db)
}

/// The first event of the tenant after `after` written at `at` or later. SQLite reads times
/// to the millisecond, rounded: an event up to a millisecond before `at` may count as later
/// (kept), never one after it as earlier.
pub(super) fn first_from(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    after: i64,
    at: &DateTime<Utc>,
) -> Result<Option<i64>> {
    let seconds = (at.timestamp_micros() - 1_000) as f64 / 1e6;
    tx.prepare_cached(
        "SELECT seq FROM changes WHERE tenant_id = ?1 AND seq > ?2
         AND unixepoch(at, 'subsec') >= ?3 ORDER BY seq LIMIT 1",
    )
    .map_err(super::db)?
    .query_row(params![tenant.as_str(), after, seconds], |r| r.get(0))
    .optional()
    .map_err(super::db)
}

/// Removes the tenant's events up to `upto`, the `limit` oldest at most, and records the last
/// one removed as compacted. Returns how many were removed.
pub(super) fn compact(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    upto: i64,
    limit: u32,
) -> Result<u64> {
    let (last, count): (Option<i64>, i64) = tx
        .prepare_cached(
            "SELECT MAX(seq), COUNT(*) FROM (SELECT seq FROM changes
             WHERE tenant_id = ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3)",
        )
        .map_err(super::db)?
        .query_row(params![tenant.as_str(), upto, limit], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .map_err(super::db)?;
    let Some(last) = last else {
        return Ok(0);
    };
    tx.prepare_cached("DELETE FROM changes WHERE tenant_id = ?1 AND seq <= ?2")
        .map_err(super::db)?
        .execute(params![tenant.as_str(), last])
        .map_err(super::db)?;
    tx.prepare_cached(
        "UPDATE tenants SET feed_compacted = MAX(feed_compacted, ?2) WHERE tenant_id = ?1",
    )
    .map_err(super::db)?
    .execute(params![tenant.as_str(), last])
    .map_err(super::db)?;
    Ok(count.max(0).unsigned_abs())
}

/// The tenant's feed cursors, by name.
pub(super) fn cursors(tx: &Transaction<'_>, tenant: &TenantId) -> Result<Vec<FeedCursor>> {
    let mut stmt = tx
        .prepare_cached(
            "SELECT name, seq, updated_at FROM feed_cursors WHERE tenant_id = ?1 ORDER BY name",
        )
        .map_err(super::db)?;
    let rows = stmt
        .query_map([tenant.as_str()], |r| {
            Ok(FeedCursor {
                name: r.get(0)?,
                seq: r.get(1)?,
                updated_at: parse_utc(2, &r.get::<_, String>(2)?)?,
            })
        })
        .map_err(super::db)?;
    rows.collect::<rusqlite::Result<_>>().map_err(super::db)
}

/// Sets (or makes) the cursor `name` at `seq`.
pub(super) fn set_cursor(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    name: &str,
    seq: i64,
    at: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO feed_cursors (tenant_id, name, seq, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (tenant_id, name) DO UPDATE SET seq = excluded.seq,
            updated_at = excluded.updated_at",
    )
    .map_err(super::db)?
    .execute(params![tenant.as_str(), name, seq, at])
    .map_err(super::db)?;
    Ok(())
}

/// Removes the cursor `name`; whether there was one.
pub(super) fn delete_cursor(tx: &Transaction<'_>, tenant: &TenantId, name: &str) -> Result<bool> {
    let n = tx
        .prepare_cached("DELETE FROM feed_cursors WHERE tenant_id = ?1 AND name = ?2")
        .map_err(super::db)?
        .execute(params![tenant.as_str(), name])
        .map_err(super::db)?;
    Ok(n > 0)
}
