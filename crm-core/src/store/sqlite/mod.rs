//! The SQLite implementation of the storage port (`SqliteStore`, `SqliteTx`): one writer
//! connection, a pool of reader connections (WAL lets them read while the writer writes),
//! foreign keys on, busy timeout.

mod bookings;
mod changes;
mod communications;
mod consent;
mod customers;
mod dedupe;
mod documents;
mod indexing;
mod list;
mod lists;
mod merges;
mod port;
mod privacy;
mod rows;
mod saved;
mod schedules;
mod schema;
mod templates;
mod values;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use super::port::{Store, Tx, WriteTx};
use crate::error::{Error, Result};
use crate::model::{CustomerId, CustomerRow, IndexedCustomer, TenantId};
use port::SqliteTx;

pub(crate) use schema::SCHEMA_VERSION;

/// How long a connection waits for a lock held by another connection or process.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Reader connections kept open when idle.
const MAX_IDLE_READERS: usize = 8;

/// An SQLite file (or in-memory database) holding every tenant's records.
pub(crate) struct SqliteStore {
    writer: Mutex<Connection>,
    /// `None` for an in-memory database, which has one connection only.
    readers: Option<Mutex<Vec<Connection>>>,
    path: Option<PathBuf>,
    /// The feed's last sequence at this handle's last commit, or when it was opened.
    written: AtomicI64,
}

impl SqliteStore {
    /// Opens or creates the file at `path` and brings its schema up to date.
    pub(crate) fn open(path: &Path) -> Result<Self> {
        Self::open_file(path).map_err(|e| match e {
            Error::Storage { message, source } => Error::Storage {
                message: format!("cannot open {}: {message}", path.display()),
                source,
            },
            other => other,
        })
    }

    fn open_file(path: &Path) -> Result<Self> {
        let mut writer = connect(path)?;
        // The writer keeps the indexes a bulk load touches at random (email, name) in memory.
        writer
            .pragma_update(None, "cache_size", -WRITER_CACHE_KIB)
            .map_err(db)?;
        // Checks the file is ours and not too new before changing anything in it.
        schema::migrate(&mut writer)?;
        let mode: String = writer
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(db)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Storage {
                message: format!("could not switch the journal to WAL (got {mode})"),
                source: "journal_mode".into(),
            });
        }
        let head = last_seq(&writer)?;
        Ok(Self {
            writer: Mutex::new(writer),
            readers: Some(Mutex::new(Vec::new())),
            path: Some(path.to_owned()),
            written: AtomicI64::new(head),
        })
    }

    /// A private database in memory, gone when the store is dropped.
    pub(crate) fn open_in_memory() -> Result<Self> {
        let mut writer = Connection::open_in_memory().map_err(db)?;
        configure(&writer)?;
        schema::migrate(&mut writer)?;
        Ok(Self {
            writer: Mutex::new(writer),
            readers: None,
            path: None,
            written: AtomicI64::new(0),
        })
    }

    /// Runs `f` in a read transaction (a consistent snapshot) on a reader connection.
    fn read<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let (Some(pool), Some(path)) = (&self.readers, &self.path) else {
            let mut conn = lock(&self.writer);
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Deferred)
                .map_err(db)?;
            return f(&tx);
        };
        let mut conn = match lock(pool).pop() {
            Some(conn) => conn,
            None => {
                let conn = connect(path)?;
                conn.pragma_update(None, "query_only", true).map_err(db)?;
                conn
            }
        };
        let out = {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Deferred)
                .map_err(db)?;
            f(&tx)
        };
        let mut idle = lock(pool);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        out
    }

    /// Commits a write transaction and notes the feed's last sequence as this handle's.
    fn commit(&self, tx: Transaction<'_>) -> Result<()> {
        let head = last_seq(&tx)?;
        tx.commit().map_err(db)?;
        self.written.fetch_max(head, Ordering::SeqCst);
        Ok(())
    }
}

/// The feed's last sequence (0 before the first event), as `conn` sees it: the counter of the
/// table, which a compaction that removed the newest events does not move back.
fn last_seq(conn: &Connection) -> Result<i64> {
    conn.prepare_cached(
        "SELECT MAX(IFNULL((SELECT MAX(seq) FROM changes), 0),
                    IFNULL((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0))",
    )
    .map_err(db)?
    .query_row([], |r| r.get(0))
    .map_err(db)
}

/// Numbered parameters `?first`, `?first+1`... for `count` values of an `IN (...)` list, so
/// that the values stand after the fixed parameters wherever the list sits in the text.
pub(super) fn numbered_marks(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An SQLite error as the core reports it: a Storage error (the SQLite message, never a value).
/// Written `.map_err(db)` at each call: the core's public error type has no conversion from
/// rusqlite's, which stays out of the public API.
pub(super) fn db(err: rusqlite::Error) -> Error {
    Error::storage(format!("sqlite: {err}"), err)
}

/// A poisoned lock only means another thread panicked mid-call; its transaction rolled back when
/// dropped, so the connection is still sound.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Bytes of the file each connection maps into memory (address space, not RAM).
const MMAP_SIZE: i64 = 1 << 30;
/// Page cache of each reading connection, in KiB.
const CACHE_KIB: i64 = 16 * 1024;
/// Page cache of the writing connection, in KiB.
const WRITER_CACHE_KIB: i64 = 128 * 1024;

fn connect(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(db)?;
    configure(&conn)?;
    Ok(conn)
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT).map_err(db)?;
    conn.pragma_update(None, "foreign_keys", true).map_err(db)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(db)?;
    // Deleted and overwritten content is zeroed, not left in free space: anonymised data must
    // not stay in the file.
    conn.pragma_update(None, "secure_delete", true)
        .map_err(db)?;
    // Reads of a large file through a memory map rather than a read call per page, and a page
    // cache large enough for the indexes of a busy tenant.
    conn.pragma_update(None, "mmap_size", MMAP_SIZE)
        .map_err(db)?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)
        .map_err(db)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Makes sure the tenant has its row (settings, customer numbers, count).
fn ensure_tenant(tx: &Transaction<'_>, tenant: &TenantId) -> Result<()> {
    tx.prepare_cached("INSERT INTO tenants (tenant_id) VALUES (?1) ON CONFLICT DO NOTHING")
        .map_err(db)?
        .execute([tenant.as_str()])
        .map_err(db)?;
    Ok(())
}

impl Store for SqliteStore {
    fn read_tx(&self, tenant: &TenantId, f: &mut dyn FnMut(&dyn Tx) -> Result<()>) -> Result<()> {
        self.read(|tx| f(&SqliteTx::new(tx, tenant)))
    }

    fn write_tx(
        &self,
        tenant: &TenantId,
        f: &mut dyn FnMut(&dyn WriteTx) -> Result<bool>,
    ) -> Result<()> {
        let mut conn = lock(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        ensure_tenant(&tx, tenant)?;
        if f(&SqliteTx::new(&tx, tenant))? {
            self.commit(tx)
        } else {
            tx.rollback().map_err(db)
        }
    }

    /// One SQLite file is one store; its index lives beside it.
    fn identity(&self) -> &str {
        ""
    }

    fn feed_head(&self, tenant: &TenantId) -> Result<(i64, u64)> {
        self.read(|tx| indexing::feed_head(tx, tenant))
    }

    fn customer_rows(&self, tenant: &TenantId, ids: &[CustomerId]) -> Result<Vec<CustomerRow>> {
        self.read(|tx| indexing::rows(tx, tenant, ids))
    }

    fn feed_heads(&self) -> Result<(Vec<(TenantId, i64)>, u64)> {
        self.read(indexing::feed_heads)
    }

    /// The sequence is the file's, shared by its tenants: the feed's last sequence at this
    /// handle's last commit bounds every tenant's.
    fn last_written(&self, _tenant: &TenantId) -> i64 {
        self.written.load(Ordering::SeqCst)
    }

    fn scan_index_documents(
        &self,
        after: Option<CustomerId>,
        limit: u32,
    ) -> Result<Vec<IndexedCustomer>> {
        self.read(|tx| indexing::scan(tx, after, limit))
    }

    /// Moves the write-ahead log into the file and truncates it.
    fn flush_erased(&self) -> Result<bool> {
        if self.path.is_none() {
            return Ok(true);
        }
        let conn = lock(&self.writer);
        // A reader of another process may hold the log for a moment: try for a while.
        for _ in 0..50 {
            let busy: i64 = conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
                .map_err(db)?;
            if busy == 0 {
                return Ok(true);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(false)
    }
}
