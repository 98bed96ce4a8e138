//! Customer lists and brochure requests.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};

use super::values::{opt, parse_utc, utc_text};
use crate::error::Result;
use crate::model::{BrochureRequest, BrochureRequestId, CustomerId, ListInfo, TenantId};

pub(super) fn all(tx: &Transaction<'_>, tenant: &TenantId) -> Result<Vec<ListInfo>> {
    tx
        .prepare_cached(
            "SELECT l.name, l.created_at,
                (SELECT COUNT(*) FROM customer_lists m WHERE m.tenant_id = l.tenant_id AND m.list_name = l.name)
             FROM lists l WHERE l.tenant_id = ?1 ORDER BY l.name",
        ).map_err(super::db)?
        .query_map([tenant.as_str()], |r| {
            Ok(ListInfo {
                name: r.get(0)?,
                created_at: parse_utc(1, &r.get::<_, String>(1)?)?,
                members: r.get::<_, i64>(2)? as u64,
            })
        }).map_err(super::db)?
        .collect::<rusqlite::Result<_>>().map_err(super::db)
}

/// Makes the list unless it exists; `true` when it was made.
pub(super) fn insert(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    name: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "INSERT INTO lists (tenant_id, name, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        ).map_err(super::db)?
        .execute(params![tenant.as_str(), name, utc_text(&at)]).map_err(super::db)?
        == 1)
}

pub(super) fn exists(tx: &Transaction<'_>, tenant: &TenantId, name: &str) -> Result<bool> {
    tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM lists WHERE tenant_id = ?1 AND name = ?2)")
        .map_err(super::db)?
        .query_row(params![tenant.as_str(), name], |r| r.get(0))
        .map_err(super::db)
}

/// The customers on a list.
pub(super) fn members(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    name: &str,
) -> Result<Vec<CustomerId>> {
    let members: Vec<uuid::Uuid> = tx
        .prepare_cached(
            "SELECT customer_id FROM customer_lists WHERE tenant_id = ?1 AND list_name = ?2",
        )
        .map_err(super::db)?
        .query_map(params![tenant.as_str(), name], |r| r.get(0))
        .map_err(super::db)?
        .collect::<rusqlite::Result<_>>()
        .map_err(super::db)?;
    Ok(members.into_iter().map(CustomerId::from_uuid).collect())
}

pub(super) fn delete(tx: &Transaction<'_>, tenant: &TenantId, name: &str) -> Result<()> {
    tx.prepare_cached("DELETE FROM lists WHERE tenant_id = ?1 AND name = ?2")
        .map_err(super::db)?
        .execute(params![tenant.as_str(), name])
        .map_err(super::db)?;
    Ok(())
}

/// Deletes the list if no customer is on it; `true` when it did.
pub(super) fn delete_if_empty(tx: &Transaction<'_>, tenant: &TenantId, name: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "DELETE FROM lists WHERE tenant_id = ?1 AND name = ?2 AND NOT EXISTS
                (SELECT 1 FROM customer_lists WHERE tenant_id = ?1 AND list_name = ?2)",
        )
        .map_err(super::db)?
        .execute(params![tenant.as_str(), name])
        .map_err(super::db)?
        == 1)
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

/// The oldest request of `customer` not sent yet.
pub(super) fn pending_of(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<Option<BrochureRequest>> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM brochure_requests
         WHERE tenant_id = ?1 AND customer_id = ?2 AND sent_at IS NULL ORDER BY id LIMIT 1"
    );
    tx.prepare_cached(&sql)
        .map_err(super::db)?
        .query_row(
            params![tenant.as_str(), customer.as_uuid()],
            request_from_row,
        )
        .optional()
        .map_err(super::db)
}

pub(super) fn insert_request(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    request: &BrochureRequest,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO brochure_requests (id, tenant_id, customer_id, requested_at) VALUES (?1, ?2, ?3, ?4)",
    ).map_err(super::db)?
    .execute(params![
        request.id.as_uuid(),
        tenant.as_str(),
        request.customer_id.as_uuid(),
        utc_text(&request.requested_at)
    ]).map_err(super::db)?;
    Ok(())
}

pub(super) fn request(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &BrochureRequestId,
) -> Result<Option<BrochureRequest>> {
    let sql =
        format!("SELECT {REQUEST_COLUMNS} FROM brochure_requests WHERE tenant_id = ?1 AND id = ?2");
    tx.prepare_cached(&sql)
        .map_err(super::db)?
        .query_row(params![tenant.as_str(), id.as_uuid()], request_from_row)
        .optional()
        .map_err(super::db)
}

pub(super) fn set_sent(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &BrochureRequestId,
    at: DateTime<Utc>,
) -> Result<()> {
    tx.prepare_cached("UPDATE brochure_requests SET sent_at = ?3 WHERE tenant_id = ?1 AND id = ?2")
        .map_err(super::db)?
        .execute(params![tenant.as_str(), id.as_uuid(), utc_text(&at)])
        .map_err(super::db)?;
    Ok(())
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
    tx.prepare_cached(&sql)
        .map_err(super::db)?
        .query_map(params![tenant.as_str(), after, limit], request_from_row)
        .map_err(super::db)?
        .collect::<rusqlite::Result<_>>()
        .map_err(super::db)
}

/// Every brochure request of customer `id`, oldest first.
pub(super) fn of_customer(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<Vec<BrochureRequest>> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM brochure_requests WHERE tenant_id = ?1 AND customer_id = ?2 ORDER BY id"
    );
    tx.prepare_cached(&sql)
        .map_err(super::db)?
        .query_map(params![tenant.as_str(), id.as_uuid()], request_from_row)
        .map_err(super::db)?
        .collect::<rusqlite::Result<_>>()
        .map_err(super::db)
}
