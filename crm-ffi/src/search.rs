//! Search and the customer list: `crm_search_query` (type-ahead text and find-customer
//! filters), `crm_customer_page` and its `crm_customer_row`s.

use std::ffi::{CString, c_char};

use chrono::{NaiveDate, SecondsFormat};
use crm_core::{
    Cursor, CustomerListQuery, CustomerQuery, CustomerRow, CustomerSort, Page, RelativePeriod,
    SearchFilter, SearchPeriod, SearchSort,
};
use serde_json::json;

use crate::db::{crm_tenant, tenant};
use crate::ffi::{self, Handle, Texts, c_opt, c_ptr, c_string};
use crate::json;
use crate::status::{Failure, crm_status};

/// A search: the typed text and the filters of the find-customer form, combined with AND.
pub struct crm_search_query {
    _private: [u8; 0],
}

/// One page of customer-list rows (from a search or the customer list), with the total count.
pub struct crm_customer_page {
    _private: [u8; 0],
}

/// One row of a page: name, email, phone, bookings count, latest booking. Borrowed from its page.
pub struct crm_customer_row {
    _private: [u8; 0],
}

/// A text filter of the find-customer form, for `crm_search_query_filter`.
pub type crm_filter = u32;
/// First name (word prefixes).
pub const CRM_FILTER_FIRST_NAME: crm_filter = 601;
/// Last name (word prefixes).
pub const CRM_FILTER_LAST_NAME: crm_filter = 602;
/// Company (word prefixes).
pub const CRM_FILTER_COMPANY: crm_filter = 603;
/// Main or secondary email, whole address, case-insensitive.
pub const CRM_FILTER_EMAIL: crm_filter = 604;
/// Any phone field: digits in national or international form, or the last digits.
pub const CRM_FILTER_PHONE: crm_filter = 605;
/// Postal code.
pub const CRM_FILTER_ZIP: crm_filter = 606;
/// City (word prefixes).
pub const CRM_FILTER_CITY: crm_filter = 607;
/// Street and number (word prefixes).
pub const CRM_FILTER_ADDRESS: crm_filter = 608;
/// Contact person (word prefixes).
pub const CRM_FILTER_CONTACT_PERSON: crm_filter = 609;
/// Country, ISO 3166-1 alpha-2.
pub const CRM_FILTER_COUNTRY: crm_filter = 610;
/// Region.
pub const CRM_FILTER_REGION: crm_filter = 611;
/// Language tag.
pub const CRM_FILTER_LANGUAGE: crm_filter = 612;
/// Salesperson.
pub const CRM_FILTER_SALESPERSON: crm_filter = 613;
/// Member of this customer list.
pub const CRM_FILTER_LIST: crm_filter = 614;
/// Has a booking with this transport. Booking filters given together (departure period,
/// transport, hotel, status, booking salesperson) must hold for one booking.
pub const CRM_FILTER_TRANSPORT: crm_filter = 615;
/// Has a booking at this hotel.
pub const CRM_FILTER_HOTEL: crm_filter = 616;
/// Has a booking with this status (`confirmed`...).
pub const CRM_FILTER_BOOKING_STATUS: crm_filter = 617;
/// `yes` or `no`: has a main email.
pub const CRM_FILTER_HAS_EMAIL: crm_filter = 618;
/// `yes` or `no`: has a mobile number.
pub const CRM_FILTER_HAS_MOBILE: crm_filter = 619;
/// The `phone` field only, matched as `CRM_FILTER_PHONE` matches any phone.
pub const CRM_FILTER_MAIN_PHONE: crm_filter = 620;
/// The `mobile` field only.
pub const CRM_FILTER_MOBILE: crm_filter = 621;
/// The `fax` field only.
pub const CRM_FILTER_FAX: crm_filter = 622;
/// The `emergency_phone` field only.
pub const CRM_FILTER_EMERGENCY_PHONE: crm_filter = 623;
/// Postal codes that start with the value (`75` for Paris).
pub const CRM_FILTER_ZIP_PREFIX: crm_filter = 624;
/// Has a booking made by this salesperson (the booking's, not the customer's).
pub const CRM_FILTER_BOOKING_SALESPERSON: crm_filter = 625;
/// Has an invoice in this payment status (`unpaid`, `partially_paid`, `paid`, `refunded`).
pub const CRM_FILTER_PAYMENT_STATUS: crm_filter = 626;
/// `yes` or `no`: has an invoice with something still owed on it (unpaid or part paid, its
/// booking not cancelled, its amount not all paid).
pub const CRM_FILTER_HAS_OUTSTANDING: crm_filter = 627;

/// A period filter, for `crm_search_query_period`.
pub type crm_period = u32;
/// Has a booking departing (pickup) on a day in the period.
pub const CRM_PERIOD_DEPARTURE: crm_period = 701;
/// Created on a day in the period.
pub const CRM_PERIOD_CREATED: crm_period = 702;
/// Latest booking on a day in the period (customers who never booked never match).
pub const CRM_PERIOD_LAST_BOOKING: crm_period = 703;

/// Each filter's number and the core's name for it ([`SearchFilter`]): the one table between
/// them, checked against the core's list and the header by the tests.
const FILTERS: [(crm_filter, &str); 27] = [
    (CRM_FILTER_FIRST_NAME, "first_name"),
    (CRM_FILTER_LAST_NAME, "last_name"),
    (CRM_FILTER_COMPANY, "company"),
    (CRM_FILTER_EMAIL, "email"),
    (CRM_FILTER_PHONE, "phone"),
    (CRM_FILTER_MAIN_PHONE, "main_phone"),
    (CRM_FILTER_MOBILE, "mobile"),
    (CRM_FILTER_FAX, "fax"),
    (CRM_FILTER_EMERGENCY_PHONE, "emergency_phone"),
    (CRM_FILTER_ZIP, "zip"),
    (CRM_FILTER_ZIP_PREFIX, "zip_prefix"),
    (CRM_FILTER_CITY, "city"),
    (CRM_FILTER_ADDRESS, "address"),
    (CRM_FILTER_CONTACT_PERSON, "contact_person"),
    (CRM_FILTER_COUNTRY, "country"),
    (CRM_FILTER_REGION, "region"),
    (CRM_FILTER_LANGUAGE, "language"),
    (CRM_FILTER_SALESPERSON, "salesperson"),
    (CRM_FILTER_LIST, "list"),
    (CRM_FILTER_TRANSPORT, "transport"),
    (CRM_FILTER_HOTEL, "hotel"),
    (CRM_FILTER_BOOKING_SALESPERSON, "booking_salesperson"),
    (CRM_FILTER_BOOKING_STATUS, "booking_status"),
    (CRM_FILTER_HAS_EMAIL, "has_email"),
    (CRM_FILTER_HAS_MOBILE, "has_mobile"),
    (CRM_FILTER_PAYMENT_STATUS, "payment_status"),
    (CRM_FILTER_HAS_OUTSTANDING, "has_outstanding"),
];

/// Each period's number and the core's name for it ([`SearchPeriod`]).
const PERIODS: [(crm_period, &str); 3] = [
    (CRM_PERIOD_DEPARTURE, "departure"),
    (CRM_PERIOD_CREATED, "created"),
    (CRM_PERIOD_LAST_BOOKING, "last_booking"),
];

/// [`ffi::named`] with the message of an unknown number of this family.
fn named<T: std::str::FromStr<Err = crm_core::Error>>(
    table: &[(u32, &str)],
    number: u32,
    what: &str,
) -> Result<T, Failure> {
    ffi::named(table, number, || format!("{what}: unknown {what} {number}"))
}

/// The order of results.
pub type crm_sort = u32;
/// Search only: best match first, then latest bookers (the default of a search).
pub const CRM_SORT_RELEVANCE: crm_sort = 800;
/// Last name then first name, accents and case folded (the default of the list).
pub const CRM_SORT_NAME: crm_sort = 801;
/// Latest booking first.
pub const CRM_SORT_LAST_BOOKING: crm_sort = 802;
/// Newest customer first.
pub const CRM_SORT_CREATED_AT: crm_sort = 803;

/// Each sort's number and the core's name for it (`SearchSort`, `CustomerSort`): the one table
/// between them, checked against the core's lists and the header by the tests.
pub(crate) const SORTS: [(crm_sort, &str); 4] = [
    (CRM_SORT_RELEVANCE, "relevance"),
    (CRM_SORT_NAME, "name"),
    (CRM_SORT_LAST_BOOKING, "last_booking"),
    (CRM_SORT_CREATED_AT, "created_at"),
];

/// The core's sort (of a search or of the list) named by a `crm_sort`; a number of no sort, or
/// of one this order does not take (relevance for the list), is an invalid argument.
fn sort_of<T: std::str::FromStr<Err = crm_core::Error>>(sort: crm_sort) -> Result<T, Failure> {
    named(&SORTS, sort, "sort").map_err(|e| match SORTS.iter().any(|(n, _)| *n == sort) {
        true => Failure::invalid(format!("sort: {sort} does not sort the list")),
        false => e,
    })
}

/// A field of a row, for `crm_customer_row_get`.
pub type crm_row_field = u32;
/// The customer's id.
pub const CRM_ROW_ID: crm_row_field = 901;
/// First name.
pub const CRM_ROW_FIRST_NAME: crm_row_field = 902;
/// Last name.
pub const CRM_ROW_LAST_NAME: crm_row_field = 903;
/// Main email.
pub const CRM_ROW_EMAIL: crm_row_field = 904;
/// Phone as typed: the landline, else the mobile.
pub const CRM_ROW_PHONE: crm_row_field = 905;
/// Pickup time of the latest booking, RFC 3339.
pub const CRM_ROW_LAST_BOOKING: crm_row_field = 906;
/// When the customer was created, RFC 3339 UTC.
pub const CRM_ROW_CREATED_AT: crm_row_field = 907;
/// First and last name joined by a space (the one name of a customer that has one).
pub const CRM_ROW_FULL_NAME: crm_row_field = 908;

/// The number of `CRM_ROW_*` constants (numbered from 901).
const ROW_FIELDS: usize = 8;
const ROW_BASE: u32 = 900;

pub(crate) struct QueryHandle(pub(crate) CustomerQuery);

impl Handle for QueryHandle {
    type C = crm_search_query;
    const NAME: &'static str = "crm_search_query";
}

/// A row with its texts as C strings.
pub(crate) struct RowHandle {
    row: CustomerRow,
    texts: Texts,
}

impl Handle for RowHandle {
    type C = crm_customer_row;
    const NAME: &'static str = "crm_customer_row";
}

impl RowHandle {
    pub(crate) fn new(row: CustomerRow) -> Self {
        let mut texts = Texts::new(ROW_BASE, ROW_FIELDS);
        let time = |t: String| Some(c_string(t));
        texts.set(CRM_ROW_ID, Some(c_string(row.id.to_string())));
        texts.set(CRM_ROW_FIRST_NAME, Some(c_string(row.first_name.clone())));
        texts.set(CRM_ROW_LAST_NAME, Some(c_string(row.last_name.clone())));
        texts.set(CRM_ROW_EMAIL, c_opt(row.email.as_deref()));
        texts.set(CRM_ROW_PHONE, c_opt(row.phone.as_deref()));
        texts.set(
            CRM_ROW_LAST_BOOKING,
            row.last_booking
                .and_then(|t| time(t.to_rfc3339_opts(SecondsFormat::AutoSi, true))),
        );
        texts.set(
            CRM_ROW_CREATED_AT,
            time(row.created_at.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        );
        texts.set(CRM_ROW_FULL_NAME, Some(c_string(row.full_name())));
        Self { row, texts }
    }
}

pub(crate) struct PageHandle {
    rows: Vec<RowHandle>,
    total: u64,
    next: Option<CString>,
    behind: u64,
}

impl PageHandle {
    fn new(rows: Vec<CustomerRow>, total: u64, next: Option<&Cursor>) -> Self {
        let rows: Vec<RowHandle> = rows.into_iter().map(RowHandle::new).collect();
        ffi::lend(&rows);
        Self {
            rows,
            total,
            next: c_opt(next.map(Cursor::as_str)),
            behind: 0,
        }
    }
}

impl Drop for PageHandle {
    fn drop(&mut self) {
        ffi::unlend(&self.rows);
    }
}

impl Handle for PageHandle {
    type C = crm_customer_page;
    const NAME: &'static str = "crm_customer_page";
}

fn query<'a>(ptr: *mut crm_search_query) -> Result<&'a mut CustomerQuery, Failure> {
    ffi::get_mut::<QueryHandle>(ptr, "query").map(|q| &mut q.0)
}

fn page<'a>(ptr: *const crm_customer_page) -> Result<&'a PageHandle, Failure> {
    ffi::get::<PageHandle>(ptr, "page")
}

fn row<'a>(ptr: *const crm_customer_row) -> Result<&'a RowHandle, Failure> {
    ffi::get::<RowHandle>(ptr, "row")
}

pub(crate) fn day_in(field: &str, text: Option<&str>) -> Result<Option<NaiveDate>, Failure> {
    text.map(|t| {
        NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
            .map_err(|_| json::validation(field, "not a date (YYYY-MM-DD)"))
    })
    .transpose()
}

// ---- crm_search_query --------------------------------------------------------------------------

/// A search for the typed `text` (NULL or empty: filters only), 20 rows from the first, by
/// relevance. On success `*out` is owned by the caller, freed with `crm_search_query_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_search_query_new(
    text: *const c_char,
    out: *mut *mut crm_search_query,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let query = match ffi::optional_text_in(text, "text")? {
            Some(text) => CustomerQuery::text(text),
            None => CustomerQuery::all(),
        };
        out.write(ffi::into_raw(QueryHandle(query)));
        Ok(())
    })
}

/// Adds a filter (`CRM_FILTER_*`) with its value (a blank value is ignored, as an empty form
/// field). Errors: `CRM_ERR_VALIDATION` (a booking or payment status, or a yes/no, of the
/// wrong form).
#[unsafe(no_mangle)]
pub extern "C" fn crm_search_query_filter(
    query: *mut crm_search_query,
    filter: crm_filter,
    value: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let q = self::query(query)?;
        let value = ffi::text_in(value, "value")?;
        let filter: SearchFilter = named(&FILTERS, filter, "filter")?;
        // On a copy: a refused value leaves the query as it was.
        *q = q.clone().filter(filter, value)?;
        Ok(())
    })
}

/// Only the customer with this customer no.
#[unsafe(no_mangle)]
pub extern "C" fn crm_search_query_customer_no(
    query: *mut crm_search_query,
    customer_no: i64,
) -> crm_status {
    ffi::call(|| {
        let q = self::query(query)?;
        *q = std::mem::take(q).customer_no(customer_no);
        Ok(())
    })
}

/// A period filter (`CRM_PERIOD_*`) over days `from` to `to` (`YYYY-MM-DD`, either NULL for an
/// open end). Errors: `CRM_ERR_VALIDATION` (not a date).
#[unsafe(no_mangle)]
pub extern "C" fn crm_search_query_period(
    query: *mut crm_search_query,
    period: crm_period,
    from: *const c_char,
    to: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let q = self::query(query)?;
        let from = day_in("from", ffi::optional_text_in(from, "from")?)?;
        let to = day_in("to", ffi::optional_text_in(to, "to")?)?;
        let period: SearchPeriod = named(&PERIODS, period, "period")?;
        *q = std::mem::take(q).period(period, from, to);
        Ok(())
    })
}

/// A period filter (`CRM_PERIOD_*`) relative to the day the search runs, in the tenant's time
/// zone (`crm_tenant_set_time_zone`): `relative` is one of `today`, `yesterday`, `tomorrow`,
/// `this week|month|year`, `last week|month|year` (the calendar one before), `next
/// week|month|year`, `last N days|weeks|months|years` (today and before), `next N ...` (today
/// and after), `more than N ... ago`, `more than N ... ahead` (N from 1 to 1000). A saved
/// search keeps it relative: each run reads it on its own day. Errors: `CRM_ERR_VALIDATION`
/// naming `period` (not such a text).
#[unsafe(no_mangle)]
pub extern "C" fn crm_search_query_relative_period(
    query: *mut crm_search_query,
    period: crm_period,
    relative: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let q = self::query(query)?;
        let relative: RelativePeriod = ffi::text_in(relative, "relative")?.parse()?;
        let period: SearchPeriod = named(&PERIODS, period, "period")?;
        *q = std::mem::take(q).within(period, relative);
        Ok(())
    })
}

/// The order of results (`CRM_SORT_*`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_search_query_sort(
    query: *mut crm_search_query,
    sort: crm_sort,
) -> crm_status {
    ffi::call(|| {
        let q = self::query(query)?;
        let sort: SearchSort = sort_of(sort)?;
        *q = std::mem::take(q).sort(sort);
        Ok(())
    })
}

/// Which rows: skip `offset`, then at most `limit` (1 to 1000); `offset + limit` at most
/// 10,000 (page deeper through `crm_tenant_list_customers` and its cursor). Both are checked
/// by the search, which answers `CRM_ERR_VALIDATION` outside them.
#[unsafe(no_mangle)]
pub extern "C" fn crm_search_query_page(
    query: *mut crm_search_query,
    offset: u64,
    limit: u32,
) -> crm_status {
    ffi::call(|| {
        let q = self::query(query)?;
        *q = std::mem::take(q).offset(offset).limit(limit);
        Ok(())
    })
}

/// Frees a query. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_search_query_free(query: *mut crm_search_query) {
    ffi::value((), || ffi::free::<QueryHandle>(query));
}

// ---- tenant calls ----------------------------------------------------------------------------

/// Searches the tenant's customers. Every write made through this `crm_db` (and its tenants)
/// is seen by the next search; writes of other handles and processes are taken in for a bounded
/// time per search, and `crm_customer_page_behind` says how many the answer did not reflect
/// yet. On success `*out` is a page (no `next` cursor: page with `crm_search_query_page`) freed
/// with `crm_customer_page_free`.
/// Errors: `CRM_ERR_VALIDATION` (the page, text or a filter out of bounds, naming it),
/// `CRM_ERR_SEARCH`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_search(
    tenant: *const crm_tenant,
    query: *const crm_search_query,
    out: *mut *mut crm_customer_page,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let q = &ffi::get::<QueryHandle>(query, "query")?.0;
        let found = t.tenant.search(q)?;
        let mut page = PageHandle::new(found.items, found.total, None);
        page.behind = found.behind;
        out.write(ffi::into_raw(page));
        Ok(())
    })
}

/// One page of the customer list: `sort` (`CRM_SORT_NAME` A to Z, `CRM_SORT_LAST_BOOKING` or
/// `CRM_SORT_CREATED_AT` newest first), `reverse` for the other way, `limit` rows (1 to 1000),
/// after the `next` cursor of the previous page (`after`, NULL for the first). On success
/// `*out` is a page freed with `crm_customer_page_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_list_customers(
    tenant: *const crm_tenant,
    sort: crm_sort,
    reverse: bool,
    limit: u32,
    after: *const c_char,
    out: *mut *mut crm_customer_page,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let sort: CustomerSort = sort_of(sort)?;
        let mut query = CustomerListQuery::new(sort).limit(limit);
        if reverse {
            query = query.reversed();
        }
        if let Some(after) = ffi::optional_text_in(after, "after")? {
            query = query.after(Cursor::parse(after)?);
        }
        let page: Page<CustomerRow> = t.tenant.list_customers(&query)?;
        out.write(ffi::into_raw(PageHandle::new(
            page.items,
            page.total,
            page.next.as_ref(),
        )));
        Ok(())
    })
}

// ---- crm_customer_page, crm_customer_row --------------------------------------------------

/// How many customers match (search) or are listed (list) in all pages; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_page_total(page: *const crm_customer_page) -> u64 {
    ffi::value(0, || Ok(self::page(page)?.total))
}

/// For a search: how many changes (writes of other handles or processes) the search index had
/// not taken in yet when it ran, 0 when it was current; 0 for the customer list and on a bad
/// handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_page_behind(page: *const crm_customer_page) -> u64 {
    ffi::value(0, || Ok(self::page(page)?.behind))
}

/// How many rows this page holds.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_page_len(page: *const crm_customer_page) -> usize {
    ffi::value(0, || Ok(self::page(page)?.rows.len()))
}

/// The cursor of the next page of the list (pass it as `after`), or NULL on the last page and
/// for a search. Borrowed until the page is freed.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_page_next(page: *const crm_customer_page) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(c_ptr(self::page(page)?.next.as_ref()))
    })
}

/// The row at `index`, borrowed from the page (never free it). NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_page_row(
    page: *const crm_customer_page,
    index: usize,
) -> *const crm_customer_row {
    ffi::value(std::ptr::null(), || {
        Ok(ffi::item_ptr(&self::page(page)?.rows, index))
    })
}

/// The page as JSON `{"format": 1, "page": {"total": n, "next": "..." or null, "items": [...]}}`.
/// On success `*out` is a string the caller frees with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_page_to_json(
    page: *const crm_customer_page,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let p = self::page(page)?;
        let items: Vec<&CustomerRow> = p.rows.iter().map(|r| &r.row).collect();
        let next = p.next.as_ref().and_then(|n| n.to_str().ok());
        let body = json!({ "total": p.total, "next": next, "items": json::to_value(items)? });
        out.write(ffi::string_out(json::envelope("page", body)?));
        Ok(())
    })
}

/// Frees a page and its rows. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_page_free(page: *mut crm_customer_page) {
    ffi::value((), || ffi::free::<PageHandle>(page));
}

/// A field of a row (`CRM_ROW_*`) as text. Borrowed until the page is freed; NULL when empty.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_row_get(
    row: *const crm_customer_row,
    field: crm_row_field,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        self::row(row)?.texts.get(field, "crm_row_field")
    })
}

/// The row's customer no.; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_row_no(row: *const crm_customer_row) -> i64 {
    ffi::value(0, || Ok(self::row(row)?.row.customer_no))
}

/// How many bookings the row's customer has; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_customer_row_bookings(row: *const crm_customer_row) -> u64 {
    ffi::value(0, || Ok(self::row(row)?.row.bookings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sort_table_names_every_core_sort_once_as_the_header_does() {
        let names: Vec<&str> = SORTS.iter().map(|(_, n)| *n).collect();
        let search: Vec<&str> = SearchSort::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names, search,
            "one C sort per search sort, in the core's order"
        );
        for sort in CustomerSort::ALL {
            assert!(names.contains(&sort.as_str()), "{sort}");
        }
        let defines = crate::ffi::header_defines();
        for (number, name) in SORTS {
            let constant = format!("CRM_SORT_{}", name.to_uppercase());
            assert_eq!(defines.get(&constant), Some(&number), "{constant}");
            assert_eq!(sort_of::<SearchSort>(number).unwrap().as_str(), name);
        }
        match sort_of::<CustomerSort>(CRM_SORT_RELEVANCE) {
            Err(Failure::Invalid(message)) => {
                assert_eq!(message, "sort: 800 does not sort the list");
            }
            other => panic!("{:?}", other.map(|s| s.as_str())),
        }
        assert!(sort_of::<SearchSort>(799).is_err());
    }

    #[test]
    fn the_filter_and_period_tables_name_every_core_one_once_as_the_header_does() {
        let defines = crate::ffi::header_defines();
        let filters: Vec<&str> = FILTERS.iter().map(|(_, n)| *n).collect();
        let core: Vec<&str> = SearchFilter::ALL.iter().map(|f| f.as_str()).collect();
        assert_eq!(filters, core);
        for (number, name) in FILTERS {
            let constant = format!("CRM_FILTER_{}", name.to_uppercase());
            assert_eq!(defines.get(&constant), Some(&number), "{constant}");
            let filter: SearchFilter = named(&FILTERS, number, "filter").unwrap();
            assert_eq!(filter.as_str(), name);
        }
        let periods: Vec<&str> = PERIODS.iter().map(|(_, n)| *n).collect();
        let core: Vec<&str> = SearchPeriod::ALL.iter().map(|p| p.as_str()).collect();
        assert_eq!(periods, core);
        for (number, name) in PERIODS {
            let constant = format!("CRM_PERIOD_{}", name.to_uppercase());
            assert_eq!(defines.get(&constant), Some(&number), "{constant}");
        }
        assert!(named::<SearchFilter>(&FILTERS, 600, "filter").is_err());
    }
}
