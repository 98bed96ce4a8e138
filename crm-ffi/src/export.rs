//! Exporting customers to a CSV or XLSX file.

use std::ffi::{c_char, c_void};

use crm_core::{ExportColumn, ExportFormat, ExportOptions};

use crate::db::{crm_progress_callback, crm_tenant, tenant};
use crate::ffi;
use crate::search::{QueryHandle, crm_search_query};
use crate::status::{Failure, crm_status};

/// The file format of `crm_tenant_export`.
pub type crm_export_format = u32;
/// Comma-separated values, UTF-8.
pub const CRM_EXPORT_CSV: crm_export_format = 1401;
/// CSV with a UTF-8 byte order mark first, so that Excel reads accents right.
pub const CRM_EXPORT_CSV_BOM: crm_export_format = 1402;
/// An Excel workbook (`.xlsx`), every cell a string.
pub const CRM_EXPORT_XLSX: crm_export_format = 1403;
/// A PDF list to print (A4 landscape, the header on each page, at most 20,000 customers;
/// fonts embedded: DejaVu Sans, a character it lacks printing as `?`).
pub const CRM_EXPORT_PDF: crm_export_format = 1404;

/// Writes the tenant's customers (by customer no.), or those `query` finds (in its order; its
/// page is ignored; NULL for all), to the file `path` in `format` (`CRM_EXPORT_*`), with the
/// columns `columns` names, comma-separated (`"customer_no,first_name,email"`; NULL for every
/// column: `customer_no`, `title`, `first_name`, `last_name`, `company`, `email`, `phone`, `mobile`,
/// `fax`, `emergency_phone`, `secondary_emails`, `secondary_phones`, `street`, `zip`, `city`,
/// `region`, `country`, `contact_person`, `birth_date`, `language`, `notes`, `consent_email`,
/// `consent_sms`, `salesperson`, `lists`, `custom_fields` (a JSON object), `bookings`,
/// `last_booking`, `spent` and `outstanding` (amounts per currency, `1234.50 EUR; 500 JPY`),
/// `created_at`, `updated_at`, `id`). CSV cells starting with `=`, `+`, `-` or `@` get a leading `'`, so a
/// spreadsheet never runs them. The file is written beside `path` and renamed onto it at the
/// end: on error nothing is left half-written. `progress` (or NULL) follows the rows. On
/// success `*rows_out` (or NULL) is how many customers were written. Errors:
/// `CRM_ERR_VALIDATION` on `columns`, `CRM_ERR_IO`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_export(
    tenant: *const crm_tenant,
    path: *const c_char,
    format: crm_export_format,
    columns: *const c_char,
    query: *const crm_search_query,
    progress: crm_progress_callback,
    userdata: *mut c_void,
    rows_out: *mut u64,
) -> crm_status {
    ffi::call(|| {
        let t = self::tenant(tenant)?;
        let path = ffi::text_in(path, "path")?;
        let (format, bom) = match format {
            CRM_EXPORT_CSV => (ExportFormat::Csv, false),
            CRM_EXPORT_CSV_BOM => (ExportFormat::Csv, true),
            CRM_EXPORT_XLSX => (ExportFormat::Xlsx, false),
            CRM_EXPORT_PDF => (ExportFormat::Pdf, false),
            other => {
                return Err(Failure::invalid(format!(
                    "format: {other} is not a crm_export_format"
                )));
            }
        };
        let mut options = ExportOptions::all().bom(bom);
        if let Some(names) = ffi::optional_text_in(columns, "columns")? {
            let parsed = names
                .split(',')
                .map(str::parse::<ExportColumn>)
                .collect::<crm_core::Result<Vec<_>>>()?;
            options = options.columns(parsed);
        }
        if !query.is_null() {
            options = options.query(ffi::get::<QueryHandle>(query, "query")?.0.clone());
        }
        let on_progress = |done, total| {
            if let Some(progress) = progress {
                ffi::in_callback(|| progress(userdata, done, total));
            }
        };
        let n = t
            .tenant
            .export_file(path, format, &options, |done, total| {
                on_progress(done, total);
                true
            })?
            .unwrap_or_default();
        ffi::write_if_asked(rows_out, n);
        Ok(())
    })
}
