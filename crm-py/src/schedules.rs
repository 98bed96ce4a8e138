//! Schedules of saved searches: `ScheduleInfo`, `DueSchedule`, `ScheduledRun`, `ScheduleRun`,
//! and the schedule itself as a dict of its serialised form.

use chrono::{DateTime, Utc};
use crm_core::{DueSchedule, Schedule, ScheduleInfo, ScheduleRun, ScheduledRun};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping};

use crate::convert::{core_dict, wrong_type};
use crate::outreach::{PyOutreach, PySavedSearch};

/// A schedule as a dict of its serialised form (`every`, `weekday`, `day`, `at`, `action`,
/// `format`, `columns`, `bom`, `channel`, `only_new`).
fn schedule_dict<'py>(py: Python<'py>, schedule: &Schedule) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?
        .call_method1("loads", (schedule.to_json(),))
}

/// A schedule read from a mapping of its serialised form; `at` may be a `datetime.time`.
pub(crate) fn schedule_from(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Schedule> {
    let mapping = value
        .cast::<PyMapping>()
        .map_err(|_| wrong_type("schedule", "a dict (every, at, action...)", value))?;
    let plain = PyDict::new(py);
    for item in mapping.items()?.try_iter()? {
        let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
        let value = if value.is_instance_of::<pyo3::types::PyTime>() {
            // A time of day in the tenant's zone, in whole minutes: nothing dropped silently.
            let second: u32 = value.getattr("second")?.extract()?;
            let micro: u32 = value.getattr("microsecond")?.extract()?;
            if second != 0 || micro != 0 {
                return Err(crate::errors::validation(
                    py,
                    "at",
                    "must be whole minutes (HH:MM)",
                ));
            }
            if !value.getattr("tzinfo")?.is_none() {
                return Err(crate::errors::validation(
                    py,
                    "at",
                    "is a time in the tenant's time zone: give a time without tzinfo",
                ));
            }
            value.call_method1("strftime", ("%H:%M",))?
        } else {
            value
        };
        plain.set_item(key, value)?;
    }
    let json: String = py
        .import("json")?
        .call_method1("dumps", (plain,))
        .map_err(|_| wrong_type("schedule", "a dict of str, int, bool, list and time", value))?
        .extract()?;
    Schedule::from_json(&json).map_err(|e| crate::errors::to_py(py, e.into()))
}

/// A saved search's schedule as the tenant holds it.
#[pyclass(frozen, eq, name = "ScheduleInfo", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyScheduleInfo(pub(crate) ScheduleInfo);

#[pymethods]
impl PyScheduleInfo {
    /// The saved search.
    #[getter]
    fn search(&self) -> PySavedSearch {
        PySavedSearch(self.0.search.clone())
    }

    /// The schedule, as a dict (`every`, `weekday`, `day`, `at`, `action`, `format`,
    /// `columns`, `bom`, `channel`, `only_new`) that `set_schedule` takes back.
    #[getter]
    fn schedule<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        schedule_dict(py, &self.0.schedule)
    }

    /// When it was set: slots before it are never due.
    #[getter]
    fn set_at(&self) -> DateTime<Utc> {
        self.0.set_at
    }

    /// Its latest recorded run, or None.
    #[getter]
    fn last_run(&self) -> Option<PyScheduleRun> {
        self.0.last_run.clone().map(PyScheduleRun)
    }

    /// Its next slot, or None.
    #[getter]
    fn next_slot(&self) -> Option<DateTime<Utc>> {
        self.0.next_slot
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!("ScheduleInfo(search={:?})", self.0.search.name)
    }
}

/// A saved search whose schedule is due, with the slot due.
#[pyclass(frozen, eq, name = "DueSchedule", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyDueSchedule(pub(crate) DueSchedule);

#[pymethods]
impl PyDueSchedule {
    /// The saved search.
    #[getter]
    fn search(&self) -> PySavedSearch {
        PySavedSearch(self.0.search.clone())
    }

    /// The schedule, as a dict.
    #[getter]
    fn schedule<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        schedule_dict(py, &self.0.schedule)
    }

    /// The slot due.
    #[getter]
    fn slot(&self) -> DateTime<Utc> {
        self.0.slot
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "DueSchedule(search={:?}, slot={})",
            self.0.search.name,
            self.0.slot.to_rfc3339()
        )
    }
}

/// What one due schedule produced in a call of `run_due`.
#[pyclass(frozen, eq, name = "ScheduledRun", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyScheduledRun(pub(crate) ScheduledRun);

#[pymethods]
impl PyScheduledRun {
    /// The saved search's id.
    #[getter]
    fn search_id(&self) -> String {
        self.0.search_id.to_string()
    }

    /// Its name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// The slot it ran for.
    #[getter]
    fn slot(&self) -> DateTime<Utc> {
        self.0.slot
    }

    /// How many customers the search matched.
    #[getter]
    fn total(&self) -> u64 {
        self.0.total
    }

    /// How many newly matched since the previous run.
    #[getter(new)]
    fn new_count(&self) -> u64 {
        self.0.new
    }

    /// How many customers it exported or listed (0 when it failed).
    #[getter]
    fn rows(&self) -> u64 {
        self.0.rows
    }

    /// The file written (an export), or None.
    #[getter]
    fn file(&self) -> Option<std::path::PathBuf> {
        self.0.file.clone()
    }

    /// The recipients (an outreach list), or None.
    #[getter]
    fn outreach(&self) -> Option<PyOutreach> {
        self.0.outreach.clone().map(PyOutreach)
    }

    /// With a template: its render for each recipient.
    #[getter]
    fn messages<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        pyo3::types::PyTuple::new(
            py,
            self.0
                .messages
                .iter()
                .cloned()
                .map(crate::templates::PyRenderedMessage),
        )
    }

    /// Recipients whose render failed: (id, reason) pairs.
    #[getter]
    fn failed(&self) -> Vec<(String, String)> {
        self.0
            .failed
            .iter()
            .map(|(id, reason)| (id.to_string(), reason.clone()))
            .collect()
    }

    /// Why it failed, or None: its slot is then run again by the next call.
    #[getter]
    fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "ScheduledRun(name={:?}, rows={}, error={:?})",
            self.0.name, self.0.rows, self.0.error
        )
    }
}

/// A recorded run of a schedule.
#[pyclass(frozen, eq, name = "ScheduleRun", module = "crm")]
#[derive(PartialEq, Clone)]
pub(crate) struct PyScheduleRun(pub(crate) ScheduleRun);

#[pymethods]
impl PyScheduleRun {
    /// The saved search's id.
    #[getter]
    fn search_id(&self) -> String {
        self.0.search_id.to_string()
    }

    /// The slot it ran for.
    #[getter]
    fn slot(&self) -> DateTime<Utc> {
        self.0.slot
    }

    /// When it started.
    #[getter]
    fn started_at(&self) -> DateTime<Utc> {
        self.0.started_at
    }

    /// When it finished (its search's matches recorded), or None while it runs or if its
    /// process stopped.
    #[getter]
    fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }

    /// Who ran it.
    #[getter]
    fn ran_by(&self) -> &str {
        &self.0.ran_by
    }

    /// How many customers it exported or listed, once finished.
    #[getter]
    fn rows(&self) -> Option<u64> {
        self.0.rows
    }

    /// The name of the file it wrote in the folder given, once finished.
    #[getter]
    fn file(&self) -> Option<&str> {
        self.0.file.as_deref()
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "ScheduleRun(slot={}, rows={:?})",
            self.0.slot.to_rfc3339(),
            self.0.rows
        )
    }
}
