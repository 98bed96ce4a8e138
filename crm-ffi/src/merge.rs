//! Merging duplicates: `crm_merge_request` (what to merge), `crm_merge_plan` (what it would
//! do), `crm_merge` (a merge as recorded) and `crm_merge_list`, and the tenant's merge calls.

use std::ffi::{CString, c_char};

use crm_core::{BookingMove, Customer, MergeField, MergeId, MergePlan, MergeRecord, MergeRequest};

use crate::customer::{CustomerHandle, crm_customer, id_in, rfc3339};
use crate::db::{crm_tenant, tenant};
use crate::ffi::{self, Handle, c_ptr, c_string};
use crate::json;
use crate::status::{Failure, crm_status};

/// What to merge: the customer that stays, those merged into it, the fields taken from a
/// chosen record, the versions expected. Made by `crm_merge_request_new`.
pub struct crm_merge_request {
    _private: [u8; 0],
}

/// What a merge would do, computed without writing (`crm_tenant_plan_merge`).
pub struct crm_merge_plan {
    _private: [u8; 0],
}

/// A merge as recorded: who, when, a snapshot of every record it changed, the bookings it
/// moved; from `crm_tenant_merge`, `crm_tenant_unmerge` or `crm_tenant_get_merge`.
pub struct crm_merge {
    _private: [u8; 0],
}

/// The merges a customer took part in, newest first (`crm_tenant_merges_of`).
pub struct crm_merge_list {
    _private: [u8; 0],
}

struct RequestHandle(MergeRequest);

impl Handle for RequestHandle {
    type C = crm_merge_request;
    const NAME: &'static str = "crm_merge_request";
}

/// Customers lent by a plan or a merge, registered so that their getters work.
struct Lent(Vec<CustomerHandle>);

impl Lent {
    fn new(customers: impl IntoIterator<Item = Customer>) -> Self {
        let items: Vec<CustomerHandle> = customers.into_iter().map(CustomerHandle::new).collect();
        ffi::lend(&items);
        Self(items)
    }

    fn get(&self, i: usize) -> *const crm_customer {
        ffi::item_ptr(&self.0, i)
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        ffi::unlend(&self.0);
    }
}

/// Booking moves as C strings: reference and the id of the customer it came from.
struct Moves(Vec<(CString, CString)>);

impl Moves {
    fn new(moves: &[BookingMove]) -> Self {
        Self(
            moves
                .iter()
                .map(|m| (c_string(m.reference.clone()), c_string(m.from.to_string())))
                .collect(),
        )
    }

    fn reference(&self, i: usize) -> *const c_char {
        c_ptr(self.0.get(i).map(|m| &m.0))
    }

    fn from(&self, i: usize) -> *const c_char {
        c_ptr(self.0.get(i).map(|m| &m.1))
    }
}

struct PlanHandle {
    plan: MergePlan,
    customer: Lent,
    sources: Vec<(MergeField, CString)>,
    moves: Moves,
}

impl Handle for PlanHandle {
    type C = crm_merge_plan;
    const NAME: &'static str = "crm_merge_plan";
}

impl PlanHandle {
    fn new(plan: MergePlan) -> Self {
        Self {
            customer: Lent::new([plan.customer.clone()]),
            sources: plan
                .sources
                .iter()
                .map(|(f, id)| (*f, c_string(id.to_string())))
                .collect(),
            moves: Moves::new(&plan.bookings),
            plan,
        }
    }
}

pub(crate) struct MergeHandle {
    record: MergeRecord,
    id: CString,
    primary_id: CString,
    undone_at: Option<CString>,
    /// The primary before the merge, then the merged records.
    snapshots: Lent,
    /// The primary after the merge (from `crm_tenant_merge` only).
    after: Lent,
    moves: Moves,
}

impl Handle for MergeHandle {
    type C = crm_merge;
    const NAME: &'static str = "crm_merge";
}

impl MergeHandle {
    fn new(record: MergeRecord, after: Option<Customer>) -> Self {
        Self {
            id: c_string(record.id.to_string()),
            primary_id: c_string(record.primary_id.to_string()),
            undone_at: record.undone.as_ref().map(|u| c_string(rfc3339(&u.at))),
            snapshots: Lent::new(
                std::iter::once(record.primary_before.clone()).chain(record.merged.clone()),
            ),
            after: Lent::new(after),
            moves: Moves::new(&record.bookings),
            record,
        }
    }
}

struct MergeList(Vec<MergeHandle>);

impl MergeList {
    fn new(records: Vec<MergeRecord>) -> Self {
        let items: Vec<MergeHandle> = records
            .into_iter()
            .map(|r| MergeHandle::new(r, None))
            .collect();
        ffi::lend(&items);
        Self(items)
    }
}

impl Drop for MergeList {
    fn drop(&mut self) {
        ffi::unlend(&self.0);
    }
}

impl Handle for MergeList {
    type C = crm_merge_list;
    const NAME: &'static str = "crm_merge_list";
}

fn merge_id_in(ptr: *const c_char) -> Result<MergeId, Failure> {
    Ok(ffi::text_in(ptr, "merge_id")?.parse()?)
}

fn request<'a>(ptr: *mut crm_merge_request) -> Result<&'a mut MergeRequest, Failure> {
    ffi::get_mut::<RequestHandle>(ptr, "request").map(|r| &mut r.0)
}

fn plan<'a>(ptr: *const crm_merge_plan) -> Result<&'a PlanHandle, Failure> {
    ffi::get::<PlanHandle>(ptr, "plan")
}

fn merge<'a>(ptr: *const crm_merge) -> Result<&'a MergeHandle, Failure> {
    ffi::get::<MergeHandle>(ptr, "merge")
}

// ---- crm_merge_request ------------------------------------------------------------------------

/// A request to merge other customers into `primary_id` (the one that stays); add them with
/// `crm_merge_request_add`. On success `*out` is owned by the caller, freed with
/// `crm_merge_request_free`. Errors: `CRM_ERR_VALIDATION` (not an id).
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_request_new(
    primary_id: *const c_char,
    out: *mut *mut crm_merge_request,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let primary = id_in(primary_id, "primary_id")?;
        out.write(ffi::into_raw(RequestHandle(MergeRequest::new(primary, []))));
        Ok(())
    })
}

/// Adds customer `customer_id` to those merged into the primary (checked by the merge: not the
/// primary, not twice).
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_request_add(
    request: *mut crm_merge_request,
    customer_id: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let id = id_in(customer_id, "customer_id")?;
        self::request(request)?.others.push(id);
        Ok(())
    })
}

/// Takes `field` from customer `from_id` (the primary or one of the others), even an empty
/// value. `field` is one of `title`, `first_name`, `last_name`, `company`, `email`, `phone`, `mobile`,
/// `fax`, `emergency_phone`, `address` (the whole address), `contact_person`, `birth_date`,
/// `language`, `notes` (that record's notes only, instead of all joined), `consent_email`,
/// `consent_sms`, `salesperson`. Errors: `CRM_ERR_VALIDATION` on `choices` (unknown field).
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_request_choose(
    request: *mut crm_merge_request,
    field: *const c_char,
    from_id: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let field: MergeField = ffi::text_in(field, "field")?.parse()?;
        let from = id_in(from_id, "from_id")?;
        self::request(request)?.choices.insert(field, from);
        Ok(())
    })
}

/// Refuses the merge (`CRM_ERR_CONFLICT`) unless customer `customer_id` is still at `version`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_request_expect_version(
    request: *mut crm_merge_request,
    customer_id: *const c_char,
    version: i64,
) -> crm_status {
    ffi::call(|| {
        let id = id_in(customer_id, "customer_id")?;
        self::request(request)?
            .expected_versions
            .insert(id, version);
        Ok(())
    })
}

/// Expects every record at the version `plan` read, so that the merge does what the plan
/// showed or is refused with `CRM_ERR_CONFLICT`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_request_expect_plan(
    request: *mut crm_merge_request,
    plan: *const crm_merge_plan,
) -> crm_status {
    ffi::call(|| {
        let versions = self::plan(plan)?.plan.versions.clone();
        self::request(request)?.expected_versions.extend(versions);
        Ok(())
    })
}

/// Frees a merge request. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_request_free(request: *mut crm_merge_request) {
    ffi::value((), || ffi::free::<RequestHandle>(request));
}

// ---- crm_merge_plan ---------------------------------------------------------------------------

/// The primary as the merge would leave it. Borrowed until the plan is freed; NULL on a bad
/// handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_plan_customer(plan: *const crm_merge_plan) -> *const crm_customer {
    ffi::value(std::ptr::null(), || Ok(self::plan(plan)?.customer.get(0)))
}

/// The id of the record `field` (a name as for `crm_merge_request_choose`) would come from;
/// NULL when the result has no value for it. Borrowed until the plan is freed.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_plan_source(
    plan: *const crm_merge_plan,
    field: *const c_char,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        let field: MergeField = ffi::text_in(field, "field")?.parse()?;
        let p = self::plan(plan)?;
        Ok(c_ptr(
            p.sources
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, id)| id),
        ))
    })
}

/// How many bookings the merge would move; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_plan_booking_count(plan: *const crm_merge_plan) -> usize {
    ffi::value(0, || Ok(self::plan(plan)?.moves.0.len()))
}

/// The reference of booking move `index`. Borrowed until the plan is freed; NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_plan_booking_reference(
    plan: *const crm_merge_plan,
    index: usize,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(self::plan(plan)?.moves.reference(index))
    })
}

/// The id of the customer booking move `index` comes from. Borrowed until the plan is freed;
/// NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_plan_booking_from(
    plan: *const crm_merge_plan,
    index: usize,
) -> *const c_char {
    ffi::value(std::ptr::null(), || Ok(self::plan(plan)?.moves.from(index)))
}

/// The plan as JSON `{"format": 1, "plan": {"customer": {...}, "sources": {"email": "<id>",
/// ...}, "merged": [...], "bookings": [{"reference", "from"}...], "versions": {"<id>": 3...}}}`.
/// On success `*out` is a string freed with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_plan_to_json(
    plan: *const crm_merge_plan,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        out.write(ffi::string_out(json::envelope(
            "plan",
            &self::plan(plan)?.plan,
        )?));
        Ok(())
    })
}

/// Frees a plan and the customer it lends. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_plan_free(plan: *mut crm_merge_plan) {
    ffi::value((), || ffi::free::<PlanHandle>(plan));
}

// ---- crm_merge --------------------------------------------------------------------------------

/// The merge's id (what `crm_tenant_unmerge` takes). Borrowed; NULL on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_id(merge: *const crm_merge) -> *const c_char {
    ffi::value(std::ptr::null(), || Ok(self::merge(merge)?.id.as_ptr()))
}

/// The id of the customer that stayed. Borrowed; NULL on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_primary_id(merge: *const crm_merge) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(self::merge(merge)?.primary_id.as_ptr())
    })
}

/// The primary after the merge: set on the result of `crm_tenant_merge` only, NULL otherwise.
/// Borrowed until the merge is freed.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_customer(merge: *const crm_merge) -> *const crm_customer {
    ffi::value(std::ptr::null(), || Ok(self::merge(merge)?.after.get(0)))
}

/// The primary as it was just before the merge. Borrowed until the merge is freed.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_primary_before(merge: *const crm_merge) -> *const crm_customer {
    ffi::value(std::ptr::null(), || {
        Ok(self::merge(merge)?.snapshots.get(0))
    })
}

/// How many records were merged into the primary; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_merged_count(merge: *const crm_merge) -> usize {
    ffi::value(0, || Ok(self::merge(merge)?.record.merged.len()))
}

/// Merged record `index` as it was just before the merge (what `crm_tenant_unmerge` restores).
/// Borrowed until the merge is freed; NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_merged_get(
    merge: *const crm_merge,
    index: usize,
) -> *const crm_customer {
    ffi::value(std::ptr::null(), || {
        Ok(self::merge(merge)?.snapshots.get(index.saturating_add(1)))
    })
}

/// How many bookings the merge moved; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_booking_count(merge: *const crm_merge) -> usize {
    ffi::value(0, || Ok(self::merge(merge)?.moves.0.len()))
}

/// The reference of moved booking `index`. Borrowed; NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_booking_reference(
    merge: *const crm_merge,
    index: usize,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(self::merge(merge)?.moves.reference(index))
    })
}

/// The id of the merged customer moved booking `index` came from. Borrowed; NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_booking_from(merge: *const crm_merge, index: usize) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(self::merge(merge)?.moves.from(index))
    })
}

/// When the merge was undone (RFC 3339 UTC), or NULL while it stands. Borrowed.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_undone_at(merge: *const crm_merge) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(c_ptr(self::merge(merge)?.undone_at.as_ref()))
    })
}

/// The merge as JSON `{"format": 1, "merge": {"id", "primary_id", "at", "actor",
/// "primary_before", "merged": [...], "bookings": [...], "undone": null or {"at", "actor"}}}`.
/// On success `*out` is a string freed with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_to_json(merge: *const crm_merge, out: *mut *mut c_char) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        out.write(ffi::string_out(json::envelope(
            "merge",
            &self::merge(merge)?.record,
        )?));
        Ok(())
    })
}

/// Frees a merge and the customers it lends. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_free(merge: *mut crm_merge) {
    ffi::value((), || ffi::free::<MergeHandle>(merge));
}

// ---- crm_merge_list ---------------------------------------------------------------------------

/// How many merges the list holds; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_list_len(list: *const crm_merge_list) -> usize {
    ffi::value(0, || Ok(ffi::get::<MergeList>(list, "list")?.0.len()))
}

/// The merge at `index`, borrowed from the list (never free it). NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_list_get(
    list: *const crm_merge_list,
    index: usize,
) -> *const crm_merge {
    ffi::value(std::ptr::null(), || {
        Ok(ffi::item_ptr(
            &ffi::get::<MergeList>(list, "list")?.0,
            index,
        ))
    })
}

/// Frees a list of merges and what they lend. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_merge_list_free(list: *mut crm_merge_list) {
    ffi::value((), || ffi::free::<MergeList>(list));
}

// ---- tenant calls -----------------------------------------------------------------------------

/// What merging as `request` asks would do, without writing anything. On success `*out` is a
/// plan freed with `crm_merge_plan_free`. Errors as for `crm_tenant_merge`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_plan_merge(
    tenant: *const crm_tenant,
    request: *const crm_merge_request,
    out: *mut *mut crm_merge_plan,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let req = &ffi::get::<RequestHandle>(request, "request")?.0;
        out.write(ffi::into_raw(PlanHandle::new(t.tenant.plan_merge(req)?)));
        Ok(())
    })
}

/// Merges the others of `request` into its primary, in one transaction. Each field keeps the
/// primary's value unless chosen from another record; an empty one takes the most recently
/// updated other record's value; notes are joined; every other email and phone is kept as a
/// secondary contact; lists and custom fields are united. Every booking moves to the primary.
/// The others disappear, but their ids and customer numbers resolve to the primary
/// (`crm_tenant_get_customer` answers it; `crm_tenant_merges_of` says which merge). On success
/// `*out` is the merge (with `crm_merge_customer` set), freed with `crm_merge_free`.
/// Errors: `CRM_ERR_VALIDATION` (no others, the primary among them, a choice outside the merge,
/// a result breaking a bound, an email another customer has under the tenant's `refuse` email
/// policy), `CRM_ERR_NOT_FOUND` (a customer not in this tenant), `CRM_ERR_CONFLICT` (already
/// merged, or not at the expected version), `CRM_ERR_PERMISSION_DENIED` (the tenant's `merge`
/// policy). Nothing is written on error.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_merge(
    tenant: *const crm_tenant,
    request: *const crm_merge_request,
    out: *mut *mut crm_merge,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let req = &ffi::get::<RequestHandle>(request, "request")?.0;
        let merged = t.tenant.merge(&t.actor, req)?;
        out.write(ffi::into_raw(MergeHandle::new(
            merged.record,
            Some(merged.customer),
        )));
        Ok(())
    })
}

/// Undoes merge `merge_id`: the merged records come back exactly as they were, their bookings
/// move back, the primary takes back its fields. On success `*out` is the merge record (with
/// `crm_merge_undone_at` set), freed with `crm_merge_free`. Errors: `CRM_ERR_CONFLICT` (a row
/// the merge wrote was touched since, or it was undone already: the message says which),
/// `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_unmerge(
    tenant: *const crm_tenant,
    merge_id: *const c_char,
    out: *mut *mut crm_merge,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = merge_id_in(merge_id)?;
        let record = t.tenant.unmerge(&t.actor, &id)?;
        out.write(ffi::into_raw(MergeHandle::new(record, None)));
        Ok(())
    })
}

/// The record of merge `merge_id`. `*out` as for `crm_tenant_unmerge`.
/// Errors: `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_get_merge(
    tenant: *const crm_tenant,
    merge_id: *const c_char,
    out: *mut *mut crm_merge,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = merge_id_in(merge_id)?;
        out.write(ffi::into_raw(MergeHandle::new(
            t.tenant.get_merge(&id)?,
            None,
        )));
        Ok(())
    })
}

/// Every merge customer `customer_id` took part in, as primary or merged (undone ones too),
/// newest first. On success `*out` is a list freed with `crm_merge_list_free`.
/// Errors: `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_merges_of(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    out: *mut *mut crm_merge_list,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        out.write(ffi::into_raw(MergeList::new(t.tenant.merges_of(&id)?)));
        Ok(())
    })
}
