//! Every operation of `Tenant` is scoped to its tenant: another tenant's records answer NotFound
//! (or are simply not seen), and calls through one tenant never change another's rows.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::{HashMap, HashSet};

use common::*;
use crm_core::{
    CaptureMatch, ChangeKind, Customer, CustomerId, CustomerListQuery, CustomerSort, ErrorKind,
    NewCustomer, Tenant, TenantSettings, UpsertedBooking,
};
use proptest::prelude::*;

const REFS: &[&str] = &["BK-1", "BK-2", "BK-B"];

/// Tenant A with two customers and two bookings; tenant B, empty but configured.
struct Fixture {
    db: Db,
    a: Tenant,
    b: Tenant,
    a1: Customer,
    a2: Customer,
    before: Snapshot,
}

impl Fixture {
    fn new() -> Self {
        let db = open();
        let a = db.tenant("agency-a");
        let b = db.tenant("agency-b");
        let a1 = a
            .create_customer(
                &actor(),
                NewCustomer {
                    email: Some("Shared@Example.fr".into()),
                    secondary_emails: vec!["second@example.fr".into()],
                    mobile: Some("06 12 34 56 78".into()),
                    ..customer("Hélène", "Dupont")
                },
            )
            .unwrap();
        let a2 = a
            .create_customer(&actor(), customer("José", "Núñez"))
            .unwrap();
        let mut bk1 = booking_for("BK-1", "2026-07-14T08:30:00+02:00", &a1);
        bk1.invoices = vec![invoice("F-1", 12000, "EUR")];
        a.upsert_booking(&actor(), bk1).unwrap();
        a.upsert_booking(&actor(), booking("BK-2", "2026-08-01T10:00:00+02:00"))
            .unwrap();
        let before = snapshot(&a, REFS);
        assert_eq!(before.customers.len(), 2);
        Self {
            db,
            a,
            b,
            a1,
            a2,
            before,
        }
    }

    #[track_caller]
    fn assert_a_unchanged(&self) {
        assert_eq!(snapshot(&self.a, REFS), self.before, "tenant A changed");
    }
}

#[test]
fn get_customer_of_another_tenant_is_not_found() {
    let f = Fixture::new();
    assert_kind(f.b.get_customer(&f.a1.id), ErrorKind::NotFound);
    assert_kind(f.b.get_customer(&f.a2.id), ErrorKind::NotFound);
    assert_eq!(f.a.get_customer(&f.a1.id).unwrap().id, f.a1.id);
    f.assert_a_unchanged();
}

#[test]
fn get_customer_by_no_only_sees_own_numbers() {
    let f = Fixture::new();
    assert_kind(f.b.get_customer_by_no(1), ErrorKind::NotFound);
    assert_kind(f.b.get_customer_by_no(2), ErrorKind::NotFound);
    let b1 =
        f.b.create_customer(&actor(), customer("Jürgen", "Müller"))
            .unwrap();
    assert_eq!(b1.customer_no, 1, "numbers are per tenant");
    let got = f.b.get_customer_by_no(1).unwrap();
    assert_eq!(got.id, b1.id);
    assert_ne!(got.id, f.a1.id);
    assert_kind(f.b.get_customer_by_no(2), ErrorKind::NotFound);
    f.assert_a_unchanged();
}

#[test]
fn find_by_email_never_returns_another_tenants_customers() {
    let f = Fixture::new();
    assert!(
        f.b.find_customers_by_email("shared@example.fr")
            .unwrap()
            .is_empty()
    );
    assert!(
        f.b.find_customers_by_email("second@example.fr")
            .unwrap()
            .is_empty()
    );
    let b1 =
        f.b.create_customer(
            &actor(),
            customer_with_email("Zoé", "Moreau", "shared@example.fr"),
        )
        .unwrap();
    let found = f.b.find_customers_by_email("SHARED@example.fr").unwrap();
    assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), [b1.id]);
    let found_a = f.a.find_customers_by_email("shared@example.fr").unwrap();
    assert_eq!(found_a.iter().map(|c| c.id).collect::<Vec<_>>(), [f.a1.id]);
    f.assert_a_unchanged();
}

#[test]
fn update_customer_of_another_tenant_is_not_found() {
    let f = Fixture::new();
    let mut edit = f.a1.edit();
    edit.last_name = "Hijacked".into();
    edit.email = Some("attacker@example.com".into());
    assert_kind(
        f.b.update_customer(&actor(), &f.a1.id, f.a1.version, edit),
        ErrorKind::NotFound,
    );
    assert!(all_changes(&f.b).iter().all(|e| e.customer_id.is_none()));
    f.assert_a_unchanged();
}

#[test]
fn delete_customer_of_another_tenant_is_not_found() {
    let f = Fixture::new();
    assert_kind(f.b.delete_customer(&actor(), &f.a1.id), ErrorKind::NotFound);
    assert_kind(f.b.delete_customer(&actor(), &f.a2.id), ErrorKind::NotFound);
    assert_eq!(f.a.get_booking("BK-1").unwrap().customer_id, Some(f.a1.id));
    f.assert_a_unchanged();
}

#[test]
fn list_customers_only_lists_own_rows() {
    let f = Fixture::new();
    for sort in [
        CustomerSort::Name,
        CustomerSort::LastBooking,
        CustomerSort::CreatedAt,
    ] {
        let page = f.b.list_customers(&CustomerListQuery::new(sort)).unwrap();
        assert!(page.items.is_empty(), "{sort:?}");
        assert_eq!(page.total, 0);
        assert!(page.next.is_none());
    }
    let b1 =
        f.b.create_customer(&actor(), customer("Amélie", "Aaron"))
            .unwrap();
    // A cursor obtained from A's list never shows B anything of A: a name cursor (which
    // points at A's row by id) is refused, the others (which carry their key) only position
    // B's own list.
    for sort in [
        CustomerSort::Name,
        CustomerSort::LastBooking,
        CustomerSort::CreatedAt,
    ] {
        let a_page =
            f.a.list_customers(&CustomerListQuery::new(sort).limit(1))
                .unwrap();
        assert_eq!(a_page.total, 2);
        let cursor = a_page.next.unwrap();
        let b_page =
            f.b.list_customers(&CustomerListQuery::new(sort).after(cursor));
        match b_page {
            // A name cursor would be positioned by the name of A's row: refused instead.
            Ok(page) if sort != CustomerSort::Name => {
                assert!(page.items.iter().all(|r| r.id == b1.id), "{sort:?}");
                assert_eq!(page.total, 1);
            }
            Ok(page) => panic!("B paged by the name of A's customer: {page:?}"),
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Validation, "{sort:?}: {e}");
                assert_eq!(e.field(), Some("cursor"));
                assert!(!e.to_string().contains(&f.a1.id.to_string()));
                assert!(!e.to_string().contains(&f.a2.id.to_string()));
            }
        }
    }
    let all =
        f.b.list_customers(&CustomerListQuery::new(CustomerSort::Name))
            .unwrap();
    assert_eq!(all.items.iter().map(|r| r.id).collect::<Vec<_>>(), [b1.id]);
    f.assert_a_unchanged();
}

#[test]
fn upsert_booking_for_another_tenants_customer_is_not_found() {
    let f = Fixture::new();
    let b_seq = last_seq(&f.b);
    let bk = booking_for("BK-B", "2026-07-01T09:00:00+02:00", &f.a1);
    assert_kind(f.b.upsert_booking(&actor(), bk), ErrorKind::NotFound);
    assert_kind(f.b.get_booking("BK-B"), ErrorKind::NotFound);
    // Not even under A's own reference.
    let bk = booking_for("BK-1", "2026-07-01T09:00:00+02:00", &f.a2);
    assert_kind(f.b.upsert_booking(&actor(), bk), ErrorKind::NotFound);
    assert_kind(f.b.get_booking("BK-1"), ErrorKind::NotFound);
    assert_eq!(last_seq(&f.b), b_seq, "a failed upsert wrote to B's feed");
    f.assert_a_unchanged();
}

#[test]
fn upsert_bookings_batch_with_another_tenants_customer_writes_nothing() {
    let f = Fixture::new();
    let b1 =
        f.b.create_customer(&actor(), customer("Jürgen", "Müller"))
            .unwrap();
    let b_before = snapshot(&f.b, REFS);
    let batch = vec![
        booking_for("BK-B", "2026-07-01T09:00:00+02:00", &b1),
        booking_for("BK-1", "2026-07-02T09:00:00+02:00", &f.a1),
    ];
    assert_kind(f.b.upsert_bookings(&actor(), batch), ErrorKind::NotFound);
    assert_eq!(
        snapshot(&f.b, REFS),
        b_before,
        "the failed batch wrote to B"
    );
    f.assert_a_unchanged();
}

#[test]
fn get_booking_of_another_tenant_is_not_found() {
    let f = Fixture::new();
    assert_kind(f.b.get_booking("BK-1"), ErrorKind::NotFound);
    assert_kind(f.b.get_booking("BK-2"), ErrorKind::NotFound);
    f.assert_a_unchanged();
}

#[test]
fn link_booking_across_tenants_is_not_found() {
    let f = Fixture::new();
    let b1 =
        f.b.create_customer(&actor(), customer("Jürgen", "Müller"))
            .unwrap();
    f.b.upsert_booking(&actor(), booking("BK-B", "2026-07-01T09:00:00+02:00"))
        .unwrap();
    let b_before = snapshot(&f.b, REFS);
    // A's booking, B's customer.
    assert_kind(
        f.b.link_booking(&actor(), "BK-2", Some(&b1.id)),
        ErrorKind::NotFound,
    );
    // A's booking, unlink.
    assert_kind(
        f.b.link_booking(&actor(), "BK-1", None),
        ErrorKind::NotFound,
    );
    // B's booking, A's customer.
    assert_kind(
        f.b.link_booking(&actor(), "BK-B", Some(&f.a2.id)),
        ErrorKind::NotFound,
    );
    // A's booking, A's customer, through B.
    assert_kind(
        f.b.link_booking(&actor(), "BK-2", Some(&f.a2.id)),
        ErrorKind::NotFound,
    );
    assert_eq!(snapshot(&f.b, REFS), b_before);
    f.assert_a_unchanged();
}

#[test]
fn booking_history_of_another_tenants_customer_is_not_found() {
    let f = Fixture::new();
    assert_kind(f.b.booking_history(&f.a1.id), ErrorKind::NotFound);
    assert_eq!(f.a.booking_history(&f.a1.id).unwrap().len(), 1);
    f.assert_a_unchanged();
}

#[test]
fn customer_stats_of_another_tenants_customer_is_not_found() {
    let f = Fixture::new();
    assert_kind(f.b.customer_stats(&f.a1.id), ErrorKind::NotFound);
    assert_eq!(f.a.customer_stats(&f.a1.id).unwrap().bookings, 1);
    f.assert_a_unchanged();
}

#[test]
fn capture_never_matches_another_tenants_customer_or_booking() {
    let f = Fixture::new();
    // Same email as A's customer (main, then secondary), new reference: a new customer of B.
    let got =
        f.b.capture_booking(
            &actor(),
            customer_with_email("Hélène", "Dupont", "SHARED@example.fr"),
            booking("BK-B", "2026-07-01T09:00:00+02:00"),
        )
        .unwrap();
    assert_eq!(got.matched, CaptureMatch::Created);
    assert_ne!(got.customer.id, f.a1.id);
    assert_eq!(got.customer.customer_no, 1);
    let got2 =
        f.b.capture_booking(
            &actor(),
            customer_with_email("Léa", "Faure", "second@example.fr"),
            booking("BK-B2", "2026-07-02T09:00:00+02:00"),
        )
        .unwrap();
    assert_eq!(got2.matched, CaptureMatch::Created);
    assert_ne!(got2.customer.id, f.a1.id);

    // Same reference as A's linked booking: a different booking of B, created, linked to B's
    // customer found by email in B.
    let got3 =
        f.b.capture_booking(
            &actor(),
            customer_with_email("Hélène", "Dupont", "shared@example.fr"),
            booking("BK-1", "2027-01-01T09:00:00+01:00"),
        )
        .unwrap();
    assert_eq!(got3.matched, CaptureMatch::Email);
    assert_eq!(got3.customer.id, got.customer.id);
    assert_eq!(got3.booking.customer_id, Some(got.customer.id));
    assert_eq!(
        f.b.get_booking("BK-1").unwrap().pickup_at,
        at("2027-01-01T09:00:00+01:00")
    );
    assert_eq!(f.b.booking_history(&got.customer.id).unwrap().len(), 2);
    assert_eq!(count_customers(&f.b), 2);
    f.assert_a_unchanged();
}

#[test]
fn same_reference_in_two_tenants_is_two_bookings() {
    let f = Fixture::new();
    let UpsertedBooking {
        booking: bk,
        created,
        ..
    } =
        f.b.upsert_booking(&actor(), booking("BK-1", "2030-01-01T00:00:00Z"))
            .unwrap();
    assert!(created, "B's BK-1 must be a new booking");
    assert_eq!(bk.customer_id, None);
    assert_eq!(
        f.b.get_booking("BK-1").unwrap().pickup_at,
        at("2030-01-01T00:00:00Z")
    );
    assert_eq!(f.a.get_booking("BK-1").unwrap().customer_id, Some(f.a1.id));
    f.assert_a_unchanged();
}

#[test]
fn changes_since_only_returns_own_events() {
    let f = Fixture::new();
    let b1 =
        f.b.create_customer(&actor(), customer("Jürgen", "Müller"))
            .unwrap();
    let events = f.b.changes_since(0, 10_000).unwrap();
    let kinds: Vec<_> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            ChangeKind::TenantSettingsUpdated,
            ChangeKind::CustomerCreated
        ]
    );
    assert_eq!(events[1].customer_id, Some(b1.id));
    let a_ids = [Some(f.a1.id), Some(f.a2.id)];
    for e in &events {
        assert!(!a_ids.contains(&e.customer_id));
        assert!(e.booking_ref.is_none());
    }
    // Reading after one of A's sequence numbers does not reveal A's events either.
    let a_first = f.before.changes[0].seq;
    assert!(
        f.b.changes_since(a_first - 1, 10_000)
            .unwrap()
            .iter()
            .all(|e| !a_ids.contains(&e.customer_id))
    );
    f.assert_a_unchanged();
}

#[test]
fn settings_are_per_tenant() {
    let f = Fixture::new();
    f.b.set_settings(&actor(), TenantSettings::with_region("de"))
        .unwrap();
    assert_eq!(
        f.b.settings().unwrap().default_region.as_deref(),
        Some("DE")
    );
    assert_eq!(
        f.a.settings().unwrap().default_region.as_deref(),
        Some("FR")
    );
    let c = f.db.crm.tenant("agency-c").unwrap();
    assert_eq!(c.settings().unwrap(), TenantSettings::default());
    // The region of A does not apply to C, which has none: a national number is kept as typed,
    // unverified.
    let typed = NewCustomer {
        mobile: Some("06 12 34 56 78".into()),
        ..customer("Zoé", "Moreau")
    };
    assert!(f.a.validate_customer(typed.clone()).is_ok());
    let in_c = c.create_customer(&actor(), typed.clone()).unwrap();
    assert_eq!(in_c.mobile.unwrap().e164, None);
    // B reads the same digits as a German number.
    let b1 = f.b.create_customer(&actor(), typed).unwrap();
    assert!(b1.mobile.unwrap().e164.unwrap().starts_with("+49"));
    f.assert_a_unchanged();
}

#[test]
fn creating_in_one_tenant_does_not_touch_another_tenants_numbers() {
    let f = Fixture::new();
    let made =
        f.b.create_customers(
            &actor(),
            vec![customer("Oliver", "Smith"), customer("Isla", "Jones")],
        )
        .unwrap();
    assert_eq!(
        made.iter().map(|c| c.customer_no).collect::<Vec<_>>(),
        [1, 2]
    );
    f.assert_a_unchanged();
    let a3 =
        f.a.create_customer(&actor(), customer("Noël", "Faure"))
            .unwrap();
    assert_eq!(a3.customer_no, 3);
}

// ---------------------------------------------------------------------------------------------
// Property: random customers over three tenants and random operations; no call for one tenant
// ever returns or changes another tenant's rows.

const EMAILS: &[&str] = &[
    "shared@example.fr",
    "SHARED@Example.FR",
    "other@example.com",
];
const PROP_REFS: &[&str] = &["R0", "R1", "R2", "R3"];
const TENANTS: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    Create {
        email: Option<usize>,
    },
    Get {
        target: usize,
    },
    GetByNo {
        no: i64,
    },
    FindEmail {
        email: usize,
    },
    Update {
        target: usize,
    },
    Delete {
        target: usize,
    },
    List {
        sort: usize,
    },
    Upsert {
        reference: usize,
        target: Option<usize>,
    },
    UpsertBatch {
        reference: usize,
        target: Option<usize>,
    },
    GetBooking {
        reference: usize,
    },
    Link {
        reference: usize,
        target: Option<usize>,
    },
    History {
        target: usize,
    },
    Stats {
        target: usize,
    },
    Capture {
        email: Option<usize>,
        reference: usize,
    },
    Invoices {
        target: usize,
    },
    RecordConsent {
        target: usize,
    },
    Consents {
        target: usize,
    },
    Changes,
    Settings,
}

fn op() -> impl Strategy<Value = Op> {
    let email = proptest::option::of(0..EMAILS.len());
    let target = 0..64usize;
    let reference = 0..PROP_REFS.len();
    prop_oneof![
        email.clone().prop_map(|email| Op::Create { email }),
        target.clone().prop_map(|target| Op::Get { target }),
        (1..6i64).prop_map(|no| Op::GetByNo { no }),
        (0..EMAILS.len()).prop_map(|email| Op::FindEmail { email }),
        target.clone().prop_map(|target| Op::Update { target }),
        target.clone().prop_map(|target| Op::Delete { target }),
        (0..3usize).prop_map(|sort| Op::List { sort }),
        (reference.clone(), proptest::option::of(target.clone()))
            .prop_map(|(reference, target)| Op::Upsert { reference, target }),
        (reference.clone(), proptest::option::of(target.clone()))
            .prop_map(|(reference, target)| Op::UpsertBatch { reference, target }),
        reference
            .clone()
            .prop_map(|reference| Op::GetBooking { reference }),
        (reference.clone(), proptest::option::of(target.clone()))
            .prop_map(|(reference, target)| Op::Link { reference, target }),
        target.clone().prop_map(|target| Op::History { target }),
        target.clone().prop_map(|target| Op::Stats { target }),
        target.clone().prop_map(|target| Op::Invoices { target }),
        target
            .clone()
            .prop_map(|target| Op::RecordConsent { target }),
        target.prop_map(|target| Op::Consents { target }),
        (email, reference).prop_map(|(email, reference)| Op::Capture { email, reference }),
        Just(Op::Changes),
        Just(Op::Settings),
    ]
}

/// Which tenant each customer id ever created belongs to.
struct Model {
    ids: Vec<CustomerId>,
    owner: HashMap<CustomerId, usize>,
}

impl Model {
    fn target(&self, i: usize) -> CustomerId {
        self.ids[i % self.ids.len()]
    }

    #[track_caller]
    fn check_own(&self, t: usize, id: &CustomerId) {
        assert_eq!(
            self.owner.get(id),
            Some(&t),
            "tenant {t} was shown customer {id}"
        );
    }

    /// Asserts the call on `t` for `target` answered NotFound if the target is another tenant's.
    #[track_caller]
    fn check_foreign<T: std::fmt::Debug>(
        &self,
        t: usize,
        target: &CustomerId,
        r: &crm_core::Result<T>,
    ) {
        if self.owner[target] != t {
            match r {
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                other => panic!("tenant {t} reached another tenant's customer: {other:?}"),
            }
        }
    }
}

fn run(seed_customers: &[(usize, Option<usize>)], ops: &[(usize, Op)]) {
    let db = open();
    let tenants: Vec<Tenant> = (0..TENANTS).map(|i| db.tenant(&format!("t{i}"))).collect();
    let mut model = Model {
        ids: Vec::new(),
        owner: HashMap::new(),
    };
    for (i, (t, email)) in seed_customers.iter().enumerate() {
        let mut c = customer(&format!("First{i}"), &format!("Last{i}"));
        c.email = email.map(|e| EMAILS[e].to_string());
        let made = tenants[*t].create_customer(&actor(), c).unwrap();
        model.ids.push(made.id);
        model.owner.insert(made.id, *t);
    }
    let mut snaps: Vec<Snapshot> = tenants.iter().map(|t| snapshot(t, PROP_REFS)).collect();

    for (step, (t, op)) in ops.iter().enumerate() {
        let t = *t;
        let tenant = &tenants[t];
        let a = actor();
        match op.clone() {
            Op::Create { email } => {
                let mut c = customer(&format!("New{step}"), "Créé");
                c.email = email.map(|e| EMAILS[e].to_string());
                let made = tenant.create_customer(&a, c).unwrap();
                assert!(!model.owner.contains_key(&made.id));
                model.ids.push(made.id);
                model.owner.insert(made.id, t);
            }
            Op::Get { target } => {
                let id = model.target(target);
                let r = tenant.get_customer(&id);
                model.check_foreign(t, &id, &r);
                if let Ok(c) = r {
                    model.check_own(t, &c.id);
                }
            }
            Op::GetByNo { no } => {
                if let Ok(c) = tenant.get_customer_by_no(no) {
                    model.check_own(t, &c.id);
                }
            }
            Op::FindEmail { email } => {
                for c in tenant.find_customers_by_email(EMAILS[email]).unwrap() {
                    model.check_own(t, &c.id);
                }
            }
            Op::Update { target } => {
                let id = model.target(target);
                let version = snaps[model.owner[&id]]
                    .customers
                    .iter()
                    .find(|c| c.id == id)
                    .map_or(1, |c| c.version);
                let mut c = customer(&format!("Upd{step}"), "Changé");
                c.company = Some(format!("Co {step}"));
                let r = tenant.update_customer(&a, &id, version, c);
                model.check_foreign(t, &id, &r);
                if let Ok(c) = r {
                    model.check_own(t, &c.id);
                }
            }
            Op::Delete { target } => {
                let id = model.target(target);
                let r = tenant.delete_customer(&a, &id);
                model.check_foreign(t, &id, &r);
            }
            Op::List { sort } => {
                let sort = [
                    CustomerSort::Name,
                    CustomerSort::LastBooking,
                    CustomerSort::CreatedAt,
                ][sort];
                let page = tenant
                    .list_customers(&CustomerListQuery::new(sort).limit(1_000))
                    .unwrap();
                assert_eq!(page.total, page.items.len() as u64);
                for r in &page.items {
                    model.check_own(t, &r.id);
                }
            }
            Op::Upsert { reference, target } => {
                let mut b = booking(PROP_REFS[reference], "2026-07-14T08:30:00+02:00");
                b.customer_id = target.map(|i| model.target(i));
                b.invoices = vec![invoice(&format!("F-t{t}-{step}"), 100, "EUR")];
                let r = tenant.upsert_booking(&a, b);
                if let Some(id) = target.map(|i| model.target(i)) {
                    model.check_foreign(t, &id, &r);
                }
                if let Ok(UpsertedBooking { booking: b, .. }) = r
                    && let Some(id) = b.customer_id
                {
                    model.check_own(t, &id);
                }
            }
            Op::UpsertBatch { reference, target } => {
                let mut b = booking(PROP_REFS[reference], "2026-09-01T10:00:00+00:00");
                b.customer_id = target.map(|i| model.target(i));
                let other = booking(
                    PROP_REFS[(reference + 1) % PROP_REFS.len()],
                    "2025-01-01T10:00:00Z",
                );
                let r = tenant.upsert_bookings(&a, vec![other, b]);
                if let Some(id) = target.map(|i| model.target(i)) {
                    model.check_foreign(t, &id, &r);
                }
            }
            Op::GetBooking { reference } => {
                if let Ok(b) = tenant.get_booking(PROP_REFS[reference])
                    && let Some(id) = b.customer_id
                {
                    model.check_own(t, &id);
                }
            }
            Op::Link { reference, target } => {
                let id = target.map(|i| model.target(i));
                let r = tenant.link_booking(&a, PROP_REFS[reference], id.as_ref());
                if let Some(id) = &id {
                    model.check_foreign(t, id, &r);
                }
                if let Ok(b) = r {
                    assert_eq!(b.customer_id, id);
                }
            }
            Op::History { target } => {
                let id = model.target(target);
                let r = tenant.booking_history(&id);
                model.check_foreign(t, &id, &r);
                for b in r.into_iter().flatten() {
                    assert_eq!(b.customer_id, Some(id));
                }
            }
            Op::Stats { target } => {
                let id = model.target(target);
                let r = tenant.customer_stats(&id);
                model.check_foreign(t, &id, &r);
            }
            Op::Invoices { target } => {
                let id = model.target(target);
                let r = tenant.invoices(&id);
                model.check_foreign(t, &id, &r);
                for i in r.into_iter().flat_map(|list| list.invoices) {
                    assert!(i.invoice.number.starts_with(&format!("F-t{t}-")), "{i:?}");
                }
            }
            Op::RecordConsent { target } => {
                let id = model.target(target);
                let decision = crm_core::NewConsent::new(
                    crm_core::Channel::Email,
                    crm_core::ConsentPurpose::Marketing,
                    crm_core::ConsentState::Given,
                    format!("desk {t}"),
                );
                let r = tenant.record_consent(&a, &id, decision);
                model.check_foreign(t, &id, &r);
            }
            Op::Consents { target } => {
                let id = model.target(target);
                let r = tenant.consents(&id);
                model.check_foreign(t, &id, &r);
                for record in r.into_iter().flatten() {
                    assert_eq!(record.source, format!("desk {t}"), "{record:?}");
                }
            }
            Op::Capture { email, reference } => {
                let mut c = customer("Capté", &format!("Step{step}"));
                c.email = email.map(|e| EMAILS[e].to_string());
                let got = tenant
                    .capture_booking(
                        &a,
                        c,
                        booking(PROP_REFS[reference], "2026-12-24T18:00:00+01:00"),
                    )
                    .unwrap();
                if got.matched == CaptureMatch::Created {
                    assert!(!model.owner.contains_key(&got.customer.id));
                    model.ids.push(got.customer.id);
                    model.owner.insert(got.customer.id, t);
                }
                model.check_own(t, &got.customer.id);
                assert_eq!(got.booking.customer_id, Some(got.customer.id));
            }
            Op::Changes => {
                let mut seen = HashSet::new();
                for e in all_changes(tenant) {
                    assert!(seen.insert(e.seq));
                    for id in [e.customer_id, e.previous_customer_id]
                        .into_iter()
                        .flatten()
                    {
                        model.check_own(t, &id);
                    }
                }
            }
            Op::Settings => {
                let region = ["FR", "DE", "GB"][step % 3];
                tenant
                    .set_settings(&a, TenantSettings::with_region(region))
                    .unwrap();
                assert_eq!(
                    tenant.settings().unwrap().default_region.as_deref(),
                    Some(region)
                );
            }
        }
        // Every other tenant is exactly as it was; the acting tenant only holds its own ids.
        for (u, other) in tenants.iter().enumerate() {
            let now = snapshot(other, PROP_REFS);
            if u == t {
                for c in &now.customers {
                    model.check_own(u, &c.id);
                }
                for b in now.bookings.iter().flatten() {
                    if let Some(id) = &b.customer_id {
                        model.check_own(u, id);
                    }
                }
                snaps[u] = now;
            } else {
                assert_eq!(
                    now, snaps[u],
                    "step {step}: {op:?} on tenant {t} changed tenant {u}"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn no_call_for_one_tenant_reaches_another(
        seed_customers in proptest::collection::vec((0..TENANTS, proptest::option::of(0..EMAILS.len())), 3..10),
        ops in proptest::collection::vec((0..TENANTS, op()), 1..30),
    ) {
        run(&seed_customers, &ops);
    }
}
