//! Consent: the records of a customer's consent per channel and purpose (the latest recorded is
//! its consent; its marketing consent is kept on the customer too), and opt-outs.
//!
//! Opt-outs: an address (an email, a mobile number) the tenant must not write to on a channel,
//! whichever customer record holds it, now or later (a second record, a merge, an import, a
//! capture). They are kept as keyed hashes of the address, as the contacts of forgotten
//! customers are ([`crate::privacy`]): the tenant can tell an address it is given, never list
//! them in clear.

use chrono::{DateTime, Utc};
use phonenumber::country::Id as Region;

use crate::error::Result;
use crate::model::{
    Actor, Channel, Consent, ConsentPurpose, ConsentRecord, ConsentState, Customer, NewConsent,
    check_email, read_phone,
};
use crate::privacy::Contact;

/// The contact an address stands for on `channel`: an email in matching form, or a phone
/// number read in `region` (its E.164 form; the digits as typed of a number of no plan).
///
/// # Errors
/// Validation on `address` when it is not an email (email) or a phone number (SMS).
pub(crate) fn contact(channel: Channel, address: &str, region: Option<Region>) -> Result<Contact> {
    Ok(match channel {
        Channel::Email => Contact::email(&check_email("address", address)?, "address"),
        Channel::Sms => {
            // An SMS goes to an E.164 number: one that fits no plan could never match one.
            let phone = read_phone("address", address, region)?;
            let Some(e164) = phone.e164 else {
                return Err(crate::error::Error::validation(
                    "address",
                    "is no phone number of the tenant's region: give it with its country code (+32 ...)",
                ));
            };
            Contact::phone(e164, "address")
        }
    })
}

/// The contact of `customer`'s address on `channel` (its main email, or the mobile number an
/// SMS goes to), if it has one.
pub(crate) fn contact_of(customer: &Customer, channel: Channel) -> Option<Contact> {
    let address = channel.address_of(customer)?;
    Some(match channel {
        Channel::Email => Contact::email(address, "email"),
        Channel::Sms => Contact::phone(address.to_owned(), "mobile"),
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

/// The source of the consent records a write of the customer record itself implies (a consent
/// set, changed or cleared on create, update or capture).
pub(crate) const FROM_RECORD: &str = "customer record";
/// The source of the consent records a capture at booking time implies.
pub(crate) const FROM_CAPTURE: &str = "booking capture";
/// The source of the consent records an import implies.
pub(crate) const FROM_IMPORT: &str = "import";

/// How far ahead of the clock a consent may be dated (clock skew between the host and here).
const SKEW: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// The record `new` makes, recorded `now` by `actor`.
///
/// # Errors
/// Validation on `source` (see [`source`]) or `at` (in the future, or out of the accepted years).
pub(crate) fn record(new: NewConsent, actor: &Actor, now: DateTime<Utc>) -> Result<ConsentRecord> {
    let at = new.at.unwrap_or(now);
    crate::model::check_utc("at", Some(at))?;
    if at > now + SKEW {
        return Err(crate::error::Error::validation("at", "is in the future"));
    }
    Ok(ConsentRecord {
        channel: new.channel,
        purpose: new.purpose,
        state: new.state,
        at,
        source: source(&new.source)?,
        recorded_at: now,
        recorded_by: actor.user_id.clone(),
    })
}

/// The latest recorded of `records` (given the latest first, as the store reads them) on
/// `channel` for `purpose`: the customer's consent there, if it was ever recorded.
pub(crate) fn latest(
    records: &[ConsentRecord],
    channel: Channel,
    purpose: ConsentPurpose,
) -> Option<&ConsentRecord> {
    records
        .iter()
        .find(|r| r.channel == channel && r.purpose == purpose)
}

/// A customer's marketing consent as its records say, the latest recorded first: per
/// channel, when it was given if the latest record gives it, none if it withdraws it, and
/// `otherwise`'s when no record is about the channel.
pub(crate) fn summary(records: &[ConsentRecord], otherwise: Consent) -> Consent {
    let of = |channel, fallback| match latest(records, channel, ConsentPurpose::Marketing) {
        Some(r) if r.state == ConsentState::Given => Some(r.at),
        Some(_) => None,
        None => fallback,
    };
    Consent {
        email: of(Channel::Email, otherwise.email),
        sms: of(Channel::Sms, otherwise.sms),
    }
}

/// The marketing consent a merge leaves: `chosen` (by its survivorship, a consent goes with the
/// address it was given for), dropped on a channel where the latest record of the merged
/// records together withdraws it: one person, who said no last.
pub(crate) fn merged(records: &[ConsentRecord], chosen: Consent) -> Consent {
    let withdrawn = |channel| {
        latest(records, channel, ConsentPurpose::Marketing)
            .is_some_and(|r| r.state == ConsentState::Withdrawn)
    };
    Consent {
        email: chosen.email.filter(|_| !withdrawn(Channel::Email)),
        sms: chosen.sms.filter(|_| !withdrawn(Channel::Sms)),
    }
}

/// The marketing consent records a write of the customer record implies, from consent
/// `before` to `after`: given (at its time) where it is set or given again at another time,
/// withdrawn (`now`) where it is cleared.
pub(crate) fn implied(
    before: Consent,
    after: Consent,
    actor: &Actor,
    source: &str,
    now: DateTime<Utc>,
) -> Vec<ConsentRecord> {
    [
        (Channel::Email, before.email, after.email),
        (Channel::Sms, before.sms, after.sms),
    ]
    .into_iter()
    .filter(|(_, was, is)| was != is)
    .map(|(channel, _, is)| ConsentRecord {
        channel,
        purpose: ConsentPurpose::Marketing,
        state: match is {
            Some(_) => ConsentState::Given,
            None => ConsentState::Withdrawn,
        },
        at: is.unwrap_or(now),
        source: source.to_owned(),
        recorded_at: now,
        recorded_by: actor.user_id.clone(),
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_latest_record_is_the_consent_and_a_write_of_the_record_implies_records() {
        let actor = Actor::new("u-1", Role::Agent);
        let now = at("2026-06-01T00:00:00Z");
        let given = Consent {
            email: Some(at("2026-01-01T00:00:00Z")),
            sms: None,
        };
        let records = implied(Consent::default(), given, &actor, FROM_RECORD, now);
        assert_eq!(records.len(), 1);
        assert_eq!(
            (records[0].channel, records[0].state, records[0].at),
            (Channel::Email, ConsentState::Given, given.email.unwrap())
        );
        assert_eq!(summary(&records, Consent::default()), given);
        let mut later = implied(given, Consent::default(), &actor, FROM_RECORD, now);
        assert_eq!(later[0].state, ConsentState::Withdrawn);
        later.extend(records);
        assert_eq!(summary(&later, given), Consent::default());
        // A channel without a record keeps what the customer holds.
        let sms = Consent {
            email: None,
            sms: Some(now),
        };
        assert_eq!(summary(&later, sms), sms);
        assert!(implied(given, given, &actor, FROM_RECORD, now).is_empty());
    }

    #[test]
    fn a_merge_keeps_the_chosen_consent_unless_the_last_record_withdraws_it() {
        let actor = Actor::new("u-1", Role::Agent);
        let now = at("2026-06-01T00:00:00Z");
        let chosen = Consent {
            email: Some(now),
            sms: Some(now),
        };
        // The latest first: a withdrawal of email recorded after its consent.
        let mut records = implied(
            chosen,
            Consent {
                sms: Some(now),
                email: None,
            },
            &actor,
            FROM_RECORD,
            now,
        );
        records.extend(implied(
            Consent::default(),
            chosen,
            &actor,
            FROM_RECORD,
            now,
        ));
        assert_eq!(
            merged(&records, chosen),
            Consent {
                email: None,
                sms: Some(now)
            }
        );
        // No record: the chosen consent stays; a chosen none is never given by a record.
        assert_eq!(merged(&[], chosen), chosen);
        assert_eq!(
            merged(&records[1..], Consent::default()),
            Consent::default()
        );
    }

    #[test]
    fn a_decision_is_checked() {
        let actor = Actor::new("u-1", Role::Agent);
        let now = at("2026-06-01T00:00:00Z");
        let new = |at: Option<DateTime<Utc>>, source: &str| NewConsent {
            at,
            ..NewConsent::new(
                Channel::Email,
                ConsentPurpose::Service,
                ConsentState::Withdrawn,
                source,
            )
        };
        let ok = record(new(None, "phone call"), &actor, now).unwrap();
        assert_eq!((ok.at, ok.recorded_by.as_str()), (now, "u-1"));
        let field = |n| {
            record(n, &actor, now)
                .unwrap_err()
                .field()
                .map(str::to_owned)
        };
        assert_eq!(
            field(new(Some(at("2026-06-02T00:00:00Z")), "x")).as_deref(),
            Some("at")
        );
        assert_eq!(field(new(None, "anne@x.fr")).as_deref(), Some("source"));
        assert_eq!(field(new(None, " ")).as_deref(), Some("source"));
    }
}
