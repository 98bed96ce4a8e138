//! The compiled module `crm._crm` of the Python package `crm`: Python classes over `crm-core`.
//!
//! Arguments are copied into owned Rust values first; every call that reaches SQLite or the
//! search index then runs with the GIL released (`Python::detach`), so other Python threads run
//! meanwhile. Errors become the exception class of their kind (see `errors`).

mod convert;
mod db;
mod dedupe;
mod document;
mod errors;
mod feed;
mod fields;
mod import;
mod lists;
mod merge;
mod outreach;
mod pages;
mod privacy;
mod records;
mod schedules;
mod search_args;
mod templates;
mod tenant;

use pyo3::prelude::*;

/// The text names of each enumerated argument and attribute, from the core's own lists: what
/// the typing stub's `Literal`s are checked against.
fn names(py: Python<'_>) -> PyResult<Bound<'_, pyo3::types::PyDict>> {
    use crm_core::{
        BookingStatus, CaptureMatch, ChangeKind, Channel, CustomerSort, ImportPreset, IssueKind,
        MatchField, MatchLevel, MergeField, NameRule, PaymentStatus, Role, SearchFilter,
        SearchPeriod, SearchSort,
    };
    fn texts<T: std::fmt::Display>(all: &[T]) -> Vec<String> {
        all.iter().map(T::to_string).collect()
    }
    let names = pyo3::types::PyDict::new(py);
    for (kind, all) in [
        ("role", texts(Role::ALL)),
        ("booking_status", texts(BookingStatus::ALL)),
        ("payment_status", texts(PaymentStatus::ALL)),
        ("search_sort", texts(SearchSort::ALL)),
        ("list_sort", texts(CustomerSort::ALL)),
        ("change_kind", texts(ChangeKind::ALL)),
        ("merge_field", texts(&MergeField::ALL)),
        ("match_field", texts(MatchField::ALL)),
        ("match_level", texts(MatchLevel::ALL)),
        ("search_filter", texts(SearchFilter::ALL)),
        ("search_period", texts(SearchPeriod::ALL)),
        ("customer_field", texts(crm_core::NewCustomer::FIELDS)),
        ("customer_attribute", texts(crm_core::Customer::FIELDS)),
        ("booking_field", texts(crm_core::NewBooking::FIELDS)),
        (
            "communication_field",
            texts(crm_core::NewCommunication::FIELDS),
        ),
        ("channel", texts(Channel::ALL)),
        ("import_preset", texts(&ImportPreset::ALL)),
        ("name_rule", texts(NameRule::ALL)),
        ("email_uniqueness", texts(crm_core::EmailUniqueness::ALL)),
        ("permission", texts(crm_core::Permission::ALL)),
        ("privacy_action", texts(crm_core::PrivacyAction::ALL)),
        ("spending_period", texts(crm_core::SpendingPeriod::ALL)),
        ("consent_purpose", texts(crm_core::ConsentPurpose::ALL)),
        ("consent_state", texts(crm_core::ConsentState::ALL)),
        ("capture_match", texts(CaptureMatch::ALL)),
        ("issue_kind", texts(IssueKind::ALL)),
        ("schedule_every", texts(crm_core::ScheduleEvery::ALL)),
        ("schedule_action", texts(crm_core::ScheduleKind::ALL)),
        ("export_format", texts(crm_core::ExportFormat::ALL)),
        ("template_kind", texts(crm_core::TemplateKind::ALL)),
        ("sms_encoding", texts(crm_core::SmsEncoding::ALL)),
        ("smtp_security", texts(crm_core::SmtpSecurity::ALL)),
    ] {
        names.set_item(kind, pyo3::types::PyTuple::new(py, all)?)?;
    }
    Ok(names)
}

/// The `crm._crm` module: every class, and the exception tree.
#[pymodule]
fn _crm(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    let columns: Vec<&str> = crm_core::ExportColumn::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    module.add(
        "TEMPLATE_FIELDS",
        pyo3::types::PyTuple::new(module.py(), crm_core::TEMPLATE_FIELDS)?,
    )?;
    module.add(
        "EXPORT_COLUMNS",
        pyo3::types::PyTuple::new(module.py(), columns)?,
    )?;
    module.add("NAMES", names(module.py())?)?;
    module.add("DEFAULT_WINDOW", crm_core::limits::DEFAULT_WINDOW)?;
    module.add("FEED_RETENTION", db::feed_retention()?)?;
    module.add_class::<db::PyCrm>()?;
    module.add_class::<tenant::PyTenant>()?;
    module.add_class::<records::PyActor>()?;
    module.add_class::<records::PyAddress>()?;
    module.add_class::<records::PyBooking>()?;
    module.add_class::<records::PyCaptured>()?;
    module.add_class::<records::PyConsent>()?;
    module.add_class::<records::PyCustomer>()?;
    module.add_class::<records::PyCustomerStats>()?;
    module.add_class::<records::PyInvoice>()?;
    module.add_class::<records::PyPrivacyLogEntry>()?;
    module.add_class::<records::PyConsentRecord>()?;
    module.add_class::<records::PyMoney>()?;
    module.add_class::<records::PyPhone>()?;
    module.add_class::<records::PyTenantSettings>()?;
    module.add_class::<pages::PyChangeEvent>()?;
    module.add_class::<feed::PyFeedBounds>()?;
    module.add_class::<feed::PyFeedCursor>()?;
    module.add_class::<feed::PyFeedCompaction>()?;
    module.add_class::<pages::PyCustomerPage>()?;
    module.add_class::<pages::PyCustomerRow>()?;
    module.add_class::<pages::PySearchPage>()?;
    module.add_class::<dedupe::PyMatchConfig>()?;
    module.add_class::<dedupe::PyMatchContribution>()?;
    module.add_class::<dedupe::PyDuplicateMatch>()?;
    module.add_class::<dedupe::PyDuplicatePair>()?;
    module.add_class::<dedupe::PyDuplicateCluster>()?;
    module.add_class::<dedupe::PyNotDuplicate>()?;
    module.add_class::<merge::PyBookingMove>()?;
    module.add_class::<merge::PyMergePlan>()?;
    module.add_class::<merge::PyMergeRecord>()?;
    module.add_class::<merge::PyMerged>()?;
    module.add_class::<privacy::PyAnonymisationReport>()?;
    module.add_class::<privacy::PyRetentionReport>()?;
    module.add_class::<document::PyDocument>()?;
    module.add_class::<lists::PyListInfo>()?;
    module.add_class::<lists::PyBrochureRequest>()?;
    module.add_class::<import::PyImportReport>()?;
    module.add_class::<import::PyRowIssue>()?;
    module.add_class::<import::PyFlaggedRow>()?;
    module.add_class::<outreach::PyOutreach>()?;
    module.add_class::<outreach::PyRecipient>()?;
    module.add_class::<outreach::PyCommunication>()?;
    module.add_class::<outreach::PySavedSearch>()?;
    module.add_class::<outreach::PySavedRun>()?;
    module.add_class::<outreach::PyStatement>()?;
    module.add_class::<outreach::PyStatementLine>()?;
    module.add_class::<schedules::PyScheduleInfo>()?;
    module.add_class::<schedules::PyDueSchedule>()?;
    module.add_class::<schedules::PyScheduledRun>()?;
    module.add_class::<schedules::PyScheduleRun>()?;
    module.add_class::<templates::PyTemplate>()?;
    module.add_class::<templates::PySmsInfo>()?;
    module.add_class::<templates::PyRenderedMessage>()?;
    module.add_class::<templates::PySentEmail>()?;
    module.add_class::<templates::PyFailedEmail>()?;
    module.add_class::<templates::PySendReport>()?;
    module.add_class::<templates::PyLetterRun>()?;
    errors::register(module)?;
    Ok(())
}
