//! What a customer id stands for once customers were merged: the one place that says it.
//!
//! A merged customer is gone, its id kept: reads follow it to the customer it went into (along
//! a chain of merges), while a call that changes a customer refuses a merged id, naming the one
//! to use instead.

use crate::error::{Error, Result};
use crate::model::{Customer, CustomerId};
use crate::store::port::Tx;

/// Longest chain of merges followed (A into B, then B into C...).
const MAX_HOPS: usize = 1_000;

/// The customer `id` stands for now: itself, or the customer it was merged into (following a
/// chain of merges). NotFound, naming `id`, if it is neither (never existed here, or deleted).
pub(crate) fn current(tx: &dyn Tx, id: &CustomerId) -> Result<CustomerId> {
    let mut at = *id;
    for _ in 0..MAX_HOPS {
        if tx.customer_exists(&at)? {
            return Ok(at);
        }
        match tx.merged_into(&at)? {
            Some((into, _)) => at = into,
            None => break,
        }
    }
    Err(Error::not_found("customer", id))
}

/// The customer `id` stands for now (see [`current`]), or `None` when it is gone (deleted).
pub(crate) fn current_or_gone(tx: &dyn Tx, id: &CustomerId) -> Result<Option<CustomerId>> {
    match current(tx, id) {
        Ok(current) => Ok(Some(current)),
        Err(e) if e.kind() == crate::error::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The customer `id` itself, for a call that changes it: Conflict naming the customer it was
/// merged into if it was merged, NotFound if it does not exist here.
pub(crate) fn live(tx: &dyn Tx, id: &CustomerId) -> Result<Customer> {
    if let Some(c) = tx.customer(id)? {
        return Ok(c);
    }
    match tx.merged_into(id)? {
        Some((into, merge)) => Err(Error::conflict(format!(
            "customer {id} was merged into customer {into} (merge {merge}): use that one"
        ))),
        None => Err(Error::not_found("customer", id)),
    }
}

/// The customer `id` stands for now (see [`current`]), read.
pub(crate) fn customer(tx: &dyn Tx, id: &CustomerId) -> Result<Customer> {
    let id = current(tx, id)?;
    tx.customer(&id)?
        .ok_or_else(|| Error::not_found("customer", id))
}

/// The customer that customer no. `no` stands for now: its own, or the customer the one that
/// had it was merged into. NotFound naming the number otherwise.
pub(crate) fn by_no(tx: &dyn Tx, no: i64) -> Result<Customer> {
    if let Some(c) = tx.customer_by_no(no)? {
        return Ok(c);
    }
    match tx.merged_by_no(no)? {
        Some(id) => customer(tx, &id),
        None => Err(Error::not_found("customer", format!("no. {no}"))),
    }
}

/// `id` and every customer merged into it by merges that stand, recursively: one person.
pub(crate) fn person(tx: &dyn Tx, id: &CustomerId) -> Result<Vec<CustomerId>> {
    let mut all = vec![*id];
    let mut next = 0;
    while next < all.len() {
        let at = all[next];
        next += 1;
        for found in tx.merged_members(&at)? {
            if !all.contains(&found) {
                all.push(found);
            }
        }
    }
    Ok(all)
}
