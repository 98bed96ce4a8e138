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
        Channel::Sms => {
            // An SMS goes to an E.164 number: one that fits no plan could never match one.
            let phone = read_phone("address", address, region)?;
            let Some(e164) = phone.e164 else {
                return Err(crate::error::Error::validation(
                    "address",
                    "is no phone number of the tenant's region: give it with its country code (+32 ...)",
                ));
            };
            Contact {
                kind: "phone",
                key: e164,
                field: "address".into(),
            }
        }
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

/// The source of an opt-out as given: a label (`unsubscribe link`, `phone call`) of 1 to 100
/// characters of one line. An address in it is refused (an `@`, or five digits in a row), so
/// no address is kept in clear.
///
/// # Errors
/// Validation on `source`.
pub(crate) fn source(text: &str) -> Result<String> {
    let text = crate::model::required_text("source", text, MAX_SOURCE_CHARS)?;
    let digits_in_a_row = text
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    if text.contains('@') || digits_in_a_row >= 5 {
        return Err(crate::error::Error::validation(
            "source",
            "is a label (\"unsubscribe link\"), not an address",
        ));
    }
    Ok(text)
}

/// Longest source of an opt-out.
pub(crate) const MAX_SOURCE_CHARS: usize = 100;
