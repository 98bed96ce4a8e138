//! Importing from Python: the options read from keyword arguments, and `ImportReport`,
//! `RowIssue`, `FlaggedRow`.

use crm_core::{FlaggedRow, ImportOptions, ImportReport, ImportTarget, MatchConfig, RowIssue};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::convert::core_dict;
use crate::dedupe::{PyDuplicateMatch, PyMatchConfig};
use crate::errors::{Failure, validation};

/// The keyword arguments of `Tenant.import_csv`, before they become options.
pub(crate) struct ImportArgs<'py> {
    pub(crate) mapping: Option<Bound<'py, PyDict>>,
    pub(crate) preset: Option<String>,
    pub(crate) match_on: String,
    pub(crate) dry_run: bool,
    pub(crate) all_or_nothing: bool,
    pub(crate) batch_size: usize,
    pub(crate) lenient: bool,
    pub(crate) flag_duplicates: Option<Bound<'py, PyAny>>,
    pub(crate) encoding: Option<String>,
    pub(crate) delimiter: Option<String>,
}

impl ImportArgs<'_> {
    /// The options, or a ValidationError naming the argument.
    pub(crate) fn options(&self, py: Python<'_>) -> PyResult<ImportOptions> {
        let core = |e: crm_core::Error| crate::errors::to_py(py, Failure::from(e));
        let mut options = ImportOptions::new()
            .dry_run(self.dry_run)
            .all_or_nothing(self.all_or_nothing)
            .batch_size(self.batch_size)
            .lenient(self.lenient)
            .match_on(self.match_on.parse().map_err(core)?);
        if let Some(mapping) = &self.mapping {
            for (header, target) in mapping.iter() {
                let header = crate::convert::text("mapping", &header)
                    .map_err(|e| keep_validation(py, e, "headers are str"))?;
                let target = crate::convert::text("mapping", &target)
                    .map_err(|e| keep_validation(py, e, "targets are str"))?;
                options = options.map(header, target.parse::<ImportTarget>().map_err(core)?);
            }
        }
        if let Some(preset) = &self.preset {
            options = options.preset(preset.parse().map_err(core)?);
        }
        if let Some(encoding) = &self.encoding {
            options = options.encoding(encoding.clone());
        }
        if let Some(delimiter) = &self.delimiter {
            match delimiter.as_bytes() {
                [d] => options = options.delimiter(*d),
                _ => return Err(validation(py, "delimiter", "must be one character")),
            }
        }
        let config = if let Some(flag) = self.flag_duplicates.as_ref().filter(|f| !f.is_none()) {
            if let Ok(config) = flag.cast::<PyMatchConfig>() {
                Some(config.get().0.clone())
            } else if let Ok(yes) = flag.extract::<bool>() {
                yes.then(MatchConfig::default)
            } else {
                return Err(validation(
                    py,
                    "flag_duplicates",
                    "is a bool or a MatchConfig",
                ));
            }
        } else {
            Some(MatchConfig::default())
        };
        Ok(options.flag_duplicates(config))
    }
}

/// One row of an import report: the row (the header is row 1), the field (empty for the whole
/// row), the reason, and the kind: `"error"` (not imported), `"skipped"` or `"warning"`.
#[pyclass(frozen, eq, name = "RowIssue", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyRowIssue(RowIssue);

#[pymethods]
impl PyRowIssue {
    /// The row in the file as a spreadsheet numbers it.
    #[getter]
    fn row(&self) -> u64 {
        self.0.row
    }

    /// The field (`"email"`, `"address.country"`...) or `""` for the whole row.
    #[getter]
    fn field(&self) -> &str {
        &self.0.field
    }

    /// Why.
    #[getter]
    fn reason(&self) -> &str {
        &self.0.reason
    }

    /// `"error"`, `"skipped"` or `"warning"`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind.as_str()
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "RowIssue(row={}, field={:?}, kind={:?})",
            self.0.row,
            self.0.field,
            self.0.kind.as_str()
        )
    }
}

/// A row that created a customer likely the same as one already stored.
#[pyclass(frozen, eq, name = "FlaggedRow", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyFlaggedRow(FlaggedRow);

#[pymethods]
impl PyFlaggedRow {
    /// The row in the file.
    #[getter]
    fn row(&self) -> u64 {
        self.0.row
    }

    /// The id of the customer it created (None in a dry run).
    #[getter]
    fn customer_id(&self) -> Option<String> {
        self.0.customer_id.map(|id| id.to_string())
    }

    /// The stored customers it resembles, best first.
    #[getter]
    fn matches<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.matches.iter().cloned().map(PyDuplicateMatch))
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "FlaggedRow(row={}, matches={})",
            self.0.row,
            self.0.matches.len()
        )
    }
}

/// What `Tenant.import_csv` did, or in a dry run would do.
#[pyclass(frozen, eq, name = "ImportReport", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyImportReport(pub(crate) ImportReport);

#[pymethods]
impl PyImportReport {
    /// Whether this was a dry run.
    #[getter]
    fn dry_run(&self) -> bool {
        self.0.dry_run
    }

    /// Whether rows were written (False for a dry run, and for an all-or-nothing import with a
    /// failed row).
    #[getter]
    fn committed(&self) -> bool {
        self.0.committed
    }

    /// Whether the progress callback stopped the import before the end of the file.
    #[getter]
    fn stopped(&self) -> bool {
        self.0.stopped
    }

    /// The preset that mapped the headers: `"crm"`, `"google_contacts"`, `"outlook"`,
    /// `"hubspot"`.
    #[getter]
    fn preset(&self) -> &'static str {
        self.0.preset.as_str()
    }

    /// Every column of the file and where it went, as `(header, target)` pairs (`target` is a
    /// field name, `"custom:<key>"` or `"ignore"`).
    #[getter]
    fn columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(
            py,
            self.0
                .columns
                .iter()
                .map(|c| (c.header.clone(), c.target.to_string())),
        )
    }

    /// Data rows read (blank ones included).
    #[getter]
    fn rows(&self) -> u64 {
        self.0.rows
    }

    /// Rows that created a customer.
    #[getter]
    fn created(&self) -> u64 {
        self.0.created
    }

    /// Rows that changed a customer.
    #[getter]
    fn updated(&self) -> u64 {
        self.0.updated
    }

    /// Rows that matched a customer and changed nothing.
    #[getter]
    fn unchanged(&self) -> u64 {
        self.0.unchanged
    }

    /// Rows left alone on purpose (blank, or matching an anonymised customer).
    #[getter]
    fn skipped(&self) -> u64 {
        self.0.skipped
    }

    /// Rows not imported because of an error.
    #[getter]
    fn failed(&self) -> u64 {
        self.0.failed
    }

    /// Errors, skips and warnings by row (at most 10,000; see `issues_total`).
    #[getter]
    fn issues<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.issues.iter().cloned().map(PyRowIssue))
    }

    /// How many issues there were in all.
    #[getter]
    fn issues_total(&self) -> u64 {
        self.0.issues_total
    }

    /// Rows that created a likely duplicate (at most 10,000; see `flagged_total`).
    #[getter]
    fn flagged<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.flagged.iter().cloned().map(PyFlaggedRow))
    }

    /// How many rows were flagged in all.
    #[getter]
    fn flagged_total(&self) -> u64 {
        self.0.flagged_total
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        let r = &self.0;
        format!(
            "ImportReport(rows={}, created={}, updated={}, unchanged={}, skipped={}, failed={}, \
             committed={})",
            r.rows,
            r.created,
            r.updated,
            r.unchanged,
            r.skipped,
            r.failed,
            if r.committed { "True" } else { "False" }
        )
    }
}

/// A `ValidationError` as it is (a `str` that is not Unicode), anything else (not a `str`) as a
/// `ValidationError` on `mapping` with `reason`.
fn keep_validation(py: Python<'_>, err: PyErr, reason: &str) -> PyErr {
    if err.is_instance_of::<pyo3::exceptions::PyValueError>(py) {
        err
    } else {
        validation(py, "mapping", reason)
    }
}
