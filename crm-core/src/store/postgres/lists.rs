//! Customer lists and brochure requests.

use chrono::{DateTime, Utc};
use postgres::Row;

use super::Db;
use super::values::{count, customer_id, get, opt_utc, utc, utc_text};
use crate::error::Result;
use crate::model::{BrochureRequest, BrochureRequestId, CustomerId, ListInfo, TenantId};

pub(super) fn all(db: &mut Db<'_>, tenant: &TenantId) -> Result<Vec<ListInfo>> {
    db.query(
        "SELECT l.name, l.created_at,
            (SELECT COUNT(*) FROM customer_lists m WHERE m.tenant_id = l.tenant_id AND m.list_name = l.name)
         FROM lists l WHERE l.tenant_id = $1 ORDER BY l.name",
        &[&tenant.as_str()],
    )?
    .iter()
    .map(|r| -> Result<ListInfo> {
        Ok(ListInfo {
            name: get(r, 0)?,
            created_at: utc(r, 1)?,
            members: count(r, 2)?,
        })
    })
    .collect()
}

/// Makes the list unless it exists; `true` when it was made.
pub(super) fn insert(
    db: &mut Db<'_>,
    tenant: &TenantId,
    name: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    Ok(db.execute(
        "INSERT INTO lists (tenant_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        &[&tenant.as_str(), &name, &utc_text(&at)],
    )? == 1)
}

pub(super) fn exists(db: &mut Db<'_>, tenant: &TenantId, name: &str) -> Result<bool> {
    let row = db.query_one(
        "SELECT EXISTS (SELECT 1 FROM lists WHERE tenant_id = $1 AND name = $2)",
        &[&tenant.as_str(), &name],
    )?;
    get(&row, 0)
}

/// The customers on a list.
pub(super) fn members(db: &mut Db<'_>, tenant: &TenantId, name: &str) -> Result<Vec<CustomerId>> {
    db.query(
        "SELECT customer_id FROM customer_lists WHERE tenant_id = $1 AND list_name = $2
         ORDER BY customer_id",
        &[&tenant.as_str(), &name],
    )?
    .iter()
    .map(|r| customer_id(r, 0))
    .collect()
}

pub(super) fn delete(db: &mut Db<'_>, tenant: &TenantId, name: &str) -> Result<()> {
    db.execute(
        "DELETE FROM lists WHERE tenant_id = $1 AND name = $2",
        &[&tenant.as_str(), &name],
    )?;
    Ok(())
}

/// Deletes the list if no customer is on it; `true` when it did.
pub(super) fn delete_if_empty(db: &mut Db<'_>, tenant: &TenantId, name: &str) -> Result<bool> {
    Ok(db.execute(
        "DELETE FROM lists WHERE tenant_id = $1 AND name = $2 AND NOT EXISTS
            (SELECT 1 FROM customer_lists WHERE tenant_id = $1 AND list_name = $2)",
        &[&tenant.as_str(), &name],
    )? == 1)
}

const REQUEST_COLUMNS: &str = "id, customer_id, requested_at, sent_at";

fn request_from_row(r: &Row) -> Result<BrochureRequest> {
    Ok(BrochureRequest {
        id: BrochureRequestId::from_uuid(get(r, 0)?),
        customer_id: customer_id(r, 1)?,
        requested_at: utc(r, 2)?,
        sent_at: opt_utc(r, 3)?,
    })
}

/// The oldest request of `customer` not sent yet.
pub(super) fn pending_of(
    db: &mut Db<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<Option<BrochureRequest>> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM brochure_requests
         WHERE tenant_id = $1 AND customer_id = $2 AND sent_at IS NULL ORDER BY id LIMIT 1"
    );
    db.query_opt(&sql, &[&tenant.as_str(), customer.as_uuid()])?
        .as_ref()
        .map(request_from_row)
        .transpose()
}

pub(super) fn insert_request(
    db: &mut Db<'_>,
    tenant: &TenantId,
    request: &BrochureRequest,
) -> Result<()> {
    db.execute(
        "INSERT INTO brochure_requests (id, tenant_id, customer_id, requested_at) VALUES ($1, $2, $3, $4)",
        &[
            request.id.as_uuid(),
            &tenant.as_str(),
            request.customer_id.as_uuid(),
            &utc_text(&request.requested_at),
        ],
    )?;
    Ok(())
}

pub(super) fn request(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &BrochureRequestId,
) -> Result<Option<BrochureRequest>> {
    let sql =
        format!("SELECT {REQUEST_COLUMNS} FROM brochure_requests WHERE tenant_id = $1 AND id = $2");
    db.query_opt(&sql, &[&tenant.as_str(), id.as_uuid()])?
        .as_ref()
        .map(request_from_row)
        .transpose()
}

pub(super) fn set_sent(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &BrochureRequestId,
    at: DateTime<Utc>,
) -> Result<()> {
    db.execute(
        "UPDATE brochure_requests SET sent_at = $3 WHERE tenant_id = $1 AND id = $2",
        &[&tenant.as_str(), id.as_uuid(), &utc_text(&at)],
    )?;
    Ok(())
}

/// Up to `limit` pending requests after `after` (by request time, then id), oldest first.
pub(super) fn pending(
    db: &mut Db<'_>,
    tenant: &TenantId,
    after: Option<&BrochureRequestId>,
    limit: u32,
) -> Result<Vec<BrochureRequest>> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM brochure_requests
         WHERE tenant_id = $1 AND sent_at IS NULL AND id > $2 ORDER BY id LIMIT $3"
    );
    let after = after.map_or_else(uuid::Uuid::nil, |a| *a.as_uuid());
    db.query(&sql, &[&tenant.as_str(), &after, &i64::from(limit)])?
        .iter()
        .map(request_from_row)
        .collect()
}

/// Every brochure request of customer `id`, oldest first.
pub(super) fn of_customer(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<Vec<BrochureRequest>> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM brochure_requests WHERE tenant_id = $1 AND customer_id = $2 ORDER BY id"
    );
    db.query(&sql, &[&tenant.as_str(), id.as_uuid()])?
        .iter()
        .map(request_from_row)
        .collect()
}
