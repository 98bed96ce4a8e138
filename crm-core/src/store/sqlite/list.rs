//! The customer list page: keyset pagination over the sort indexes.

use rusqlite::{OptionalExtension, Transaction, params};

use super::rows::list_row;
use crate::error::Result;
use crate::model::{CustomerId, CustomerRow, CustomerSort, SortKey, TenantId};
use crate::store::port::SortValue;

fn sort_column(sort: CustomerSort) -> &'static str {
    match sort {
        CustomerSort::Name => "sort_name",
        CustomerSort::LastBooking => "last_booking_key",
        CustomerSort::CreatedAt => "created_ms",
    }
}

/// The name sort key of a customer, if it exists.
pub(super) fn sort_name(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<Option<String>> {
    tx.prepare_cached("SELECT sort_name FROM customers WHERE tenant_id = ?1 AND id = ?2")
        .map_err(super::db)?
        .query_row(params![tenant.as_str(), id.as_uuid()], |r| r.get(0))
        .optional()
        .map_err(super::db)
}

/// How many customers the tenant has.
pub(super) fn count(tx: &Transaction<'_>, tenant: &TenantId) -> Result<u64> {
    let total: i64 = tx
        .prepare_cached(
            "SELECT IFNULL((SELECT customer_count FROM tenants WHERE tenant_id = ?1), 0)",
        )
        .map_err(super::db)?
        .query_row([tenant.as_str()], |r| r.get(0))
        .map_err(super::db)?;
    Ok(total as u64)
}

/// Up to `fetch` rows of the list in this order, after the row at `after`, each with its sort
/// key.
pub(super) fn rows(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    sort: CustomerSort,
    descending: bool,
    fetch: u32,
    after: Option<(&SortValue, &CustomerId)>,
) -> Result<Vec<(CustomerRow, SortKey)>> {
    let column = sort_column(sort);
    let (cmp, dir) = if descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
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
    let mut stmt = tx.prepare_cached(&sql).map_err(super::db)?;
    let fetch = i64::from(fetch);
    Ok(match after {
        None => stmt
            .query_map(params![tenant.as_str(), fetch], list_row)
            .map_err(super::db)?
            .collect::<rusqlite::Result<_>>()
            .map_err(super::db)?,
        Some((value, id)) => {
            let key: &dyn rusqlite::ToSql = match value {
                SortValue::Name(name) => name,
                SortValue::Int(i) => i,
            };
            stmt.query_map(params![tenant.as_str(), fetch, key, id.as_uuid()], list_row)
                .map_err(super::db)?
                .collect::<rusqlite::Result<_>>()
                .map_err(super::db)?
        }
    })
}
