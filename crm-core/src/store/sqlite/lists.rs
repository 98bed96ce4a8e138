//! Customer lists and brochure requests.

use chrono::Utc;
use rusqlite::{OptionalExtension, Transaction, params};

use super::values::{opt, parse_utc, utc_text};
use super::{changes, customers, merges};
use crate::changes::{Change, ChangeKind};
use crate::error::{Error, Result};
use crate::model::limits::MAX_LISTS;
use crate::model::{
    Actor, BrochureRequest, BrochureRequestId, Customer, CustomerId, ListInfo, TenantId,
};
use crate::privacy::{Act, allow};

pub(super) fn all(tx: &Transaction<'_>, tenant: &TenantId) -> Result<Vec<ListInfo>> {
    Ok(tx
        .prepare_cached(
            "SELECT l.name, l.created_at,
                (SELECT COUNT(*) FROM customer_lists m WHERE m.tenant_id = l.tenant_id AND m.list_name = l.name)
             FROM lists l WHERE l.tenant_id = ?1 ORDER BY l.name",
        )?
        .query_map([tenant.as_str()], |r| {
            Ok(ListInfo {
                name: r.get(0)?,
                created_at: parse_utc(1, &r.get::<_, String>(1)?)?,
                members: r.get::<_, i64>(2)? as u64,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

fn list_event(kind: ChangeKind) -> Change {
    Change {
        kind,
        customer_id: None,
        previous_customer_id: None,
        booking_ref: None,
        fields: vec!["lists".into()],
    }
}

/// Makes the list if it does not exist; `true` when it was made.
pub(super) fn create(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    name: &str,
) -> Result<bool> {
    let made = tx
        .prepare_cached(
            "INSERT INTO lists (tenant_id, name, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        )?
        .execute(params![tenant.as_str(), name, utc_text(&Utc::now())])?
        == 1;
    if made {
        changes::append(tx, tenant, actor, &list_event(ChangeKind::ListCreated))?;
    }
    Ok(made)
}

fn exists(tx: &Transaction<'_>, tenant: &TenantId, name: &str) -> Result<()> {
    let found: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM lists WHERE tenant_id = ?1 AND name = ?2)")?
        .query_row(params![tenant.as_str(), name], |r| r.get(0))?;
    if found {
        Ok(())
    } else {
        // A list's name may say who it is for: not quoted.
        Err(Error::not_found("list", "with the name given"))
    }
}

/// Adds (`add`) or removes customers from a list, each change one `CustomerUpdated` event;
/// returns how many customers changed.
pub(super) fn change_members(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    name: &str,
    ids: &[CustomerId],
    add: bool,
) -> Result<u64> {
    exists(tx, tenant, name)?;
    let mut changed = 0;
    for (i, id) in ids.iter().enumerate() {
        let current = merges::live(tx, tenant, id)?;
        if add {
            allow(&current, Act::JoinList)?;
        }
        let mut next: Customer = current.clone();
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
        customers::update(tx, tenant, actor, &current, next)?;
        changed += 1;
    }
    Ok(changed)
}

/// Deletes a list and takes every customer off it; returns how many were on it.
pub(super) fn delete(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    name: &str,
) -> Result<u64> {
    exists(tx, tenant, name)?;
    let members: Vec<uuid::Uuid> = tx
        .prepare_cached(
            "SELECT customer_id FROM customer_lists WHERE tenant_id = ?1 AND list_name = ?2",
        )?
        .query_map(params![tenant.as_str(), name], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let ids: Vec<CustomerId> = members.into_iter().map(CustomerId::from_uuid).collect();
    let n = change_members(tx, tenant, actor, name, &ids, false)?;
    tx.prepare_cached("DELETE FROM lists WHERE tenant_id = ?1 AND name = ?2")?
        .execute(params![tenant.as_str(), name])?;
    changes::append(tx, tenant, actor, &list_event(ChangeKind::ListDeleted))?;
    Ok(n)
}

/// Deletes those of `names` that have no member left (they were there for a customer who is
/// gone or anonymised: a list's name may say something about its one member).
pub(super) fn drop_if_empty<'a>(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    names: impl IntoIterator<Item = &'a String>,
) -> Result<()> {
    for name in names {
        let gone = tx
            .prepare_cached(
                "DELETE FROM lists WHERE tenant_id = ?1 AND name = ?2 AND NOT EXISTS
                    (SELECT 1 FROM customer_lists WHERE tenant_id = ?1 AND list_name = ?2)",
            )?
            .execute(params![tenant.as_str(), name])?;
        if gone == 1 {
            changes::append(tx, tenant, actor, &list_event(ChangeKind::ListDeleted))?;
        }
    }
    Ok(())
}

const REQUEST_COLUMNS: &str = "id, customer_id, requested_at, sent_at";

fn request_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<BrochureRequest> {
    Ok(BrochureRequest {
        id: BrochureRequestId::from_uuid(r.get(0)?),
        customer_id: CustomerId::from_uuid(r.get(1)?),
        requested_at: parse_utc(2, &r.get::<_, String>(2)?)?,
        sent_at: opt(r, 3, parse_utc)?,
    })
}

/// Records a brochure request, or returns the customer's pending one.
pub(super) fn request_brochure(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    customer: &CustomerId,
) -> Result<BrochureRequest> {
    let c = merges::live(tx, tenant, customer)?;
    allow(&c, Act::RequestBrochure)?;
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM brochure_requests
         WHERE tenant_id = ?1 AND customer_id = ?2 AND sent_at IS NULL ORDER BY id LIMIT 1"
    );
    if let Some(pending) = tx
        .prepare_cached(&sql)?
        .query_row(
            params![tenant.as_str(), customer.as_uuid()],
            request_from_row,
        )
        .optional()?
    {
        return Ok(pending);
    }
    let request = BrochureRequest {
        id: BrochureRequestId::new(),
        customer_id: *customer,
        requested_at: Utc::now(),
        sent_at: None,
    };
    tx.prepare_cached(
        "INSERT INTO brochure_requests (id, tenant_id, customer_id, requested_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        request.id.as_uuid(),
        tenant.as_str(),
        customer.as_uuid(),
        utc_text(&request.requested_at)
    ])?;
    changes::append(
        tx,
        tenant,
        actor,
        &Change::customer(ChangeKind::BrochureRequested, *customer),
    )?;
    Ok(request)
}

fn request(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &BrochureRequestId,
) -> Result<BrochureRequest> {
    let sql =
        format!("SELECT {REQUEST_COLUMNS} FROM brochure_requests WHERE tenant_id = ?1 AND id = ?2");
    tx.prepare_cached(&sql)?
        .query_row(params![tenant.as_str(), id.as_uuid()], request_from_row)
        .optional()?
        .ok_or_else(|| Error::not_found("brochure request", id))
}

pub(super) fn mark_sent(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    id: &BrochureRequestId,
    at: chrono::DateTime<Utc>,
) -> Result<BrochureRequest> {
    let mut r = request(tx, tenant, id)?;
    if r.sent_at.is_some() {
        return Err(Error::conflict(format!(
            "brochure request {id} was marked sent already"
        )));
    }
    if at < r.requested_at {
        return Err(Error::validation("sent_at", "is before the request came"));
    }
    tx.prepare_cached(
        "UPDATE brochure_requests SET sent_at = ?3 WHERE tenant_id = ?1 AND id = ?2",
    )?
    .execute(params![tenant.as_str(), id.as_uuid(), utc_text(&at)])?;
    changes::append(
        tx,
        tenant,
        actor,
        &Change::customer(ChangeKind::BrochureSent, r.customer_id),
    )?;
    r.sent_at = Some(at);
    Ok(r)
}

/// Up to `limit` pending requests after `after` (by request time, then id), oldest first.
pub(super) fn pending(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    after: Option<&BrochureRequestId>,
    limit: u32,
) -> Result<Vec<BrochureRequest>> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM brochure_requests
         WHERE tenant_id = ?1 AND sent_at IS NULL AND id > ?2 ORDER BY id LIMIT ?3"
    );
    let after = after.map_or_else(uuid::Uuid::nil, |a| *a.as_uuid());
    Ok(tx
        .prepare_cached(&sql)?
        .query_map(params![tenant.as_str(), after, limit], request_from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

/// Every brochure request of a customer (a merged id answers those of the customer it went
/// into), oldest first.
pub(super) fn of_customer(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<Vec<BrochureRequest>> {
    let id = merges::resolve(tx, tenant, customer)?;
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM brochure_requests WHERE tenant_id = ?1 AND customer_id = ?2 ORDER BY id"
    );
    Ok(tx
        .prepare_cached(&sql)?
        .query_map(params![tenant.as_str(), id.as_uuid()], request_from_row)?
        .collect::<rusqlite::Result<_>>()?)
}
