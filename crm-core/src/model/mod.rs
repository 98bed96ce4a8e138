//! The domain model: values, their checks and their normalisation. Pure: no I/O.

mod actor;
mod booking;
mod capture;
mod change;
mod consent;
mod contact;
mod customer;
mod dates;
pub(crate) use dates::check_utc;
pub(crate) use ids::uuid_id;
mod document;
mod export;
mod feed;
mod ids;
mod indexed;
pub(crate) mod invoice;
pub mod limits;
mod list;
mod merge;
mod outreach;
mod page;
pub(crate) mod period;
mod privacy_log;
mod query;
mod saved;
pub(crate) mod string_enum;
mod template;
mod tenant;
mod text;

pub use actor::{Actor, Role};
pub use booking::{
    Booking, BookingStatus, CustomerStats, NewBooking, Spending, SpendingPeriod, UpsertedBooking,
};
pub(crate) use booking::{reference, spending};
pub use capture::{CaptureMatch, Captured};
pub(crate) use change::Change;
pub use change::{ChangeEvent, ChangeKind};
pub use consent::{ConsentPurpose, ConsentRecord, ConsentState, NewConsent};
pub use contact::Phone;
pub(crate) use contact::{
    email as check_email, email_key, phone as read_phone, reading_region, valid_e164,
};
pub use customer::{Address, Consent, Customer, CustomerId, NewCustomer};
pub(crate) use customer::{Rules, full_name};
pub use document::{Document, DocumentId, NewDocument};
pub use export::{
    AnonymisationNote, EXPORT_FORMAT, InvoiceRecord, PersonalDataExport, SecondaryContacts,
};
pub use feed::{FEED_RETENTION, FeedBounds, FeedCompaction, FeedCursor};
pub(crate) use feed::{check_cursor, check_readable, compaction_bound, cursor_name, cutoff};
pub(crate) use indexed::{IndexedBooking, IndexedCustomer};
pub use invoice::{CustomerInvoice, CustomerInvoices, Invoice, Money, PaymentStatus};
pub(crate) use invoice::{InvoiceTotals, Invoiced, booking_total, invoice_totals};
pub(crate) use list::list_name;
pub use list::{BrochureRequest, BrochureRequestId, ListInfo};
pub use merge::{
    BookingMove, MergeField, MergeId, MergePlan, MergeRecord, MergeRequest, Merged, Undo,
};
pub use outreach::{
    Audience, Channel, Communication, CommunicationId, NewCommunication, Outreach, OutreachSkips,
    Recipient,
};
pub use page::{Cursor, CustomerListQuery, CustomerRow, CustomerSort, Page};
pub(crate) use page::{CursorData, SortKey};
pub use period::{PeriodUnit, RelativePeriod};
pub use privacy_log::{PrivacyAction, PrivacyLogEntry};
pub use query::{CustomerQuery, SearchFilter, SearchPage, SearchPeriod, SearchSort};
pub(crate) use query::{TextFilter, day_number};
pub(crate) use saved::StoredSchedule;
pub(crate) use saved::search_name;
pub use saved::{SavedRun, SavedSearch, SavedSearchId, ScheduleRun};
pub(crate) use template::variant_language;
pub use template::{NewTemplate, Template, TemplateKind};
pub use tenant::{EmailUniqueness, NameRule, Permission, Policy, TenantId, TenantSettings};
pub use text::fold;
pub(crate) use text::lookup;

/// A required one-line text of at most `max` characters, trimmed (Validation naming `field`).
pub(crate) fn required_text(field: &str, value: &str, max: usize) -> crate::error::Result<String> {
    text::required(field, value, max, false)
}

/// The keys of a value's serialised form, sorted: what a `FIELDS` list must name.
#[cfg(test)]
pub(crate) fn serialised_keys(value: &impl serde::Serialize) -> Vec<String> {
    let json = serde_json::to_value(value).unwrap();
    let mut keys: Vec<String> = json.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

/// A `FIELDS` list, sorted, to compare with [`serialised_keys`].
#[cfg(test)]
pub(crate) fn sorted(fields: &[&str]) -> Vec<String> {
    let mut fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
    fields.sort();
    fields
}
