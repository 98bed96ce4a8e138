//! Consent records, added by a decision or implied by a write of the customer record, read as a
//! history and for each recipient of an outreach; and opt-outs: an address recorded (as a
//! keyed hash) as one the tenant must not write to on a channel, removed when the person opts
//! in again, and looked up for each recipient of an outreach.

use chrono::Utc;

use crate::consent::{contact, contact_of};
use crate::error::{Error, Result};
use crate::model::{
    Actor, Change, ChangeKind, Channel, Consent, ConsentPurpose, ConsentRecord, ConsentState,
    Customer, CustomerId, NewConsent, TenantId,
};
use crate::privacy::digest;
use crate::resolve;
use crate::store::port::{self, Store, Tx, WriteTx};

/// Records a consent decision for the customer `customer` stands for (a merged id: the one it
/// went into), with a `ConsentRecorded` event; a marketing one sets the customer's consent on
/// its channel too (a new version, a `CustomerUpdated` naming `consent`).
pub(crate) fn record(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    customer: &CustomerId,
    new: NewConsent,
) -> Result<ConsentRecord> {
    let now = Utc::now();
    let record = crate::consent::record(new, actor, now)?;
    port::write(store, tenant, |tx| {
        let id = resolve::current(tx, customer)?;
        let current = tx
            .customer(&id)?
            .ok_or_else(|| Error::not_found("customer", customer))?;
        if current.is_anonymised() {
            return Err(Error::conflict(format!(
                "customer {id} is anonymised: it has no consent to record"
            )));
        }
        tx.insert_consent(&id, &record)?;
        let mut change = Change::customer(ChangeKind::ConsentRecorded, id);
        change.fields = vec![
            record.channel.as_str().to_owned(),
            record.purpose.as_str().to_owned(),
        ];
        tx.append(actor, &change)?;
        let consent = crate::consent::summary(std::slice::from_ref(&record), current.consent);
        if consent != current.consent {
            let next = Customer {
                consent,
                updated_at: now,
                version: current.version + 1,
                ..current
            };
            if !tx.update_customer(&next)? {
                return Err(crate::cases::customers::changed_meanwhile(&next));
            }
            tx.append(
                actor,
                &Change::customer(ChangeKind::CustomerUpdated, id).with_fields(&["consent"]),
            )?;
        }
        Ok(record)
    })
}

/// The consent records of the customer `customer` stands for, the latest recorded first.
pub(crate) fn history(
    store: &dyn Store,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<Vec<ConsentRecord>> {
    port::read(store, tenant, |tx| {
        let id = resolve::current(tx, customer)?;
        if !tx.customer_exists(&id)? {
            return Err(Error::not_found("customer", customer));
        }
        tx.consents(&[id])
    })
}

/// Stores the marketing consent records a write of customer `id`'s record implies, its consent
/// going from `before` to `after` ([`crate::consent::implied`]).
pub(crate) fn follow(
    tx: &dyn WriteTx,
    actor: &Actor,
    id: &CustomerId,
    (before, after): (Consent, Consent),
    source: &str,
) -> Result<()> {
    for r in crate::consent::implied(before, after, actor, source, Utc::now()) {
        tx.insert_consent(id, &r)?;
    }
    Ok(())
}

/// The marketing consent that merging `parties` leaves on the primary: `chosen` (the merge's
/// choice) as their records together allow ([`crate::consent::merged`]).
pub(crate) fn after_merge(tx: &dyn Tx, parties: &[&Customer], chosen: Consent) -> Result<Consent> {
    let ids: Vec<CustomerId> = parties.iter().map(|c| c.id).collect();
    Ok(crate::consent::merged(&tx.consents(&ids)?, chosen))
}

/// Records that `address` must not be written to on `channel`; whether it was new. The
/// address is read as the channel reads it (an email, a phone number in the tenant's region).
pub(crate) fn opt_out(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    channel: Channel,
    address: &str,
    source: &str,
) -> Result<bool> {
    port::write(store, tenant, |tx| {
        let contact = contact(channel, address, tx.tenant_settings()?.region())?;
        let key = crate::cases::privacy::suppression_key(tx)?;
        let added =
            tx.insert_opt_out(channel, &digest(&key, &contact), Utc::now(), source, actor)?;
        if added {
            tx.append(actor, &channel_change(ChangeKind::AddressOptedOut, channel))?;
        }
        Ok(added)
    })
}

/// Removes the opt-out of `address` on `channel` (the person opted in again); whether there
/// was one.
pub(crate) fn opt_in(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    channel: Channel,
    address: &str,
) -> Result<bool> {
    port::write(store, tenant, |tx| {
        let contact = contact(channel, address, tx.tenant_settings()?.region())?;
        let Some(key) = tx.suppression_key()? else {
            return Ok(false);
        };
        let removed = tx.delete_opt_out(channel, &digest(&key, &contact))?;
        if removed {
            tx.append(actor, &channel_change(ChangeKind::AddressOptedIn, channel))?;
        }
        Ok(removed)
    })
}

/// The change event of an opt-out or opt-in: no customer, no address, the channel.
fn channel_change(kind: ChangeKind, channel: Channel) -> Change {
    Change {
        kind,
        customer_id: None,
        previous_customer_id: None,
        booking_ref: None,
        fields: vec![channel.as_str().to_owned()],
    }
}

/// Whether `address` is opted out on `channel`.
pub(crate) fn is_opted_out(
    store: &dyn Store,
    tenant: &TenantId,
    channel: Channel,
    address: &str,
) -> Result<bool> {
    port::read(store, tenant, |tx| {
        let contact = contact(channel, address, tx.tenant_settings()?.region())?;
        match tx.suppression_key()? {
            Some(key) => tx.is_opted_out(channel, &digest(&key, &contact)),
            None => Ok(false),
        }
    })
}

/// What keeps each of `customers` from a message of `purpose` on `channel`, read in one
/// transaction: the fields of its that hold an address of a person who asked to be forgotten,
/// and whether it is held back otherwise (marketing: its address opted out; service: its latest
/// service record on the channel withdraws them).
pub(crate) fn held_back_each(
    store: &dyn Store,
    tenant: &TenantId,
    customers: &[&Customer],
    channel: Channel,
    purpose: ConsentPurpose,
) -> Result<(Vec<Vec<String>>, Vec<bool>)> {
    port::read(store, tenant, |tx| {
        let suppressed = crate::privacy::suppressed_fields_each(tx, customers)?;
        let held = match purpose {
            ConsentPurpose::Marketing => opted_out_each(tx, customers, channel)?,
            ConsentPurpose::Service => service_withdrawn_each(tx, customers, channel)?,
        };
        Ok((suppressed, held))
    })
}

/// For each of `customers`, whether its latest record on `channel` for service messages
/// withdraws them: one statement for the lot.
fn service_withdrawn_each(
    tx: &dyn Tx,
    customers: &[&Customer],
    channel: Channel,
) -> Result<Vec<bool>> {
    let ids: Vec<CustomerId> = customers.iter().map(|c| c.id).collect();
    let records = tx.consents_among(&ids, channel, ConsentPurpose::Service)?;
    // The latest first: the first seen of each customer is its consent.
    let mut seen = std::collections::HashMap::new();
    for (id, r) in &records {
        seen.entry(*id).or_insert(r.state);
    }
    Ok(ids
        .iter()
        .map(|id| seen.get(id) == Some(&ConsentState::Withdrawn))
        .collect())
}

/// For each of `customers`, whether its address on `channel` is opted out: a few statements
/// for the lot.
fn opted_out_each(tx: &dyn Tx, customers: &[&Customer], channel: Channel) -> Result<Vec<bool>> {
    let none = || Ok(vec![false; customers.len()]);
    let Some(key) = tx.suppression_key()? else {
        return none();
    };
    // Most tenants have no opt-out on a channel: one lookup then, not one per customer.
    if !tx.has_opt_outs(channel)? {
        return none();
    }
    let digests: Vec<Option<Vec<u8>>> = customers
        .iter()
        .map(|c| contact_of(c, channel).map(|contact| digest(&key, &contact)))
        .collect();
    let asked: Vec<Vec<u8>> = digests.iter().flatten().cloned().collect();
    let found = tx.opted_out_among(channel, &asked)?;
    Ok(digests
        .iter()
        .map(|d| d.as_ref().is_some_and(|d| found.contains(d)))
        .collect())
}
