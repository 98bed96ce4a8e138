//! Bookings: `crm_booking` (a stored booking, read with getters), `crm_booking_fields` (what to
//! upsert), `crm_booking_list`, `crm_customer_stats`, and the tenant's booking calls, capture
//! included.

use std::ffi::{CString, c_char};

use chrono::{DateTime, FixedOffset, SecondsFormat};
use crm_core::{Booking, CaptureMatch, CustomerStats, Invoice, Money, NewBooking};
use serde_json::Value;

use crate::customer::{CustomerHandle, crm_customer, crm_customer_fields, fields, id_in};
use crate::db::{crm_tenant, tenant};
use crate::ffi::{self, Handle, Texts, c_opt, c_ptr, c_string};
use crate::json;
use crate::status::{Failure, crm_status};

/// A booking as stored. Read it with `crm_booking_get` and the other getters; the strings are
/// borrowed and valid until the booking is freed.
pub struct crm_booking {
    _private: [u8; 0],
}

/// A booking to record (upsert by reference), set field by field.
pub struct crm_booking_fields {
    _private: [u8; 0],
}

/// A list of bookings; `crm_booking_list_get` lends its items until the list is freed.
pub struct crm_booking_list {
    _private: [u8; 0],
}

/// A customer's booking count, latest booking and total spent per currency.
pub struct crm_customer_stats {
    _private: [u8; 0],
}

/// A booking field, for `crm_booking_get` and `crm_booking_fields_set`.
pub type crm_booking_field = u32;
/// The host's booking reference, unique within the tenant (read only: given to
/// `crm_booking_fields_new`).
pub const CRM_BOOKING_REFERENCE: crm_booking_field = 401;
/// The id of the customer it is linked to (NULL: unlinked; when upserting, NULL keeps the link).
pub const CRM_BOOKING_CUSTOMER_ID: crm_booking_field = 402;
/// `quote`, `pending`, `confirmed` (the default), `completed`, `cancelled` or `no_show`.
pub const CRM_BOOKING_STATUS: crm_booking_field = 403;
/// Pickup (departure) time, RFC 3339 with its UTC offset.
pub const CRM_BOOKING_PICKUP_AT: crm_booking_field = 404;
/// Return time, RFC 3339, or NULL.
pub const CRM_BOOKING_RETURN_AT: crm_booking_field = 405;
/// Where the trip starts.
pub const CRM_BOOKING_ROUTE_FROM: crm_booking_field = 406;
/// Where the trip ends.
pub const CRM_BOOKING_ROUTE_TO: crm_booking_field = 407;
/// Transport (vehicle class, flight, train...).
pub const CRM_BOOKING_TRANSPORT: crm_booking_field = 408;
/// Hotel.
pub const CRM_BOOKING_HOTEL: crm_booking_field = 409;
/// Salesperson.
pub const CRM_BOOKING_SALESPERSON: crm_booking_field = 410;
/// When it was first recorded, RFC 3339 UTC (read only).
pub const CRM_BOOKING_CREATED_AT: crm_booking_field = 411;
/// When it last changed, RFC 3339 UTC (read only).
pub const CRM_BOOKING_UPDATED_AT: crm_booking_field = 412;
/// `"from → to"` (read only).
pub const CRM_BOOKING_ROUTE: crm_booking_field = 413;

/// The number of `CRM_BOOKING_*` field constants (numbered from 401). The invoices are set with
/// `crm_booking_fields_add_invoice` and read with `crm_booking_invoice`.
const BOOKING_FIELDS: usize = 13;
const BOOKING_BASE: u32 = 400;

/// How `crm_tenant_capture_booking` found its customer.
pub type crm_match = u32;
/// No customer matched: a new one was created.
pub const CRM_MATCH_CREATED: crm_match = 501;
/// The booking already existed and was linked to this customer.
pub const CRM_MATCH_BOOKING: crm_match = 502;
/// A customer with the same email (ignoring case) was found.
pub const CRM_MATCH_EMAIL: crm_match = 503;

fn rfc3339(at: &DateTime<FixedOffset>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A stored booking with every text ready as a C string.
pub(crate) struct BookingHandle {
    booking: Booking,
    texts: Texts,
    invoices: Vec<InvoiceTexts>,
}

/// The texts of one invoice of a booking, as C strings.
struct InvoiceTexts {
    number: CString,
    currency: CString,
    payment_status: CString,
    issued_on: Option<CString>,
    due_on: Option<CString>,
}

impl Handle for BookingHandle {
    type C = crm_booking;
    const NAME: &'static str = "crm_booking";
}

impl BookingHandle {
    pub(crate) fn new(booking: Booking) -> Self {
        let b = &booking;
        let mut texts = Texts::new(BOOKING_BASE, BOOKING_FIELDS);
        let values: [(crm_booking_field, Option<String>); BOOKING_FIELDS] = [
            (CRM_BOOKING_REFERENCE, Some(b.reference.clone())),
            (
                CRM_BOOKING_CUSTOMER_ID,
                b.customer_id.map(|id| id.to_string()),
            ),
            (CRM_BOOKING_STATUS, Some(b.status.as_str().to_owned())),
            (CRM_BOOKING_PICKUP_AT, Some(rfc3339(&b.pickup_at))),
            (CRM_BOOKING_RETURN_AT, b.return_at.as_ref().map(rfc3339)),
            (CRM_BOOKING_ROUTE_FROM, Some(b.route_from.clone())),
            (CRM_BOOKING_ROUTE_TO, Some(b.route_to.clone())),
            (CRM_BOOKING_TRANSPORT, b.transport.clone()),
            (CRM_BOOKING_HOTEL, b.hotel.clone()),
            (CRM_BOOKING_SALESPERSON, b.salesperson.clone()),
            (
                CRM_BOOKING_CREATED_AT,
                Some(rfc3339(&b.created_at.fixed_offset())),
            ),
            (
                CRM_BOOKING_UPDATED_AT,
                Some(rfc3339(&b.updated_at.fixed_offset())),
            ),
            (CRM_BOOKING_ROUTE, Some(b.route())),
        ];
        for (field, value) in values {
            texts.set(field, value.map(c_string));
        }
        let day = |d: Option<chrono::NaiveDate>| d.map(|d| c_string(d.to_string()));
        let invoices = b
            .invoices
            .iter()
            .map(|i| InvoiceTexts {
                number: c_string(i.number.clone()),
                currency: c_string(i.amount.currency.clone()),
                payment_status: c_string(i.payment_status.as_str().to_owned()),
                issued_on: day(i.issued_on),
                due_on: day(i.due_on),
            })
            .collect();
        Self {
            booking,
            texts,
            invoices,
        }
    }
}

fn booking<'a>(ptr: *const crm_booking) -> Result<&'a BookingHandle, Failure> {
    ffi::get::<BookingHandle>(ptr, "booking")
}

pub(crate) struct BookingFields(NewBooking);

impl Handle for BookingFields {
    type C = crm_booking_fields;
    const NAME: &'static str = "crm_booking_fields";
}

pub(crate) struct BookingList(Vec<BookingHandle>);

impl BookingList {
    fn new(bookings: Vec<Booking>) -> Self {
        let items: Vec<BookingHandle> = bookings.into_iter().map(BookingHandle::new).collect();
        ffi::lend(&items);
        Self(items)
    }
}

impl Drop for BookingList {
    fn drop(&mut self) {
        ffi::unlend(&self.0);
    }
}

impl Handle for BookingList {
    type C = crm_booking_list;
    const NAME: &'static str = "crm_booking_list";
}

pub(crate) struct StatsHandle {
    stats: CustomerStats,
    last_booking: Option<CString>,
    currencies: Vec<CString>,
}

impl Handle for StatsHandle {
    type C = crm_customer_stats;
    const NAME: &'static str = "crm_customer_stats";
}

pub(crate) fn time_in(field: &str, text: &str) -> Result<DateTime<FixedOffset>, Failure> {
    DateTime::parse_from_rfc3339(text.trim()).map_err(|_| {
        json::validation(
            field,
            "not an RFC 3339 time with an offset (2026-07-14T08:30:00+02:00)",
        )
    })
}

// ---- crm_booking getters ----------------------------------------------------------------------

/// A booking field (`CRM_BOOKING_*`) as text. Borrowed, valid until the booking is freed; NULL
/// when empty (or on a bad handle or field, with the last error set).
#[unsafe(no_mangle)]
pub extern "C" fn crm_booking_get(
    booking: *const crm_booking,
    field: crm_booking_field,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        self::booking(booking)?
            .texts
            .get(field, "crm_booking_field")
    })
}

/// The total of the booking's invoices in minor units (cents), all in one currency; 0 without
/// an invoice or on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_booking_amount_minor(booking: *const crm_booking) -> i64 {
    ffi::value(0, || {
        Ok(self::booking(booking)?
            .booking
            .invoices
            .iter()
            .map(|i| i.amount.minor)
            .sum())
    })
}

/// How many invoices the booking has; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_booking_invoice_count(booking: *const crm_booking) -> usize {
    ffi::value(0, || Ok(self::booking(booking)?.booking.invoices.len()))
}

/// Invoice `index` of the booking, in the order the host gave them: number, amount in minor
/// units (cents), ISO 4217 currency, payment status (`unpaid`, `partially_paid`, `paid`,
/// `refunded`), issue and due dates (`YYYY-MM-DD`, NULL when not given), and the amount paid
/// (`*amount_paid_given` false when not given: the status tells it then, 0 or the amount).
/// Strings are borrowed until the booking is freed; each out pointer may be NULL.
/// Errors: `CRM_ERR_VALIDATION` on `index`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_booking_invoice(
    booking: *const crm_booking,
    index: usize,
    number: *mut *const c_char,
    amount_minor: *mut i64,
    currency: *mut *const c_char,
    payment_status: *mut *const c_char,
    issued_on: *mut *const c_char,
    due_on: *mut *const c_char,
    amount_paid: *mut i64,
    amount_paid_given: *mut bool,
) -> crm_status {
    ffi::call(|| {
        let b = self::booking(booking)?;
        let (invoice, texts) = b
            .booking
            .invoices
            .get(index)
            .zip(b.invoices.get(index))
            .ok_or_else(|| json::validation("index", "past the last invoice"))?;
        ffi::write_if_asked(number, texts.number.as_ptr());
        ffi::write_if_asked(amount_minor, invoice.amount.minor);
        ffi::write_if_asked(currency, texts.currency.as_ptr());
        ffi::write_if_asked(payment_status, texts.payment_status.as_ptr());
        ffi::write_if_asked(issued_on, c_ptr(texts.issued_on.as_ref()));
        ffi::write_if_asked(due_on, c_ptr(texts.due_on.as_ref()));
        ffi::write_if_asked(amount_paid, invoice.paid());
        ffi::write_if_asked(amount_paid_given, invoice.amount_paid.is_some());
        Ok(())
    })
}

/// The whole booking as JSON `{"format": 1, "booking": {...}}`. On success `*out` is a string
/// the caller frees with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_booking_to_json(
    booking: *const crm_booking,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let b = self::booking(booking)?;
        out.write(ffi::string_out(json::envelope("booking", &b.booking)?));
        Ok(())
    })
}

/// Frees a booking. NULL does nothing; a booking freed twice, or borrowed from a list, is
/// detected and left alone.
#[unsafe(no_mangle)]
pub extern "C" fn crm_booking_free(booking: *mut crm_booking) {
    ffi::value((), || ffi::free::<BookingHandle>(booking));
}

// ---- crm_booking_fields -----------------------------------------------------------------------

/// A booking to record: `reference` and `pickup_at` (RFC 3339 with offset,
/// `2026-07-14T08:30:00+02:00`) required; confirmed, unlinked, empty route and no invoices until
/// set. On success `*out` is owned by the caller, freed with `crm_booking_fields_free`.
/// Errors: `CRM_ERR_VALIDATION` (`pickup_at` not a time).
#[unsafe(no_mangle)]
pub extern "C" fn crm_booking_fields_new(
    reference: *const c_char,
    pickup_at: *const c_char,
    out: *mut *mut crm_booking_fields,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let reference = ffi::text_in(reference, "reference")?;
        let pickup = time_in("pickup_at", ffi::text_in(pickup_at, "pickup_at")?)?;
        out.write(ffi::into_raw(BookingFields(NewBooking::new(
            reference, pickup,
        ))));
        Ok(())
    })
}

/// Sets a field (`CRM_BOOKING_CUSTOMER_ID` to `CRM_BOOKING_SALESPERSON`) to `value`. NULL clears
/// an optional field (customer id: keep the current link; return time, transport, hotel,
/// salesperson), empties a route, and is refused for status and pickup time.
/// Errors: `CRM_ERR_VALIDATION` for a customer id, status or time of the wrong form or missing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_booking_fields_set(
    fields: *mut crm_booking_fields,
    field: crm_booking_field,
    value: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let b = &mut ffi::get_mut::<BookingFields>(fields, "fields")?.0;
        let value = ffi::optional_text_in(value, "value")?;
        let owned = value.map(str::to_owned);
        match field {
            CRM_BOOKING_CUSTOMER_ID => {
                b.customer_id = value.map(|v| v.parse()).transpose()?;
            }
            CRM_BOOKING_STATUS => {
                let status = value.ok_or_else(|| json::validation("status", "is required"))?;
                b.status = status.parse()?;
            }
            CRM_BOOKING_PICKUP_AT => {
                let at = value.ok_or_else(|| json::validation("pickup_at", "is required"))?;
                b.pickup_at = time_in("pickup_at", at)?;
            }
            CRM_BOOKING_RETURN_AT => {
                b.return_at = value.map(|v| time_in("return_at", v)).transpose()?;
            }
            CRM_BOOKING_ROUTE_FROM => b.route_from = owned.unwrap_or_default(),
            CRM_BOOKING_ROUTE_TO => b.route_to = owned.unwrap_or_default(),
            CRM_BOOKING_TRANSPORT => b.transport = owned,
            CRM_BOOKING_HOTEL => b.hotel = owned,
            CRM_BOOKING_SALESPERSON => b.salesperson = owned,
            other => {
                return Err(Failure::invalid(format!(
                    "field: {other} cannot be set (unknown or read only)"
                )));
            }
        }
        Ok(())
    })
}

/// Adds an invoice: its number, amount in minor units (cents), ISO 4217 currency, payment
/// status (`unpaid`, `partially_paid`, `paid` or `refunded`; NULL for `unpaid`), issue and due
/// dates (`YYYY-MM-DD`, NULL when not known) and the amount paid in minor units (NULL when not
/// known). A booking has any number of invoices, all in one currency; the upsert checks them
/// and replaces the stored ones. Errors: `CRM_ERR_VALIDATION` naming `payment_status`,
/// `issued_on` or `due_on` when not of their form.
#[unsafe(no_mangle)]
pub extern "C" fn crm_booking_fields_add_invoice(
    fields: *mut crm_booking_fields,
    number: *const c_char,
    amount_minor: i64,
    currency: *const c_char,
    payment_status: *const c_char,
    issued_on: *const c_char,
    due_on: *const c_char,
    amount_paid: *const i64,
) -> crm_status {
    ffi::call(|| {
        let b = &mut ffi::get_mut::<BookingFields>(fields, "fields")?.0;
        let most = crm_core::limits::MAX_INVOICES_PER_BOOKING;
        if b.invoices.len() >= most {
            return Err(json::validation(
                "invoices",
                format!("a booking has at most {most} invoices"),
            ));
        }
        let number = ffi::text_in(number, "number")?.to_owned();
        let currency = ffi::text_in(currency, "currency")?.to_owned();
        let payment_status = match ffi::optional_text_in(payment_status, "payment_status")? {
            Some(status) => status.parse()?,
            None => crm_core::PaymentStatus::Unpaid,
        };
        let day = |text: *const c_char, field: &str| {
            crate::search::day_in(field, ffi::optional_text_in(text, field)?)
        };
        let mut invoice = Invoice::new(
            number,
            Money {
                minor: amount_minor,
                currency,
            },
            payment_status,
        );
        invoice.issued_on = day(issued_on, "issued_on")?;
        invoice.due_on = day(due_on, "due_on")?;
        invoice.amount_paid = ffi::optional_i64_in(amount_paid);
        b.invoices.push(invoice);
        Ok(())
    })
}

/// Removes every invoice of the fields (the upsert then removes the stored ones).
#[unsafe(no_mangle)]
pub extern "C" fn crm_booking_fields_clear_invoices(fields: *mut crm_booking_fields) -> crm_status {
    ffi::call(|| {
        ffi::get_mut::<BookingFields>(fields, "fields")?
            .0
            .invoices
            .clear();
        Ok(())
    })
}

/// A customer's invoices, the latest issued first, with what is owed on each and the totals
/// paid and outstanding per currency. On success `*out` is `{"format": 1, "invoices":
/// {"invoices": [{"booking_reference": "BK-1", "booking_status": "confirmed", "invoice":
/// {"number": "F-1", "issued_on": "2026-05-01", "due_on": null, "amount": {"minor": 30000,
/// "currency": "EUR"}, "amount_paid": 10000, "payment_status": "partially_paid"}, "owed":
/// 20000}...], "paid": [{"minor": 10000, "currency": "EUR"}], "outstanding": [...]}}`, a
/// string the caller frees with `crm_string_free`. Errors: `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_invoices_json(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        let invoices = t.tenant.invoices(&id)?;
        out.write(ffi::string_out(crate::json::envelope(
            "invoices", invoices,
        )?));
        Ok(())
    })
}

/// Frees booking fields. NULL does nothing; fields freed twice are detected and left alone.
#[unsafe(no_mangle)]
pub extern "C" fn crm_booking_fields_free(fields: *mut crm_booking_fields) {
    ffi::value((), || ffi::free::<BookingFields>(fields));
}

// ---- crm_booking_list, crm_customer_stats -----------------------------------------------------

/// How many bookings the list holds; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_booking_list_len(list: *const crm_booking_list) -> usize {
    ffi::value(0, || Ok(ffi::get::<BookingList>(list, "list")?.0.len()))
}

/// The booking at `index`, borrowed from the list (never free it). NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_booking_list_get(
    list: *const crm_booking_list,
    index: usize,
) -> *const crm_booking {
    ffi::value(std::ptr::null(), || {
        let list = ffi::get::<BookingList>(list, "list")?;
        Ok(ffi::item_ptr(&list.0, index))
    })
}

/// Frees a list and the bookings it lends. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_booking_list_free(list: *mut crm_booking_list) {
    ffi::value((), || ffi::free::<BookingList>(list));
}

fn stats<'a>(ptr: *const crm_customer_stats) -> Result<&'a StatsHandle, Failure> {
    ffi::get::<StatsHandle>(ptr, "stats")
}

/// How many bookings are linked to the customer; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_stats_bookings(stats: *const crm_customer_stats) -> u64 {
    ffi::value(0, || Ok(self::stats(stats)?.stats.bookings))
}

/// The pickup time of the latest booking (RFC 3339), or NULL. Borrowed until the stats are freed.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_stats_last_booking(
    stats: *const crm_customer_stats,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(c_ptr(self::stats(stats)?.last_booking.as_ref()))
    })
}

/// How many currencies the customer spent in (invoices of bookings not cancelled).
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_stats_currencies(stats: *const crm_customer_stats) -> usize {
    ffi::value(0, || Ok(self::stats(stats)?.currencies.len()))
}

/// The currency at `index` (ISO 4217), or NULL past the end. Borrowed.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_stats_currency(
    stats: *const crm_customer_stats,
    index: usize,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(c_ptr(self::stats(stats)?.currencies.get(index)))
    })
}

/// The total spent in the currency at `index`, in minor units; 0 past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_stats_spent_minor(
    stats: *const crm_customer_stats,
    index: usize,
) -> i64 {
    ffi::value(0, || {
        Ok(self::stats(stats)?
            .stats
            .total_spent
            .get(index)
            .map_or(0, |m| m.minor))
    })
}

/// Frees customer stats. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_stats_free(stats: *mut crm_customer_stats) {
    ffi::value((), || ffi::free::<StatsHandle>(stats));
}

// ---- tenant calls on bookings --------------------------------------------------------------

/// Records a booking, or replaces the one with the same reference. On success `*out` is the
/// stored booking (freed with `crm_booking_free`) and `*created_out` says whether it is new.
/// Errors: `CRM_ERR_NOT_FOUND` (the customer is not this tenant's), `CRM_ERR_VALIDATION`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_upsert_booking(
    tenant: *const crm_tenant,
    fields: *const crm_booking_fields,
    out: *mut *mut crm_booking,
    created_out: *mut bool,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let created_out = ffi::out(created_out, "created_out")?;
        ffi::distinct(&out, &created_out)?;
        let t = self::tenant(tenant)?;
        let b = ffi::get::<BookingFields>(fields, "fields")?.0.clone();
        let upserted = t.tenant.upsert_booking(&t.actor, b)?;
        out.write(ffi::into_raw(BookingHandle::new(upserted.booking)));
        created_out.write(upserted.created);
        Ok(())
    })
}

/// Records or replaces many bookings in one transaction from JSON
/// `{"format": 1, "bookings": [{"reference": "...", "pickup_at": "2026-07-14T08:30:00+02:00",
/// "customer_id": "...", "status": "confirmed", "route_from": "...", ...}, ...]}` (the field
/// names of `crm_booking_to_json`; status defaults to confirmed, routes to empty). All or
/// nothing. On success `*count_out` is how many were written.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_upsert_bookings_json(
    tenant: *const crm_tenant,
    json: *const c_char,
    count_out: *mut usize,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(count_out, "count_out")?;
        let t = self::tenant(tenant)?;
        let batch: Vec<NewBooking> =
            json::batch(ffi::text_in(json, "json")?, "bookings", |item| {
                for (key, default) in [
                    ("status", "confirmed"),
                    ("route_from", ""),
                    ("route_to", ""),
                ] {
                    item.entry(key)
                        .or_insert_with(|| Value::String(default.into()));
                }
            })?;
        out.write(t.tenant.upsert_bookings(&t.actor, batch)?);
        Ok(())
    })
}

/// One booking by reference. `*out` as for `crm_tenant_upsert_booking`.
/// Errors: `CRM_ERR_NOT_FOUND` (also for another tenant's booking).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_get_booking(
    tenant: *const crm_tenant,
    reference: *const c_char,
    out: *mut *mut crm_booking,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let found = t
            .tenant
            .get_booking(ffi::text_in(reference, "reference")?)?;
        out.write(ffi::into_raw(BookingHandle::new(found)));
        Ok(())
    })
}

/// Links a booking to customer `customer_id`, relinks it, or unlinks it (NULL).
/// `*out` as for `crm_tenant_upsert_booking`. Errors: `CRM_ERR_NOT_FOUND` (booking or customer
/// not this tenant's), `CRM_ERR_VALIDATION` (not an id).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_link_booking(
    tenant: *const crm_tenant,
    reference: *const c_char,
    customer_id: *const c_char,
    out: *mut *mut crm_booking,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let reference = ffi::text_in(reference, "reference")?;
        let customer = match ffi::optional_text_in(customer_id, "customer_id")? {
            Some(id) => Some(id.parse()?),
            None => None,
        };
        let linked = t
            .tenant
            .link_booking(&t.actor, reference, customer.as_ref())?;
        out.write(ffi::into_raw(BookingHandle::new(linked)));
        Ok(())
    })
}

/// A customer's bookings, newest pickup first. On success `*out` is a list freed with
/// `crm_booking_list_free`. Errors: `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_booking_history(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    out: *mut *mut crm_booking_list,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        out.write(ffi::into_raw(BookingList::new(
            t.tenant.booking_history(&id)?,
        )));
        Ok(())
    })
}

/// What a customer spent over time: the invoiced amounts of its bookings (cancelled ones left
/// out) summed per month (`by` `"month"`) or year (`"year"`) of departure and per currency,
/// oldest period first. On success `*out` is `{"format": 1, "spending": [{"amount":
/// {"currency": "EUR", "minor": 12550}, "bookings": 2, "period": "2026-07"}...]}`, a string the caller
/// frees with `crm_string_free`. Errors: `CRM_ERR_VALIDATION` naming `by`; `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_spending_json(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    by: *const c_char,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        let by: crm_core::SpendingPeriod = ffi::text_in(by, "by")?.parse()?;
        let spending = t.tenant.spending(&id, by)?;
        out.write(ffi::string_out(crate::json::envelope(
            "spending", spending,
        )?));
        Ok(())
    })
}

/// A customer's booking count, latest booking and total spent per currency. On success `*out`
/// is freed with `crm_customer_stats_free`. Errors: `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_customer_stats(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    out: *mut *mut crm_customer_stats,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        let stats = t.tenant.customer_stats(&id)?;
        out.write(ffi::into_raw(StatsHandle {
            last_booking: c_opt(stats.last_booking.as_ref().map(rfc3339).as_deref()),
            currencies: stats
                .total_spent
                .iter()
                .map(|m| c_string(m.currency.clone()))
                .collect(),
            stats,
        }));
        Ok(())
    })
}

/// Capture at booking time: the contact typed into a booking updates the one customer record
/// (the one the booking is linked to, else the oldest with that email) or creates it; the
/// booking is then recorded, linked to it (its own customer id is ignored). One transaction.
/// On success `*customer_out` (freed with `crm_customer_free`) and `*booking_out` (freed with
/// `crm_booking_free`) are owned by the caller and `*matched_out` says how the customer was
/// found (`CRM_MATCH_*`). The three out-parameters must be distinct.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_capture_booking(
    tenant: *const crm_tenant,
    contact: *const crm_customer_fields,
    booking: *const crm_booking_fields,
    customer_out: *mut *mut crm_customer,
    booking_out: *mut *mut crm_booking,
    matched_out: *mut crm_match,
) -> crm_status {
    ffi::call(|| {
        let customer_out = ffi::out(customer_out, "customer_out")?;
        let booking_out = ffi::out(booking_out, "booking_out")?;
        let matched_out = ffi::out(matched_out, "matched_out")?;
        ffi::distinct(&customer_out, &booking_out)?;
        ffi::distinct(&customer_out, &matched_out)?;
        ffi::distinct(&booking_out, &matched_out)?;
        let t = self::tenant(tenant)?;
        let contact = fields(contact)?.clone();
        let booking = ffi::get::<BookingFields>(booking, "booking")?.0.clone();
        let captured = t.tenant.capture_booking(&t.actor, contact, booking)?;
        let matched = match_out(captured.matched)?;
        // Every value is built before the first out-parameter is written.
        let customer = CustomerHandle::new(captured.customer);
        let booking = BookingHandle::new(captured.booking);
        customer_out.write(ffi::into_raw(customer));
        booking_out.write(ffi::into_raw(booking));
        matched_out.write(matched);
        Ok(())
    })
}

/// The `CRM_MATCH_*` constant of how a capture matched.
pub(crate) fn match_out(matched: CaptureMatch) -> Result<crm_match, Failure> {
    Ok(match matched {
        CaptureMatch::Created => CRM_MATCH_CREATED,
        CaptureMatch::Booking => CRM_MATCH_BOOKING,
        CaptureMatch::Email => CRM_MATCH_EMAIL,
        // CaptureMatch is non-exhaustive: a new way of matching needs a constant first.
        _ => {
            return Err(crm_core::Error::Internal("capture: unmapped match kind".into()).into());
        }
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn the_booking_field_constants_are_the_core_fields_in_its_order() {
        let defines = crate::ffi::header_defines();
        // The invoices are added by `crm_booking_fields_add_invoice`, read by `crm_booking_invoice`.
        let fields = crm_core::NewBooking::FIELDS
            .iter()
            .filter(|&&f| f != "invoices");
        for (i, field) in fields.enumerate() {
            let constant = format!("CRM_BOOKING_{}", field.to_uppercase());
            assert_eq!(
                defines.get(&constant),
                Some(&(BOOKING_BASE + 1 + i as u32)),
                "{constant}"
            );
        }
        let numbered = defines
            .keys()
            .filter(|name| name.starts_with("CRM_BOOKING_"))
            .count();
        assert_eq!(numbered, BOOKING_FIELDS);
    }

    #[test]
    fn the_setter_takes_every_core_field_but_the_key_and_the_invoices_and_no_other() {
        let defines = crate::ffi::header_defines();
        let mut fields = std::ptr::null_mut();
        let reference = c"R1";
        let pickup = c"2026-07-01T10:00:00+02:00";
        assert_eq!(
            crm_booking_fields_new(reference.as_ptr(), pickup.as_ptr(), &mut fields),
            crate::status::crm_status::CRM_OK
        );
        let value = |name: &str| match name {
            "customer_id" => c"0190b3a0-0000-7000-8000-000000000001",
            "status" => c"confirmed",
            "pickup_at" | "return_at" => c"2026-07-02T10:00:00+02:00",
            _ => c"text",
        };
        let mut settable: Vec<String> = Vec::new();
        for (name, &number) in &defines {
            let Some(field) = name.strip_prefix("CRM_BOOKING_") else {
                continue;
            };
            let field = field.to_lowercase();
            if crm_booking_fields_set(fields, number, value(&field).as_ptr())
                == crate::status::crm_status::CRM_OK
            {
                settable.push(field);
            }
        }
        crm_booking_fields_free(fields);
        settable.sort();
        let mut core: Vec<String> = crm_core::NewBooking::FIELDS
            .iter()
            .filter(|&&f| f != "reference" && f != "invoices")
            .map(|f| f.to_string())
            .collect();
        core.sort();
        assert_eq!(settable, core);
    }

    /// Each core value's constant, by the core's name (`CRM_ROLE_AGENT` for `agent`).
    fn constant(defines: &HashMap<String, u32>, prefix: &str, name: &str) -> u32 {
        let constant = format!("{prefix}{}", name.to_uppercase());
        *defines
            .get(&constant)
            .unwrap_or_else(|| panic!("{constant} is not in the header"))
    }

    /// The header's names of a family, sorted.
    fn family(defines: &HashMap<String, u32>, prefix: &str) -> Vec<String> {
        let mut names: Vec<String> = defines
            .keys()
            .filter_map(|name| name.strip_prefix(prefix))
            .map(str::to_lowercase)
            .collect();
        names.sort();
        names
    }

    fn sorted<T: std::fmt::Display>(all: &[T]) -> Vec<String> {
        let mut names: Vec<String> = all.iter().map(T::to_string).collect();
        names.sort();
        names
    }

    #[test]
    fn every_role_channel_capture_match_and_issue_kind_maps_to_its_constant_both_ways() {
        use crm_core::{Channel, IssueKind, Role};
        let defines = crate::ffi::header_defines();
        assert_eq!(family(&defines, "CRM_ROLE_"), sorted(Role::ALL));
        for role in Role::ALL {
            let number = constant(&defines, "CRM_ROLE_", role.as_str());
            assert_eq!(crate::db::role_in(number).unwrap(), *role);
        }
        assert_eq!(family(&defines, "CRM_CHANNEL_"), sorted(Channel::ALL));
        for channel in Channel::ALL {
            let number = constant(&defines, "CRM_CHANNEL_", channel.as_str());
            assert_eq!(crate::outreach::channel_in(number).unwrap(), *channel);
            assert_eq!(crate::outreach::channel_out(*channel), number);
        }
        assert_eq!(family(&defines, "CRM_MATCH_"), sorted(CaptureMatch::ALL));
        for matched in CaptureMatch::ALL {
            let number = constant(&defines, "CRM_MATCH_", matched.as_str());
            assert_eq!(match_out(*matched).unwrap(), number);
        }
        assert_eq!(family(&defines, "CRM_ISSUE_"), sorted(IssueKind::ALL));
        for kind in IssueKind::ALL {
            let number = constant(&defines, "CRM_ISSUE_", kind.as_str());
            assert_eq!(crate::import::issue_out(*kind), number);
        }
    }
}
