//! The exported functions called directly from Rust, as a C caller would call them.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString, c_char};
use std::ptr;

use crm_ffi::*;

fn c(text: &str) -> CString {
    CString::new(text).expect("test strings hold no NUL")
}

fn text(ptr: *const c_char) -> Option<String> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: the library returns NUL-terminated strings that live as long as their handle.
    Some(
        unsafe { CStr::from_ptr(ptr) }
            .to_str()
            .expect("the library returns UTF-8")
            .to_owned(),
    )
}

fn last_error() -> String {
    text(crm_last_error()).expect("the last error is never NULL")
}

struct Fixture {
    db: *mut crm_db,
    tenant: *mut crm_tenant,
}

impl Fixture {
    fn new(tenant_id: &str) -> Self {
        let mut db = ptr::null_mut();
        assert_eq!(crm_db_open_in_memory(&mut db), crm_status::CRM_OK);
        let tenant = Self::open(db, tenant_id);
        Self { db, tenant }
    }

    fn open(db: *const crm_db, tenant_id: &str) -> *mut crm_tenant {
        let mut tenant = ptr::null_mut();
        let status = crm_tenant_open(
            db,
            c(tenant_id).as_ptr(),
            c("u-1").as_ptr(),
            CRM_ROLE_AGENT,
            &mut tenant,
        );
        assert_eq!(status, crm_status::CRM_OK, "{}", last_error());
        tenant
    }

    fn create(&self, first: &str, last: &str, email: Option<&str>) -> *mut crm_customer {
        create_in(self.tenant, first, last, email)
    }
}

fn create_in(
    tenant: *const crm_tenant,
    first: &str,
    last: &str,
    email: Option<&str>,
) -> *mut crm_customer {
    let mut fields = ptr::null_mut();
    assert_eq!(crm_customer_fields_new(&mut fields), crm_status::CRM_OK);
    let email = email.map(c);
    for (field, value) in [
        (CRM_FIELD_FIRST_NAME, Some(c(first))),
        (CRM_FIELD_LAST_NAME, Some(c(last))),
        (CRM_FIELD_EMAIL, email),
    ] {
        let value = value.as_ref().map_or(ptr::null(), |v| v.as_ptr());
        assert_eq!(
            crm_customer_fields_set(fields, field, value),
            crm_status::CRM_OK
        );
    }
    let mut customer = ptr::null_mut();
    let status = crm_tenant_create_customer(tenant, fields, &mut customer);
    assert_eq!(status, crm_status::CRM_OK, "{}", last_error());
    crm_customer_fields_free(fields);
    customer
}

impl Drop for Fixture {
    fn drop(&mut self) {
        crm_tenant_free(self.tenant);
        crm_db_free(self.db);
    }
}

#[test]
fn a_customer_round_trips_through_the_getters() {
    let f = Fixture::new("agency-1");
    let customer = f.create("Zoë", "Ørsted 🧳", Some("Zoe@Example.org"));
    assert_eq!(crm_customer_no(customer), 1);
    assert_eq!(
        text(crm_customer_get(customer, CRM_FIELD_LAST_NAME)).as_deref(),
        Some("Ørsted 🧳")
    );
    assert_eq!(
        text(crm_customer_get(customer, CRM_FIELD_EMAIL)).as_deref(),
        Some("Zoe@Example.org")
    );
    let id = text(crm_customer_id(customer)).unwrap();
    let mut again = ptr::null_mut();
    assert_eq!(
        crm_tenant_get_customer(f.tenant, c(&id).as_ptr(), &mut again),
        crm_status::CRM_OK
    );
    assert_eq!(text(crm_customer_id(again)), Some(id));
    let mut json = ptr::null_mut();
    assert_eq!(crm_customer_to_json(again, &mut json), crm_status::CRM_OK);
    let value: serde_json::Value = serde_json::from_str(&text(json).unwrap()).unwrap();
    assert_eq!(value["format"], 1);
    assert_eq!(value["customer"]["first_name"], "Zoë");
    crm_string_free(json);
    crm_customer_free(again);
    crm_customer_free(customer);
}

#[test]
fn out_parameters_are_untouched_on_failure() {
    let f = Fixture::new("agency-1");
    let sentinel = 0x5a5a_usize as *mut crm_customer;
    let mut out = sentinel;
    let status = crm_tenant_get_customer(
        f.tenant,
        c("0190c6d4-1b2c-7d3e-8f40-123456789abc").as_ptr(),
        &mut out,
    );
    assert_eq!(status, crm_status::CRM_ERR_NOT_FOUND);
    assert_eq!(out, sentinel);
    assert!(last_error().contains("customer not found"));

    let status = crm_tenant_get_customer(f.tenant, c("not-a-uuid").as_ptr(), &mut out);
    assert_eq!(status, crm_status::CRM_ERR_VALIDATION);
    assert_eq!(text(crm_last_error_field()).as_deref(), Some("customer_id"));
    assert_eq!(out, sentinel);

    // A NULL out-parameter is refused before any work: nothing is created.
    let mut fields = ptr::null_mut();
    crm_customer_fields_new(&mut fields);
    crm_customer_fields_set(fields, CRM_FIELD_FIRST_NAME, c("A").as_ptr());
    crm_customer_fields_set(fields, CRM_FIELD_LAST_NAME, c("B").as_ptr());
    assert_eq!(
        crm_tenant_create_customer(f.tenant, fields, ptr::null_mut()),
        crm_status::CRM_ERR_INVALID_ARGUMENT
    );
    crm_customer_fields_free(fields);
    let mut page = ptr::null_mut();
    crm_tenant_list_customers(f.tenant, CRM_SORT_NAME, false, 10, ptr::null(), &mut page);
    assert_eq!(crm_customer_page_total(page), 0);
    crm_customer_page_free(page);
}

#[test]
fn the_last_error_is_cleared_by_a_success_and_kept_per_thread() {
    let f = Fixture::new("agency-1");
    let mut out = ptr::null_mut();
    assert_eq!(
        crm_tenant_get_customer_by_no(f.tenant, 9, &mut out),
        crm_status::CRM_ERR_NOT_FOUND
    );
    assert!(!last_error().is_empty());
    let other_thread = std::thread::spawn(|| text(crm_last_error()).unwrap())
        .join()
        .unwrap();
    assert_eq!(other_thread, "", "another thread has its own last error");
    let customer = f.create("A", "B", None);
    assert_eq!(last_error(), "");
    assert!(crm_last_error_field().is_null());
    crm_customer_free(customer);
}

#[test]
fn freed_and_foreign_handles_are_refused() {
    let f = Fixture::new("agency-1");
    let customer = f.create("A", "B", None);
    crm_customer_free(customer);
    assert!(crm_customer_id(customer).is_null());
    assert!(last_error().contains("not a live crm_customer"));
    crm_customer_free(customer);
    assert!(last_error().contains("freed twice"));

    // A tenant passed where a customer is expected, and a made-up pointer.
    assert_eq!(crm_customer_no(f.tenant.cast()), 0);
    assert!(last_error().contains("not a live crm_customer"));
    let mut fields = ptr::null_mut();
    assert_eq!(
        crm_customer_fields_from_customer(0x1000 as *const crm_customer, &mut fields),
        crm_status::CRM_ERR_INVALID_ARGUMENT
    );
    assert!(fields.is_null());
}

#[test]
fn every_status_has_a_distinct_name() {
    let names: Vec<String> = (0..=11)
        .map(|s| text(crm_status_name(s)).unwrap())
        .collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 12);
    assert_eq!(names[0], "CRM_OK");
    assert_eq!(names[crm_status::CRM_ERR_PANIC as usize], "CRM_ERR_PANIC");
    assert_eq!(
        names[crm_status::CRM_ERR_FEED_COMPACTED as usize],
        "CRM_ERR_FEED_COMPACTED"
    );
    assert_eq!(text(crm_status_name(12)).unwrap(), "CRM_UNKNOWN_STATUS");
}

#[test]
fn tenants_never_see_each_other() {
    let f = Fixture::new("agency-1");
    let theirs = Fixture::open(f.db, "agency-2");
    let mine = f.create("Hidden", "Away", Some("hidden@example.com"));
    let id = text(crm_customer_id(mine)).unwrap();
    let mut out = ptr::null_mut();
    assert_eq!(
        crm_tenant_get_customer(theirs, c(&id).as_ptr(), &mut out),
        crm_status::CRM_ERR_NOT_FOUND
    );
    let mut list = ptr::null_mut();
    crm_tenant_find_customers_by_email(theirs, c("hidden@example.com").as_ptr(), &mut list);
    assert_eq!(crm_customer_list_len(list), 0);
    crm_customer_list_free(list);
    let mut query = ptr::null_mut();
    crm_search_query_new(c("hidden").as_ptr(), &mut query);
    let mut page = ptr::null_mut();
    assert_eq!(
        crm_tenant_search(theirs, query, &mut page),
        crm_status::CRM_OK
    );
    assert_eq!(crm_customer_page_total(page), 0);
    crm_customer_page_free(page);
    crm_search_query_free(query);
    let mut events = ptr::null_mut();
    crm_tenant_changes_since(theirs, 0, 100, &mut events);
    assert_eq!(crm_change_list_len(events), 0);
    crm_change_list_free(events);
    crm_customer_free(mine);
    crm_tenant_free(theirs);
}

/// A pointer that may cross threads: the C API says tenants may be used from several threads.
#[derive(Clone, Copy)]
struct Shared(*const crm_tenant);
// SAFETY: crm_tenant is documented as safe to use from several threads at once.
unsafe impl Send for Shared {}

#[test]
fn one_tenant_serves_several_threads() {
    let f = Fixture::new("agency-1");
    let shared = Shared(f.tenant);
    let workers: Vec<_> = (0..4)
        .map(|n| {
            std::thread::spawn(move || {
                let tenant = shared;
                for i in 0..10 {
                    let customer = create_in(tenant.0, &format!("T{n}"), &format!("N{i}"), None);
                    crm_customer_free(customer);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let mut page = ptr::null_mut();
    crm_tenant_list_customers(f.tenant, CRM_SORT_NAME, false, 100, ptr::null(), &mut page);
    assert_eq!(crm_customer_page_total(page), 40);
    crm_customer_page_free(page);
}

#[test]
fn bulk_json_names_the_record_at_fault() {
    let f = Fixture::new("agency-1");
    let mut count = 0usize;
    let status = crm_tenant_upsert_bookings_json(
        f.tenant,
        c(r#"{"format": 1, "bookings": [
            {"reference": "A", "pickup_at": "2026-07-14T08:30:00+02:00"},
            {"reference": "B", "pickup_at": "tomorrow morning"}]}"#)
        .as_ptr(),
        &mut count,
    );
    assert_eq!(status, crm_status::CRM_ERR_VALIDATION);
    assert_eq!(
        text(crm_last_error_field()).as_deref(),
        Some("[1].pickup_at")
    );
    assert!(
        !last_error().contains("tomorrow"),
        "input values stay out of messages"
    );
    assert_eq!(count, 0);
    let mut booking = ptr::null_mut();
    assert_eq!(
        crm_tenant_get_booking(f.tenant, c("A").as_ptr(), &mut booking),
        crm_status::CRM_ERR_NOT_FOUND,
        "all or nothing"
    );
}
