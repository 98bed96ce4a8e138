//! Opt-outs: an address recorded (as a keyed hash) as one the tenant must not write to on a
//! channel, removed when the person opts in again, and looked up for each recipient of an
//! outreach.

use chrono::Utc;

use crate::consent::{contact, contact_of};
use crate::error::Result;
use crate::model::{Actor, Change, ChangeKind, Channel, Customer, TenantId};
use crate::privacy::digest;
use crate::store::port::{self, Store};

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

/// For each of `customers`, whether its address on `channel` is opted out: one read, a few
/// statements for the lot.
pub(crate) fn opted_out_each(
    store: &dyn Store,
    tenant: &TenantId,
    customers: &[&Customer],
    channel: Channel,
) -> Result<Vec<bool>> {
    port::read(store, tenant, |tx| {
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
    })
}
