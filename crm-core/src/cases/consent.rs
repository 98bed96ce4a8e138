//! Opt-outs: an address recorded (as a keyed hash) as one the tenant must not write to on a
//! channel, removed when the person opts in again, and looked up for each recipient of an
//! outreach.

use chrono::Utc;

use crate::consent::{contact, contact_of};
use crate::error::Result;
use crate::model::{Actor, Channel, Customer, TenantId};
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
        tx.insert_opt_out(channel, &digest(&key, &contact), Utc::now(), source, actor)
    })
}

/// Removes the opt-out of `address` on `channel` (the person opted in again); whether there
/// was one.
pub(crate) fn opt_in(
    store: &dyn Store,
    tenant: &TenantId,
    channel: Channel,
    address: &str,
) -> Result<bool> {
    port::write(store, tenant, |tx| {
        let contact = contact(channel, address, tx.tenant_settings()?.region())?;
        let Some(key) = tx.suppression_key()? else {
            return Ok(false);
        };
        tx.delete_opt_out(channel, &digest(&key, &contact))
    })
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

/// For each of `customers`, whether its address on `channel` is opted out, in one read.
pub(crate) fn opted_out_each(
    store: &dyn Store,
    tenant: &TenantId,
    customers: &[&Customer],
    channel: Channel,
) -> Result<Vec<bool>> {
    port::read(store, tenant, |tx| {
        let Some(key) = tx.suppression_key()? else {
            return Ok(vec![false; customers.len()]);
        };
        customers
            .iter()
            .map(|c| match contact_of(c, channel) {
                Some(contact) => tx.is_opted_out(channel, &digest(&key, &contact)),
                None => Ok(false),
            })
            .collect()
    })
}
