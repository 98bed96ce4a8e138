//! Rows read into values, shared by the files that read the same tables: a customer's row and
//! a row of the customer list.

use std::collections::BTreeMap;

use postgres::Row;

use super::values::{count, customer_id, get, json, opt_date, opt_local, opt_utc, utc};
use crate::error::Result;
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

fn phone_at(row: &Row, col: usize) -> Result<Option<Phone>> {
    let typed: Option<String> = get(row, col)?;
    let e164: Option<String> = get(row, col + 1)?;
    Ok(typed.map(|typed| Phone { typed, e164 }))
}

/// A customer from a row of [`CUSTOMER_COLUMNS`] (without its secondary contacts and lists,
/// which live in their own tables).
pub(super) fn customer(row: &Row) -> Result<Customer> {
    let custom_fields: BTreeMap<String, String> = json(row, 26)?;
    Ok(Customer {
        id: customer_id(row, 0)?,
        customer_no: get(row, 1)?,
        title: get(row, 31)?,
        first_name: get(row, 2)?,
        last_name: get(row, 3)?,
        company: get(row, 4)?,
        email: get(row, 5)?,
        phone: phone_at(row, 6)?,
        mobile: phone_at(row, 8)?,
        fax: phone_at(row, 10)?,
        emergency_phone: phone_at(row, 12)?,
        secondary_emails: Vec::new(),
        secondary_phones: Vec::new(),
        address: Address {
            street: get(row, 14)?,
            zip: get(row, 15)?,
            city: get(row, 16)?,
            region: get(row, 17)?,
            country: get(row, 18)?,
        },
        contact_person: get(row, 19)?,
        birth_date: opt_date(row, 20)?,
        language: get(row, 21)?,
        notes: get(row, 22)?,
        consent: Consent {
            email: opt_utc(row, 23)?,
            sms: opt_utc(row, 24)?,
        },
        salesperson: get(row, 25)?,
        lists: Default::default(),
        custom_fields,
        created_at: utc(row, 27)?,
        updated_at: utc(row, 28)?,
        version: get(row, 29)?,
        anonymised_at: opt_utc(row, 30)?,
    })
}

/// A row of the customer list and its sort key (column 9): an integer (`BIGINT`) with
/// `int_key`, else the name sort key (text). A column has one type per statement, so the caller,
/// who knows which sort it ran, tells which.
pub(super) fn list_row(row: &Row, int_key: bool) -> Result<(CustomerRow, SortKey)> {
    let key = if int_key {
        SortKey::Int(get::<i64>(row, 9)?)
    } else {
        SortKey::name(get::<&str>(row, 9)?)
    };
    let customer = CustomerRow {
        id: customer_id(row, 0)?,
        customer_no: get(row, 1)?,
        first_name: get(row, 2)?,
        last_name: get(row, 3)?,
        email: get(row, 4)?,
        phone: get(row, 5)?,
        bookings: count(row, 6)?,
        last_booking: opt_local(row, 7)?,
        created_at: utc(row, 8)?,
    };
    Ok((customer, key))
}

#[cfg(test)]
mod tests {
    use super::{CUSTOMER_COLUMN_COUNT, CUSTOMER_COLUMNS};

    #[test]
    fn the_column_count_is_that_of_the_column_list() {
        assert_eq!(CUSTOMER_COLUMNS.split(',').count(), CUSTOMER_COLUMN_COUNT);
    }
}
