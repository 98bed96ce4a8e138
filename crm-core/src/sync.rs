//! Keeps the search index in step with the store's change feeds: the one module that knows both
//! (the store and the search index know only the model). Before a search of a tenant it replays
//! what was committed of that tenant since the index last looked; a large backlog is a rebuild.

use std::sync::MutexGuard;
use std::time::{Duration, Instant};

use crate::error::{Error, ErrorKind, Result};
use crate::model::{CustomerId, CustomerQuery, SearchPage, TenantId, check_readable};
use crate::search::{self, Applied, Replacement, SearchIndex};
use crate::store::port::{self, Store};

/// A backlog of this handle's own writes of more change events than this (and than half the
/// customers) is caught up by a rebuild rather than a replay.
const REBUILD_BACKLOG: u64 = 20_000;

/// Change events read from the feed at a time while replaying this handle's writes.
const REPLAY_BATCH: u32 = 2_000;

/// The same for the writes of other handles, within a search's time budget.
const REPLAY_SLICE: u32 = 250;

/// How long a search spends indexing the writes of other handles (or processes) before it
/// answers from what it indexed so far: the rest waits for the next search.
const CATCH_UP_BUDGET: Duration = Duration::from_millis(40);

/// Brings the index up to `tenant`'s change feed before a search of it, and says how many
/// change events it still lags behind (0: current).
///
/// Every write this handle committed of the tenant, and everything committed before it (before
/// its first write: what the feed held when it was opened), is always indexed first. Writes of
/// other handles or processes are replayed as far as [`CATCH_UP_BUDGET`] allows, so a search
/// answers in bounded time however fast others write; the rest is replayed by the next
/// searches. When nothing changed, that is one query of the tenant's feed head. When another
/// thread or process holds the index writer and nothing of this handle's is missing, the search
/// answers from the last commit at once. While another thread of this process rebuilds the
/// index, returns at once: searches answer from the index as it was.
pub(crate) fn catch_up(store: &dyn Store, index: &SearchIndex, tenant: &TenantId) -> Result<u64> {
    let need = store.last_written(tenant);
    let (head, customers) = store.feed_head(tenant)?;
    let behind = |applied: i64| head.saturating_sub(applied).max(0).unsigned_abs();
    if index.rebuilding() {
        return Ok(behind(index.known_applied(tenant)));
    }
    // Another thread's sync is waited for only when this handle's writes need it.
    let mut applied = if need.min(head) <= index.known_applied(tenant) {
        match index.try_lock_applied() {
            Some(applied) => applied,
            None => return Ok(behind(index.known_applied(tenant))),
        }
    } else {
        index.lock_applied()
    };
    if index.take_stale() {
        rebuild_locked(store, index, &mut applied, &mut |_, _| {})?;
        return Ok(behind(applied.of(tenant)));
    }
    if head <= applied.of(tenant) {
        return Ok(0);
    }
    // Another process may have indexed some already: start from its last commit.
    index.refresh(&mut applied)?;
    let must = need.min(head);
    let own_backlog = must
        .saturating_sub(applied.of(tenant))
        .max(0)
        .unsigned_abs();
    // A rebuild reads every tenant's customers: worth it only against all of them.
    if own_backlog > REBUILD_BACKLOG.max(customers / 2)
        && own_backlog > REBUILD_BACKLOG.max(store.feed_heads()?.1 / 2)
    {
        // Cheaper to read every customer once than to replay (say) a bulk load change by change.
        rebuild_locked(store, index, &mut applied, &mut |_, _| {})?;
    } else {
        let deadline = Instant::now() + CATCH_UP_BUDGET;
        replay(
            store,
            index,
            &mut applied,
            tenant,
            (must, head),
            Some(deadline),
        )?;
    }
    Ok(behind(applied.of(tenant)))
}

/// [`replay_events`], or a rebuild when events the index has not taken in were compacted away
/// (the index was behind the feed's retention).
fn replay(
    store: &dyn Store,
    index: &SearchIndex,
    applied: &mut MutexGuard<'_, Applied>,
    tenant: &TenantId,
    bounds: (i64, i64),
    deadline: Option<Instant>,
) -> Result<()> {
    match replay_events(store, index, applied, tenant, bounds, deadline) {
        Err(e) if e.kind() == ErrorKind::FeedCompacted => {
            rebuild_locked(store, index, applied, &mut |_, _| {})
        }
        done => done,
    }
}

/// Applies `tenant`'s changes after those applied up to `head` in one commit: at least those up
/// to `must`, then more until `deadline` passes. When they include a delete or an
/// anonymisation, the commit marks the folder as holding erased documents until a purge.
fn replay_events(
    store: &dyn Store,
    index: &SearchIndex,
    applied: &mut MutexGuard<'_, Applied>,
    tenant: &TenantId,
    (must, head): (i64, i64),
    deadline: Option<Instant>,
) -> Result<()> {
    let out_of_time = || deadline.is_some_and(|d| Instant::now() >= d);
    let from = applied.of(tenant);
    if from >= head || (from >= must && out_of_time()) {
        return Ok(());
    }
    // Only this handle's own writes are worth waiting for another writer.
    let wait = must > from;
    index.replace(applied, tenant, wait, &mut |position| {
        if position >= head || (position >= must && out_of_time()) {
            return Ok(None);
        }
        // Others' writes in smaller slices, so that the deadline is kept closely.
        let limit = if position < must {
            REPLAY_BATCH
        } else {
            REPLAY_SLICE
        };
        port::read(store, tenant, |tx| {
            // Events compacted away before the index took them in: it rebuilds instead.
            check_readable(position, tx.feed_bounds()?.compacted)?;
            let batch: Vec<_> = tx
                .changed_customers(position, limit)?
                .into_iter()
                .take_while(|(seq, _, _)| *seq <= head)
                .collect();
            // A kind this version does not know (written by a newer one) may erase too.
            let erased = batch
                .iter()
                .any(|(_, kind, _)| kind.is_none_or(|k| k.erases()));
            // Nothing more up to `head` (a gap left by rolled-back writes): the index
            // reflects it.
            let seq = batch.last().map_or(head, |c| c.0);
            let mut changed: Vec<CustomerId> =
                batch.into_iter().flat_map(|(_, _, ids)| ids).collect();
            changed.sort();
            changed.dedup();
            let docs = tx.index_documents(&changed)?;
            Ok(Some(Replacement {
                changed,
                docs,
                seq,
                erased,
            }))
        })
    })?;
    Ok(())
}

/// Brings the index up to every change of `tenant` committed so far (waiting for any sync or
/// rebuild of this process), then rewrites the segments that hold deleted documents: after a
/// delete or an anonymisation, so that the old values leave the index folder before the call
/// returns.
pub(crate) fn purge(store: &dyn Store, index: &SearchIndex, tenant: &TenantId) -> Result<()> {
    let mut applied = index.lock_applied();
    if index.take_stale() {
        rebuild_locked(store, index, &mut applied, &mut |_, _| {})?;
    }
    index.refresh(&mut applied)?;
    let (head, _) = store.feed_head(tenant)?;
    replay(store, index, &mut applied, tenant, (head, head), None)?;
    index.purge(&mut applied)
}

/// Brings the index up to every tenant's feed: each tenant with changes the index has not taken
/// in yet is replayed in full; then, if the folder may hold erased documents (erasures taken in
/// by searches, or a purge that failed), the segments holding them are rewritten.
pub(crate) fn catch_up_all(store: &dyn Store, index: &SearchIndex) -> Result<()> {
    let mut applied = index.lock_applied();
    if index.take_stale() {
        rebuild_locked(store, index, &mut applied, &mut |_, _| {})?;
    }
    index.refresh(&mut applied)?;
    let (heads, _) = store.feed_heads()?;
    for (tenant, head) in heads {
        if head > applied.of(&tenant) {
            replay(store, index, &mut applied, &tenant, (head, head), None)?;
        }
    }
    // Erasures another handle made (or a purge that failed or was cut short): their old
    // documents leave the folder now, not in a search.
    if index.unpurged() {
        index.purge(&mut applied)?;
    }
    Ok(())
}

/// Before a compaction of the feeds: brings the index up to every tenant's feed, so that it
/// does not fall behind what the compaction removes. An index waiting for a rebuild is left to
/// it (a rebuild reads the customers, not the feed). One that cannot be brought up now does not
/// hold the compaction back: if events it had not taken in are removed, its next replay finds
/// them compacted and rebuilds; an erasure it owes a purge stays marked in its commits.
pub(crate) fn before_compaction(store: &dyn Store, index: &SearchIndex) {
    if index.is_stale() {
        return;
    }
    // Not an error of the compaction: the index recovers as said above.
    let _ = catch_up_all(store, index);
}

/// Rebuilds the index from the store: every customer of every tenant, then the changes made
/// meanwhile. `progress(done, total)` is called after each batch (it must not search: the index
/// is held until the rebuild ends).
pub(crate) fn rebuild(
    store: &dyn Store,
    index: &SearchIndex,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<()> {
    let mut applied = index.lock_applied();
    rebuild_locked(store, index, &mut applied, progress)
}

/// [`rebuild`] with the sync lock held. Other threads' searches answer from the index as it was
/// meanwhile; on failure the next search tries again.
fn rebuild_locked(
    store: &dyn Store,
    index: &SearchIndex,
    applied: &mut MutexGuard<'_, Applied>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<()> {
    let _rebuilding = index.start_rebuild();
    // A compaction that removed what was written during the rebuild (a tiny retention) before
    // it was taken in: read the customers again, a few times at most.
    let mut tries = 0;
    let rebuilt = loop {
        match rebuild_once(store, index, applied, progress) {
            Err(e) if e.kind() == ErrorKind::FeedCompacted && tries < 2 => tries += 1,
            Err(e) if e.kind() == ErrorKind::FeedCompacted => {
                break Err(Error::conflict(
                    "the change feed was compacted while the index was rebuilt; try again",
                ));
            }
            done => break done,
        }
    };
    if rebuilt.is_err() {
        index.mark_stale();
    }
    rebuilt
}

/// One pass of [`rebuild_locked`]: every customer, then the changes made meanwhile.
fn rebuild_once(
    store: &dyn Store,
    index: &SearchIndex,
    applied: &mut MutexGuard<'_, Applied>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<()> {
    let (heads, total) = store.feed_heads()?;
    // A thread of its own reads the store and spells the documents while this one hands
    // them to the indexing threads and reports progress (the caller's callback stays on its
    // thread). With glibc its allocations also come from an arena of its own, which the
    // caller's (crowded by a bulk load, say) does not slow: 31 s instead of 40 s at 1M
    // customers.
    let mut after = None;
    let mut failed = false;
    let read_next = || {
        if failed {
            return None;
        }
        let read = store.scan_index_documents(after, 2_000).map(|docs| {
            after = docs.last().map(|d| d.customer.id);
            docs.iter().map(|d| index.document(d)).collect::<Vec<_>>()
        });
        failed = read.is_err();
        match read {
            Ok(docs) if docs.is_empty() => None,
            read => Some(read),
        }
    };
    crate::parallel::ahead(read_next, |next| {
        let mut done = 0;
        index.rebuild(applied, Applied::from_heads(&heads), &mut || {
            let docs = next()?.transpose()?;
            done += docs.as_ref().map_or(0, |d| d.len() as u64);
            progress(done, total);
            Ok(docs)
        })
    })?;
    // What was written meanwhile.
    let (heads, _) = store.feed_heads()?;
    for (tenant, head) in heads {
        if head > applied.of(&tenant) {
            replay_events(store, index, applied, &tenant, (head, head), None)?;
        }
    }
    Ok(())
}

/// Runs a search for one tenant and hydrates the page from SQLite. The caller has checked the
/// query's bounds ([`CustomerQuery::validate`]), before bringing the index up to date.
pub(crate) fn run(
    store: &dyn Store,
    index: &SearchIndex,
    tenant: &TenantId,
    q: &CustomerQuery,
) -> Result<SearchPage> {
    let (ids, total) = search::ids_at(index, tenant, q, q.offset as usize, q.limit as usize)?;
    let items = store.customer_rows(tenant, &ids)?;
    Ok(SearchPage {
        items,
        total,
        behind: 0,
    })
}
