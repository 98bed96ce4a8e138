//! Saved searches: save, find by name, delete, and run (`crm_saved_run`: who matches now, who
//! newly matches).

use std::ffi::{CString, c_char};

use crm_core::{SavedRun, SavedSearchId};

use crate::customer::{parse_time, rfc3339};
use crate::db::{crm_tenant, tenant};
use crate::ffi::{self, Handle, c_string};
use crate::json;
use crate::search::{QueryHandle, RowHandle, crm_customer_row, crm_search_query};
use crate::status::{Failure, crm_status};

/// What running a saved search found (`crm_tenant_run_saved`).
pub struct crm_saved_run {
    _private: [u8; 0],
}

struct RunHandle {
    run: SavedRun,
    new: Vec<RowHandle>,
    ran_at: CString,
}

impl Handle for RunHandle {
    type C = crm_saved_run;
    const NAME: &'static str = "crm_saved_run";
}

impl Drop for RunHandle {
    fn drop(&mut self) {
        ffi::unlend(&self.new);
    }
}

fn run<'a>(ptr: *const crm_saved_run) -> Result<&'a RunHandle, Failure> {
    ffi::get::<RunHandle>(ptr, "run")
}

pub(crate) fn search_id_in(ptr: *const c_char) -> Result<SavedSearchId, Failure> {
    Ok(ffi::text_in(ptr, "search_id")?.parse()?)
}

/// Saves `query` (its page is ignored when run) as the tenant's saved search `name`: a new one,
/// or the one of that name with its query replaced (its run history then starts afresh). On
/// success `*id_out` is its id, a string freed with `crm_string_free`. Errors:
/// `CRM_ERR_VALIDATION` on `name`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_save_search(
    tenant: *const crm_tenant,
    name: *const c_char,
    query: *const crm_search_query,
    id_out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(id_out, "id_out")?;
        let t = self::tenant(tenant)?;
        let name = ffi::text_in(name, "name")?;
        let query = &ffi::get::<QueryHandle>(query, "query")?.0;
        let saved = t.tenant.save_search(&t.actor, name, query)?;
        out.write(ffi::string_out(saved.id.to_string()));
        Ok(())
    })
}

/// The id of the tenant's saved search `name`, into `*id_out` (freed with `crm_string_free`).
/// Errors: `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_find_saved_search(
    tenant: *const crm_tenant,
    name: *const c_char,
    id_out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(id_out, "id_out")?;
        let t = self::tenant(tenant)?;
        let name = ffi::text_in(name, "name")?;
        let found = t.tenant.find_saved_search(name)?;
        out.write(ffi::string_out(found.id.to_string()));
        Ok(())
    })
}

/// The tenant's saved searches as JSON `{"format": 1, "saved_searches": [{"id", "name",
/// "query", "created_at", "updated_at", "last_run_at"}...]}`, by name. On success `*out` is a
/// string freed with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_saved_searches_json(
    tenant: *const crm_tenant,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let text = json::envelope("saved_searches", t.tenant.saved_searches()?)?;
        out.write(ffi::string_out(text));
        Ok(())
    })
}

/// Saved search `search_id` as JSON `{"format": 1, "saved_search": {"id", "name", "query",
/// "created_at", "updated_at", "last_run_at"}}`. On success `*out` is a string freed with
/// `crm_string_free`. Errors: `CRM_ERR_NOT_FOUND` (also for another tenant's).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_get_saved_search_json(
    tenant: *const crm_tenant,
    search_id: *const c_char,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = search_id_in(search_id)?;
        let text = json::envelope("saved_search", t.tenant.get_saved_search(&id)?)?;
        out.write(ffi::string_out(text));
        Ok(())
    })
}

/// The query of saved search `search_id`, as a query handle to pass wherever a query is taken
/// (`crm_tenant_search`, `crm_tenant_export`, `crm_tenant_outreach`...): its relative periods
/// stay relative, read on the day it runs. On success `*out` is owned by the caller, freed
/// with `crm_search_query_free`. Errors: `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_saved_search_query(
    tenant: *const crm_tenant,
    search_id: *const c_char,
    out: *mut *mut crm_search_query,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = search_id_in(search_id)?;
        let query = t.tenant.get_saved_search(&id)?.query;
        out.write(ffi::into_raw(QueryHandle(query)));
        Ok(())
    })
}

/// Deletes saved search `search_id`. Errors: `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_delete_saved_search(
    tenant: *const crm_tenant,
    search_id: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let t = self::tenant(tenant)?;
        let id = search_id_in(search_id)?;
        t.tenant.delete_saved_search(&t.actor, &id)?;
        Ok(())
    })
}

/// Runs saved search `search_id`: every customer it finds now, and those that newly match:
/// first matched after `since` (RFC 3339), or with NULL those that did not match at the previous
/// run (everyone on a first run). The run is recorded. On success `*out` is freed with
/// `crm_saved_run_free`. Errors: `CRM_ERR_NOT_FOUND`, `CRM_ERR_VALIDATION` on `since`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_run_saved(
    tenant: *const crm_tenant,
    search_id: *const c_char,
    since: *const c_char,
    out: *mut *mut crm_saved_run,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = search_id_in(search_id)?;
        let since = ffi::optional_text_in(since, "since")?
            .map(|s| parse_time("since", s))
            .transpose()?;
        let run = t.tenant.run_saved(&t.actor, &id, since)?;
        let new: Vec<RowHandle> = run.new.iter().cloned().map(RowHandle::new).collect();
        ffi::lend(&new);
        let ran_at = c_string(rfc3339(&run.ran_at));
        out.write(ffi::into_raw(RunHandle { run, new, ran_at }));
        Ok(())
    })
}

/// How many customers the saved search matches now; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_saved_run_total(run: *const crm_saved_run) -> u64 {
    ffi::value(0, || Ok(self::run(run)?.run.total))
}

/// How many customers newly match; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_saved_run_new_count(run: *const crm_saved_run) -> usize {
    ffi::value(0, || Ok(self::run(run)?.new.len()))
}

/// New customer `index` (in the query's order), as a list row borrowed until the run is freed;
/// NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_saved_run_new(
    run: *const crm_saved_run,
    index: usize,
) -> *const crm_customer_row {
    ffi::value(std::ptr::null(), || {
        Ok(ffi::item_ptr(&self::run(run)?.new, index))
    })
}

/// When the run was made (RFC 3339, borrowed); NULL on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_saved_run_ran_at(run: *const crm_saved_run) -> *const c_char {
    ffi::value(std::ptr::null(), || Ok(self::run(run)?.ran_at.as_ptr()))
}

/// The run as JSON `{"format": 1, "saved_run": {"search", "ran_at", "previous_run_at",
/// "total", "new": [rows...]}}`. On success `*out` is freed with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_saved_run_to_json(
    run: *const crm_saved_run,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let text = json::envelope("saved_run", &self::run(run)?.run)?;
        out.write(ffi::string_out(text));
        Ok(())
    })
}

/// Frees a saved run. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_saved_run_free(run: *mut crm_saved_run) {
    ffi::value((), || ffi::free::<RunHandle>(run));
}
