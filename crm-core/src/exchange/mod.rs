//! Exchanging customers with spreadsheets: export to CSV and XLSX, import from CSV.

mod columns;
mod csv_in;
mod csv_out;
mod file;
mod import;
mod mapping;
mod pdf_out;
mod xlsx_out;

pub use columns::{ExportColumn, ExportOptions};
pub(crate) use csv_in::{CsvRows, RawRow, ReadRow, read_row};
pub(crate) use csv_out::CsvSheet;
pub(crate) use file::read_bounded;
pub use file::{ExportFormat, replace_file};
pub use import::{FlaggedRow, ImportMatch, ImportOptions, ImportReport, IssueKind, RowIssue};
pub(crate) use mapping::Mapping;
pub use mapping::{ImportPreset, ImportTarget, MappedColumn};
pub use pdf_out::MAX_PDF_ROWS;
pub(crate) use pdf_out::PdfSheet;
pub(crate) use xlsx_out::XlsxSheet;

use chrono::SecondsFormat;

use crate::model::{Customer, CustomerRow, InvoiceTotals, Money};

/// Amounts per currency as a cell: `1234.50 EUR; 20.00 USD` (empty without any).
fn money(amounts: Option<&[Money]>) -> String {
    amounts
        .unwrap_or_default()
        .iter()
        .map(crate::statement::format_money)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The text of `column` for a customer, its list row (booking facts) and its invoice totals
/// (read when a money column is asked for), as written to a file.
pub(crate) fn cell(
    column: ExportColumn,
    c: &Customer,
    row: Option<&CustomerRow>,
    totals: Option<&InvoiceTotals>,
) -> String {
    use ExportColumn as E;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let phone =
        |p: &Option<crate::model::Phone>| p.as_ref().map(|p| p.typed.clone()).unwrap_or_default();
    let time = |t: &chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    match column {
        E::Id => c.id.to_string(),
        E::CustomerNo => c.customer_no.to_string(),
        E::Title => text(&c.title),
        E::FirstName => c.first_name.clone(),
        E::LastName => c.last_name.clone(),
        E::Company => text(&c.company),
        E::Email => text(&c.email),
        E::Phone => phone(&c.phone),
        E::Mobile => phone(&c.mobile),
        E::Fax => phone(&c.fax),
        E::EmergencyPhone => phone(&c.emergency_phone),
        E::SecondaryEmails => c.secondary_emails.join("; "),
        E::SecondaryPhones => c
            .secondary_phones
            .iter()
            .map(|p| p.typed.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        E::Street => text(&c.address.street),
        E::Zip => text(&c.address.zip),
        E::City => text(&c.address.city),
        E::Region => text(&c.address.region),
        E::Country => text(&c.address.country),
        E::ContactPerson => text(&c.contact_person),
        E::BirthDate => c.birth_date.map(|d| d.to_string()).unwrap_or_default(),
        E::Language => text(&c.language),
        E::Notes => text(&c.notes),
        E::ConsentEmail => c.consent.email.as_ref().map(time).unwrap_or_default(),
        E::ConsentSms => c.consent.sms.as_ref().map(time).unwrap_or_default(),
        E::Salesperson => text(&c.salesperson),
        E::Lists => c.lists.iter().cloned().collect::<Vec<_>>().join("; "),
        E::CustomFields if c.custom_fields.is_empty() => String::new(),
        E::CustomFields => serde_json::to_string(&c.custom_fields).unwrap_or_default(),
        E::Bookings => row.map_or(0, |r| r.bookings).to_string(),
        E::LastBooking => row
            .and_then(|r| r.last_booking)
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, false))
            .unwrap_or_default(),
        E::Spent => money(totals.map(|t| t.spent.as_slice())),
        E::Outstanding => money(totals.map(|t| t.outstanding.as_slice())),
        E::CreatedAt => time(&c.created_at),
        E::UpdatedAt => time(&c.updated_at),
    }
}

/// A cell made safe for spreadsheets: text starting with `=`, `+`, `-`, `@` (or a tab or
/// carriage return) would be read as a formula, so it gets a leading apostrophe (OWASP's advice
/// for CSV injection). A number such as `-12` or `+33 6 12` keeps its look but still gets one:
/// a spreadsheet shows the text as typed.
///
/// Text that starts with an apostrophe followed by one of these (or by another apostrophe) gets
/// one too, so that an import, which takes that apostrophe off again, reads back what was
/// exported.
pub(crate) fn neutralised(text: String) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some('=' | '+' | '-' | '@' | '\t' | '\r'), _)
        | (Some('\''), Some('=' | '+' | '-' | '@' | '\'')) => format!("'{text}"),
        _ => text,
    }
}
