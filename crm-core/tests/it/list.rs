//! The customer list: each sort in both directions, the booking columns of its rows, keyset
//! pagination (every row exactly once, also while rows are inserted), cursor checks.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::cmp::Ordering;
use std::collections::HashSet;

use common::*;
use crm_core::{
    Customer, CustomerId, CustomerListQuery, CustomerRow, CustomerSort, NewBooking, Tenant, fold,
};
use proptest::prelude::*;

const SORTS: [CustomerSort; 3] = [
    CustomerSort::Name,
    CustomerSort::LastBooking,
    CustomerSort::CreatedAt,
];

/// Every query shape: each sort in its default direction and reversed.
fn queries() -> Vec<(CustomerSort, bool, CustomerListQuery)> {
    SORTS
        .iter()
        .flat_map(|s| {
            [
                (*s, false, CustomerListQuery::new(*s)),
                (*s, true, CustomerListQuery::new(*s).reversed()),
            ]
        })
        .collect()
}

fn ids(rows: &[CustomerRow]) -> Vec<CustomerId> {
    rows.iter().map(|r| r.id).collect()
}

/// The documented order of a sort, in its default direction.
fn documented_order(sort: CustomerSort, a: &CustomerRow, b: &CustomerRow) -> Ordering {
    match sort {
        // Last name then first name, folded; ascending.
        CustomerSort::Name => (fold(&a.last_name), fold(&a.first_name), a.id).cmp(&(
            fold(&b.last_name),
            fold(&b.first_name),
            b.id,
        )),
        // Latest booking first, customers without bookings last.
        CustomerSort::LastBooking => {
            let key = |r: &CustomerRow| r.last_booking.map_or(i64::MIN, |t| t.timestamp_millis());
            (key(b), b.id).cmp(&(key(a), a.id))
        }
        // Newest first.
        CustomerSort::CreatedAt => {
            (b.created_at.timestamp_millis(), b.id).cmp(&(a.created_at.timestamp_millis(), a.id))
        }
        other => panic!("no documented order for {other:?}"),
    }
}

fn assert_sorted(sort: CustomerSort, reversed: bool, rows: &[CustomerRow]) {
    for w in rows.windows(2) {
        let mut o = documented_order(sort, &w[0], &w[1]);
        if reversed {
            o = o.reverse();
        }
        assert_eq!(
            o,
            Ordering::Less,
            "{sort:?} reversed={reversed}: {:?} before {:?}",
            w[0],
            w[1]
        );
    }
}

/// A tenant with customers whose names, booking dates and creation order all disagree.
fn populated() -> (Db, Tenant, Vec<Customer>) {
    let db = open();
    let t = db.tenant("agency");
    let names = [
        ("Émile", "Durand"),
        ("anne", "dupont"),
        ("Zoé", "Ábalos"),
        ("伟", "王"),
        ("José", "Núñez"),
        ("Jürgen", "Müller"),
        ("Élodie", "Zola"),
        ("Hélène", "Dupont"),
        ("Noël", "Muller"),
    ];
    let made: Vec<Customer> = names
        .iter()
        .map(|(f, l)| t.create_customer(&actor(), customer(f, l)).unwrap())
        .collect();
    // Bookings for some: latest pickups in an order unrelated to names or creation.
    let trips = [
        (0, "BK-1", "2026-01-01T10:00:00+01:00"),
        (0, "BK-2", "2026-06-01T10:00:00+02:00"),
        (3, "BK-3", "2026-09-01T08:00:00+08:00"),
        (4, "BK-4", "2025-03-01T10:00:00-05:00"),
        (6, "BK-5", "2027-01-01T00:00:00+00:00"),
        (8, "BK-6", "2026-06-01T09:30:00+01:00"),
    ];
    for (i, r, p) in trips {
        t.upsert_booking(&actor(), booking_for(r, p, &made[i]))
            .unwrap();
    }
    (db, t, made)
}

#[test]
fn name_sort_folds_accents_and_case() {
    let (_db, t, _) = populated();
    let rows = t
        .list_customers(&CustomerListQuery::new(CustomerSort::Name))
        .unwrap()
        .items;
    let names: Vec<_> = rows
        .iter()
        .map(|r| format!("{} {}", r.first_name, r.last_name))
        .collect();
    // "anne dupont" and "Hélène Dupont" both fold to "dupont ...".
    assert_eq!(
        names,
        [
            "Zoé Ábalos",
            "anne dupont",
            "Hélène Dupont",
            "Émile Durand",
            "Jürgen Müller",
            "Noël Muller",
            "José Núñez",
            "Élodie Zola",
            "伟 王",
        ]
    );
    assert_sorted(CustomerSort::Name, false, &rows);
    let reversed = t
        .list_customers(&CustomerListQuery::new(CustomerSort::Name).reversed())
        .unwrap()
        .items;
    assert_eq!(
        ids(&reversed),
        ids(&rows).into_iter().rev().collect::<Vec<_>>()
    );
}

#[test]
fn last_booking_sort_puts_the_latest_first_and_customers_without_bookings_last() {
    let (_db, t, made) = populated();
    let rows = t
        .list_customers(&CustomerListQuery::new(CustomerSort::LastBooking))
        .unwrap()
        .items;
    let with: Vec<_> = ids(&rows[..5]);
    // BK-5 2027 (6), BK-3 2026-09-01 00:00Z (3), BK-6 2026-06-01 08:30Z (8), BK-2 08:00Z (0), BK-4 (4).
    assert_eq!(
        with,
        [made[6].id, made[3].id, made[8].id, made[0].id, made[4].id]
    );
    assert!(
        rows[5..]
            .iter()
            .all(|r| r.bookings == 0 && r.last_booking.is_none())
    );
    assert_eq!(rows.len(), 9);
    assert_sorted(CustomerSort::LastBooking, false, &rows);

    let reversed = t
        .list_customers(&CustomerListQuery::new(CustomerSort::LastBooking).reversed())
        .unwrap()
        .items;
    assert_eq!(
        ids(&reversed),
        ids(&rows).into_iter().rev().collect::<Vec<_>>()
    );
    assert!(reversed[..4].iter().all(|r| r.last_booking.is_none()));
}

#[test]
fn created_at_sort_is_newest_first() {
    let (_db, t, made) = populated();
    let rows = t
        .list_customers(&CustomerListQuery::new(CustomerSort::CreatedAt))
        .unwrap()
        .items;
    let newest_first: Vec<_> = made.iter().rev().map(|c| c.id).collect();
    assert_eq!(ids(&rows), newest_first);
    let reversed = t
        .list_customers(&CustomerListQuery::new(CustomerSort::CreatedAt).reversed())
        .unwrap()
        .items;
    assert_eq!(
        ids(&reversed),
        made.iter().map(|c| c.id).collect::<Vec<_>>()
    );
    // Same within one batch (same millisecond): creation order still.
    let batch = t
        .create_customers(
            &actor(),
            (0..30).map(|i| customer("B", &format!("{i}"))).collect(),
        )
        .unwrap();
    let rows = t
        .list_customers(&CustomerListQuery::new(CustomerSort::CreatedAt).limit(30))
        .unwrap()
        .items;
    assert_eq!(
        ids(&rows),
        batch.iter().rev().map(|c| c.id).collect::<Vec<_>>()
    );
}

#[test]
fn rows_carry_the_customer_columns_bookings_count_and_last_booking() {
    let (_db, t, made) = populated();
    t.upsert_booking(
        &actor(),
        booking_for("BK-7", "2020-01-01T10:00:00+01:00", &made[0]),
    )
    .unwrap();
    let rows = t
        .list_customers(&CustomerListQuery::new(CustomerSort::Name))
        .unwrap()
        .items;
    let row = |c: &Customer| rows.iter().find(|r| r.id == c.id).unwrap().clone();
    let r0 = row(&made[0]);
    assert_eq!(
        (
            r0.customer_no,
            r0.first_name.as_str(),
            r0.last_name.as_str()
        ),
        (1, "Émile", "Durand")
    );
    assert_eq!(r0.bookings, 3);
    assert_eq!(r0.last_booking, Some(at("2026-06-01T10:00:00+02:00")));
    assert_eq!(r0.last_booking.unwrap().offset().local_minus_utc(), 7200);
    assert_eq!(r0.created_at, made[0].created_at);
    let r3 = row(&made[3]);
    assert_eq!(
        (r3.bookings, r3.last_booking),
        (1, Some(at("2026-09-01T08:00:00+08:00")))
    );
    let r1 = row(&made[1]);
    assert_eq!((r1.bookings, r1.last_booking), (0, None));
    for c in &made {
        let s = t.customer_stats(&c.id).unwrap();
        let r = row(c);
        assert_eq!((r.bookings, r.last_booking), (s.bookings, s.last_booking));
    }
    // Email and phone columns.
    let c = t
        .create_customer(
            &actor(),
            crm_core::NewCustomer {
                mobile: Some("06 12 34 56 78".into()),
                ..customer_with_email("A", "Aaa", "A@Example.fr")
            },
        )
        .unwrap();
    let first = t
        .list_customers(&CustomerListQuery::new(CustomerSort::Name).limit(1))
        .unwrap()
        .items;
    assert_eq!(first[0].id, c.id);
    assert_eq!(first[0].email.as_deref(), Some("A@Example.fr"));
    assert_eq!(first[0].phone.as_deref(), Some("06 12 34 56 78"));
}

#[test]
fn pagination_walks_every_row_exactly_once() {
    let db = open();
    let t = db.tenant("agency");
    let (customers, _) = crm_bench::Synth::new(11, "P")
        .populate(&t, &actor(), 57, 4)
        .unwrap();
    assert_eq!(customers.len(), 57);
    for (sort, reversed, query) in queries() {
        let full = t.list_customers(&query.clone().limit(1_000)).unwrap();
        assert_eq!(full.total, 57);
        assert!(full.next.is_none());
        assert_sorted(sort, reversed, &full.items);
        for size in [1, 7, 10, 19, 56, 57, 58] {
            let mut walked = Vec::new();
            let mut pages = 0;
            let mut page = t.list_customers(&query.clone().limit(size)).unwrap();
            loop {
                pages += 1;
                assert!(pages <= 58, "pagination does not end");
                assert_eq!(page.total, 57);
                assert!(!page.items.is_empty(), "an empty page was served");
                assert!(page.items.len() <= size as usize);
                walked.extend(page.items);
                match page.next {
                    Some(c) => {
                        page = t
                            .list_customers(&query.clone().limit(size).after(c))
                            .unwrap()
                    }
                    None => break,
                }
            }
            assert_eq!(
                ids(&walked),
                ids(&full.items),
                "{sort:?} reversed={reversed} size={size}"
            );
            assert_eq!(
                pages,
                57_usize.div_ceil(size as usize),
                "no trailing empty page"
            );
        }
    }
}

#[test]
fn an_empty_list_has_one_empty_page() {
    let db = open();
    let t = db.tenant("agency");
    for (_, _, q) in queries() {
        let page = t.list_customers(&q).unwrap();
        assert!(page.items.is_empty());
        assert_eq!(page.total, 0);
        assert!(page.next.is_none());
    }
}

#[test]
fn paging_stays_correct_while_rows_are_inserted_and_deleted() {
    for (sort, reversed, query) in queries() {
        let db = open();
        let t = db.tenant("agency");
        let mut synth = crm_bench::Synth::new(5, "I");
        let (start, _) = synth.populate(&t, &actor(), 40, 3).unwrap();
        let start_ids: HashSet<_> = start.iter().map(|c| c.id).collect();
        let mut deleted = HashSet::new();
        let mut walked: Vec<CustomerRow> = Vec::new();
        let mut page = t.list_customers(&query.clone().limit(6)).unwrap();
        let mut round = 0;
        loop {
            for r in &page.items {
                assert!(
                    walked.iter().all(|w| w.id != r.id),
                    "{sort:?} reversed={reversed}: a row was served twice"
                );
            }
            walked.extend(page.items.clone());
            // Between fetches: new customers (some with bookings, sorting anywhere) and a delete
            // of a row not yet seen.
            for _ in 0..3 {
                let c = t.create_customer(&actor(), synth.customer()).unwrap();
                if round % 2 == 0 {
                    t.upsert_booking(&actor(), synth.booking(&c)).unwrap();
                }
            }
            let seen: HashSet<_> = walked.iter().map(|r| r.id).collect();
            let unseen = start
                .iter()
                .rev()
                .find(|c| !seen.contains(&c.id) && !deleted.contains(&c.id));
            if let Some(victim) = unseen
                && round % 3 == 1
            {
                t.delete_customer(&actor(), &victim.id).unwrap();
                deleted.insert(victim.id);
            }
            round += 1;
            match page.next {
                Some(c) => page = t.list_customers(&query.clone().limit(6).after(c)).unwrap(),
                None => break,
            }
        }
        let got: Vec<_> = ids(&walked);
        let unique: HashSet<_> = got.iter().copied().collect();
        assert_eq!(
            unique.len(),
            got.len(),
            "{sort:?} reversed={reversed}: a row was served twice"
        );
        for id in start_ids.difference(&deleted) {
            assert!(
                unique.contains(id),
                "{sort:?} reversed={reversed}: a row present from the start was skipped"
            );
        }
        for id in &deleted {
            assert!(
                !unique.contains(id),
                "a row deleted before its page was served"
            );
        }
        // Whatever was served is in order: the pages join up.
        assert_sorted(sort, reversed, &walked);
    }
}

#[test]
fn a_cursor_of_another_sort_or_direction_is_rejected() {
    let (_db, t, _) = populated();
    for (sort, reversed, query) in queries() {
        let cursor = t
            .list_customers(&query.clone().limit(2))
            .unwrap()
            .next
            .unwrap();
        // Still fine for its own query.
        assert!(
            t.list_customers(&query.clone().limit(2).after(cursor.clone()))
                .is_ok()
        );
        for (other_sort, other_reversed, other) in queries() {
            if (other_sort, other_reversed) == (sort, reversed) {
                continue;
            }
            assert_invalid(
                t.list_customers(&other.limit(2).after(cursor.clone())),
                "cursor",
            );
        }
    }
}

#[test]
fn a_name_cursor_whose_row_was_deleted_is_refused_other_sorts_continue() {
    for (sort, reversed, query) in queries() {
        let (_db, t, _) = populated();
        let first = t.list_customers(&query.clone().limit(3)).unwrap();
        let last_of_page = first.items.last().unwrap().id;
        let cursor = first.next.unwrap();
        t.delete_customer(&actor(), &last_of_page).unwrap();
        let next = t.list_customers(&query.clone().limit(3).after(cursor));
        if sort == CustomerSort::Name {
            // Documented: the name cursor holds only the id; its row is gone, start again.
            assert_invalid(next, "cursor");
        } else {
            let full = t.list_customers(&query.clone().limit(1_000)).unwrap().items;
            let expected: Vec<_> = ids(&full).into_iter().skip(2).take(3).collect();
            assert_eq!(
                ids(&next.unwrap().items),
                expected,
                "{sort:?} reversed={reversed}"
            );
        }
    }
}

#[test]
fn renaming_the_cursor_row_neither_skips_nor_repeats_other_rows() {
    for new_last in ["Zzz", "Aaa"] {
        let db = open();
        let t = db.tenant("agency");
        let names = [
            "Adam", "Bernard", "Carré", "Dupont", "Éluard", "Faure", "Girard", "Hugo",
        ];
        for n in names {
            t.create_customer(&actor(), customer("Jean", n)).unwrap();
        }
        let query = CustomerListQuery::new(CustomerSort::Name).limit(3);
        let first = t.list_customers(&query).unwrap();
        let cursor = first.next.clone().unwrap();
        // A clerk renames the last customer of the page just served.
        let moved = t.get_customer(&first.items[2].id).unwrap();
        let mut edit = moved.edit();
        edit.last_name = new_last.into();
        t.update_customer(&actor(), &moved.id, moved.version, edit)
            .unwrap();
        let rest = match t.list_customers(&query.clone().after(cursor)) {
            // Refusing the cursor (start again) would be acceptable too.
            Err(e) => {
                assert_eq!(e.field(), Some("cursor"), "{e}");
                continue;
            }
            Ok(page) => {
                let mut rows = page.items;
                let mut next = page.next;
                while let Some(c) = next {
                    let p = t.list_customers(&query.clone().after(c)).unwrap();
                    rows.extend(p.items);
                    next = p.next;
                }
                rows
            }
        };
        let served: Vec<_> = first.items.iter().chain(&rest).map(|r| r.id).collect();
        let unique: HashSet<_> = served.iter().copied().collect();
        assert_eq!(
            unique.len(),
            served.len(),
            "renamed to {new_last}: a row was served twice"
        );
        let all: HashSet<_> = t
            .list_customers(&CustomerListQuery::new(CustomerSort::Name))
            .unwrap()
            .items
            .iter()
            .map(|r| r.id)
            .filter(|id| *id != moved.id)
            .collect();
        assert!(
            all.is_subset(&unique),
            "renamed to {new_last}: rows were skipped"
        );
    }
}

#[test]
fn a_name_cursor_carries_no_name() {
    let db = open();
    let t = db.tenant("agency");
    t.create_customer(&actor(), customer("Hélène", "Dupont"))
        .unwrap();
    t.create_customer(&actor(), customer("Zoé", "Moreau"))
        .unwrap();
    let cursor = t
        .list_customers(&CustomerListQuery::new(CustomerSort::Name).limit(1))
        .unwrap()
        .next
        .unwrap();
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.as_str())
        .unwrap();
    let text = String::from_utf8_lossy(&decoded).to_lowercase();
    for name in ["dupont", "helene", "hélène"] {
        assert!(!text.contains(name), "the cursor reveals a name: {text}");
    }
}

#[test]
fn the_page_size_limits_the_rows() {
    let (_db, t, _) = populated();
    let page = t
        .list_customers(&CustomerListQuery::new(CustomerSort::Name).limit(4))
        .unwrap();
    assert_eq!(page.items.len(), 4);
    assert_eq!(page.total, 9);
    assert!(page.next.is_some());
    let default = t.list_customers(&CustomerListQuery::default()).unwrap();
    assert_eq!(default.items.len(), 9, "default page of 50 holds all 9");
    assert_eq!(
        ids(&default.items),
        ids(&t
            .list_customers(&CustomerListQuery::new(CustomerSort::Name))
            .unwrap()
            .items)
    );
}

#[test]
fn name_sort_is_by_last_name_then_first_name() {
    let db = open();
    let t = db.tenant("agency");
    let le = t.create_customer(&actor(), customer("Zoé", "Le")).unwrap();
    let le_blanc = t
        .create_customer(&actor(), customer("Anne", "Le Blanc"))
        .unwrap();
    let van = t.create_customer(&actor(), customer("Zoé", "Van")).unwrap();
    let van_damme = t
        .create_customer(&actor(), customer("Anne", "Van Damme"))
        .unwrap();
    let rows = t
        .list_customers(&CustomerListQuery::new(CustomerSort::Name))
        .unwrap()
        .items;
    assert_eq!(ids(&rows), [le.id, le_blanc.id, van.id, van_damme.id]);
}

// ---------------------------------------------------------------------------------------------
// Property: paging with random page sizes yields exactly the full list, in the documented order.

const FIRST: &[&str] = &[
    "Zoé", "zoe", "Anne", "Émile", "Jürgen", "伟", "Noël", "O'Brien",
];
const LAST: &[&str] = &[
    "Dupont",
    "dupont",
    "Dupönt",
    "Müller",
    "Muller",
    "Núñez",
    "王",
    "Lefèvre",
    "Dupont-Aignan",
];

#[derive(Debug, Clone)]
struct Person {
    first: usize,
    last: usize,
    /// Pickups: day offset and offset hours.
    trips: Vec<(i64, i32)>,
    /// Created in a batch with the previous person.
    batched: bool,
}

fn person() -> impl Strategy<Value = Person> {
    (
        0..FIRST.len(),
        0..LAST.len(),
        proptest::collection::vec((0..6i64, -5..6i32), 0..3),
        any::<bool>(),
    )
        .prop_map(|(first, last, trips, batched)| Person {
            first,
            last,
            trips,
            batched,
        })
}

fn pickup(day: i64, offset_hours: i32) -> chrono::DateTime<chrono::FixedOffset> {
    use chrono::TimeZone;
    chrono::FixedOffset::east_opt(offset_hours * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 5, 1, 12, 0, 0)
        .unwrap()
        + chrono::Duration::days(day)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn paging_with_random_page_sizes_yields_the_sorted_full_list(
        people in proptest::collection::vec(person(), 0..30),
        sizes in proptest::collection::vec(1..9u32, 1..6),
        shape in 0..6usize,
    ) {
        let db = open();
        let t = db.tenant("agency");
        let mut pending: Vec<crm_core::NewCustomer> = Vec::new();
        let mut made: Vec<(Customer, Person)> = Vec::new();
        let flush = |pending: &mut Vec<crm_core::NewCustomer>, made: &mut Vec<(Customer, Person)>, people: &[Person]| {
            let stored = t.create_customers(&actor(), std::mem::take(pending)).unwrap();
            for c in stored {
                let p = people[made.len()].clone();
                made.push((c, p));
            }
        };
        for p in &people {
            if !p.batched && !pending.is_empty() {
                flush(&mut pending, &mut made, &people);
            }
            pending.push(customer(FIRST[p.first], LAST[p.last]));
        }
        flush(&mut pending, &mut made, &people);
        let mut n = 0;
        for (c, p) in &made {
            for (day, off) in &p.trips {
                n += 1;
                let mut b = NewBooking::new(format!("R-{n}"), pickup(*day, *off));
                b.customer_id = Some(c.id);
                t.upsert_booking(&actor(), b).unwrap();
            }
        }

        let (sort, reversed, query) = queries()[shape].clone();
        let full = t.list_customers(&query.clone().limit(1_000)).unwrap();
        prop_assert_eq!(full.total, people.len() as u64);
        prop_assert_eq!(full.items.len(), people.len());
        assert_sorted(sort, reversed, &full.items);

        let mut walked = Vec::new();
        let mut i = 0;
        let mut page = t.list_customers(&query.clone().limit(sizes[0])).unwrap();
        loop {
            prop_assert!(i <= people.len(), "pagination does not end");
            prop_assert!(page.items.len() <= sizes[i % sizes.len()] as usize);
            prop_assert_eq!(page.total, people.len() as u64);
            walked.extend(page.items);
            i += 1;
            match page.next {
                Some(c) => page = t.list_customers(&query.clone().limit(sizes[i % sizes.len()]).after(c)).unwrap(),
                None => break,
            }
        }
        prop_assert_eq!(ids(&walked), ids(&full.items));
        prop_assert_eq!(walked, full.items);
    }
}
