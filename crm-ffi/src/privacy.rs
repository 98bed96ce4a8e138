//! Privacy: `crm_anonymisation` (the plan or report of an anonymisation), `crm_retention` (what a
//! retention pass did), suppression checks and the personal-data export.

use std::ffi::{CString, c_char, c_void};

use crm_core::{AnonymisationReport, RetentionReport};

use crate::customer::{crm_customer_fields, fields, id_in, parse_time};
use crate::db::{crm_progress_callback, crm_tenant, tenant};
use crate::ffi::{self, Handle, c_ptr, c_string};
use crate::json;
use crate::status::{Failure, crm_status};

/// What anonymising a customer erases and keeps, and why: the plan
/// (`crm_tenant_plan_anonymise`) or the report of what was done (`crm_tenant_anonymise`).
pub struct crm_anonymisation {
    _private: [u8; 0],
}

/// What a retention pass anonymised, or would in a dry run (`crm_tenant_anonymise_inactive`).
pub struct crm_retention {
    _private: [u8; 0],
}

struct AnonymisationHandle {
    report: AnonymisationReport,
    erased: Vec<CString>,
    kept: Vec<(CString, CString)>,
}

impl Handle for AnonymisationHandle {
    type C = crm_anonymisation;
    const NAME: &'static str = "crm_anonymisation";
}

impl AnonymisationHandle {
    fn new(report: AnonymisationReport) -> Self {
        Self {
            erased: report.erased.iter().map(|f| c_string(f.clone())).collect(),
            kept: report
                .kept
                .iter()
                .map(|k| (c_string(k.what.clone()), c_string(k.why.clone())))
                .collect(),
            report,
        }
    }
}

struct RetentionHandle {
    report: RetentionReport,
    ids: Vec<CString>,
}

impl Handle for RetentionHandle {
    type C = crm_retention;
    const NAME: &'static str = "crm_retention";
}

fn report<'a>(ptr: *const crm_anonymisation) -> Result<&'a AnonymisationHandle, Failure> {
    ffi::get::<AnonymisationHandle>(ptr, "report")
}

fn retention<'a>(ptr: *const crm_retention) -> Result<&'a RetentionHandle, Failure> {
    ffi::get::<RetentionHandle>(ptr, "report")
}

// ---- crm_anonymisation ------------------------------------------------------------------------

/// How many fields holding personal data are (or would be) erased; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_anonymisation_erased_count(report: *const crm_anonymisation) -> usize {
    ffi::value(0, || Ok(self::report(report)?.erased.len()))
}

/// The name of erased field `index` (`first_name`, `email`, `secondary_phones`...). Borrowed
/// until the report is freed; NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_anonymisation_erased(
    report: *const crm_anonymisation,
    index: usize,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(c_ptr(self::report(report)?.erased.get(index)))
    })
}

/// How many things are kept (each with why); 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_anonymisation_kept_count(report: *const crm_anonymisation) -> usize {
    ffi::value(0, || Ok(self::report(report)?.kept.len()))
}

/// What kept item `index` is. Borrowed; NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_anonymisation_kept_what(
    report: *const crm_anonymisation,
    index: usize,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(c_ptr(self::report(report)?.kept.get(index).map(|k| &k.0)))
    })
}

/// Why kept item `index` is kept. Borrowed; NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_anonymisation_kept_why(
    report: *const crm_anonymisation,
    index: usize,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(c_ptr(self::report(report)?.kept.get(index).map(|k| &k.1)))
    })
}

/// How many bookings stay linked to the anonymised record; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_anonymisation_bookings(report: *const crm_anonymisation) -> u64 {
    ffi::value(0, || Ok(self::report(report)?.report.bookings))
}

/// How many merge records hold snapshots of the customer (scrubbed too); 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_anonymisation_merges(report: *const crm_anonymisation) -> u64 {
    ffi::value(0, || Ok(self::report(report)?.report.merges))
}

/// How many emails and phones are remembered as keyed hashes; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_anonymisation_suppressed_contacts(report: *const crm_anonymisation) -> u64 {
    ffi::value(0, || Ok(self::report(report)?.report.suppressed_contacts))
}

/// The report as JSON `{"format": 1, "anonymisation": {"customer_id", "customer_no", "erased":
/// [...], "kept": [{"what", "why"}...], "bookings", "merges", "suppressed_contacts"}}`. On
/// success `*out` is a string freed with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_anonymisation_to_json(
    report: *const crm_anonymisation,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let text = json::envelope("anonymisation", &self::report(report)?.report)?;
        out.write(ffi::string_out(text));
        Ok(())
    })
}

/// Frees an anonymisation report. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_anonymisation_free(report: *mut crm_anonymisation) {
    ffi::value((), || ffi::free::<AnonymisationHandle>(report));
}

// ---- crm_retention ----------------------------------------------------------------------------

/// How many customers were anonymised (or would be, in a dry run); 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_retention_count(report: *const crm_retention) -> usize {
    ffi::value(0, || Ok(self::retention(report)?.ids.len()))
}

/// The id of customer `index`, in customer no. order. Borrowed; NULL past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_retention_customer(
    report: *const crm_retention,
    index: usize,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(c_ptr(self::retention(report)?.ids.get(index)))
    })
}

/// The report as JSON `{"format": 1, "retention": {"before", "dry_run", "customers": [...]}}`.
/// On success `*out` is a string freed with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_retention_to_json(
    report: *const crm_retention,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let text = json::envelope("retention", &self::retention(report)?.report)?;
        out.write(ffi::string_out(text));
        Ok(())
    })
}

/// Frees a retention report. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_retention_free(report: *mut crm_retention) {
    ffi::value((), || ffi::free::<RetentionHandle>(report));
}

// ---- tenant calls -----------------------------------------------------------------------------

/// What anonymising customer `customer_id` would erase and keep, and why; writes nothing. On
/// success `*out` is a report freed with `crm_anonymisation_free`. Errors: `CRM_ERR_NOT_FOUND`,
/// `CRM_ERR_CONFLICT` (anonymised already, or merged into another customer).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_plan_anonymise(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    out: *mut *mut crm_anonymisation,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        let report = t.tenant.plan_anonymise(&id)?;
        out.write(ffi::into_raw(AnonymisationHandle::new(report)));
        Ok(())
    })
}

/// Anonymises customer `customer_id`, irreversibly: every personal field is erased and it
/// becomes "Anonymised customer <no.>"; bookings and invoice amounts stay; merge snapshots of it
/// are scrubbed; its emails and phones are kept only as keyed hashes
/// (`crm_tenant_suppressed_fields`); the old values leave the database file, its log and the
/// index files. `reason` (no personal data: it is kept) says why. The tenant's actor needs
/// `CRM_ROLE_ORGANISATION`. On success `*out` is the report, freed with
/// `crm_anonymisation_free`. Errors: `CRM_ERR_PERMISSION_DENIED` (nothing written),
/// `CRM_ERR_NOT_FOUND`, `CRM_ERR_CONFLICT`, `CRM_ERR_VALIDATION` (`reason`).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_anonymise(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    reason: *const c_char,
    out: *mut *mut crm_anonymisation,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        let reason = ffi::text_in(reason, "reason")?;
        let report = t.tenant.anonymise(&t.actor, &id, reason)?;
        out.write(ffi::into_raw(AnonymisationHandle::new(report)));
        Ok(())
    })
}

/// Retention: anonymises every customer with no change and no booking departing, recorded or
/// changed since `before` (RFC 3339), in batches, calling `progress` (or NULL) after each; with
/// `dry_run` writes nothing and lists who would be anonymised. Needs `CRM_ROLE_ORGANISATION`
/// (even for a dry run). On success `*out` is a report freed with `crm_retention_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_anonymise_inactive(
    tenant: *const crm_tenant,
    before: *const c_char,
    dry_run: bool,
    progress: crm_progress_callback,
    userdata: *mut c_void,
    out: *mut *mut crm_retention,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let text = ffi::text_in(before, "before")?;
        let before = parse_time("before", text)?;
        let report = t
            .tenant
            .anonymise_inactive(&t.actor, before, dry_run, |done, total| {
                if let Some(progress) = progress {
                    ffi::in_callback(|| progress(userdata, done, total));
                }
            })?;
        let ids = report
            .customers
            .iter()
            .map(|id| c_string(id.to_string()))
            .collect();
        out.write(ffi::into_raw(RetentionHandle { report, ids }));
        Ok(())
    })
}

/// The contact fields of `fields` that belong to a customer who was anonymised (the person asked
/// to be forgotten), comma-separated (`email,mobile,secondary_phones[0]`; empty when none): for
/// an import or a booking capture to flag. Writes nothing. On success `*out` is a string freed
/// with `crm_string_free`. Errors: `CRM_ERR_VALIDATION` (fields a create would refuse).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_suppressed_fields(
    tenant: *const crm_tenant,
    fields: *const crm_customer_fields,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let f = self::fields(fields)?.clone();
        let found = t.tenant.suppressed_fields(f)?;
        out.write(ffi::string_out(found.join(",")));
        Ok(())
    })
}

/// Every personal datum held on customer `customer_id` (GDPR Art. 15 and 20) as one JSON
/// document following `schemas/personal-data-export.schema.json` (`"format": 6`): profile,
/// secondary contacts, consent records, bookings, invoices, lists, documents, merges, not-a-duplicate
/// decisions, changes. On success `*out` is a string freed with `crm_string_free`. The export is
/// recorded in the privacy log with the handle's actor and request (`crm_tenant_with_request`).
/// Errors: `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_export_personal_data(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        let export = t.tenant.export_personal_data(&t.actor, &id)?;
        out.write(ffi::string_out(json::to_text(&export)?));
        Ok(())
    })
}

/// Up to `limit` (1 to 1,000) entries of the tenant's privacy log after position `after` (0:
/// from the start): each personal-data export, anonymisation and deletion, with who, when, the
/// customer no. and the request (`crm_tenant_with_request`), and no personal value. On success
/// `*out` is `{"format": 1, "privacy_log": [{"seq", "at", "action", "customer_no", "user_id",
/// "role", "request"}...]}`, a string the caller frees with `crm_string_free`.
/// Errors: `CRM_ERR_VALIDATION` naming `limit`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_privacy_log_json(
    tenant: *const crm_tenant,
    after: i64,
    limit: u32,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let entries = t.tenant.privacy_log(after, limit)?;
        out.write(ffi::string_out(json::envelope("privacy_log", entries)?));
        Ok(())
    })
}
