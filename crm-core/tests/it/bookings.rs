//! Bookings: upsert by reference, link/relink/unlink with the stats of both customers recomputed,
//! history newest first across time-zone offsets, stats, and exact round-trips of values.
#![allow(clippy::unwrap_used)]

use crate::common;

use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use common::*;
use crm_core::{
    BookingStatus, Customer, CustomerListQuery, CustomerRow, CustomerSort, ErrorKind, Invoice,
    Money, NewBooking, PaymentStatus, SpendingPeriod, Tenant, UpsertedBooking,
    limits::MAX_AMOUNT_MINOR,
};

fn setup() -> (Db, Tenant, Customer, Customer) {
    let db = open();
    let t = db.tenant("agency");
    let c1 = t
        .create_customer(
            &actor(),
            customer_with_email("Hélène", "Dupont", "helene@example.fr"),
        )
        .unwrap();
    let c2 = t
        .create_customer(
            &actor(),
            customer_with_email("José", "Núñez", "jose@example.es"),
        )
        .unwrap();
    (db, t, c1, c2)
}

fn row(t: &Tenant, c: &Customer) -> CustomerRow {
    t.list_customers(&CustomerListQuery::new(CustomerSort::Name).limit(1_000))
        .unwrap()
        .items
        .into_iter()
        .find(|r| r.id == c.id)
        .unwrap()
}

fn money(minor: i64, currency: &str) -> Money {
    Money {
        minor,
        currency: currency.into(),
    }
}

#[test]
fn upsert_creates_then_updates_by_reference() {
    let (_db, t, c1, _) = setup();
    let mut b = booking_for("BK-1001", "2026-07-14T08:30:00+02:00", &c1);
    b.transport = Some("Van".into());
    let UpsertedBooking {
        booking: stored,
        created,
        ..
    } = t.upsert_booking(&actor(), b).unwrap();
    assert!(created);
    assert_eq!(stored.reference, "BK-1001");
    assert_eq!(stored.customer_id, Some(c1.id));
    assert_eq!(stored.status, BookingStatus::Confirmed);
    assert_eq!(stored.route(), "Lyon Part-Dieu → Aéroport LYS");
    assert_eq!(stored.created_at, stored.updated_at);
    assert_eq!(t.get_booking("BK-1001").unwrap(), stored);

    // Same reference (typed with spaces): replaced, not duplicated.
    let mut changed = booking_for(" BK-1001 ", "2026-07-15T09:00:00+02:00", &c1);
    changed.status = BookingStatus::Completed;
    changed.route_to = "Gare de Lyon".into();
    changed.invoices = vec![invoice("F-1001", 8990, "eur")];
    let UpsertedBooking {
        booking: updated,
        created,
        ..
    } = t.upsert_booking(&actor(), changed).unwrap();
    assert!(!created);
    assert_eq!(updated.reference, "BK-1001");
    assert_eq!(updated.status, BookingStatus::Completed);
    assert_eq!(updated.pickup_at, at("2026-07-15T09:00:00+02:00"));
    assert_eq!(updated.route_to, "Gare de Lyon");
    assert_eq!(updated.transport, None, "an upsert replaces every field");
    assert_eq!(updated.invoices[0].amount, money(8990, "EUR"));
    assert_eq!(updated.created_at, stored.created_at);
    assert_eq!(t.get_booking("BK-1001").unwrap(), updated);
    assert_eq!(t.get_booking("  BK-1001").unwrap(), updated);
    assert_eq!(t.booking_history(&c1.id).unwrap(), [updated]);
    assert_eq!(t.customer_stats(&c1.id).unwrap().bookings, 1);
}

#[test]
fn references_are_case_sensitive_keys() {
    let (_db, t, _, _) = setup();
    assert!(
        t.upsert_booking(&actor(), booking("bk-1", "2026-07-14T08:30:00+02:00"))
            .unwrap()
            .created
    );
    assert!(
        t.upsert_booking(&actor(), booking("BK-1", "2026-07-14T08:30:00+02:00"))
            .unwrap()
            .created
    );
    assert_kind(t.get_booking("Bk-1"), ErrorKind::NotFound);
}

#[test]
fn upsert_bookings_counts_only_the_created_ones() {
    let (_db, t, c1, c2) = setup();
    t.upsert_booking(
        &actor(),
        booking_for("BK-1", "2026-01-01T10:00:00+01:00", &c1),
    )
    .unwrap();
    let batch = vec![
        booking_for("BK-1", "2026-01-02T10:00:00+01:00", &c2),
        booking_for("BK-2", "2026-01-03T10:00:00+01:00", &c1),
        booking("BK-3", "2026-01-04T10:00:00+01:00"),
        // The same reference twice in one batch: the second replaces the first.
        booking_for("BK-2", "2026-01-05T10:00:00+01:00", &c2),
    ];
    assert_eq!(t.upsert_bookings(&actor(), batch).unwrap(), 2);
    assert_eq!(t.get_booking("BK-1").unwrap().customer_id, Some(c2.id));
    let bk2 = t.get_booking("BK-2").unwrap();
    assert_eq!(
        (bk2.customer_id, bk2.pickup_at),
        (Some(c2.id), at("2026-01-05T10:00:00+01:00"))
    );
    assert_eq!(t.get_booking("BK-3").unwrap().customer_id, None);
    assert_eq!(t.customer_stats(&c1.id).unwrap().bookings, 0);
    assert_eq!(t.customer_stats(&c2.id).unwrap().bookings, 2);
    assert_eq!(row(&t, &c2).bookings, 2);
    assert_eq!(row(&t, &c1).bookings, 0);
}

#[test]
fn upsert_for_an_unknown_or_deleted_customer_is_not_found_and_writes_nothing() {
    let (_db, t, c1, c2) = setup();
    t.delete_customer(&actor(), &c2.id).unwrap();
    let seq = last_seq(&t);
    assert_kind(
        t.upsert_booking(&actor(), booking_for("BK-1", "2026-01-01T10:00:00Z", &c2)),
        ErrorKind::NotFound,
    );
    assert_kind(t.get_booking("BK-1"), ErrorKind::NotFound);
    let batch = vec![
        booking_for("BK-2", "2026-01-01T10:00:00Z", &c1),
        booking_for("BK-3", "2026-01-01T10:00:00Z", &c2),
    ];
    assert_kind(t.upsert_bookings(&actor(), batch), ErrorKind::NotFound);
    assert_kind(t.get_booking("BK-2"), ErrorKind::NotFound);
    assert_eq!(t.customer_stats(&c1.id).unwrap().bookings, 0);
    assert_eq!(last_seq(&t), seq);
}

#[test]
fn link_relink_and_unlink_recompute_both_customers() {
    let (_db, t, c1, c2) = setup();
    let mut b = booking("BK-1", "2026-07-14T08:30:00+02:00");
    b.invoices = vec![invoice("F-1", 10000, "EUR")];
    t.upsert_booking(&actor(), b).unwrap();
    t.upsert_booking(
        &actor(),
        booking_for("BK-0", "2025-03-01T10:00:00+01:00", &c1),
    )
    .unwrap();
    let empty = |c: &Customer| t.customer_stats(&c.id).unwrap();

    // Link.
    let linked = t.link_booking(&actor(), "BK-1", Some(&c1.id)).unwrap();
    assert_eq!(linked.customer_id, Some(c1.id));
    let s1 = empty(&c1);
    assert_eq!(s1.bookings, 2);
    assert_eq!(s1.last_booking, Some(at("2026-07-14T08:30:00+02:00")));
    assert_eq!(s1.total_spent, [money(10000, "EUR")]);
    assert_eq!(row(&t, &c1).bookings, 2);
    assert_eq!(
        row(&t, &c1).last_booking,
        Some(at("2026-07-14T08:30:00+02:00"))
    );

    // Relink: both sides recomputed.
    let relinked = t.link_booking(&actor(), "BK-1", Some(&c2.id)).unwrap();
    assert_eq!(relinked.customer_id, Some(c2.id));
    let (s1, s2) = (empty(&c1), empty(&c2));
    assert_eq!(
        (s1.bookings, s1.last_booking, s1.total_spent.len()),
        (1, Some(at("2025-03-01T10:00:00+01:00")), 0)
    );
    assert_eq!(
        (s2.bookings, s2.last_booking),
        (2 - 1, Some(at("2026-07-14T08:30:00+02:00")))
    );
    assert_eq!(s2.total_spent, [money(10000, "EUR")]);
    assert_eq!(row(&t, &c1).bookings, 1);
    assert_eq!(
        row(&t, &c1).last_booking,
        Some(at("2025-03-01T10:00:00+01:00"))
    );
    assert_eq!(row(&t, &c2).bookings, 1);
    assert_eq!(t.booking_history(&c2.id).unwrap()[0].reference, "BK-1");

    // Linking to the customer it already has changes nothing.
    let seq = last_seq(&t);
    assert_eq!(
        t.link_booking(&actor(), "BK-1", Some(&c2.id)).unwrap(),
        relinked
    );
    assert_eq!(last_seq(&t), seq);

    // Unlink.
    let unlinked = t.link_booking(&actor(), " BK-1 ", None).unwrap();
    assert_eq!(unlinked.customer_id, None);
    let s2 = empty(&c2);
    assert_eq!(
        (s2.bookings, s2.last_booking, s2.total_spent.len()),
        (0, None, 0)
    );
    assert_eq!(row(&t, &c2).bookings, 0);
    assert_eq!(row(&t, &c2).last_booking, None);
    assert!(t.booking_history(&c2.id).unwrap().is_empty());
    assert_eq!(empty(&c1).bookings, 1);
    // Unlinking an unlinked booking is a no-op.
    assert_eq!(t.link_booking(&actor(), "BK-1", None).unwrap(), unlinked);
}

#[test]
fn relinking_through_an_upsert_recomputes_both_customers() {
    let (_db, t, c1, c2) = setup();
    t.upsert_booking(
        &actor(),
        booking_for("BK-1", "2026-07-14T08:30:00+02:00", &c1),
    )
    .unwrap();
    t.upsert_booking(
        &actor(),
        booking_for("BK-1", "2026-07-14T08:30:00+02:00", &c2),
    )
    .unwrap();
    assert_eq!(t.customer_stats(&c1.id).unwrap().bookings, 0);
    assert_eq!(t.customer_stats(&c1.id).unwrap().last_booking, None);
    assert_eq!(t.customer_stats(&c2.id).unwrap().bookings, 1);
    assert_eq!(row(&t, &c1).bookings, 0);
    assert_eq!(row(&t, &c2).bookings, 1);
    // An upsert with no customer keeps the link (a host updating a status must not detach it).
    let mut status_only = booking("BK-1", "2026-07-14T08:30:00+02:00");
    status_only.status = BookingStatus::Cancelled;
    let kept = t.upsert_booking(&actor(), status_only).unwrap().booking;
    assert_eq!(kept.customer_id, Some(c2.id));
    assert_eq!(kept.status, BookingStatus::Cancelled);
    assert_eq!(t.customer_stats(&c2.id).unwrap().bookings, 1);
    // Unlinking is link_booking's job.
    t.link_booking(&actor(), "BK-1", None).unwrap();
    assert_eq!(t.customer_stats(&c2.id).unwrap().bookings, 0);
    assert_eq!(row(&t, &c2).last_booking, None);
}

#[test]
fn link_errors_change_nothing() {
    let (_db, t, c1, c2) = setup();
    t.upsert_booking(
        &actor(),
        booking_for("BK-1", "2026-07-14T08:30:00+02:00", &c1),
    )
    .unwrap();
    t.delete_customer(&actor(), &c2.id).unwrap();
    let before = snapshot(&t, &["BK-1"]);
    assert_kind(
        t.link_booking(&actor(), "BK-404", Some(&c1.id)),
        ErrorKind::NotFound,
    );
    assert_kind(
        t.link_booking(&actor(), "BK-1", Some(&c2.id)),
        ErrorKind::NotFound,
    );
    assert_invalid(t.link_booking(&actor(), "  ", Some(&c1.id)), "reference");
    assert_eq!(snapshot(&t, &["BK-1"]), before);
}

#[test]
fn history_is_newest_pickup_first_across_offsets() {
    let (_db, t, c1, c2) = setup();
    // Local clock times disagree with the instants: order must follow the instants.
    let trips = [
        ("BK-A", "2026-07-14T08:00:00+02:00"),     // 06:00Z
        ("BK-B", "2026-07-14T07:00:00+00:00"),     // 07:00Z
        ("BK-C", "2026-07-14T01:00:00-08:00"),     // 09:00Z
        ("BK-D", "2026-07-14T13:30:00+05:30"),     // 08:00Z
        ("BK-E", "2026-07-15T05:00:00+14:00"),     // 14th 15:00Z
        ("BK-F", "2025-12-31T23:59:59.999-12:00"), // 2026-01-01 11:59:59.999Z
    ];
    // Inserted in an order unrelated to the expected one.
    for (r, p) in trips.iter().rev() {
        t.upsert_booking(&actor(), booking_for(r, p, &c1)).unwrap();
    }
    t.upsert_booking(
        &actor(),
        booking_for("BK-OTHER", "2030-01-01T00:00:00Z", &c2),
    )
    .unwrap();
    t.upsert_booking(&actor(), booking("BK-UNLINKED", "2031-01-01T00:00:00Z"))
        .unwrap();
    let history = t.booking_history(&c1.id).unwrap();
    let refs: Vec<_> = history.iter().map(|b| b.reference.as_str()).collect();
    assert_eq!(refs, ["BK-E", "BK-C", "BK-D", "BK-B", "BK-A", "BK-F"]);
    for w in history.windows(2) {
        assert!(w[0].pickup_at >= w[1].pickup_at);
    }
    // Offsets are kept as given.
    assert_eq!(history[0].pickup_at.offset().local_minus_utc(), 14 * 3600);
    assert_eq!(history[1].pickup_at.offset().local_minus_utc(), -8 * 3600);
    let stats = t.customer_stats(&c1.id).unwrap();
    assert_eq!(stats.bookings, 6);
    assert_eq!(stats.last_booking, Some(at("2026-07-15T05:00:00+14:00")));
    assert_eq!(
        stats.last_booking.unwrap().offset().local_minus_utc(),
        14 * 3600
    );
    assert_eq!(
        row(&t, &c1)
            .last_booking
            .unwrap()
            .offset()
            .local_minus_utc(),
        14 * 3600
    );
}

#[test]
fn moving_a_pickup_recomputes_the_last_booking_and_the_list_order() {
    let (_db, t, c1, c2) = setup();
    t.upsert_booking(
        &actor(),
        booking_for("BK-1", "2026-07-14T08:30:00+02:00", &c1),
    )
    .unwrap();
    t.upsert_booking(
        &actor(),
        booking_for("BK-2", "2026-05-01T08:30:00+02:00", &c1),
    )
    .unwrap();
    t.upsert_booking(
        &actor(),
        booking_for("BK-3", "2026-06-01T08:30:00+02:00", &c2),
    )
    .unwrap();
    let order = |t: &Tenant| -> Vec<_> {
        t.list_customers(&CustomerListQuery::new(CustomerSort::LastBooking))
            .unwrap()
            .items
            .iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(order(&t), [c1.id, c2.id]);
    // The latest trip of c1 is moved back to before c2's.
    t.upsert_booking(
        &actor(),
        booking_for("BK-1", "2026-01-14T08:30:00+01:00", &c1),
    )
    .unwrap();
    let stats = t.customer_stats(&c1.id).unwrap();
    assert_eq!(stats.last_booking, Some(at("2026-05-01T08:30:00+02:00")));
    assert_eq!(stats.bookings, 2);
    assert_eq!(
        row(&t, &c1).last_booking,
        Some(at("2026-05-01T08:30:00+02:00"))
    );
    assert_eq!(order(&t), [c2.id, c1.id]);
    let refs: Vec<_> = t
        .booking_history(&c1.id)
        .unwrap()
        .into_iter()
        .map(|b| b.reference)
        .collect();
    assert_eq!(refs, ["BK-2", "BK-1"]);
}

#[test]
fn history_and_stats_agree_on_ties() {
    let (_db, t, c1, _) = setup();
    // Same instant, different offsets and references.
    t.upsert_booking(
        &actor(),
        booking_for("BK-1", "2026-07-14T10:00:00+02:00", &c1),
    )
    .unwrap();
    t.upsert_booking(
        &actor(),
        booking_for("BK-2", "2026-07-14T08:00:00+00:00", &c1),
    )
    .unwrap();
    t.upsert_booking(
        &actor(),
        booking_for("BK-3", "2026-07-14T03:00:00-05:00", &c1),
    )
    .unwrap();
    let history = t.booking_history(&c1.id).unwrap();
    let stats = t.customer_stats(&c1.id).unwrap();
    let first = &history[0];
    assert_eq!(
        stats.last_booking.unwrap().offset(),
        first.pickup_at.offset()
    );
    assert_eq!(
        row(&t, &c1).last_booking.unwrap().offset(),
        first.pickup_at.offset()
    );
}

/// The counters a batch adds to (new bookings) agree with a recount from the bookings, for ties
/// with the stored last booking (same instant, other offset and reference), ties inside the
/// batch, a reference given twice, and an update next to new bookings of the same customer.
#[test]
fn batch_counters_agree_with_the_bookings() {
    let (_db, t, c1, c2) = setup();
    let c3 = t
        .create_customer(
            &actor(),
            customer_with_email("Ana", "Lima", "ana@example.pt"),
        )
        .unwrap();
    t.upsert_bookings(
        &actor(),
        vec![
            booking_for("BK-M", "2026-07-14T10:00:00+02:00", &c1),
            booking_for("BK-U", "2026-05-01T10:00:00+02:00", &c3),
        ],
    )
    .unwrap();
    t.upsert_bookings(
        &actor(),
        vec![
            // The stored last one's instant, a later reference: it becomes the last.
            booking_for("BK-Z", "2026-07-14T03:00:00-05:00", &c1),
            booking_for("BK-A", "2026-07-13T10:00:00+02:00", &c1),
            // Two new ones at one instant: the later reference is the last.
            booking_for("BK-Q", "2026-08-01T09:00:00+01:00", &c2),
            booking_for("BK-R", "2026-08-01T08:00:00+00:00", &c2),
            booking_for("BK-P", "2026-06-01T08:00:00+00:00", &c2),
            // Given twice: the second is what stays.
            booking_for("BK-T", "2026-09-01T08:00:00+00:00", &c2),
            booking_for("BK-T", "2026-04-01T08:00:00+00:00", &c2),
            // An update next to a new booking of the same customer.
            booking_for("BK-U", "2026-03-01T10:00:00+02:00", &c3),
            booking_for("BK-V", "2026-02-01T10:00:00+02:00", &c3),
        ],
    )
    .unwrap();
    for c in [&c1, &c2, &c3] {
        let history = t.booking_history(&c.id).unwrap();
        let stats = t.customer_stats(&c.id).unwrap();
        let last = history.first().map(|b| b.pickup_at);
        assert_eq!(stats.bookings, history.len() as u64, "{}", c.first_name);
        assert_eq!(stats.last_booking, last, "{}", c.first_name);
        assert_eq!(
            stats.last_booking.map(|l| l.offset().local_minus_utc()),
            last.map(|l| l.offset().local_minus_utc()),
            "{}",
            c.first_name
        );
        assert_eq!(row(&t, c).last_booking, last, "{}", c.first_name);
    }
    assert_eq!(t.booking_history(&c1.id).unwrap()[0].reference, "BK-Z");
    assert_eq!(t.booking_history(&c2.id).unwrap()[0].reference, "BK-R");
    assert_eq!(t.booking_history(&c2.id).unwrap().len(), 4);
    assert_eq!(t.customer_stats(&c3.id).unwrap().bookings, 2);
}

#[test]
fn history_orders_pickups_closer_than_a_millisecond() {
    let (_db, t, c1, _) = setup();
    let base = at("2026-03-01T10:00:00Z");
    let mut older = NewBooking::new("Z-OLDER", base + Duration::microseconds(200));
    older.customer_id = Some(c1.id);
    let mut newer = NewBooking::new("A-NEWER", base + Duration::microseconds(700));
    newer.customer_id = Some(c1.id);
    t.upsert_bookings(&actor(), vec![older, newer]).unwrap();
    let refs: Vec<_> = t
        .booking_history(&c1.id)
        .unwrap()
        .into_iter()
        .map(|b| b.reference)
        .collect();
    assert_eq!(refs, ["A-NEWER", "Z-OLDER"]);
    assert_eq!(
        t.customer_stats(&c1.id).unwrap().last_booking,
        Some(base + Duration::microseconds(700))
    );
}

#[test]
fn stats_count_bookings_and_sum_spending_per_currency_without_cancelled() {
    let (_db, t, c1, c2) = setup();
    let add = |r: &str, pickup: &str, status: BookingStatus, inv: Option<Invoice>| {
        let mut b = booking_for(r, pickup, &c1);
        b.status = status;
        b.invoices = inv.into_iter().collect();
        t.upsert_booking(&actor(), b).unwrap();
    };
    add(
        "BK-1",
        "2026-01-10T10:00:00+01:00",
        BookingStatus::Completed,
        Some(invoice("F1", 12000, "EUR")),
    );
    add(
        "BK-2",
        "2026-02-10T10:00:00+01:00",
        BookingStatus::Confirmed,
        Some(invoice("F2", 8050, "eur")),
    );
    add(
        "BK-3",
        "2026-03-10T10:00:00+00:00",
        BookingStatus::Completed,
        Some(invoice("F3", 4500, "GBP")),
    );
    add(
        "BK-4",
        "2026-04-10T10:00:00+02:00",
        BookingStatus::Cancelled,
        Some(invoice("F4", 99900, "EUR")),
    );
    add(
        "BK-5",
        "2026-05-10T10:00:00+02:00",
        BookingStatus::Quote,
        None,
    );
    add(
        "BK-6",
        "2026-06-10T10:00:00+02:00",
        BookingStatus::NoShow,
        Some(invoice("F6", 1000, "CHF")),
    );
    add(
        "BK-7",
        "2026-07-10T10:00:00+02:00",
        BookingStatus::Cancelled,
        Some(invoice("F7", 500, "USD")),
    );
    add(
        "BK-8",
        "2025-12-10T10:00:00+01:00",
        BookingStatus::Pending,
        Some(invoice("F8", -2000, "EUR")),
    );

    let stats = t.customer_stats(&c1.id).unwrap();
    assert_eq!(
        stats.bookings, 8,
        "cancelled and uninvoiced bookings still count"
    );
    assert_eq!(stats.last_booking, Some(at("2026-07-10T10:00:00+02:00")));
    assert_eq!(
        stats.total_spent,
        [
            money(1000, "CHF"),
            money(12000 + 8050 - 2000, "EUR"),
            money(4500, "GBP")
        ],
        "sorted by currency, cancelled excluded, a currency with only cancelled bookings absent"
    );
    // Cancelling a booking takes it out of the spending; reinstating it puts it back.
    add(
        "BK-1",
        "2026-01-10T10:00:00+01:00",
        BookingStatus::Cancelled,
        Some(invoice("F1", 12000, "EUR")),
    );
    assert_eq!(
        t.customer_stats(&c1.id).unwrap().total_spent[1],
        money(8050 - 2000, "EUR")
    );
    add(
        "BK-1",
        "2026-01-10T10:00:00+01:00",
        BookingStatus::Completed,
        Some(invoice("F1", 12000, "EUR")),
    );
    assert_eq!(
        t.customer_stats(&c1.id).unwrap().total_spent[1],
        money(12000 + 8050 - 2000, "EUR")
    );

    let none = t.customer_stats(&c2.id).unwrap();
    assert_eq!(
        (none.bookings, none.last_booking, none.total_spent.len()),
        (0, None, 0)
    );
    assert_eq!(row(&t, &c1).bookings, 8);
    assert_eq!(
        row(&t, &c1).last_booking,
        Some(at("2026-07-10T10:00:00+02:00"))
    );
}

#[test]
fn amounts_are_bounded_so_totals_cannot_overflow() {
    let (_db, t, c1, _) = setup();
    let max = MAX_AMOUNT_MINOR as i64;
    for (r, minor) in [("BK-1", max), ("BK-2", max)] {
        let mut b = booking_for(r, "2026-01-10T10:00:00+01:00", &c1);
        b.invoices = vec![invoice(r, minor, "EUR")];
        t.upsert_booking(&actor(), b).unwrap();
    }
    assert_eq!(
        t.customer_stats(&c1.id).unwrap().total_spent,
        vec![money(2 * max, "EUR")]
    );
    for minor in [max + 1, -max - 1, i64::MAX, i64::MIN] {
        let mut b = booking_for("BK-3", "2026-01-10T10:00:00+01:00", &c1);
        b.invoices = vec![invoice("BK-3", minor, "EUR")];
        let err = t.upsert_booking(&actor(), b).unwrap_err();
        assert_eq!(err.field(), Some("invoices[0].amount.minor"), "{minor}");
    }
    assert_eq!(t.booking_history(&c1.id).unwrap().len(), 2);
}

#[test]
fn values_round_trip_exactly() {
    let (_db, t, c1, _) = setup();
    let offsets = [
        0,
        3600,
        -3600 * 12,
        3600 * 14,
        5 * 3600 + 45 * 60,
        -(9 * 3600 + 30 * 60),
        12 * 3600 + 45 * 60,
    ];
    let max = MAX_AMOUNT_MINOR as i64;
    let amounts = [0, 1, -1, 4_500, max, -max, 1_234_567_890_123];
    let mut expected = Vec::new();
    for (i, secs) in offsets.iter().enumerate() {
        let off = FixedOffset::east_opt(*secs).unwrap();
        let pickup: DateTime<FixedOffset> = off.with_ymd_and_hms(2026, 3, 29, 1, 59, 59).unwrap()
            + Duration::nanoseconds(123_456_789 + i as i64);
        let back = FixedOffset::east_opt(-secs).unwrap();
        let b = NewBooking {
            reference: format!("RT-{i} Ünïcødé/#?&'\"%"),
            customer_id: Some(c1.id),
            status: BookingStatus::ALL[i % BookingStatus::ALL.len()],
            pickup_at: pickup,
            return_at: Some(
                (pickup + Duration::days(3) + Duration::microseconds(1)).with_timezone(&back),
            ),
            route_from: "Genève Aéroport".into(),
            route_to: "Courchevel 1850 — Hôtel « Les Neiges »".into(),
            transport: Some("Hélicoptère".into()),
            hotel: Some("Chalet 雪".into()),
            salesperson: Some("chloé".into()),
            invoices: vec![Invoice {
                issued_on: chrono::NaiveDate::from_ymd_opt(2026, 1 + (i % 12) as u32, 1),
                due_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 31),
                ..Invoice::new(
                    format!("F-{i}"),
                    money(
                        amounts[i % amounts.len()],
                        ["EUR", "JPY", "CHF", "BHD"][i % 4],
                    ),
                    PaymentStatus::ALL[i % PaymentStatus::ALL.len()],
                )
            }],
        };
        let UpsertedBooking {
            booking: stored,
            created: _,
            ..
        } = t.upsert_booking(&actor(), b.clone()).unwrap();
        let got = t.get_booking(&b.reference).unwrap();
        assert_eq!(got, stored);
        assert_eq!(got.reference, b.reference);
        assert_eq!(got.status, b.status);
        assert_eq!(got.pickup_at, b.pickup_at);
        assert_eq!(got.pickup_at.offset(), b.pickup_at.offset(), "offset kept");
        assert_eq!(
            got.pickup_at.to_rfc3339(),
            b.pickup_at.to_rfc3339(),
            "local time and offset kept"
        );
        assert_eq!(
            got.return_at.unwrap().to_rfc3339(),
            b.return_at.unwrap().to_rfc3339()
        );
        assert_eq!(got.route_from, b.route_from);
        assert_eq!(got.route_to, b.route_to);
        assert_eq!(got.transport, b.transport);
        assert_eq!(got.hotel, b.hotel);
        assert_eq!(got.salesperson, b.salesperson);
        assert_eq!(got.invoices, b.invoices);
        expected.push(got);
    }
    // The same values come back through the history.
    let mut history = t.booking_history(&c1.id).unwrap();
    history.sort_by(|a, b| a.reference.cmp(&b.reference));
    expected.sort_by(|a, b| a.reference.cmp(&b.reference));
    assert_eq!(history, expected);
    // Empty optional fields come back empty.
    let UpsertedBooking {
        booking: bare,
        created: _,
        ..
    } = t
        .upsert_booking(
            &actor(),
            NewBooking::new("BARE", at("2026-01-01T00:00:00Z")),
        )
        .unwrap();
    assert_eq!(t.get_booking("BARE").unwrap(), bare);
    assert_eq!(
        (
            bare.return_at,
            bare.transport,
            bare.hotel,
            bare.salesperson,
            bare.invoices
        ),
        (None, None, None, None, vec![])
    );
    assert_eq!((bare.route_from.as_str(), bare.route_to.as_str()), ("", ""));
}

#[test]
fn changing_only_the_offset_of_a_pickup_is_a_change() {
    let (_db, t, c1, _) = setup();
    t.upsert_booking(
        &actor(),
        booking_for("BK-1", "2026-07-14T08:00:00+02:00", &c1),
    )
    .unwrap();
    // Same instant, other offset.
    let UpsertedBooking {
        booking: b,
        created,
        ..
    } = t
        .upsert_booking(
            &actor(),
            booking_for("BK-1", "2026-07-14T06:00:00+00:00", &c1),
        )
        .unwrap();
    assert!(!created);
    assert_eq!(b.pickup_at.to_rfc3339(), "2026-07-14T06:00:00+00:00");
    assert_eq!(
        t.get_booking("BK-1").unwrap().pickup_at.to_rfc3339(),
        "2026-07-14T06:00:00+00:00"
    );
}

#[test]
fn a_pickup_or_return_with_an_offset_in_seconds_is_refused_not_shifted() {
    // RFC 3339 cannot write seconds in an offset: storing one would move the instant.
    let (_db, t, c1, _) = setup();
    let before = snapshot(&t, &["SUB-MINUTE"]);
    let off = FixedOffset::east_opt(3600 + 30).unwrap();
    let pickup = off.with_ymd_and_hms(2026, 1, 1, 10, 0, 0).unwrap();
    let mut b = NewBooking::new("SUB-MINUTE", pickup);
    b.customer_id = Some(c1.id);
    assert_invalid(t.upsert_booking(&actor(), b.clone()), "pickup_at");
    b.pickup_at = at("2026-01-01T10:00:00+01:00");
    b.return_at = Some(pickup + Duration::days(1));
    assert_invalid(t.upsert_booking(&actor(), b.clone()), "return_at");
    assert_eq!(snapshot(&t, &["SUB-MINUTE"]), before);
    // Whole minutes that are not whole hours are fine and kept.
    b.return_at = Some(at("2026-01-02T10:00:00+05:45"));
    let UpsertedBooking {
        booking: returned,
        created: _,
        ..
    } = t.upsert_booking(&actor(), b).unwrap();
    let stored = t.get_booking("SUB-MINUTE").unwrap();
    assert_eq!(
        stored, returned,
        "upsert_booking returned something else than what it stored"
    );
    assert_eq!(
        stored.return_at.unwrap().to_rfc3339(),
        "2026-01-02T10:00:00+05:45"
    );
}

#[test]
fn pickups_outside_the_storable_years_are_refused_and_the_tenant_stays_readable() {
    use crm_core::limits::{MAX_YEAR, MIN_YEAR};
    let (_db, t, c1, _) = setup();
    let year = |y: i32| {
        Utc.with_ymd_and_hms(y, 6, 1, 0, 0, 0)
            .unwrap()
            .fixed_offset()
    };
    for (r, pickup) in [
        ("FAR", year(10_000)),
        ("BC", year(-5)),
        ("LATE", year(MAX_YEAR + 1)),
        ("EARLY", year(MIN_YEAR - 1)),
    ] {
        let mut b = NewBooking::new(r, pickup);
        b.customer_id = Some(c1.id);
        assert_invalid(t.upsert_booking(&actor(), b.clone()), "pickup_at");
        b.pickup_at = year(2026);
        b.return_at = Some(pickup);
        assert_invalid(t.upsert_booking(&actor(), b), "return_at");
        assert_kind(t.get_booking(r), ErrorKind::NotFound);
    }
    // Local years at the bounds count too: 9999-12-31T23:30-01:00 is 10000 in UTC.
    let edge = NewBooking::new("EDGE", at("9999-12-31T23:30:00-01:00"));
    assert_invalid(t.upsert_booking(&actor(), edge), "pickup_at");
    // The bounds themselves are storable and read back.
    for (r, p) in [
        ("MIN", "1900-01-01T00:00:00+00:00"),
        ("MAX", "9999-12-31T23:59:59.999999999+00:00"),
    ] {
        let mut b = NewBooking::new(r, at(p));
        b.customer_id = Some(c1.id);
        let UpsertedBooking {
            booking: returned,
            created: _,
            ..
        } = t.upsert_booking(&actor(), b).unwrap();
        assert_eq!(t.get_booking(r).unwrap(), returned);
        assert_eq!(
            t.get_booking(r).unwrap().pickup_at.to_rfc3339(),
            at(p).to_rfc3339()
        );
    }
    assert_eq!(t.booking_history(&c1.id).unwrap().len(), 2);
    assert_eq!(
        t.customer_stats(&c1.id).unwrap().last_booking,
        Some(at("9999-12-31T23:59:59.999999999+00:00"))
    );
    assert_eq!(
        t.list_customers(&CustomerListQuery::new(CustomerSort::LastBooking))
            .unwrap()
            .items[0]
            .id,
        c1.id
    );
}

#[test]
fn a_generated_tenant_is_consistent_across_history_stats_and_list() {
    let db = open();
    let t = db.tenant("synth");
    let (customers, bookings) = crm_bench::Synth::new(7, "S")
        .populate(&t, &actor(), 60, 8)
        .unwrap();
    let rows = t
        .list_customers(&CustomerListQuery::new(CustomerSort::Name).limit(1_000))
        .unwrap()
        .items;
    assert_eq!(rows.len(), 60);
    let mut seen = 0;
    for c in &customers {
        let history = t.booking_history(&c.id).unwrap();
        let stats = t.customer_stats(&c.id).unwrap();
        let r = rows.iter().find(|r| r.id == c.id).unwrap();
        assert_eq!(history.len() as u64, stats.bookings);
        assert_eq!(r.bookings, stats.bookings);
        assert_eq!(stats.last_booking, history.first().map(|b| b.pickup_at));
        assert_eq!(r.last_booking, stats.last_booking);
        for w in history.windows(2) {
            assert!(w[0].pickup_at >= w[1].pickup_at);
        }
        let mut spent: Vec<Money> = Vec::new();
        for b in history
            .iter()
            .filter(|b| b.status != BookingStatus::Cancelled)
        {
            for i in &b.invoices {
                match spent.iter_mut().find(|m| m.currency == i.amount.currency) {
                    Some(m) => m.minor += i.amount.minor,
                    None => spent.push(i.amount.clone()),
                }
            }
        }
        spent.sort_by(|a, b| a.currency.cmp(&b.currency));
        assert_eq!(stats.total_spent, spent);
        seen += history.len();
    }
    assert_eq!(seen, bookings);
}

#[test]
fn spending_sums_invoices_per_period_of_departure_and_currency() {
    let db = open();
    let t = db.tenant("agency");
    let other = db.tenant("other");
    let c = t
        .create_customer(&actor(), customer("Zoé", "Roux"))
        .unwrap();
    let mut trips = Vec::new();
    for (reference, pickup, minor, currency, status) in [
        (
            "S-1",
            "2026-07-01T00:30:00+02:00",
            10_000,
            "EUR",
            BookingStatus::Completed,
        ),
        (
            "S-2",
            "2026-07-20T09:00:00+02:00",
            2_550,
            "EUR",
            BookingStatus::Confirmed,
        ),
        (
            "S-3",
            "2026-07-21T09:00:00-04:00",
            5_000,
            "USD",
            BookingStatus::Confirmed,
        ),
        (
            "S-4",
            "2026-08-02T09:00:00+02:00",
            7_000,
            "EUR",
            BookingStatus::Cancelled,
        ),
        (
            "S-5",
            "2027-01-05T09:00:00+01:00",
            1_000,
            "EUR",
            BookingStatus::Pending,
        ),
    ] {
        let mut b = booking_for(reference, pickup, &c);
        b.status = status;
        b.invoices = vec![invoice(&format!("F-{reference}"), minor, currency)];
        trips.push(b);
    }
    // A booking without invoice counts nothing.
    trips.push(booking_for("S-6", "2026-07-22T09:00:00+02:00", &c));
    t.upsert_bookings(&actor(), trips).unwrap();

    let got = |by| {
        t.spending(&c.id, by)
            .unwrap()
            .into_iter()
            .map(|s| (s.period, s.amount.minor, s.amount.currency, s.bookings))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        got(SpendingPeriod::Month),
        vec![
            ("2026-07".to_owned(), 12_550, "EUR".to_owned(), 2),
            ("2026-07".to_owned(), 5_000, "USD".to_owned(), 1),
            ("2027-01".to_owned(), 1_000, "EUR".to_owned(), 1),
        ]
    );
    assert_eq!(
        got(SpendingPeriod::Year),
        vec![
            ("2026".to_owned(), 12_550, "EUR".to_owned(), 2),
            ("2026".to_owned(), 5_000, "USD".to_owned(), 1),
            ("2027".to_owned(), 1_000, "EUR".to_owned(), 1),
        ]
    );
    // The yearly sums are the stats' total, per currency.
    let stats = t.customer_stats(&c.id).unwrap();
    assert_eq!(
        stats
            .total_spent
            .iter()
            .map(|m| m.minor)
            .collect::<Vec<_>>(),
        vec![13_550, 5_000]
    );
    // A customer without bookings spent nothing; another tenant's customer is not found.
    let none = t.create_customer(&actor(), customer("No", "Trip")).unwrap();
    assert!(
        t.spending(&none.id, SpendingPeriod::Year)
            .unwrap()
            .is_empty()
    );
    assert_kind(
        other.spending(&c.id, SpendingPeriod::Month),
        ErrorKind::NotFound,
    );
    assert_eq!(
        "month".parse::<SpendingPeriod>().unwrap(),
        SpendingPeriod::Month
    );
    assert_invalid("week".parse::<SpendingPeriod>(), "by");
}
