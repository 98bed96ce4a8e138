//! Capture at booking time: the contact details typed into a booking update or create
//! the one customer record.

use serde::{Deserialize, Serialize};

use super::booking::Booking;
use phonenumber::country::Id as Region;

use super::contact::{Phone, email_key, phone, reading_region};
use super::customer::Customer;
use crate::error::Result;

crate::model::string_enum::string_enum!(
    /// How [`capture_booking`](crate::Tenant::capture_booking) found the customer.
    CaptureMatch, "matched" {
        /// No customer matched: a new one was created.
        Created = "created",
        /// The booking already existed and was linked to this customer.
        Booking = "booking",
        /// A customer with the same email (main or secondary, ignoring case) was found.
        Email = "email",
    }
);

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
    /// booking gives replaces the stored one, fields it leaves empty (a name too) keep their
    /// value. A new main email that was a secondary one swaps places with the old main email, so
    /// none is lost.
    ///
    /// Phones are read in the country the customer ends up with (else `tenant_region`): a number
    /// typed without a country for a customer stored in Germany is a German number. While the
    /// country stays, a phone typed exactly as one already stored keeps its stored reading (the
    /// tenant's region may have changed since); a new country re-reads every phone. Fails if the
    /// result holds more entries than the limits allow.
    pub(crate) fn overlay(
        &self,
        typed: &Customer,
        tenant_region: Option<Region>,
    ) -> Result<Customer> {
        let country = typed
            .address
            .country
            .clone()
            .or_else(|| self.address.country.clone());
        let moved = country != self.address.country;
        let region = reading_region(country.as_deref(), tenant_region);
        let stored: Vec<&Phone> = self.phones().collect();
        let reread = |p: &Phone| {
            let known = stored
                .iter()
                .find(|s| s.typed == p.typed)
                .filter(|_| !moved);
            match known {
                Some(known) => (*known).clone(),
                None => phone("phone", &p.typed, region).unwrap_or_else(|_| p.clone()),
            }
        };
        let reread_all = |c: &mut Customer| {
            for field in [
                &mut c.phone,
                &mut c.mobile,
                &mut c.fax,
                &mut c.emergency_phone,
            ] {
                *field = field.as_ref().map(reread);
            }
            c.secondary_phones = c.secondary_phones.iter().map(reread).collect();
        };
        let mut typed = typed.clone();
        reread_all(&mut typed);
        let typed = &typed;
        let mut out = self.clone();
        if moved {
            reread_all(&mut out);
        }
        macro_rules! take {
            ($($($f:ident).+),*) => { $( if typed.$($f).+.is_some() { out.$($f).+ = typed.$($f).+.clone(); } )* };
        }
        if !typed.first_name.is_empty() {
            out.first_name = typed.first_name.clone();
        }
        if !typed.last_name.is_empty() {
            out.last_name = typed.last_name.clone();
        }
        take!(
            title,
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
            if !out.secondary_phones.iter().any(|p| p.key() == phone.key()) {
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
