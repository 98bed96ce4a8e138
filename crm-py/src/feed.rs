//! The change feed's life from Python: `FeedBounds`, `FeedCursor` and `FeedCompaction`.

use chrono::{DateTime, Utc};
use crm_core::{FeedBounds, FeedCompaction, FeedCursor};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::core_dict;

/// What a tenant's change feed holds: the events after `compacted` up to `head`.
#[pyclass(frozen, eq, name = "FeedBounds", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyFeedBounds(pub(crate) FeedBounds);

#[pymethods]
impl PyFeedBounds {
    /// The last sequence a compaction removed (0: none). Reading after an earlier one raises
    /// `FeedCompactedError`.
    #[getter]
    fn compacted(&self) -> i64 {
        self.0.compacted
    }

    /// The feed's last sequence (0 before its first event).
    #[getter]
    fn head(&self) -> i64 {
        self.0.head
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "FeedBounds(compacted={}, head={})",
            self.0.compacted, self.0.head
        )
    }
}

/// A reader's registered position in a tenant's change feed: compaction keeps every event
/// after it.
#[pyclass(frozen, eq, name = "FeedCursor", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyFeedCursor(pub(crate) FeedCursor);

#[pymethods]
impl PyFeedCursor {
    /// The reader's name, unique in the tenant.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// The last sequence the reader has taken in.
    #[getter]
    fn seq(&self) -> i64 {
        self.0.seq
    }

    /// When the cursor was last set.
    #[getter]
    fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!("FeedCursor(name={:?}, seq={})", self.0.name, self.0.seq)
    }
}

/// What `Crm.compact_feeds()` removed.
#[pyclass(frozen, eq, name = "FeedCompaction", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyFeedCompaction(pub(crate) FeedCompaction);

#[pymethods]
impl PyFeedCompaction {
    /// How many tenants' feeds lost events.
    #[getter]
    fn tenants(&self) -> u64 {
        self.0.tenants
    }

    /// How many events were removed, all tenants together.
    #[getter]
    fn events(&self) -> u64 {
        self.0.events
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "FeedCompaction(tenants={}, events={})",
            self.0.tenants, self.0.events
        )
    }
}
