//! Keyed hashes of the contacts of anonymised customers: HMAC-SHA-256 with a per-tenant key, so
//! the contacts can be recognised without being kept in clear text.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::model::{Customer, email_key};

/// A contact to remember or look up: `email` (matching form) or `phone` (E.164, or the digits as
/// typed of a number that fits no plan).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Contact {
    /// `email` or `phone`.
    pub(crate) kind: &'static str,
    /// The matching form: lowercased email, E.164, or the digits of an unverified number.
    pub(crate) key: String,
    /// The field it came from (`email`, `secondary_phones[1]`...).
    pub(crate) field: String,
}

impl Contact {
    /// An email, from `field`, in matching form.
    pub(crate) fn email(email: &str, field: impl Into<String>) -> Self {
        Self {
            kind: "email",
            key: email_key(email),
            field: field.into(),
        }
    }

    /// A phone's matching form (`key`: E.164, or the digits of an unverified number), from
    /// `field`.
    pub(crate) fn phone(key: String, field: impl Into<String>) -> Self {
        Self {
            kind: "phone",
            key,
            field: field.into(),
        }
    }
}

/// Every email and phone of a customer in matching form, with the field each came from.
pub(crate) fn contacts_of(c: &Customer) -> Vec<Contact> {
    let mut out = Vec::new();
    out.extend(c.email.iter().map(|e| Contact::email(e, "email")));
    out.extend(
        c.secondary_emails
            .iter()
            .enumerate()
            .map(|(i, e)| Contact::email(e, format!("secondary_emails[{i}]"))),
    );
    let phones = [
        ("phone", &c.phone),
        ("mobile", &c.mobile),
        ("fax", &c.fax),
        ("emergency_phone", &c.emergency_phone),
    ];
    for (field, p) in phones {
        if let Some(p) = p {
            out.push(Contact::phone(p.key(), field));
        }
    }
    for (i, p) in c.secondary_phones.iter().enumerate() {
        out.push(Contact::phone(p.key(), format!("secondary_phones[{i}]")));
    }
    out
}

/// The keyed hash of a contact.
pub(crate) fn digest(key: &[u8], contact: &Contact) -> Vec<u8> {
    // Any key length is accepted by HMAC: this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(contact.kind.as_bytes());
    mac.update(b":");
    mac.update(contact.key.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The fields of `c` whose email or phone belongs to a customer the tenant anonymised (its
/// digest is remembered): a warning for a capture or an import, which keep the values.
pub(crate) fn suppressed_fields(
    tx: &dyn crate::store::port::Tx,
    c: &Customer,
) -> crate::error::Result<Vec<String>> {
    let Some(key) = tx.suppression_key()? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for contact in contacts_of(c) {
        if tx.is_suppressed(contact.kind, &digest(&key, &contact))? {
            out.push(contact.field);
        }
    }
    Ok(out)
}
