//! Capture at booking time: the contact details typed into a booking update or create
//! the one customer record.

use serde::{Deserialize, Serialize};

use super::booking::Booking;
use super::contact::Phone;
use super::contact::email_key;
use super::customer::Customer;
use crate::error::Result;

/// How [`capture_booking`](crate::Tenant::capture_booking) found the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CaptureMatch {
    /// No customer matched: a new one was created.
    Created,
    /// The booking already existed and was linked to this customer.
    Booking,
    /// A customer with the same email (main or secondary, ignoring case) was found.
    Email,
}

impl CaptureMatch {
    /// The stable text form: `created`, `booking` or `email`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Booking => "booking",
            Self::Email => "email",
        }
    }
}

/// What a capture did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Captured {
    /// The customer as stored after the capture.
    pub customer: Customer,
    /// The booking as stored, linked to that customer.
    pub booking: Booking,
    /// How the customer was found, or that it was created.
    pub matched: CaptureMatch,
    /// The customer fields the booking's contact details changed (empty when created or unchanged).
    pub changed_fields: Vec<String>,
    /// The contact fields typed (`email`, `mobile`...) that belong to a customer who was
    /// anonymised: the person asked to be forgotten (see
    /// [`Tenant::suppressed_fields`](crate::Tenant::suppressed_fields)). The capture is made
    /// all the same; the host decides what to do (e.g. no marketing).
    #[serde(default)]
    pub suppressed_fields: Vec<String>,
}

impl Customer {
    /// This customer with the contact details typed into a booking laid over it: every field the
    /// booking gives replaces the stored one, fields it leaves empty keep their value. A new main
    /// email that was a secondary one swaps places with the old main email, so none is lost.
    /// A phone typed exactly as one already stored keeps its stored E.164 (the tenant's region
    /// may have changed since). Fails if the result holds more entries than the limits allow.
    pub(crate) fn overlay(&self, typed: &Customer) -> Result<Customer> {
        let stored: Vec<&Phone> = self.phones().collect();
        let keep = |p: &Phone| {
            stored
                .iter()
                .find(|s| s.typed == p.typed)
                .map_or_else(|| p.clone(), |s| (*s).clone())
        };
        let mut typed = typed.clone();
        for field in [
            &mut typed.phone,
            &mut typed.mobile,
            &mut typed.fax,
            &mut typed.emergency_phone,
        ] {
            *field = field.as_ref().map(keep);
        }
        typed.secondary_phones = typed.secondary_phones.iter().map(keep).collect();
        let typed = &typed;
        let mut out = self.clone();
        macro_rules! take {
            ($($($f:ident).+),*) => { $( if typed.$($f).+.is_some() { out.$($f).+ = typed.$($f).+.clone(); } )* };
        }
        out.first_name = typed.first_name.clone();
        out.last_name = typed.last_name.clone();
        take!(
            company,
            phone,
            mobile,
            fax,
            emergency_phone,
            contact_person,
            birth_date,
            language,
            notes,
            salesperson,
            address.street,
            address.zip,
            address.city,
            address.region,
            address.country,
            consent.email,
            consent.sms
        );
        if let Some(new) = &typed.email {
            let key = email_key(new);
            if self.email.as_deref().map(email_key) != Some(key.clone()) {
                out.secondary_emails.retain(|e| email_key(e) != key);
                if let Some(old) = &self.email
                    && self.secondary_emails.iter().any(|e| email_key(e) == key)
                {
                    out.secondary_emails.push(old.clone());
                }
                out.email = Some(new.clone());
            }
        }
        for email in &typed.secondary_emails {
            if !out
                .secondary_emails
                .iter()
                .any(|e| email_key(e) == email_key(email))
            {
                out.secondary_emails.push(email.clone());
            }
        }
        for phone in &typed.secondary_phones {
            if !out.secondary_phones.iter().any(|p| p.e164 == phone.e164) {
                out.secondary_phones.push(phone.clone());
            }
        }
        out.lists.extend(typed.lists.iter().cloned());
        out.custom_fields.extend(
            typed
                .custom_fields
                .iter()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        out.check_counts()?;
        Ok(out)
    }
}
