//! Capture at booking time: the contact details typed into a booking update the one customer
//! record (found by the booking's link, else by email) or create it.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use crm_core::{Address, CaptureMatch, ChangeKind, Customer, NewCustomer, Tenant};

fn setup() -> (Db, Tenant) {
    let db = open();
    let t = db.tenant("agency");
    (db, t)
}

fn contact(email: &str) -> NewCustomer {
    customer_with_email("Zoé", "Moreau", email)
}

#[test]
fn a_new_email_creates_the_customer() {
    let (_db, t) = setup();
    let seq = last_seq(&t);
    let typed = NewCustomer {
        mobile: Some("06 12 34 56 78".into()),
        address: Address {
            city: Some("Lyon".into()),
            country: Some("fr".into()),
            ..Default::default()
        },
        ..contact("Zoe.Moreau@Example.fr")
    };
    let got = t
        .capture_booking(
            &actor(),
            typed,
            booking("BK-1", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    assert_eq!(got.matched, CaptureMatch::Created);
    assert!(got.changed_fields.is_empty());
    let c = &got.customer;
    assert_eq!((c.customer_no, c.version), (1, 1));
    assert_eq!(c.email.as_deref(), Some("Zoe.Moreau@Example.fr"));
    assert_eq!(
        c.mobile.as_ref().unwrap().e164.as_deref(),
        Some("+33612345678")
    );
    assert_eq!(c.address.country.as_deref(), Some("FR"));
    assert_eq!(&t.get_customer(&c.id).unwrap(), c);
    assert_eq!(got.booking.customer_id, Some(c.id));
    assert_eq!(t.get_booking("BK-1").unwrap(), got.booking);
    assert_eq!(t.customer_stats(&c.id).unwrap().bookings, 1);
    assert_eq!(count_customers(&t), 1);
    let events = changes_after(&t, seq);
    let kinds: Vec<_> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [ChangeKind::CustomerCreated, ChangeKind::BookingCreated]
    );
    assert_eq!(events[1].customer_id, Some(c.id));
    assert_eq!(events[1].booking_ref.as_deref(), Some("BK-1"));
}

#[test]
fn an_existing_email_in_another_case_finds_and_updates_the_customer() {
    let (_db, t) = setup();
    let existing = t
        .create_customer(
            &actor(),
            NewCustomer {
                company: Some("Moreau SA".into()),
                phone: Some("04 72 10 20 30".into()),
                ..contact("zoe.moreau@example.fr")
            },
        )
        .unwrap();
    let seq = last_seq(&t);
    let typed = NewCustomer {
        mobile: Some("+33 7 81 23 45 67".into()),
        language: Some("fr".into()),
        ..contact("ZOE.MOREAU@EXAMPLE.FR")
    };
    let got = t
        .capture_booking(
            &actor(),
            typed,
            booking("BK-1", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    assert_eq!(got.matched, CaptureMatch::Email);
    assert_eq!(got.customer.id, existing.id);
    assert_eq!(got.changed_fields, ["mobile", "language"]);
    let stored = t.get_customer(&existing.id).unwrap();
    assert_eq!(stored, got.customer);
    assert_eq!(stored.version, existing.version + 1);
    assert_eq!(
        stored.mobile.as_ref().unwrap().e164.as_deref(),
        Some("+33781234567")
    );
    assert_eq!(stored.language.as_deref(), Some("fr"));
    // What the contact left empty is kept; the same address in another case is not a change.
    assert_eq!(stored.company.as_deref(), Some("Moreau SA"));
    assert_eq!(stored.phone, existing.phone);
    assert_eq!(stored.email.as_deref(), Some("zoe.moreau@example.fr"));
    assert_eq!(count_customers(&t), 1);
    assert_eq!(
        t.get_booking("BK-1").unwrap().customer_id,
        Some(existing.id)
    );
    let events = changes_after(&t, seq);
    let kinds: Vec<_> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [ChangeKind::CustomerUpdated, ChangeKind::BookingCreated]
    );
    assert_eq!(events[0].fields, ["mobile", "language"]);
}

#[test]
fn a_secondary_email_finds_the_customer_and_becomes_the_main_one() {
    let (_db, t) = setup();
    let existing = t
        .create_customer(
            &actor(),
            NewCustomer {
                secondary_emails: vec!["Work@Moreau.fr".into()],
                ..contact("home@moreau.fr")
            },
        )
        .unwrap();
    let got = t
        .capture_booking(
            &actor(),
            contact("work@moreau.fr"),
            booking("BK-1", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    assert_eq!(got.matched, CaptureMatch::Email);
    assert_eq!(got.customer.id, existing.id);
    let stored = t.get_customer(&existing.id).unwrap();
    assert_eq!(stored.email.as_deref(), Some("work@moreau.fr"));
    assert_eq!(
        stored.secondary_emails,
        ["home@moreau.fr"],
        "the old main email is kept"
    );
    assert_eq!(
        t.find_customers_by_email("home@moreau.fr").unwrap()[0].id,
        existing.id
    );
    assert!(got.changed_fields.contains(&"email".to_string()));
    assert!(got.changed_fields.contains(&"secondary_emails".to_string()));
}

#[test]
fn the_oldest_customer_with_the_email_is_chosen() {
    let (_db, t) = setup();
    let first = t
        .create_customer(&actor(), contact("dup@example.fr"))
        .unwrap();
    let _second = t
        .create_customer(&actor(), contact("DUP@example.fr"))
        .unwrap();
    let got = t
        .capture_booking(
            &actor(),
            contact("Dup@Example.fr"),
            booking("BK-1", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    assert_eq!(got.matched, CaptureMatch::Email);
    assert_eq!(got.customer.id, first.id);
    assert_eq!(count_customers(&t), 2);
}

#[test]
fn a_second_capture_on_the_same_booking_updates_the_linked_customer() {
    let (_db, t) = setup();
    let first = t
        .capture_booking(
            &actor(),
            contact("old@example.fr"),
            booking("BK-1", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    let id = first.customer.id;
    // An earlier trip of the same customer.
    let other = t
        .capture_booking(
            &actor(),
            contact("OLD@example.fr"),
            booking("BK-0", "2025-02-01T10:00:00+01:00"),
        )
        .unwrap();
    assert_eq!(
        (other.matched, other.customer.id),
        (CaptureMatch::Email, id)
    );
    let seq = last_seq(&t);

    // The clerk corrects the email (and the mobile) on BK-1.
    let typed = NewCustomer {
        mobile: Some("06 98 76 54 32".into()),
        ..contact("new@example.fr")
    };
    let mut changed_trip = booking("BK-1", "2026-07-14T09:00:00+02:00");
    changed_trip.hotel = Some("Hôtel du Parc".into());
    let got = t.capture_booking(&actor(), typed, changed_trip).unwrap();
    assert_eq!(got.matched, CaptureMatch::Booking);
    assert_eq!(got.customer.id, id);
    assert_eq!(got.changed_fields, ["email", "mobile"]);
    assert_eq!(count_customers(&t), 1, "no duplicate customer");
    let stored = t.get_customer(&id).unwrap();
    assert_eq!(stored.email.as_deref(), Some("new@example.fr"));
    assert_eq!(
        stored.mobile.as_ref().unwrap().e164.as_deref(),
        Some("+33698765432")
    );
    assert_eq!(
        t.find_customers_by_email("new@example.fr").unwrap()[0].id,
        id
    );
    // The booking itself was updated too.
    let bk1 = t.get_booking("BK-1").unwrap();
    assert_eq!(bk1.pickup_at, at("2026-07-14T09:00:00+02:00"));
    assert_eq!(bk1.hotel.as_deref(), Some("Hôtel du Parc"));
    // Every booking of that customer shows the new details.
    let history = t.booking_history(&id).unwrap();
    assert_eq!(
        history
            .iter()
            .map(|b| b.reference.as_str())
            .collect::<Vec<_>>(),
        ["BK-1", "BK-0"]
    );
    for b in &history {
        let owner = t.get_customer(&b.customer_id.unwrap()).unwrap();
        assert_eq!(owner.email.as_deref(), Some("new@example.fr"));
        assert_eq!(
            owner.mobile.as_ref().unwrap().e164.as_deref(),
            Some("+33698765432")
        );
    }
    let events = changes_after(&t, seq);
    let kinds: Vec<_> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [ChangeKind::CustomerUpdated, ChangeKind::BookingUpdated]
    );
    assert_eq!(events[0].fields, ["email", "mobile"]);
    assert_eq!(events[1].fields, ["pickup_at", "hotel"]);
}

#[test]
fn the_booking_link_wins_over_an_email_of_another_customer() {
    let (_db, t) = setup();
    let linked = t
        .capture_booking(
            &actor(),
            contact("zoe@example.fr"),
            booking("BK-1", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap()
        .customer;
    let other = t
        .create_customer(
            &actor(),
            customer_with_email("Théo", "Girard", "theo@example.fr"),
        )
        .unwrap();
    let got = t
        .capture_booking(
            &actor(),
            contact("theo@example.fr"),
            booking("BK-1", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    assert_eq!(got.matched, CaptureMatch::Booking);
    assert_eq!(got.customer.id, linked.id);
    assert_eq!(
        t.get_customer(&other.id).unwrap(),
        other,
        "the other customer is untouched"
    );
    assert_eq!(t.customer_stats(&other.id).unwrap().bookings, 0);
}

#[test]
fn an_existing_unlinked_booking_is_linked_to_the_customer_found_by_email() {
    let (_db, t) = setup();
    let c = t
        .create_customer(&actor(), contact("zoe@example.fr"))
        .unwrap();
    t.upsert_booking(&actor(), booking("BK-1", "2026-07-14T08:30:00+02:00"))
        .unwrap();
    let seq = last_seq(&t);
    let got = t
        .capture_booking(
            &actor(),
            contact("zoe@example.fr"),
            booking("BK-1", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    assert_eq!(got.matched, CaptureMatch::Email);
    assert_eq!(got.customer.id, c.id);
    assert!(got.changed_fields.is_empty());
    assert_eq!(t.get_booking("BK-1").unwrap().customer_id, Some(c.id));
    assert_eq!(t.customer_stats(&c.id).unwrap().bookings, 1);
    let kinds: Vec<_> = changes_after(&t, seq).iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [ChangeKind::BookingLinked]);
}

#[test]
fn the_bookings_own_customer_id_is_ignored() {
    let (_db, t) = setup();
    let bystander = t
        .create_customer(&actor(), customer("Théo", "Girard"))
        .unwrap();
    let got = t
        .capture_booking(
            &actor(),
            contact("zoe@example.fr"),
            booking_for("BK-1", "2026-07-14T08:30:00+02:00", &bystander),
        )
        .unwrap();
    assert_eq!(got.matched, CaptureMatch::Created);
    assert_ne!(got.customer.id, bystander.id);
    assert_eq!(
        t.get_booking("BK-1").unwrap().customer_id,
        Some(got.customer.id)
    );
    assert_eq!(t.customer_stats(&bystander.id).unwrap().bookings, 0);
}

#[test]
fn a_capture_that_changes_nothing_does_not_touch_the_customer() {
    let (_db, t) = setup();
    let typed = NewCustomer {
        mobile: Some("06 12 34 56 78".into()),
        ..contact("zoe@example.fr")
    };
    let first = t
        .capture_booking(
            &actor(),
            typed.clone(),
            booking("BK-1", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    let seq = last_seq(&t);
    // Exactly the same details again: nothing to change on the customer.
    let again = t
        .capture_booking(
            &actor(),
            typed,
            booking("BK-1", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    assert_eq!(again.matched, CaptureMatch::Booking);
    assert!(again.changed_fields.is_empty());
    assert_eq!(again.customer, first.customer);
    assert_eq!(t.get_customer(&first.customer.id).unwrap(), first.customer);
    assert!(
        changes_after(&t, seq)
            .iter()
            .all(|e| e.kind != ChangeKind::CustomerUpdated),
        "an unchanged capture appended a customer update"
    );
}

#[test]
fn captures_without_email_create_a_customer_each_unless_the_booking_is_linked() {
    let (_db, t) = setup();
    let a = t
        .capture_booking(
            &actor(),
            customer("Zoé", "Moreau"),
            booking("BK-1", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    let b = t
        .capture_booking(
            &actor(),
            customer("Zoé", "Moreau"),
            booking("BK-2", "2026-07-15T08:30:00+02:00"),
        )
        .unwrap();
    assert_eq!(
        (a.matched, b.matched),
        (CaptureMatch::Created, CaptureMatch::Created)
    );
    assert_ne!(a.customer.id, b.customer.id);
    let c = t
        .capture_booking(
            &actor(),
            customer("Zoé", "Moreau-Faure"),
            booking("BK-1", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    assert_eq!(
        (c.matched, c.customer.id),
        (CaptureMatch::Booking, a.customer.id)
    );
    assert_eq!(c.changed_fields, ["last_name"]);
    assert_eq!(count_customers(&t), 2);
}

#[test]
fn collections_given_by_the_contact_are_merged() {
    let (_db, t) = setup();
    let existing: Customer = t
        .create_customer(
            &actor(),
            NewCustomer {
                secondary_emails: vec!["a@example.fr".into()],
                secondary_phones: vec!["+44 20 7946 0958".into()],
                lists: BTreeSet::from(["VIP".to_string()]),
                custom_fields: BTreeMap::from([("seat".to_string(), "window".to_string())]),
                ..contact("zoe@example.fr")
            },
        )
        .unwrap();
    let typed = NewCustomer {
        secondary_emails: vec!["A@example.fr".into(), "b@example.fr".into()],
        secondary_phones: vec!["+442079460958".into(), "07 81 23 45 67".into()],
        lists: BTreeSet::from(["Ski".to_string()]),
        custom_fields: BTreeMap::from([
            ("seat".to_string(), "aisle".to_string()),
            ("meal".to_string(), "veg".to_string()),
        ]),
        ..contact("zoe@example.fr")
    };
    let got = t
        .capture_booking(
            &actor(),
            typed,
            booking("BK-1", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    assert_eq!(got.customer.id, existing.id);
    let stored = t.get_customer(&existing.id).unwrap();
    assert_eq!(stored.secondary_emails, ["a@example.fr", "b@example.fr"]);
    assert_eq!(
        stored
            .secondary_phones
            .iter()
            .map(|p| p.e164.as_deref().unwrap_or_default())
            .collect::<Vec<_>>(),
        ["+442079460958", "+33781234567"]
    );
    assert_eq!(
        stored.lists,
        BTreeSet::from(["Ski".to_string(), "VIP".to_string()])
    );
    assert_eq!(stored.custom_fields["seat"], "aisle");
    assert_eq!(stored.custom_fields["meal"], "veg");
    assert_eq!(
        got.changed_fields,
        [
            "secondary_emails",
            "secondary_phones",
            "lists",
            "custom_fields"
        ]
    );
}

#[test]
fn a_capture_keeps_stored_phones_typed_as_stored_after_a_region_change() {
    let (_db, t) = setup();
    let c = t
        .create_customer(
            &actor(),
            NewCustomer {
                mobile: Some("06 12 34 56 78".into()),
                ..contact("zoe@example.fr")
            },
        )
        .unwrap();
    t.set_settings(&actor(), crm_core::TenantSettings::with_region("DE"))
        .unwrap();
    let typed = NewCustomer {
        mobile: Some("06 12 34 56 78".into()),
        phone: Some("030 1234567".into()),
        ..contact("zoe@example.fr")
    };
    let got = t
        .capture_booking(
            &actor(),
            typed,
            booking("BK-1", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    assert_eq!(got.customer.id, c.id);
    assert_eq!(got.changed_fields, ["phone"]);
    let stored = t.get_customer(&c.id).unwrap();
    assert_eq!(stored.mobile.unwrap().e164.as_deref(), Some("+33612345678"));
    assert_eq!(stored.phone.unwrap().e164.as_deref(), Some("+49301234567"));
}

#[test]
fn a_capture_that_would_exceed_a_limit_is_refused_and_writes_nothing() {
    use crm_core::limits::MAX_SECONDARY_CONTACTS;
    let (_db, t) = setup();
    let c = t
        .create_customer(
            &actor(),
            NewCustomer {
                secondary_emails: (0..MAX_SECONDARY_CONTACTS)
                    .map(|i| format!("old{i}@example.fr"))
                    .collect(),
                ..contact("zoe@example.fr")
            },
        )
        .unwrap();
    let before = snapshot(&t, &["BK-1"]);
    let typed = NewCustomer {
        secondary_emails: vec!["one-more@example.fr".into()],
        ..contact("zoe@example.fr")
    };
    let err = t
        .capture_booking(
            &actor(),
            typed,
            booking("BK-1", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap_err();
    assert_eq!(err.kind(), crm_core::ErrorKind::Validation, "{err}");
    assert_eq!(err.field(), Some("secondary_emails"));
    assert_eq!(snapshot(&t, &["BK-1"]), before, "a refused capture wrote");
    assert_eq!(t.get_customer(&c.id).unwrap(), c);
}
