//! Lists and brochure requests from Python: `ListInfo` and `BrochureRequest`.

use chrono::{DateTime, Utc};
use crm_core::{BrochureRequest, BrochureRequestId, ListInfo};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{core_dict, parsed_id};

/// A customer list of the tenant and how many customers are on it.
#[pyclass(frozen, eq, name = "ListInfo", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyListInfo(pub(crate) ListInfo);

#[pymethods]
impl PyListInfo {
    /// The list's name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// How many customers are on it.
    #[getter]
    fn members(&self) -> u64 {
        self.0.members
    }

    /// When it was made.
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!("ListInfo(members={})", self.0.members)
    }
}

/// A customer's request for a brochure: when it came and when the brochure was sent.
#[pyclass(frozen, eq, name = "BrochureRequest", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyBrochureRequest(pub(crate) BrochureRequest);

/// A brochure request given as a `BrochureRequest` or as its id (`str`).
pub(crate) fn request_id(value: &Bound<'_, PyAny>) -> PyResult<BrochureRequestId> {
    if let Ok(r) = value.cast::<PyBrochureRequest>() {
        return Ok(r.get().0.id);
    }
    parsed_id("request", "BrochureRequest or str", value)
}

#[pymethods]
impl PyBrochureRequest {
    /// Its id.
    #[getter]
    fn id(&self) -> String {
        self.0.id.to_string()
    }

    /// The id of the customer who asked.
    #[getter]
    fn customer_id(&self) -> String {
        self.0.customer_id.to_string()
    }

    /// When the request came.
    #[getter]
    fn requested_at(&self) -> DateTime<Utc> {
        self.0.requested_at
    }

    /// When the brochure was sent, or None while pending.
    #[getter]
    fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.sent_at
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "BrochureRequest(id='{}', sent={})",
            self.0.id,
            if self.0.sent_at.is_some() {
                "True"
            } else {
                "False"
            }
        )
    }
}
