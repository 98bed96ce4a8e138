//! Invoices: several per booking, with dates and amounts paid; a customer's invoice list with
//! totals paid and outstanding; the filters, spending and statements that read them; each
//! tenant's own.
#![allow(clippy::unwrap_used)]

use crate::common;

use chrono::NaiveDate;
use common::*;
use crm_core::{
    BookingStatus, CustomerQuery, ErrorKind, Invoice, Money, PaymentStatus, SpendingPeriod,
};

fn eur(minor: i64) -> Money {
    Money {
        minor,
        currency: "EUR".into(),
    }
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// An invoice issued on `issued`, due on `due`, with `paid` received.
fn dated(
    number: &str,
    minor: i64,
    status: PaymentStatus,
    paid: Option<i64>,
    issued: &str,
    due: &str,
) -> Invoice {
    Invoice {
        issued_on: Some(day(issued)),
        due_on: Some(day(due)),
        amount_paid: paid,
        ..Invoice::new(number, eur(minor), status)
    }
}

#[test]
fn a_booking_keeps_a_deposit_and_a_balance_and_the_list_sums_what_is_paid_and_owed() {
    let db = open();
    let t = db.tenant("agency");
    let anne = t
        .create_customer(&actor(), customer("Anne", "Martin"))
        .unwrap();
    let mut trip = booking_for("BK-1", "2026-07-14T08:30:00+02:00", &anne);
    trip.invoices = vec![
        dated(
            "D-1",
            30_000,
            PaymentStatus::Paid,
            Some(30_000),
            "2026-03-01",
            "2026-03-15",
        ),
        dated(
            "B-1",
            70_000,
            PaymentStatus::PartiallyPaid,
            Some(20_000),
            "2026-06-01",
            "2026-06-30",
        ),
    ];
    let stored = t.upsert_booking(&actor(), trip.clone()).unwrap().booking;
    assert_eq!(stored.invoices, trip.invoices);
    assert_eq!(t.get_booking("BK-1").unwrap().invoices, trip.invoices);
    let mut older = booking_for("BK-0", "2025-08-01T10:00:00+02:00", &anne);
    older.invoices = vec![Invoice::new("F-0", eur(5_000), PaymentStatus::Unpaid)];
    t.upsert_booking(&actor(), older).unwrap();
    let mut cancelled = booking_for("BK-2", "2026-09-01T10:00:00+02:00", &anne);
    cancelled.status = BookingStatus::Cancelled;
    cancelled.invoices = vec![dated(
        "F-2",
        9_000,
        PaymentStatus::Unpaid,
        None,
        "2026-06-15",
        "2026-07-01",
    )];
    t.upsert_booking(&actor(), cancelled).unwrap();

    let list = t.invoices(&anne.id).unwrap();
    let numbers: Vec<&str> = list
        .invoices
        .iter()
        .map(|i| i.invoice.number.as_str())
        .collect();
    assert_eq!(
        numbers,
        ["F-2", "B-1", "D-1", "F-0"],
        "latest issued first, undated last"
    );
    let owed: Vec<i64> = list.invoices.iter().map(|i| i.owed).collect();
    assert_eq!(owed, [0, 50_000, 0, 5_000]);
    assert_eq!(list.invoices[1].booking_reference, "BK-1");
    assert_eq!(list.paid, vec![eur(50_000)]);
    assert_eq!(list.outstanding, vec![eur(55_000)]);

    // Spent counts every invoice of the bookings not cancelled; owed the balance left.
    let stats = t.customer_stats(&anne.id).unwrap();
    assert_eq!(stats.total_spent, vec![eur(105_000)]);
    let spending = t.spending(&anne.id, SpendingPeriod::Year).unwrap();
    let years: Vec<(&str, i64, u64)> = spending
        .iter()
        .map(|s| (s.period.as_str(), s.amount.minor, s.bookings))
        .collect();
    assert_eq!(years, [("2025", 5_000, 1), ("2026", 100_000, 1)]);

    // The statement has a line per invoice and owes the balance, not the whole invoice.
    let s = t
        .statement(&anne.id, day("2026-07-01"), day("2026-07-31"))
        .unwrap();
    let lines: Vec<(&str, Option<&str>)> = s
        .lines
        .iter()
        .map(|l| (l.reference.as_str(), l.invoice_number.as_deref()))
        .collect();
    assert_eq!(lines, [("BK-1", Some("D-1")), ("BK-1", Some("B-1"))]);
    assert_eq!(s.totals, vec![eur(100_000)]);
    assert_eq!(s.outstanding, vec![eur(50_000)]);

    // Paying the balance leaves nothing owed on the trip; an upsert replaces the invoices.
    let mut paid = trip;
    paid.invoices[1].payment_status = PaymentStatus::Paid;
    paid.invoices[1].amount_paid = Some(70_000);
    t.upsert_booking(&actor(), paid).unwrap();
    assert_eq!(t.invoices(&anne.id).unwrap().outstanding, vec![eur(5_000)]);
    let events = all_changes(&t);
    let last = events.last().unwrap();
    assert_eq!(last.fields, vec!["invoices".to_owned()]);
    let mut none = booking_for("BK-1", "2026-07-14T08:30:00+02:00", &anne);
    none.invoices.clear();
    t.upsert_booking(&actor(), none).unwrap();
    assert!(t.get_booking("BK-1").unwrap().invoices.is_empty());
}

#[test]
fn a_merged_id_lists_the_invoices_of_the_customer_it_went_into_and_the_filters_follow() {
    let db = open();
    let t = db.tenant("agency");
    let anne = t
        .create_customer(&actor(), customer("Anne", "Martin"))
        .unwrap();
    let bob = t
        .create_customer(&actor(), customer("Bob", "Martin"))
        .unwrap();
    let mut trip = booking_for("BK-1", "2026-07-14T08:30:00+02:00", &bob);
    trip.invoices = vec![
        Invoice::new("D-1", eur(300), PaymentStatus::Paid),
        Invoice {
            amount_paid: Some(100),
            ..Invoice::new("B-1", eur(700), PaymentStatus::PartiallyPaid)
        },
    ];
    t.upsert_booking(&actor(), trip).unwrap();
    let search = |q: CustomerQuery| {
        let mut ids: Vec<_> = t
            .search(&q)
            .unwrap()
            .items
            .into_iter()
            .map(|h| h.id)
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(
        search(CustomerQuery::all().payment_status(PaymentStatus::Paid)),
        vec![bob.id]
    );
    assert_eq!(
        search(CustomerQuery::all().payment_status(PaymentStatus::PartiallyPaid)),
        vec![bob.id]
    );
    assert_eq!(
        search(CustomerQuery::all().has_outstanding(true)),
        vec![bob.id]
    );
    assert_eq!(
        search(CustomerQuery::all().has_outstanding(false)),
        vec![anne.id]
    );
    t.merge(
        &actor(),
        &crm_core::MergeRequest::new(anne.id, vec![bob.id]),
    )
    .unwrap();
    let list = t.invoices(&bob.id).unwrap();
    assert_eq!(list.invoices.len(), 2);
    assert_eq!(list.outstanding, vec![eur(600)]);
    assert_eq!(list, t.invoices(&anne.id).unwrap());
    assert_eq!(
        search(CustomerQuery::all().has_outstanding(true)),
        vec![anne.id]
    );
}

#[test]
fn a_credit_note_or_a_refund_owes_nothing() {
    let db = open();
    let t = db.tenant("agency");
    let anne = t
        .create_customer(&actor(), customer("Anne", "Martin"))
        .unwrap();
    let mut trip = booking_for("BK-1", "2026-07-14T08:30:00+02:00", &anne);
    trip.invoices = vec![
        Invoice {
            amount_paid: Some(500),
            ..Invoice::new("F-1", eur(500), PaymentStatus::Refunded)
        },
        Invoice::new("C-1", eur(-200), PaymentStatus::Unpaid),
    ];
    t.upsert_booking(&actor(), trip).unwrap();
    let list = t.invoices(&anne.id).unwrap();
    assert_eq!(list.paid, vec![], "a refund keeps nothing");
    assert_eq!(
        list.outstanding,
        vec![eur(-200)],
        "the agency owes the credit note"
    );
    assert_eq!(
        t.search(&CustomerQuery::all().has_outstanding(true))
            .unwrap()
            .total,
        0,
        "an unpaid credit note is no debt of the customer"
    );
    assert_eq!(
        t.search(&CustomerQuery::all().payment_status(PaymentStatus::Refunded))
            .unwrap()
            .total,
        1
    );
}

#[test]
fn bad_invoices_are_refused_naming_the_field_and_nothing_is_written() {
    let db = open();
    let t = db.tenant("agency");
    let anne = t
        .create_customer(&actor(), customer("Anne", "Martin"))
        .unwrap();
    let before = snapshot(&t, &["BK-1"]);
    let cases: Vec<(Vec<Invoice>, &str)> = vec![
        (
            vec![Invoice {
                amount_paid: Some(200),
                ..Invoice::new("F-1", eur(100), PaymentStatus::PartiallyPaid)
            }],
            "invoices[0].amount_paid",
        ),
        (
            vec![
                Invoice::new("F-1", eur(100), PaymentStatus::Paid),
                Invoice::new("F-1", eur(100), PaymentStatus::Paid),
            ],
            "invoices[1].number",
        ),
        (
            vec![
                Invoice::new("F-1", eur(100), PaymentStatus::Paid),
                Invoice::new(
                    "F-2",
                    Money {
                        minor: 1,
                        currency: "GBP".into(),
                    },
                    PaymentStatus::Paid,
                ),
            ],
            "invoices[1].amount.currency",
        ),
        (
            vec![Invoice {
                issued_on: Some(day("2026-05-02")),
                due_on: Some(day("2026-05-01")),
                ..Invoice::new("F-1", eur(100), PaymentStatus::Unpaid)
            }],
            "invoices[0].due_on",
        ),
        (
            vec![Invoice {
                issued_on: Some(day("0999-05-02")),
                ..Invoice::new("F-1", eur(100), PaymentStatus::Unpaid)
            }],
            "invoices[0].issued_on",
        ),
        (
            (0..=crm_core::limits::MAX_INVOICES_PER_BOOKING)
                .map(|i| Invoice::new(format!("F-{i}"), eur(1), PaymentStatus::Paid))
                .collect(),
            "invoices",
        ),
    ];
    for (invoices, field) in cases {
        let mut b = booking_for("BK-1", "2026-07-14T08:30:00+02:00", &anne);
        b.invoices = invoices;
        assert_invalid(t.upsert_booking(&actor(), b), field);
    }
    assert_eq!(snapshot(&t, &["BK-1"]), before);
}

#[test]
fn invoices_are_each_tenants_own() {
    let db = open();
    let a = db.tenant("agency-a");
    let b = db.tenant("agency-b");
    let anne = a
        .create_customer(&actor(), customer("Anne", "Martin"))
        .unwrap();
    let bea = b
        .create_customer(&actor(), customer("Bea", "Martin"))
        .unwrap();
    // The same booking reference and invoice number in both tenants.
    for (t, c, minor) in [(&a, &anne, 100), (&b, &bea, 999)] {
        let mut trip = booking_for("BK-1", "2026-07-14T08:30:00+02:00", c);
        trip.invoices = vec![Invoice::new("F-1", eur(minor), PaymentStatus::Unpaid)];
        t.upsert_booking(&actor(), trip).unwrap();
    }
    assert_kind(b.invoices(&anne.id), ErrorKind::NotFound);
    assert_kind(a.invoices(&bea.id), ErrorKind::NotFound);
    assert_eq!(a.invoices(&anne.id).unwrap().outstanding, vec![eur(100)]);
    assert_eq!(b.invoices(&bea.id).unwrap().outstanding, vec![eur(999)]);
    let q = CustomerQuery::all().has_outstanding(true);
    assert_eq!(a.search(&q).unwrap().total, 1);
    let mut paid = booking_for("BK-1", "2026-07-14T08:30:00+02:00", &bea);
    paid.invoices = vec![Invoice::new("F-1", eur(999), PaymentStatus::Paid)];
    b.upsert_booking(&actor(), paid).unwrap();
    assert_eq!(a.invoices(&anne.id).unwrap().outstanding, vec![eur(100)]);
    assert_eq!(a.search(&q).unwrap().total, 1);
    assert_eq!(b.search(&q).unwrap().total, 0);
}

/// A store of the previous schema (one invoice per booking in the booking's columns, consents
/// only on the customer) keeps its invoices and consents when opened: the invoice becomes the
/// booking's first, each consent a record.
#[test]
fn the_previous_schema_keeps_its_invoices_and_consents() {
    let db = open();
    let t = db.tenant("agency");
    let given: chrono::DateTime<chrono::Utc> = "2025-05-01T12:00:00Z".parse().unwrap();
    let anne = t
        .create_customer(
            &actor(),
            crm_core::NewCustomer {
                consent: crm_core::Consent {
                    email: Some(given),
                    sms: None,
                },
                ..customer("Anne", "Martin")
            },
        )
        .unwrap();
    t.upsert_booking(
        &actor(),
        booking_for("BK-1", "2026-07-14T08:30:00+02:00", &anne),
    )
    .unwrap();
    t.upsert_booking(
        &actor(),
        booking_for("BK-2", "2026-08-14T08:30:00+02:00", &anne),
    )
    .unwrap();
    let Db {
        crm,
        url,
        path,
        dir,
    } = db;
    drop((t, crm));
    // As the previous version left the store.
    let integer = if url.is_some() { "BIGINT" } else { "INTEGER" };
    let old = format!(
        "ALTER TABLE bookings DROP COLUMN invoices;
        ALTER TABLE bookings ADD COLUMN invoice_number TEXT;
        ALTER TABLE bookings ADD COLUMN amount_minor {integer};
        ALTER TABLE bookings ADD COLUMN currency TEXT;
        ALTER TABLE bookings ADD COLUMN payment_status TEXT;
        UPDATE bookings SET invoice_number = 'F-1', amount_minor = 12050, currency = 'EUR',
            payment_status = 'partially_paid' WHERE reference = 'BK-1';
        DROP TABLE merge_consents; DROP TABLE consent_records;"
    );
    match &url {
        Some(url) => {
            let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
            client
                .batch_execute(&format!(
                    "{old} UPDATE crm_store SET schema_version = schema_version - 2;"
                ))
                .unwrap();
        }
        None => {
            let conn = rusqlite::Connection::open(&path).unwrap();
            let version: i64 = conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            conn.execute_batch(&format!("{old} PRAGMA user_version = {};", version - 2))
                .unwrap();
        }
    }
    let crm = match &url {
        Some(url) => crm_core::Crm::connect(url, dir.path().join("index")).unwrap(),
        None => crm_core::Crm::open(&path).unwrap(),
    };
    let t = crm.tenant("agency").unwrap();
    assert_eq!(
        t.get_booking("BK-1").unwrap().invoices,
        vec![Invoice::new(
            "F-1",
            eur(12050),
            PaymentStatus::PartiallyPaid
        )]
    );
    assert!(t.get_booking("BK-2").unwrap().invoices.is_empty());
    assert_eq!(t.invoices(&anne.id).unwrap().outstanding, vec![eur(12050)]);
    let records = t.consents(&anne.id).unwrap();
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(
        (
            r.channel,
            r.purpose,
            r.state,
            r.at,
            r.source.as_str(),
            r.recorded_by.as_str()
        ),
        (
            crm_core::Channel::Email,
            crm_core::ConsentPurpose::Marketing,
            crm_core::ConsentState::Given,
            given,
            "customer record",
            "crm:migration"
        )
    );
    assert_eq!(t.get_customer(&anne.id).unwrap(), anne);
    // Opening again changes nothing more.
    drop((t, crm));
    let crm = match &url {
        Some(url) => crm_core::Crm::connect(url, dir.path().join("index")).unwrap(),
        None => crm_core::Crm::open(&path).unwrap(),
    };
    let t = crm.tenant("agency").unwrap();
    assert_eq!(t.consents(&anne.id).unwrap(), records);
}
