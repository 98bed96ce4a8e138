//! Bookings: upserted by reference (a merged customer's booking goes to the customer it went
//! into; an upsert without a customer keeps the link), linked, relinked and unlinked, each write
//! with its events (`BookingCreated`, or `BookingUpdated` naming the changed fields, and
//! `BookingLinked`/`BookingUnlinked` when the link moved), and each customer's counters (booking
//! count, last booking) kept right.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, FixedOffset, Utc};

use crate::error::{Error, Result};
use crate::model::{
    Actor, Booking, CustomerId, CustomerInvoices, CustomerStats, InvoiceTotals, Invoiced,
    NewBooking, Spending, SpendingPeriod, TenantId,
};
use crate::model::{Change, ChangeKind};
use crate::resolve;
use crate::store::port::{self, Store, WriteTx};

/// One booking by reference.
pub(crate) fn get(store: &dyn Store, tenant: &TenantId, reference: &str) -> Result<Booking> {
    port::read(store, tenant, |tx| {
        tx.booking(reference)?
            .ok_or_else(|| Error::not_found("booking", reference))
    })
}

/// A customer's bookings (a merged id answers those of the customer it went into), newest
/// pickup first.
pub(crate) fn history(
    store: &dyn Store,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<Vec<Booking>> {
    port::read(store, tenant, |tx| {
        tx.booking_history(&resolve::current(tx, customer)?)
    })
}

/// A customer's booking count, last booking and total spent per currency (a merged id answers
/// for the customer it went into).
pub(crate) fn stats(
    store: &dyn Store,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<CustomerStats> {
    port::read(store, tenant, |tx| {
        let id = resolve::current(tx, customer)?;
        let (bookings, last_booking) = tx.booking_counts(&id)?;
        let invoiced = tx.invoiced(&[id])?;
        let totals = crate::model::invoice_totals(invoiced.iter().map(|i| (i.status, &i.invoice)))?;
        Ok(CustomerStats {
            bookings,
            last_booking,
            total_spent: totals.spent,
        })
    })
}

/// What the customer `customer` stands for spent, by `by`: its bookings' invoiced amounts
/// summed per period of departure and currency (see [`Spending`]).
pub(crate) fn spending(
    store: &dyn Store,
    tenant: &TenantId,
    customer: &CustomerId,
    by: SpendingPeriod,
) -> Result<Vec<Spending>> {
    port::read(store, tenant, |tx| {
        let bookings = tx.booking_history(&resolve::current(tx, customer)?)?;
        crate::model::spending(&bookings, by)
    })
}

/// The invoices of the customer `customer` stands for, newest first, with their totals.
pub(crate) fn invoices(
    store: &dyn Store,
    tenant: &TenantId,
    customer: &CustomerId,
) -> Result<CustomerInvoices> {
    port::read(store, tenant, |tx| {
        let bookings = tx.booking_history(&resolve::current(tx, customer)?)?;
        CustomerInvoices::new(
            bookings
                .into_iter()
                .flat_map(|b| {
                    let (reference, status, pickup) =
                        (b.reference, b.status, b.pickup_at.timestamp_micros());
                    b.invoices
                        .into_iter()
                        .map(move |i| (reference.clone(), status, pickup, i))
                })
                .collect(),
        )
    })
}

/// The invoice totals of each of `customers` (ids as stored, not merged ones) that has an
/// invoice.
pub(crate) fn invoice_totals(
    store: &dyn Store,
    tenant: &TenantId,
    customers: &[CustomerId],
) -> Result<std::collections::HashMap<CustomerId, InvoiceTotals>> {
    let invoiced = port::read(store, tenant, |tx| tx.invoiced(customers))?;
    let mut by_customer: std::collections::HashMap<CustomerId, Vec<&Invoiced>> =
        std::collections::HashMap::new();
    for i in &invoiced {
        by_customer.entry(i.customer).or_default().push(i);
    }
    by_customer
        .into_iter()
        .map(|(id, invoices)| {
            let totals =
                crate::model::invoice_totals(invoices.iter().map(|i| (i.status, &i.invoice)))?;
            Ok((id, totals))
        })
        .collect()
}

/// Inserts or replaces the booking with this reference, in its own transaction. Returns it and
/// whether it was created.
pub(crate) fn upsert(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    new: NewBooking,
) -> Result<(Booking, bool)> {
    port::write(store, tenant, |tx| upsert_in(tx, actor, new))
}

/// [`upsert`] inside a write transaction (a capture writes its customer in the same one).
pub(crate) fn upsert_in(
    tx: &dyn WriteTx,
    actor: &Actor,
    new: NewBooking,
) -> Result<(Booking, bool)> {
    let old = tx.booking(&new.reference)?;
    let mut new = new;
    if let Some(id) = &new.customer_id {
        new.customer_id = Some(resolve::current(tx, id)?);
    }
    let before = old.as_ref().and_then(|b| b.customer_id);
    let out = write(tx, actor, new, old, Utc::now())?;
    let after = out.0.customer_id;
    let touched: Vec<CustomerId> = after
        .into_iter()
        .chain(before.filter(|b| after != Some(*b)))
        .collect();
    tx.recount_bookings(&touched)?;
    Ok(out)
}

/// Upserts many bookings in one transaction and brings each touched customer's counters up to
/// date once: a customer who only gets new bookings has them added, any other is recounted.
/// Returns how many were created. Each customer is resolved (merges followed) once per batch,
/// and every booking of the batch is stamped with the same time.
pub(crate) fn upsert_many(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    batch: Vec<NewBooking>,
) -> Result<usize> {
    port::write(store, tenant, |tx| {
        let references: Vec<&str> = batch.iter().map(|b| b.reference.trim()).collect();
        let mut stored: HashMap<String, Booking> = tx
            .bookings(&references)?
            .into_iter()
            .map(|b| (b.reference.clone(), b))
            .collect();
        let repeated = repeated_references(&batch);
        let now = Utc::now();
        let mut resolved: HashMap<CustomerId, CustomerId> = HashMap::new();
        let mut touched = BTreeSet::new();
        let mut added: HashMap<CustomerId, Added> = HashMap::new();
        let mut created = 0;
        for mut booking in batch {
            if let Some(id) = booking.customer_id {
                let to = match resolved.get(&id) {
                    Some(to) => *to,
                    None => {
                        let to = resolve::current(tx, &id)?;
                        resolved.insert(id, to);
                        to
                    }
                };
                booking.customer_id = Some(to);
            }
            let old = stored.remove(booking.reference.trim());
            let before = old.as_ref().map(|b| b.customer_id);
            let (written, new) = write(tx, actor, booking, old, now)?;
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
            if touched.contains(&customer) {
                continue;
            }
            let Some((latest, _)) = &added.latest else {
                continue;
            };
            if !tx.add_bookings(&customer, added.count, latest)? {
                touched.insert(customer);
            }
        }
        let touched: Vec<CustomerId> = touched.into_iter().collect();
        tx.recount_bookings(&touched)?;
        Ok(created)
    })
}

/// The new bookings of one customer in a batch: how many, and the latest (by pickup, then by
/// reference, as the customer's last booking is chosen): its pickup and reference.
#[derive(Default)]
struct Added {
    count: i64,
    latest: Option<(DateTime<FixedOffset>, String)>,
}

impl Added {
    fn add(&mut self, booking: &Booking) {
        self.count += 1;
        let key = |at: &DateTime<FixedOffset>| at.timestamp_micros();
        let later = |(at, reference): &(DateTime<FixedOffset>, String)| {
            (key(at), reference.as_str()) < (key(&booking.pickup_at), booking.reference.as_str())
        };
        if self.latest.as_ref().is_none_or(later) {
            self.latest = Some((booking.pickup_at, booking.reference.clone()));
        }
    }
}

/// The references given more than once in the batch: only what was written for these is kept
/// while the batch is written, not every booking of a large batch.
fn repeated_references(batch: &[NewBooking]) -> HashSet<String> {
    let mut seen = HashSet::with_capacity(batch.len());
    batch
        .iter()
        .map(|b| b.reference.trim())
        .filter(|r| !seen.insert(*r))
        .map(str::to_owned)
        .collect()
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
        invoices
    );
    if old.pickup_at.offset() != new.pickup_at.offset() && !out.contains(&"pickup_at") {
        out.push("pickup_at");
    }
    out
}

/// Writes one booking (its customer resolved) over `old`, the one stored under its reference,
/// and its events, stamped `now`. The caller brings the counters of its customers (before and
/// after) up to date.
fn write(
    tx: &dyn WriteTx,
    actor: &Actor,
    new: NewBooking,
    old: Option<Booking>,
    now: DateTime<Utc>,
) -> Result<(Booking, bool)> {
    let mut new = new;
    if new.customer_id.is_none() {
        // An upsert without a customer keeps the link; unlinking is `link`'s job.
        new.customer_id = old.as_ref().and_then(|b| b.customer_id);
    }
    let reference = new.reference.as_str();
    let events: Vec<Change> = match &old {
        None => vec![Change::booking(
            ChangeKind::BookingCreated,
            reference,
            new.customer_id,
        )],
        Some(old) => {
            let fields = changed_fields(old, &new);
            let mut events = Vec::new();
            if !fields.is_empty() {
                events.push(
                    Change::booking(ChangeKind::BookingUpdated, reference, new.customer_id)
                        .with_fields(&fields),
                );
            }
            events.extend(link_event(reference, (old.customer_id, new.customer_id)));
            events
        }
    };
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
        invoices: new.invoices,
        created_at: old.as_ref().map_or(now, |b| b.created_at),
        updated_at: now,
    };
    if old.is_none() {
        tx.insert_booking(&stored)?;
    } else {
        tx.update_booking(&stored)?;
    }
    for event in &events {
        tx.append_at(actor, event, now)?;
    }
    Ok((stored, old.is_none()))
}

/// The link, relink or unlink event, if the link changed.
fn link_event(
    reference: &str,
    (before, after): (Option<CustomerId>, Option<CustomerId>),
) -> Option<Change> {
    if before == after {
        return None;
    }
    let kind = if after.is_some() {
        ChangeKind::BookingLinked
    } else {
        ChangeKind::BookingUnlinked
    };
    let mut change = Change::booking(kind, reference, after);
    change.previous_customer_id = before;
    Some(change)
}

/// Links the booking to `customer` (merges followed), relinks it, or unlinks it (`None`);
/// nothing is written when the link is already so.
pub(crate) fn link(
    store: &dyn Store,
    tenant: &TenantId,
    actor: &Actor,
    reference: &str,
    customer: Option<&CustomerId>,
) -> Result<Booking> {
    port::write(store, tenant, |tx| {
        let old = tx
            .booking(reference)?
            .ok_or_else(|| Error::not_found("booking", reference.trim()))?;
        let customer = customer.map(|id| resolve::current(tx, id)).transpose()?;
        if old.customer_id == customer {
            return Ok(old);
        }
        let now = Utc::now();
        tx.set_booking_customer(&old.reference, customer, now)?;
        if let Some(event) = link_event(&old.reference, (old.customer_id, customer)) {
            tx.append_at(actor, &event, now)?;
        }
        let touched: Vec<CustomerId> = old.customer_id.into_iter().chain(customer).collect();
        tx.recount_bookings(&touched)?;
        tx.booking(&old.reference)?
            .ok_or_else(|| Error::Internal("booking vanished after link".into()))
    })
}
