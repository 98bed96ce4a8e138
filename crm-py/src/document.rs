//! Documents from Python: `Document`.

use chrono::{DateTime, Utc};
use crm_core::{Document, DocumentId};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{core_dict, parsed_id};

/// A document attached to a customer, without its bytes (`Tenant.document_content(doc)`).
#[pyclass(frozen, eq, name = "Document", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyDocument(pub(crate) Document);

/// A document given as a `Document` or as its id (`str`).
pub(crate) fn document_id(value: &Bound<'_, PyAny>) -> PyResult<DocumentId> {
    if let Ok(doc) = value.cast::<PyDocument>() {
        return Ok(doc.get().0.id);
    }
    parsed_id("document", "Document or str", value)
}

#[pymethods]
impl PyDocument {
    /// Its id.
    #[getter]
    fn id(&self) -> String {
        self.0.id.to_string()
    }

    /// The id of the customer it is attached to.
    #[getter]
    fn customer_id(&self) -> String {
        self.0.customer_id.to_string()
    }

    /// The file name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// The media type (`"application/pdf"`).
    #[getter]
    fn content_type(&self) -> &str {
        &self.0.content_type
    }

    /// Its size in bytes.
    #[getter]
    fn size(&self) -> u64 {
        self.0.size
    }

    /// The SHA-256 of its bytes, lowercase hex.
    #[getter]
    fn sha256(&self) -> &str {
        &self.0.sha256
    }

    /// When it was attached.
    #[getter]
    fn added_at(&self) -> DateTime<Utc> {
        self.0.added_at
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    /// Id and size only: a file name may be personal data.
    fn __repr__(&self) -> String {
        format!("Document(id='{}', size={})", self.0.id, self.0.size)
    }
}
