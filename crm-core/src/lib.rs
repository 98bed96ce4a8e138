//! Embeddable customer records for travel and transport booking systems.
//!
//! Agencies, tour operators and transfer companies keep their end customers here: who they are,
//! how to reach them, what they booked. Every call is scoped to a tenant (an agency); SQLite is
//! the source of truth; every mutation is one transaction that also appends to a change feed.
//!
//! ```
//! use crm_core::{Actor, Crm, CustomerListQuery, CustomerSort, NewBooking, NewCustomer, Role, TenantSettings};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let crm = Crm::open_in_memory()?; // or Crm::open("agency.db")?
//! let agency = crm.tenant("agency-42")?;
//! let clerk = Actor::new("u-17", Role::Agent);
//! agency.set_settings(&clerk, TenantSettings::with_region("FR"))?;
//!
//! let helene = agency.create_customer(&clerk, NewCustomer {
//!     first_name: "Hélène".into(),
//!     last_name: "Dupont".into(),
//!     email: Some("Helene.Dupont@example.fr".into()),
//!     mobile: Some("06 12 34 56 78".into()),
//!     ..Default::default()
//! })?;
//! assert_eq!(helene.mobile.as_ref().unwrap().e164.as_deref(), Some("+33612345678"));
//!
//! let pickup = chrono::DateTime::parse_from_rfc3339("2026-07-14T08:30:00+02:00")?;
//! let mut trip = NewBooking::new("BK-1001", pickup);
//! trip.customer_id = Some(helene.id);
//! (trip.route_from, trip.route_to) = ("Lyon Part-Dieu".into(), "Aéroport LYS".into());
//! agency.upsert_booking(&clerk, trip)?;
//!
//! let page = agency.list_customers(&CustomerListQuery::new(CustomerSort::LastBooking))?;
//! assert_eq!(page.items[0].bookings, 1);
//! let history = agency.booking_history(&helene.id)?;
//! assert_eq!(history[0].route(), "Lyon Part-Dieu → Aéroport LYS");
//! # Ok(()) }
//! ```
//!
//! Errors are one [`Error`] type whose [`ErrorKind`] says what class of failure it is; a
//! validation error names the field and the rule it broke.

// The record-linkage generator of the benchmarks names this crate by its name; its unit tests
// measure the duplicate finder's blocking on it.
#[cfg(test)]
extern crate self as crm_core;

mod cases;
mod consent;
mod crm;
mod dedupe;
#[cfg(feature = "smtp")]
mod email;
mod error;
mod exchange;
mod letters;
mod merge;
mod model;
mod parallel;
mod pdf;
mod policy;
mod privacy;
mod resolve;
mod schedule;
mod search;
mod statement;
mod store;
mod sync;
mod template;

pub use crm::{Crm, Tenant};
pub use dedupe::{
    DuplicateCluster, DuplicateMatch, DuplicatePair, FindOptions, Learning, LevelWeight,
    MAX_WEIGHT_OVERRIDES, MatchConfig, MatchContribution, MatchField, MatchLevel, MatchModel,
    NotDuplicate,
};
#[cfg(feature = "smtp")]
pub use email::{FailedEmail, SendReport, SentEmail, SmtpSecurity, SmtpSettings};
pub use error::{Error, ErrorKind, Result};
pub use exchange::{
    ExportColumn, ExportFormat, ExportOptions, FlaggedRow, ImportMatch, ImportOptions,
    ImportPreset, ImportReport, ImportTarget, IssueKind, MAX_PDF_ROWS, MappedColumn, RowIssue,
    replace_file,
};
pub use letters::{LetterOptions, LetterRun, LetterSkip};
pub use merge::{
    BookingMove, MergeField, MergeId, MergePlan, MergeRecord, MergeRequest, Merged, Undo,
};
pub use model::limits;
pub use model::{
    Actor, Address, Audience, Booking, BookingStatus, BrochureRequest, BrochureRequestId,
    CaptureMatch, Captured, Channel, Communication, CommunicationId, Consent, ConsentPurpose,
    ConsentState, Customer, CustomerId, CustomerInvoice, CustomerInvoices, CustomerStats, Document,
    DocumentId, EmailUniqueness, Invoice, ListInfo, Money, NameRule, NewBooking, NewCommunication,
    NewConsent, NewCustomer, NewDocument, NewTemplate, Outreach, OutreachSkips, PaymentStatus,
    Permission, Phone, Policy, PrivacyAction, PrivacyLogEntry, Recipient, Role, SavedRun,
    SavedSearch, SavedSearchId, ScheduleRun, Spending, SpendingPeriod, Template, TemplateKind,
    TenantId, TenantSettings, UpsertedBooking, fold,
};
pub use model::{ChangeEvent, ChangeKind};
pub use model::{
    Cursor, CustomerListQuery, CustomerQuery, CustomerRow, CustomerSort, Page, PeriodUnit,
    RelativePeriod, SearchFilter, SearchPage, SearchPeriod, SearchSort,
};
pub use model::{FEED_RETENTION, FeedBounds, FeedCompaction, FeedCursor};
pub use privacy::{
    ANONYMISED_FIRST_NAME, AnonymisationNote, AnonymisationReport, ConsentRecord, EXPORT_FORMAT,
    InvoiceRecord, Kept, PersonalDataExport, RetentionReport, SecondaryContacts,
};
pub use schedule::{
    DueSchedule, Repeat, Schedule, ScheduleAction, ScheduleEvery, ScheduleInfo, ScheduleKind,
    ScheduledRun,
};
pub use statement::{Statement, StatementLine};
pub use template::{RenderedMessage, SmsEncoding, SmsInfo, TEMPLATE_FIELDS};

/// Compiles and runs the Rust example of README.md.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
