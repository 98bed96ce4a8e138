//! Keyword arguments (or a mapping with the same keys) read into core records: the fields of a
//! customer and of a booking. A wrong type is a `TypeError` naming the field; a value the core
//! refuses is a `ValidationError` naming it.

use std::sync::LazyLock;

use crm_core::{BookingStatus, Error, NewBooking, NewCustomer};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping};

use crate::convert::{
    aware, optional_aware, optional_customer_id, optional_text, text, texts, wrong_type,
};
use crate::records::{PyAddress, PyConsent, PyInvoice};

/// The keys a booking accepts: the core's fields, `customer` for `customer_id` (it takes a
/// `Customer` as well as an id).
static BOOKING_KEYS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    NewBooking::FIELDS
        .iter()
        .map(|&f| if f == "customer_id" { "customer" } else { f })
        .collect()
});

/// `prefix` + `name`: `[3].email` for the fourth record of a batch.
fn named(prefix: &str, name: &str) -> String {
    format!("{prefix}{name}")
}

/// The (key, value) pairs of a mapping, keys checked against `known` (`call` names the method
/// in the error, as Python does for an unexpected keyword argument).
fn entries<'py>(
    call: &str,
    prefix: &str,
    values: &Bound<'py, PyAny>,
    known: &[&str],
) -> PyResult<Vec<(String, Bound<'py, PyAny>)>> {
    let mapping = values
        .cast::<PyMapping>()
        .map_err(|_| wrong_type(prefix.trim_end_matches('.'), "a mapping", values))?;
    let mut pairs = Vec::new();
    for item in mapping.items()?.try_iter()? {
        let (key, value): (Bound<'py, PyAny>, Bound<'py, PyAny>) = item?.extract()?;
        if !key.is_instance_of::<pyo3::types::PyString>() {
            return Err(PyTypeError::new_err(format!(
                "{call}(): keywords must be strings"
            )));
        }
        let key = crate::convert::text(call, &key)?;
        if !known.contains(&key.as_str()) {
            return Err(PyTypeError::new_err(if prefix.is_empty() {
                format!("{call}() got an unexpected keyword argument '{key}'")
            } else {
                format!("{call}(): {prefix}{key}: not a field")
            }));
        }
        pairs.push((key, value));
    }
    Ok(pairs)
}

/// Applies customer fields given as keywords (or a mapping) onto `base`: a key left out keeps
/// the base value, `None` clears an optional field.
pub(crate) fn customer(
    call: &str,
    prefix: &str,
    mut base: NewCustomer,
    values: Option<&Bound<'_, PyAny>>,
) -> PyResult<NewCustomer> {
    let Some(values) = values else {
        return Ok(base);
    };
    for (key, value) in entries(call, prefix, values, NewCustomer::FIELDS)? {
        let field = named(prefix, &key);
        let field = field.as_str();
        let value = &value;
        match key.as_str() {
            "first_name" => base.first_name = text(field, value)?,
            "last_name" => base.last_name = text(field, value)?,
            "company" => base.company = optional_text(field, value)?,
            "email" => base.email = optional_text(field, value)?,
            "phone" => base.phone = optional_text(field, value)?,
            "mobile" => base.mobile = optional_text(field, value)?,
            "fax" => base.fax = optional_text(field, value)?,
            "emergency_phone" => base.emergency_phone = optional_text(field, value)?,
            "secondary_emails" => base.secondary_emails = texts(field, value)?,
            "secondary_phones" => base.secondary_phones = texts(field, value)?,
            "contact_person" => base.contact_person = optional_text(field, value)?,
            "title" => base.title = optional_text(field, value)?,
            "language" => base.language = optional_text(field, value)?,
            "notes" => base.notes = optional_text(field, value)?,
            "salesperson" => base.salesperson = optional_text(field, value)?,
            "lists" => base.lists = texts(field, value)?.into_iter().collect(),
            "address" => {
                base.address = match value.cast::<PyAddress>() {
                    Ok(address) => address.get().0.clone(),
                    Err(_) if value.is_none() => Default::default(),
                    Err(_) => return Err(wrong_type(field, "Address or None", value)),
                }
            }
            "consent" => {
                base.consent = match value.cast::<PyConsent>() {
                    Ok(consent) => consent.get().0,
                    Err(_) if value.is_none() => Default::default(),
                    Err(_) => return Err(wrong_type(field, "Consent or None", value)),
                }
            }
            "birth_date" => base.birth_date = optional_date(field, value)?,
            "custom_fields" => {
                let mut fields = std::collections::BTreeMap::new();
                let dict = value
                    .cast::<PyDict>()
                    .map_err(|_| wrong_type(field, "dict[str, str]", value))?;
                for (k, v) in dict.iter() {
                    let k = text(&format!("{field} key"), &k)?;
                    let v = text(&format!("{field}[{k}]"), &v)?;
                    fields.insert(k, v);
                }
                base.custom_fields = fields;
            }
            // A field the core added and this face does not read yet: refused, not ignored.
            other => {
                return Err(PyTypeError::new_err(format!(
                    "{call}() got an unexpected keyword argument '{}'",
                    named(prefix, other)
                )));
            }
        }
    }
    Ok(base)
}

/// A date or None (a datetime is refused: its time would be dropped).
pub(crate) fn optional_date(
    field: &str,
    value: &Bound<'_, PyAny>,
) -> PyResult<Option<chrono::NaiveDate>> {
    if value.is_none() {
        Ok(None)
    } else if value.is_instance_of::<pyo3::types::PyDateTime>()
        || !value.is_instance_of::<pyo3::types::PyDate>()
    {
        Err(wrong_type(field, "date or None", value))
    } else {
        Ok(Some(value.extract()?))
    }
}

/// A booking from keywords (or a mapping): `reference` and `pickup_at` are required, the rest
/// optional (status `"confirmed"` by default).
pub(crate) fn booking(call: &str, prefix: &str, values: &Bound<'_, PyAny>) -> PyResult<NewBooking> {
    let pairs = entries(call, prefix, values, &BOOKING_KEYS)?;
    let find = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    let required = |key: &str| {
        find(key).ok_or_else(|| {
            PyTypeError::new_err(format!(
                "{call}() missing required argument: '{}'",
                named(prefix, key)
            ))
        })
    };
    let mut booking = NewBooking::new(
        text(&named(prefix, "reference"), required("reference")?)?,
        aware(&named(prefix, "pickup_at"), required("pickup_at")?)?,
    );
    for (key, value) in &pairs {
        let field = named(prefix, key);
        let field = field.as_str();
        match key.as_str() {
            "reference" | "pickup_at" => {}
            "customer" => booking.customer_id = optional_customer_id(field, value)?,
            "status" => {
                // The core's refusal, naming this record's field.
                booking.status =
                    text(field, value)?
                        .parse::<BookingStatus>()
                        .map_err(|e| match e {
                            Error::Validation { reason, .. } => {
                                crate::errors::validation(value.py(), field, &reason)
                            }
                            other => crate::errors::to_py(value.py(), other.into()),
                        })?
            }
            "return_at" => booking.return_at = optional_aware(field, value)?,
            "route_from" => booking.route_from = text(field, value)?,
            "route_to" => booking.route_to = text(field, value)?,
            "transport" => booking.transport = optional_text(field, value)?,
            "hotel" => booking.hotel = optional_text(field, value)?,
            "salesperson" => booking.salesperson = optional_text(field, value)?,
            "invoices" => {
                let wrong = || wrong_type(field, "list[Invoice]", value);
                if value.is_instance_of::<pyo3::types::PyString>() {
                    return Err(wrong());
                }
                let mut invoices = Vec::new();
                for item in value.try_iter().map_err(|_| wrong())? {
                    let item = item?;
                    let invoice = item.cast::<PyInvoice>().map_err(|_| wrong())?;
                    // Bounded before it is copied: the core refuses the list whole beyond.
                    if invoices.len() > crm_core::limits::MAX_INVOICES_PER_BOOKING {
                        break;
                    }
                    invoices.push(invoice.get().0.clone());
                }
                booking.invoices = invoices;
            }
            // A field the core added and this face does not read yet: refused, not ignored.
            other => {
                return Err(PyTypeError::new_err(format!(
                    "{call}() got an unexpected keyword argument '{}'",
                    named(prefix, other)
                )));
            }
        }
    }
    Ok(booking)
}
