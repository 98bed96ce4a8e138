//! Reading a tenant's change feed, the cursors its readers register, and compaction: the
//! events older than the retention that every cursor has passed are removed, in batches, and
//! a read after what was removed is refused rather than answered with a gap.

use chrono::{DateTime, Utc};

use crate::error::{ErrorKind, Result};
use crate::model::{ChangeEvent, FeedBounds, FeedCompaction, FeedCursor, TenantId};
use crate::model::{check_cursor, check_readable, compaction_bound, cursor_name};
use crate::store::port::{self, Store};

/// Events removed per write transaction by a compaction: each batch holds the tenant's writes
/// back only briefly.
const COMPACT_BATCH: u32 = 2_000;

/// Up to `limit` change events of the tenant after `after`, in order; `FeedCompacted` when
/// events after `after` were compacted away.
pub(crate) fn changes_since(
    store: &dyn Store,
    tenant: &TenantId,
    after: i64,
    limit: u32,
) -> Result<Vec<ChangeEvent>> {
    port::read(store, tenant, |tx| {
        check_readable(after, tx.feed_bounds()?.compacted)?;
        tx.changes_since(after, limit)
    })
}

/// The bounds of the tenant's feed.
pub(crate) fn bounds(store: &dyn Store, tenant: &TenantId) -> Result<FeedBounds> {
    port::read(store, tenant, |tx| tx.feed_bounds())
}

/// The tenant's feed cursors, by name.
pub(crate) fn cursors(store: &dyn Store, tenant: &TenantId) -> Result<Vec<FeedCursor>> {
    port::read(store, tenant, |tx| tx.feed_cursors())
}

/// Sets (or registers) the cursor `name` at `seq`.
pub(crate) fn set_cursor(store: &dyn Store, tenant: &TenantId, name: &str, seq: i64) -> Result<()> {
    let name = cursor_name(name)?;
    port::write(store, tenant, |tx| {
        let others = tx.feed_cursors()?.iter().filter(|c| c.name != name).count();
        check_cursor(seq, tx.feed_bounds()?, others)?;
        tx.set_feed_cursor(&name, seq, Utc::now())
    })
}

/// Removes the cursor `name`; whether there was one.
pub(crate) fn remove_cursor(store: &dyn Store, tenant: &TenantId, name: &str) -> Result<bool> {
    let name = crate::model::lookup("name", name)?;
    port::write(store, tenant, |tx| tx.delete_feed_cursor(name))
}

/// Removes every tenant's events written before `before` that each of its cursors has passed.
/// A tenant whose lock another write held past the timeout (Conflict) does not stop the
/// others: once every tenant was tried, the first such error is returned. Any other error (the
/// store failing, or on SQLite the file's one writer held by another connection) stops it.
pub(crate) fn compact_all(store: &dyn Store, before: DateTime<Utc>) -> Result<FeedCompaction> {
    let mut done = FeedCompaction::default();
    let mut conflict = None;
    for (tenant, _) in store.feed_heads()?.0 {
        match compact(store, &tenant, before) {
            Ok(0) => {}
            Ok(removed) => {
                done.tenants += 1;
                done.events += removed;
            }
            Err(e) if e.kind() == ErrorKind::Conflict => {
                conflict.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    conflict.map_or(Ok(done), Err)
}

/// Removes the tenant's events written before `before` that each of its cursors has passed,
/// [`COMPACT_BATCH`] per transaction. Returns how many.
fn compact(store: &dyn Store, tenant: &TenantId, before: DateTime<Utc>) -> Result<u64> {
    // Where the old events end is read once (later events are newer); the cursors are read
    // again by each batch, under the tenant's write lock, so that none moved back meanwhile.
    // Nothing to remove (the usual case for most tenants on most days): no write at all.
    let (old, now_removable) = port::read(store, tenant, |tx| {
        let bounds = tx.feed_bounds()?;
        let recent = tx.first_change_from(bounds.compacted, before)?;
        let old = compaction_bound(bounds.head, recent, &[]);
        let upto = compaction_bound(old, None, &tx.feed_cursors()?);
        // An event to remove: the first one kept is within reach (on SQLite a tenant's
        // sequences skip the other tenants' numbers).
        let first = tx.changes_since(bounds.compacted, 1)?;
        Ok((old, first.first().is_some_and(|e| e.seq <= upto)))
    })?;
    if !now_removable {
        return Ok(0);
    }
    let mut removed = 0;
    loop {
        let batch = port::write(store, tenant, |tx| {
            let upto = compaction_bound(old, None, &tx.feed_cursors()?);
            if upto <= tx.feed_bounds()?.compacted {
                return Ok(0);
            }
            tx.compact_changes(upto, COMPACT_BATCH)
        })?;
        removed += batch;
        if batch < u64::from(COMPACT_BATCH) {
            return Ok(removed);
        }
    }
}
