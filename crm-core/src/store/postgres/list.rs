//! The customer list page: keyset pagination over the sort indexes.

use postgres::types::ToSql;

use super::Db;
use super::rows::list_row;
use super::values::{count as count_column, get};
use crate::error::Result;
use crate::model::{CustomerId, CustomerRow, CustomerSort, SortKey, TenantId};
use crate::store::port::SortValue;

/// The sort column of `sort`, and whether it is an integer (else the name sort key, text).
fn sort_column(sort: CustomerSort) -> (&'static str, bool) {
    match sort {
        CustomerSort::Name => ("sort_name", false),
        CustomerSort::LastBooking => ("last_booking_key", true),
        CustomerSort::CreatedAt => ("created_ms", true),
    }
}

/// The name sort key of a customer, if it exists.
pub(super) fn sort_name(
    db: &mut Db<'_>,
    tenant: &TenantId,
    id: &CustomerId,
) -> Result<Option<String>> {
    db.query_opt(
        "SELECT sort_name FROM customers WHERE tenant_id = $1 AND id = $2",
        &[&tenant.as_str(), id.as_uuid()],
    )?
    .map(|row| get(&row, 0))
    .transpose()
}

/// How many customers the tenant has.
pub(super) fn count(db: &mut Db<'_>, tenant: &TenantId) -> Result<u64> {
    let row = db.query_one(
        "SELECT COALESCE((SELECT customer_count FROM tenants WHERE tenant_id = $1), 0)",
        &[&tenant.as_str()],
    )?;
    count_column(&row, 0)
}

/// Up to `fetch` rows of the list in this order, after the row at `after`, each with its sort
/// key.
pub(super) fn rows(
    db: &mut Db<'_>,
    tenant: &TenantId,
    sort: CustomerSort,
    descending: bool,
    fetch: u32,
    after: Option<(&SortValue, &CustomerId)>,
) -> Result<Vec<(CustomerRow, SortKey)>> {
    let (column, int_key) = sort_column(sort);
    let (cmp, dir) = if descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    let filter = if after.is_some() {
        format!("AND ({column}, id) {cmp} ($3, $4)")
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT id, customer_no, first_name, last_name, email, COALESCE(phone, mobile), booking_count,
            last_booking_at, created_at, {column}
         FROM customers WHERE tenant_id = $1 {filter}
         ORDER BY {column} {dir}, id {dir} LIMIT $2"
    );
    let tenant_text = tenant.as_str();
    let fetch = i64::from(fetch);
    let found = match after {
        None => db.query(&sql, &[&tenant_text, &fetch])?,
        Some((value, id)) => {
            // The value's type is the column's: the list checks a cursor belongs to its sort.
            let key: &(dyn ToSql + Sync) = match value {
                SortValue::Name(name) => name,
                SortValue::Int(i) => i,
            };
            db.query(&sql, &[&tenant_text, &fetch, key, id.as_uuid()])?
        }
    };
    found.iter().map(|row| list_row(row, int_key)).collect()
}
