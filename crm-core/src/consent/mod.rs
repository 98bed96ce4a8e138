//! Opt-outs: an address (an email, a mobile number) the tenant must not write to on a channel,
//! whichever customer record holds it, now or later (a second record, a merge, an import, a
//! capture). They are kept as keyed hashes of the address, as the contacts of forgotten
//! customers are ([`crate::privacy`]): the tenant can tell an address it is given, never list
//! them in clear.

use crate::error::Result;
use phonenumber::country::Id as Region;

use crate::model::{Channel, Customer, check_email, email_key, read_phone};
use crate::privacy::Contact;

/// The contact an address stands for on `channel`: an email in matching form, or a phone
/// number read in `region` (its E.164 form; the digits as typed of a number of no plan).
///
/// # Errors
/// Validation on `address` when it is not an email (email) or a phone number (SMS).
pub(crate) fn contact(channel: Channel, address: &str, region: Option<Region>) -> Result<Contact> {
    Ok(match channel {
        Channel::Email => {
            let email = check_email("address", address)?;
            Contact {
                kind: "email",
                key: email_key(&email),
                field: "address".into(),
            }
        }
        Channel::Sms => Contact {
            kind: "phone",
            key: read_phone("address", address, region)?.key(),
            field: "address".into(),
        },
    })
}

/// The contact of `customer`'s address on `channel` (its main email, or the mobile number an
/// SMS goes to), if it has one.
pub(crate) fn contact_of(customer: &Customer, channel: Channel) -> Option<Contact> {
    let address = channel.address_of(customer)?;
    Some(match channel {
        Channel::Email => Contact {
            kind: "email",
            key: email_key(address),
            field: "email".into(),
        },
        Channel::Sms => Contact {
            kind: "phone",
            key: address.to_owned(),
            field: "mobile".into(),
        },
    })
}

/// The source of an opt-out as given (`unsubscribe link`, `phone call`): 1 to 100 characters
/// of one line.
///
/// # Errors
/// Validation on `source`.
pub(crate) fn source(text: &str) -> Result<String> {
    crate::model::required_text("source", text, MAX_SOURCE_CHARS)
}

/// Longest source of an opt-out.
pub(crate) const MAX_SOURCE_CHARS: usize = 100;
