//! Rows read into values, shared by the files that read the same tables: a customer's row and
//! a row of the customer list.

use std::collections::BTreeMap;

use rusqlite::Row;

use super::values::{customer_id, opt, parse_date, parse_local, parse_utc};
use crate::model::{Address, Consent, Customer, CustomerRow, Phone, SortKey};

/// The columns of `customers` that [`customer`] reads, in its order.
pub(super) const CUSTOMER_COLUMNS: &str = "id, customer_no, first_name, last_name, company, email, \
    phone, phone_e164, mobile, mobile_e164, fax, fax_e164, emergency_phone, emergency_phone_e164, \
    street, zip, city, region, country, contact_person, birth_date, language, notes, \
    consent_email_at, consent_sms_at, salesperson, custom_fields, created_at, updated_at, version, \
    anonymised_at, title";

/// How many columns [`CUSTOMER_COLUMNS`] names.
pub(super) const CUSTOMER_COLUMN_COUNT: usize = 32;

/// A secondary phone from its row of `customer_contacts`: a number that fits no plan has no
/// E.164 form, and an empty key.
pub(super) fn secondary_phone(typed: String, key: String) -> Phone {
    Phone {
        typed,
        e164: Some(key).filter(|k| !k.is_empty()),
    }
}

fn phone_at(row: &Row<'_>, col: usize) -> rusqlite::Result<Option<Phone>> {
    let typed: Option<String> = row.get(col)?;
    let e164: Option<String> = row.get(col + 1)?;
    Ok(typed.map(|typed| Phone { typed, e164 }))
}

pub(super) fn customer(row: &Row<'_>) -> rusqlite::Result<Customer> {
    let custom: String = row.get(26)?;
    let custom_fields: BTreeMap<String, String> = serde_json::from_str(&custom).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(26, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(Customer {
        id: customer_id(row, 0)?,
        customer_no: row.get(1)?,
        title: row.get(31)?,
        first_name: row.get(2)?,
        last_name: row.get(3)?,
        company: row.get(4)?,
        email: row.get(5)?,
        phone: phone_at(row, 6)?,
        mobile: phone_at(row, 8)?,
        fax: phone_at(row, 10)?,
        emergency_phone: phone_at(row, 12)?,
        secondary_emails: Vec::new(),
        secondary_phones: Vec::new(),
        address: Address {
            street: row.get(14)?,
            zip: row.get(15)?,
            city: row.get(16)?,
            region: row.get(17)?,
            country: row.get(18)?,
        },
        contact_person: row.get(19)?,
        birth_date: opt(row, 20, parse_date)?,
        language: row.get(21)?,
        notes: row.get(22)?,
        consent: Consent {
            email: opt(row, 23, parse_utc)?,
            sms: opt(row, 24, parse_utc)?,
        },
        salesperson: row.get(25)?,
        lists: Default::default(),
        custom_fields,
        created_at: parse_utc(27, &row.get::<_, String>(27)?)?,
        updated_at: parse_utc(28, &row.get::<_, String>(28)?)?,
        version: row.get(29)?,
        anonymised_at: opt(row, 30, parse_utc)?,
    })
}

/// A row of the customer list and its sort key (column 9).
pub(super) fn list_row(row: &Row<'_>) -> rusqlite::Result<(CustomerRow, SortKey)> {
    let key = match row.get_ref(9)? {
        rusqlite::types::ValueRef::Integer(i) => SortKey::Int(i),
        _ => SortKey::name(row.get_ref(9)?.as_str()?),
    };
    let customer = CustomerRow {
        id: customer_id(row, 0)?,
        customer_no: row.get(1)?,
        first_name: row.get(2)?,
        last_name: row.get(3)?,
        email: row.get(4)?,
        phone: row.get(5)?,
        bookings: row.get::<_, i64>(6)? as u64,
        last_booking: opt(row, 7, parse_local)?,
        created_at: parse_utc(8, &row.get::<_, String>(8)?)?,
    };
    Ok((customer, key))
}
