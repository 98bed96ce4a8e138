//! Booking rows: read by reference, written, linked, a customer's history and invoiced bookings,
//! and the per-customer counters the customer list sorts on.

use chrono::{DateTime, FixedOffset, Utc};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::values::{local_text, opt, opt_customer_id, parse_enum, parse_local, parse_utc};
use crate::error::{Error, Result};
use crate::model::{Booking, CustomerId, Invoiced, TenantId, invoice};

const COLUMNS: &str = "reference, customer_id, status, pickup_at, return_at, route_from, route_to, \
    transport, hotel, salesperson, invoices, created_at, updated_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Booking> {
    let stored: Option<String> = row.get(10)?;
    let invoices = invoice::from_stored(stored.as_deref()).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(10, rusqlite::types::Type::Text, e.into())
    })?;
    Ok(Booking {
        reference: row.get(0)?,
        customer_id: opt_customer_id(row, 1)?,
        status: parse_enum(2, &row.get::<_, String>(2)?)?,
        pickup_at: parse_local(3, &row.get::<_, String>(3)?)?,
        return_at: opt(row, 4, parse_local)?,
        route_from: row.get(5)?,
        route_to: row.get(6)?,
        transport: row.get(7)?,
        hotel: row.get(8)?,
        salesperson: row.get(9)?,
        invoices,
        created_at: parse_utc(11, &row.get::<_, String>(11)?)?,
        updated_at: parse_utc(12, &row.get::<_, String>(12)?)?,
    })
}

pub(super) fn by_reference(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    reference: &str,
) -> Result<Option<Booking>> {
    let sql = format!("SELECT {COLUMNS} FROM bookings WHERE tenant_id = ?1 AND reference = ?2");
    tx.prepare_cached(&sql)
        .map_err(super::db)?
        .query_row(params![tenant.as_str(), reference.trim()], from_row)
        .optional()
        .map_err(super::db)
}

/// References per statement when the bookings of a batch are looked up.
const REFERENCES_PER_QUERY: usize = 500;

/// The stored bookings of these references, read a few hundred references per statement.
pub(super) fn many(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    references: &[&str],
) -> Result<Vec<Booking>> {
    let mut out = Vec::new();
    for chunk in references.chunks(REFERENCES_PER_QUERY) {
        let marks = super::numbered_marks(2, chunk.len());
        let sql = format!(
            "SELECT {COLUMNS} FROM bookings WHERE tenant_id = ?1 AND reference IN ({marks})"
        );
        let tenant_text = tenant.as_str();
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&tenant_text];
        args.extend(chunk.iter().map(|r| r as &dyn rusqlite::ToSql));
        let mut stmt = tx.prepare_cached(&sql).map_err(super::db)?;
        for booking in stmt
            .query_map(args.as_slice(), from_row)
            .map_err(super::db)?
        {
            out.push(booking.map_err(super::db)?);
        }
    }
    Ok(out)
}

/// Writes a booking: a new row (`insert`, created at `created`), or over the row of its
/// reference (its creation time kept). `updated` is `b.updated_at` as stored, `created`
/// `b.created_at`.
pub(super) fn write(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    b: &Booking,
    (created, updated): (&str, &str),
    insert: bool,
) -> Result<()> {
    // A plain statement each (no upsert): SQLite writes them without a statement journal.
    let sql = if insert {
        "INSERT INTO bookings (tenant_id, reference, customer_id, status, pickup_at, pickup_utc,
            return_at, route_from, route_to, transport, hotel, salesperson, invoices, created_at,
            updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?15, ?14)"
    } else {
        "UPDATE bookings SET customer_id = ?3, status = ?4, pickup_at = ?5, pickup_utc = ?6,
            return_at = ?7, route_from = ?8, route_to = ?9, transport = ?10, hotel = ?11,
            salesperson = ?12, invoices = ?13, updated_at = ?14
         WHERE tenant_id = ?1 AND reference = ?2"
    };
    let (customer, pickup, pickup_utc, return_at) = (
        b.customer_id.as_ref().map(CustomerId::as_uuid),
        local_text(&b.pickup_at),
        b.pickup_at.timestamp_micros(),
        b.return_at.as_ref().map(local_text),
    );
    let invoices = invoice::to_stored(&b.invoices);
    let tenant_text = tenant.as_str();
    let status = b.status.as_str();
    let args: [&dyn rusqlite::ToSql; 15] = [
        &tenant_text,
        &b.reference,
        &customer,
        &status,
        &pickup,
        &pickup_utc,
        &return_at,
        &b.route_from,
        &b.route_to,
        &b.transport,
        &b.hotel,
        &b.salesperson,
        &invoices,
        &updated,
        &created,
    ];
    // The update has no creation time to write.
    let args = if insert { &args[..] } else { &args[..14] };
    let written = tx
        .prepare_cached(sql)
        .map_err(super::db)?
        .execute(args)
        .map_err(super::db)?;
    if written != 1 {
        return Err(Error::Internal(format!(
            "booking {} was not written",
            b.reference
        )));
    }
    Ok(())
}

/// Links the booking to `customer` (or unlinks it), stamped `stamp`.
pub(super) fn set_customer(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    reference: &str,
    customer: Option<CustomerId>,
    stamp: &str,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE bookings SET customer_id = ?3, updated_at = ?4 WHERE tenant_id = ?1 AND reference = ?2",
    ).map_err(super::db)?
    .execute(params![
        tenant.as_str(),
        reference,
        customer.as_ref().map(CustomerId::as_uuid),
        stamp
    ]).map_err(super::db)?;
    Ok(())
}

/// Who a booking belongs to and when it was last changed.
pub(super) fn owner(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    reference: &str,
) -> Result<Option<(Option<CustomerId>, DateTime<Utc>)>> {
    tx.prepare_cached(
        "SELECT customer_id, updated_at FROM bookings WHERE tenant_id = ?1 AND reference = ?2",
    )
    .map_err(super::db)?
    .query_row(params![tenant.as_str(), reference], |r| {
        Ok((
            opt_customer_id(r, 0)?,
            parse_utc(1, &r.get::<_, String>(1)?)?,
        ))
    })
    .optional()
    .map_err(super::db)
}

/// How many bookings a customer has (its counter).
pub(super) fn count_of(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<u64> {
    let count: Option<i64> = tx
        .prepare_cached("SELECT booking_count FROM customers WHERE tenant_id = ?1 AND id = ?2")
        .map_err(super::db)?
        .query_row(params![tenant.as_str(), customer.as_uuid()], |r| r.get(0))
        .optional()
        .map_err(super::db)?;
    Ok(count.unwrap_or(0) as u64)
}

/// Detaches every booking of `customer`, stamped `stamp`; returns their references.
pub(super) fn unlink_all(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
    stamp: &str,
) -> Result<Vec<String>> {
    tx.prepare_cached(
        "UPDATE bookings SET customer_id = NULL, updated_at = ?3
         WHERE tenant_id = ?1 AND customer_id = ?2 RETURNING reference",
    )
    .map_err(super::db)?
    .query_map(params![tenant.as_str(), customer.as_uuid(), stamp], |r| {
        r.get(0)
    })
    .map_err(super::db)?
    .collect::<rusqlite::Result<_>>()
    .map_err(super::db)
}

/// The references of a customer's bookings, by reference, with their update times.
pub(super) fn references_of(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<Vec<(String, DateTime<Utc>)>> {
    tx.prepare_cached(
        "SELECT reference, updated_at FROM bookings WHERE customer_id = ?2 AND tenant_id = ?1
         ORDER BY reference",
    )
    .map_err(super::db)?
    .query_map(params![tenant.as_str(), customer.as_uuid()], |r| {
        Ok((r.get(0)?, parse_utc(1, &r.get::<_, String>(1)?)?))
    })
    .map_err(super::db)?
    .collect::<rusqlite::Result<_>>()
    .map_err(super::db)
}

/// Adds `count` new bookings, the latest departing at `latest`, to a customer's counters
/// without reading its bookings. Returns `false`, having changed nothing, when `latest` is the
/// very time of the stored last booking (which of the two is last then depends on their
/// references: the caller recounts).
pub(super) fn add_to_counters(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
    count: i64,
    latest: &DateTime<FixedOffset>,
) -> Result<bool> {
    let changed = tx
        .prepare_cached(
            "UPDATE customers SET booking_count = booking_count + ?3,
                last_booking_at = CASE WHEN ?4 > last_booking_key THEN ?5 ELSE last_booking_at END,
                last_booking_key = MAX(last_booking_key, ?4)
             WHERE tenant_id = ?1 AND id = ?2 AND last_booking_key <> ?4",
        )
        .map_err(super::db)?
        .execute(params![
            tenant.as_str(),
            customer.as_uuid(),
            count,
            latest.timestamp_micros(),
            local_text(latest)
        ])
        .map_err(super::db)?;
    Ok(changed == 1)
}

/// Recomputes the booking count and last booking of each customer given.
pub(super) fn refresh_counters(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    customers: impl IntoIterator<Item = CustomerId>,
) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "UPDATE customers SET
            booking_count = (SELECT COUNT(*) FROM bookings WHERE customer_id = ?2 AND tenant_id = ?1),
            last_booking_key = IFNULL((SELECT MAX(pickup_utc) FROM bookings WHERE customer_id = ?2 AND tenant_id = ?1), -9223372036854775808),
            last_booking_at = (SELECT pickup_at FROM bookings WHERE customer_id = ?2 AND tenant_id = ?1
                               ORDER BY pickup_utc DESC, reference DESC LIMIT 1)
         WHERE tenant_id = ?1 AND id = ?2",
    ).map_err(super::db)?;
    for id in customers {
        stmt.execute(params![tenant.as_str(), id.as_uuid()])
            .map_err(super::db)?;
    }
    Ok(())
}

pub(super) fn history(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<Vec<Booking>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM bookings WHERE customer_id = ?2 AND tenant_id = ?1
         ORDER BY pickup_utc DESC, reference DESC"
    );
    tx.prepare_cached(&sql)
        .map_err(super::db)?
        .query_map(params![tenant.as_str(), customer.as_uuid()], from_row)
        .map_err(super::db)?
        .collect::<rusqlite::Result<_>>()
        .map_err(super::db)
}

/// A customer's booking count and the pickup of its latest booking, as its counters hold them.
pub(super) fn counts(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<(u64, Option<DateTime<FixedOffset>>)> {
    let (bookings, last): (i64, Option<String>) = tx
        .prepare_cached(
            "SELECT booking_count, last_booking_at FROM customers WHERE tenant_id = ?1 AND id = ?2",
        )
        .map_err(super::db)?
        .query_row(params![tenant.as_str(), customer.as_uuid()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .map_err(super::db)?;
    let last = last
        .map(|s| parse_local(1, &s))
        .transpose()
        .map_err(super::db)?;
    Ok((bookings as u64, last))
}

/// The invoices of the bookings of `customers`, each with its booking's status, a few hundred
/// customers per statement.
pub(super) fn invoiced_of(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    customers: &[CustomerId],
) -> Result<Vec<Invoiced>> {
    let mut out = Vec::new();
    for chunk in customers.chunks(REFERENCES_PER_QUERY) {
        let marks = super::numbered_marks(2, chunk.len());
        let sql = format!(
            "SELECT customer_id, status, invoices FROM bookings
             WHERE customer_id IN ({marks}) AND tenant_id = ?1 AND invoices IS NOT NULL"
        );
        let tenant_text = tenant.as_str();
        let ids: Vec<&uuid::Uuid> = chunk.iter().map(CustomerId::as_uuid).collect();
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&tenant_text];
        args.extend(ids.iter().map(|id| *id as &dyn rusqlite::ToSql));
        let mut stmt = tx.prepare_cached(&sql).map_err(super::db)?;
        let mut rows = stmt.query(args.as_slice()).map_err(super::db)?;
        while let Some(r) = rows.next().map_err(super::db)? {
            let customer = CustomerId::from_uuid(r.get(0).map_err(super::db)?);
            let status =
                parse_enum(1, &r.get::<_, String>(1).map_err(super::db)?).map_err(super::db)?;
            let stored: Option<String> = r.get(2).map_err(super::db)?;
            for invoice in invoice::from_stored(stored.as_deref())? {
                out.push(Invoiced {
                    customer,
                    status,
                    invoice,
                });
            }
        }
    }
    Ok(out)
}
