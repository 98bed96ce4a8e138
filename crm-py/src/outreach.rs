//! Outreach, the communication log, saved searches and statements from Python: `Outreach`,
//! `Recipient`, `Communication`, `SavedSearch`, `SavedRun`, `Statement`, `StatementLine`.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use crm_core::{
    Communication, Outreach, Recipient, SavedRun, SavedSearch, SavedSearchId, Statement,
    StatementLine,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

use crate::convert::{core_dict, parsed_id};
use crate::pages::PyCustomerRow;
use crate::records::PyMoney;

/// A customer who may be written to on a channel.
#[pyclass(frozen, eq, name = "Recipient", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyRecipient(Recipient);

#[pymethods]
impl PyRecipient {
    /// The customer's id.
    #[getter]
    fn customer_id(&self) -> String {
        self.0.customer_id.to_string()
    }

    /// Its customer no.
    #[getter]
    fn customer_no(&self) -> i64 {
        self.0.customer_no
    }

    /// First name.
    #[getter]
    fn first_name(&self) -> &str {
        &self.0.first_name
    }

    /// Last name.
    #[getter]
    fn last_name(&self) -> &str {
        &self.0.last_name
    }

    /// Where to send: the email, or the mobile number in E.164 form.
    #[getter]
    fn address(&self) -> &str {
        &self.0.address
    }

    /// Preferred language, if known.
    #[getter]
    fn language(&self) -> Option<&str> {
        self.0.language.as_deref()
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!("Recipient(customer_no={})", self.0.customer_no)
    }
}

/// The recipients of a search on a channel, and how many were left out, by reason.
#[pyclass(frozen, eq, name = "Outreach", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyOutreach(pub(crate) Outreach);

#[pymethods]
impl PyOutreach {
    /// `"email"` or `"sms"`.
    #[getter]
    fn channel(&self) -> &'static str {
        self.0.channel.as_str()
    }

    /// Who may be written to, in the search's order.
    #[getter]
    fn recipients<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.recipients.iter().cloned().map(PyRecipient))
    }

    /// Who may not, by reason: `anonymised`, `no_address`, `no_consent`, `suppressed`,
    /// `opted_out`.
    #[getter]
    fn skipped<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.0.skipped;
        let d = PyDict::new(py);
        d.set_item("anonymised", s.anonymised)?;
        d.set_item("no_address", s.no_address)?;
        d.set_item("no_consent", s.no_consent)?;
        d.set_item("suppressed", s.suppressed)?;
        d.set_item("opted_out", s.opted_out)?;
        Ok(d)
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __len__(&self) -> usize {
        self.0.recipients.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "Outreach(channel={:?}, recipients={})",
            self.0.channel.as_str(),
            self.0.recipients.len()
        )
    }
}

/// An entry of the communication log: what the host reported it sent.
#[pyclass(frozen, eq, name = "Communication", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyCommunication(pub(crate) Communication);

#[pymethods]
impl PyCommunication {
    /// Its id.
    #[getter]
    fn id(&self) -> String {
        self.0.id.to_string()
    }

    /// The customer written to.
    #[getter]
    fn customer_id(&self) -> String {
        self.0.customer_id.to_string()
    }

    /// `"email"` or `"sms"`.
    #[getter]
    fn channel(&self) -> &'static str {
        self.0.channel.as_str()
    }

    /// Where it went (empty once the customer is anonymised).
    #[getter]
    fn address(&self) -> &str {
        &self.0.address
    }

    /// What was sent (empty once the customer is anonymised).
    #[getter]
    fn subject(&self) -> &str {
        &self.0.subject
    }

    /// The host's id of the message, if any.
    #[getter]
    fn reference(&self) -> Option<&str> {
        self.0.reference.as_deref()
    }

    /// When it was sent.
    #[getter]
    fn sent_at(&self) -> DateTime<Utc> {
        self.0.sent_at
    }

    /// When it was logged.
    #[getter]
    fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }

    /// Who logged it (user id).
    #[getter]
    fn recorded_by(&self) -> &str {
        &self.0.recorded_by
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "Communication(channel={:?}, sent_at={})",
            self.0.channel.as_str(),
            self.0.sent_at.to_rfc3339()
        )
    }
}

/// A named customer search of the tenant.
#[pyclass(frozen, eq, name = "SavedSearch", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PySavedSearch(pub(crate) SavedSearch);

#[pymethods]
impl PySavedSearch {
    /// Its id.
    #[getter]
    fn id(&self) -> String {
        self.0.id.to_string()
    }

    /// Its name, unique within the tenant.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// The query as stored (a JSON object as a dict).
    #[getter]
    fn query<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let text = serde_json::to_string(&self.0.query)
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
        py.import("json")?.call_method1("loads", (text,))
    }

    /// When it was first saved.
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When its query was last saved.
    #[getter]
    fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// When it was last run, or None.
    #[getter]
    fn last_run_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_run_at
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!("SavedSearch(name={:?})", self.0.name)
    }
}

/// What running a saved search found.
#[pyclass(frozen, eq, name = "SavedRun", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PySavedRun(pub(crate) SavedRun);

#[pymethods]
impl PySavedRun {
    /// The saved search after the run.
    #[getter]
    fn search(&self) -> PySavedSearch {
        PySavedSearch(self.0.search.clone())
    }

    /// When this run was made.
    #[getter]
    fn ran_at(&self) -> DateTime<Utc> {
        self.0.ran_at
    }

    /// When it ran before, or None.
    #[getter]
    fn previous_run_at(&self) -> Option<DateTime<Utc>> {
        self.0.previous_run_at
    }

    /// How many customers match now.
    #[getter]
    fn total(&self) -> u64 {
        self.0.total
    }

    /// The customers that newly match, as list rows in the query's order.
    #[getter(new)]
    fn new_rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.new.iter().cloned().map(PyCustomerRow))
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!("SavedRun(total={}, new={})", self.0.total, self.0.new.len())
    }
}

/// One booking on a statement.
#[pyclass(frozen, eq, name = "StatementLine", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyStatementLine(StatementLine);

#[pymethods]
impl PyStatementLine {
    /// The booking reference.
    #[getter]
    fn reference(&self) -> &str {
        &self.0.reference
    }

    /// Pickup, in the local time of the pickup place.
    #[getter]
    fn pickup_at(&self) -> DateTime<FixedOffset> {
        self.0.pickup_at
    }

    /// `from → to`.
    #[getter]
    fn route(&self) -> &str {
        &self.0.route
    }

    /// The booking status.
    #[getter]
    fn status(&self) -> &'static str {
        self.0.status.as_str()
    }

    /// Invoice number, or None.
    #[getter]
    fn invoice_number(&self) -> Option<&str> {
        self.0.invoice_number.as_deref()
    }

    /// Invoice amount, or None.
    #[getter]
    fn amount(&self) -> Option<PyMoney> {
        self.0.amount.clone().map(PyMoney)
    }

    /// Payment status, or None.
    #[getter]
    fn payment_status(&self) -> Option<&'static str> {
        self.0.payment_status.map(|p| p.as_str())
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!("StatementLine(reference={:?})", self.0.reference)
    }
}

/// A customer's bookings departing in a date range, oldest first, with totals per currency.
#[pyclass(frozen, eq, name = "Statement", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyStatement(pub(crate) Statement);

#[pymethods]
impl PyStatement {
    /// The customer's id.
    #[getter]
    fn customer_id(&self) -> String {
        self.0.customer_id.to_string()
    }

    /// Its customer no.
    #[getter]
    fn customer_no(&self) -> i64 {
        self.0.customer_no
    }

    /// First and last name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// The customer's company, if any.
    #[getter]
    fn company(&self) -> Option<&str> {
        self.0.company.as_deref()
    }

    /// The customer's postal address.
    #[getter]
    fn address(&self) -> crate::records::PyAddress {
        crate::records::PyAddress(self.0.address.clone())
    }

    /// First day of the range.
    #[getter]
    fn start(&self) -> NaiveDate {
        self.0.from
    }

    /// Last day of the range.
    #[getter]
    fn end(&self) -> NaiveDate {
        self.0.to
    }

    /// The bookings, by pickup time, a line per invoice (one for a booking without).
    #[getter]
    fn lines<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.lines.iter().cloned().map(PyStatementLine))
    }

    /// Invoice amounts per currency (by code), cancelled bookings left out.
    #[getter]
    fn totals<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.totals.iter().cloned().map(PyMoney))
    }

    /// Of those, the amounts still owed (of unpaid or part-paid invoices, the amount less what
    /// was paid, of bookings not cancelled), per currency.
    #[getter]
    fn outstanding<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.outstanding.iter().cloned().map(PyMoney))
    }

    /// When it was made.
    #[getter]
    fn generated_at(&self) -> DateTime<Utc> {
        self.0.generated_at
    }

    /// The statement as a PDF document (A4; characters outside Windows-1252 print as `?`).
    fn to_pdf<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let bytes = py.detach(|| self.0.to_pdf());
        PyBytes::new(py, &bytes)
    }

    /// Writes the PDF to the file `path` (str or os.PathLike), beside it first and renamed onto
    /// it once complete: never half-written.
    ///
    /// Raises:
    ///     IoError: the file cannot be written.
    fn write_pdf(&self, py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<()> {
        let path = crate::convert::path(path)?;
        py.detach(|| self.0.write_pdf(&path))
            .map_err(|e| crate::errors::to_py(py, e.into()))
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(
            slf.as_any(),
            &slf.borrow().0,
            &[("from", &["start"]), ("to", &["end"])],
        )
    }

    fn __repr__(&self) -> String {
        format!(
            "Statement(customer_no={}, lines={})",
            self.0.customer_no,
            self.0.lines.len()
        )
    }
}

/// A saved search given as a `SavedSearch` or its id.
pub(crate) fn search_id(value: &Bound<'_, PyAny>) -> PyResult<SavedSearchId> {
    if let Ok(s) = value.cast::<PySavedSearch>() {
        return Ok(s.get().0.id);
    }
    parsed_id("search", "SavedSearch or str", value)
}
