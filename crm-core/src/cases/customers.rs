//! Customers: how an edit is saved (the fields that changed, a new version, one event).

use chrono::Utc;

use crate::changes::{Change, ChangeKind};
use crate::error::{Error, Result};
use crate::model::{Actor, Customer};
use crate::store::port::WriteTx;

/// Replaces the editable fields of `current` with those of `fields`, writing nothing when no
/// field changed; else the customer takes the next version and a `CustomerUpdated` event names
/// the changed fields. Conflict if the stored row moved on since `current` was read. Returns the
/// stored customer and the names of the changed fields.
pub(crate) fn save(
    tx: &dyn WriteTx,
    actor: &Actor,
    current: &Customer,
    fields: Customer,
) -> Result<(Customer, Vec<&'static str>)> {
    let changed = current.changed_fields(&fields);
    if changed.is_empty() {
        return Ok((current.clone(), changed));
    }
    let next = Customer {
        id: current.id,
        customer_no: current.customer_no,
        created_at: current.created_at,
        updated_at: Utc::now(),
        version: current.version + 1,
        ..fields
    };
    if !tx.update_customer(&next)? {
        return Err(changed_meanwhile(&next));
    }
    let change = Change::customer(ChangeKind::CustomerUpdated, next.id).with_fields(&changed);
    tx.append(actor, &change)?;
    Ok((next, changed))
}

/// The Conflict of a write that found the customer's row at another version than it read.
pub(crate) fn changed_meanwhile(c: &Customer) -> Error {
    Error::conflict(format!("customer {} changed meanwhile", c.id))
}
