//! The tantivy index: opened beside the SQLite file (or in RAM), written by one writer, read
//! through a reader reloaded after every commit so a write is visible to the next search.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term,
};
use uuid::Uuid;

use super::document::{Fields, ID_HIGH, ID_LOW, INDEX_VERSION, RECENCY};
use super::latest::Latest;
use super::query::Built;
use crate::error::{Error, Result};
use crate::model::IndexedCustomer;
use crate::model::SearchSort;
use crate::model::{CustomerId, TenantId};

/// Memory the writer may buffer before it flushes a segment.
const WRITER_BUDGET: usize = 15_000_000;
/// The same while rebuilding the whole index: fewer, larger segments, fewer merges.
const REBUILD_BUDGET: usize = 400_000_000;
/// Indexing threads while rebuilding (the caller's thread reads SQLite meanwhile).
const REBUILD_THREADS: usize = 2;

/// Segments with more live documents than this (those of a rebuild) are left out of the merges
/// writes trigger, so that a write never waits for a large part of the index to be rewritten.
/// One whose documents were mostly replaced or deleted falls under it and is merged again.
const MERGE_MAX_DOCS: usize = 50_000;

/// The merge policy of every writer but a rebuild's.
fn merge_policy() -> Box<tantivy::indexer::LogMergePolicy> {
    let mut policy = tantivy::indexer::LogMergePolicy::default();
    policy.set_max_docs_before_merge(MERGE_MAX_DOCS);
    Box::new(policy)
}

/// Customers of one tenant whose documents change, for [`SearchIndex::replace`]: the old
/// documents of `changed` go, `docs` (those still existing) come, and the index reflects the
/// tenant's change feed up to `seq`. `erased` when a customer among them was deleted or
/// anonymised: its old document must leave the folder too (see [`SearchIndex::purge`]).
pub(crate) struct Replacement {
    pub(crate) changed: Vec<CustomerId>,
    pub(crate) docs: Vec<IndexedCustomer>,
    pub(crate) seq: i64,
    pub(crate) erased: bool,
}

/// How far the index reflects each tenant's change feed: the last sequence applied (change
/// sequences are per tenant; a tenant not named is at 0).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct Applied(BTreeMap<String, i64>);

impl Applied {
    /// The heads of the tenants' feeds, as applied by a rebuild.
    pub(crate) fn from_heads(heads: &[(TenantId, i64)]) -> Self {
        Self(
            heads
                .iter()
                .filter(|(_, seq)| *seq > 0)
                .map(|(t, seq)| (t.as_str().to_owned(), *seq))
                .collect(),
        )
    }

    /// The last sequence of `tenant`'s feed applied.
    pub(crate) fn of(&self, tenant: &TenantId) -> i64 {
        self.0.get(tenant.as_str()).copied().unwrap_or(0)
    }

    /// Records `seq` as the last sequence of `tenant`'s feed applied.
    pub(crate) fn set(&mut self, tenant: &TenantId, seq: i64) {
        self.0.insert(tenant.as_str().to_owned(), seq);
    }

    /// Whether some tenant was applied further than its feed's head in `heads` (a tenant not
    /// named there has an empty feed): the index was built from another store.
    pub(crate) fn ahead_of(&self, heads: &[(TenantId, i64)]) -> bool {
        let heads: HashMap<&str, i64> = heads.iter().map(|(t, s)| (t.as_str(), *s)).collect();
        self.0
            .iter()
            .any(|(tenant, seq)| *seq > heads.get(tenant.as_str()).copied().unwrap_or(0))
    }

    /// Whether nothing of any tenant was applied.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.values().all(|seq| *seq == 0)
    }
}

/// What each commit records: the schema version, the store it reflects and how far.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Payload {
    version: u32,
    /// The identity of the store the index was built from.
    store: String,
    applied: Applied,
    /// Whether segments may still hold the documents of customers deleted or anonymised since
    /// the last purge: kept until a purge succeeds, so that a failed or interrupted one is
    /// done again.
    #[serde(default)]
    unpurged: bool,
}

/// The search index of one store.
pub(crate) struct SearchIndex {
    index: Index,
    pub(super) fields: Fields,
    reader: IndexReader,
    /// Kept open for an index in RAM; opened for each sync and closed after it for an index in
    /// a folder (once its merges end: see [`Self::close_in_background`]), so that other
    /// processes on the same file take their turn, and no process forked later inherits its
    /// lock.
    writer: Mutex<Option<IndexWriter<TantivyDocument>>>,
    keep_writer: bool,
    /// How far the committed index reflects each tenant's feed; held while syncing.
    applied: Mutex<Applied>,
    /// The same, readable without waiting for a sync.
    known: Mutex<Applied>,
    /// The identity of the store the index reflects (recorded by each commit).
    store: Mutex<String>,
    /// Threads closing writers once their merges end.
    closing: Mutex<Vec<std::thread::JoinHandle<()>>>,
    /// Set when the index must be rebuilt from the customers before its next use.
    stale: std::sync::atomic::AtomicBool,
    /// Set while a thread of this process rebuilds the index.
    rebuilding: std::sync::atomic::AtomicBool,
}

impl Drop for SearchIndex {
    /// Waits for the writers still closing: once the last handle is gone, nothing of this
    /// process writes to the folder any more.
    fn drop(&mut self) {
        let closing = std::mem::take(
            self.closing
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for handle in closing {
            let _ = handle.join();
        }
    }
}

/// Clears the rebuilding flag when dropped.
pub(crate) struct Rebuilding<'a>(&'a std::sync::atomic::AtomicBool);

impl Drop for Rebuilding<'_> {
    fn drop(&mut self) {
        self.0.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

fn search_err(what: &str, e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::Search {
        message: what.to_owned(),
        source: Box::new(e),
    }
}

/// Indexes open in this process, by folder: every `Crm` handle on one file shares one index
/// (tantivy allows one writer per folder).
fn registry() -> &'static Mutex<HashMap<PathBuf, Weak<SearchIndex>>> {
    static OPEN: OnceLock<Mutex<HashMap<PathBuf, Weak<SearchIndex>>>> = OnceLock::new();
    OPEN.get_or_init(Default::default)
}

impl SearchIndex {
    /// The index in the folder `dir`, shared with every other handle of this process on it.
    /// A missing, unreadable or outdated index is created anew (empty); the caller rebuilds it
    /// from the store when it is behind (see `Crm::with_index`).
    pub(crate) fn shared(dir: &Path) -> Result<Arc<Self>> {
        let mut open = registry()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // One key per folder, however the path was spelt.
        let _ = std::fs::create_dir_all(dir);
        let key = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        if let Some(index) = open.get(&key).and_then(Weak::upgrade) {
            return Ok(index);
        }
        let index = Arc::new(Self::open_dir(dir)?);
        open.retain(|_, w| w.strong_count() > 0);
        open.insert(key, Arc::downgrade(&index));
        Ok(index)
    }

    fn open_dir(dir: &Path) -> Result<Self> {
        let (schema, _) = Fields::schema();
        // Usable only if it is ours, of this version, and every segment it lists opens.
        let existing = Index::open_in_dir(dir).ok().filter(|index| {
            index.schema() == schema
                && read_payload(index).is_some_and(|p| p.version == INDEX_VERSION)
                && index.reader().is_ok()
        });
        let index = match existing {
            Some(index) => index,
            None => {
                // Missing, unreadable or of another version: start empty, rebuilt from SQLite.
                if dir.exists() {
                    std::fs::remove_dir_all(dir).map_err(|e| Error::Io {
                        message: format!("cannot clear the index folder {}", dir.display()),
                        source: e,
                    })?;
                }
                std::fs::create_dir_all(dir).map_err(|e| Error::Io {
                    message: format!("cannot create the index folder {}", dir.display()),
                    source: e,
                })?;
                Index::create_in_dir(dir, schema)
                    .map_err(|e| search_err("cannot create the index", e))?
            }
        };
        Self::from_index(index, false)
    }

    /// An index in RAM, for an in-memory store.
    pub(crate) fn in_ram() -> Result<Self> {
        let (schema, _) = Fields::schema();
        Self::from_index(Index::create_in_ram(schema), true)
    }

    fn from_index(index: Index, keep_writer: bool) -> Result<Self> {
        let (_, fields) = Fields::schema();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| search_err("cannot open the index reader", e))?;
        let payload = read_payload(&index).unwrap_or_default();
        Ok(Self {
            index,
            fields,
            reader,
            writer: Mutex::new(None),
            keep_writer,
            applied: Mutex::new(payload.applied.clone()),
            known: Mutex::new(payload.applied),
            store: Mutex::new(payload.store),
            closing: Mutex::new(Vec::new()),
            stale: std::sync::atomic::AtomicBool::new(false),
            rebuilding: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// Asks for a rebuild before the next search.
    pub(crate) fn mark_stale(&self) {
        self.stale.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether a rebuild is asked for before the next search.
    pub(crate) fn is_stale(&self) -> bool {
        self.stale.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Marks a rebuild as running until the returned guard is dropped.
    pub(crate) fn start_rebuild(&self) -> Rebuilding<'_> {
        self.rebuilding
            .store(true, std::sync::atomic::Ordering::SeqCst);
        Rebuilding(&self.rebuilding)
    }

    /// Whether a thread of this process is rebuilding the index.
    pub(crate) fn rebuilding(&self) -> bool {
        self.rebuilding.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Takes the rebuild request, if any.
    pub(crate) fn take_stale(&self) -> bool {
        self.stale.swap(false, std::sync::atomic::Ordering::SeqCst)
    }

    /// The identity of the store the index reflects.
    pub(crate) fn store(&self) -> String {
        lock(&self.store).clone()
    }

    /// Ties the index to another store: its next commit (a rebuild) records it.
    pub(crate) fn set_store(&self, identity: &str) {
        identity.clone_into(&mut lock(&self.store));
    }

    /// Holds the sync lock; the value is how far the index reflects each tenant's feed, as far
    /// as this process knows (another process may have committed more: see [`Self::refresh`]).
    pub(crate) fn lock_applied(&self) -> MutexGuard<'_, Applied> {
        self.applied
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// [`Self::lock_applied`] if no other thread holds it.
    pub(crate) fn try_lock_applied(&self) -> Option<MutexGuard<'_, Applied>> {
        match self.applied.try_lock() {
            Ok(guard) => Some(guard),
            Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }

    /// Reads what other processes committed: reloads the reader and raises the applied sequence
    /// to the one of the last commit.
    pub(crate) fn refresh(&self, applied: &mut MutexGuard<'_, Applied>) -> Result<()> {
        if self.keep_writer {
            return Ok(());
        }
        // The folder's last commit is the truth, even if it is behind what this process applied:
        // another process may have committed an older view of a customer after ours.
        let payload = read_payload(&self.index);
        self.reader
            .reload()
            .map_err(|e| search_err("cannot reload the index reader", e))?;
        if let Some(p) = payload {
            *lock(&self.known) = p.applied.clone();
            **applied = p.applied;
        }
        Ok(())
    }

    /// Runs `f` with the writer, opening it first if needed (with a larger memory budget when
    /// `bulk`) and closing it afterwards for an index in a folder. When another thread or
    /// process holds the writer, waits for it (up to 10 s for another process) if `wait`, else
    /// returns `None` at once.
    fn with_writer<T>(
        &self,
        bulk: bool,
        wait: bool,
        f: impl FnOnce(&mut IndexWriter<TantivyDocument>) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut slot = if wait {
            self.writer
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        } else {
            // Another thread of this process holds the writer (a purge, a sync): not waited for.
            match self.writer.try_lock() {
                Ok(slot) => slot,
                Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => return Ok(None),
            }
        };
        if slot.is_none() {
            let Some(writer) = self.open_writer(bulk, wait)? else {
                return Ok(None);
            };
            *slot = Some(writer);
        }
        let writer = slot
            .as_mut()
            .ok_or_else(|| Error::Internal("no index writer".into()))?;
        if bulk {
            // A rebuild writes a few large segments, each thread's memory budget's worth, and
            // keeps them: merging them would rewrite the index (20 s at 1M customers) for no
            // faster search.
            writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        }
        let out = f(writer);
        if bulk {
            writer.set_merge_policy(merge_policy());
        }
        if out.is_err() {
            let _ = writer.rollback();
        }
        if !self.keep_writer
            && let Some(w) = slot.take()
        {
            if bulk {
                let _ = w.wait_merging_threads();
            } else {
                self.close_in_background(w);
            }
        }
        out.map(Some)
    }

    /// Closes a writer on a thread of its own once the merges its commit started end (it holds
    /// the folder's lock until then, as a writer closed at once would): the search that
    /// committed answers meanwhile instead of waiting for them. A sync in the meantime finds the
    /// folder locked, and waits only for its own handle's writes. Dropping the index joins
    /// these threads.
    fn close_in_background(&self, writer: IndexWriter<TantivyDocument>) {
        let mut closing = self
            .closing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        closing.retain(|h| !h.is_finished());
        let started = std::thread::Builder::new()
            .name("crm-index-close".into())
            .spawn(move || {
                let _ = writer.wait_merging_threads();
            });
        // Without a thread, the writer went with the closure: dropped, its merges stopped (the
        // next writer starts them again).
        if let Ok(handle) = started {
            closing.push(handle);
        }
    }

    /// A new writer (with `bulk`'s threads and budget), after removing the files no commit uses;
    /// `None` when another process holds the folder and `wait` is false (else waited for up to
    /// 10 s).
    fn open_writer(&self, bulk: bool, wait: bool) -> Result<Option<IndexWriter<TantivyDocument>>> {
        let (threads, budget) = if bulk && !self.keep_writer {
            (REBUILD_THREADS, REBUILD_BUDGET)
        } else {
            (1, WRITER_BUDGET)
        };
        let mut waited = Duration::ZERO;
        loop {
            match self.index.writer_with_num_threads(threads, budget) {
                Ok(w) => {
                    // Files a commit cut short (a killed process) left behind would collide
                    // with the names of this writer's files: remove what no commit uses.
                    w.garbage_collect_files()
                        .wait()
                        .map_err(|e| search_err("cannot tidy the index folder", e))?;
                    w.set_merge_policy(merge_policy());
                    return Ok(Some(w));
                }
                Err(tantivy::TantivyError::LockFailure(..)) if !wait => return Ok(None),
                Err(tantivy::TantivyError::LockFailure(..)) if waited.as_secs() < 10 => {
                    let pause = Duration::from_millis(20);
                    std::thread::sleep(pause);
                    waited += pause;
                }
                Err(e) => return Err(search_err("cannot open the index writer", e)),
            }
        }
    }

    /// Commits what `writer` holds, recording how far it reflects each tenant's feed and
    /// whether erased documents may be left in its segments.
    fn commit(
        &self,
        writer: &mut IndexWriter<TantivyDocument>,
        applied: &Applied,
        unpurged: bool,
    ) -> Result<()> {
        let payload = serde_json::to_string(&Payload {
            version: INDEX_VERSION,
            store: self.store(),
            applied: applied.clone(),
            unpurged,
        })
        .map_err(|e| Error::Internal(e.to_string()))?;
        let mut commit = writer
            .prepare_commit()
            .map_err(|e| search_err("cannot commit the index", e))?;
        commit.set_payload(&payload);
        commit
            .commit()
            .map_err(|e| search_err("cannot commit the index", e))?;
        Ok(())
    }

    /// Records what a commit applied and reloads the reader, so the next search sees it.
    fn committed(&self, applied: &mut MutexGuard<'_, Applied>, now: Applied) -> Result<()> {
        self.reader
            .reload()
            .map_err(|e| search_err("cannot reload the index reader", e))?;
        // Published once the reader shows it: a search that finds its writes applied by another
        // thread answers from a reader that holds them.
        *lock(&self.known) = now.clone();
        **applied = now;
        Ok(())
    }

    /// The last sequence of `tenant`'s feed applied as far as this process knows, read without
    /// waiting for a sync in progress.
    pub(crate) fn known_applied(&self, tenant: &TenantId) -> i64 {
        lock(&self.known).of(tenant)
    }

    /// Replaces the whole index with the batches `next` yields until `None`, in one commit that
    /// records `heads` as applied. Visible to the next search on return; on error nothing of it
    /// is committed.
    pub(crate) fn rebuild(
        &self,
        applied: &mut MutexGuard<'_, Applied>,
        heads: Applied,
        next: &mut dyn FnMut() -> Result<Option<Vec<TantivyDocument>>>,
    ) -> Result<()> {
        self.with_writer(true, true, |writer| {
            writer
                .delete_all_documents()
                .map_err(|e| search_err("cannot clear the index", e))?;
            while let Some(docs) = next()? {
                for doc in docs {
                    writer
                        .add_document(doc)
                        .map_err(|e| search_err("cannot index a customer", e))?;
                }
            }
            self.commit(writer, &heads, false)
        })?;
        self.committed(applied, heads)
    }

    /// Applies the replacements of `tenant`'s customers that `next(position)` yields until
    /// `None` (each: the documents of its customers replaced by its new ones, those still
    /// existing, up to its sequence, which is the next position) in one commit. Visible to the
    /// next search on return; on error nothing of it is committed. Returns `false`, having
    /// written nothing, when `wait` is false and another thread or process holds the writer.
    ///
    /// The first position is the lower of `applied` and the sequence the folder's last commit
    /// records for the tenant (another process may have committed since), and the commit records
    /// the higher of that commit's sequence and the last replacement's (and the other tenants'
    /// as that commit recorded them): documents are read while the writer is held, so no commit
    /// holds an older view than the one before it.
    pub(crate) fn replace(
        &self,
        applied: &mut MutexGuard<'_, Applied>,
        tenant: &TenantId,
        wait: bool,
        next: &mut dyn FnMut(i64) -> Result<Option<Replacement>>,
    ) -> Result<bool> {
        let done = self.with_writer(false, wait, |writer| {
            let (mut now, mut unpurged) = if self.keep_writer {
                ((**applied).clone(), false)
            } else {
                read_payload(&self.index)
                    .map_or_else(|| (Applied::default(), false), |p| (p.applied, p.unpurged))
            };
            let base = now.of(tenant);
            let mut position = base.min(applied.of(tenant));
            let mut last = None;
            while let Some(r) = next(position)? {
                position = r.seq;
                for id in &r.changed {
                    writer.delete_term(Term::from_field_bytes(
                        self.fields.id,
                        id.as_uuid().as_bytes().as_slice(),
                    ));
                }
                for doc in &r.docs {
                    writer
                        .add_document(self.fields.document(doc))
                        .map_err(|e| search_err("cannot index a customer", e))?;
                }
                last = Some(r.seq.max(base));
                unpurged |= r.erased;
            }
            let Some(seq) = last else {
                return Ok(None);
            };
            now.set(tenant, seq);
            self.commit(writer, &now, unpurged)?;
            Ok(Some(now))
        })?;
        match done {
            None => Ok(false),
            Some(None) => Ok(true),
            Some(Some(now)) => self.committed(applied, now).map(|()| true),
        }
    }

    /// Rewrites every segment that holds deleted documents (customers deleted, anonymised, or
    /// replaced by a newer version) without them and removes the old segments' files, so that
    /// values no document holds any more leave the folder. An index in RAM has no files.
    /// Clears the folder's mark of erased documents left (`unpurged`) with a commit of its own,
    /// once they are gone. Held under the sync lock (`applied`).
    pub(crate) fn purge(&self, applied: &mut MutexGuard<'_, Applied>) -> Result<()> {
        if self.keep_writer {
            return Ok(());
        }
        // Searches go on meanwhile (the committed index does not change); syncs wait for the
        // writer.
        let done = self.with_writer(false, true, |writer| {
            let segments: Vec<_> = self
                .index
                .searchable_segment_metas()
                .map_err(|e| search_err("cannot list the index segments", e))?
                .into_iter()
                .filter(|m| m.has_deletes())
                .map(|m| m.id())
                .collect();
            if !segments.is_empty() {
                writer
                    .merge(&segments)
                    .wait()
                    .map_err(|e| search_err("cannot rewrite the index segments", e))?;
            }
            // Readers let go of the old segments before their files are removed.
            self.reader
                .reload()
                .map_err(|e| search_err("cannot reload the index reader", e))?;
            let gc = writer
                .garbage_collect_files()
                .wait()
                .map_err(|e| search_err("cannot remove old index files", e))?;
            if let Some(file) = gc.failed_to_delete_files.first() {
                return Err(Error::Search {
                    message: format!(
                        "old index files could not be removed ({} of them, e.g. {})",
                        gc.failed_to_delete_files.len(),
                        file.display()
                    ),
                    source: "garbage collection".into(),
                });
            }
            // Done: the next commits no longer carry the mark.
            let now = read_payload(&self.index).map_or_else(|| (**applied).clone(), |p| p.applied);
            self.commit(writer, &now, false)?;
            Ok(now)
        })?;
        match done {
            Some(now) => self.committed(applied, now),
            None => Err(Error::Internal("the index writer was not given".into())),
        }
    }

    /// Whether the folder's last commit says erased documents may be left in its segments.
    pub(crate) fn unpurged(&self) -> bool {
        !self.keep_writer && read_payload(&self.index).is_some_and(|p| p.unpurged)
    }

    /// Runs a search: the ids of one page, in order, and the total number of hits. By relevance,
    /// tier by tier (whole words, prefixes, typos), each latest booker first.
    pub(super) fn search(
        &self,
        built: &Built,
        sort: SearchSort,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<CustomerId>, u64)> {
        let searcher = self.reader.searcher();
        let err = |e| search_err("search failed", e);
        // The page of `query` by `field`, greatest first, after `skip` hits; and the hit count.
        let latest = |query: &dyn Query, field: &'static str, skip: usize, take: usize| {
            let (hits, n) = searcher
                .search(query, &Latest::new(field, skip.saturating_add(take)))
                .map_err(err)?;
            Ok::<_, Error>((hits.into_iter().skip(skip).collect::<Vec<_>>(), n))
        };
        let (addresses, total): (Vec<DocAddress>, usize) = match sort {
            SearchSort::Relevance => {
                // Tier by tier, each without the hits of the one before, latest bookers first,
                // until the page is full; then one count of everything.
                let mut addresses = Vec::new();
                let mut counted = 0;
                let mut skip = offset;
                let mut previous: Option<&dyn Query> = None;
                let mut tiers = built.tiers.iter();
                for tier in tiers.by_ref() {
                    let own: Box<dyn Query> = match previous {
                        None => tier.box_clone(),
                        Some(p) => Box::new(BooleanQuery::new(vec![
                            (Occur::Must, tier.box_clone()),
                            (Occur::MustNot, p.box_clone()),
                        ])),
                    };
                    let (hits, n) = latest(own.as_ref(), RECENCY, skip, limit - addresses.len())?;
                    addresses.extend(hits);
                    counted += n;
                    skip = skip.saturating_sub(n);
                    previous = Some(tier.as_ref());
                    if addresses.len() == limit {
                        break;
                    }
                }
                let total = if tiers.next().is_some() {
                    built.all().count(&searcher).map_err(err)?
                } else {
                    counted
                };
                (addresses, total)
            }
            SearchSort::LastBooking => latest(built.all(), "last_booking", offset, limit)?,
            SearchSort::CreatedAt => latest(built.all(), "created", offset, limit)?,
            SearchSort::Name => {
                let top = TopDocs::with_limit(limit)
                    .and_offset(offset)
                    .order_by_string_fast_field("sort_name", Order::Asc);
                let (hits, total) = searcher.search(built.all(), &(top, Count)).map_err(err)?;
                (hits.into_iter().map(|(_, a)| a).collect(), total)
            }
        };
        // Each hit's id from the fast fields of its segment, opened once per segment.
        let mut columns: HashMap<u32, (Column<u64>, Column<u64>)> = HashMap::new();
        let mut ids = Vec::with_capacity(addresses.len());
        for address in addresses {
            let (high, low) = match columns.entry(address.segment_ord) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => {
                    let fast = searcher.segment_reader(address.segment_ord).fast_fields();
                    let high = fast.u64(ID_HIGH).map_err(err)?;
                    let low = fast.u64(ID_LOW).map_err(err)?;
                    e.insert((high, low))
                }
            };
            let (Some(high), Some(low)) = (high.first(address.doc_id), low.first(address.doc_id))
            else {
                return Err(Error::Internal("an index document has no id".into()));
            };
            ids.push(CustomerId::from_uuid(Uuid::from_u64_pair(high, low)));
        }
        Ok((ids, total as u64))
    }
}

fn read_payload(index: &Index) -> Option<Payload> {
    let metas = index.load_metas().ok()?;
    match metas.payload {
        Some(text) => serde_json::from_str(&text).ok(),
        // A new, never committed index: version matches, nothing applied.
        None => Some(Payload {
            version: INDEX_VERSION,
            ..Payload::default()
        }),
    }
}

/// A poisoned lock only means another thread panicked while holding it; the value is sound.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
