//! Customer lists (`crm_lists`) and brochure requests (`crm_brochure_request`,
//! `crm_brochure_request_list`), and the tenant's calls on them.

use std::ffi::{CString, c_char};

use crm_core::{BrochureRequest, BrochureRequestId, CustomerId, ListInfo};

use crate::customer::{id_in, parse_time, rfc3339};
use crate::db::{crm_tenant, tenant};
use crate::ffi::{self, Handle, Texts, c_ptr, c_string};
use crate::json;
use crate::status::{Failure, crm_status};

/// The tenant's customer lists, by name, with their member counts (`crm_tenant_lists`).
pub struct crm_lists {
    _private: [u8; 0],
}

/// A brochure request: when it came and when the brochure was sent.
pub struct crm_brochure_request {
    _private: [u8; 0],
}

/// Brochure requests; `crm_brochure_request_list_get` lends its items.
pub struct crm_brochure_request_list {
    _private: [u8; 0],
}

/// A text field of a brochure request, for `crm_brochure_request_get`.
pub type crm_brochure_field = u32;
/// Its id.
pub const CRM_BROCHURE_ID: crm_brochure_field = 1301;
/// The id of the customer who asked.
pub const CRM_BROCHURE_CUSTOMER_ID: crm_brochure_field = 1302;
/// When the request came, RFC 3339 UTC.
pub const CRM_BROCHURE_REQUESTED_AT: crm_brochure_field = 1303;
/// When the brochure was sent, RFC 3339 UTC; NULL while pending.
pub const CRM_BROCHURE_SENT_AT: crm_brochure_field = 1304;

struct ListsHandle(Vec<(ListInfo, CString)>);

impl Handle for ListsHandle {
    type C = crm_lists;
    const NAME: &'static str = "crm_lists";
}

struct RequestHandle(Texts);

impl Handle for RequestHandle {
    type C = crm_brochure_request;
    const NAME: &'static str = "crm_brochure_request";
}

impl RequestHandle {
    fn new(r: &BrochureRequest) -> Self {
        let mut texts = Texts::new(1300, 4);
        texts.set(CRM_BROCHURE_ID, Some(c_string(r.id.to_string())));
        texts.set(
            CRM_BROCHURE_CUSTOMER_ID,
            Some(c_string(r.customer_id.to_string())),
        );
        texts.set(
            CRM_BROCHURE_REQUESTED_AT,
            Some(c_string(rfc3339(&r.requested_at))),
        );
        texts.set(
            CRM_BROCHURE_SENT_AT,
            r.sent_at.as_ref().map(|t| c_string(rfc3339(t))),
        );
        Self(texts)
    }
}

struct RequestList(Vec<RequestHandle>);

impl RequestList {
    fn new(requests: &[BrochureRequest]) -> Self {
        let items: Vec<RequestHandle> = requests.iter().map(RequestHandle::new).collect();
        ffi::lend(&items);
        Self(items)
    }
}

impl Drop for RequestList {
    fn drop(&mut self) {
        ffi::unlend(&self.0);
    }
}

impl Handle for RequestList {
    type C = crm_brochure_request_list;
    const NAME: &'static str = "crm_brochure_request_list";
}

fn lists<'a>(ptr: *const crm_lists) -> Result<&'a ListsHandle, Failure> {
    ffi::get::<ListsHandle>(ptr, "lists")
}

fn request_id_in(ptr: *const c_char) -> Result<BrochureRequestId, Failure> {
    Ok(ffi::text_in(ptr, "request_id")?.parse()?)
}

/// `count` customer ids at `ids` (NULL for none).
fn ids_in(ids: *const *const c_char, count: usize) -> Result<Vec<CustomerId>, Failure> {
    // The core's bound, checked before `count` pointers are read.
    if count > crm_core::limits::MAX_LIST_CHANGE {
        return Err(crm_core::Error::Validation {
            field: "customers".into(),
            reason: format!(
                "more than {} in one call",
                crm_core::limits::MAX_LIST_CHANGE
            ),
        }
        .into());
    }
    let ptrs = ffi::slice_in(ids, count, "customer_ids")?;
    ptrs.iter()
        .enumerate()
        .map(|(i, p)| id_in(*p, &format!("customer_ids[{i}]")))
        .collect()
}

/// How many lists; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_lists_len(lists: *const crm_lists) -> usize {
    ffi::value(0, || Ok(self::lists(lists)?.0.len()))
}

/// The name of list `index`. Borrowed until freed; NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_lists_name(lists: *const crm_lists, index: usize) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(c_ptr(self::lists(lists)?.0.get(index).map(|l| &l.1)))
    })
}

/// How many customers are on list `index`; 0 past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_lists_members(lists: *const crm_lists, index: usize) -> u64 {
    ffi::value(0, || {
        Ok(self::lists(lists)?.0.get(index).map_or(0, |l| l.0.members))
    })
}

/// The lists as JSON `{"format": 1, "lists": [{"name", "members", "created_at"}...]}`. On
/// success `*out` is a string freed with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_lists_to_json(lists: *const crm_lists, out: *mut *mut c_char) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let all: Vec<&ListInfo> = self::lists(lists)?.0.iter().map(|l| &l.0).collect();
        out.write(ffi::string_out(json::envelope("lists", all)?));
        Ok(())
    })
}

/// Frees lists. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_lists_free(lists: *mut crm_lists) {
    ffi::value((), || ffi::free::<ListsHandle>(lists));
}

/// A text field of a brochure request (`CRM_BROCHURE_*`). Borrowed until freed; NULL when
/// empty or on a bad handle or constant.
#[unsafe(no_mangle)]
pub extern "C" fn crm_brochure_request_get(
    request: *const crm_brochure_request,
    field: crm_brochure_field,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        ffi::get::<RequestHandle>(request, "request")?
            .0
            .get(field, "crm_brochure_field")
    })
}

/// Frees a brochure request. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_brochure_request_free(request: *mut crm_brochure_request) {
    ffi::value((), || ffi::free::<RequestHandle>(request));
}

/// How many requests the list holds; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_brochure_request_list_len(list: *const crm_brochure_request_list) -> usize {
    ffi::value(0, || Ok(ffi::get::<RequestList>(list, "list")?.0.len()))
}

/// The request at `index`, borrowed from the list (never free it). NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_brochure_request_list_get(
    list: *const crm_brochure_request_list,
    index: usize,
) -> *const crm_brochure_request {
    ffi::value(std::ptr::null(), || {
        Ok(ffi::item_ptr(
            &ffi::get::<RequestList>(list, "list")?.0,
            index,
        ))
    })
}

/// Frees a list of brochure requests. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_brochure_request_list_free(list: *mut crm_brochure_request_list) {
    ffi::value((), || ffi::free::<RequestList>(list));
}

/// The tenant's customer lists, by name, with their member counts. On success `*out` is freed
/// with `crm_lists_free`. Find a list's members with `crm_search_query_filter(q, CRM_FILTER_LIST,
/// name)` and `crm_tenant_search`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_lists(
    tenant: *const crm_tenant,
    out: *mut *mut crm_lists,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let all = t
            .tenant
            .lists()?
            .into_iter()
            .map(|l| {
                let name = c_string(l.name.clone());
                (l, name)
            })
            .collect();
        out.write(ffi::into_raw(ListsHandle(all)));
        Ok(())
    })
}

/// Makes an empty customer list; `*created_out` (or NULL) is false if it existed.
/// Errors: `CRM_ERR_VALIDATION` on `list` (blank, too long).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_create_list(
    tenant: *const crm_tenant,
    name: *const c_char,
    created_out: *mut bool,
) -> crm_status {
    ffi::call(|| {
        let t = self::tenant(tenant)?;
        let made = t
            .tenant
            .create_list(&t.actor, ffi::text_in(name, "name")?)?;
        ffi::write_if_asked(created_out, made);
        Ok(())
    })
}

/// Deletes a list, taking every customer off it; `*removed_out` (or NULL) is how many were on
/// it. Errors: `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_delete_list(
    tenant: *const crm_tenant,
    name: *const c_char,
    removed_out: *mut u64,
) -> crm_status {
    ffi::call(|| {
        let t = self::tenant(tenant)?;
        let n = t
            .tenant
            .delete_list(&t.actor, ffi::text_in(name, "name")?)?;
        ffi::write_if_asked(removed_out, n);
        Ok(())
    })
}

/// Puts `count` customers (ids at `customer_ids`) on list `name`, which must exist, in one
/// transaction; `*changed_out` (or NULL) is how many were not on it yet. Errors:
/// `CRM_ERR_NOT_FOUND` (list or customer: nothing written), `CRM_ERR_CONFLICT` (a customer
/// anonymised or merged), `CRM_ERR_VALIDATION`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_add_to_list(
    tenant: *const crm_tenant,
    name: *const c_char,
    customer_ids: *const *const c_char,
    count: usize,
    changed_out: *mut u64,
) -> crm_status {
    change_members(tenant, name, customer_ids, count, changed_out, true)
}

/// Takes `count` customers off list `name`, in one transaction; `*changed_out` (or NULL) is
/// how many were on it.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_remove_from_list(
    tenant: *const crm_tenant,
    name: *const c_char,
    customer_ids: *const *const c_char,
    count: usize,
    changed_out: *mut u64,
) -> crm_status {
    change_members(tenant, name, customer_ids, count, changed_out, false)
}

fn change_members(
    tenant: *const crm_tenant,
    name: *const c_char,
    customer_ids: *const *const c_char,
    count: usize,
    changed_out: *mut u64,
    add: bool,
) -> crm_status {
    ffi::call(|| {
        let t = self::tenant(tenant)?;
        let name = ffi::text_in(name, "name")?;
        let ids = ids_in(customer_ids, count)?;
        let n = if add {
            t.tenant.add_to_list(&t.actor, name, &ids)?
        } else {
            t.tenant.remove_from_list(&t.actor, name, &ids)?
        };
        ffi::write_if_asked(changed_out, n);
        Ok(())
    })
}

/// Records that customer `customer_id` asked for a brochure, or gives its pending request. On
/// success `*out` is freed with `crm_brochure_request_free`. Errors: `CRM_ERR_NOT_FOUND`,
/// `CRM_ERR_CONFLICT` (anonymised or merged customer).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_request_brochure(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    out: *mut *mut crm_brochure_request,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        let r = t.tenant.request_brochure(&t.actor, &id)?;
        out.write(ffi::into_raw(RequestHandle::new(&r)));
        Ok(())
    })
}

/// Records that the brochure of request `request_id` was sent at `sent_at` (RFC 3339; NULL for
/// now). `*out` as for `crm_tenant_request_brochure`. Errors: `CRM_ERR_NOT_FOUND`,
/// `CRM_ERR_CONFLICT` (sent already), `CRM_ERR_VALIDATION` (`sent_at` malformed or before the
/// request).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_mark_brochure_sent(
    tenant: *const crm_tenant,
    request_id: *const c_char,
    sent_at: *const c_char,
    out: *mut *mut crm_brochure_request,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = request_id_in(request_id)?;
        let at = ffi::optional_text_in(sent_at, "sent_at")?
            .map(|text| parse_time("sent_at", text))
            .transpose()?;
        let r = t.tenant.mark_brochure_sent(&t.actor, &id, at)?;
        out.write(ffi::into_raw(RequestHandle::new(&r)));
        Ok(())
    })
}

/// Up to `limit` (1 to 1,000) brochure requests not sent yet, oldest first, after request
/// `after` (NULL for the first page). On success `*out` is freed with
/// `crm_brochure_request_list_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_pending_brochure_requests(
    tenant: *const crm_tenant,
    after: *const c_char,
    limit: u32,
    out: *mut *mut crm_brochure_request_list,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let after = ffi::optional_text_in(after, "after")?
            .map(|a| a.parse::<BrochureRequestId>())
            .transpose()?;
        let found = t.tenant.pending_brochure_requests(after.as_ref(), limit)?;
        out.write(ffi::into_raw(RequestList::new(&found)));
        Ok(())
    })
}

/// Every brochure request of customer `customer_id`, oldest first. `*out` as for
/// `crm_tenant_pending_brochure_requests`. Errors: `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_brochure_requests(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    out: *mut *mut crm_brochure_request_list,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        let found = t.tenant.brochure_requests(&id)?;
        out.write(ffi::into_raw(RequestList::new(&found)));
        Ok(())
    })
}

/// Marks the `count` brochure requests at `request_ids` sent now, in one transaction (those
/// marked already are left as they are): after a letter run, once the letters are safely
/// printed. `*marked_out` (or NULL) is how many it marked. Errors: `CRM_ERR_NOT_FOUND`
/// (nothing marked) for an id that is not one of the tenant's requests, `CRM_ERR_VALIDATION`
/// (more than 100,000).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_mark_brochures_sent(
    tenant: *const crm_tenant,
    request_ids: *const *const c_char,
    count: usize,
    marked_out: *mut u64,
) -> crm_status {
    ffi::call(|| {
        let t = self::tenant(tenant)?;
        // The core's bound, checked before `count` pointers are read.
        if count > crm_core::limits::MAX_AUDIENCE {
            return Err(crate::json::validation(
                "requests",
                format!("more than {} in one call", crm_core::limits::MAX_AUDIENCE),
            ));
        }
        let ids = ffi::slice_in(request_ids, count, "request_ids")?
            .iter()
            .map(|p| request_id_in(*p))
            .collect::<Result<Vec<_>, Failure>>()?;
        let n = t.tenant.mark_brochures_sent(&t.actor, &ids)?;
        ffi::write_if_asked(marked_out, n);
        Ok(())
    })
}
