//! What the search index reads from SQLite: the change feed across tenants, the documents of
//! customers, and the list rows of a result page.

use rusqlite::{Transaction, params, params_from_iter};

use super::customers;
use crate::error::{Error, Result};
use crate::model::{CustomerId, TenantId};
use crate::search::IndexedCustomer;
use crate::store::CustomerRow;

pub(super) fn changed_customers(
    tx: &Transaction<'_>,
    after: i64,
    limit: u32,
) -> Result<Vec<(i64, TenantId, Vec<CustomerId>)>> {
    let mut stmt = tx.prepare_cached(
        "SELECT seq, tenant_id, customer_id, previous_customer_id FROM changes
         WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after, limit], |r| {
        let ids: Vec<CustomerId> = [r.get::<_, Option<uuid::Uuid>>(2)?, r.get(3)?]
            .into_iter()
            .flatten()
            .map(CustomerId::from_uuid)
            .collect();
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, ids))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, tenant, ids) = row?;
        out.push((seq, TenantId::new(&tenant)?, ids));
    }
    Ok(out)
}

pub(super) fn feed_position(tx: &Transaction<'_>) -> Result<(i64, u64)> {
    Ok(tx.query_row(
        "SELECT IFNULL((SELECT MAX(seq) FROM changes), 0),
                IFNULL((SELECT SUM(customer_count) FROM tenants), 0)",
        [],
        |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)),
    )?)
}

/// The documents of the customers of `tenant` among `ids` that still exist.
pub(super) fn documents(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    ids: &[CustomerId],
) -> Result<Vec<IndexedCustomer>> {
    let mut out = Vec::with_capacity(ids.len());
    let mut facts = tx.prepare_cached(
        "SELECT pickup_utc, transport, hotel, status FROM bookings
         WHERE customer_id = ?2 AND tenant_id = ?1",
    )?;
    for id in ids {
        let customer = match customers::by_id(tx, tenant, id) {
            Ok(c) => c,
            Err(Error::NotFound { .. }) => continue,
            Err(e) => return Err(e),
        };
        let mut doc = IndexedCustomer {
            tenant: tenant.as_str().to_owned(),
            customer,
            departures: Vec::new(),
            transports: Vec::new(),
            hotels: Vec::new(),
            statuses: Vec::new(),
            last_booking: i64::MIN,
        };
        let mut rows = facts.query(params![tenant.as_str(), id.as_uuid()])?;
        while let Some(row) = rows.next()? {
            let pickup: i64 = row.get(0)?;
            doc.departures.push(pickup);
            doc.last_booking = doc.last_booking.max(pickup);
            doc.transports.extend(row.get::<_, Option<String>>(1)?);
            doc.hotels.extend(row.get::<_, Option<String>>(2)?);
            doc.statuses.push(row.get(3)?);
        }
        for list in [&mut doc.transports, &mut doc.hotels, &mut doc.statuses] {
            list.sort();
            list.dedup();
        }
        out.push(doc);
    }
    Ok(out)
}

/// Up to `limit` documents of any tenant, in id order, after `after`.
pub(super) fn scan(
    tx: &Transaction<'_>,
    after: Option<CustomerId>,
    limit: u32,
) -> Result<Vec<IndexedCustomer>> {
    let mut stmt = tx.prepare_cached(
        "SELECT tenant_id, id FROM customers WHERE (?1 IS NULL OR id > ?1) ORDER BY id LIMIT ?2",
    )?;
    let keys: Vec<(String, uuid::Uuid)> = stmt
        .query_map(
            params![after.as_ref().map(CustomerId::as_uuid), limit],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(keys.len());
    for (tenant, id) in keys {
        let tenant = TenantId::new(&tenant)?;
        out.extend(documents(tx, &tenant, &[CustomerId::from_uuid(id)])?);
    }
    Ok(out)
}

/// The list rows of `ids` of `tenant`, in the order of `ids`.
pub(super) fn rows(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    ids: &[CustomerId],
) -> Result<Vec<CustomerRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let sql = format!(
        "SELECT id, customer_no, first_name, last_name, email, IFNULL(phone, mobile), booking_count,
            last_booking_at, created_at, sort_name
         FROM customers WHERE tenant_id = ? AND id IN ({marks})"
    );
    let mut stmt = tx.prepare_cached(&sql)?;
    let mut values: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(tenant.as_str().to_owned())];
    values.extend(
        ids.iter()
            .map(|id| Box::new(*id.as_uuid()) as Box<dyn rusqlite::ToSql>),
    );
    let mut found: Vec<CustomerRow> = stmt
        .query_map(params_from_iter(values.iter()), super::list::from_row)?
        .map(|r| r.map(|(row, _)| row))
        .collect::<rusqlite::Result<_>>()?;
    found.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
    Ok(found)
}
