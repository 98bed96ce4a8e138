//! Privacy from Python: `AnonymisationReport` and `RetentionReport`.

use chrono::{DateTime, Utc};
use crm_core::{AnonymisationReport, RetentionReport};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::convert::core_dict;

/// What anonymising a customer erases and keeps, and why: the plan (`Tenant.plan_anonymise`)
/// or the report of what was done (`Tenant.anonymise`).
#[pyclass(frozen, eq, name = "AnonymisationReport", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyAnonymisationReport(pub(crate) AnonymisationReport);

#[pymethods]
impl PyAnonymisationReport {
    /// The customer's id.
    #[getter]
    fn customer_id(&self) -> String {
        self.0.customer_id.to_string()
    }

    /// Its customer no., kept.
    #[getter]
    fn customer_no(&self) -> i64 {
        self.0.customer_no
    }

    /// The fields that held personal data and are erased (`"first_name"`, `"email"`...).
    #[getter]
    fn erased<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, &self.0.erased)
    }

    /// What is kept and why, as `(what, why)` pairs.
    #[getter]
    fn kept<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(
            py,
            self.0.kept.iter().map(|k| (k.what.clone(), k.why.clone())),
        )
    }

    /// How many bookings stay linked to the anonymised record.
    #[getter]
    fn bookings(&self) -> u64 {
        self.0.bookings
    }

    /// How many merge records hold snapshots of the customer (scrubbed too).
    #[getter]
    fn merges(&self) -> u64 {
        self.0.merges
    }

    /// How many emails and phones are remembered as keyed hashes.
    #[getter]
    fn suppressed_contacts(&self) -> u64 {
        self.0.suppressed_contacts
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "AnonymisationReport(customer_no={}, erased={})",
            self.0.customer_no,
            self.0.erased.len()
        )
    }
}

/// What `Tenant.anonymise_inactive` did, or would do in a dry run.
#[pyclass(frozen, eq, name = "RetentionReport", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyRetentionReport(pub(crate) RetentionReport);

#[pymethods]
impl PyRetentionReport {
    /// The cut-off.
    #[getter]
    fn before(&self) -> DateTime<Utc> {
        self.0.before
    }

    /// Whether nothing was written.
    #[getter]
    fn dry_run(&self) -> bool {
        self.0.dry_run
    }

    /// The ids of the customers anonymised (or that would be), in customer no. order.
    #[getter]
    fn customers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.customers.iter().map(ToString::to_string))
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "RetentionReport(dry_run={}, customers={})",
            if self.0.dry_run { "True" } else { "False" },
            self.0.customers.len()
        )
    }
}
