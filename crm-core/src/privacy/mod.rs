//! Privacy: what anonymising a customer erases and keeps, who may ask for it, the keyed hashes
//! that remember who asked to be forgotten. The use cases are `cases::privacy`; the export's
//! types are values of `model`.

mod guard;
mod suppression;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::limits::MAX_TEXT_CHARS;
use crate::model::{Actor, Address, Consent, Customer, CustomerId};

pub use crate::model::{
    AnonymisationNote, ConsentRecord, EXPORT_FORMAT, InvoiceRecord, PersonalDataExport,
    SecondaryContacts,
};
pub(crate) use guard::{Act, allow, allow_unmerge};
pub(crate) use suppression::{
    Contact, contacts_of, digest, suppressed_fields, suppressed_fields_each,
};

/// First name every anonymised customer takes; its last name is `customer <customer no.>`, so
/// it shows as "Anonymised customer 42".
pub const ANONYMISED_FIRST_NAME: &str = "Anonymised";

/// What anonymising a customer erases and keeps: the plan ([`Tenant::plan_anonymise`]) or the
/// report of what was done ([`Tenant::anonymise`]).
///
/// [`Tenant::plan_anonymise`]: crate::Tenant::plan_anonymise
/// [`Tenant::anonymise`]: crate::Tenant::anonymise
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AnonymisationReport {
    /// The customer.
    pub customer_id: CustomerId,
    /// Its customer no., kept.
    pub customer_no: i64,
    /// The fields that held personal data and are erased (`first_name`, `email`,
    /// `secondary_phones`, `notes`...).
    pub erased: Vec<String>,
    /// What is kept, and why.
    pub kept: Vec<Kept>,
    /// How many bookings stay linked to the anonymised record.
    pub bookings: u64,
    /// How many merge records hold snapshots of the customer, scrubbed too.
    pub merges: u64,
    /// How many emails and phones are remembered as keyed hashes, so that a later capture or
    /// import can flag the person (see [`Tenant::suppressed_fields`](crate::Tenant::suppressed_fields)).
    pub suppressed_contacts: u64,
}

/// Something anonymising keeps, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Kept {
    /// What is kept.
    pub what: String,
    /// Why.
    pub why: String,
}

impl Kept {
    fn new(what: &str, why: &str) -> Self {
        Self {
            what: what.into(),
            why: why.into(),
        }
    }
}

/// What [`Tenant::anonymise_inactive`](crate::Tenant::anonymise_inactive) did, or would do in a
/// dry run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RetentionReport {
    /// The cut-off: customers with no booking and no change since then.
    pub before: DateTime<Utc>,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// The customers anonymised (or that would be), in customer no. order.
    pub customers: Vec<CustomerId>,
}

/// The reason an operator gives for anonymising, checked: non-blank, at most 200 characters, no
/// email address or phone-like run of 7+ digits. It is kept with the customer's anonymisation
/// record, so it must not hold personal data.
pub(crate) fn reason(text: &str) -> Result<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::validation(
            "reason",
            "is blank: say why (e.g. \"GDPR Art. 17 request\")",
        ));
    }
    let digits = text
        .split(|c: char| !c.is_ascii_digit() && !" +-./()".contains(c))
        .map(|run| run.chars().filter(char::is_ascii_digit).count())
        .max()
        .unwrap_or(0);
    if text.contains('@') || digits >= 7 {
        return Err(Error::validation(
            "reason",
            "must not hold an email address or a phone number: it is kept",
        ));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(Error::validation(
            "reason",
            format!("longer than {MAX_TEXT_CHARS} characters"),
        ));
    }
    Ok(text.to_owned())
}

/// PermissionDenied unless `actor` has the organisation-level right.
pub(crate) fn require_organisation(actor: &Actor, call: &str) -> Result<()> {
    if actor.role == crate::Role::Organisation {
        Ok(())
    } else {
        Err(Error::PermissionDenied {
            reason: format!(
                "{call} needs the organisation role (the actor is {})",
                actor.role
            ),
        })
    }
}

/// The names of the fields of `c` that hold personal data now.
pub(crate) fn personal_fields(c: &Customer) -> Vec<String> {
    let mut out = Vec::new();
    let mut put = |name: &str, has: bool| {
        if has {
            out.push(name.to_owned());
        }
    };
    put("first_name", c.first_name != ANONYMISED_FIRST_NAME);
    put(
        "last_name",
        c.last_name != format!("customer {}", c.customer_no),
    );
    put("title", c.title.is_some());
    put("company", c.company.is_some());
    put("email", c.email.is_some());
    put("phone", c.phone.is_some());
    put("mobile", c.mobile.is_some());
    put("fax", c.fax.is_some());
    put("emergency_phone", c.emergency_phone.is_some());
    put("secondary_emails", !c.secondary_emails.is_empty());
    put("secondary_phones", !c.secondary_phones.is_empty());
    put("address", c.address != Address::default());
    put("contact_person", c.contact_person.is_some());
    put("birth_date", c.birth_date.is_some());
    put("language", c.language.is_some());
    put("notes", c.notes.is_some());
    put("consent", c.consent != Consent::default());
    put("lists", !c.lists.is_empty());
    put("custom_fields", !c.custom_fields.is_empty());
    out
}

/// `c` with every personal field erased: "Anonymised customer <no.>", nothing else but its id,
/// number, salesperson, times and version.
pub(crate) fn anonymised(c: &Customer, at: DateTime<Utc>) -> Customer {
    Customer {
        id: c.id,
        customer_no: c.customer_no,
        title: None,
        first_name: ANONYMISED_FIRST_NAME.into(),
        last_name: format!("customer {}", c.customer_no),
        company: None,
        email: None,
        phone: None,
        mobile: None,
        fax: None,
        emergency_phone: None,
        secondary_emails: Vec::new(),
        secondary_phones: Vec::new(),
        address: Address::default(),
        contact_person: None,
        birth_date: None,
        language: None,
        notes: None,
        consent: Consent::default(),
        salesperson: c.salesperson.clone(),
        lists: Default::default(),
        custom_fields: Default::default(),
        created_at: c.created_at,
        updated_at: c.updated_at,
        version: c.version,
        anonymised_at: Some(c.anonymised_at.unwrap_or(at)),
    }
}

/// What anonymising keeps, and why.
pub(crate) fn kept() -> Vec<Kept> {
    vec![
        Kept::new(
            "id and customer no.",
            "bookings, invoices and the host's own records refer to them",
        ),
        Kept::new(
            "bookings (reference, status, dates, route, transport, hotel)",
            "accounting and the booking engine's records; they stay linked to the anonymised record",
        ),
        Kept::new(
            "invoice numbers and amounts",
            "bookkeeping law requires them (GDPR Art. 17(3)(b))",
        ),
        Kept::new(
            "salesperson",
            "the agency's own staff, not the customer's data",
        ),
        Kept::new(
            "creation time and the change feed",
            "the feed names fields and ids, never personal values",
        ),
        Kept::new(
            "keyed hashes of the emails and phones",
            "to flag a later capture or import of someone who asked to be forgotten, without \
             keeping the contacts in clear text",
        ),
    ]
}
