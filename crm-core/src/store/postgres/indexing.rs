//! What the search index reads from PostgreSQL: each tenant's change feed and the heads of all
//! of them, the documents of customers, and the list rows of a result page.

use std::collections::{BTreeSet, HashMap};

use super::rows::{CUSTOMER_COLUMNS, customer, list_row, secondary_phone};
use super::values::{customer_id, get, opt_customer_id};
use super::{Db, Params};
use crate::error::Result;
use crate::model::{Customer, CustomerId, TenantId};
use crate::model::{CustomerRow, IndexedBooking, IndexedCustomer};
use crate::store::port::ChangedCustomers;

/// Up to `limit` events of the tenant's feed after sequence `after`, in order: each one's
/// sequence and the customers it names (the customer and the previous one).
pub(super) fn changed_customers(
    db: &mut Db<'_>,
    tenant: &TenantId,
    after: i64,
    limit: u32,
) -> Result<Vec<ChangedCustomers>> {
    let rows = db.query(
        "SELECT seq, customer_id, previous_customer_id, kind FROM changes
         WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        &[&tenant.as_str(), &after, &i64::from(limit)],
    )?;
    rows.iter()
        .map(|row| {
            let ids: Vec<CustomerId> = [opt_customer_id(row, 1)?, opt_customer_id(row, 2)?]
                .into_iter()
                .flatten()
                .collect();
            let kind = get::<&str>(row, 3)?.parse().ok();
            Ok((get::<i64>(row, 0)?, kind, ids))
        })
        .collect()
}

/// The last sequence of every tenant's feed, and how many customers all tenants have.
pub(super) fn feed_heads(db: &mut Db<'_>) -> Result<(Vec<(TenantId, i64)>, u64)> {
    let rows = db.query(
        "SELECT tenant_id, change_seq, customer_count FROM tenants ORDER BY tenant_id",
        &[],
    )?;
    let mut heads = Vec::with_capacity(rows.len());
    let mut customers: u64 = 0;
    for row in &rows {
        heads.push((TenantId::new(get::<&str>(row, 0)?)?, get::<i64>(row, 1)?));
        customers = customers.saturating_add(get::<i64>(row, 2)?.max(0).unsigned_abs());
    }
    Ok((heads, customers))
}

/// Ids per statement when customers are read by id (one array parameter).
const IDS_PER_QUERY: usize = 4096;

/// The documents of the customers of `tenant` among `ids` that still exist, in id order; with
/// `bookings`, their booking facts too.
pub(super) fn documents(
    db: &mut Db<'_>,
    tenant: &TenantId,
    ids: &[CustomerId],
    bookings: bool,
) -> Result<Vec<IndexedCustomer>> {
    let mut out = Vec::with_capacity(ids.len());
    let tenant_text = tenant.as_str();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let chunk: Vec<uuid::Uuid> = chunk.iter().map(|id| *id.as_uuid()).collect();
        let mut docs = customers_where(
            db,
            "tenant_id = $1 AND id = ANY($2) ORDER BY id",
            &[&tenant_text, &chunk],
        )?;
        attach(
            db,
            &mut docs,
            "tenant_id = $1 AND customer_id = ANY($2)",
            &[&tenant_text, &chunk],
            bookings,
        )?;
        out.extend(docs);
    }
    Ok(out)
}

/// Up to `limit` documents of any tenant, in id order, after `after`.
pub(super) fn scan(
    db: &mut Db<'_>,
    after: Option<CustomerId>,
    limit: u32,
) -> Result<Vec<IndexedCustomer>> {
    let limit = i64::from(limit);
    let mut docs = match after {
        Some(after) => customers_where(
            db,
            "id > $1 ORDER BY id LIMIT $2",
            &[after.as_uuid(), &limit],
        )?,
        None => customers_where(db, "TRUE ORDER BY id LIMIT $1", &[&limit])?,
    };
    if !docs.is_empty() {
        // Each table is keyed by tenant first: name the page's tenants and ids (ids are unique
        // across tenants, so the pairs are exactly the page's customers).
        let tenants: Vec<String> = docs
            .iter()
            .map(|d| d.tenant.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let ids: Vec<uuid::Uuid> = docs.iter().map(|d| *d.customer.id.as_uuid()).collect();
        attach(
            db,
            &mut docs,
            "tenant_id = ANY($1) AND customer_id = ANY($2)",
            &[&tenants, &ids],
            true,
        )?;
    }
    Ok(docs)
}

/// Up to `limit` customer numbers and ids of a tenant after customer no. `after_no`, in order.
pub(super) fn ids_by_no(
    db: &mut Db<'_>,
    tenant: &TenantId,
    after_no: i64,
    limit: u32,
) -> Result<Vec<(i64, CustomerId)>> {
    let rows = db.query(
        "SELECT customer_no, id FROM customers WHERE tenant_id = $1 AND customer_no > $2
         ORDER BY customer_no LIMIT $3",
        &[&tenant.as_str(), &after_no, &i64::from(limit)],
    )?;
    rows.iter()
        .map(|row| Ok((get::<i64>(row, 0)?, customer_id(row, 1)?)))
        .collect()
}

/// Up to `limit` customers of `tenant` in id order after `after`, with their secondary contacts
/// and lists (no booking facts): the customers a whole-tenant pass (duplicates) reads.
pub(super) fn tenant_customers(
    db: &mut Db<'_>,
    tenant: &TenantId,
    after: Option<CustomerId>,
    limit: u32,
) -> Result<Vec<Customer>> {
    let tenant_text = tenant.as_str();
    let limit = i64::from(limit);
    let mut docs = match after {
        Some(after) => customers_where(
            db,
            "tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3",
            &[&tenant_text, after.as_uuid(), &limit],
        )?,
        None => customers_where(
            db,
            "tenant_id = $1 ORDER BY id LIMIT $2",
            &[&tenant_text, &limit],
        )?,
    };
    if let (Some(first), Some(last)) = (docs.first(), docs.last()) {
        let (first, last) = (*first.customer.id.as_uuid(), *last.customer.id.as_uuid());
        attach(
            db,
            &mut docs,
            "tenant_id = $1 AND customer_id >= $2 AND customer_id <= $3",
            &[&tenant_text, &first, &last],
            false,
        )?;
    }
    Ok(docs.into_iter().map(|d| d.customer).collect())
}

/// The customers selected by `filter` (a WHERE clause on `customers` over `args`, with its
/// ORDER BY), without their secondary contacts, lists and booking facts yet.
fn customers_where(
    db: &mut Db<'_>,
    filter: &str,
    args: Params<'_>,
) -> Result<Vec<IndexedCustomer>> {
    let columns = CUSTOMER_COLUMNS;
    let sql = format!("SELECT {columns}, tenant_id FROM customers WHERE {filter}");
    let rows = db.query(&sql, args)?;
    rows.iter()
        .map(|row| {
            Ok(IndexedCustomer {
                tenant: get(row, super::rows::CUSTOMER_COLUMN_COUNT)?,
                customer: customer(row)?,
                bookings: Vec::new(),
                last_booking_day: None,
                last_booking: i64::MIN,
            })
        })
        .collect()
}

/// Fills in the secondary contacts, lists and (with `bookings`) booking facts of `docs` (sorted
/// by id), read from the rows of their tables selected by `filter` (a WHERE clause on
/// `tenant_id` and `customer_id` over `args`).
fn attach(
    db: &mut Db<'_>,
    docs: &mut [IndexedCustomer],
    filter: &str,
    args: Params<'_>,
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
    for row in &db.query(&sql, args)? {
        let Some(i) = doc_of(get(row, 0)?) else {
            continue;
        };
        let c = &mut docs[i].customer;
        let typed: String = get(row, 2)?;
        if get::<&str>(row, 1)? == "email" {
            c.secondary_emails.push(typed);
        } else {
            c.secondary_phones
                .push(secondary_phone(typed, get(row, 3)?));
        }
    }

    let sql = format!(
        "SELECT customer_id, list_name FROM customer_lists WHERE {filter}
         ORDER BY customer_id, list_name"
    );
    for row in &db.query(&sql, args)? {
        if let Some(i) = doc_of(get(row, 0)?) {
            docs[i].customer.lists.insert(get(row, 1)?);
        }
    }

    if bookings {
        attach_bookings(db, docs, &doc_of, filter, args)?;
    }
    Ok(())
}

/// Fills in the booking facts of `docs`, as [`attach`] does the contacts.
fn attach_bookings(
    db: &mut Db<'_>,
    docs: &mut [IndexedCustomer],
    doc_of: &dyn Fn(uuid::Uuid) -> Option<usize>,
    filter: &str,
    args: Params<'_>,
) -> Result<()> {
    let sql = format!(
        "SELECT customer_id, pickup_utc, substr(pickup_at, 1, 10), transport, hotel, status, \
         salesperson, invoices FROM bookings WHERE {filter}"
    );
    for row in &db.query(&sql, args)? {
        let Some(i) = doc_of(get(row, 0)?) else {
            continue;
        };
        let doc = &mut docs[i];
        let pickup: i64 = get(row, 1)?;
        // pickup_at is RFC 3339 with the pickup place's offset: it starts with the local date.
        let local_day: &str = get(row, 2)?;
        let day = local_day_number(local_day).ok_or_else(|| {
            crate::error::Error::Internal("bookings.pickup_at: not a date".into())
        })?;
        if pickup > doc.last_booking {
            doc.last_booking = pickup;
            doc.last_booking_day = Some(day);
        }
        let status: String = get(row, 5)?;
        let (payments, owes) = crate::model::invoice::stored_facts(get(row, 7)?, &status)?;
        doc.bookings.push(IndexedBooking {
            day,
            transport: get(row, 3)?,
            hotel: get(row, 4)?,
            status,
            salesperson: get(row, 6)?,
            payments,
            owes,
        });
    }
    Ok(())
}

/// The list rows of `ids` of `tenant`, in the order of `ids`.
pub(super) fn rows(
    db: &mut Db<'_>,
    tenant: &TenantId,
    ids: &[CustomerId],
) -> Result<Vec<CustomerRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let uuids: Vec<uuid::Uuid> = ids.iter().map(|id| *id.as_uuid()).collect();
    let found = db.query(
        "SELECT id, customer_no, first_name, last_name, email, COALESCE(phone, mobile),
            booking_count, last_booking_at, created_at, sort_name
         FROM customers WHERE tenant_id = $1 AND id = ANY($2)",
        &[&tenant.as_str(), &uuids],
    )?;
    let mut found: Vec<CustomerRow> = found
        .iter()
        .map(|row| list_row(row, false).map(|(row, _)| row))
        .collect::<Result<_>>()?;
    found.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
    Ok(found)
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
fn local_day_number(date: &str) -> Option<i64> {
    let date = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    Some(crate::model::day_number(date))
}
