//! What the search index reads from SQLite: the change feed across tenants, the documents of
//! customers, and the list rows of a result page.

use std::collections::HashMap;

use rusqlite::{ToSql, Transaction, params, params_from_iter};

use super::rows::{CUSTOMER_COLUMNS, customer, list_row, secondary_phone};
use crate::error::Result;
use crate::model::{Customer, CustomerId, TenantId};
use crate::model::{CustomerRow, IndexedBooking, IndexedCustomer};
use crate::store::port::ChangedCustomers;

/// Up to `limit` change events of `tenant` after `after`, each as its sequence, its kind and
/// the customers it names.
pub(super) fn changed_customers(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    after: i64,
    limit: u32,
) -> Result<Vec<ChangedCustomers>> {
    let mut stmt = tx
        .prepare_cached(
            "SELECT seq, customer_id, previous_customer_id, kind FROM changes
         WHERE tenant_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )
        .map_err(super::db)?;
    let rows = stmt
        .query_map(params![tenant.as_str(), after, limit], |r| {
            let ids: Vec<CustomerId> = [r.get::<_, Option<uuid::Uuid>>(1)?, r.get(2)?]
                .into_iter()
                .flatten()
                .map(CustomerId::from_uuid)
                .collect();
            let kind = r.get::<_, String>(3)?.parse().ok();
            Ok((r.get::<_, i64>(0)?, kind, ids))
        })
        .map_err(super::db)?;
    rows.collect::<rusqlite::Result<_>>().map_err(super::db)
}

/// The last sequence of `tenant`'s events (0 before its first; after a compaction that removed
/// them all, the last one removed) and its number of customers.
pub(super) fn feed_head(tx: &Transaction<'_>, tenant: &TenantId) -> Result<(i64, u64)> {
    tx.prepare_cached(
        "SELECT MAX(IFNULL((SELECT MAX(seq) FROM changes WHERE tenant_id = ?1), 0),
                    IFNULL((SELECT feed_compacted FROM tenants WHERE tenant_id = ?1), 0)),
                IFNULL((SELECT customer_count FROM tenants WHERE tenant_id = ?1), 0)",
    )
    .map_err(super::db)?
    .query_row([tenant.as_str()], |r| {
        Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0).unsigned_abs()))
    })
    .map_err(super::db)
}

/// Every tenant with the last sequence of its events, and the customers of all tenants.
pub(super) fn feed_heads(tx: &Transaction<'_>) -> Result<(Vec<(TenantId, i64)>, u64)> {
    let mut stmt = tx
        .prepare_cached(
            "SELECT t.tenant_id, MAX(IFNULL((SELECT MAX(c.seq) FROM changes c
                 WHERE c.tenant_id = t.tenant_id), 0), t.feed_compacted), t.customer_count
             FROM tenants t ORDER BY t.tenant_id",
        )
        .map_err(super::db)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })
        .map_err(super::db)?;
    let mut heads = Vec::new();
    let mut customers = 0u64;
    for row in rows {
        let (tenant, seq, count) = row.map_err(super::db)?;
        heads.push((TenantId::new(&tenant)?, seq));
        customers += count.max(0).unsigned_abs();
    }
    Ok((heads, customers))
}

/// Ids per statement when customers are read by id.
const IDS_PER_QUERY: usize = 500;

/// The documents of the customers of `tenant` among `ids` that still exist, in id order; with
/// `bookings`, their booking facts too.
pub(super) fn documents(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    ids: &[CustomerId],
    bookings: bool,
) -> Result<Vec<IndexedCustomer>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_QUERY) {
        // Numbered: `?1` is the tenant, `?2`... the ids, wherever they stand in the text.
        let marks = super::numbered_marks(2, chunk.len());
        let tenant_text = tenant.as_str();
        let mut args: Vec<&dyn ToSql> = vec![&tenant_text];
        args.extend(chunk.iter().map(|id| id.as_uuid() as &dyn ToSql));
        let mut docs = customers_where(
            tx,
            &format!("id IN ({marks}) AND +tenant_id = ?1 ORDER BY id"),
            &args,
        )?;
        attach(
            tx,
            &mut docs,
            // `+tenant_id`: look rows up by customer, never scan the tenant.
            &format!("customer_id IN ({marks}) AND +tenant_id = ?1"),
            &args,
            bookings,
        )?;
        out.extend(docs);
    }
    Ok(out)
}

/// Up to `limit` documents of any tenant, in id order, after `after`.
pub(super) fn scan(
    tx: &Transaction<'_>,
    after: Option<CustomerId>,
    limit: u32,
) -> Result<Vec<IndexedCustomer>> {
    // Every 16-byte id sorts after the empty blob: one statement that can use the id index.
    let start: Vec<u8> = after.map_or_else(Vec::new, |id| id.as_uuid().as_bytes().to_vec());
    let mut docs = customers_where(tx, "id > ?1 ORDER BY id LIMIT ?2", &[&start, &limit])?;
    if let (Some(first), Some(last)) = (docs.first(), docs.last()) {
        let (first, last) = (*first.customer.id.as_uuid(), *last.customer.id.as_uuid());
        attach(
            tx,
            &mut docs,
            "customer_id >= ?1 AND customer_id <= ?2",
            &[&first, &last],
            true,
        )?;
    }
    Ok(docs)
}

/// Up to `limit` customer numbers and ids of a tenant after customer no. `after_no`, in order.
pub(super) fn ids_by_no(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    after_no: i64,
    limit: u32,
) -> Result<Vec<(i64, CustomerId)>> {
    tx.prepare_cached(
        "SELECT customer_no, id FROM customers WHERE tenant_id = ?1 AND customer_no > ?2
             ORDER BY customer_no LIMIT ?3",
    )
    .map_err(super::db)?
    .query_map(params![tenant.as_str(), after_no, limit], |r| {
        Ok((r.get(0)?, CustomerId::from_uuid(r.get(1)?)))
    })
    .map_err(super::db)?
    .collect::<rusqlite::Result<_>>()
    .map_err(super::db)
}

/// Up to `limit` customers of `tenant` in id order after `after`, with their secondary contacts
/// and lists (no booking facts): the customers a whole-tenant pass (duplicates) reads.
pub(super) fn tenant_customers(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    after: Option<CustomerId>,
    limit: u32,
) -> Result<Vec<Customer>> {
    let start: Vec<u8> = after.map_or_else(Vec::new, |id| id.as_uuid().as_bytes().to_vec());
    let tenant_text = tenant.as_str();
    let mut docs = customers_where(
        tx,
        "tenant_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
        &[&tenant_text, &start, &limit],
    )?;
    if let (Some(first), Some(last)) = (docs.first(), docs.last()) {
        let (first, last) = (*first.customer.id.as_uuid(), *last.customer.id.as_uuid());
        attach(
            tx,
            &mut docs,
            "customer_id >= ?1 AND customer_id <= ?2 AND +tenant_id = ?3",
            &[&first, &last, &tenant_text],
            false,
        )?;
    }
    Ok(docs.into_iter().map(|d| d.customer).collect())
}

/// The customers selected by `filter` (a WHERE clause on `customers` over `args`, with its
/// ORDER BY), without their secondary contacts, lists and booking facts yet.
fn customers_where(
    tx: &Transaction<'_>,
    filter: &str,
    args: &[&dyn ToSql],
) -> Result<Vec<IndexedCustomer>> {
    let columns = CUSTOMER_COLUMNS;
    let sql = format!("SELECT {columns}, tenant_id FROM customers WHERE {filter}");
    let mut stmt = tx.prepare_cached(&sql).map_err(super::db)?;
    let rows = stmt
        .query_map(args, |r| {
            Ok(IndexedCustomer {
                tenant: r.get(super::rows::CUSTOMER_COLUMN_COUNT)?,
                customer: customer(r)?,
                bookings: Vec::new(),
                last_booking_day: None,
                last_booking: i64::MIN,
            })
        })
        .map_err(super::db)?;
    rows.collect::<rusqlite::Result<_>>().map_err(super::db)
}

/// Fills in the secondary contacts, lists and (with `bookings`) booking facts of `docs` (sorted
/// by id), read from the rows of their tables selected by `filter` (a WHERE clause on
/// `customer_id` over `args`).
fn attach(
    tx: &Transaction<'_>,
    docs: &mut [IndexedCustomer],
    filter: &str,
    args: &[&dyn ToSql],
    bookings: bool,
) -> Result<()> {
    let at: HashMap<uuid::Uuid, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (*d.customer.id.as_uuid(), i))
        .collect();
    let doc_of = |id: uuid::Uuid| at.get(&id).copied();

    let sql = format!(
        "SELECT customer_id, kind, typed, match_key FROM customer_contacts
         WHERE {filter} ORDER BY customer_id, kind, position"
    );
    let mut stmt = tx.prepare_cached(&sql).map_err(super::db)?;
    let mut rows = stmt.query(args).map_err(super::db)?;
    while let Some(row) = rows.next().map_err(super::db)? {
        let Some(i) = doc_of(row.get(0).map_err(super::db)?) else {
            continue;
        };
        let c = &mut docs[i].customer;
        let typed: String = row.get(2).map_err(super::db)?;
        if row.get::<_, String>(1).map_err(super::db)? == "email" {
            c.secondary_emails.push(typed);
        } else {
            c.secondary_phones
                .push(secondary_phone(typed, row.get(3).map_err(super::db)?));
        }
    }

    let sql = format!(
        "SELECT customer_id, list_name FROM customer_lists WHERE {filter} ORDER BY customer_id, list_name"
    );
    let mut stmt = tx.prepare_cached(&sql).map_err(super::db)?;
    let mut rows = stmt.query(args).map_err(super::db)?;
    while let Some(row) = rows.next().map_err(super::db)? {
        if let Some(i) = doc_of(row.get(0).map_err(super::db)?) {
            docs[i]
                .customer
                .lists
                .insert(row.get(1).map_err(super::db)?);
        }
    }

    if bookings {
        attach_bookings(tx, docs, &doc_of, filter, args)?;
    }
    Ok(())
}

/// Fills in the booking facts of `docs`, as [`attach`] does the contacts.
fn attach_bookings(
    tx: &Transaction<'_>,
    docs: &mut [IndexedCustomer],
    doc_of: &dyn Fn(uuid::Uuid) -> Option<usize>,
    filter: &str,
    args: &[&dyn ToSql],
) -> Result<()> {
    let sql = format!(
        "SELECT customer_id, pickup_utc, substr(pickup_at, 1, 10), transport, hotel, status, \
         salesperson, invoices FROM bookings WHERE {filter}"
    );
    let mut stmt = tx.prepare_cached(&sql).map_err(super::db)?;
    let mut rows = stmt.query(args).map_err(super::db)?;
    while let Some(row) = rows.next().map_err(super::db)? {
        let Some(i) = doc_of(row.get(0).map_err(super::db)?) else {
            continue;
        };
        let doc = &mut docs[i];
        let pickup: i64 = row.get(1).map_err(super::db)?;
        // pickup_at is RFC 3339 with the pickup place's offset: it starts with the local date.
        let local_day: String = row.get(2).map_err(super::db)?;
        let day = local_day_number(&local_day).ok_or_else(|| {
            crate::error::Error::Internal("bookings.pickup_at: not a date".into())
        })?;
        if pickup > doc.last_booking {
            doc.last_booking = pickup;
            doc.last_booking_day = Some(day);
        }
        let status: String = row.get(5).map_err(super::db)?;
        let stored = row
            .get_ref(7)
            .map_err(super::db)?
            .as_str_or_null()
            .map_err(|e| crate::error::Error::Internal(e.to_string()))?;
        let (payments, owes) = crate::model::invoice::stored_facts(stored, &status)?;
        doc.bookings.push(IndexedBooking {
            day,
            transport: row.get(3).map_err(super::db)?,
            hotel: row.get(4).map_err(super::db)?,
            status,
            salesperson: row.get(6).map_err(super::db)?,
            payments,
            owes,
        });
    }
    Ok(())
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
    let mut stmt = tx.prepare_cached(&sql).map_err(super::db)?;
    let mut values: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(tenant.as_str().to_owned())];
    values.extend(
        ids.iter()
            .map(|id| Box::new(*id.as_uuid()) as Box<dyn rusqlite::ToSql>),
    );
    let mut found: Vec<CustomerRow> = stmt
        .query_map(params_from_iter(values.iter()), list_row)
        .map_err(super::db)?
        .map(|r| r.map(|(row, _)| row))
        .collect::<rusqlite::Result<_>>()
        .map_err(super::db)?;
    found.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
    Ok(found)
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
fn local_day_number(date: &str) -> Option<i64> {
    let date = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    Some(crate::model::day_number(date))
}
