//! Keyed hashes of the contacts of anonymised customers: HMAC-SHA-256 with a per-tenant key, so
//! the contacts can be recognised without being kept in clear text.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::model::{Customer, email_key};

/// The kinds of contact remembered: [`Contact::kind`].
const KINDS: [&str; 2] = ["email", "phone"];

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
            kind: KINDS[0],
            key: email_key(email),
            field: field.into(),
        }
    }

    /// A phone's matching form (`key`: E.164, or the digits of an unverified number), from
    /// `field`.
    pub(crate) fn phone(key: String, field: impl Into<String>) -> Self {
        Self {
            kind: KINDS[1],
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
    Ok(suppressed_fields_each(tx, &[c])?.pop().unwrap_or_default())
}

/// [`suppressed_fields`] of each of `customers`, in order, in one lookup per kind of contact.
pub(crate) fn suppressed_fields_each(
    tx: &dyn crate::store::port::Tx,
    customers: &[&Customer],
) -> crate::error::Result<Vec<Vec<String>>> {
    let Some(key) = tx.suppression_key()? else {
        return Ok(vec![Vec::new(); customers.len()]);
    };
    let contacts: Vec<Vec<(Contact, Vec<u8>)>> = customers
        .iter()
        .map(|c| {
            contacts_of(c)
                .into_iter()
                .map(|contact| {
                    let d = digest(&key, &contact);
                    (contact, d)
                })
                .collect()
        })
        .collect();
    // The forgotten digests of each kind of contact, looked up once.
    let mut forgotten = Vec::with_capacity(KINDS.len());
    for kind in KINDS {
        let mut digests: Vec<Vec<u8>> = contacts
            .iter()
            .flatten()
            .filter(|(contact, _)| contact.kind == kind)
            .map(|(_, d)| d.clone())
            .collect();
        // Customers of a page share contacts (a household's phone): each asked once.
        digests.sort_unstable();
        digests.dedup();
        forgotten.push(if digests.is_empty() {
            std::collections::HashSet::new()
        } else {
            tx.suppressed_among(kind, &digests)?
        });
    }
    let is_forgotten = |contact: &Contact, d: &Vec<u8>| {
        KINDS
            .iter()
            .position(|&k| k == contact.kind)
            .is_some_and(|k| forgotten[k].contains(d))
    };
    Ok(contacts
        .into_iter()
        .map(|of| {
            of.into_iter()
                .filter(|(contact, d)| is_forgotten(contact, d))
                .map(|(contact, _)| contact.field)
                .collect()
        })
        .collect())
}
