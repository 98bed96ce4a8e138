//! Threads sharing one store: readers (get, list, history, stats, feed) run while a writer
//! writes, without errors, and every page they get is a consistent snapshot.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use chrono::Duration;
use common::*;
use crm_core::{CustomerId, CustomerListQuery, CustomerSort, ErrorKind, NewBooking, Tenant};

const ROUNDS: usize = 40;
const BATCH: usize = 3;

/// What the writer maintains, atomically per transaction:
/// - customers are created `BATCH` at a time, all named `Batch{i}`;
/// - bookings of `traveller` are upserted two at a time (`H-{i}-a`, `H-{i}-b`);
/// - `pair` is updated with first name = last name.
struct World {
    t: Tenant,
    pair: CustomerId,
    traveller: CustomerId,
    seeded: usize,
}

fn world(db: &Db) -> World {
    let t = db.tenant("agency");
    let (seed, _) = crm_bench::Synth::new(21, "S")
        .populate(&t, &actor(), 30, 2)
        .unwrap();
    let pair = t
        .create_customer(&actor(), customer("V0", "V0"))
        .unwrap()
        .id;
    let traveller = t
        .create_customer(&actor(), customer("Hélène", "Traveller"))
        .unwrap()
        .id;
    World {
        t,
        pair,
        traveller,
        seeded: seed.len() + 2,
    }
}

fn write_round(w: &World, i: usize) {
    let name = format!("Batch{i:03}");
    w.t.create_customers(
        &actor(),
        (0..BATCH)
            .map(|k| customer(&format!("{k}"), &name))
            .collect(),
    )
    .unwrap();
    let base = at("2026-01-01T10:00:00+01:00") + Duration::hours(i as i64);
    let trips = ["a", "b"]
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let mut b =
                NewBooking::new(format!("H-{i:03}-{s}"), base + Duration::minutes(k as i64));
            b.customer_id = Some(w.traveller);
            b
        })
        .collect();
    w.t.upsert_bookings(&actor(), trips).unwrap();
    let current = w.t.get_customer(&w.pair).unwrap();
    let mut edit = current.edit();
    edit.first_name = format!("V{}", i + 1);
    edit.last_name = format!("V{}", i + 1);
    w.t.update_customer(&actor(), &w.pair, current.version, edit)
        .unwrap();
}

/// One read of everything; panics on any inconsistency. Returns (customers, version of pair).
fn read_round(w: &World, page_size: u32) -> (u64, i64) {
    // A whole list in one page: rows and total from the same snapshot; batches all or nothing.
    let page =
        w.t.list_customers(&CustomerListQuery::new(CustomerSort::Name).limit(1_000))
            .unwrap();
    assert_eq!(
        page.total,
        page.items.len() as u64,
        "rows and total disagree"
    );
    let mut batches = std::collections::HashMap::<&str, usize>::new();
    for r in &page.items {
        if r.last_name.starts_with("Batch") {
            *batches.entry(r.last_name.as_str()).or_default() += 1;
        }
    }
    assert!(
        batches.values().all(|n| *n == BATCH),
        "a batch was half visible: {batches:?}"
    );
    assert_eq!(page.total as usize, w.seeded + BATCH * batches.len());
    let row = page.items.iter().find(|r| r.id == w.traveller).unwrap();
    assert_eq!(row.bookings % 2, 0, "half a booking batch in the list row");
    let pair_row = page.items.iter().find(|r| r.id == w.pair).unwrap();
    assert_eq!(
        pair_row.first_name, pair_row.last_name,
        "half an update in the list row"
    );

    // Paged walk: pages join up without duplicates, each sorted, while the writer inserts.
    let query = CustomerListQuery::new(CustomerSort::CreatedAt)
        .reversed()
        .limit(page_size);
    let mut seen = HashSet::new();
    let mut last_total = 0;
    let mut previous: Option<(i64, CustomerId)> = None;
    let mut p = w.t.list_customers(&query).unwrap();
    loop {
        assert!(p.items.len() <= page_size as usize);
        assert!(
            p.total >= last_total,
            "the total went down while only inserting"
        );
        last_total = p.total;
        for r in &p.items {
            assert!(seen.insert(r.id), "a row was served twice");
            // Oldest first: (creation millisecond, id) strictly increasing across pages too.
            let key = (r.created_at.timestamp_millis(), r.id);
            assert!(previous.is_none_or(|prev| prev < key), "rows out of order");
            previous = Some(key);
        }
        match p.next {
            Some(c) => p = w.t.list_customers(&query.clone().after(c)).unwrap(),
            None => break,
        }
    }
    assert!(
        seen.len() as u64 >= page.total,
        "rows that existed before the walk were skipped"
    );

    // The updated customer: never half updated.
    let pair = w.t.get_customer(&w.pair).unwrap();
    assert_eq!(pair.first_name, pair.last_name);
    assert_eq!(pair.first_name, format!("V{}", pair.version - 1));

    // History: pairs complete, newest first, agreeing with the stats' own snapshot shape.
    let history = w.t.booking_history(&w.traveller).unwrap();
    assert_eq!(history.len() % 2, 0, "half a booking batch in the history");
    for win in history.windows(2) {
        assert!(win[0].pickup_at > win[1].pickup_at);
    }
    let refs: HashSet<_> = history.iter().map(|b| b.reference.clone()).collect();
    for b in &history {
        let twin = if b.reference.ends_with('a') {
            b.reference.replace("-a", "-b")
        } else {
            b.reference.replace("-b", "-a")
        };
        assert!(refs.contains(&twin), "{} without {twin}", b.reference);
    }
    let stats = w.t.customer_stats(&w.traveller).unwrap();
    assert_eq!(stats.bookings % 2, 0);
    assert!(
        stats.bookings >= history.len() as u64,
        "stats read after history saw fewer bookings"
    );
    if let Some(first) = history.first() {
        assert!(stats.last_booking.unwrap() >= first.pickup_at);
    }

    // The feed: strictly increasing.
    let feed = w.t.changes_since(0, 10_000).unwrap();
    for win in feed.windows(2) {
        assert!(win[0].seq < win[1].seq);
    }
    (page.total, pair.version)
}

/// Counts a running reader; uncounts it however it ends (so the writer never waits on the dead).
struct Alive(Arc<AtomicUsize>);

impl Alive {
    fn new(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::AcqRel);
        Self(Arc::clone(count))
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[test]
fn readers_see_consistent_snapshots_while_one_thread_writes() {
    let db = open();
    let w = Arc::new(world(&db));
    let done = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicUsize::new(0));
    let observed = Arc::new(Mutex::new(HashSet::new()));
    let alive = Arc::new(AtomicUsize::new(0));

    let readers: Vec<_> = (0..3)
        .map(|k| {
            let (w, done, reads) = (Arc::clone(&w), Arc::clone(&done), Arc::clone(&reads));
            let observed = Arc::clone(&observed);
            let alive = Alive::new(&alive);
            thread::spawn(move || {
                let _alive = alive;
                let (mut total, mut version) = (0, 0);
                let mut rounds = 0;
                // At least a few rounds each, and until the writer is done.
                while rounds < 3 || !done.load(Ordering::Acquire) {
                    let (t, v) = read_round(&w, [5, 13, 64][k]);
                    assert!(t >= total, "a reader saw the customer count go back");
                    assert!(
                        v >= version,
                        "a reader saw an older version after a newer one"
                    );
                    (total, version) = (t, v);
                    observed.lock().unwrap().insert(t);
                    rounds += 1;
                    reads.fetch_add(1, Ordering::AcqRel);
                }
            })
        })
        .collect();

    let writer = {
        let (w, done, reads) = (Arc::clone(&w), Arc::clone(&done), Arc::clone(&reads));
        let alive = Arc::clone(&alive);
        thread::spawn(move || {
            for i in 0..ROUNDS {
                if i == ROUNDS / 2 {
                    // Half-way: let the readers complete rounds on this intermediate state.
                    let target = reads.load(Ordering::Acquire) + 6;
                    while reads.load(Ordering::Acquire) < target
                        && alive.load(Ordering::Acquire) > 0
                    {
                        thread::yield_now();
                    }
                }
                write_round(&w, i);
            }
            done.store(true, Ordering::Release);
        })
    };
    writer.join().expect("the writer failed");
    for r in readers {
        r.join().expect("a reader failed");
    }
    assert!(reads.load(Ordering::Relaxed) >= 9);
    let mid = (w.seeded + BATCH * (ROUNDS / 2)) as u64;
    assert!(
        observed.lock().unwrap().contains(&mid),
        "no reader saw the half-way state"
    );
    // Final state: everything the writer wrote.
    let (total, version) = read_round(&w, 50);
    assert_eq!(total as usize, w.seeded + BATCH * ROUNDS);
    assert_eq!(version, 1 + ROUNDS as i64);
    assert_eq!(w.t.booking_history(&w.traveller).unwrap().len(), 2 * ROUNDS);
}

#[test]
fn concurrent_creates_get_distinct_sequential_numbers() {
    let db = open();
    let t = db.tenant("agency");
    let other = db.tenant("other");
    let threads: Vec<_> = (0..4)
        .map(|k| {
            let t = if k == 3 { other.clone() } else { t.clone() };
            thread::spawn(move || {
                (0..20)
                    .map(|i| {
                        t.create_customer(&actor(), customer(&format!("T{k}"), &format!("N{i}")))
                            .unwrap()
                            .customer_no
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut numbers: Vec<i64> = Vec::new();
    let mut other_numbers = Vec::new();
    for (k, h) in threads.into_iter().enumerate() {
        let got = h.join().unwrap();
        assert!(
            got.windows(2).all(|w| w[0] < w[1]),
            "one thread's numbers go back"
        );
        if k == 3 {
            other_numbers = got
        } else {
            numbers.extend(got)
        }
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=60).collect::<Vec<_>>());
    assert_eq!(other_numbers, (1..=20).collect::<Vec<_>>());
    assert_eq!(count_customers(&t), 60);
    assert_eq!(count_customers(&other), 20);
}

#[test]
fn concurrent_updates_of_one_customer_never_lose_a_write() {
    let db = open();
    let t = db.tenant("agency");
    let c = t
        .create_customer(&actor(), customer("Zoé", "Moreau"))
        .unwrap();
    let wins = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..4)
        .map(|k| {
            let (t, wins) = (t.clone(), Arc::clone(&wins));
            thread::spawn(move || {
                for i in 0..10 {
                    let current = t.get_customer(&c.id).unwrap();
                    let mut edit = current.edit();
                    edit.notes = Some(format!("thread {k} round {i}"));
                    match t.update_customer(&actor(), &c.id, current.version, edit) {
                        Ok(saved) => {
                            assert_eq!(saved.version, current.version + 1);
                            wins.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => assert_eq!(e.kind(), ErrorKind::Conflict, "{e}"),
                    }
                }
            })
        })
        .collect();
    for h in threads {
        h.join().unwrap();
    }
    let wins = wins.load(Ordering::Relaxed);
    assert!(
        wins >= 10,
        "at least one thread's update per round succeeds: {wins}"
    );
    let last = t.get_customer(&c.id).unwrap();
    assert_eq!(
        last.version,
        1 + wins as i64,
        "every successful update is one version"
    );
    let updates = all_changes(&t)
        .into_iter()
        .filter(|e| e.kind == crm_core::ChangeKind::CustomerUpdated)
        .count();
    assert_eq!(updates, wins);
}

/// Writes of another handle never hold a search up: a handle that writes without pause (as a
/// second application server or an import would) never lets the feed run dry, and each search
/// answers all the same, reflecting every write of its own handle. The writer stops at its own
/// limit at the latest, so a search that waited for the feed to run dry would finish only after
/// it: the searches must be done while it is still writing.
#[test]
fn searches_answer_while_another_handle_writes_without_pause() {
    // At 500 writes a second: 100 s, far more than the searches need.
    const WRITER_LIMIT: usize = 50_000;
    const SEARCHES: usize = 25;
    let db = open();
    let t = db.tenant("agency");
    let other = db.reopen();
    let w = tenant(&other, "agency");
    t.create_customer(&actor(), customer("Seed", "Customer"))
        .unwrap();
    assert_eq!(
        t.search(&crm_core::CustomerQuery::text("seed"))
            .unwrap()
            .total,
        1
    );
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (stop, written) = (Arc::clone(&stop), Arc::clone(&written));
        thread::spawn(move || {
            // About 500 writes a second (a debug build on two busy cores may write fewer),
            // never pausing longer than a few milliseconds.
            let started = std::time::Instant::now();
            while !stop.load(Ordering::SeqCst) && written.load(Ordering::SeqCst) < WRITER_LIMIT {
                let n = written.load(Ordering::SeqCst);
                w.create_customer(&actor(), customer("Flood", &format!("Writer{n}")))
                    .unwrap();
                written.fetch_add(1, Ordering::SeqCst);
                let due = std::time::Duration::from_millis(n as u64 * 2);
                if let Some(wait) = due.checked_sub(started.elapsed()) {
                    thread::sleep(wait);
                }
            }
        })
    };
    // Let the writer get going.
    while written.load(Ordering::SeqCst) < 50 {
        thread::yield_now();
    }
    for i in 0..SEARCHES {
        let mine = t
            .create_customer(&actor(), customer("Own", &format!("Mine{i}")))
            .unwrap();
        let page = t
            .search(&crm_core::CustomerQuery::text(format!("mine{i}")))
            .unwrap();
        assert!(
            page.items.iter().any(|r| r.id == mine.id),
            "search {i} missed its own write"
        );
    }
    let when_done = written.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    assert!(
        when_done < WRITER_LIMIT,
        "the searches finished only when the writer stopped"
    );
    // Once the writes stop, searches take the rest in and become current.
    let flood = crm_core::CustomerQuery::all().last_name("writer");
    let mut behind = u64::MAX;
    for _ in 0..10_000 {
        let page = t.search(&flood).unwrap();
        assert!(page.behind <= behind, "behind grew without writes");
        if page.behind == behind {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        behind = page.behind;
        if behind == 0 {
            assert_eq!(page.total, written.load(Ordering::SeqCst) as u64);
            return;
        }
    }
    panic!("the index never caught up: still {behind} behind");
}

/// A bulk load by another handle is more than one search takes in: the search says how far
/// behind it answers, and the next searches take in the rest, each a bounded slice.
#[test]
fn a_search_behind_another_handles_bulk_load_says_so_and_catches_up() {
    const LOAD: usize = 30_000;
    let db = open();
    let t = db.tenant("agency");
    t.create_customer(&actor(), customer("Seed", "Customer"))
        .unwrap();
    let everyone = crm_core::CustomerQuery::all();
    assert_eq!(t.search(&everyone).unwrap().behind, 0);
    let other = db.reopen();
    let w = tenant(&other, "agency");
    let load = (0..LOAD)
        .map(|i| customer("Bulk", &format!("Loaded{i}")))
        .collect();
    w.create_customers(&actor(), load).unwrap();
    let first = t.search(&everyone).unwrap();
    assert!(first.behind > 0, "{LOAD} customers taken in by one search");
    // Each search takes a slice in (or, while the index writer is busy elsewhere, nothing):
    // never more behind, and current in the end.
    let mut behind = first.behind;
    let mut progressed = 0;
    for _ in 0..20_000 {
        let page = t.search(&everyone).unwrap();
        assert!(page.behind <= behind, "behind grew without writes");
        if page.behind < behind {
            progressed += 1;
        } else {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        behind = page.behind;
        if behind == 0 {
            assert_eq!(page.total, LOAD as u64 + 1);
            break;
        }
    }
    assert_eq!(behind, 0, "the index never caught up");
    assert!(progressed > 1, "taken in by {progressed} searches");
    // The loading handle's own search reflects its load at once.
    assert_eq!(w.search(&everyone).unwrap().total, LOAD as u64 + 1);
}
