//! Booking rows: upsert by reference, link, history, stats, and the per-customer counters the
//! customer list sorts on.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::changes;
use super::merges::resolve;
use super::values::{
    local_text, opt, opt_customer_id, parse_enum, parse_local, parse_utc, utc_text,
};
use crate::changes::{Change, ChangeKind};
use crate::error::{Error, Result};
use crate::model::{
    Actor, Booking, CustomerId, CustomerStats, Invoice, Money, NewBooking, TenantId,
};

const COLUMNS: &str = "reference, customer_id, status, pickup_at, return_at, route_from, route_to, \
    transport, hotel, salesperson, invoice_number, amount_minor, currency, payment_status, \
    created_at, updated_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Booking> {
    let number: Option<String> = row.get(10)?;
    let invoice = match number {
        Some(number) => Some(Invoice {
            number,
            amount: Money {
                minor: row.get(11)?,
                currency: row.get(12)?,
            },
            payment_status: parse_enum(13, &row.get::<_, String>(13)?)?,
        }),
        None => None,
    };
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
        invoice,
        created_at: parse_utc(14, &row.get::<_, String>(14)?)?,
        updated_at: parse_utc(15, &row.get::<_, String>(15)?)?,
    })
}

pub(super) fn by_reference(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    reference: &str,
) -> Result<Option<Booking>> {
    let sql = format!("SELECT {COLUMNS} FROM bookings WHERE tenant_id = ?1 AND reference = ?2");
    Ok(tx
        .prepare_cached(&sql)?
        .query_row(params![tenant.as_str(), reference.trim()], from_row)
        .optional()?)
}

/// The names of the summary fields (all but the customer link) that differ.
fn changed_fields(old: &Booking, new: &NewBooking) -> Vec<&'static str> {
    let mut out = Vec::new();
    macro_rules! cmp {
        ($($f:ident),*) => { $( if old.$f != new.$f { out.push(stringify!($f)); } )* };
    }
    cmp!(
        status,
        pickup_at,
        return_at,
        route_from,
        route_to,
        transport,
        hotel,
        salesperson,
        invoice
    );
    if old.pickup_at.offset() != new.pickup_at.offset() && !out.contains(&"pickup_at") {
        out.push("pickup_at");
    }
    out
}

/// Inserts or replaces the booking with this reference. Returns it and whether it was created.
pub(super) fn upsert(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    new: NewBooking,
) -> Result<(Booking, bool)> {
    let old = by_reference(tx, tenant, &new.reference)?;
    let mut new = new;
    if let Some(id) = &new.customer_id {
        // A booking for a merged customer goes to the customer it was merged into.
        new.customer_id = Some(resolve(tx, tenant, id)?);
    }
    let before = old.as_ref().and_then(|b| b.customer_id);
    let out = upsert_row(tx, tenant, actor, new, old, &Stamp::now())?;
    let after = out.0.customer_id;
    refresh_counters(
        tx,
        tenant,
        after
            .into_iter()
            .chain(before.filter(|b| after != Some(*b))),
    )?;
    Ok(out)
}

/// References per statement when the bookings of a batch are looked up.
const REFERENCES_PER_QUERY: usize = 500;

/// Upserts many bookings and brings each touched customer's counters up to date once: a
/// customer who only gets new bookings has them added in place, any other is recounted from its
/// bookings. Returns how many were created. The bookings already stored are read a few hundred
/// references per statement, and each customer is resolved (merges followed) once per batch.
/// Every booking of the batch is stamped with the same time (one transaction).
pub(super) fn upsert_many(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    batch: Vec<NewBooking>,
) -> Result<usize> {
    let mut stored = stored_of(tx, tenant, &batch)?;
    let repeated = repeated_references(&batch);
    let now = Stamp::now();
    let mut resolved: HashMap<CustomerId, CustomerId> = HashMap::new();
    let mut touched = BTreeSet::new();
    let mut added: HashMap<CustomerId, Added> = HashMap::new();
    let mut created = 0;
    for mut booking in batch {
        if let Some(id) = booking.customer_id {
            let to = match resolved.get(&id) {
                Some(to) => *to,
                None => {
                    let to = resolve(tx, tenant, &id)?;
                    resolved.insert(id, to);
                    to
                }
            };
            booking.customer_id = Some(to);
        }
        let old = stored.remove(booking.reference.trim());
        let before = old.as_ref().map(|b| b.customer_id);
        let (written, new) = upsert_row(tx, tenant, actor, booking, old, &now)?;
        match before {
            // A new booking only adds to its customer's counters.
            None => {
                if let Some(customer) = written.customer_id {
                    added.entry(customer).or_default().add(&written);
                }
            }
            // A changed one may move its customer's last booking back: recounted.
            Some(before) => touched.extend(written.customer_id.into_iter().chain(before)),
        }
        created += usize::from(new);
        // A reference given twice in the batch: the second replaces what the first wrote.
        if repeated.contains(written.reference.as_str()) {
            stored.insert(written.reference.clone(), written);
        }
    }
    for (customer, added) in added {
        if !touched.contains(&customer) && !added.apply(tx, tenant, &customer)? {
            touched.insert(customer);
        }
    }
    refresh_counters(tx, tenant, touched)?;
    Ok(created)
}

/// The new bookings of one customer in a batch: how many, and the latest (by pickup, then by
/// reference, as the customer's last booking is chosen).
#[derive(Default)]
struct Added {
    count: i64,
    latest: Option<(i64, String, String)>,
}

impl Added {
    fn add(&mut self, booking: &Booking) {
        self.count += 1;
        let utc = booking.pickup_at.timestamp_micros();
        let later = |(at, reference, _): &(i64, String, String)| {
            (*at, reference.as_str()) < (utc, booking.reference.as_str())
        };
        if self.latest.as_ref().is_none_or(later) {
            self.latest = Some((
                utc,
                booking.reference.clone(),
                local_text(&booking.pickup_at),
            ));
        }
    }

    /// Adds to the customer's counters without reading its bookings. Returns `false`, having
    /// changed nothing, when the latest new booking departs at the very time of the stored last
    /// one (which of the two is last then depends on their references: the caller recounts).
    fn apply(
        &self,
        tx: &Transaction<'_>,
        tenant: &TenantId,
        customer: &CustomerId,
    ) -> Result<bool> {
        let Some((utc, _, at)) = &self.latest else {
            return Ok(true);
        };
        let changed = tx
            .prepare_cached(
                "UPDATE customers SET booking_count = booking_count + ?3,
                    last_booking_at = CASE WHEN ?4 > last_booking_key THEN ?5 ELSE last_booking_at END,
                    last_booking_key = MAX(last_booking_key, ?4)
                 WHERE tenant_id = ?1 AND id = ?2 AND last_booking_key <> ?4",
            )?
            .execute(params![
                tenant.as_str(),
                customer.as_uuid(),
                self.count,
                utc,
                at
            ])?;
        Ok(changed == 1)
    }
}

/// The (trimmed) references given more than once in the batch: only what was written for these
/// is kept while the batch is written, not every booking of a large batch.
fn repeated_references(batch: &[NewBooking]) -> HashSet<String> {
    let mut seen = HashSet::with_capacity(batch.len());
    batch
        .iter()
        .map(|b| b.reference.trim())
        .filter(|r| !seen.insert(*r))
        .map(str::to_owned)
        .collect()
}

/// The time a write stamps on what it writes, and its text as stored.
struct Stamp {
    at: DateTime<Utc>,
    text: String,
}

impl Stamp {
    /// Now.
    fn now() -> Self {
        let at = Utc::now();
        Self {
            text: utc_text(&at),
            at,
        }
    }
}

/// The stored bookings of the batch's references, by reference.
fn stored_of(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    batch: &[NewBooking],
) -> Result<HashMap<String, Booking>> {
    let mut out = HashMap::new();
    let references: Vec<&str> = batch.iter().map(|b| b.reference.trim()).collect();
    for chunk in references.chunks(REFERENCES_PER_QUERY) {
        let marks = (2..chunk.len() + 2)
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {COLUMNS} FROM bookings WHERE tenant_id = ?1 AND reference IN ({marks})"
        );
        let tenant_text = tenant.as_str();
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&tenant_text];
        args.extend(chunk.iter().map(|r| r as &dyn rusqlite::ToSql));
        let mut stmt = tx.prepare_cached(&sql)?;
        for booking in stmt.query_map(args.as_slice(), from_row)? {
            let booking = booking?;
            out.insert(booking.reference.clone(), booking);
        }
    }
    Ok(out)
}

/// Writes one booking (its customer resolved) over `old`, the one stored under its reference,
/// and its events. The caller brings the counters of its customers (before and after) up to
/// date.
fn upsert_row(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    new: NewBooking,
    old: Option<Booking>,
    now: &Stamp,
) -> Result<(Booking, bool)> {
    let mut new = new;
    if new.customer_id.is_none() {
        // An upsert without a customer keeps the link; unlinking is `link_booking`'s job.
        new.customer_id = old.as_ref().and_then(|b| b.customer_id);
    }
    let invoice = new.invoice.as_ref();
    // A reference not stored is inserted, a stored one updated: a plain statement each, which
    // SQLite writes without the statement journal an upsert needs.
    let sql = if old.is_none() {
        "INSERT INTO bookings (tenant_id, reference, customer_id, status, pickup_at, pickup_utc,
            return_at, route_from, route_to, transport, hotel, salesperson, invoice_number,
            amount_minor, currency, payment_status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17)"
    } else {
        "UPDATE bookings SET customer_id = ?3, status = ?4, pickup_at = ?5, pickup_utc = ?6,
            return_at = ?7, route_from = ?8, route_to = ?9, transport = ?10, hotel = ?11,
            salesperson = ?12, invoice_number = ?13, amount_minor = ?14, currency = ?15,
            payment_status = ?16, updated_at = ?17
         WHERE tenant_id = ?1 AND reference = ?2"
    };
    let written = tx.prepare_cached(sql)?.execute(params![
        tenant.as_str(),
        new.reference,
        new.customer_id.as_ref().map(CustomerId::as_uuid),
        new.status.as_str(),
        local_text(&new.pickup_at),
        new.pickup_at.timestamp_micros(),
        new.return_at.as_ref().map(local_text),
        new.route_from,
        new.route_to,
        new.transport,
        new.hotel,
        new.salesperson,
        invoice.map(|i| &i.number),
        invoice.map(|i| i.amount.minor),
        invoice.map(|i| &i.amount.currency),
        invoice.map(|i| i.payment_status.as_str()),
        now.text,
    ])?;
    if written != 1 {
        return Err(Error::Internal(format!(
            "booking {} was not written",
            new.reference
        )));
    }
    let reference = new.reference.as_str();
    match &old {
        None => {
            let change = Change::booking(ChangeKind::BookingCreated, reference, new.customer_id);
            changes::append_at(tx, tenant, actor, &change, &now.text)?;
        }
        Some(old) => {
            let fields = changed_fields(old, &new);
            if !fields.is_empty() {
                let change =
                    Change::booking(ChangeKind::BookingUpdated, reference, new.customer_id)
                        .with_fields(&fields);
                changes::append_at(tx, tenant, actor, &change, &now.text)?;
            }
            link_event(
                tx,
                tenant,
                actor,
                reference,
                (old.customer_id, new.customer_id),
                &now.text,
            )?;
        }
    }
    let stored = Booking {
        reference: new.reference,
        customer_id: new.customer_id,
        status: new.status,
        pickup_at: new.pickup_at,
        return_at: new.return_at,
        route_from: new.route_from,
        route_to: new.route_to,
        transport: new.transport,
        hotel: new.hotel,
        salesperson: new.salesperson,
        invoice: new.invoice,
        created_at: old.as_ref().map_or(now.at, |b| b.created_at),
        updated_at: now.at,
    };
    Ok((stored, old.is_none()))
}

/// Appends the link, relink or unlink event, if the link changed.
fn link_event(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    reference: &str,
    (before, after): (Option<CustomerId>, Option<CustomerId>),
    at: &str,
) -> Result<()> {
    if before == after {
        return Ok(());
    }
    let kind = if after.is_some() {
        ChangeKind::BookingLinked
    } else {
        ChangeKind::BookingUnlinked
    };
    let mut change = Change::booking(kind, reference, after);
    change.previous_customer_id = before;
    changes::append_at(tx, tenant, actor, &change, at)
}

/// Links the booking to `customer`, relinks it, or unlinks it (`None`).
pub(super) fn link(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    actor: &Actor,
    reference: &str,
    customer: Option<CustomerId>,
) -> Result<Booking> {
    let old = by_reference(tx, tenant, reference)?
        .ok_or_else(|| Error::not_found("booking", reference.trim()))?;
    let customer = customer.map(|id| resolve(tx, tenant, &id)).transpose()?;
    if old.customer_id == customer {
        return Ok(old);
    }
    let now = Stamp::now();
    tx.prepare_cached(
        "UPDATE bookings SET customer_id = ?3, updated_at = ?4 WHERE tenant_id = ?1 AND reference = ?2",
    )?
    .execute(params![
        tenant.as_str(),
        old.reference,
        customer.as_ref().map(CustomerId::as_uuid),
        now.text
    ])?;
    let link = (old.customer_id, customer);
    link_event(tx, tenant, actor, &old.reference, link, &now.text)?;
    refresh_counters(tx, tenant, old.customer_id.into_iter().chain(customer))?;
    by_reference(tx, tenant, &old.reference)?
        .ok_or_else(|| Error::Internal("booking vanished after link".into()))
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
    )?;
    for id in customers {
        stmt.execute(params![tenant.as_str(), id.as_uuid()])?;
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
    Ok(tx
        .prepare_cached(&sql)?
        .query_map(params![tenant.as_str(), customer.as_uuid()], from_row)?
        .collect::<rusqlite::Result<_>>()?)
}

pub(super) fn stats(
    tx: &Transaction<'_>,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<CustomerStats> {
    let (bookings, last): (i64, Option<String>) = tx
        .prepare_cached(
            "SELECT booking_count, last_booking_at FROM customers WHERE tenant_id = ?1 AND id = ?2",
        )?
        .query_row(params![tenant.as_str(), customer.as_uuid()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let mut sums = tx.prepare_cached(
        "SELECT currency, amount_minor FROM bookings
         WHERE customer_id = ?2 AND tenant_id = ?1 AND currency IS NOT NULL AND status <> 'cancelled'
         ORDER BY currency",
    )?;
    let mut total_spent: Vec<Money> = Vec::new();
    let mut rows = sums.query(params![tenant.as_str(), customer.as_uuid()])?;
    while let Some(row) = rows.next()? {
        let currency: String = row.get(0)?;
        let minor: i64 = row.get(1)?;
        match total_spent.last_mut() {
            Some(m) if m.currency == currency => {
                m.minor = m.minor.checked_add(minor).ok_or_else(|| {
                    Error::Internal(format!("total spent in {currency} overflows 64 bits"))
                })?;
            }
            _ => total_spent.push(Money { minor, currency }),
        }
    }
    Ok(CustomerStats {
        bookings: bookings as u64,
        last_booking: last.map(|s| parse_local(1, &s)).transpose()?,
        total_spent,
    })
}
