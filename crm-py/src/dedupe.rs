//! Likely duplicates from Python: `MatchConfig`, `DuplicateMatch`, `DuplicatePair` and
//! `DuplicateCluster`.

use crm_core::{DuplicateCluster, DuplicateMatch, DuplicatePair, MatchConfig, MatchRule};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::convert::core_dict;

/// The rules of duplicate matching and their weights (all in [0, 1]); every argument left out
/// keeps its default. A weight of 0 turns a rule off.
#[pyclass(frozen, eq, name = "MatchConfig", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyMatchConfig(pub(crate) MatchConfig);

#[pymethods]
impl PyMatchConfig {
    /// Raises:
    ///     ValidationError: a weight outside [0, 1].
    ///     TypeError: an unknown rule.
    #[new]
    #[pyo3(signature = (**rules))]
    fn new(py: Python<'_>, rules: Option<Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut given = Vec::new();
        for (key, value) in rules.iter().flat_map(|r| r.iter()) {
            let key = crate::convert::text("MatchConfig", &key)?;
            let Some(rule) = crate::convert::exact::<MatchRule>(&key) else {
                return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                    "MatchConfig() got an unexpected keyword argument '{key}'"
                )));
            };
            let value: f64 = value.extract().map_err(|e: PyErr| {
                if e.is_instance_of::<pyo3::exceptions::PyOverflowError>(py) {
                    crate::errors::validation(py, &key, "is not a finite number")
                } else {
                    crate::convert::wrong_type(&key, "float", &value)
                }
            })?;
            given.push((rule, value));
        }
        MatchConfig::with_rules(given)
            .map(Self)
            .map_err(|err| crate::errors::to_py(py, err.into()))
    }

    /// Pairs scoring at least this are duplicates.
    #[getter]
    fn threshold(&self) -> f64 {
        self.0.threshold
    }

    /// Same email, main or secondary, ignoring case.
    #[getter]
    fn same_email(&self) -> f64 {
        self.0.same_email
    }

    /// Same mailbox once provider aliases are folded (gmail dots, `+tags`).
    #[getter]
    fn same_mailbox(&self) -> f64 {
        self.0.same_mailbox
    }

    /// Same phone in E.164.
    #[getter]
    fn same_phone(&self) -> f64 {
        self.0.same_phone
    }

    /// Same name and same birth date.
    #[getter]
    fn same_name_and_birth_date(&self) -> f64 {
        self.0.same_name_and_birth_date
    }

    /// Similar names (typos, transliteration, nicknames, swapped).
    #[getter]
    fn similar_name(&self) -> f64 {
        self.0.similar_name
    }

    /// Same street, counted only with similar names.
    #[getter]
    fn same_street(&self) -> f64 {
        self.0.same_street
    }

    /// Same postal code, counted only with similar names.
    #[getter]
    fn same_zip(&self) -> f64 {
        self.0.same_zip
    }

    /// Same city, counted only with similar names.
    #[getter]
    fn same_city(&self) -> f64 {
        self.0.same_city
    }

    /// Jaro-Winkler similarity from which two names are one name typed differently.
    #[getter]
    fn name_similarity(&self) -> f64 {
        self.0.name_similarity
    }

    /// Factor on contact evidence when the names are not similar (a household).
    #[getter]
    fn contact_with_other_name(&self) -> f64 {
        self.0.contact_with_other_name
    }

    /// Factor on the score when both birth dates are known and differ.
    #[getter]
    fn different_birth_date(&self) -> f64 {
        self.0.different_birth_date
    }

    /// Every rule and weight as a plain `dict`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for &rule in MatchRule::ALL {
            dict.set_item(rule.as_str(), self.0.get(rule))?;
        }
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        format!("MatchConfig(threshold={})", self.0.threshold)
    }
}

fn reasons<'py>(
    py: Python<'py>,
    reasons: &[crm_core::MatchReason],
) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, reasons.iter().map(|r| r.as_str()))
}

/// A customer that is likely the same person: its id, the score in [0, 1] and the reasons
/// (`"same_email"`, `"similar_name"`...), strongest first, evidence against last.
#[pyclass(frozen, eq, name = "DuplicateMatch", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyDuplicateMatch(pub(crate) DuplicateMatch);

#[pymethods]
impl PyDuplicateMatch {
    /// The likely duplicate's id.
    #[getter]
    fn customer_id(&self) -> String {
        self.0.customer_id.to_string()
    }

    /// How likely, in [0, 1].
    #[getter]
    fn score(&self) -> f64 {
        self.0.score
    }

    /// What made the score.
    #[getter]
    fn reasons<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        reasons(py, &self.0.reasons)
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "DuplicateMatch(customer_id='{}', score={:.3})",
            self.0.customer_id, self.0.score
        )
    }
}

/// Two customers of a cluster that matched each other.
#[pyclass(frozen, eq, name = "DuplicatePair", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyDuplicatePair(pub(crate) DuplicatePair);

#[pymethods]
impl PyDuplicatePair {
    /// One customer's id.
    #[getter]
    fn a(&self) -> String {
        self.0.a.to_string()
    }

    /// The other's.
    #[getter]
    fn b(&self) -> String {
        self.0.b.to_string()
    }

    /// How likely they are one person, in [0, 1].
    #[getter]
    fn score(&self) -> f64 {
        self.0.score
    }

    /// What made the score.
    #[getter]
    fn reasons<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        reasons(py, &self.0.reasons)
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }
}

/// Customers linked by matching pairs, oldest first: likely all one person.
#[pyclass(frozen, eq, name = "DuplicateCluster", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyDuplicateCluster(pub(crate) DuplicateCluster);

#[pymethods]
impl PyDuplicateCluster {
    /// The customers' ids, oldest first.
    #[getter]
    fn customers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.customers.iter().map(ToString::to_string))
    }

    /// The pairs that matched, best first.
    #[getter]
    fn pairs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.pairs.iter().cloned().map(PyDuplicatePair))
    }

    /// The best pair score.
    #[getter]
    fn score(&self) -> f64 {
        self.0.score
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "DuplicateCluster(customers={}, score={:.3})",
            self.0.customers.len(),
            self.0.score
        )
    }
}
