//! Pages of results (search, customer list) and change-feed events.

use chrono::{DateTime, FixedOffset, Utc};
use crm_core::{ChangeEvent, CustomerRow, Page, SearchPage};
use pyo3::exceptions::PyIndexError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyIterator, PyTuple};

use crate::convert::core_dict;
use crate::records::PyActor;

/// One row of the customer list: name, email, phone, bookings count, latest booking.
#[pyclass(frozen, eq, name = "CustomerRow", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyCustomerRow(pub(crate) CustomerRow);

#[pymethods]
impl PyCustomerRow {
    /// The customer's id.
    #[getter]
    fn id(&self) -> String {
        self.0.id.to_string()
    }

    /// The customer no.
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

    /// First and last name joined by a space (the one name of a customer that has one).
    #[getter]
    fn full_name(&self) -> String {
        self.0.full_name()
    }

    /// Main email.
    #[getter]
    fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// Phone as typed: the landline, else the mobile.
    #[getter]
    fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }

    /// How many bookings are linked.
    #[getter]
    fn bookings(&self) -> u64 {
        self.0.bookings
    }

    /// Pickup time of the latest booking, or None.
    #[getter]
    fn last_booking(&self) -> Option<DateTime<FixedOffset>> {
        self.0.last_booking
    }

    /// When the customer was created (UTC).
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "CustomerRow(id='{}', customer_no={}, bookings={})",
            self.0.id, self.0.customer_no, self.0.bookings
        )
    }
}

/// The rows of a page as a tuple, and the item at `index` (negative from the end).
fn rows<'py>(py: Python<'py>, items: &[CustomerRow]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, items.iter().cloned().map(PyCustomerRow))
}

fn row_at(items: &[CustomerRow], index: i64) -> PyResult<PyCustomerRow> {
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let at = if index < 0 {
        index.saturating_add(len)
    } else {
        index
    };
    usize::try_from(at)
        .ok()
        .and_then(|at| items.get(at))
        .map(|row| PyCustomerRow(row.clone()))
        .ok_or_else(|| PyIndexError::new_err("page index out of range"))
}

/// One page of search results, iterable, with `total` matches in all.
#[pyclass(frozen, name = "SearchPage", module = "crm")]
pub(crate) struct PySearchPage(pub(crate) SearchPage);

#[pymethods]
impl PySearchPage {
    /// The rows of this page, best first.
    #[getter]
    fn items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        rows(py, &self.0.items)
    }

    /// How many customers match in all pages.
    #[getter]
    fn total(&self) -> u64 {
        self.0.total
    }

    /// How many changes (writes of other handles or processes) the search index had not taken
    /// in yet when this search ran: 0 when it was current. Writes of the same `Crm` are always
    /// reflected.
    #[getter]
    fn behind(&self) -> u64 {
        self.0.behind
    }

    fn __len__(&self) -> usize {
        self.0.items.len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        rows(py, &self.0.items)?.try_iter()
    }

    fn __getitem__(
        &self,
        #[pyo3(from_py_with = crate::convert::int)] index: i64,
    ) -> PyResult<PyCustomerRow> {
        row_at(&self.0.items, index)
    }

    fn __repr__(&self) -> String {
        format!(
            "SearchPage(rows={}, total={})",
            self.0.items.len(),
            self.0.total
        )
    }
}

/// One page of the customer list, iterable, with `total` rows in all and the cursor `next` to
/// pass as `after=` for the next page (None on the last page).
#[pyclass(frozen, name = "CustomerPage", module = "crm")]
pub(crate) struct PyCustomerPage(pub(crate) Page<CustomerRow>);

#[pymethods]
impl PyCustomerPage {
    /// The rows of this page.
    #[getter]
    fn items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        rows(py, &self.0.items)
    }

    /// How many rows all pages hold together.
    #[getter]
    fn total(&self) -> u64 {
        self.0.total
    }

    /// The cursor of the next page, or None.
    #[getter]
    fn next(&self) -> Option<&str> {
        self.0.next.as_ref().map(|cursor| cursor.as_str())
    }

    fn __len__(&self) -> usize {
        self.0.items.len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        rows(py, &self.0.items)?.try_iter()
    }

    fn __getitem__(
        &self,
        #[pyo3(from_py_with = crate::convert::int)] index: i64,
    ) -> PyResult<PyCustomerRow> {
        row_at(&self.0.items, index)
    }

    fn __repr__(&self) -> String {
        format!(
            "CustomerPage(rows={}, total={}, more={})",
            self.0.items.len(),
            self.0.total,
            if self.0.next.is_some() {
                "True"
            } else {
                "False"
            }
        )
    }
}

/// One entry of the change feed: what changed and who changed it, never the personal values
/// (read the record to see them).
#[pyclass(frozen, eq, name = "ChangeEvent", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyChangeEvent(pub(crate) ChangeEvent);

#[pymethods]
impl PyChangeEvent {
    /// Position in the feed, strictly increasing (may skip numbers within one tenant).
    #[getter]
    fn seq(&self) -> i64 {
        self.0.seq
    }

    /// When the change was made (UTC).
    #[getter]
    fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// What happened: `"customer_created"`, `"customer_updated"`, `"customer_deleted"`,
    /// `"booking_created"`, `"booking_updated"`, `"booking_linked"`, `"booking_unlinked"`,
    /// `"tenant_settings_updated"`, `"customer_merged"` (`customer_id` is the one it went into,
    /// `previous_customer_id` the merged one), `"customer_unmerged"`, `"customer_anonymised"`,
    /// `"document_attached"`, `"document_deleted"`, `"list_created"`, `"list_deleted"` (no
    /// customer), `"brochure_requested"`, `"brochure_sent"`, `"saved_search_saved"`,
    /// `"saved_search_deleted"`, `"communication_recorded"`, `"not_duplicate_marked"` or
    /// `"not_duplicate_unmarked"` (`customer_id` and `previous_customer_id`: the two customers
    /// of the pair), `"customer_email_shared"` (a write left the customer sharing an email with
    /// another: `previous_customer_id`), `"address_opted_out"` or `"address_opted_in"` (no
    /// customer; `fields` names the channel), `"consent_recorded"` (`fields` names the channel
    /// and the purpose).
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind.as_str()
    }

    /// The customer concerned, if any.
    #[getter]
    fn customer_id(&self) -> Option<String> {
        self.0.customer_id.map(|id| id.to_string())
    }

    /// For a relink, the customer the booking was linked to before; for a merge, the merged
    /// record; for a not-a-duplicate decision, the second customer of the pair.
    #[getter]
    fn previous_customer_id(&self) -> Option<String> {
        self.0.previous_customer_id.map(|id| id.to_string())
    }

    /// The booking concerned, if any.
    #[getter]
    fn booking_ref(&self) -> Option<&str> {
        self.0.booking_ref.as_deref()
    }

    /// Who made the change.
    #[getter]
    fn actor(&self) -> PyActor {
        PyActor(self.0.actor.clone())
    }

    /// The names of the fields that changed (for updates).
    #[getter]
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.fields.iter())
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!("ChangeEvent(seq={}, kind='{}')", self.0.seq, self.0.kind)
    }
}
