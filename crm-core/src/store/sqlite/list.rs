//! The customer list page: keyset pagination over the sort indexes.

use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::values::{customer_id, opt, parse_local, parse_utc};
use crate::error::{Error, Result};
use crate::model::TenantId;
use crate::model::{
    Cursor, CursorData, CustomerListQuery, CustomerRow, CustomerSort, Page, SortKey,
};

fn sort_column(sort: CustomerSort) -> &'static str {
    match sort {
        CustomerSort::Name => "sort_name",
        CustomerSort::LastBooking => "last_booking_key",
        CustomerSort::CreatedAt => "created_ms",
    }
}

pub(super) fn from_row(row: &Row<'_>) -> rusqlite::Result<(CustomerRow, SortKey)> {
    let key = match row.get_ref(9)? {
        rusqlite::types::ValueRef::Integer(i) => SortKey::Int(i),
        _ => SortKey::name(row.get_ref(9)?.as_str()?),
    };
    let customer = CustomerRow {
        id: customer_id(row, 0)?,
        customer_no: row.get(1)?,
        first_name: row.get(2)?,
        last_name: row.get(3)?,
        email: row.get(4)?,
        phone: row.get(5)?,
        bookings: row.get::<_, i64>(6)? as u64,
        last_booking: opt(row, 7, parse_local)?,
        created_at: parse_utc(8, &row.get::<_, String>(8)?)?,
    };
    Ok((customer, key))
}

/// The name sort key of the row a name cursor points at.
fn name_key(tx: &Transaction<'_>, tenant: &TenantId, data: &CursorData) -> Result<String> {
    let stale = |what: &str| {
        Error::validation(
            "cursor",
            format!("the customer it points at was {what}: start again from the first page"),
        )
    };
    let key: String = tx
        .prepare_cached("SELECT sort_name FROM customers WHERE tenant_id = ?1 AND id = ?2")?
        .query_row(params![tenant.as_str(), data.id.as_uuid()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| stale("deleted"))?;
    if SortKey::name(&key) != data.key {
        return Err(stale("renamed"));
    }
    Ok(key)
}

pub(super) fn page(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    query: &CustomerListQuery,
) -> Result<Page<CustomerRow>> {
    let limit = query.checked_limit()?;
    let column = sort_column(query.sort);
    let (cmp, dir) = if query.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    let after = query.after.as_ref().map(Cursor::decode).transpose()?;
    if after
        .as_ref()
        .is_some_and(|d| d.sort != query.sort.as_str() || d.descending != query.descending)
    {
        return Err(Error::validation("cursor", "belongs to another sort order"));
    }
    let filter = if after.is_some() {
        format!("AND ({column}, id) {cmp} (?3, ?4)")
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT id, customer_no, first_name, last_name, email, IFNULL(phone, mobile), booking_count,
            last_booking_at, created_at, {column}
         FROM customers WHERE tenant_id = ?1 {filter}
         ORDER BY {column} {dir}, id {dir} LIMIT ?2"
    );
    let mut stmt = tx.prepare_cached(&sql)?;
    let fetch = i64::from(limit) + 1;
    let rows: Vec<(CustomerRow, SortKey)> = match &after {
        None => stmt
            .query_map(params![tenant.as_str(), fetch], from_row)?
            .collect::<rusqlite::Result<_>>()?,
        Some(data) => {
            let looked_up;
            let key: &dyn rusqlite::ToSql = match (&data.key, query.sort) {
                (SortKey::Name { .. }, CustomerSort::Name) => {
                    looked_up = name_key(tx, tenant, data)?;
                    &looked_up
                }
                (SortKey::Int(i), CustomerSort::LastBooking | CustomerSort::CreatedAt) => i,
                _ => {
                    return Err(Error::validation(
                        "cursor",
                        "not a cursor returned by this list",
                    ));
                }
            };
            stmt.query_map(
                params![tenant.as_str(), fetch, key, data.id.as_uuid()],
                from_row,
            )?
            .collect::<rusqlite::Result<_>>()?
        }
    };
    let total: i64 = tx
        .prepare_cached(
            "SELECT IFNULL((SELECT customer_count FROM tenants WHERE tenant_id = ?1), 0)",
        )?
        .query_row([tenant.as_str()], |r| r.get(0))?;
    let more = rows.len() > limit as usize;
    let mut items = Vec::with_capacity(limit as usize);
    let mut last_key = None;
    for (row, key) in rows.into_iter().take(limit as usize) {
        last_key = Some((key, row.id));
        items.push(row);
    }
    let next = match (more, last_key) {
        (true, Some((key, id))) => Some(Cursor::encode(&CursorData {
            sort: query.sort.as_str().to_owned(),
            descending: query.descending,
            key,
            id,
        })?),
        _ => None,
    };
    Ok(Page {
        items,
        total: total as u64,
        next,
    })
}
