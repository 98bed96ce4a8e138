//! The frozen value classes: customers, bookings and the values inside them.
//!
//! Each wraps the core type and converts a field when it is read. `repr` shows ids and numbers,
//! never personal data: reprs end up in logs.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use crm_core::{
    Actor, Address, Booking, Captured, Consent, Customer, CustomerStats, Invoice, Money, NameRule,
    Phone, Policy, PrivacyLogEntry, Role, TenantSettings,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFrozenSet, PyTuple};

use crate::convert::{Text, core_dict, optional_aware, optional_text, quoted, record_dict};
use crate::errors::{to_py, validation};

/// A `tuple` of converted values.
fn tuple<'py, T, I>(py: Python<'py>, items: I) -> PyResult<Bound<'py, PyTuple>>
where
    I: IntoIterator<Item = T>,
    T: IntoPyObject<'py>,
    I::IntoIter: ExactSizeIterator,
{
    PyTuple::new(py, items)
}

/// Who makes a change: a user id of the host and a role (`"agent"`, `"organisation"` or
/// `"system"`). Recorded in the change feed with every write.
#[pyclass(frozen, eq, hash, name = "Actor", module = "crm")]
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct PyActor(pub(crate) Actor);

#[pymethods]
impl PyActor {
    /// Args:
    ///     request: the reference of the request the actor acts on (a data subject's request,
    ///         a ticket: `"DSAR-2026-114"`), recorded in the privacy log with each
    ///         personal-data export, anonymisation and deletion.
    ///
    /// Raises:
    ///     ValidationError: the role is not one of the three.
    ///     ValidationError: the user id is blank or longer than 128 characters; the request is
    ///         not 1 to 128 ASCII letters, digits, `-`, `_`, `.`, `:`, `/` or `#` (a reference,
    ///         never an email or a sentence).
    #[new]
    #[pyo3(
        signature = (user_id, role=Text::from("agent"), *, request=None),
        text_signature = "(user_id, role='agent', *, request=None)"
    )]
    fn new(py: Python<'_>, user_id: Text, role: Text, request: Option<Text>) -> PyResult<Self> {
        let role: Role = role
            .parse()
            .map_err(|err: crm_core::Error| to_py(py, err.into()))?;
        let mut actor = Actor::new(user_id, role);
        actor.request = request.map(|r| r.0);
        actor.validate().map_err(|err| to_py(py, err.into()))?;
        Ok(Self(actor))
    }

    /// The host's id for the user.
    #[getter]
    fn user_id(&self) -> &str {
        &self.0.user_id
    }

    /// `"agent"`, `"organisation"` or `"system"`.
    #[getter]
    fn role(&self) -> &'static str {
        self.0.role.as_str()
    }

    /// The request the actor acts on, or None.
    #[getter]
    fn request(&self) -> Option<&str> {
        self.0.request.as_deref()
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Actor({}, '{}')",
            quoted(py, Some(&self.0.user_id)),
            self.0.role.as_str()
        )
    }
}

/// A phone number as typed and, when it fits a numbering plan, in E.164 form.
#[pyclass(frozen, eq, name = "Phone", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyPhone(pub(crate) Phone);

#[pymethods]
impl PyPhone {
    /// The number as it was typed.
    #[getter]
    fn typed(&self) -> &str {
        &self.0.typed
    }

    /// The number in E.164 form, e.g. `"+33612345678"`; None when it fits no numbering plan
    /// (kept as typed, unverified: never used for SMS nor for phone-based duplicate matching).
    #[getter]
    fn e164(&self) -> Option<&str> {
        self.0.e164.as_deref()
    }

    /// Whether the number fits its country's numbering plan (it has an E.164 form).
    #[getter]
    fn is_verified(&self) -> bool {
        self.0.is_verified()
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }
}

fn phone(value: Option<&Phone>) -> Option<PyPhone> {
    value.cloned().map(PyPhone)
}

/// A postal address; every part optional. `country` is ISO 3166-1 alpha-2 (`"FR"`).
#[pyclass(frozen, eq, name = "Address", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyAddress(pub(crate) Address);

#[pymethods]
impl PyAddress {
    #[new]
    #[pyo3(signature = (*, street=None, zip=None, city=None, region=None, country=None))]
    fn new(
        street: Option<Text>,
        zip: Option<Text>,
        city: Option<Text>,
        region: Option<Text>,
        country: Option<Text>,
    ) -> Self {
        Self(Address {
            street: street.map(String::from),
            zip: zip.map(String::from),
            city: city.map(String::from),
            region: region.map(String::from),
            country: country.map(String::from),
        })
    }

    /// Street and number.
    #[getter]
    fn street(&self) -> Option<&str> {
        self.0.street.as_deref()
    }

    /// Postal code.
    #[getter]
    fn zip(&self) -> Option<&str> {
        self.0.zip.as_deref()
    }

    /// City.
    #[getter]
    fn city(&self) -> Option<&str> {
        self.0.city.as_deref()
    }

    /// Region or state.
    #[getter]
    fn region(&self) -> Option<&str> {
        self.0.region.as_deref()
    }

    /// Country, ISO 3166-1 alpha-2.
    #[getter]
    fn country(&self) -> Option<&str> {
        self.0.country.as_deref()
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }
}

/// When the customer agreed to receive email and SMS (`None`: no consent).
#[pyclass(frozen, eq, name = "Consent", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyConsent(pub(crate) Consent);

#[pymethods]
impl PyConsent {
    /// Args:
    ///     email: when consent to email was given (an aware datetime), or None.
    ///     sms: when consent to SMS was given, or None.
    #[new]
    #[pyo3(signature = (*, email=None, sms=None))]
    fn new(email: Option<Bound<'_, PyAny>>, sms: Option<Bound<'_, PyAny>>) -> PyResult<Self> {
        let utc = |field: &str, value: Option<Bound<'_, PyAny>>| -> PyResult<_> {
            let Some(value) = value else { return Ok(None) };
            let Some(at) = optional_aware(field, &value)? else {
                return Ok(None);
            };
            let at = at.with_timezone(&Utc);
            let years = crm_core::limits::MIN_YEAR..=crm_core::limits::MAX_YEAR;
            if !years.contains(&chrono::Datelike::year(&at)) {
                return Err(validation(
                    value.py(),
                    field,
                    "must be between the years 1900 and 9999",
                ));
            }
            Ok(Some(at))
        };
        Ok(Self(Consent {
            email: utc("consent.email", email)?,
            sms: utc("consent.sms", sms)?,
        }))
    }

    /// When consent to email was given (UTC), or None.
    #[getter]
    fn email(&self) -> Option<DateTime<Utc>> {
        self.0.email
    }

    /// When consent to SMS was given (UTC), or None.
    #[getter]
    fn sms(&self) -> Option<DateTime<Utc>> {
        self.0.sms
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }
}

/// An amount in integer minor units (cents) of an ISO 4217 currency:
/// `Money(1250, "EUR")` is 12.50 €. Integers, never floats, so amounts stay exact.
#[pyclass(frozen, eq, hash, name = "Money", module = "crm")]
#[derive(PartialEq, Eq, Hash)]
pub(crate) struct PyMoney(pub(crate) Money);

#[pymethods]
impl PyMoney {
    /// The currency is trimmed and upper-cased (`"eur"` is `"EUR"`), as the store keeps it; the
    /// code is checked when a booking is written, the amount (within ±10^13 minor units) here:
    /// `ValidationError` on `amount`.
    #[new]
    fn new(
        py: Python<'_>,
        #[pyo3(from_py_with = crate::convert::int)] minor: i64,
        currency: Text,
    ) -> PyResult<Self> {
        let max = crm_core::limits::MAX_AMOUNT_MINOR;
        if minor.unsigned_abs() > max {
            return Err(crate::errors::validation(
                py,
                "amount",
                &format!("must be within ±{max} minor units"),
            ));
        }
        Ok(Self(Money {
            minor,
            currency: currency.trim().to_ascii_uppercase(),
        }))
    }

    /// The amount in minor units (cents).
    #[getter]
    fn minor(&self) -> i64 {
        self.0.minor
    }

    /// The ISO 4217 code, e.g. `"EUR"`.
    #[getter]
    fn currency(&self) -> &str {
        &self.0.currency
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Money({}, {})",
            self.0.minor,
            quoted(py, Some(&self.0.currency))
        )
    }
}

/// An invoice of a booking: its number, amount, payment status (`"unpaid"`,
/// `"partially_paid"`, `"paid"` or `"refunded"`), issue and due dates and the amount paid in
/// minor units (None when not known: the status tells it). A booking has any number of them
/// (a deposit and a balance), all in one currency.
#[pyclass(frozen, eq, name = "Invoice", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyInvoice(pub(crate) Invoice);

#[pymethods]
impl PyInvoice {
    /// Raises:
    ///     ValidationError: the payment status is unknown.
    #[new]
    #[pyo3(
        signature = (number, amount, payment_status=Text::from("unpaid"), *, issued_on=None, due_on=None, amount_paid=None),
        text_signature = "(number, amount, payment_status='unpaid', *, issued_on=None, due_on=None, amount_paid=None)"
    )]
    fn new(
        py: Python<'_>,
        number: Text,
        amount: Bound<'_, PyMoney>,
        payment_status: Text,
        issued_on: Option<Bound<'_, PyAny>>,
        due_on: Option<Bound<'_, PyAny>>,
        amount_paid: Option<i64>,
    ) -> PyResult<Self> {
        let payment_status = payment_status
            .parse()
            .map_err(|err: crm_core::Error| to_py(py, err.into()))?;
        let day = |field: &str, value: Option<Bound<'_, PyAny>>| match value {
            Some(v) => crate::fields::optional_date(field, &v),
            None => Ok(None),
        };
        let mut invoice = Invoice::new(number.0, amount.get().0.clone(), payment_status);
        invoice.issued_on = day("issued_on", issued_on)?;
        invoice.due_on = day("due_on", due_on)?;
        invoice.amount_paid = amount_paid;
        Ok(Self(invoice))
    }

    /// The invoice number.
    #[getter]
    fn number(&self) -> &str {
        &self.0.number
    }

    /// The invoiced amount.
    #[getter]
    fn amount(&self) -> PyMoney {
        PyMoney(self.0.amount.clone())
    }

    /// When it was issued.
    #[getter]
    fn issued_on(&self) -> Option<NaiveDate> {
        self.0.issued_on
    }

    /// When it falls due.
    #[getter]
    fn due_on(&self) -> Option<NaiveDate> {
        self.0.due_on
    }

    /// What was received on it, in minor units, as given (None when not known).
    #[getter]
    fn amount_paid(&self) -> Option<i64> {
        self.0.amount_paid
    }

    /// What was received on it: `amount_paid`, or what the status tells when not known (the
    /// amount when paid, else 0).
    #[getter]
    fn paid(&self) -> i64 {
        self.0.paid()
    }

    /// `"unpaid"`, `"partially_paid"`, `"paid"` or `"refunded"`.
    #[getter]
    fn payment_status(&self) -> &'static str {
        self.0.payment_status.as_str()
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let mut extra = String::new();
        let day = |d: Option<NaiveDate>| {
            d.map(|d| format!("date({}, {}, {})", d.year(), d.month(), d.day()))
        };
        for (name, value) in [
            ("issued_on", day(self.0.issued_on)),
            ("due_on", day(self.0.due_on)),
            ("amount_paid", self.0.amount_paid.map(|p| p.to_string())),
        ] {
            if let Some(value) = value {
                extra.push_str(&format!(", {name}={value}"));
            }
        }
        format!(
            "Invoice({}, Money({}, {}), '{}'{extra})",
            quoted(py, Some(&self.0.number)),
            self.0.amount.minor,
            quoted(py, Some(&self.0.amount.currency)),
            self.0.payment_status.as_str()
        )
    }
}

/// A customer as stored. Frozen: change it with `Tenant.update_customer(customer, ...)`.
#[pyclass(frozen, eq, name = "Customer", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyCustomer(pub(crate) Customer);

#[pymethods]
impl PyCustomer {
    /// The id (a UUID in its hyphenated text form).
    #[getter]
    fn id(&self) -> String {
        self.0.id.to_string()
    }

    /// The customer no., unique within the tenant, given in creation order.
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

    /// First and last name.
    #[getter]
    fn full_name(&self) -> String {
        self.0.full_name()
    }

    /// Company.
    #[getter]
    fn company(&self) -> Option<&str> {
        self.0.company.as_deref()
    }

    /// Main email, as typed (trimmed).
    #[getter]
    fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// Landline.
    #[getter]
    fn phone(&self) -> Option<PyPhone> {
        phone(self.0.phone.as_ref())
    }

    /// Mobile.
    #[getter]
    fn mobile(&self) -> Option<PyPhone> {
        phone(self.0.mobile.as_ref())
    }

    /// Fax.
    #[getter]
    fn fax(&self) -> Option<PyPhone> {
        phone(self.0.fax.as_ref())
    }

    /// Emergency contact number.
    #[getter]
    fn emergency_phone(&self) -> Option<PyPhone> {
        phone(self.0.emergency_phone.as_ref())
    }

    /// Other emails.
    #[getter]
    fn secondary_emails<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        tuple(py, self.0.secondary_emails.iter())
    }

    /// Other phones.
    #[getter]
    fn secondary_phones<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        tuple(py, self.0.secondary_phones.iter().cloned().map(PyPhone))
    }

    /// Postal address.
    #[getter]
    fn address(&self) -> PyAddress {
        PyAddress(self.0.address.clone())
    }

    /// Contact person (for a company).
    #[getter]
    fn contact_person(&self) -> Option<&str> {
        self.0.contact_person.as_deref()
    }

    /// Title or form of address (`"Mr"`, `"Mme"`, `"Dr"`), or None.
    #[getter]
    fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }

    /// Birth date.
    #[getter]
    fn birth_date(&self) -> Option<NaiveDate> {
        self.0.birth_date
    }

    /// Preferred language (BCP 47 tag).
    #[getter]
    fn language(&self) -> Option<&str> {
        self.0.language.as_deref()
    }

    /// Free notes.
    #[getter]
    fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }

    /// Marketing consents.
    #[getter]
    fn consent(&self) -> PyConsent {
        PyConsent(self.0.consent)
    }

    /// The agency's salesperson for this customer.
    #[getter]
    fn salesperson(&self) -> Option<&str> {
        self.0.salesperson.as_deref()
    }

    /// Names of the customer lists it belongs to.
    #[getter]
    fn lists<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyFrozenSet>> {
        PyFrozenSet::new(py, self.0.lists.iter())
    }

    /// The host's own fields (a fresh `dict` each time: changing it changes nothing stored).
    #[getter]
    fn custom_fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (key, value) in &self.0.custom_fields {
            dict.set_item(key, value)?;
        }
        Ok(dict)
    }

    /// When it was created (UTC).
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed (UTC).
    #[getter]
    fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// The version, raised by each update (optimistic concurrency).
    #[getter]
    fn version(&self) -> i64 {
        self.0.version
    }

    /// When the customer was anonymised (its personal data erased for good), or None.
    #[getter]
    fn anonymised_at(&self) -> Option<DateTime<Utc>> {
        self.0.anonymised_at
    }

    /// Every field as a plain `dict` (nested records as dicts).
    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(slf.as_any(), Customer::FIELDS)
    }

    fn __repr__(&self) -> String {
        format!(
            "Customer(id='{}', customer_no={}, version={})",
            self.0.id, self.0.customer_no, self.0.version
        )
    }
}

/// The summary kept of one booking.
#[pyclass(frozen, eq, name = "Booking", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyBooking(pub(crate) Booking);

#[pymethods]
impl PyBooking {
    /// The host's booking reference, unique within the tenant.
    #[getter]
    fn reference(&self) -> &str {
        &self.0.reference
    }

    /// The id of the customer it is linked to, or None.
    #[getter]
    fn customer_id(&self) -> Option<String> {
        self.0.customer_id.map(|id| id.to_string())
    }

    /// `"quote"`, `"pending"`, `"confirmed"`, `"completed"`, `"cancelled"` or `"no_show"`.
    #[getter]
    fn status(&self) -> &'static str {
        self.0.status.as_str()
    }

    /// Pickup (departure) time, with the UTC offset it was given with.
    #[getter]
    fn pickup_at(&self) -> DateTime<FixedOffset> {
        self.0.pickup_at
    }

    /// Return time, if any.
    #[getter]
    fn return_at(&self) -> Option<DateTime<FixedOffset>> {
        self.0.return_at
    }

    /// Where it starts.
    #[getter]
    fn route_from(&self) -> &str {
        &self.0.route_from
    }

    /// Where it goes.
    #[getter]
    fn route_to(&self) -> &str {
        &self.0.route_to
    }

    /// `"from → to"`.
    #[getter]
    fn route(&self) -> String {
        self.0.route()
    }

    /// Transport (e.g. `"coach"`, `"flight"`).
    #[getter]
    fn transport(&self) -> Option<&str> {
        self.0.transport.as_deref()
    }

    /// Hotel.
    #[getter]
    fn hotel(&self) -> Option<&str> {
        self.0.hotel.as_deref()
    }

    /// Salesperson.
    #[getter]
    fn salesperson(&self) -> Option<&str> {
        self.0.salesperson.as_deref()
    }

    /// Its invoices, in the order the host gave them.
    #[getter]
    fn invoices(&self) -> Vec<PyInvoice> {
        self.0.invoices.iter().cloned().map(PyInvoice).collect()
    }

    /// When it was first recorded (UTC).
    #[getter]
    fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed (UTC).
    #[getter]
    fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Every field as a plain `dict`.
    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Booking(reference={}, status='{}', pickup_at='{}')",
            quoted(py, Some(&self.0.reference)),
            self.0.status.as_str(),
            self.0.pickup_at.to_rfc3339()
        )
    }
}

/// A customer's booking count, latest booking and total spent per currency.
#[pyclass(frozen, eq, name = "CustomerStats", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyCustomerStats(pub(crate) CustomerStats);

#[pymethods]
impl PyCustomerStats {
    /// How many bookings are linked to the customer.
    #[getter]
    fn bookings(&self) -> u64 {
        self.0.bookings
    }

    /// The pickup time of the latest booking, or None.
    #[getter]
    fn last_booking(&self) -> Option<DateTime<FixedOffset>> {
        self.0.last_booking
    }

    /// Invoiced amounts of bookings not cancelled, one `Money` per currency.
    #[getter]
    fn total_spent<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        tuple(py, self.0.total_spent.iter().cloned().map(PyMoney))
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self) -> String {
        format!("CustomerStats(bookings={})", self.0.bookings)
    }
}

/// What `capture_booking` did: the customer it updated or created, the booking, how the
/// customer was found (`"booking"`: the one the booking was linked to, `"email"` or `"created"`), and which fields changed.
#[pyclass(frozen, eq, name = "Captured", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyCaptured(pub(crate) Captured);

#[pymethods]
impl PyCaptured {
    /// The customer as stored after the capture.
    #[getter]
    fn customer(&self) -> PyCustomer {
        PyCustomer(self.0.customer.clone())
    }

    /// The booking as stored, linked to that customer.
    #[getter]
    fn booking(&self) -> PyBooking {
        PyBooking(self.0.booking.clone())
    }

    /// How the customer was found.
    #[getter]
    fn matched(&self) -> &'static str {
        self.0.matched.as_str()
    }

    /// The customer fields the capture changed.
    #[getter]
    fn changed_fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        tuple(py, self.0.changed_fields.iter())
    }

    /// The contact fields typed that belong to a customer who was anonymised (the person asked
    /// to be forgotten); the capture was made all the same.
    #[getter]
    fn suppressed_fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        tuple(py, self.0.suppressed_fields.iter())
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Captured(matched='{}', customer_no={}, reference={})",
            self.0.matched.as_str(),
            self.0.customer.customer_no,
            quoted(py, Some(&self.0.booking.reference))
        )
    }
}

/// A tenant's settings: the default region for phone numbers typed without a country code, and
/// which names a customer needs.
#[pyclass(frozen, eq, name = "TenantSettings", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyTenantSettings(pub(crate) TenantSettings);

#[pymethods]
impl PyTenantSettings {
    /// ISO 3166-1 alpha-2 region, e.g. `"FR"`, or None.
    #[getter]
    fn default_region(&self) -> Option<&str> {
        self.0.default_region.as_deref()
    }

    /// Which names a customer needs: `"both"` (first and last), `"either"` or `"last_name"`.
    #[getter]
    fn name_rule(&self) -> &'static str {
        self.0.name_rule.as_str()
    }

    /// The tenant's time zone, an IANA name such as `"Europe/Paris"`, or None (UTC): the day
    /// relative periods and schedules are read in.
    #[getter]
    fn time_zone(&self) -> Option<&str> {
        self.0.time_zone.as_deref()
    }

    /// Whether customers may share an email (main or secondary): `"allow"`, `"warn"` (the
    /// write is made and a `customer_email_shared` change names the customer) or `"refuse"`
    /// (ValidationError on `email` or `secondary_emails`).
    #[getter]
    fn email_uniqueness(&self) -> &'static str {
        self.0.email_uniqueness.as_str()
    }

    /// Who may delete customers: `"anyone"`, `"organisation"` or `"nobody"`.
    #[getter]
    fn hard_delete(&self) -> &'static str {
        self.0.hard_delete.as_str()
    }

    /// Who may merge customers and undo merges: `"anyone"`, `"organisation"` or `"nobody"`.
    #[getter]
    fn merge(&self) -> &'static str {
        self.0.merge.as_str()
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "TenantSettings(default_region={}, name_rule={}, time_zone={})",
            quoted(py, self.0.default_region.as_deref()),
            quoted(py, Some(self.0.name_rule.as_str())),
            quoted(py, self.0.time_zone.as_deref())
        )
    }
}

/// One setting given to `set_settings`, read from Python before the write.
pub(crate) enum SettingChange {
    Region(Option<String>),
    NameRule(NameRule),
    TimeZone(Option<String>),
    Policy(Policy, String),
}

/// The settings given as keyword arguments, read into Rust values.
pub(crate) fn setting_changes(
    py: Python<'_>,
    given: Option<&Bound<'_, PyDict>>,
) -> PyResult<Vec<SettingChange>> {
    let mut out = Vec::new();
    for (key, value) in given.into_iter().flat_map(|g| g.iter()) {
        out.push(match key.extract::<String>()?.as_str() {
            "default_region" => SettingChange::Region(optional_text("default_region", &value)?),
            "name_rule" => SettingChange::NameRule(
                crate::convert::text("name_rule", &value)?
                    .parse()
                    .map_err(|err: crm_core::Error| to_py(py, err.into()))?,
            ),
            "time_zone" => SettingChange::TimeZone(optional_text("time_zone", &value)?),
            key if key.parse::<Policy>().is_ok() => {
                let policy: Policy = key
                    .parse()
                    .map_err(|e: crm_core::Error| to_py(py, e.into()))?;
                SettingChange::Policy(policy, crate::convert::text(policy.as_str(), &value)?)
            }
            other => {
                return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                    "set_settings() got an unexpected keyword argument '{other}'"
                )));
            }
        });
    }
    Ok(out)
}

/// `current` with `changes` made.
pub(crate) fn apply_settings(
    mut current: TenantSettings,
    changes: Vec<SettingChange>,
) -> crm_core::Result<TenantSettings> {
    for change in changes {
        match change {
            SettingChange::Region(region) => current.default_region = region,
            SettingChange::NameRule(rule) => current = current.with_name_rule(rule),
            SettingChange::TimeZone(zone) => current.time_zone = zone,
            SettingChange::Policy(policy, value) => {
                current = current.with_policy(policy, &value)?;
            }
        }
    }
    Ok(current)
}

/// A consent record of a customer: on a channel (`"email"`, `"sms"`) for a purpose
/// (`"marketing"`, `"service"`), given or withdrawn, when and from which source, and who
/// recorded it when.
#[pyclass(frozen, eq, name = "ConsentRecord", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyConsentRecord(pub(crate) crm_core::ConsentRecord);

#[pymethods]
impl PyConsentRecord {
    /// `"email"` or `"sms"`.
    #[getter]
    fn channel(&self) -> &'static str {
        self.0.channel.as_str()
    }

    /// `"marketing"` or `"service"`.
    #[getter]
    fn purpose(&self) -> &'static str {
        self.0.purpose.as_str()
    }

    /// `"given"` or `"withdrawn"`.
    #[getter]
    fn state(&self) -> &'static str {
        self.0.state.as_str()
    }

    /// When the customer decided (UTC).
    #[getter]
    fn at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.at
    }

    /// Where the decision came from (`"booking form"`, `"import"`, `"customer record"`).
    #[getter]
    fn source(&self) -> &str {
        &self.0.source
    }

    /// When it was recorded (UTC).
    #[getter]
    fn recorded_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.recorded_at
    }

    /// The user who recorded it.
    #[getter]
    fn recorded_by(&self) -> &str {
        &self.0.recorded_by
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "ConsentRecord(channel='{}', purpose='{}', state='{}', at='{}', source={})",
            self.0.channel.as_str(),
            self.0.purpose.as_str(),
            self.0.state.as_str(),
            self.0.at.to_rfc3339(),
            quoted(py, Some(&self.0.source))
        )
    }
}

/// One entry of the tenant's privacy log: a personal-data export, an anonymisation or a
/// deletion, with who, when, the customer no. and the request, and no personal value.
#[pyclass(frozen, eq, name = "PrivacyLogEntry", module = "crm")]
#[derive(PartialEq)]
pub(crate) struct PyPrivacyLogEntry(pub(crate) PrivacyLogEntry);

#[pymethods]
impl PyPrivacyLogEntry {
    /// Its position in the tenant's log, from 1.
    #[getter]
    fn seq(&self) -> i64 {
        self.0.seq
    }

    /// When (UTC).
    #[getter]
    fn at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.at
    }

    /// `"export"`, `"anonymise"` or `"delete"`.
    #[getter]
    fn action(&self) -> &'static str {
        self.0.action.as_str()
    }

    /// The customer no. of the customer concerned.
    #[getter]
    fn customer_no(&self) -> i64 {
        self.0.customer_no
    }

    /// Who: the actor's user id.
    #[getter]
    fn user_id(&self) -> &str {
        &self.0.user_id
    }

    /// The actor's role.
    #[getter]
    fn role(&self) -> &'static str {
        self.0.role.as_str()
    }

    /// The request the actor acted on (`Actor(..., request=...)`), or None.
    #[getter]
    fn request(&self) -> Option<&str> {
        self.0.request.as_deref()
    }

    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        core_dict(slf.as_any(), &slf.borrow().0, &[])
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "PrivacyLogEntry(seq={}, action='{}', customer_no={}, user_id={}, request={})",
            self.0.seq,
            self.0.action.as_str(),
            self.0.customer_no,
            quoted(py, Some(&self.0.user_id)),
            quoted(py, self.0.request.as_deref())
        )
    }
}
