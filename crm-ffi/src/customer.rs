//! Customers: `crm_customer` (a stored record, read with getters), `crm_customer_fields` (what
//! to create or update, set with setters), `crm_customer_list`, and the tenant's customer calls.

use std::collections::BTreeMap;
use std::ffi::{CString, c_char};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use crm_core::{Customer, CustomerId, NewCustomer, Phone};

use crate::db::{crm_tenant, tenant};
use crate::ffi::{self, Handle, Texts, c_opt, c_ptr, c_string};
use crate::json;
use crate::status::{Failure, crm_status};

/// A customer as stored. Read it with `crm_customer_get` and the other `crm_customer_*`
/// getters; the strings they return are borrowed and valid until the customer is freed.
pub struct crm_customer {
    _private: [u8; 0],
}

/// The fields of a customer to create or update, set one by one. Start empty
/// (`crm_customer_fields_new`) or from a stored customer (`crm_customer_fields_from_customer`).
pub struct crm_customer_fields {
    _private: [u8; 0],
}

/// A list of customers; `crm_customer_list_get` lends its items until the list is freed.
pub struct crm_customer_list {
    _private: [u8; 0],
}

/// A single-valued customer field, for `crm_customer_get` and `crm_customer_fields_set`.
pub type crm_field = u32;
/// First name (required unless the tenant's name rule lets it go; `""` when absent).
pub const CRM_FIELD_FIRST_NAME: crm_field = 201;
/// Last name (required unless the tenant's name rule lets it go; `""` when absent).
pub const CRM_FIELD_LAST_NAME: crm_field = 202;
/// Company.
pub const CRM_FIELD_COMPANY: crm_field = 203;
/// Main email.
pub const CRM_FIELD_EMAIL: crm_field = 204;
/// Landline, as typed (`crm_customer_e164` gives the E.164 form).
pub const CRM_FIELD_PHONE: crm_field = 205;
/// Mobile, as typed.
pub const CRM_FIELD_MOBILE: crm_field = 206;
/// Fax, as typed.
pub const CRM_FIELD_FAX: crm_field = 207;
/// Emergency contact number, as typed.
pub const CRM_FIELD_EMERGENCY_PHONE: crm_field = 208;
/// Street and number.
pub const CRM_FIELD_STREET: crm_field = 209;
/// Postal code.
pub const CRM_FIELD_ZIP: crm_field = 210;
/// City.
pub const CRM_FIELD_CITY: crm_field = 211;
/// Region or state.
pub const CRM_FIELD_REGION: crm_field = 212;
/// Country, ISO 3166-1 alpha-2.
pub const CRM_FIELD_COUNTRY: crm_field = 213;
/// Contact person (for a company).
pub const CRM_FIELD_CONTACT_PERSON: crm_field = 214;
/// Birth date, `YYYY-MM-DD`.
pub const CRM_FIELD_BIRTH_DATE: crm_field = 215;
/// Preferred language (BCP 47 tag).
pub const CRM_FIELD_LANGUAGE: crm_field = 216;
/// Free notes (may hold line breaks).
pub const CRM_FIELD_NOTES: crm_field = 217;
/// The agency's salesperson for this customer.
pub const CRM_FIELD_SALESPERSON: crm_field = 218;
/// When consent to email was given, RFC 3339 (`2026-03-01T10:00:00Z`).
pub const CRM_FIELD_CONSENT_EMAIL: crm_field = 219;
/// When consent to SMS was given, RFC 3339.
pub const CRM_FIELD_CONSENT_SMS: crm_field = 220;
/// When it was created, RFC 3339 UTC (read only).
pub const CRM_FIELD_CREATED_AT: crm_field = 221;
/// When it last changed, RFC 3339 UTC (read only).
pub const CRM_FIELD_UPDATED_AT: crm_field = 222;
/// First and last name (read only).
pub const CRM_FIELD_FULL_NAME: crm_field = 223;
/// When the customer was anonymised, RFC 3339 UTC, or NULL (read only).
pub const CRM_FIELD_ANONYMISED_AT: crm_field = 224;
/// Title or form of address (`Mr`, `Mme`, `Dr`), for salutations.
pub const CRM_FIELD_TITLE: crm_field = 225;

/// A multi-valued customer field, for `crm_customer_count`/`crm_customer_item` and
/// `crm_customer_fields_add`/`crm_customer_fields_clear`.
pub type crm_multi = u32;
/// Other emails.
pub const CRM_MULTI_SECONDARY_EMAILS: crm_multi = 301;
/// Other phones, as typed.
pub const CRM_MULTI_SECONDARY_PHONES: crm_multi = 302;
/// Names of the customer lists it belongs to.
pub const CRM_MULTI_LISTS: crm_multi = 303;
/// Other phones in E.164 form (read only; same order as `CRM_MULTI_SECONDARY_PHONES`): an empty
/// string for a number that fits no numbering plan (kept as typed, unverified).
pub const CRM_MULTI_SECONDARY_PHONES_E164: crm_multi = 304;

/// The number of `CRM_FIELD_*` constants (numbered from 201).
const FIELD_COUNT: usize = 25;
const FIELD_BASE: u32 = 200;

/// A stored customer with every text ready as a C string.
pub(crate) struct CustomerHandle {
    pub(crate) customer: Customer,
    id: CString,
    texts: Texts,
    e164: [Option<CString>; 4],
    multi: [Vec<CString>; 4],
    custom: BTreeMap<String, CString>,
}

impl Handle for CustomerHandle {
    type C = crm_customer;
    const NAME: &'static str = "crm_customer";
}

pub(crate) fn rfc3339(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn phone_text(phone: Option<&Phone>) -> Option<&str> {
    phone.map(|p| p.typed.as_str())
}

impl CustomerHandle {
    pub(crate) fn new(customer: Customer) -> Self {
        let c = &customer;
        let mut texts = Texts::new(FIELD_BASE, FIELD_COUNT);
        let date = c.birth_date.map(|d| d.format("%Y-%m-%d").to_string());
        let consent_email = c.consent.email.as_ref().map(rfc3339);
        let consent_sms = c.consent.sms.as_ref().map(rfc3339);
        let created = rfc3339(&c.created_at);
        let updated = rfc3339(&c.updated_at);
        let full_name = c.full_name();
        let anonymised = c.anonymised_at.as_ref().map(rfc3339);
        let values: [(crm_field, Option<&str>); FIELD_COUNT] = [
            (CRM_FIELD_TITLE, c.title.as_deref()),
            (CRM_FIELD_FIRST_NAME, Some(&c.first_name)),
            (CRM_FIELD_LAST_NAME, Some(&c.last_name)),
            (CRM_FIELD_COMPANY, c.company.as_deref()),
            (CRM_FIELD_EMAIL, c.email.as_deref()),
            (CRM_FIELD_PHONE, phone_text(c.phone.as_ref())),
            (CRM_FIELD_MOBILE, phone_text(c.mobile.as_ref())),
            (CRM_FIELD_FAX, phone_text(c.fax.as_ref())),
            (
                CRM_FIELD_EMERGENCY_PHONE,
                phone_text(c.emergency_phone.as_ref()),
            ),
            (CRM_FIELD_STREET, c.address.street.as_deref()),
            (CRM_FIELD_ZIP, c.address.zip.as_deref()),
            (CRM_FIELD_CITY, c.address.city.as_deref()),
            (CRM_FIELD_REGION, c.address.region.as_deref()),
            (CRM_FIELD_COUNTRY, c.address.country.as_deref()),
            (CRM_FIELD_CONTACT_PERSON, c.contact_person.as_deref()),
            (CRM_FIELD_BIRTH_DATE, date.as_deref()),
            (CRM_FIELD_LANGUAGE, c.language.as_deref()),
            (CRM_FIELD_NOTES, c.notes.as_deref()),
            (CRM_FIELD_SALESPERSON, c.salesperson.as_deref()),
            (CRM_FIELD_CONSENT_EMAIL, consent_email.as_deref()),
            (CRM_FIELD_CONSENT_SMS, consent_sms.as_deref()),
            (CRM_FIELD_CREATED_AT, Some(&created)),
            (CRM_FIELD_UPDATED_AT, Some(&updated)),
            (CRM_FIELD_FULL_NAME, Some(&full_name)),
            (CRM_FIELD_ANONYMISED_AT, anonymised.as_deref()),
        ];
        for (field, value) in values {
            texts.set(field, c_opt(value));
        }
        let e164 = |p: Option<&Phone>| c_opt(p.and_then(|p| p.e164.as_deref()));
        let strings = |items: &mut dyn Iterator<Item = &String>| {
            items.map(|s| c_string(s.clone())).collect::<Vec<_>>()
        };
        Self {
            id: c_string(c.id.to_string()),
            e164: [
                e164(c.phone.as_ref()),
                e164(c.mobile.as_ref()),
                e164(c.fax.as_ref()),
                e164(c.emergency_phone.as_ref()),
            ],
            multi: [
                strings(&mut c.secondary_emails.iter()),
                strings(&mut c.secondary_phones.iter().map(|p| &p.typed)),
                strings(&mut c.lists.iter()),
                c.secondary_phones
                    .iter()
                    .map(|p| c_string(p.e164.clone().unwrap_or_default()))
                    .collect(),
            ],
            custom: c
                .custom_fields
                .iter()
                .map(|(k, v)| (k.clone(), c_string(v.clone())))
                .collect(),
            texts,
            customer,
        }
    }
}

/// The customer behind a handle.
pub(crate) fn customer<'a>(ptr: *const crm_customer) -> Result<&'a CustomerHandle, Failure> {
    ffi::get::<CustomerHandle>(ptr, "customer")
}

pub(crate) struct FieldsHandle(pub(crate) NewCustomer);

impl Handle for FieldsHandle {
    type C = crm_customer_fields;
    const NAME: &'static str = "crm_customer_fields";
}

/// The customer fields behind a handle.
pub(crate) fn fields<'a>(ptr: *const crm_customer_fields) -> Result<&'a NewCustomer, Failure> {
    ffi::get::<FieldsHandle>(ptr, "fields").map(|f| &f.0)
}

pub(crate) struct CustomerList(Vec<CustomerHandle>);

impl CustomerList {
    pub(crate) fn new(customers: Vec<Customer>) -> Self {
        let items: Vec<CustomerHandle> = customers.into_iter().map(CustomerHandle::new).collect();
        ffi::lend(&items);
        Self(items)
    }
}

impl Drop for CustomerList {
    fn drop(&mut self) {
        ffi::unlend(&self.0);
    }
}

impl Handle for CustomerList {
    type C = crm_customer_list;
    const NAME: &'static str = "crm_customer_list";
}

/// A customer id argument.
pub(crate) fn id_in(ptr: *const c_char, name: &str) -> Result<CustomerId, Failure> {
    Ok(ffi::text_in(ptr, name)?.parse()?)
}

fn multi_index(multi: crm_multi) -> Result<usize, Failure> {
    match multi {
        CRM_MULTI_SECONDARY_EMAILS => Ok(0),
        CRM_MULTI_SECONDARY_PHONES => Ok(1),
        CRM_MULTI_LISTS => Ok(2),
        CRM_MULTI_SECONDARY_PHONES_E164 => Ok(3),
        other => Err(Failure::invalid(format!(
            "multi: {other} is not a crm_multi"
        ))),
    }
}

// ---- crm_customer getters -------------------------------------------------------------------

/// The customer's id (UUID text). Borrowed; NULL if `customer` is not a live customer.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_id(customer: *const crm_customer) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(self::customer(customer)?.id.as_ptr())
    })
}

/// The customer no. (unique within the tenant, given in creation order); 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_no(customer: *const crm_customer) -> i64 {
    ffi::value(0, || Ok(self::customer(customer)?.customer.customer_no))
}

/// The version, raised by each update: pass it to `crm_tenant_update_customer`. 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_version(customer: *const crm_customer) -> i64 {
    ffi::value(0, || Ok(self::customer(customer)?.customer.version))
}

/// A single-valued field (`CRM_FIELD_*`) as text. Borrowed, valid until the customer is freed;
/// NULL when the field is empty (or on a bad handle or field, with the last error set).
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_get(
    customer: *const crm_customer,
    field: crm_field,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        self::customer(customer)?.texts.get(field, "crm_field")
    })
}

/// The E.164 form (`"+33612345678"`) of a phone field (`CRM_FIELD_PHONE`, `_MOBILE`, `_FAX`,
/// `_EMERGENCY_PHONE`). Borrowed; NULL when empty, or when the number fits no numbering plan:
/// it is then kept as typed (`crm_customer_get`), unverified, and never used for SMS nor for
/// phone-based duplicate matching.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_e164(
    customer: *const crm_customer,
    field: crm_field,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        let c = self::customer(customer)?;
        let slot = match field {
            CRM_FIELD_PHONE => 0,
            CRM_FIELD_MOBILE => 1,
            CRM_FIELD_FAX => 2,
            CRM_FIELD_EMERGENCY_PHONE => 3,
            other => return Err(Failure::invalid(format!("field: {other} is not a phone"))),
        };
        Ok(c_ptr(c.e164[slot].as_ref()))
    })
}

/// How many values a multi-valued field (`CRM_MULTI_*`) holds; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_count(customer: *const crm_customer, multi: crm_multi) -> usize {
    ffi::value(0, || {
        Ok(self::customer(customer)?.multi[multi_index(multi)?].len())
    })
}

/// The value at `index` of a multi-valued field. Borrowed; NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_item(
    customer: *const crm_customer,
    multi: crm_multi,
    index: usize,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        let values = &self::customer(customer)?.multi[multi_index(multi)?];
        Ok(c_ptr(values.get(index)))
    })
}

/// The value of the host's own field `key`. Borrowed; NULL when absent.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_custom_field(
    customer: *const crm_customer,
    key: *const c_char,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        let c = self::customer(customer)?;
        let key = ffi::text_in(key, "key")?;
        Ok(c_ptr(c.custom.get(key)))
    })
}

/// The whole customer as JSON `{"format": 1, "customer": {...}}` (every field, custom fields
/// included). On success `*out` is a string the caller frees with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_to_json(
    customer: *const crm_customer,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let c = self::customer(customer)?;
        out.write(ffi::string_out(json::envelope("customer", &c.customer)?));
        Ok(())
    })
}

/// Frees a customer. NULL does nothing; a customer freed twice, or one borrowed from a list, is
/// detected and left alone.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_free(customer: *mut crm_customer) {
    ffi::value((), || ffi::free::<CustomerHandle>(customer));
}

// ---- crm_customer_fields setters ------------------------------------------------------------

/// Empty customer fields. On success `*out` is owned by the caller, freed with
/// `crm_customer_fields_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_fields_new(out: *mut *mut crm_customer_fields) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        out.write(ffi::into_raw(FieldsHandle(NewCustomer::default())));
        Ok(())
    })
}

/// The fields of a stored customer, to change some and pass to `crm_tenant_update_customer`.
/// `*out` as for `crm_customer_fields_new`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_fields_from_customer(
    customer: *const crm_customer,
    out: *mut *mut crm_customer_fields,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let c = self::customer(customer)?;
        out.write(ffi::into_raw(FieldsHandle(c.customer.edit())));
        Ok(())
    })
}

/// An RFC 3339 time argument, in UTC; a Validation failure naming `field` otherwise.
pub(crate) fn parse_time(field: &str, text: &str) -> Result<DateTime<Utc>, Failure> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| json::validation(field, "not an RFC 3339 time (2026-03-01T10:00:00Z)"))
}

/// Sets a single-valued field (`CRM_FIELD_FIRST_NAME` to `CRM_FIELD_CONSENT_SMS`) to `value`
/// (UTF-8), or clears it with NULL. Values are checked when the fields are used, except the
/// forms of a birth date (`YYYY-MM-DD`) and consent times (RFC 3339), checked here
/// (`CRM_ERR_VALIDATION`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_fields_set(
    fields: *mut crm_customer_fields,
    field: crm_field,
    value: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let f = &mut ffi::get_mut::<FieldsHandle>(fields, "fields")?.0;
        let value = ffi::optional_text_in(value, "value")?;
        let owned = value.map(str::to_owned);
        match field {
            CRM_FIELD_FIRST_NAME => f.first_name = owned.unwrap_or_default(),
            CRM_FIELD_LAST_NAME => f.last_name = owned.unwrap_or_default(),
            CRM_FIELD_TITLE => f.title = owned,
            CRM_FIELD_COMPANY => f.company = owned,
            CRM_FIELD_EMAIL => f.email = owned,
            CRM_FIELD_PHONE => f.phone = owned,
            CRM_FIELD_MOBILE => f.mobile = owned,
            CRM_FIELD_FAX => f.fax = owned,
            CRM_FIELD_EMERGENCY_PHONE => f.emergency_phone = owned,
            CRM_FIELD_STREET => f.address.street = owned,
            CRM_FIELD_ZIP => f.address.zip = owned,
            CRM_FIELD_CITY => f.address.city = owned,
            CRM_FIELD_REGION => f.address.region = owned,
            CRM_FIELD_COUNTRY => f.address.country = owned,
            CRM_FIELD_CONTACT_PERSON => f.contact_person = owned,
            CRM_FIELD_LANGUAGE => f.language = owned,
            CRM_FIELD_NOTES => f.notes = owned,
            CRM_FIELD_SALESPERSON => f.salesperson = owned,
            CRM_FIELD_BIRTH_DATE => {
                f.birth_date = value
                    .map(|v| {
                        NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
                            .map_err(|_| json::validation("birth_date", "not a date (YYYY-MM-DD)"))
                    })
                    .transpose()?;
            }
            CRM_FIELD_CONSENT_EMAIL => {
                f.consent.email = value.map(|v| parse_time("consent.email", v)).transpose()?;
            }
            CRM_FIELD_CONSENT_SMS => {
                f.consent.sms = value.map(|v| parse_time("consent.sms", v)).transpose()?;
            }
            other => {
                return Err(Failure::invalid(format!(
                    "field: {other} cannot be set (unknown or read only)"
                )));
            }
        }
        Ok(())
    })
}

/// Appends `value` to a multi-valued field (`CRM_MULTI_SECONDARY_EMAILS`,
/// `CRM_MULTI_SECONDARY_PHONES` or `CRM_MULTI_LISTS`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_fields_add(
    fields: *mut crm_customer_fields,
    multi: crm_multi,
    value: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let f = &mut ffi::get_mut::<FieldsHandle>(fields, "fields")?.0;
        let value = ffi::text_in(value, "value")?.to_owned();
        match multi {
            CRM_MULTI_SECONDARY_EMAILS => f.secondary_emails.push(value),
            CRM_MULTI_SECONDARY_PHONES => f.secondary_phones.push(value),
            CRM_MULTI_LISTS => {
                f.lists.insert(value);
            }
            other => return Err(Failure::invalid(format!("multi: {other} cannot be set"))),
        }
        Ok(())
    })
}

/// Empties a multi-valued field (as for `crm_customer_fields_add`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_fields_clear(
    fields: *mut crm_customer_fields,
    multi: crm_multi,
) -> crm_status {
    ffi::call(|| {
        let f = &mut ffi::get_mut::<FieldsHandle>(fields, "fields")?.0;
        match multi {
            CRM_MULTI_SECONDARY_EMAILS => f.secondary_emails.clear(),
            CRM_MULTI_SECONDARY_PHONES => f.secondary_phones.clear(),
            CRM_MULTI_LISTS => f.lists.clear(),
            other => return Err(Failure::invalid(format!("multi: {other} cannot be set"))),
        }
        Ok(())
    })
}

/// Sets the host's own field `key` to `value`, or removes it with a NULL value.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_fields_set_custom(
    fields: *mut crm_customer_fields,
    key: *const c_char,
    value: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let f = &mut ffi::get_mut::<FieldsHandle>(fields, "fields")?.0;
        let key = ffi::text_in(key, "key")?.to_owned();
        match ffi::optional_text_in(value, "value")? {
            Some(value) => f.custom_fields.insert(key, value.to_owned()),
            None => f.custom_fields.remove(&key),
        };
        Ok(())
    })
}

/// Frees customer fields. NULL does nothing; fields freed twice are detected and left alone.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_fields_free(fields: *mut crm_customer_fields) {
    ffi::value((), || ffi::free::<FieldsHandle>(fields));
}

// ---- crm_customer_list -----------------------------------------------------------------------

/// How many customers the list holds; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_list_len(list: *const crm_customer_list) -> usize {
    ffi::value(0, || Ok(ffi::get::<CustomerList>(list, "list")?.0.len()))
}

/// The customer at `index`, borrowed from the list (valid until the list is freed; never free
/// it). NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_list_get(
    list: *const crm_customer_list,
    index: usize,
) -> *const crm_customer {
    ffi::value(std::ptr::null(), || {
        let list = ffi::get::<CustomerList>(list, "list")?;
        Ok(ffi::item_ptr(&list.0, index))
    })
}

/// Frees a list and the customers it lends. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_list_free(list: *mut crm_customer_list) {
    ffi::value((), || ffi::free::<CustomerList>(list));
}

// ---- tenant calls on customers -----------------------------------------------------------

/// Checks customer fields as `crm_tenant_create_customer` would, writing nothing.
/// Errors: `CRM_ERR_VALIDATION` (`crm_last_error_field()` names the field).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_validate_customer(
    tenant: *const crm_tenant,
    fields: *const crm_customer_fields,
) -> crm_status {
    ffi::call(|| {
        let t = self::tenant(tenant)?;
        let f = self::fields(fields)?.clone();
        t.tenant.validate_customer(f)?;
        Ok(())
    })
}

/// Creates a customer. On success `*out` is the stored customer (with its id and customer no.),
/// owned by the caller and freed with `crm_customer_free`.
/// Errors: `CRM_ERR_VALIDATION` (nothing written), `CRM_ERR_STORAGE`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_create_customer(
    tenant: *const crm_tenant,
    fields: *const crm_customer_fields,
    out: *mut *mut crm_customer,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let f = self::fields(fields)?.clone();
        let created = t.tenant.create_customer(&t.actor, f)?;
        out.write(ffi::into_raw(CustomerHandle::new(created)));
        Ok(())
    })
}

/// Creates many customers in one transaction from JSON
/// `{"format": 1, "customers": [{"first_name": "...", "last_name": "...", "email": ...}, ...]}`.
/// Each record holds the editable fields of `crm_customer_to_json` (not `id`, `customer_no`,
/// `version` or times), with phones as typed strings (`"mobile": "06 12 34 56 78"`); absent
/// fields are empty, unknown fields are refused. All or nothing: the error's field starts with
/// the record's position (`[12].email`). On success `*out` is the list of created customers,
/// freed with `crm_customer_list_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_create_customers_json(
    tenant: *const crm_tenant,
    json: *const c_char,
    out: *mut *mut crm_customer_list,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let batch: Vec<NewCustomer> =
            json::batch(ffi::text_in(json, "json")?, "customers", |_| {})?;
        let created = t.tenant.create_customers(&t.actor, batch)?;
        out.write(ffi::into_raw(CustomerList::new(created)));
        Ok(())
    })
}

/// One customer by id (UUID text). `*out` as for `crm_tenant_create_customer`.
/// Errors: `CRM_ERR_NOT_FOUND` (also for another tenant's customer), `CRM_ERR_VALIDATION` (not
/// an id).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_get_customer(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    out: *mut *mut crm_customer,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        out.write(ffi::into_raw(CustomerHandle::new(
            t.tenant.get_customer(&id)?,
        )));
        Ok(())
    })
}

/// One customer by customer no. `*out` as for `crm_tenant_create_customer`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_get_customer_by_no(
    tenant: *const crm_tenant,
    customer_no: i64,
    out: *mut *mut crm_customer,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let found = t.tenant.get_customer_by_no(customer_no)?;
        out.write(ffi::into_raw(CustomerHandle::new(found)));
        Ok(())
    })
}

/// The customers whose main or secondary email is `email`, ignoring case, oldest first.
/// On success `*out` is a list (maybe empty) freed with `crm_customer_list_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_find_customers_by_email(
    tenant: *const crm_tenant,
    email: *const c_char,
    out: *mut *mut crm_customer_list,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let found = t
            .tenant
            .find_customers_by_email(ffi::text_in(email, "email")?)?;
        out.write(ffi::into_raw(CustomerList::new(found)));
        Ok(())
    })
}

/// Replaces every field of customer `customer_id` with `fields` (start them from
/// `crm_customer_fields_from_customer`), provided it is still at `expected_version`.
/// `*out` as for `crm_tenant_create_customer`. Errors: `CRM_ERR_CONFLICT` (changed since),
/// `CRM_ERR_NOT_FOUND`, `CRM_ERR_VALIDATION`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_update_customer(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    expected_version: i64,
    fields: *const crm_customer_fields,
    out: *mut *mut crm_customer,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        let f = self::fields(fields)?.clone();
        let updated = t
            .tenant
            .update_customer(&t.actor, &id, expected_version, f)?;
        out.write(ffi::into_raw(CustomerHandle::new(updated)));
        Ok(())
    })
}

/// Deletes a customer; its bookings remain, detached. On success `*detached_out` is how many.
/// Then its values leave the files, as for `crm_tenant_anonymise`: the SQLite log is checkpointed
/// and the index segments that held it are rewritten (about 2 s at 1M customers). The deletion
/// is recorded in the privacy log (`crm_tenant_privacy_log_json`).
/// Errors: `CRM_ERR_PERMISSION_DENIED` (the tenant's `hard_delete` policy, `crm_tenant_set_policy`);
/// `CRM_ERR_NOT_FOUND`; `CRM_ERR_CONFLICT` (merged into another; or, the delete committed,
/// the log could not be emptied); `CRM_ERR_SEARCH` (the delete committed, the index could not be
/// rewritten: the next search rebuilds it).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_delete_customer(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    detached_out: *mut u64,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(detached_out, "detached_out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        out.write(t.tenant.delete_customer(&t.actor, &id)?);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use crm_core::ExportColumn;

    /// Every `CRM_FIELD_*` and `CRM_MULTI_*` of the header names a column of the core's exports
    /// (as the same field is called in a CSV), but for the values only C reads (derived, read
    /// only); `FIELD_COUNT` counts the fields.
    #[test]
    fn the_field_constants_are_the_core_columns() {
        let columns: Vec<&str> = ExportColumn::ALL.iter().map(|c| c.as_str()).collect();
        let c_only = ["full_name", "anonymised_at", "secondary_phones_e164"];
        let defines = crate::ffi::header_defines();
        let mut fields: Vec<(u32, String)> = Vec::new();
        for (name, number) in &defines {
            for (prefix, base) in [("CRM_FIELD_", super::FIELD_BASE), ("CRM_MULTI_", 300)] {
                if let Some(rest) = name.strip_prefix(prefix) {
                    let field = rest.to_lowercase();
                    assert!(
                        columns.contains(&field.as_str()) || c_only.contains(&field.as_str()),
                        "{name} is no column of the core"
                    );
                    if base == super::FIELD_BASE {
                        fields.push((*number, field));
                    }
                }
            }
        }
        fields.sort();
        assert_eq!(fields.len(), super::FIELD_COUNT);
        let numbers: Vec<u32> = fields.iter().map(|(n, _)| *n).collect();
        let expected: Vec<u32> = (1..=super::FIELD_COUNT as u32)
            .map(|i| super::FIELD_BASE + i)
            .collect();
        assert_eq!(numbers, expected, "numbered from 201 without a gap");
    }
}
