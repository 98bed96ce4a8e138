//! The change feed: each mutation appends exactly its events, in order, with the actor and the
//! changed field names; sequence numbers increase; `changes_since` pages; failures append nothing.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use common::*;
use crm_core::{
    Actor, Address, BookingStatus, ChangeEvent, ChangeKind, Consent, Customer, CustomerId,
    ErrorKind, NewBooking, NewCustomer, Role, Tenant, TenantSettings, UpsertedBooking,
};

/// What an event is expected to say (everything but its seq and time).
#[derive(Debug, PartialEq)]
struct Ev {
    kind: ChangeKind,
    customer: Option<CustomerId>,
    previous: Option<CustomerId>,
    booking: Option<String>,
    actor: Actor,
    fields: Vec<String>,
}

fn ev(kind: ChangeKind, customer: Option<&Customer>, booking: Option<&str>) -> Ev {
    Ev {
        kind,
        customer: customer.map(|c| c.id),
        previous: None,
        booking: booking.map(str::to_owned),
        actor: actor(),
        fields: Vec::new(),
    }
}

impl Ev {
    fn previous(mut self, c: &Customer) -> Self {
        self.previous = Some(c.id);
        self
    }

    fn fields(mut self, fields: &[&str]) -> Self {
        self.fields = fields.iter().map(|f| (*f).to_owned()).collect();
        self
    }

    fn by(mut self, actor: &Actor) -> Self {
        self.actor = actor.clone();
        self
    }
}

fn shape(e: &ChangeEvent) -> Ev {
    Ev {
        kind: e.kind,
        customer: e.customer_id,
        previous: e.previous_customer_id,
        booking: e.booking_ref.clone(),
        actor: e.actor.clone(),
        fields: e.fields.clone(),
    }
}

/// Runs `f` and returns the events it appended.
fn appended<T>(t: &Tenant, f: impl FnOnce() -> T) -> (T, Vec<Ev>) {
    let seq = last_seq(t);
    let out = f();
    (out, changes_after(t, seq).iter().map(shape).collect())
}

#[test]
fn every_mutation_appends_exactly_its_events_in_order() {
    let db = open();
    let t = db.crm.tenant("agency").unwrap();
    let job = Actor::new("import-job", Role::System);
    let boss = Actor::new("u-1", Role::Organisation);
    use ChangeKind::*;

    let ((), e) = appended(&t, || {
        t.set_settings(&boss, TenantSettings::with_region("FR"))
            .unwrap()
    });
    assert_eq!(
        e,
        [ev(TenantSettingsUpdated, None, None)
            .fields(&["default_region"])
            .by(&boss)]
    );

    let (c1, e) = appended(&t, || {
        t.create_customer(&actor(), customer("Zoé", "Moreau"))
            .unwrap()
    });
    assert_eq!(e, [ev(CustomerCreated, Some(&c1), None)]);

    let (batch, e) = appended(&t, || {
        t.create_customers(
            &job,
            vec![customer("Théo", "Girard"), customer("Léa", "Faure")],
        )
        .unwrap()
    });
    let (c2, c3) = (&batch[0], &batch[1]);
    assert_eq!(
        e,
        [
            ev(CustomerCreated, Some(c2), None).by(&job),
            ev(CustomerCreated, Some(c3), None).by(&job)
        ]
    );

    let (c1, e) = appended(&t, || {
        let mut edit = c1.edit();
        edit.company = Some("Moreau SA".into());
        edit.mobile = Some("06 12 34 56 78".into());
        t.update_customer(&actor(), &c1.id, c1.version, edit)
            .unwrap()
    });
    assert_eq!(
        e,
        [ev(CustomerUpdated, Some(&c1), None).fields(&["company", "mobile"])]
    );

    let (_, e) = appended(&t, || {
        t.update_customer(&actor(), &c1.id, c1.version, c1.edit())
            .unwrap()
    });
    assert_eq!(e, [], "a no-op update appended");

    let (_, e) = appended(&t, || {
        t.upsert_booking(
            &actor(),
            booking_for("BK-1", "2026-07-14T08:30:00+02:00", &c1),
        )
        .unwrap()
    });
    assert_eq!(e, [ev(BookingCreated, Some(&c1), Some("BK-1"))]);

    let (_, e) = appended(&t, || {
        t.upsert_booking(
            &actor(),
            booking_for("BK-1", "2026-07-14T08:30:00+02:00", &c1),
        )
        .unwrap()
    });
    assert_eq!(e, [], "an identical upsert appended");

    let (_, e) = appended(&t, || {
        let mut b = booking_for("BK-1", "2026-07-14T08:30:00+02:00", &c1);
        b.status = BookingStatus::Completed;
        b.route_to = "Gare de Lyon".into();
        t.upsert_booking(&actor(), b).unwrap()
    });
    assert_eq!(
        e,
        [ev(BookingUpdated, Some(&c1), Some("BK-1")).fields(&["status", "route_to"])]
    );

    let completed = |c: Option<&Customer>| {
        let mut b = booking("BK-1", "2026-07-14T08:30:00+02:00");
        b.status = BookingStatus::Completed;
        b.route_to = "Gare de Lyon".into();
        b.customer_id = c.map(|c| c.id);
        b
    };
    // Only the customer changes: a relink, no update.
    let (_, e) = appended(&t, || {
        t.upsert_booking(&actor(), completed(Some(c2))).unwrap()
    });
    assert_eq!(e, [ev(BookingLinked, Some(c2), Some("BK-1")).previous(&c1)]);

    // A field changes and no customer is given: the update only, the link is kept.
    let (_, e) = appended(&t, || {
        let mut b = completed(None);
        b.hotel = Some("Hôtel du Parc".into());
        t.upsert_booking(&actor(), b).unwrap()
    });
    assert_eq!(
        e,
        [ev(BookingUpdated, Some(c2), Some("BK-1")).fields(&["hotel"])]
    );

    let (_, e) = appended(&t, || t.link_booking(&boss, "BK-1", Some(&c3.id)).unwrap());
    assert_eq!(
        e,
        [ev(BookingLinked, Some(c3), Some("BK-1"))
            .by(&boss)
            .previous(c2)]
    );
    let (_, e) = appended(&t, || t.link_booking(&boss, "BK-1", Some(&c3.id)).unwrap());
    assert_eq!(e, [], "linking to the same customer appended");
    let (_, e) = appended(&t, || {
        t.link_booking(&actor(), "BK-1", Some(&c1.id)).unwrap()
    });
    assert_eq!(e, [ev(BookingLinked, Some(&c1), Some("BK-1")).previous(c3)]);
    let (_, e) = appended(&t, || t.link_booking(&actor(), "BK-1", None).unwrap());
    assert_eq!(e, [ev(BookingUnlinked, None, Some("BK-1")).previous(&c1)]);

    let (created, e) = appended(&t, || {
        t.upsert_bookings(
            &job,
            vec![
                booking_for("BK-2", "2026-08-01T10:00:00+02:00", &c1),
                booking("BK-3", "2026-08-02T10:00:00+02:00"),
            ],
        )
        .unwrap()
    });
    assert_eq!(created, 2);
    assert_eq!(
        e,
        [
            ev(BookingCreated, Some(&c1), Some("BK-2")).by(&job),
            ev(BookingCreated, None, Some("BK-3")).by(&job)
        ]
    );

    let (got, e) = appended(&t, || {
        t.capture_booking(
            &actor(),
            customer_with_email("Noël", "Faure", "noel@example.fr"),
            booking("BK-4", "2026-09-01T10:00:00+02:00"),
        )
        .unwrap()
    });
    let c4 = got.customer;
    assert_eq!(
        e,
        [
            ev(CustomerCreated, Some(&c4), None),
            ev(BookingCreated, Some(&c4), Some("BK-4"))
        ]
    );

    let (_, e) = appended(&t, || {
        let typed = NewCustomer {
            company: Some("Faure SARL".into()),
            ..customer_with_email("Noël", "Faure", "NOEL@example.fr")
        };
        t.capture_booking(
            &actor(),
            typed,
            booking("BK-5", "2026-09-02T10:00:00+02:00"),
        )
        .unwrap()
    });
    assert_eq!(
        e,
        [
            ev(CustomerUpdated, Some(&c4), None).fields(&["company"]),
            ev(BookingCreated, Some(&c4), Some("BK-5"))
        ]
    );

    // Deleting detaches each booking (one event each), then deletes.
    t.link_booking(&actor(), "BK-3", Some(&c1.id)).unwrap();
    let (detached, e) = appended(&t, || t.delete_customer(&boss, &c1.id).unwrap());
    assert_eq!(detached, 2);
    assert_eq!(e.len(), 3);
    let unlinked: BTreeSet<_> = e[..2].iter().map(|x| x.booking.clone().unwrap()).collect();
    assert_eq!(
        unlinked,
        BTreeSet::from(["BK-2".to_string(), "BK-3".to_string()])
    );
    for x in &e[..2] {
        assert_eq!(
            (x.kind, x.customer, x.previous, &x.actor),
            (BookingUnlinked, None, Some(c1.id), &boss)
        );
    }
    assert_eq!(e[2], ev(CustomerDeleted, Some(&c1), None).by(&boss));

    // The feed as a whole: strictly increasing.
    let feed = all_changes(&t);
    assert_eq!(feed.len(), 22);
    for w in feed.windows(2) {
        assert!(w[0].seq < w[1].seq);
    }
}

#[test]
fn each_customer_field_is_named_when_it_changes() {
    let db = open();
    let t = db.tenant("agency");
    let mut c = t
        .create_customer(&actor(), customer("Zoé", "Moreau"))
        .unwrap();
    type Edit = fn(&mut NewCustomer);
    let edits: Vec<(&str, Edit)> = vec![
        ("first_name", |n| n.first_name = "Zoë".into()),
        ("last_name", |n| n.last_name = "Moreau-Faure".into()),
        ("company", |n| n.company = Some("Moreau SA".into())),
        ("email", |n| n.email = Some("zoe@example.fr".into())),
        ("phone", |n| n.phone = Some("04 72 10 20 30".into())),
        ("mobile", |n| n.mobile = Some("06 12 34 56 78".into())),
        ("fax", |n| n.fax = Some("04 72 10 20 31".into())),
        ("emergency_phone", |n| {
            n.emergency_phone = Some("06 98 76 54 32".into())
        }),
        ("secondary_emails", |n| {
            n.secondary_emails = vec!["z@example.fr".into()]
        }),
        ("secondary_phones", |n| {
            n.secondary_phones = vec!["+44 20 7946 0958".into()]
        }),
        ("address", |n| {
            n.address = Address {
                city: Some("Lyon".into()),
                ..Default::default()
            }
        }),
        ("contact_person", |n| n.contact_person = Some("Noël".into())),
        ("birth_date", |n| {
            n.birth_date = NaiveDate::from_ymd_opt(1980, 5, 17)
        }),
        ("language", |n| n.language = Some("fr".into())),
        ("notes", |n| {
            n.notes = Some("Fenêtre.\nPas d'arachides.".into())
        }),
        ("consent", |n| {
            n.consent = Consent {
                email: Some(chrono::DateTime::UNIX_EPOCH),
                sms: None,
            }
        }),
        ("salesperson", |n| n.salesperson = Some("chloé".into())),
        ("lists", |n| n.lists = BTreeSet::from(["VIP".to_string()])),
        ("custom_fields", |n| {
            n.custom_fields = BTreeMap::from([("seat".to_string(), "window".to_string())])
        }),
        // Typed differently, same number: the typed form changed.
        ("mobile", |n| n.mobile = Some("+33 6 12 34 56 78".into())),
        // Cleared.
        ("email", |n| n.email = None),
    ];
    for (field, edit) in edits {
        let mut input = c.edit();
        edit(&mut input);
        let (updated, e) = appended(&t, || {
            t.update_customer(&actor(), &c.id, c.version, input)
                .unwrap()
        });
        assert_eq!(
            e,
            [ev(ChangeKind::CustomerUpdated, Some(&c), None).fields(&[field])],
            "{field}"
        );
        assert_eq!(updated.version, c.version + 1);
        c = updated;
    }
}

#[test]
fn each_booking_field_is_named_when_it_changes() {
    let db = open();
    let t = db.tenant("agency");
    let mut b = booking("BK-1", "2026-07-14T08:30:00+02:00");
    t.upsert_booking(&actor(), b.clone()).unwrap();
    type Edit = fn(&mut NewBooking);
    let edits: Vec<(&str, Edit)> = vec![
        ("status", |b| b.status = BookingStatus::Cancelled),
        ("pickup_at", |b| {
            b.pickup_at = at("2026-07-14T09:30:00+02:00")
        }),
        // Same instant, other offset.
        ("pickup_at", |b| {
            b.pickup_at = at("2026-07-14T07:30:00+00:00")
        }),
        ("return_at", |b| {
            b.return_at = Some(at("2026-07-20T10:00:00+02:00"))
        }),
        ("route_from", |b| b.route_from = "Genève".into()),
        ("route_to", |b| b.route_to = "Zürich HB".into()),
        ("transport", |b| b.transport = Some("Van".into())),
        ("hotel", |b| b.hotel = Some("Park Hyatt".into())),
        ("salesperson", |b| b.salesperson = Some("eva".into())),
        ("invoices", |b| {
            b.invoices = vec![invoice("F-1", 100, "EUR")]
        }),
        ("invoices", |b| {
            b.invoices = vec![invoice("F-1", 101, "EUR")]
        }),
    ];
    for (field, edit) in edits {
        edit(&mut b);
        let (UpsertedBooking { created, .. }, e) =
            appended(&t, || t.upsert_booking(&actor(), b.clone()).unwrap());
        assert!(!created);
        assert_eq!(
            e,
            [ev(ChangeKind::BookingUpdated, None, Some("BK-1")).fields(&[field])],
            "{field}"
        );
    }
}

#[test]
fn settings_that_change_nothing_append_nothing() {
    let db = open();
    let t = db.tenant("agency"); // region FR: one event
    let ((), e) = appended(&t, || {
        t.set_settings(&actor(), TenantSettings::with_region("fr"))
            .unwrap()
    });
    assert_eq!(e, [], "the same region again appended");
    let ((), e) = appended(&t, || {
        t.set_settings(&actor(), TenantSettings::default()).unwrap()
    });
    assert_eq!(
        e,
        [ev(ChangeKind::TenantSettingsUpdated, None, None).fields(&["default_region"])]
    );
    assert_eq!(t.settings().unwrap().default_region, None);
    let ((), e) = appended(&t, || {
        t.set_settings(&actor(), TenantSettings::with_region("  "))
            .unwrap()
    });
    assert_eq!(e, [], "a blank region is no region");
}

#[test]
fn sequence_numbers_strictly_increase_shared_by_tenants_on_sqlite_per_tenant_on_postgres() {
    let db = open();
    let a = db.tenant("agency-a");
    let b = db.tenant("agency-b");
    for i in 0..5 {
        a.create_customer(&actor(), customer("A", &format!("{i}")))
            .unwrap();
        b.create_customer(&actor(), customer("B", &format!("{i}")))
            .unwrap();
    }
    let fa = all_changes(&a);
    let fb = all_changes(&b);
    assert_eq!((fa.len(), fb.len()), (6, 6));
    if db.url.is_some() {
        // Each tenant counts its own events, from 1 and without gaps.
        let seqs = |f: &[crm_core::ChangeEvent]| f.iter().map(|e| e.seq).collect::<Vec<_>>();
        assert_eq!(seqs(&fa), (1..=6).collect::<Vec<_>>());
        assert_eq!(seqs(&fb), (1..=6).collect::<Vec<_>>());
        return;
    }
    let mut all: Vec<i64> = fa.iter().chain(&fb).map(|e| e.seq).collect();
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n, "two tenants' events share a seq");
    // Interleaved writes: each tenant's seqs skip the other's.
    assert!(fa.windows(2).skip(1).all(|w| w[1].seq > w[0].seq + 1));
}

#[test]
fn changes_since_pages_through_the_feed() {
    let db = open();
    let t = db.tenant("agency");
    let made = t
        .create_customers(
            &actor(),
            (0..17).map(|i| customer("P", &format!("{i:02}"))).collect(),
        )
        .unwrap();
    let full = t.changes_since(0, 10_000).unwrap();
    assert_eq!(full.len(), 18);
    for limit in [1, 2, 5, 17, 18, 19] {
        let mut walked = Vec::new();
        let mut after = 0;
        loop {
            let page = t.changes_since(after, limit).unwrap();
            assert!(page.len() <= limit as usize);
            let Some(last) = page.last() else { break };
            assert!(
                page[0].seq > after,
                "changes_since({after}) served it again"
            );
            after = last.seq;
            walked.extend(page);
        }
        assert_eq!(walked, full, "limit {limit}");
    }
    // From the middle, from before the start, from the end.
    let mid = full[8].seq;
    assert_eq!(t.changes_since(mid, 10_000).unwrap(), full[9..]);
    assert_eq!(t.changes_since(-100, 10_000).unwrap(), full);
    assert!(
        t.changes_since(full.last().unwrap().seq, 10)
            .unwrap()
            .is_empty()
    );
    assert!(t.changes_since(i64::MAX, 10).unwrap().is_empty());
    // Created customers appear in order.
    let created: Vec<_> = full[1..].iter().map(|e| e.customer_id.unwrap()).collect();
    assert_eq!(created, made.iter().map(|c| c.id).collect::<Vec<_>>());
}

#[test]
fn a_failed_mutation_appends_nothing() {
    let db = open();
    let t = db.tenant("agency");
    let other = db.tenant("other");
    let c = t
        .create_customer(
            &actor(),
            customer_with_email("Zoé", "Moreau", "zoe@example.fr"),
        )
        .unwrap();
    let foreign = other
        .create_customer(&actor(), customer("Théo", "Girard"))
        .unwrap();
    t.upsert_booking(
        &actor(),
        booking_for("BK-1", "2026-07-14T08:30:00+02:00", &c),
    )
    .unwrap();
    let gone = t
        .create_customer(&actor(), customer("Léa", "Faure"))
        .unwrap();
    t.delete_customer(&actor(), &gone.id).unwrap();
    let before = all_changes(&t);
    let before_other = all_changes(&other);
    let nobody = Actor::new("", Role::Agent);
    let mut bad_return = booking("BK-2", "2026-07-14T08:30:00+02:00");
    bad_return.return_at = Some(at("2026-07-13T08:30:00+02:00"));

    type Call<'a> = Box<dyn Fn() -> crm_core::Result<()> + 'a>;
    let failures: Vec<(&str, ErrorKind, Call<'_>)> = vec![
        (
            "invalid create",
            ErrorKind::Validation,
            Box::new(|| t.create_customer(&actor(), customer("", "x")).map(drop)),
        ),
        (
            "invalid batch",
            ErrorKind::Validation,
            Box::new(|| {
                t.create_customers(&actor(), vec![customer("a", "b"), customer("a", "")])
                    .map(drop)
            }),
        ),
        (
            "bad actor",
            ErrorKind::Validation,
            Box::new(|| t.create_customer(&nobody, customer("a", "b")).map(drop)),
        ),
        (
            "stale update",
            ErrorKind::Conflict,
            Box::new(|| {
                t.update_customer(&actor(), &c.id, c.version + 1, customer("a", "b"))
                    .map(drop)
            }),
        ),
        (
            "update of a deleted customer",
            ErrorKind::NotFound,
            Box::new(|| {
                t.update_customer(&actor(), &gone.id, 1, customer("a", "b"))
                    .map(drop)
            }),
        ),
        (
            "delete of a deleted customer",
            ErrorKind::NotFound,
            Box::new(|| t.delete_customer(&actor(), &gone.id).map(drop)),
        ),
        (
            "delete of a foreign customer",
            ErrorKind::NotFound,
            Box::new(|| t.delete_customer(&actor(), &foreign.id).map(drop)),
        ),
        (
            "upsert for a foreign customer",
            ErrorKind::NotFound,
            Box::new(|| {
                t.upsert_booking(
                    &actor(),
                    booking_for("BK-2", "2026-07-14T08:30:00+02:00", &foreign),
                )
                .map(drop)
            }),
        ),
        (
            "invalid upsert",
            ErrorKind::Validation,
            Box::new(|| t.upsert_booking(&actor(), bad_return.clone()).map(drop)),
        ),
        (
            "batch failing after a good booking",
            ErrorKind::NotFound,
            Box::new(|| {
                t.upsert_bookings(
                    &actor(),
                    vec![
                        booking_for("BK-3", "2026-07-14T08:30:00+02:00", &c),
                        booking_for("BK-4", "2026-07-14T08:30:00+02:00", &gone),
                    ],
                )
                .map(drop)
            }),
        ),
        (
            "link of a missing booking",
            ErrorKind::NotFound,
            Box::new(|| t.link_booking(&actor(), "BK-404", Some(&c.id)).map(drop)),
        ),
        (
            "link to a deleted customer",
            ErrorKind::NotFound,
            Box::new(|| t.link_booking(&actor(), "BK-1", Some(&gone.id)).map(drop)),
        ),
        (
            "invalid capture",
            ErrorKind::Validation,
            Box::new(|| {
                t.capture_booking(&actor(), customer("Zoé", "Moreau"), bad_return.clone())
                    .map(drop)
            }),
        ),
        (
            "invalid settings",
            ErrorKind::Validation,
            Box::new(|| t.set_settings(&actor(), TenantSettings::with_region("ZZ"))),
        ),
    ];
    for (what, kind, call) in failures {
        match call() {
            Ok(()) => panic!("{what}: succeeded"),
            Err(e) => assert_eq!(e.kind(), kind, "{what}: {e}"),
        }
        assert_eq!(all_changes(&t), before, "{what} appended to the feed");
    }
    assert_eq!(all_changes(&other), before_other);
    assert_kind(t.get_booking("BK-3"), ErrorKind::NotFound);
}
