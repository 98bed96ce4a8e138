//! The personal-data export of one customer (GDPR Art. 15 and 20): one JSON document whose
//! schema is versioned by `format` and published in `schemas/personal-data-export.schema.json`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::dedupe::NotDuplicate;
use crate::model::{
    Booking, BrochureRequest, ChangeEvent, Communication, ConsentRecord, Customer, Document,
    MergeRecord, Money, PaymentStatus, Phone,
};

/// The version of the export's layout; a change that could break a reader raises it (3: a phone's
/// `e164` is null for a number that fits no numbering plan; 4: `not_duplicates`; 5: the
/// profile's `title`; 6: several invoices per booking, with their dates and amount paid, and the
/// consent records with their history).
pub const EXPORT_FORMAT: u32 = 6;

/// Everything held on one customer, in a structured, machine-readable form
/// ([`Tenant::export_personal_data`](crate::Tenant::export_personal_data)). Serialize it with
/// `serde_json` to get the documented JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PersonalDataExport {
    /// The layout version, [`EXPORT_FORMAT`].
    pub format: u32,
    /// When the export was made.
    pub exported_at: DateTime<Utc>,
    /// The tenant (agency) holding the data.
    pub tenant: String,
    /// The customer record: every field as stored.
    pub profile: Customer,
    /// The emails and phones besides the main ones.
    pub secondary_contacts: SecondaryContacts,
    /// Its consent records, per channel and purpose, given and withdrawn, with when and from
    /// which source: the whole history, the latest first.
    pub consents: Vec<ConsentRecord>,
    /// Every booking linked to the customer, newest pickup first.
    pub bookings: Vec<Booking>,
    /// The invoices of those bookings.
    pub invoices: Vec<InvoiceRecord>,
    /// The customer lists it belongs to.
    pub lists: Vec<String>,
    /// Its brochure requests, with when each came and was sent.
    pub brochure_requests: Vec<BrochureRequest>,
    /// The messages the host logged as sent to it, newest first.
    pub communications: Vec<Communication>,
    /// The documents attached to it (metadata only: their bytes are read with
    /// [`Tenant::document_content`](crate::Tenant::document_content)).
    pub documents: Vec<Document>,
    /// The merges it took part in, with the snapshots they keep, newest first.
    pub merges: Vec<MergeRecord>,
    /// The pairs a person decided are not one person, this customer (or a record merged into
    /// it) being one of the two.
    pub not_duplicates: Vec<NotDuplicate>,
    /// Every change-feed event about it (or about the records merged into it) the feed still
    /// keeps (see [`Crm::compact_feeds`](crate::Crm::compact_feeds)), in order.
    pub changes: Vec<ChangeEvent>,
    /// Set when the customer was anonymised.
    pub anonymisation: Option<AnonymisationNote>,
}

/// The secondary contacts of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SecondaryContacts {
    /// Further emails.
    pub emails: Vec<String>,
    /// Further phones, as typed and in E.164.
    pub phones: Vec<Phone>,
}

/// An invoice of one of the customer's bookings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct InvoiceRecord {
    /// The booking it belongs to.
    pub booking_reference: String,
    /// The invoice number.
    pub number: String,
    /// When it was issued.
    pub issued_on: Option<NaiveDate>,
    /// When it falls due.
    pub due_on: Option<NaiveDate>,
    /// The amount.
    pub amount: Money,
    /// What was received on it, if known.
    pub amount_paid: Option<i64>,
    /// Whether it was paid.
    pub payment_status: PaymentStatus,
}

/// When and why a customer was anonymised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AnonymisationNote {
    /// When.
    pub at: DateTime<Utc>,
    /// The reason given.
    pub reason: String,
}

impl PersonalDataExport {
    /// Assembles the export from what the store read.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        tenant: &str,
        profile: Customer,
        consents: Vec<ConsentRecord>,
        bookings: Vec<Booking>,
        merges: Vec<MergeRecord>,
        not_duplicates: Vec<NotDuplicate>,
        changes: Vec<ChangeEvent>,
        documents: Vec<Document>,
        brochure_requests: Vec<BrochureRequest>,
        communications: Vec<Communication>,
        anonymisation: Option<AnonymisationNote>,
    ) -> Self {
        let invoices = bookings
            .iter()
            .flat_map(|b| {
                b.invoices.iter().map(|i| InvoiceRecord {
                    booking_reference: b.reference.clone(),
                    number: i.number.clone(),
                    issued_on: i.issued_on,
                    due_on: i.due_on,
                    amount: i.amount.clone(),
                    amount_paid: i.amount_paid,
                    payment_status: i.payment_status,
                })
            })
            .collect();
        Self {
            format: EXPORT_FORMAT,
            exported_at: Utc::now(),
            tenant: tenant.to_owned(),
            secondary_contacts: SecondaryContacts {
                emails: profile.secondary_emails.clone(),
                phones: profile.secondary_phones.clone(),
            },
            consents,
            invoices,
            lists: profile.lists.iter().cloned().collect(),
            documents,
            brochure_requests,
            communications,
            bookings,
            merges,
            not_duplicates,
            changes,
            anonymisation,
            profile,
        }
    }
}
