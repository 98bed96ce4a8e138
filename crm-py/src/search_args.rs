//! The arguments of a customer search (`Tenant.search` and the `search` of an export), read
//! into a core query.

use chrono::NaiveDate;
use crm_core::{BookingStatus, CustomerQuery, SearchSort};
use pyo3::prelude::*;
use pyo3::types::PyMapping;

use crate::convert::{Text, count, int, optional_text, text, wrong_type};
use crate::errors::validation;
use crate::tenant::page_limit;

/// A text filter of the find-customer form: the value typed and the query method it feeds.
type TextFilter = (Option<Text>, fn(CustomerQuery, String) -> CustomerQuery);

/// A `(from, to)` pair of dates, either of them None.
type Period = Option<(Option<NaiveDate>, Option<NaiveDate>)>;

/// Reads a `(from, to)` pair of `date | None`.
fn period(field: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<Period> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let (from, to): (Bound<'_, PyAny>, Bound<'_, PyAny>) = value
        .extract()
        .map_err(|_| wrong_type(field, "a (from, to) pair of date or None", value))?;
    let day = |end: &str, v: &Bound<'_, PyAny>| -> PyResult<Option<NaiveDate>> {
        if v.is_none() {
            return Ok(None);
        }
        if v.is_instance_of::<pyo3::types::PyDateTime>()
            || !v.is_instance_of::<pyo3::types::PyDate>()
        {
            return Err(wrong_type(&format!("{field}.{end}"), "date or None", v));
        }
        v.extract().map(Some)
    };
    Ok(Some((day("from", &from)?, day("to", &to)?)))
}

/// The keyword arguments of `Tenant.search`.
pub(crate) struct SearchArgs<'py> {
    pub(crate) text: Option<Text>,
    pub(crate) customer_no: Option<i64>,
    pub(crate) first_name: Option<Text>,
    pub(crate) last_name: Option<Text>,
    pub(crate) company: Option<Text>,
    pub(crate) email: Option<Text>,
    pub(crate) phone: Option<Text>,
    pub(crate) zip: Option<Text>,
    pub(crate) city: Option<Text>,
    pub(crate) address: Option<Text>,
    pub(crate) contact_person: Option<Text>,
    pub(crate) country: Option<Text>,
    pub(crate) region: Option<Text>,
    pub(crate) language: Option<Text>,
    pub(crate) salesperson: Option<Text>,
    pub(crate) list: Option<Text>,
    pub(crate) transport: Option<Text>,
    pub(crate) hotel: Option<Text>,
    pub(crate) booking_status: Option<Text>,
    pub(crate) has_email: Option<bool>,
    pub(crate) has_mobile: Option<bool>,
    pub(crate) departure_between: Option<Bound<'py, PyAny>>,
    pub(crate) created_between: Option<Bound<'py, PyAny>>,
    pub(crate) last_booking_between: Option<Bound<'py, PyAny>>,
    pub(crate) sort: Text,
    pub(crate) offset: i64,
    pub(crate) limit: i64,
}

impl<'py> SearchArgs<'py> {
    /// The arguments given as a mapping with the keyword names of `Tenant.search` (`call` names
    /// the method in errors); keys left out take `search`'s defaults.
    pub(crate) fn from_mapping(call: &str, values: &Bound<'py, PyAny>) -> PyResult<Self> {
        let mut args = Self {
            text: None,
            customer_no: None,
            first_name: None,
            last_name: None,
            company: None,
            email: None,
            phone: None,
            zip: None,
            city: None,
            address: None,
            contact_person: None,
            country: None,
            region: None,
            language: None,
            salesperson: None,
            list: None,
            transport: None,
            hotel: None,
            booking_status: None,
            has_email: None,
            has_mobile: None,
            departure_between: None,
            created_between: None,
            last_booking_between: None,
            sort: Text::from("relevance"),
            offset: 0,
            limit: 20,
        };
        let mapping = values
            .cast::<PyMapping>()
            .map_err(|_| wrong_type("search", "a dict of search() arguments", values))?;
        for item in mapping.items()?.try_iter()? {
            let (key, value): (Text, Bound<'py, PyAny>) = item?.extract()?;
            let key = key.0;
            let field = format!("search.{key}");
            let bad = |_: PyErr| wrong_type(&field, "the type search() takes", &value);
            match key.as_str() {
                "text" => args.text = optional_text(&field, &value)?.map(Text),
                "customer_no" => {
                    args.customer_no = match value.is_none() {
                        true => None,
                        false => Some(int(&value).map_err(bad)?),
                    }
                }
                "first_name" => args.first_name = optional_text(&field, &value)?.map(Text),
                "last_name" => args.last_name = optional_text(&field, &value)?.map(Text),
                "company" => args.company = optional_text(&field, &value)?.map(Text),
                "email" => args.email = optional_text(&field, &value)?.map(Text),
                "phone" => args.phone = optional_text(&field, &value)?.map(Text),
                "zip" => args.zip = optional_text(&field, &value)?.map(Text),
                "city" => args.city = optional_text(&field, &value)?.map(Text),
                "address" => args.address = optional_text(&field, &value)?.map(Text),
                "contact_person" => args.contact_person = optional_text(&field, &value)?.map(Text),
                "country" => args.country = optional_text(&field, &value)?.map(Text),
                "region" => args.region = optional_text(&field, &value)?.map(Text),
                "language" => args.language = optional_text(&field, &value)?.map(Text),
                "salesperson" => args.salesperson = optional_text(&field, &value)?.map(Text),
                "list" => args.list = optional_text(&field, &value)?.map(Text),
                "transport" => args.transport = optional_text(&field, &value)?.map(Text),
                "hotel" => args.hotel = optional_text(&field, &value)?.map(Text),
                "booking_status" => args.booking_status = optional_text(&field, &value)?.map(Text),
                "has_email" => args.has_email = value.extract().map_err(bad)?,
                "has_mobile" => args.has_mobile = value.extract().map_err(bad)?,
                "departure_between" => {
                    args.departure_between = (!value.is_none()).then(|| value.clone())
                }
                "created_between" => {
                    args.created_between = (!value.is_none()).then(|| value.clone())
                }
                "last_booking_between" => {
                    args.last_booking_between = (!value.is_none()).then(|| value.clone())
                }
                "sort" => args.sort = Text(text(&field, &value)?),
                "offset" => args.offset = int(&value).map_err(bad)?,
                "limit" => args.limit = int(&value).map_err(bad)?,
                _ => {
                    return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                        "{call}(): search: {key} is not an argument of search()"
                    )));
                }
            }
        }
        Ok(args)
    }
}

impl SearchArgs<'_> {
    /// The core query these arguments describe.
    pub(crate) fn query(self, py: Python<'_>) -> PyResult<CustomerQuery> {
        let SearchArgs {
            text,
            customer_no,
            first_name,
            last_name,
            company,
            email,
            phone,
            zip,
            city,
            address,
            contact_person,
            country,
            region,
            language,
            salesperson,
            list,
            transport,
            hotel,
            booking_status,
            has_email,
            has_mobile,
            departure_between,
            created_between,
            last_booking_between,
            sort,
            offset,
            limit,
        } = self;
        let offset = count(py, "offset", offset)?;
        let limit = page_limit(py, limit)?;
        let mut query = match text {
            Some(text) => CustomerQuery::text(text.0),
            None => CustomerQuery::all(),
        };
        if let Some(no) = customer_no {
            query = query.customer_no(no);
        }
        let texts: [TextFilter; 16] = [
            (first_name, CustomerQuery::first_name),
            (last_name, CustomerQuery::last_name),
            (company, CustomerQuery::company),
            (email, CustomerQuery::email),
            (phone, CustomerQuery::phone),
            (zip, CustomerQuery::zip),
            (city, CustomerQuery::city),
            (address, CustomerQuery::address),
            (contact_person, CustomerQuery::contact_person),
            (country, CustomerQuery::country),
            (region, CustomerQuery::region),
            (language, CustomerQuery::language),
            (salesperson, CustomerQuery::salesperson),
            (list, CustomerQuery::list),
            (transport, CustomerQuery::transport),
            (hotel, CustomerQuery::hotel),
        ];
        for (value, filter) in texts {
            if let Some(value) = value {
                query = filter(query, value.0);
            }
        }
        if let Some(status) = booking_status {
            let status: BookingStatus = status.parse().map_err(|_| {
                validation(
                    py,
                    "booking_status",
                    "not one of: quote pending confirmed completed cancelled no_show",
                )
            })?;
            query = query.booking_status(status);
        }
        if let Some(yes) = has_email {
            query = query.has_email(yes);
        }
        if let Some(yes) = has_mobile {
            query = query.has_mobile(yes);
        }
        if let Some((from, to)) = period("departure_between", departure_between.as_ref())? {
            query = query.departure_between(from, to);
        }
        if let Some((from, to)) = period("created_between", created_between.as_ref())? {
            query = query.created_between(from, to);
        }
        if let Some((from, to)) = period("last_booking_between", last_booking_between.as_ref())? {
            query = query.last_booking_between(from, to);
        }
        let sort: SearchSort = crate::tenant::parse_arg(py, &sort)?;
        Ok(query.sort(sort).offset(offset).limit(limit))
    }
}
