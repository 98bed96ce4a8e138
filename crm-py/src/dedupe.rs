//! Likely duplicates from Python: `MatchConfig`, `MatchContribution`, `DuplicateMatch`,
//! `DuplicatePair`, `DuplicateCluster` and `NotDuplicate`.

use chrono::{DateTime, Utc};
use crm_core::{
    DuplicateCluster, DuplicateMatch, DuplicatePair, MatchConfig, MatchContribution, MatchField,
    MatchLevel, NotDuplicate,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::convert::core_dict;

/// How duplicates are decided: `threshold`, the probability from which a pair is one person
/// (default 0.85), and `weights`, weights in bits set by hand for some levels of some fields
/// (`{("email", "same"): 12.0}`) in place of the tenant's learned ones. A weight for
/// `("first_name", "different")` also holds for `("first_name", "same_initial")` unless that
/// one is set too.
#[pyclass(frozen, eq, name = "MatchConfig", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyMatchConfig(pub(crate) MatchConfig);

#[pymethods]
impl PyMatchConfig {
    /// Raises:
    ///     ValidationError: a threshold not strictly between 0 and 1, a field or level the core
    ///         does not know, a level of another field, a weight beyond ±100 bits.
    ///     TypeError: a threshold or weight that is not a number, a key that is not a
    ///         `(field, level)` pair.
    #[new]
    #[pyo3(signature = (threshold=None, weights=None))]
    fn new(
        py: Python<'_>,
        threshold: Option<Bound<'_, PyAny>>,
        weights: Option<Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let err = |e: crm_core::Error| crate::errors::to_py(py, e.into());
        let mut config = MatchConfig::default();
        if let Some(value) = threshold {
            let value: f64 = value
                .extract()
                .map_err(|_| crate::convert::wrong_type("threshold", "float", &value))?;
            config = config.with_threshold(value);
            config.validate().map_err(err)?;
        }
        for (key, value) in weights.iter().flat_map(|w| w.iter()) {
            let (field, level): (String, String) = key
                .extract()
                .map_err(|_| crate::convert::wrong_type("weights", "(field, level) tuple", &key))?;
            let bits: f64 = value
                .extract()
                .map_err(|_| crate::convert::wrong_type("weights", "float", &value))?;
            let field: MatchField = field.parse().map_err(err)?;
            let level: MatchLevel = level.parse().map_err(err)?;
            config.set_weight(field, level, bits).map_err(err)?;
        }
        Ok(Self(config))
    }

    /// Pairs at least this likely to be one person are duplicates.
    #[getter]
    fn threshold(&self) -> f64 {
        self.0.threshold
    }

    /// The weights set by hand, by `(field, level)`.
    #[getter]
    fn weights<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for &(field, level, bits) in &self.0.weights {
            dict.set_item((field.as_str(), level.as_str()), bits)?;
        }
        Ok(dict)
    }

    /// The threshold and weights as a plain `dict`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("threshold", self.0.threshold)?;
        dict.set_item("weights", self.weights(py)?)?;
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        format!(
            "MatchConfig(threshold={}, weights={})",
            self.0.threshold,
            self.0.weights.len()
        )
    }
}

/// What one field said about a pair: its level and the weight in bits it added (negative:
/// evidence against). `str()` reads it in words: `same email ignoring case (+16.5)`.
#[pyclass(frozen, eq, name = "MatchContribution", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyMatchContribution(pub(crate) MatchContribution);

#[pymethods]
impl PyMatchContribution {
    /// The field (`"email"`, `"birth_date"`...).
    #[getter]
    fn field(&self) -> &'static str {
        self.0.field.as_str()
    }

    /// How it compared (`"same"`, `"one_digit"`, `"different"`...).
    #[getter]
    fn level(&self) -> &'static str {
        self.0.level.as_str()
    }

    /// The weight it added, in bits.
    #[getter]
    fn weight(&self) -> f64 {
        self.0.weight
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __str__(&self) -> String {
        self.0.describe()
    }

    fn __repr__(&self) -> String {
        format!(
            "MatchContribution(field='{}', level='{}', weight={:.2})",
            self.0.field, self.0.level, self.0.weight
        )
    }
}

fn contributions<'py>(
    py: Python<'py>,
    contributions: &[MatchContribution],
) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, contributions.iter().copied().map(PyMatchContribution))
}

fn explanation(contributions: &[MatchContribution]) -> String {
    contributions
        .iter()
        .map(MatchContribution::describe)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A customer that is likely the same person: its id, the probability in [0, 1], and what each
/// field contributed, strongest evidence first, evidence against last.
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

    /// What each field contributed, strongest evidence first, evidence against last.
    #[getter]
    fn contributions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        contributions(py, &self.0.contributions)
    }

    /// The contributions in words: `same phone number (+16.4), first names a nickname pair
    /// (+2.3)`.
    #[getter]
    fn explanation(&self) -> String {
        explanation(&self.0.contributions)
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

    /// What each field contributed, strongest evidence first, evidence against last.
    #[getter]
    fn contributions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        contributions(py, &self.0.contributions)
    }

    /// The contributions in words: `same phone number (+16.4), first names a nickname pair
    /// (+2.3)`.
    #[getter]
    fn explanation(&self) -> String {
        explanation(&self.0.contributions)
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

/// A reviewed pair: a person decided these two customers are not one person, and no finder of
/// duplicates reports them together again until `Tenant.unmark_not_duplicate`.
#[pyclass(frozen, eq, name = "NotDuplicate", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyNotDuplicate(pub(crate) NotDuplicate);

#[pymethods]
impl PyNotDuplicate {
    /// One customer's id (the lower of the two).
    #[getter]
    fn a(&self) -> String {
        self.0.a.to_string()
    }

    /// The other's.
    #[getter]
    fn b(&self) -> String {
        self.0.b.to_string()
    }

    /// The user id of who decided.
    #[getter]
    fn marked_by(&self) -> &str {
        &self.0.marked_by
    }

    /// When (UTC).
    #[getter]
    fn marked_at(&self) -> DateTime<Utc> {
        self.0.marked_at
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "NotDuplicate(a='{}', b='{}', marked_by={:?})",
            self.0.a, self.0.b, self.0.marked_by
        )
    }
}
