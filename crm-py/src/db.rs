//! `crm.Crm`: one open database (SQLite file plus search index), a context manager.

use std::cell::Cell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use crm_core::Crm;
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyAny;

use crate::convert::Text;
use crate::errors::{Failure, to_py, validation};
use crate::feed::PyFeedCompaction;
use crate::records::PyActor;
use crate::tenant::PyTenant;

/// The open database, shared by the `Crm` object and every `Tenant` made from it (each of which
/// keeps the `Crm` object alive). `None` once closed. Calls hold the read lock while they run,
/// so `close()` waits for them.
pub(crate) type Shared = Arc<RwLock<Option<Crm>>>;

thread_local! {
    /// Set while this thread runs a `reindex` progress callback: the index is held meanwhile,
    /// so a call on the database from the callback would deadlock or see a half-built index.
    static IN_PROGRESS_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` (a progress callback into Python) with calls on the database refused on this thread.
pub(crate) fn in_progress_callback<R>(f: impl FnOnce() -> R) -> R {
    IN_PROGRESS_CALLBACK.with(|flag| flag.set(true));
    let outcome = f();
    IN_PROGRESS_CALLBACK.with(|flag| flag.set(false));
    outcome
}

/// A Python progress callback `(done, total)` for a long call: checked callable up front; the
/// first exception it raises is kept, later reports are skipped, and `finish` raises it once the
/// work is done. Calls on the database from inside it are refused.
pub(crate) struct Progress {
    callback: Option<Py<PyAny>>,
    raised: Option<PyErr>,
}

impl Progress {
    /// `TypeError` unless `callback` is callable or None.
    pub(crate) fn new(py: Python<'_>, callback: Option<Py<PyAny>>) -> PyResult<Self> {
        if let Some(c) = &callback
            && !c.bind(py).is_callable()
        {
            return Err(PyTypeError::new_err(
                "progress: expected a callable (done, total) or None",
            ));
        }
        Ok(Self {
            callback,
            raised: None,
        })
    }

    /// Calls the callback (taking the GIL), unless it raised before.
    pub(crate) fn report(&mut self, done: u64, total: u64) {
        let Some(callback) = &self.callback else {
            return;
        };
        if self.raised.is_none() {
            self.raised = in_progress_callback(|| {
                Python::attach(|py| callback.call1(py, (done, total)).err())
            });
        }
    }

    /// Whether the callback raised.
    pub(crate) fn failed(&self) -> bool {
        self.raised.is_some()
    }

    /// What the callback raised, if it did.
    pub(crate) fn finish(self) -> PyResult<()> {
        self.raised.map_or(Ok(()), Err)
    }
}

/// Refuses a call made from inside a `reindex` progress callback.
fn not_in_callback() -> PyResult<()> {
    if IN_PROGRESS_CALLBACK.with(Cell::get) {
        return Err(PyRuntimeError::new_err(
            "a progress callback (reindex, find_duplicates) cannot call the database",
        ));
    }
    Ok(())
}

/// Runs `work` on the open database with the GIL released, and turns its error into the
/// matching Python exception.
pub(crate) fn run<T, F>(py: Python<'_>, shared: &Shared, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce(&Crm) -> Result<T, Failure> + Send,
{
    not_in_callback()?;
    py.detach(|| {
        let guard = shared
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match guard.as_ref() {
            Some(crm) => work(crm),
            None => Err(Failure::Closed),
        }
    })
    .map_err(|failure| to_py(py, failure))
}

/// A Mini-CRM database: an SQLite file and its search index in a folder beside it
/// (`<file>.index`), or both in memory.
#[pyclass(frozen, name = "Crm", module = "crm")]
pub(crate) struct PyCrm {
    shared: Shared,
    /// Set by `close()`: read without the lock, which a running call may hold.
    closed: AtomicBool,
    /// Where the records are, for `repr` (never a connection string: it may hold a password).
    place: String,
}

impl PyCrm {
    fn new(crm: Crm, place: String) -> Self {
        Self {
            shared: Arc::new(RwLock::new(Some(crm))),
            closed: AtomicBool::new(false),
            place,
        }
    }

    /// Takes the database out of the shared slot (waiting for calls in progress) and drops it,
    /// both with the GIL released.
    fn release(&self, py: Python<'_>) {
        self.closed.store(true, Ordering::SeqCst);
        let shared = &self.shared;
        py.detach(|| {
            let taken = shared
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .take();
            drop(taken);
        });
    }
}

impl Drop for PyCrm {
    /// A `Crm` collected without `close()` releases SQLite and the index without the GIL.
    fn drop(&mut self) {
        Python::attach(|py| self.release(py));
    }
}

#[pymethods]
impl PyCrm {
    /// Opens (or creates) the database file at `path`, migrating its schema if needed.
    ///
    /// Args:
    ///     path: the SQLite file; the search index lives in `<path>.index`.
    ///
    /// Raises:
    ///     StorageError: the file is not a database, or was written by a newer version.
    ///     IoError: the index folder cannot be created.
    #[staticmethod]
    fn open(
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert::path)] path: PathBuf,
    ) -> PyResult<Self> {
        let opened = py.detach(|| Crm::open(&path));
        let crm = opened.map_err(|err| to_py(py, err.into()))?;
        Ok(Self::new(crm, path.display().to_string()))
    }

    /// Connects to a PostgreSQL database shared by several application servers, migrating its
    /// schema if needed, with this server's search index in the folder `index`.
    ///
    /// Each server keeps its own index folder; before a search of a tenant it takes in what
    /// any server committed for that tenant since. Calls release the GIL.
    ///
    /// TLS is used when the connection string says `sslmode=require`, verified as libpq's
    /// `verify-full` does: the server's certificate against the system's certificate
    /// authorities and `ca_file`'s, and its name against `host`. Any other `sslmode`
    /// (`prefer`, the default, or `disable`) connects in clear; a Unix socket never uses TLS.
    ///
    /// Args:
    ///     url: a connection string, as a URL (`postgresql://user@host/db`) or as
    ///         `key=value` pairs (`host=/run/postgresql dbname=crm user=app`).
    ///     index: the folder of this server's search index (made if missing).
    ///     ca_file: a PEM file of the private certificate authority that signed the server's
    ///         certificate, trusted besides the system's. It asks for TLS: without `sslmode`
    ///         (or with `prefer`) TLS is required; `sslmode=disable` is a ValidationError.
    ///
    /// Raises:
    ///     ValidationError: `url` is not a connection string; `ca_file` holds no certificate.
    ///     StorageError: the database cannot be reached, its certificate is not trusted, or it
    ///         was written by a newer version.
    ///     IoError: the index folder cannot be created, or `ca_file` read.
    #[staticmethod]
    #[pyo3(signature = (url, *, index, ca_file=None))]
    fn connect(
        py: Python<'_>,
        url: &str,
        #[pyo3(from_py_with = crate::convert::path)] index: PathBuf,
        #[pyo3(from_py_with = crate::convert::opt_path)] ca_file: Option<PathBuf>,
    ) -> PyResult<Self> {
        let opened = py.detach(|| match &ca_file {
            Some(ca) => Crm::connect_with_ca(url, &index, ca),
            None => Crm::connect(url, &index),
        });
        let crm = opened.map_err(|err| to_py(py, err.into()))?;
        Ok(Self::new(
            crm,
            format!("PostgreSQL, index {}", index.display()),
        ))
    }

    /// A database in memory, gone when closed: for tests and demos.
    #[staticmethod]
    fn in_memory(py: Python<'_>) -> PyResult<Self> {
        let crm = py
            .detach(Crm::open_in_memory)
            .map_err(|err| to_py(py, err.into()))?;
        Ok(Self::new(crm, "in memory".to_owned()))
    }

    /// The schema version this library writes.
    #[staticmethod]
    fn schema_version() -> i64 {
        Crm::schema_version()
    }

    /// A handle on one tenant (agency). Every call through it reads and writes that tenant's
    /// records only.
    ///
    /// Args:
    ///     id: the tenant id, 1 to 128 characters.
    ///     actor: who makes the changes; needed by every call that writes.
    ///
    /// Raises:
    ///     ValidationError: the id is empty or too long.
    #[pyo3(signature = (id, *, actor=None))]
    fn tenant(
        slf: &Bound<'_, Self>,
        py: Python<'_>,
        id: Text,
        actor: Option<Bound<'_, PyActor>>,
    ) -> PyResult<PyTenant> {
        let this = slf.get();
        let id = run(py, &this.shared, |crm| Ok(crm.tenant(&id)?.id().clone()))?;
        let actor = actor.map(|a| a.get().0.clone());
        Ok(PyTenant::new(
            slf.clone().unbind(),
            this.shared.clone(),
            id,
            actor,
        ))
    }

    /// Rebuilds the search index from SQLite (it is also rebuilt on its own when missing or
    /// damaged). `progress(done, total)` is called after each batch of customers.
    ///
    /// Raises:
    ///     SearchError: the index cannot be written.
    ///     Exception: whatever `progress` raised (the rebuild still completes).
    /// It must not call the database (RuntimeError if it does).
    #[pyo3(signature = (progress=None))]
    fn reindex(&self, py: Python<'_>, progress: Option<Py<PyAny>>) -> PyResult<()> {
        let mut progress = Progress::new(py, progress)?;
        run(py, &self.shared, |crm| {
            crm.reindex(|done, total| progress.report(done, total))
                .map_err(Failure::from)
        })?;
        progress.finish()
    }

    /// Brings this handle's search index up to every tenant's committed changes now, rather
    /// than at the next search of each tenant, then rewrites the index segments that still hold
    /// customers deleted or anonymised through another handle (searches do not: it can take
    /// seconds). On PostgreSQL, call it from a timer on each server so that erased values leave
    /// every server's index folder.
    ///
    /// Raises:
    ///     StorageError: the database cannot be read.
    ///     SearchError: the index cannot be written.
    fn sync_index(&self, py: Python<'_>) -> PyResult<()> {
        run(py, &self.shared, |crm| {
            crm.sync_index().map_err(Failure::from)
        })
    }

    /// Compacts every tenant's change feed: removes the events written more than `keep` ago
    /// (default `crm.FEED_RETENTION`, 30 days) that every feed cursor of their tenant has
    /// passed (`Tenant.set_feed_cursor`). Call it from a timer (daily, say) on one server.
    ///
    /// A read after a removed event raises `FeedCompactedError` (never a silent gap); a search
    /// index behind them rebuilds itself at its next search; a personal-data export lists the
    /// changes still kept.
    ///
    /// Raises:
    ///     ValidationError: `keep` is negative.
    ///     StorageError: the store cannot be written (the batches done stay done).
    ///     ConflictError: a tenant's writes held its lock past the timeout.
    #[pyo3(signature = (keep=None))]
    fn compact_feeds(
        &self,
        py: Python<'_>,
        keep: Option<chrono::TimeDelta>,
    ) -> PyResult<PyFeedCompaction> {
        let keep = match keep {
            None => crm_core::FEED_RETENTION,
            Some(keep) => keep
                .to_std()
                .map_err(|_| validation(py, "keep", "must not be negative"))?,
        };
        let done = run(py, &self.shared, |crm| {
            crm.compact_feeds(keep).map_err(Failure::from)
        })?;
        Ok(PyFeedCompaction(done))
    }

    /// Closes the database: waits for calls in progress on other threads, then releases the
    /// file and the index. Every later call raises `ClosedError`. Closing twice does nothing.
    ///
    /// Raises:
    ///     RuntimeError: called from a reindex progress callback.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        not_in_callback()?;
        self.release(py);
        Ok(())
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (_exc_type=None, _exc=None, _traceback=None))]
    fn __exit__(
        &self,
        py: Python<'_>,
        _exc_type: Option<Bound<'_, PyAny>>,
        _exc: Option<Bound<'_, PyAny>>,
        _traceback: Option<Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        self.close(py)
    }

    fn __repr__(&self) -> String {
        let state = if self.closed() { " closed" } else { "" };
        format!("<crm.Crm {}{state}>", self.place)
    }
}

/// `crm.FEED_RETENTION`: how long the change feed keeps events by default.
pub(crate) fn feed_retention() -> PyResult<chrono::TimeDelta> {
    chrono::TimeDelta::from_std(crm_core::FEED_RETENTION)
        .map_err(|e| pyo3::exceptions::PyOverflowError::new_err(e.to_string()))
}
