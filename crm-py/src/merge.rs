//! Merging duplicates from Python: `MergePlan`, `MergeRecord`, `Merged` and `BookingMove`, and
//! the reading of a merge request from `primary`, `others`, `choices` and `expected_versions`.

use chrono::{DateTime, Utc};
use crm_core::{BookingMove, MergeId, MergePlan, MergeRecord, MergeRequest, Merged};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping, PyTuple};

use crate::convert::{core_dict, customer_id, customer_ids, parsed_id, wrong_type};
use crate::errors::to_py;
use crate::records::{PyActor, PyCustomer};

/// The request of `Tenant.merge` and `Tenant.plan_merge`, read from their arguments.
pub(crate) fn request(
    primary: &Bound<'_, PyAny>,
    others: &Bound<'_, PyAny>,
    choices: Option<&Bound<'_, PyAny>>,
    expected_versions: Option<&Bound<'_, PyAny>>,
) -> PyResult<MergeRequest> {
    let py = primary.py();
    let primary = customer_id("primary", primary)?;
    let others = customer_ids("others", others)?;
    let mut request = MergeRequest::new(primary, others);
    for (key, value) in pairs("choices", choices)? {
        let field = crate::convert::text("choices", &key)?;
        let field = field
            .parse()
            .map_err(|e: crm_core::Error| to_py(py, e.into()))?;
        let from = customer_id(&format!("choices.{field}"), &value)?;
        request = request.choose(field, from);
    }
    for (key, value) in pairs("expected_versions", expected_versions)? {
        let id = customer_id("expected_versions", &key)?;
        let version = crate::convert::int(&value)
            .map_err(|_| wrong_type("expected_versions", "a dict of int versions", &value))?;
        request = request.expect_version(id, version);
    }
    Ok(request)
}

/// A merge given as a `MergeRecord` or as its id (`str`).
pub(crate) fn merge_id(value: &Bound<'_, PyAny>) -> PyResult<MergeId> {
    if let Ok(record) = value.cast::<PyMergeRecord>() {
        return Ok(record.get().0.id);
    }
    parsed_id("merge", "MergeRecord or str", value)
}

/// The (key, value) pairs of an optional mapping argument.
fn pairs<'py>(
    field: &str,
    value: Option<&Bound<'py, PyAny>>,
) -> PyResult<Vec<(Bound<'py, PyAny>, Bound<'py, PyAny>)>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(Vec::new());
    };
    let mapping = value
        .cast::<PyMapping>()
        .map_err(|_| wrong_type(field, "a dict", value))?;
    mapping
        .items()?
        .try_iter()?
        .map(|item| item?.extract())
        .collect()
}

fn customers<'py>(py: Python<'py>, list: &[crm_core::Customer]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, list.iter().cloned().map(PyCustomer))
}

fn moves<'py>(py: Python<'py>, list: &[BookingMove]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, list.iter().cloned().map(PyBookingMove))
}

/// A booking a merge moves to the primary (and `unmerge` moves back).
#[pyclass(frozen, eq, name = "BookingMove", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyBookingMove(pub(crate) BookingMove);

#[pymethods]
impl PyBookingMove {
    /// The booking's reference.
    #[getter]
    fn reference(&self) -> &str {
        &self.0.reference
    }

    /// The id of the merged customer it belonged to.
    #[getter(from_customer)]
    fn moved_from(&self) -> String {
        self.0.from.to_string()
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(
            slf.as_any(),
            &slf.borrow().0,
            &[("from", &["from_customer"])],
        )
    }

    fn __repr__(&self) -> String {
        format!(
            "BookingMove(reference={:?}, from_customer='{}')",
            self.0.reference, self.0.from
        )
    }
}

/// What a merge would do, computed without writing (`Tenant.plan_merge`).
#[pyclass(frozen, eq, name = "MergePlan", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyMergePlan(pub(crate) MergePlan);

#[pymethods]
impl PyMergePlan {
    /// The primary as the merge would leave it.
    #[getter]
    fn customer(&self) -> PyCustomer {
        PyCustomer(self.0.customer.clone())
    }

    /// For each field with a value in the result (`"email"`, `"address"`...), the id of the
    /// record it comes from.
    #[getter]
    fn sources<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (field, id) in &self.0.sources {
            dict.set_item(field.as_str(), id.to_string())?;
        }
        Ok(dict)
    }

    /// The records that would disappear into the primary, as they are now.
    #[getter]
    fn merged<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        customers(py, &self.0.merged)
    }

    /// The bookings that would move to the primary.
    #[getter]
    fn bookings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        moves(py, &self.0.bookings)
    }

    /// The version of each record read, by id: pass it as `expected_versions` to `merge` to
    /// merge exactly what was shown.
    #[getter]
    fn versions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (id, version) in &self.0.versions {
            dict.set_item(id.to_string(), version)?;
        }
        Ok(dict)
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "MergePlan(customer_id='{}', merged={}, bookings={})",
            self.0.customer.id,
            self.0.merged.len(),
            self.0.bookings.len()
        )
    }
}

/// A merge as recorded: who, when, and a snapshot of every record it changed (`unmerge`
/// restores them).
#[pyclass(frozen, eq, name = "MergeRecord", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyMergeRecord(pub(crate) MergeRecord);

#[pymethods]
impl PyMergeRecord {
    /// The merge's id (what `Tenant.unmerge` takes).
    #[getter]
    fn id(&self) -> String {
        self.0.id.to_string()
    }

    /// The id of the customer that stayed.
    #[getter]
    fn primary_id(&self) -> String {
        self.0.primary_id.to_string()
    }

    /// When the merge was made.
    #[getter]
    fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// Who made it.
    #[getter]
    fn actor(&self) -> PyActor {
        PyActor(self.0.actor.clone())
    }

    /// The primary just before the merge.
    #[getter]
    fn primary_before(&self) -> PyCustomer {
        PyCustomer(self.0.primary_before.clone())
    }

    /// The records merged into it, as they were just before.
    #[getter]
    fn merged<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        customers(py, &self.0.merged)
    }

    /// The bookings the merge moved.
    #[getter]
    fn bookings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        moves(py, &self.0.bookings)
    }

    /// When the merge was undone, or None.
    #[getter]
    fn undone_at(&self) -> Option<DateTime<Utc>> {
        self.0.undone.as_ref().map(|u| u.at)
    }

    /// Who undid it, or None.
    #[getter]
    fn undone_by(&self) -> Option<PyActor> {
        self.0.undone.as_ref().map(|u| PyActor(u.actor.clone()))
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(
            slf.as_any(),
            &slf.borrow().0,
            &[("undone", &["undone_at", "undone_by"])],
        )
    }

    /// Ids and counts only: the snapshots hold personal data.
    fn __repr__(&self) -> String {
        format!(
            "MergeRecord(id='{}', primary_id='{}', merged={}, undone={})",
            self.0.id,
            self.0.primary_id,
            self.0.merged.len(),
            if self.0.undone.is_some() {
                "True"
            } else {
                "False"
            }
        )
    }
}

/// What `Tenant.merge` returns: the record of the merge and the customer as it now stands.
#[pyclass(frozen, eq, name = "Merged", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyMerged(pub(crate) Merged);

#[pymethods]
impl PyMerged {
    /// The record of the merge.
    #[getter]
    fn record(&self) -> PyMergeRecord {
        PyMergeRecord(self.0.record.clone())
    }

    /// The primary after the merge.
    #[getter]
    fn customer(&self) -> PyCustomer {
        PyCustomer(self.0.customer.clone())
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "Merged(merge_id='{}', customer_id='{}')",
            self.0.record.id, self.0.customer.id
        )
    }
}
