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

/// An email the server accepted.
#[pyclass(frozen, eq, name = "SentEmail", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PySentEmail(crm_core::SentEmail);

#[pymethods]
impl PySentEmail {
    /// The customer's id.
    #[getter]
    fn customer_id(&self) -> String {
        self.0.customer_id.to_string()
    }

    /// Where it went.
    #[getter]
    fn address(&self) -> &str {
        &self.0.address
    }

    /// Its subject.
    #[getter]
    fn subject(&self) -> &str {
        &self.0.subject
    }

    /// Its Message-ID, the reference of its entry in the communication log.
    #[getter]
    fn message_id(&self) -> &str {
        &self.0.message_id
    }

    /// Why it could not be logged, or None (it was sent all the same).
    #[getter]
    fn log_error(&self) -> Option<&str> {
        self.0.log_error.as_deref()
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!("SentEmail(message_id={:?})", self.0.message_id)
    }
}

/// An email that could not be sent, and why.
#[pyclass(frozen, eq, name = "FailedEmail", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyFailedEmail(crm_core::FailedEmail);

#[pymethods]
impl PyFailedEmail {
    /// The customer's id.
    #[getter]
    fn customer_id(&self) -> String {
        self.0.customer_id.to_string()
    }

    /// Where it was to go.
    #[getter]
    fn address(&self) -> &str {
        &self.0.address
    }

    /// Why: the render for this customer, or the server's answer.
    #[getter]
    fn reason(&self) -> &str {
        &self.0.reason
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!("FailedEmail(reason={:?})", self.0.reason)
    }
}

/// What a `send_email` did, recipient by recipient.
#[pyclass(frozen, eq, name = "SendReport", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PySendReport(pub(crate) crm_core::SendReport);

#[pymethods]
impl PySendReport {
    /// The messages the server accepted, each logged in the communication log.
    #[getter]
    fn sent<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        pyo3::types::PyTuple::new(py, self.0.sent.iter().cloned().map(PySentEmail))
    }

    /// The messages that failed, nothing logged for them.
    #[getter]
    fn failed<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        pyo3::types::PyTuple::new(py, self.0.failed.iter().cloned().map(PyFailedEmail))
    }

    /// Who was not written to, counted by reason (as `outreach` counts).
    #[getter]
    fn skipped(&self) -> std::collections::BTreeMap<&'static str, u64> {
        let s = self.0.skipped;
        [
            ("anonymised", s.anonymised),
            ("no_address", s.no_address),
            ("no_consent", s.no_consent),
            ("suppressed", s.suppressed),
            ("opted_out", s.opted_out),
        ]
        .into_iter()
        .collect()
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!(
            "SendReport(sent={}, failed={})",
            self.0.sent.len(),
            self.0.failed.len()
        )
    }
}

/// SMTP settings from a mapping of their keys (`host`, `port`, `from` required; `security`,
/// `username`, `password`, `reply_to`, `ca_file`, `timeout_secs`).
pub(crate) fn smtp_settings(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
) -> PyResult<crm_core::SmtpSettings> {
    use crate::convert::{optional_text, text, wrong_type};
    let mapping = value
        .cast::<pyo3::types::PyMapping>()
        .map_err(|_| wrong_type("smtp", "a dict of SMTP settings", value))?;
    let get = |key: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
        match mapping.get_item(key) {
            Ok(v) if !v.is_none() => Ok(Some(v)),
            Ok(_) => Ok(None),
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyKeyError>(py) => Ok(None),
            Err(e) => Err(e),
        }
    };
    for key in mapping.keys()?.try_iter()? {
        let key: String = key?.extract()?;
        if !SMTP_KEYS.contains(&key.as_str()) {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "smtp: {key} is not an SMTP setting (one of: {})",
                SMTP_KEYS.join(", ")
            )));
        }
    }
    let required = |key: &str| -> PyResult<Bound<'_, PyAny>> {
        get(key)?
            .ok_or_else(|| crate::errors::validation(py, &format!("smtp.{key}"), "is required"))
    };
    let host = text("smtp.host", &required("host")?)?;
    let port: u16 = required("port")?
        .extract()
        .map_err(|_| crate::errors::validation(py, "smtp.port", "must be a port (1 to 65535)"))?;
    let from = text("smtp.from", &required("from")?)?;
    let mut settings = crm_core::SmtpSettings::new(host, port, from);
    if let Some(s) = get("security")? {
        let security: crm_core::SmtpSecurity = text("smtp.security", &s)?
            .parse()
            .map_err(|e: crm_core::Error| crate::errors::to_py(py, e.into()))?;
        settings = settings.security(security);
    }
    if let Some(v) = get("username")? {
        settings.username = optional_text("smtp.username", &v)?;
    }
    if let Some(v) = get("password")? {
        settings.password = optional_text("smtp.password", &v)?;
    }
    if let Some(v) = get("reply_to")? {
        settings.reply_to = optional_text("smtp.reply_to", &v)?;
    }
    if let Some(v) = get("ca_file")? {
        settings.ca_file = Some(crate::convert::path(&v)?);
    }
    if let Some(v) = get("timeout_secs")? {
        settings.timeout_secs = v.extract().map_err(|_| {
            crate::errors::validation(py, "smtp.timeout_secs", "must be a whole number of seconds")
        })?;
    }
    Ok(settings)
}

/// The keys of the SMTP settings.
const SMTP_KEYS: [&str; 9] = [
    "host",
    "port",
    "security",
    "username",
    "password",
    "from",
    "reply_to",
    "ca_file",
    "timeout_secs",
];

/// What a letter run printed: the letters and the labels as PDF bytes.
#[pyclass(frozen, eq, name = "LetterRun", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyLetterRun(pub(crate) crm_core::LetterRun);

#[pymethods]
impl PyLetterRun {
    /// The letters, one PDF.
    #[getter]
    fn letters<'py>(&self, py: Python<'py>) -> Bound<'py, pyo3::types::PyBytes> {
        pyo3::types::PyBytes::new(py, &self.0.letters)
    }

    /// The address labels of the same customers, one PDF (A4 sheets of 3 × 7).
    #[getter]
    fn labels<'py>(&self, py: Python<'py>) -> Bound<'py, pyo3::types::PyBytes> {
        pyo3::types::PyBytes::new(py, &self.0.labels)
    }

    /// The ids of the customers printed, in order.
    #[getter]
    fn printed(&self) -> Vec<String> {
        self.0.printed.iter().map(|id| id.to_string()).collect()
    }

    /// The customers not printed: (id, reason) pairs.
    #[getter]
    fn skipped(&self) -> Vec<(String, String)> {
        self.0
            .skipped
            .iter()
            .map(|s| (s.customer_id.to_string(), s.reason.clone()))
            .collect()
    }

    /// The ids of the pending brochure requests of the customers printed, to mark sent with
    /// `mark_brochures_sent` once the letters are written (when `mark_sent` was not asked).
    #[getter]
    fn requests(&self) -> Vec<String> {
        self.0.requests.iter().map(|id| id.to_string()).collect()
    }

    /// How many brochure requests were marked sent.
    #[getter]
    fn marked_sent(&self) -> u64 {
        self.0.marked_sent
    }

    fn __repr__(&self) -> String {
        format!(
            "LetterRun(printed={}, skipped={})",
            self.0.printed.len(),
            self.0.skipped.len()
        )
    }
}
