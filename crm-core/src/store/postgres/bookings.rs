//! Booking rows: read by reference, written, linked, a customer's history and invoiced bookings,
//! and the per-customer counters the customer list sorts on.

use chrono::{DateTime, FixedOffset, Utc};
use postgres::Row;

use super::Db;
use super::values::{enumerated, get, local, local_text, opt_customer_id, opt_local, utc};
use crate::error::{Error, Result};
use crate::model::{Booking, CustomerId, Invoiced, TenantId, invoice};

const COLUMNS: &str = "reference, customer_id, status, pickup_at, return_at, route_from, route_to, \
    transport, hotel, salesperson, invoices, created_at, updated_at";

fn from_row(row: &Row) -> Result<Booking> {
    let invoices = invoice::from_stored(get::<Option<&str>>(row, 10)?)?;
    Ok(Booking {
        reference: get(row, 0)?,
        customer_id: opt_customer_id(row, 1)?,
        status: enumerated(row, 2)?,
        pickup_at: local(row, 3)?,
        return_at: opt_local(row, 4)?,
        route_from: get(row, 5)?,
        route_to: get(row, 6)?,
        transport: get(row, 7)?,
        hotel: get(row, 8)?,
        salesperson: get(row, 9)?,
        invoices,
        created_at: utc(row, 11)?,
        updated_at: utc(row, 12)?,
    })
}

pub(super) fn by_reference(
    db: &mut Db<'_>,
    tenant: &TenantId,
    reference: &str,
) -> Result<Option<Booking>> {
    let sql = format!("SELECT {COLUMNS} FROM bookings WHERE tenant_id = $1 AND reference = $2");
    db.query_opt(&sql, &[&tenant.as_str(), &reference.trim()])?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// References per statement when the bookings of a batch are looked up.
const REFERENCES_PER_QUERY: usize = 5000;

/// The stored bookings of these references, read a few thousand references per statement.
pub(super) fn many(
    db: &mut Db<'_>,
    tenant: &TenantId,
    references: &[&str],
) -> Result<Vec<Booking>> {
    let sql =
        format!("SELECT {COLUMNS} FROM bookings WHERE tenant_id = $1 AND reference = ANY($2)");
    let mut out = Vec::new();
    for chunk in references.chunks(REFERENCES_PER_QUERY) {
        for row in db.query(&sql, &[&tenant.as_str(), &chunk])? {
            out.push(from_row(&row)?);
        }
    }
    Ok(out)
}

/// Writes a booking over the row of its reference (its creation time kept); `updated` is
/// `b.updated_at` as stored. New bookings go through [`insert_many`].
pub(super) fn update(db: &mut Db<'_>, tenant: &TenantId, b: &Booking, updated: &str) -> Result<()> {
    let (customer, pickup, pickup_utc, return_at) = (
        b.customer_id.as_ref().map(CustomerId::as_uuid),
        local_text(&b.pickup_at),
        b.pickup_at.timestamp_micros(),
        b.return_at.as_ref().map(local_text),
    );
    let invoices = invoice::to_stored(&b.invoices);
    let tenant_text = tenant.as_str();
    let status = b.status.as_str();
    let written = db.execute(
        "UPDATE bookings SET customer_id = $3, status = $4, pickup_at = $5, pickup_utc = $6,
            return_at = $7, route_from = $8, route_to = $9, transport = $10, hotel = $11,
            salesperson = $12, invoices = $13, updated_at = $14
         WHERE tenant_id = $1 AND reference = $2",
        &[
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
        ],
    )?;
    if written != 1 {
        return Err(Error::Internal(format!(
            "booking {} was not written",
            b.reference
        )));
    }
    Ok(())
}

/// Stores new bookings (each with its creation and update time as stored), a statement per
/// 5,000 of them (one array per column, unnested): the bulk path of booking upserts.
pub(super) fn insert_many(
    db: &mut Db<'_>,
    tenant: &TenantId,
    all: &[(Booking, String, String)],
) -> Result<()> {
    for chunk in all.chunks(5_000) {
        let n = chunk.len();
        let mut references = Vec::with_capacity(n);
        let mut customers = Vec::with_capacity(n);
        let mut pickup_utc = Vec::with_capacity(n);
        let mut text: [Vec<Option<String>>; 11] = Default::default();
        for (b, created, updated) in chunk {
            references.push(b.reference.clone());
            customers.push(b.customer_id.as_ref().map(|c| *c.as_uuid()));
            pickup_utc.push(b.pickup_at.timestamp_micros());
            let values = [
                Some(b.status.as_str().to_owned()),
                Some(local_text(&b.pickup_at)),
                b.return_at.as_ref().map(local_text),
                Some(b.route_from.clone()),
                Some(b.route_to.clone()),
                b.transport.clone(),
                b.hotel.clone(),
                b.salesperson.clone(),
                invoice::to_stored(&b.invoices),
                Some(created.clone()),
                Some(updated.clone()),
            ];
            for (column, value) in text.iter_mut().zip(values) {
                column.push(value);
            }
        }
        let tenant_text = tenant.as_str();
        let mut args: Vec<&(dyn postgres::types::ToSql + Sync)> =
            vec![&tenant_text, &references, &customers, &pickup_utc];
        args.extend(
            text.iter()
                .map(|c| c as &(dyn postgres::types::ToSql + Sync)),
        );
        let written = db.execute(
            "INSERT INTO bookings (tenant_id, reference, customer_id, pickup_utc,
                status, pickup_at, return_at, route_from, route_to, transport, hotel, salesperson,
                invoices, created_at, updated_at)
             SELECT $1::TEXT, * FROM UNNEST($2::TEXT[], $3::UUID[], $4::BIGINT[],
                $5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::TEXT[],
                $11::TEXT[], $12::TEXT[], $13::TEXT[], $14::TEXT[], $15::TEXT[])",
            &args,
        )?;
        if written != n as u64 {
            return Err(Error::Internal(format!(
                "{written} of {n} bookings were inserted"
            )));
        }
    }
    Ok(())
}

/// Links the booking to `customer` (or unlinks it), stamped `stamp`.
pub(super) fn set_customer(
    db: &mut Db<'_>,
    tenant: &TenantId,
    reference: &str,
    customer: Option<CustomerId>,
    stamp: &str,
) -> Result<()> {
    db.execute(
        "UPDATE bookings SET customer_id = $3, updated_at = $4 WHERE tenant_id = $1 AND reference = $2",
        &[
            &tenant.as_str(),
            &reference,
            &customer.as_ref().map(CustomerId::as_uuid),
            &stamp,
        ],
    )?;
    Ok(())
}

/// Who a booking belongs to and when it was last changed.
pub(super) fn owner(
    db: &mut Db<'_>,
    tenant: &TenantId,
    reference: &str,
) -> Result<Option<(Option<CustomerId>, DateTime<Utc>)>> {
    db.query_opt(
        "SELECT customer_id, updated_at FROM bookings WHERE tenant_id = $1 AND reference = $2",
        &[&tenant.as_str(), &reference],
    )?
    .map(|r| -> Result<_> { Ok((opt_customer_id(&r, 0)?, utc(&r, 1)?)) })
    .transpose()
}

/// How many bookings a customer has (its counter).
pub(super) fn count_of(db: &mut Db<'_>, tenant: &TenantId, customer: &CustomerId) -> Result<u64> {
    let count: Option<i64> = db
        .query_opt(
            "SELECT booking_count FROM customers WHERE tenant_id = $1 AND id = $2",
            &[&tenant.as_str(), customer.as_uuid()],
        )?
        .map(|r| get(&r, 0))
        .transpose()?;
    Ok(count.unwrap_or(0) as u64)
}

/// Detaches every booking of `customer`, stamped `stamp`; returns their references.
pub(super) fn unlink_all(
    db: &mut Db<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
    stamp: &str,
) -> Result<Vec<String>> {
    db.query(
        "UPDATE bookings SET customer_id = NULL, updated_at = $3
         WHERE tenant_id = $1 AND customer_id = $2 RETURNING reference",
        &[&tenant.as_str(), customer.as_uuid(), &stamp],
    )?
    .iter()
    .map(|r| get::<String>(r, 0))
    .collect()
}

/// The references of a customer's bookings, by reference, with their update times.
pub(super) fn references_of(
    db: &mut Db<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<Vec<(String, DateTime<Utc>)>> {
    db.query(
        "SELECT reference, updated_at FROM bookings WHERE customer_id = $2 AND tenant_id = $1
         ORDER BY reference",
        &[&tenant.as_str(), customer.as_uuid()],
    )?
    .iter()
    .map(|r| -> Result<_> { Ok((get::<String>(r, 0)?, utc(r, 1)?)) })
    .collect()
}

/// Adds `count` new bookings, the latest departing at `latest`, to a customer's counters
/// without reading its bookings. Returns `false`, having changed nothing, when `latest` is the
/// very time of the stored last booking (which of the two is last then depends on their
/// references: the caller recounts).
pub(super) fn add_to_counters(
    db: &mut Db<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
    count: i64,
    latest: &DateTime<FixedOffset>,
) -> Result<bool> {
    let changed = db.execute(
        "UPDATE customers SET booking_count = booking_count + $3,
            last_booking_at = CASE WHEN $4 > last_booking_key THEN $5 ELSE last_booking_at END,
            last_booking_key = GREATEST(last_booking_key, $4)
         WHERE tenant_id = $1 AND id = $2 AND last_booking_key <> $4",
        &[
            &tenant.as_str(),
            customer.as_uuid(),
            &count,
            &latest.timestamp_micros(),
            &local_text(latest),
        ],
    )?;
    Ok(changed == 1)
}

/// Recomputes the booking count and last booking of each customer given.
pub(super) fn refresh_counters(
    db: &mut Db<'_>,
    tenant: &TenantId,
    customers: impl IntoIterator<Item = CustomerId>,
) -> Result<()> {
    const REFRESH: &str = "UPDATE customers SET
            booking_count = (SELECT COUNT(*) FROM bookings WHERE customer_id = $2 AND tenant_id = $1),
            last_booking_key = COALESCE((SELECT MAX(pickup_utc) FROM bookings WHERE customer_id = $2 AND tenant_id = $1), -9223372036854775808),
            last_booking_at = (SELECT pickup_at FROM bookings WHERE customer_id = $2 AND tenant_id = $1
                               ORDER BY pickup_utc DESC, reference DESC LIMIT 1)
         WHERE tenant_id = $1 AND id = $2";
    let tenant_text = tenant.as_str();
    for id in customers {
        db.execute(REFRESH, &[&tenant_text, id.as_uuid()])?;
    }
    Ok(())
}

pub(super) fn history(
    db: &mut Db<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<Vec<Booking>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM bookings WHERE customer_id = $2 AND tenant_id = $1
         ORDER BY pickup_utc DESC, reference DESC"
    );
    db.query(&sql, &[&tenant.as_str(), customer.as_uuid()])?
        .iter()
        .map(from_row)
        .collect()
}

/// A customer's booking count and the pickup of its latest booking, as its counters hold them.
pub(super) fn counts(
    db: &mut Db<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<(u64, Option<DateTime<FixedOffset>>)> {
    let row = db.query_one(
        "SELECT booking_count, last_booking_at FROM customers WHERE tenant_id = $1 AND id = $2",
        &[&tenant.as_str(), customer.as_uuid()],
    )?;
    let bookings: i64 = get(&row, 0)?;
    Ok((bookings as u64, opt_local(&row, 1)?))
}

/// The invoices of the bookings of `customers`, each with its booking's status.
pub(super) fn invoiced_of(
    db: &mut Db<'_>,
    tenant: &TenantId,
    customers: &[CustomerId],
) -> Result<Vec<Invoiced>> {
    let ids: Vec<uuid::Uuid> = customers.iter().map(|id| *id.as_uuid()).collect();
    let mut out = Vec::new();
    for row in db.query(
        "SELECT customer_id, status, invoices FROM bookings
         WHERE tenant_id = $1 AND customer_id = ANY($2) AND invoices IS NOT NULL",
        &[&tenant.as_str(), &ids],
    )? {
        let (customer, status) = (CustomerId::from_uuid(get(&row, 0)?), enumerated(&row, 1)?);
        for invoice in invoice::from_stored(get::<Option<&str>>(&row, 2)?)? {
            out.push(Invoiced {
                customer,
                status,
                invoice,
            });
        }
    }
    Ok(out)
}
