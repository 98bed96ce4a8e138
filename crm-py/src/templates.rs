//! Message templates: `Template`, `RenderedMessage`, `SmsInfo`.

use chrono::{DateTime, Utc};
use crm_core::{RenderedMessage, SmsInfo, Template};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::core_dict;

/// A stored message template (one language variant).
#[pyclass(frozen, eq, name = "Template", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyTemplate(pub(crate) Template);

#[pymethods]
impl PyTemplate {
    /// Its name.
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }

    /// `"email"`, `"sms"` or `"letter"`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind.as_str()
    }

    /// The language of this variant, or None for the default one.
    #[getter]
    fn language(&self) -> Option<&str> {
        self.0.language.as_deref()
    }

    /// The subject, or None.
    #[getter]
    fn subject(&self) -> Option<&str> {
        self.0.subject.as_deref()
    }

    /// The text body.
    #[getter]
    fn text(&self) -> &str {
        &self.0.text
    }

    /// The HTML body, or None.
    #[getter]
    fn html(&self) -> Option<&str> {
        self.0.html.as_deref()
    }

    /// When it was last saved.
    #[getter]
    fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Who saved it.
    #[getter]
    fn updated_by(&self) -> &str {
        &self.0.updated_by
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "Template(name={:?}, kind={:?}, language={:?})",
            self.0.name,
            self.0.kind.as_str(),
            self.0.language
        )
    }
}

/// How an SMS text is sent: its encoding, units and parts.
#[pyclass(frozen, eq, name = "SmsInfo", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PySmsInfo(pub(crate) SmsInfo);

#[pymethods]
impl PySmsInfo {
    /// `"gsm7"` or `"ucs2"`.
    #[getter]
    fn encoding(&self) -> &'static str {
        self.0.encoding.as_str()
    }

    /// Septets (GSM-7) or UTF-16 units (UCS-2).
    #[getter]
    fn units(&self) -> u32 {
        self.0.units
    }

    /// How many SMS it takes.
    #[getter]
    fn segments(&self) -> u32 {
        self.0.segments
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "SmsInfo(encoding={:?}, segments={})",
            self.0.encoding.as_str(),
            self.0.segments
        )
    }
}

/// A template rendered for one customer.
#[pyclass(frozen, eq, name = "RenderedMessage", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyRenderedMessage(pub(crate) RenderedMessage);

#[pymethods]
impl PyRenderedMessage {
    /// The template's name.
    #[getter]
    fn template(&self) -> &str {
        &self.0.template
    }

    /// `"email"`, `"sms"` or `"letter"`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind.as_str()
    }

    /// The language of the variant used, or None for the default one.
    #[getter]
    fn language(&self) -> Option<&str> {
        self.0.language.as_deref()
    }

    /// The customer's id.
    #[getter]
    fn customer_id(&self) -> String {
        self.0.customer_id.to_string()
    }

    /// The subject, or None.
    #[getter]
    fn subject(&self) -> Option<&str> {
        self.0.subject.as_deref()
    }

    /// The text body.
    #[getter]
    fn text(&self) -> &str {
        &self.0.text
    }

    /// The HTML body (values escaped), or None.
    #[getter]
    fn html(&self) -> Option<&str> {
        self.0.html.as_deref()
    }

    /// How the text goes as an SMS (an SMS template), or None.
    #[getter]
    fn sms(&self) -> Option<PySmsInfo> {
        self.0.sms.map(PySmsInfo)
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "RenderedMessage(template={:?}, kind={:?})",
            self.0.template,
            self.0.kind.as_str()
        )
    }
}
