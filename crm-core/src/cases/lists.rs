//! Customer lists and brochure requests: a customer is on at most [`MAX_LISTS`] lists and an
//! anonymised one joins none; a list's name may say who it is for, so it is never quoted in an
//! error, and a list left empty by a customer who is gone is dropped; one pending brochure
//! request per customer.

use chrono::{DateTime, Utc};

use super::customers;
use crate::error::{Error, Result};
use crate::model::limits::MAX_LISTS;
use crate::model::{Actor, BrochureRequest, BrochureRequestId, CustomerId, ListInfo, TenantId};
use crate::model::{Change, ChangeKind};
use crate::privacy::{Act, allow};
use crate::resolve;
use crate::store::port::{self, Store, WriteTx};

/// The event of a change to the lists themselves (no customer: read the lists again).
fn list_event(kind: ChangeKind) -> Change {
    Change {
        kind,
        customer_id: None,
        previous_customer_id: None,
        booking_ref: None,
        fields: vec!["lists".into()],
    }
}

/// NotFound unless the tenant has the list.
fn must_exist(tx: &dyn WriteTx, name: &str) -> Result<()> {
    if tx.list_exists(name)? {
        Ok(())
    } else {
        Err(Error::not_found("list", "with the name given"))
    }
}

/// The tenant's lists by name, with how many customers are on each.
pub(crate) fn all(store: &dyn Store, tenant: &TenantId) -> Result<Vec<ListInfo>> {
    port::read(store, tenant, |tx| tx.lists())
}

/// Makes the list unless it exists (a `ListCreated` event then); `true` when it was made.
pub(crate) fn create(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    name: &str,
) -> Result<bool> {
    port::write(store, tenant, |tx| {
        let made = tx.insert_list(name, Utc::now())?;
        if made {
            tx.append(actor, &list_event(ChangeKind::ListCreated))?;
        }
        Ok(made)
    })
}

/// Puts customers on the list (`add`) or takes them off, each change a new version of the
/// customer; returns how many changed.
pub(crate) fn change_members(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    name: &str,
    ids: &[CustomerId],
    add: bool,
) -> Result<u64> {
    port::write(store, tenant, |tx| members(tx, actor, name, ids, add))
}

fn members(
    tx: &dyn WriteTx,
    actor: &Actor,
    name: &str,
    ids: &[CustomerId],
    add: bool,
) -> Result<u64> {
    must_exist(tx, name)?;
    let mut changed = 0;
    for (i, id) in ids.iter().enumerate() {
        let current = resolve::live(tx, id)?;
        if add {
            allow(&current, Act::JoinList)?;
        }
        let mut next = current.clone();
        let did = if add {
            next.lists.insert(name.to_owned())
        } else {
            next.lists.remove(name)
        };
        if !did {
            continue;
        }
        if next.lists.len() > MAX_LISTS {
            return Err(Error::validation(
                format!("customers[{i}]"),
                format!("would be on more than {MAX_LISTS} lists"),
            ));
        }
        customers::save(tx, actor, &current, next, crate::consent::FROM_RECORD)?;
        changed += 1;
    }
    Ok(changed)
}

/// Deletes a list, taking every customer off it first; returns how many were on it.
pub(crate) fn delete(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    name: &str,
) -> Result<u64> {
    port::write(store, tenant, |tx| {
        must_exist(tx, name)?;
        let ids = tx.list_members(name)?;
        let n = members(tx, actor, name, &ids, false)?;
        tx.delete_list(name)?;
        tx.append(actor, &list_event(ChangeKind::ListDeleted))?;
        Ok(n)
    })
}

/// Drops those of `names` that have no member left (each a `ListDeleted` event): they were there
/// for a customer who is gone or anonymised, and a list's name may say something about its one
/// member.
pub(crate) fn drop_if_empty<'a>(
    tx: &dyn WriteTx,
    actor: &Actor,
    names: impl IntoIterator<Item = &'a String>,
) -> Result<()> {
    for name in names {
        if tx.delete_list_if_empty(name)? {
            tx.append(actor, &list_event(ChangeKind::ListDeleted))?;
        }
    }
    Ok(())
}

/// Records that customer `customer` asked for a brochure (a `BrochureRequested` event), or
/// returns its request still pending.
pub(crate) fn request_brochure(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    customer: &CustomerId,
) -> Result<BrochureRequest> {
    port::write(store, tenant, |tx| {
        let c = resolve::live(tx, customer)?;
        allow(&c, Act::RequestBrochure)?;
        if let Some(pending) = tx.pending_brochure_request(&c.id)? {
            return Ok(pending);
        }
        let request = BrochureRequest {
            id: BrochureRequestId::new(),
            customer_id: c.id,
            requested_at: Utc::now(),
            sent_at: None,
        };
        tx.insert_brochure_request(&request)?;
        tx.append(
            actor,
            &Change::customer(ChangeKind::BrochureRequested, c.id),
        )?;
        Ok(request)
    })
}

/// Records that the brochure of request `id` was sent at `at` (a `BrochureSent` event): once,
/// and not before it was asked for.
pub(crate) fn mark_sent(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    id: &BrochureRequestId,
    at: DateTime<Utc>,
) -> Result<BrochureRequest> {
    port::write(store, tenant, |tx| {
        let mut r = tx
            .brochure_request(id)?
            .ok_or_else(|| Error::not_found("brochure request", id))?;
        if r.sent_at.is_some() {
            return Err(Error::conflict(format!(
                "brochure request {id} was marked sent already"
            )));
        }
        if at < r.requested_at {
            return Err(Error::validation("sent_at", "is before the request came"));
        }
        tx.set_brochure_sent(id, at)?;
        tx.append(
            actor,
            &Change::customer(ChangeKind::BrochureSent, r.customer_id),
        )?;
        r.sent_at = Some(at);
        Ok(r)
    })
}

/// Marks the requests `ids` sent at `at` (at the request's own time if `at` is earlier: another
/// host's clock), all in one transaction; those already marked sent (by another call
/// meanwhile) are left as they are. Returns how many it marked. NotFound (nothing marked) for
/// an id that is not one of the tenant's requests.
pub(crate) fn mark_all_sent(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    ids: &[BrochureRequestId],
    at: DateTime<Utc>,
) -> Result<u64> {
    port::write(store, tenant, |tx| {
        let mut marked = 0;
        for id in ids {
            let r = tx
                .brochure_request(id)?
                .ok_or_else(|| Error::not_found("brochure request", id))?;
            if r.sent_at.is_some() {
                continue;
            }
            tx.set_brochure_sent(id, at.max(r.requested_at))?;
            tx.append(
                actor,
                &Change::customer(ChangeKind::BrochureSent, r.customer_id),
            )?;
            marked += 1;
        }
        Ok(marked)
    })
}

/// Up to `limit` requests not sent yet, after `after`, oldest first.
pub(crate) fn pending(
    store: &dyn Store,
    tenant: &TenantId,
    after: Option<&BrochureRequestId>,
    limit: u32,
) -> Result<Vec<BrochureRequest>> {
    port::read(store, tenant, |tx| {
        tx.pending_brochure_requests(after, limit)
    })
}

/// Every brochure request of a customer (a merged id answers those of the customer it went
/// into), oldest first.
pub(crate) fn of_customer(
    store: &dyn Store,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<Vec<BrochureRequest>> {
    port::read(store, tenant, |tx| {
        tx.brochure_requests(&resolve::current(tx, customer)?)
    })
}
