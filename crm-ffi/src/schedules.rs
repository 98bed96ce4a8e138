//! Schedules of saved searches: set or remove one (its JSON form), list them, see which are
//! due, run the due ones (`crm_tenant_run_due_json`, from the host's own timer), read their
//! runs.

use std::ffi::c_char;

use crm_core::Schedule;

use crate::customer::parse_time;
use crate::db::{crm_tenant, tenant};
use crate::ffi;
use crate::json;
use crate::saved::search_id_in;
use crate::status::crm_status;

/// Sets the schedule of saved search `search_id` from its JSON form (NULL removes it):
/// `{"every": "week", "weekday": "monday", "at": "08:00", "action": "export", "format": "csv",
/// "columns": ["customer_no", "email"], "only_new": true}`. `every` is `day`, `week` (with
/// `weekday`, `monday` to `sunday`) or `month` (with `day`, 1 to 31: in a shorter month its last
/// day); `at` is `HH:MM` in the tenant's time zone (`crm_tenant_set_time_zone`); `action` is
/// `export` (with `format` `csv`, `xlsx` or `pdf`, `columns` (absent: all), `bom`) or
/// `outreach` (with `channel` `email` or `sms`, and optionally `template`, rendered for each
/// recipient into the run's `messages`); `only_new`: only the customers new since the
/// previous run. From then on `crm_tenant_run_due_json` runs it at each slot, the first being the first
/// after this call. Errors: `CRM_ERR_VALIDATION` naming the key, `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_set_schedule(
    tenant: *const crm_tenant,
    search_id: *const c_char,
    schedule_json: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let t = self::tenant(tenant)?;
        let id = search_id_in(search_id)?;
        let schedule = ffi::optional_text_in(schedule_json, "schedule")?
            .map(Schedule::from_json)
            .transpose()?;
        t.tenant.set_schedule(&t.actor, &id, schedule.as_ref())?;
        Ok(())
    })
}

/// The schedule of saved search `search_id` as JSON `{"format": 1, "schedule": {"search",
/// "schedule", "set_at", "last_run", "next_slot"}}` (`"schedule": null` when it has none). On
/// success `*out` is a string freed with `crm_string_free`. Errors: `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_schedule_json(
    tenant: *const crm_tenant,
    search_id: *const c_char,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = search_id_in(search_id)?;
        let text = json::envelope("schedule", t.tenant.schedule(&id)?)?;
        out.write(ffi::string_out(text));
        Ok(())
    })
}

/// Every scheduled search of the tenant as JSON `{"format": 1, "schedules": [{"search",
/// "schedule", "set_at", "last_run", "next_slot"}...]}`, by name. On success `*out` is a string
/// freed with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_schedules_json(
    tenant: *const crm_tenant,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let text = json::envelope("schedules", t.tenant.schedules()?)?;
        out.write(ffi::string_out(text));
        Ok(())
    })
}

/// The scheduled searches due at `now` (RFC 3339) as JSON `{"format": 1, "due": [{"search",
/// "schedule", "slot"}...]}`. Writes nothing. On success `*out` is a string freed with
/// `crm_string_free`. Errors: `CRM_ERR_VALIDATION` on `now`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_due_schedules_json(
    tenant: *const crm_tenant,
    now: *const c_char,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let now = parse_time("now", ffi::text_in(now, "now")?)?;
        let text = json::envelope("due", t.tenant.due_schedules(now)?)?;
        out.write(ffi::string_out(text));
        Ok(())
    })
}

/// Runs each schedule due at `now` (RFC 3339) once: an export writes its file into the folder
/// `out_dir`, an outreach lists its recipients. Call it from the host's own timer; a second
/// call for the same slot runs nothing. What each produced, as JSON `{"format": 1, "runs":
/// [{"search_id", "name", "slot", "total", "new", "rows", "file", "outreach", "messages",
/// "failed", "error"}...]}`:
/// a run that failed has its `error` (the next call runs it again) and did not stop the others.
/// On success `*out` is a string freed with `crm_string_free`. Errors: `CRM_ERR_VALIDATION` on
/// `now` or `out_dir` (not a folder).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_run_due_json(
    tenant: *const crm_tenant,
    now: *const c_char,
    out_dir: *const c_char,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let now = parse_time("now", ffi::text_in(now, "now")?)?;
        let dir = ffi::text_in(out_dir, "out_dir")?;
        let text = json::envelope("runs", t.tenant.run_due(&t.actor, now, dir)?)?;
        out.write(ffi::string_out(text));
        Ok(())
    })
}

/// Up to `limit` (1 to 1000) recorded runs of saved search `search_id`'s schedule, latest slot
/// first, as JSON `{"format": 1, "runs": [{"search_id", "slot", "started_at", "finished_at",
/// "ran_by", "rows", "file"}...]}`. On success `*out` is a string freed with
/// `crm_string_free`. Errors: `CRM_ERR_VALIDATION` on `limit`, `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_schedule_runs_json(
    tenant: *const crm_tenant,
    search_id: *const c_char,
    limit: u32,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = search_id_in(search_id)?;
        let text = json::envelope("runs", t.tenant.schedule_runs(&id, limit)?)?;
        out.write(ffi::string_out(text));
        Ok(())
    })
}
