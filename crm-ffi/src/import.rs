//! Importing customers from a CSV file: `crm_import_options` (what to do) and
//! `crm_import_report` (what was done).

use std::ffi::{CString, c_char, c_void};

use crm_core::{ImportOptions, ImportReport, IssueKind, MatchConfig};

use crate::db::{crm_progress_callback, crm_tenant, tenant};
use crate::ffi::{self, Handle, c_ptr, c_string};
use crate::json;
use crate::status::{Failure, crm_status};

/// What an import does: column mapping, preset, matching, dry run, all-or-nothing. Made by
/// `crm_import_options_new`; freed with `crm_import_options_free`.
pub struct crm_import_options {
    _private: [u8; 0],
}

/// What an import did (or would do, in a dry run): counts, and the issues by row.
pub struct crm_import_report {
    _private: [u8; 0],
}

/// Flags of `crm_import_options_set_flags`, or-ed together.
pub type crm_import_flags = u32;
/// Write nothing; report what would be created, updated, skipped and flagged.
pub const CRM_IMPORT_DRY_RUN: crm_import_flags = 1;
/// Write nothing unless every row imports (one transaction for the whole file).
pub const CRM_IMPORT_ALL_OR_NOTHING: crm_import_flags = 2;
/// Leave a bad optional cell out (with a warning) instead of failing its row.
pub const CRM_IMPORT_LENIENT: crm_import_flags = 4;
/// Do not flag likely duplicates (much faster on large files).
pub const CRM_IMPORT_NO_DUPLICATE_FLAGS: crm_import_flags = 8;

/// How bad a reported row is.
pub type crm_issue_kind = u32;
/// The row was not imported.
pub const CRM_ISSUE_ERROR: crm_issue_kind = 1501;
/// The row was left alone on purpose (blank, or matching an anonymised customer).
pub const CRM_ISSUE_SKIPPED: crm_issue_kind = 1502;
/// The row was imported; a cell was left out, or a contact belongs to an anonymised person.
pub const CRM_ISSUE_WARNING: crm_issue_kind = 1503;

/// The counts of an import report.
#[repr(C)]
pub struct crm_import_counts {
    /// Data rows read (blank ones included).
    pub rows: u64,
    /// Rows that created a customer.
    pub created: u64,
    /// Rows that changed a customer.
    pub updated: u64,
    /// Rows that matched a customer and changed nothing.
    pub unchanged: u64,
    /// Rows left alone on purpose.
    pub skipped: u64,
    /// Rows not imported because of an error.
    pub failed: u64,
    /// Issues in all (the report holds the first 10,000).
    pub issues_total: u64,
    /// Rows that created a likely duplicate, in all.
    pub flagged_total: u64,
    /// Whether rows were written (false for a dry run, and for an all-or-nothing import with a
    /// failed row).
    pub committed: bool,
}

struct OptionsHandle(ImportOptions);

impl Handle for OptionsHandle {
    type C = crm_import_options;
    const NAME: &'static str = "crm_import_options";
}

struct Issue {
    row: u64,
    field: CString,
    reason: CString,
    kind: crm_issue_kind,
}

struct ReportHandle {
    report: ImportReport,
    issues: Vec<Issue>,
}

impl Handle for ReportHandle {
    type C = crm_import_report;
    const NAME: &'static str = "crm_import_report";
}

fn options<'a>(ptr: *mut crm_import_options) -> Result<&'a mut ImportOptions, Failure> {
    ffi::get_mut::<OptionsHandle>(ptr, "options").map(|o| &mut o.0)
}

fn report<'a>(ptr: *const crm_import_report) -> Result<&'a ReportHandle, Failure> {
    ffi::get::<ReportHandle>(ptr, "report")
}

/// New import options with the defaults: headers recognised by the best preset, match on
/// email, bad rows reported and skipped, batches of 5,000, duplicates flagged. On success
/// `*out` is freed with `crm_import_options_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_import_options_new(out: *mut *mut crm_import_options) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        out.write(ffi::into_raw(OptionsHandle(ImportOptions::new())));
        Ok(())
    })
}

/// Maps the column `header` to `target`: a field as named in an export (`first_name`,
/// `email`, `customer_no`...), `custom:<key>` for a custom field, or `ignore`. Overrides the
/// preset. Errors: `CRM_ERR_VALIDATION` on `mapping`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_import_options_map(
    options: *mut crm_import_options,
    header: *const c_char,
    target: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let o = self::options(options)?;
        let header = ffi::text_in(header, "header")?;
        let target = ffi::text_in(target, "target")?.parse()?;
        o.mapping.push((header.to_owned(), target));
        Ok(())
    })
}

/// Sets one option by name: `preset` (`crm`, `google_contacts`, `outlook`, `hubspot`),
/// `match_on` (`none`, `email`, `customer_no`, `custom:<key>`), `encoding` (a WHATWG label such
/// as `windows-1252`), `delimiter` (one character) or `batch_size` (1 to 100,000).
/// Errors: `CRM_ERR_VALIDATION` naming the option.
#[unsafe(no_mangle)]
pub extern "C" fn crm_import_options_set(
    options: *mut crm_import_options,
    name: *const c_char,
    value: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let o = self::options(options)?;
        let name = ffi::text_in(name, "name")?;
        let value = ffi::text_in(value, "value")?;
        // Checked here rather than at the import; a refused value leaves the options as they were.
        let mut next = o.clone();
        match name {
            "preset" => next.preset = Some(value.parse()?),
            "match_on" => next.match_on = value.parse()?,
            "encoding" => next.encoding = Some(value.to_owned()),
            "delimiter" => match value.as_bytes() {
                [d] => next.delimiter = Some(*d),
                _ => return Err(json::validation("delimiter", "must be one character")),
            },
            "batch_size" => {
                next.batch_size = value
                    .parse()
                    .map_err(|_| json::validation("batch_size", "not a number"))?;
            }
            other => {
                return Err(json::validation(
                    "name",
                    format!("{other:?} is not an import option"),
                ));
            }
        }
        next.validate()?;
        *o = next;
        Ok(())
    })
}

/// Sets the `CRM_IMPORT_*` flags (replacing those set before).
#[unsafe(no_mangle)]
pub extern "C" fn crm_import_options_set_flags(
    options: *mut crm_import_options,
    flags: crm_import_flags,
) -> crm_status {
    ffi::call(|| {
        let known = CRM_IMPORT_DRY_RUN
            | CRM_IMPORT_ALL_OR_NOTHING
            | CRM_IMPORT_LENIENT
            | CRM_IMPORT_NO_DUPLICATE_FLAGS;
        if flags & !known != 0 {
            return Err(json::validation("flags", "holds unknown bits"));
        }
        let o = self::options(options)?;
        o.dry_run = flags & CRM_IMPORT_DRY_RUN != 0;
        o.all_or_nothing = flags & CRM_IMPORT_ALL_OR_NOTHING != 0;
        o.lenient = flags & CRM_IMPORT_LENIENT != 0;
        o.flag_duplicates = (flags & CRM_IMPORT_NO_DUPLICATE_FLAGS == 0).then(MatchConfig::default);
        Ok(())
    })
}

/// Frees import options. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_import_options_free(options: *mut crm_import_options) {
    ffi::value((), || ffi::free::<OptionsHandle>(options));
}

/// Imports customers from the CSV file at `path` with `options` (NULL: the defaults). Rows
/// that fail are reported (row number as a spreadsheet shows it, field, reason) and skipped, or
/// with `CRM_IMPORT_ALL_OR_NOTHING` nothing is written. A matched customer takes every
/// non-empty cell; empty cells keep what is stored. `progress` (or NULL) gets, after each
/// batch, the bytes read up to its end and the file size. On success `*out` is the report, freed with
/// `crm_import_report_free`. Errors (nothing imported): `CRM_ERR_VALIDATION` on the options,
/// `file` (no header, unreadable), `columns` (a blank or repeated header, two columns for one
/// field, no column for a name the tenant's name rule needs), `mapping`, `match_on`;
/// `CRM_ERR_IO` (cannot open the file). A file that cannot be read or decoded part-way is
/// `CRM_ERR_VALIDATION` on `file`, the batches committed before staying (none for an
/// all-or-nothing import or a dry run).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_import(
    tenant: *const crm_tenant,
    path: *const c_char,
    options: *mut crm_import_options,
    progress: crm_progress_callback,
    userdata: *mut c_void,
    out: *mut *mut crm_import_report,
) -> crm_status {
    ffi::call(|| {
        let path = ffi::text_in(path, "path")?;
        import(tenant, options, out, |t, options| {
            t.tenant
                .import_csv_file(&t.actor, path, options, |done, total| {
                    report_progress(progress, userdata, done, total)
                })
        })
    })
}

/// [`crm_tenant_import`] from the `len` bytes at `data` (the file's content, in memory);
/// `progress` gets the bytes read and 0.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_import_bytes(
    tenant: *const crm_tenant,
    data: *const u8,
    len: usize,
    options: *mut crm_import_options,
    progress: crm_progress_callback,
    userdata: *mut c_void,
    out: *mut *mut crm_import_report,
) -> crm_status {
    ffi::call(|| {
        let data = ffi::slice_in(data, len, "data")?;
        import(tenant, options, out, |t, options| {
            t.tenant.import_csv(&t.actor, data, options, |done, total| {
                report_progress(progress, userdata, done, total)
            })
        })
    })
}

fn report_progress(
    progress: crm_progress_callback,
    userdata: *mut c_void,
    done: u64,
    total: u64,
) -> bool {
    if let Some(progress) = progress {
        ffi::in_callback(|| progress(userdata, done, total));
    }
    true
}

/// Runs `run` with the tenant and the options (NULL: the defaults) and writes its report.
fn import(
    tenant: *const crm_tenant,
    options: *mut crm_import_options,
    out: *mut *mut crm_import_report,
    run: impl FnOnce(&crate::db::TenantHandle, &ImportOptions) -> crm_core::Result<ImportReport>,
) -> Result<(), Failure> {
    let out = ffi::out(out, "out")?;
    let t = self::tenant(tenant)?;
    let defaults = ImportOptions::new();
    let options = if options.is_null() {
        &defaults
    } else {
        &*self::options(options)?
    };
    let report = run(&t, options)?;
    let issues = report
        .issues
        .iter()
        .map(|i| Issue {
            row: i.row,
            field: c_string(i.field.clone()),
            reason: c_string(i.reason.clone()),
            kind: issue_out(i.kind),
        })
        .collect();
    out.write(ffi::into_raw(ReportHandle { report, issues }));
    Ok(())
}

/// The counts of the report into `*out`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_import_report_counts(
    report: *const crm_import_report,
    out: *mut crm_import_counts,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let r = &self::report(report)?.report;
        out.write(crm_import_counts {
            rows: r.rows,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            skipped: r.skipped,
            failed: r.failed,
            issues_total: r.issues_total,
            flagged_total: r.flagged_total,
            committed: r.committed,
        });
        Ok(())
    })
}

/// How many issues the report holds (at most 10,000); 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_import_report_issue_count(report: *const crm_import_report) -> usize {
    ffi::value(0, || Ok(self::report(report)?.issues.len()))
}

/// Issue `index`: its row (the header is row 1), field (empty for the whole row; borrowed until
/// the report is freed), reason (borrowed) and kind (`CRM_ISSUE_*`). Each out pointer may be
/// NULL. Errors: `CRM_ERR_VALIDATION` on `index` past the end.
#[unsafe(no_mangle)]
pub extern "C" fn crm_import_report_issue(
    report: *const crm_import_report,
    index: usize,
    row: *mut u64,
    field: *mut *const c_char,
    reason: *mut *const c_char,
    kind: *mut crm_issue_kind,
) -> crm_status {
    ffi::call(|| {
        let issue = self::report(report)?
            .issues
            .get(index)
            .ok_or_else(|| json::validation("index", "past the last issue"))?;
        ffi::write_if_asked(row, issue.row);
        ffi::write_if_asked(field, c_ptr(Some(&issue.field)));
        ffi::write_if_asked(reason, c_ptr(Some(&issue.reason)));
        ffi::write_if_asked(kind, issue.kind);
        Ok(())
    })
}

/// The whole report as JSON `{"format": 1, "import": {"dry_run", "committed", "stopped", "preset",
/// "columns": [{"header", "target"}...], "rows", "created", "updated", "unchanged", "skipped",
/// "failed", "issues": [{"row", "field", "reason", "kind"}...], "issues_total", "flagged":
/// [{"row", "customer_id", "matches": [{"customer_id", "score", "contributions"}...]}...],
/// "flagged_total"}}`. On success `*out` is a string freed with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_import_report_to_json(
    report: *const crm_import_report,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let text = json::envelope("import", &self::report(report)?.report)?;
        out.write(ffi::string_out(text));
        Ok(())
    })
}

/// Frees an import report. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_import_report_free(report: *mut crm_import_report) {
    ffi::value((), || ffi::free::<ReportHandle>(report));
}

/// The `CRM_ISSUE_*` constant of an issue kind (an error for any kind this face does not name
/// apart: the tests check it names every one).
pub(crate) fn issue_out(kind: IssueKind) -> crm_issue_kind {
    match kind {
        IssueKind::Skipped => CRM_ISSUE_SKIPPED,
        IssueKind::Warning => CRM_ISSUE_WARNING,
        _ => CRM_ISSUE_ERROR,
    }
}
