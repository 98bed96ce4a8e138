//! The communication log: what the host reports it sent, each entry to the customer's current
//! address on its channel.

use chrono::Utc;

use crate::error::{Error, Result};
use crate::model::{Actor, Communication, CommunicationId, CustomerId, NewCommunication, TenantId};
use crate::model::{Change, ChangeKind};
use crate::privacy::{Act, allow};
use crate::resolve;
use crate::store::port::{self, Store};

/// Records checked entries in one transaction: each customer itself (not a merged id), not
/// anonymised, with an address on the entry's channel.
pub(crate) fn record(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    entries: Vec<NewCommunication>,
) -> Result<Vec<Communication>> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    port::write(store, tenant, |tx| {
        let now = Utc::now();
        let mut out = Vec::with_capacity(entries.len());
        for (i, e) in entries.into_iter().enumerate() {
            let customer = resolve::live(tx, &e.customer_id)?;
            allow(&customer, Act::LogCommunication)?;
            let address = e.channel.address_of(&customer).ok_or_else(|| {
                Error::validation(
                    format!("[{i}].channel"),
                    format!(
                        "customer no. {} has no address on it (an email; a mobile number for SMS)",
                        customer.customer_no
                    ),
                )
            })?;
            let entry = Communication {
                id: CommunicationId::new(),
                customer_id: customer.id,
                channel: e.channel,
                address: address.to_owned(),
                subject: e.subject,
                reference: e.reference,
                sent_at: e.sent_at.unwrap_or(now),
                recorded_at: now,
                recorded_by: actor.user_id.clone(),
            };
            tx.insert_communication(&entry)?;
            tx.append(
                actor,
                &Change::customer(ChangeKind::CommunicationRecorded, entry.customer_id),
            )?;
            out.push(entry);
        }
        Ok(out)
    })
}

/// The log of `customer` (a merged id answers the customer it went into), newest first.
pub(crate) fn of_customer(
    store: &dyn Store,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<Vec<Communication>> {
    port::read(store, tenant, |tx| {
        tx.communications(&resolve::current(tx, customer)?)
    })
}
