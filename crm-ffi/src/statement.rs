//! Statements (`crm_statement`): a customer's bookings in a date range with totals per
//! currency, and its PDF.

use std::ffi::{CString, c_char};

use crm_core::Statement;

use crate::customer::id_in;
use crate::db::{crm_tenant, tenant};
use crate::ffi::{self, Handle, c_opt, c_ptr, c_string};
use crate::json;
use crate::search::day_in;
use crate::status::{Failure, crm_status};

/// A customer's statement (`crm_tenant_statement`).
pub struct crm_statement {
    _private: [u8; 0],
}

struct LineTexts {
    reference: CString,
    pickup_at: CString,
    route: CString,
    status: CString,
    invoice_number: Option<CString>,
    currency: Option<CString>,
    payment_status: Option<CString>,
}

struct StatementHandle {
    statement: Statement,
    lines: Vec<LineTexts>,
    currencies: Vec<CString>,
    /// The currencies of the amounts still owed, as C strings.
    owed_currencies: Vec<CString>,
}

impl Handle for StatementHandle {
    type C = crm_statement;
    const NAME: &'static str = "crm_statement";
}

fn statement<'a>(ptr: *const crm_statement) -> Result<&'a StatementHandle, Failure> {
    ffi::get::<StatementHandle>(ptr, "statement")
}

/// The statement of customer `customer_id`: its bookings departing on the local days `from` to
/// `to` (`YYYY-MM-DD`, inclusive), oldest first, with invoice totals per currency (cancelled
/// bookings left out). On success `*out` is freed with `crm_statement_free`. Errors:
/// `CRM_ERR_VALIDATION` (`from`, `to`), `CRM_ERR_NOT_FOUND`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_statement(
    tenant: *const crm_tenant,
    customer_id: *const c_char,
    from: *const c_char,
    to: *const c_char,
    out: *mut *mut crm_statement,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let id = id_in(customer_id, "customer_id")?;
        let day = |ptr, name| -> Result<chrono::NaiveDate, Failure> {
            day_in(name, Some(ffi::text_in(ptr, name)?))?
                .ok_or_else(|| json::validation(name, "missing"))
        };
        let statement = t
            .tenant
            .statement(&id, day(from, "from")?, day(to, "to")?)?;
        let lines = statement
            .lines
            .iter()
            .map(|l| LineTexts {
                reference: c_string(l.reference.clone()),
                pickup_at: c_string(l.pickup_at.to_rfc3339()),
                route: c_string(l.route.clone()),
                status: c_string(l.status.as_str().to_owned()),
                invoice_number: c_opt(l.invoice_number.as_deref()),
                currency: c_opt(l.amount.as_ref().map(|m| m.currency.as_str())),
                payment_status: c_opt(l.payment_status.map(|p| p.as_str())),
            })
            .collect();
        let currencies = statement
            .totals
            .iter()
            .map(|m| c_string(m.currency.clone()))
            .collect();
        let owed_currencies = statement
            .outstanding
            .iter()
            .map(|m| c_string(m.currency.clone()))
            .collect();
        out.write(ffi::into_raw(StatementHandle {
            statement,
            lines,
            currencies,
            owed_currencies,
        }));
        Ok(())
    })
}

/// How many lines the statement holds: a line per invoice of its bookings (one for a booking
/// without); 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_statement_line_count(statement: *const crm_statement) -> usize {
    ffi::value(0, || Ok(self::statement(statement)?.lines.len()))
}

/// Line `index`: booking reference, pickup (RFC 3339, local offset), route, status
/// (`confirmed`...), invoice number (NULL when not invoiced), amount in minor units (0 when not
/// invoiced) and its currency (NULL when not invoiced). Strings are borrowed until the
/// statement is freed; each out pointer may be NULL. Errors: `CRM_ERR_VALIDATION` on `index`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_statement_line(
    statement: *const crm_statement,
    index: usize,
    reference: *mut *const c_char,
    pickup_at: *mut *const c_char,
    route: *mut *const c_char,
    status: *mut *const c_char,
    invoice_number: *mut *const c_char,
    amount_minor: *mut i64,
    currency: *mut *const c_char,
) -> crm_status {
    ffi::call(|| {
        let s = self::statement(statement)?;
        let (line, texts) = s
            .statement
            .lines
            .get(index)
            .zip(s.lines.get(index))
            .ok_or_else(|| json::validation("index", "past the last line"))?;
        ffi::write_if_asked(reference, texts.reference.as_ptr());
        ffi::write_if_asked(pickup_at, texts.pickup_at.as_ptr());
        ffi::write_if_asked(route, texts.route.as_ptr());
        ffi::write_if_asked(status, texts.status.as_ptr());
        ffi::write_if_asked(invoice_number, c_ptr(texts.invoice_number.as_ref()));
        ffi::write_if_asked(amount_minor, line.amount.as_ref().map_or(0, |m| m.minor));
        ffi::write_if_asked(currency, c_ptr(texts.currency.as_ref()));
        Ok(())
    })
}

/// The payment status of line `index`'s invoice (`unpaid`, `partially_paid`, `paid` or
/// `refunded`), borrowed until the statement is freed; NULL when the line is not invoiced, past
/// the last line or on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_statement_line_payment_status(
    statement: *const crm_statement,
    index: usize,
) -> *const c_char {
    ffi::value(std::ptr::null(), || {
        Ok(self::statement(statement)?
            .lines
            .get(index)
            .map_or(std::ptr::null(), |texts| {
                c_ptr(texts.payment_status.as_ref())
            }))
    })
}

/// Writes amount `index` of `amounts` (minor units) and its currency of `currencies` (borrowed)
/// where asked; `None` past the last.
fn amount_at(
    amounts: &[crm_core::Money],
    currencies: &[CString],
    index: usize,
    minor: *mut i64,
    currency: *mut *const c_char,
) -> Option<()> {
    let (amount, code) = amounts.get(index).zip(currencies.get(index))?;
    ffi::write_if_asked(minor, amount.minor);
    ffi::write_if_asked(currency, code.as_ptr());
    Some(())
}

/// How many currencies the totals hold; 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_statement_total_count(statement: *const crm_statement) -> usize {
    ffi::value(0, || Ok(self::statement(statement)?.currencies.len()))
}

/// Total `index` (by currency code): the amount in minor units and the currency (borrowed).
/// Errors: `CRM_ERR_VALIDATION` on `index`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_statement_total(
    statement: *const crm_statement,
    index: usize,
    minor: *mut i64,
    currency: *mut *const c_char,
) -> crm_status {
    ffi::call(|| {
        let s = self::statement(statement)?;
        amount_at(&s.statement.totals, &s.currencies, index, minor, currency)
            .ok_or_else(|| json::validation("index", "past the last total"))?;
        Ok(())
    })
}

/// How many currencies still owed the statement holds (of unpaid or part-paid invoices, the
/// amount less what was paid, of bookings not cancelled); 0 on a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn crm_statement_outstanding_count(statement: *const crm_statement) -> usize {
    ffi::value(0, || Ok(self::statement(statement)?.owed_currencies.len()))
}

/// Amount still owed `index` (by currency code): in minor units, and the currency (borrowed).
/// Errors: `CRM_ERR_VALIDATION` on `index`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_statement_outstanding(
    statement: *const crm_statement,
    index: usize,
    minor: *mut i64,
    currency: *mut *const c_char,
) -> crm_status {
    ffi::call(|| {
        let s = self::statement(statement)?;
        amount_at(
            &s.statement.outstanding,
            &s.owed_currencies,
            index,
            minor,
            currency,
        )
        .ok_or_else(|| json::validation("index", "past the last amount owed"))?;
        Ok(())
    })
}

/// Writes the statement as a PDF to the file `path`, through a file beside it renamed at the
/// end (nothing half-written on error). Errors: `CRM_ERR_IO`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_statement_write_pdf(
    statement: *const crm_statement,
    path: *const c_char,
) -> crm_status {
    ffi::call(|| {
        let s = self::statement(statement)?;
        let path = ffi::text_in(path, "path")?;
        Ok(s.statement.write_pdf(path)?)
    })
}

/// The statement as JSON `{"format": 1, "statement": {"customer_id", "customer_no", "name",
/// "company", "address", "from", "to", "lines": [...], "totals": [{"minor", "currency"}...],
/// "outstanding": [{"minor", "currency"}...], "generated_at"}}`. On success `*out` is freed with `crm_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn crm_statement_to_json(
    statement: *const crm_statement,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let text = json::envelope("statement", &self::statement(statement)?.statement)?;
        out.write(ffi::string_out(text));
        Ok(())
    })
}

/// Frees a statement. NULL does nothing.
#[unsafe(no_mangle)]
pub extern "C" fn crm_statement_free(statement: *mut crm_statement) {
    ffi::value((), || ffi::free::<StatementHandle>(statement));
}

/// The statements of the customers `query` finds (NULL: every customer; a saved search's query
/// from `crm_tenant_saved_search_query`) over the local days `from` to `to` (`YYYY-MM-DD`),
/// anonymised customers left out, at most 10,000, as JSON `{"format": 1, "statements":
/// [{"customer_id", "customer_no", "name", "company", "address", "start", "end", "lines",
/// "totals", "outstanding", "generated_at"}...]}`. On success `*out` is a string freed with
/// `crm_string_free`. Errors: `CRM_ERR_VALIDATION` (`from`, `to`, too many customers).
#[unsafe(no_mangle)]
pub extern "C" fn crm_tenant_statements_json(
    tenant: *const crm_tenant,
    query: *const crate::search::crm_search_query,
    from: *const c_char,
    to: *const c_char,
    out: *mut *mut c_char,
) -> crm_status {
    ffi::call(|| {
        let out = ffi::out(out, "out")?;
        let t = self::tenant(tenant)?;
        let day = |ptr, name| -> Result<chrono::NaiveDate, Failure> {
            day_in(name, Some(ffi::text_in(ptr, name)?))?
                .ok_or_else(|| json::validation(name, "missing"))
        };
        let query = if query.is_null() {
            crm_core::CustomerQuery::all()
        } else {
            ffi::get::<crate::search::QueryHandle>(query, "query")?
                .0
                .clone()
        };
        let all = t.tenant.statements(
            &crm_core::Audience::Query(query),
            day(from, "from")?,
            day(to, "to")?,
        )?;
        out.write(ffi::string_out(json::envelope("statements", all)?));
        Ok(())
    })
}
