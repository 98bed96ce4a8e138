//! The search index is derived from SQLite and recovers from anything that happens to it:
//! the index kept up incrementally through many mutations answers as a full `reindex()` does, and
//! as an index rebuilt from a copy of the SQLite file alone; a writer process killed (SIGKILL)
//! between its SQLite commits and its index commits, or one that never searched, leaves a store
//! whose next search finds every customer by its current values only; and an index folder whose
//! files were overwritten, emptied or deleted is rebuilt on reopen, never an error.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use common::{actor, all_rows, booking_for, customer, tenant};
use crm_core::limits::MAX_PAGE;
use crm_core::{
    Address, BookingStatus, Crm, Customer, CustomerId, CustomerListQuery, CustomerQuery,
    CustomerRow, CustomerSort, NewBooking, NewCustomer, SearchSort, Tenant, fold,
};

// ---------------------------------------------------------------------------------------------
// A deterministic workload

/// xorshift64*: the same sequence on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const FIRST: &[&str] = &["Anne", "Hélène", "José", "Jürgen", "Zoé", "Marc", "Łukasz"];
const LAST: &[&str] = &[
    "Dupont", "Dupond", "Müller", "Núñez", "Martin", "Le Blanc", "Dupontel",
];
const EMAILS: &[&str] = &["anne@example.fr", "helene.dupont@example.fr", "jm@web.de"];
const PHONES: &[&str] = &[
    "06 12 34 56 78",
    "04 72 00 11 22",
    "+49 30 1234567",
    "07 98 76 54 32",
];
const CITIES: &[&str] = &["Lyon", "Lyonnais", "Genève", "Paris"];
const COUNTRIES: &[&str] = &["FR", "CH", "DE"];
const HOTELS: &[&str] = &["Hôtel du Parc", "Ibis", "Novotel"];
const TRANSPORTS: &[&str] = &["Van", "Bus", "Train"];

fn random_customer(rng: &mut Rng, n: usize) -> NewCustomer {
    let mut c = customer(rng.pick(FIRST), rng.pick(LAST));
    c.email = match rng.below(3) {
        0 => None,
        1 => Some(rng.pick(EMAILS).into()),
        _ => Some(format!("u{n}@example.fr")),
    };
    c.mobile = rng.chance(50).then(|| rng.pick(PHONES).into());
    if rng.chance(30) {
        let phone = rng.pick(PHONES).to_string();
        c.phone = (c.mobile.as_ref() != Some(&phone)).then_some(phone);
    }
    c.address = Address {
        city: rng.chance(70).then(|| rng.pick(CITIES).into()),
        country: rng.chance(70).then(|| rng.pick(COUNTRIES).into()),
        ..Default::default()
    };
    c
}

fn random_booking(rng: &mut Rng, who: &CustomerId) -> NewBooking {
    let pickup = format!(
        "2026-{:02}-{:02}T{:02}:00:00Z",
        7 + rng.below(2),
        1 + rng.below(28),
        rng.below(24)
    );
    let mut b = NewBooking::new(format!("BK-{}", rng.below(30)), common::at(&pickup));
    b.customer_id = Some(*who);
    b.hotel = rng.chance(70).then(|| rng.pick(HOTELS).into());
    b.transport = rng.chance(70).then(|| rng.pick(TRANSPORTS).into());
    b.status = rng.pick(BookingStatus::ALL);
    b
}

/// `steps` random mutations of `t`, with a search every `search_every` steps so that the index
/// follows them incrementally.
fn mutate(t: &Tenant, rng: &mut Rng, steps: usize, search_every: usize) {
    let a = actor();
    let mut live: Vec<CustomerId> = Vec::new();
    let mut refs: BTreeSet<String> = BTreeSet::new();
    let mut n = 0;
    for step in 0..steps {
        let op = if live.len() < 4 { 0 } else { rng.below(10) };
        match op {
            0 | 1 => {
                n += 1;
                live.push(t.create_customer(&a, random_customer(rng, n)).unwrap().id);
            }
            2 => {
                let batch = (0..3)
                    .map(|_| {
                        n += 1;
                        random_customer(rng, n)
                    })
                    .collect();
                live.extend(t.create_customers(&a, batch).unwrap().iter().map(|c| c.id));
            }
            3 => {
                let id = live[rng.below(live.len())];
                let c = t.get_customer(&id).unwrap();
                let mut edit = c.edit();
                match rng.below(5) {
                    0 => edit.last_name = rng.pick(LAST).into(),
                    1 => edit.address.city = rng.chance(80).then(|| rng.pick(CITIES).into()),
                    2 => edit.email = rng.chance(50).then(|| rng.pick(EMAILS).into()),
                    3 => edit.mobile = rng.chance(50).then(|| rng.pick(PHONES).into()),
                    _ => edit.address.country = Some(rng.pick(COUNTRIES).into()),
                }
                if edit.phone.is_some() && edit.phone == edit.mobile {
                    edit.phone = None;
                }
                t.update_customer(&a, &id, c.version, edit).unwrap();
            }
            4 => {
                let id = live.swap_remove(rng.below(live.len()));
                t.delete_customer(&a, &id).unwrap();
            }
            5 | 6 => {
                let who = live[rng.below(live.len())];
                let b = random_booking(rng, &who);
                refs.insert(b.reference.clone());
                t.upsert_booking(&a, b).unwrap();
            }
            7 => {
                let batch: Vec<NewBooking> = (0..3)
                    .map(|_| {
                        let who = live[rng.below(live.len())];
                        random_booking(rng, &who)
                    })
                    .collect();
                refs.extend(batch.iter().map(|b| b.reference.clone()));
                t.upsert_bookings(&a, batch).unwrap();
            }
            _ => {
                if let Some(reference) = refs.iter().nth(rng.below(refs.len().max(1))).cloned() {
                    let to = rng.chance(75).then(|| live[rng.below(live.len())]);
                    t.link_booking(&a, &reference, to.as_ref()).unwrap();
                }
            }
        }
        if step % search_every == search_every - 1 {
            t.search(&CustomerQuery::text(rng.pick(FIRST)).limit(5))
                .unwrap();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The queries and how their results are compared

fn jul(d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2026, 7, d)
}

const SORTS: [SearchSort; 4] = [
    SearchSort::Relevance,
    SearchSort::Name,
    SearchSort::LastBooking,
    SearchSort::CreatedAt,
];

/// About thirty queries (texts, filters, both), each in every sort.
fn queries() -> Vec<(SearchSort, CustomerQuery)> {
    let q = CustomerQuery::all;
    let t = CustomerQuery::text;
    let base = vec![
        q(),
        t("dup"),
        t("dupont"),
        t("dupomt"),
        t("hel"),
        t("MULL"),
        t("nunez"),
        t("zo"),
        t("luk"),
        t("anne dup"),
        t("example"),
        t("jm@web"),
        t("0612"),
        t("5678"),
        t("+33 4 72"),
        q().city("lyon"),
        q().country("fr"),
        q().hotel("ibis"),
        q().hotel("hotel du parc"),
        q().transport("van"),
        q().booking_status(BookingStatus::Cancelled),
        q().has_email(true),
        q().has_mobile(false),
        q().departure_between(jul(10), jul(20)),
        q().last_booking_between(jul(15), None),
        q().email("anne@example.fr"),
        q().phone("06 12 34 56 78"),
        q().last_name("dup"),
        t("dup").city("lyon"),
        t("an").country("fr").has_email(true),
        q().city("lyon")
            .departure_between(jul(1), NaiveDate::from_ymd_opt(2026, 8, 31)),
    ];
    base.into_iter()
        .flat_map(|q| SORTS.map(|s| (s, q.clone().sort(s).limit(MAX_PAGE))))
        .collect()
}

/// What a search answered: its total and its rows.
type Answer = (u64, Vec<CustomerRow>);

fn answers(tenants: &[Tenant]) -> Vec<Answer> {
    let mut out = Vec::new();
    for t in tenants {
        for (_, q) in queries() {
            let page = t.search(&q).unwrap();
            assert_eq!(page.total, page.items.len() as u64, "{q:?}");
            out.push((page.total, page.items));
        }
    }
    out
}

/// The key a sort orders by, as far as the rows show it (relevance: its tie-break, the UTC day
/// of the latest booking).
fn sort_key(sort: SearchSort, r: &CustomerRow) -> String {
    const MICROS_PER_DAY: i64 = 86_400_000_000;
    match sort {
        SearchSort::Name => format!("{}\u{1}{}", fold(&r.last_name), fold(&r.first_name)),
        SearchSort::CreatedAt => r.created_at.timestamp_micros().to_string(),
        SearchSort::LastBooking => format!("{:?}", r.last_booking.map(|d| d.timestamp_micros())),
        _ => format!(
            "{:?}",
            r.last_booking
                .map(|d| d.timestamp_micros().div_euclid(MICROS_PER_DAY))
        ),
    }
}

/// The rows in runs of equal sort key, each run as a set: two correct indexes may order ties
/// differently (documents in another order), nothing else.
fn runs(sort: SearchSort, rows: &[CustomerRow]) -> Vec<(String, BTreeSet<CustomerId>)> {
    let mut out: Vec<(String, BTreeSet<CustomerId>)> = Vec::new();
    for r in rows {
        let key = sort_key(sort, r);
        match out.last_mut() {
            Some((k, ids)) if *k == key => {
                ids.insert(r.id);
            }
            _ => out.push((key, BTreeSet::from([r.id]))),
        }
    }
    out
}

#[track_caller]
fn assert_same_answers(what: &str, before: &[Answer], after: &[Answer]) {
    let qs = queries();
    assert_eq!(before.len(), after.len());
    for (i, (b, a)) in before.iter().zip(after).enumerate() {
        let (sort, q) = &qs[i % qs.len()];
        let tenant = i / qs.len();
        let ctx = || format!("{what}: tenant {tenant}, {q:?}");
        assert_eq!(b.0, a.0, "total differs. {}", ctx());
        let rows = |rows: &[CustomerRow]| -> BTreeMap<CustomerId, CustomerRow> {
            rows.iter().map(|r| (r.id, r.clone())).collect()
        };
        assert_eq!(rows(&b.1), rows(&a.1), "hits differ. {}", ctx());
        assert_eq!(
            runs(*sort, &b.1),
            runs(*sort, &a.1),
            "order differs. {}",
            ctx()
        );
    }
}

fn index_dir(db: &Path) -> PathBuf {
    let mut dir = db.as_os_str().to_owned();
    dir.push(".index");
    PathBuf::from(dir)
}

// ---------------------------------------------------------------------------------------------
// a) reindex equals incremental

#[test]
fn reindex_and_a_rebuild_from_sqlite_equal_the_incremental_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    let names = ["agency", "other"];
    let (incremental, customers) = {
        let crm = Crm::open(&path).unwrap();
        let tenants: Vec<Tenant> = names.iter().map(|n| tenant(&crm, n)).collect();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        // Interleaved, so that each tenant's writes land between the other's searches.
        for _ in 0..4 {
            for t in &tenants {
                mutate(t, &mut rng, 80, 8);
            }
        }
        let customers: u64 = tenants
            .iter()
            .map(|t| {
                t.list_customers(&CustomerListQuery::new(CustomerSort::Name).limit(1))
                    .unwrap()
                    .total
            })
            .sum();
        assert!(
            customers > 100,
            "the workload made only {customers} customers"
        );
        let incremental = answers(&tenants);
        let hits: usize = incremental.iter().map(|a| a.1.len()).sum();
        assert!(hits > 1_000, "the queries found too little: {hits}");

        let mut progress = Vec::new();
        crm.reindex(|done, total| progress.push((done, total)))
            .unwrap();
        assert_eq!(progress.last(), Some(&(customers, customers)));
        assert!(progress.windows(2).all(|w| w[0].0 <= w[1].0));
        assert_same_answers("after reindex", &incremental, &answers(&tenants));
        (incremental, customers)
    };

    // Every handle is closed: SQLite has checkpointed its journal into the file.
    let copy = dir.path().join("copy.db");
    std::fs::copy(&path, &copy).unwrap();
    let wal = dir.path().join("crm.db-wal");
    if wal.exists() {
        std::fs::copy(&wal, dir.path().join("copy.db-wal")).unwrap();
    }
    assert!(!index_dir(&copy).exists());
    {
        let crm = Crm::open(&copy).unwrap();
        let tenants: Vec<Tenant> = names.iter().map(|n| crm.tenant(n).unwrap()).collect();
        assert_same_answers(
            "on a copy of the SQLite file",
            &incremental,
            &answers(&tenants),
        );
        let mut progress = Vec::new();
        crm.reindex(|done, total| progress.push((done, total)))
            .unwrap();
        assert_eq!(progress.last(), Some(&(customers, customers)));
    }
    {
        let crm = Crm::open(&path).unwrap();
        let tenants: Vec<Tenant> = names.iter().map(|n| crm.tenant(n).unwrap()).collect();
        assert_same_answers("reopened", &incremental, &answers(&tenants));
    }
}

// ---------------------------------------------------------------------------------------------
// b) a crash between the SQLite commit and the index commit

const ENV_DB: &str = "CRM_SEARCH_CRASH_DB";
const ENV_MODE: &str = "CRM_SEARCH_CRASH_MODE";
const ENV_CHILD: &str = "CRM_SEARCH_CRASH_CHILD";
const PER_ROUND: usize = 20;

/// A fixed-width last name, so that no one's name is a prefix of another's.
fn crash_name(kind: char, child: usize, round: usize, i: usize) -> String {
    format!("{kind}{child:02}R{round:04}I{i:02}")
}

fn crash_email(child: usize, round: usize, i: usize) -> String {
    format!("c{child}r{round}i{i}@example.fr")
}

fn progress_file(db: &Path, child: usize) -> PathBuf {
    db.with_extension(format!("progress{child}"))
}

/// Not a test of its own: the body of the child process the crash tests start and kill. Each
/// round creates a batch of customers, books some, renames and deletes some of the previous
/// round's and relinks one of its bookings; in "search" mode every write is followed by a
/// search (which commits the index), in "write" mode nothing ever searches.
#[test]
#[ignore = "run as a child process by the crash tests"]
fn crash_child_writes_until_killed() {
    let Ok(path) = std::env::var(ENV_DB) else {
        return;
    };
    let searching = std::env::var(ENV_MODE).unwrap() == "search";
    let child: usize = std::env::var(ENV_CHILD).unwrap().parse().unwrap();
    let crm = Crm::open(&path).unwrap();
    let t = tenant(&crm, "agency");
    let a = actor();
    let sync = || {
        if searching {
            t.search(&CustomerQuery::all().limit(1)).unwrap();
        }
    };
    let mut previous: Vec<Customer> = Vec::new();
    for round in 0.. {
        let batch = (0..PER_ROUND)
            .map(|i| NewCustomer {
                email: Some(crash_email(child, round, i)),
                ..customer("Crash", &crash_name('Q', child, round, i))
            })
            .collect();
        let created = t.create_customers(&a, batch).unwrap();
        sync();
        let trips = created
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 3 == 0)
            .map(|(i, c)| {
                let pickup = format!("2026-07-{:02}T10:00:00Z", 1 + (round + i) % 28);
                let mut b = booking_for(&format!("C{child}-{round}-{i}"), &pickup, c);
                b.hotel = Some(HOTELS[(round + i) % HOTELS.len()].into());
                b
            })
            .collect();
        t.upsert_bookings(&a, trips).unwrap();
        sync();
        if round > 0 {
            for (i, c) in previous.iter().enumerate() {
                if i % 5 == 1 {
                    let mut edit = c.edit();
                    edit.last_name = crash_name('U', child, round - 1, i);
                    t.update_customer(&a, &c.id, c.version, edit).unwrap();
                    sync();
                }
                if i % 7 == 3 {
                    t.delete_customer(&a, &c.id).unwrap();
                    sync();
                }
            }
            let reference = format!("C{child}-{}-0", round - 1);
            t.link_booking(&a, &reference, Some(&created[1].id))
                .unwrap();
            sync();
        }
        std::fs::write(progress_file(Path::new(&path), child), round.to_string()).unwrap();
        previous = created;
    }
}

fn spawn_child(db: &Path, child: usize, mode: &str, log: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "search_recovery::crash_child_writes_until_killed",
            "--test-threads=1",
        ])
        .env(ENV_DB, db)
        .env(ENV_MODE, mode)
        .env(ENV_CHILD, child.to_string())
        .env("RUST_BACKTRACE", "0")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap()
}

/// Starts a child, times one of its rounds (from the first round seen done to the next), and kills
/// it `fraction` of a round into the round after: the kill lands at a different point of a round
/// for each fraction.
fn run_and_kill(db: &Path, child: usize, mode: &str, fraction: f64) {
    let log = db.with_extension(format!("log{child}"));
    let mut proc = spawn_child(db, child, mode, &log);
    let started = Instant::now();
    let progress = progress_file(db, child);
    // The first round seen finished, and when: a round lasts until the next one shows. (A fast
    // child may finish rounds 0 and 1 between two looks, so any round can be the first seen.)
    let mut first_seen: Option<(usize, Instant)> = None;
    let round = loop {
        let done = std::fs::read_to_string(&progress)
            .ok()
            .and_then(|s| s.parse::<usize>().ok());
        match (done, first_seen) {
            (Some(r), None) => first_seen = Some((r, Instant::now())),
            (Some(r), Some((r0, at))) if r > r0 => break at.elapsed(),
            _ => {}
        }
        if let Some(status) = proc.try_wait().unwrap() {
            panic!(
                "child {child} ({mode}) exited early with {status}:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        // Generous: a debug build shares two cores with the other tests of this file.
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "child {child} made no progress"
        );
        std::thread::sleep(Duration::from_millis(1));
    };
    std::thread::sleep(round.mul_f64(fraction));
    proc.kill().unwrap();
    proc.wait().unwrap();
}

fn ids(t: &Tenant, q: &CustomerQuery) -> Vec<CustomerId> {
    t.search(&q.clone().limit(MAX_PAGE))
        .unwrap()
        .items
        .iter()
        .map(|r| r.id)
        .collect()
}

/// Reopens the store and checks that the index agrees with SQLite: every customer found by its
/// current name and email (and nobody else by them), renamed ones not by their old name, deleted
/// ones not at all, the hotel filter counting what the booking histories say.
fn check_index_agrees(db: &Path) {
    let crm = Crm::open(db).unwrap();
    let t = crm.tenant("agency").unwrap();
    let rows = all_rows(&t, CustomerListQuery::new(CustomerSort::Name).limit(1_000));
    let in_sqlite: BTreeSet<CustomerId> = rows.iter().map(|r| r.id).collect();

    // Everything, walked page by page.
    let mut found = BTreeSet::new();
    let mut offset = 0;
    loop {
        let page = t
            .search(&CustomerQuery::all().offset(offset).limit(MAX_PAGE))
            .unwrap();
        assert_eq!(page.total, rows.len() as u64, "all() total vs the list");
        let n = page.items.len() as u32;
        found.extend(page.items.iter().map(|r| r.id));
        if n < MAX_PAGE {
            break;
        }
        offset += u64::from(MAX_PAGE);
    }
    assert_eq!(found, in_sqlite, "all() hits vs the customers in SQLite");

    let by_name: BTreeMap<&str, CustomerId> =
        rows.iter().map(|r| (r.last_name.as_str(), r.id)).collect();
    let mut rounds = BTreeSet::new();
    for r in &rows {
        assert_eq!(
            ids(&t, &CustomerQuery::all().last_name(&r.last_name)),
            [r.id],
            "last_name filter {}",
            r.last_name
        );
        let typed = t.search(&CustomerQuery::text(&r.last_name)).unwrap();
        assert_eq!(
            typed.items.first().map(|h| h.id),
            Some(r.id),
            "text {}",
            r.last_name
        );
        if let Some(email) = &r.email {
            assert_eq!(
                ids(&t, &CustomerQuery::all().email(email)),
                [r.id],
                "email {email}"
            );
        }
        let name = &r.last_name;
        if name.len() == 11 && (name.starts_with('Q') || name.starts_with('U')) {
            let child: usize = name[1..3].parse().unwrap();
            let round: usize = name[4..8].parse().unwrap();
            rounds.insert((child, round));
        }
    }
    // Renamed: not found by the old name. Deleted: found by nothing.
    for (child, round) in rounds {
        for i in 0..PER_ROUND {
            let old = crash_name('Q', child, round, i);
            let new = crash_name('U', child, round, i);
            let renamed = by_name.contains_key(new.as_str());
            let kept = by_name.contains_key(old.as_str());
            if !kept {
                assert!(
                    ids(&t, &CustomerQuery::all().last_name(&old)).is_empty(),
                    "{old} renamed or deleted, still found by its old name"
                );
            }
            if !kept && !renamed {
                assert!(
                    ids(&t, &CustomerQuery::all().last_name(&new)).is_empty(),
                    "{new} never existed"
                );
                let email = crash_email(child, round, i);
                assert!(
                    ids(&t, &CustomerQuery::all().email(&email)).is_empty(),
                    "deleted {old} still found by {email}"
                );
            }
        }
    }
    // Booking facts follow the bookings.
    for hotel in HOTELS {
        let expected = rows
            .iter()
            .filter(|r| {
                t.booking_history(&r.id)
                    .unwrap()
                    .iter()
                    .any(|b| b.hotel.as_deref() == Some(hotel))
            })
            .count();
        let got = t
            .search(&CustomerQuery::all().hotel(*hotel).limit(1))
            .unwrap()
            .total;
        assert_eq!(got, expected as u64, "hotel {hotel}");
    }
}

/// Seeds a store whose index has committed something, so that a later reopen replays.
fn seeded_store(dir: &Path) -> PathBuf {
    let path = dir.join("crash.db");
    let crm = Crm::open(&path).unwrap();
    let t = tenant(&crm, "agency");
    let seed = (0..10)
        .map(|i| customer("Seed", &format!("Seed{i:04}")))
        .collect();
    t.create_customers(&actor(), seed).unwrap();
    assert_eq!(t.search(&CustomerQuery::all()).unwrap().total, 10);
    path
}

#[test]
fn killed_searching_writer_leaves_an_index_that_finds_every_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = seeded_store(dir.path());
    for (child, fraction) in [0.0, 0.2, 0.4, 0.6, 0.8].into_iter().enumerate() {
        run_and_kill(&path, child, "search", fraction);
        check_index_agrees(&path);
    }
}

#[test]
fn killed_writer_that_never_searched_leaves_an_index_that_catches_up() {
    let dir = tempfile::tempdir().unwrap();
    let path = seeded_store(dir.path());
    // Plain writers, then a searching one on top of what they left, then a plain one again.
    let runs = [
        ("write", 0.1),
        ("write", 0.5),
        ("search", 0.3),
        ("write", 0.9),
    ];
    for (child, (mode, fraction)) in runs.into_iter().enumerate() {
        run_and_kill(&path, child, mode, fraction);
        check_index_agrees(&path);
    }
}

/// The state a SIGKILL inside an index commit leaves, made on purpose: the commit's new files
/// (segment, deletes) are on disk but `meta.json` still names the previous commit. The next
/// process replays the same changes, so its commit writes files of the same names.
#[test]
fn files_of_a_commit_cut_short_do_not_block_the_next_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    let index = index_dir(&path);
    let meta = index.join("meta.json");
    let renamed = {
        let crm = Crm::open(&path).unwrap();
        let t = tenant(&crm, "agency");
        let made = t
            .create_customers(
                &actor(),
                (0..20)
                    .map(|i| customer("Cut", &format!("Short{i:02}")))
                    .collect(),
            )
            .unwrap();
        assert_eq!(t.search(&CustomerQuery::all()).unwrap().total, 20);
        let before = std::fs::read(&meta).unwrap();
        // An update: its commit deletes a document of the committed segment (a .del file) and
        // adds a new one (a new segment).
        let c = &made[3];
        let mut edit = c.edit();
        edit.last_name = "Renamed".into();
        t.update_customer(&actor(), &c.id, c.version, edit).unwrap();
        assert_eq!(ids(&t, &CustomerQuery::text("renamed")), [c.id]);
        // "Killed" before the new meta.json replaced the old one.
        std::fs::write(&meta, before).unwrap();
        c.id
    };
    let crm = Crm::open(&path).unwrap();
    let t = crm.tenant("agency").unwrap();
    match t.search(&CustomerQuery::text("renamed")) {
        Ok(page) => assert_eq!(
            page.items.iter().map(|r| r.id).collect::<Vec<_>>(),
            [renamed]
        ),
        Err(e) => panic!("search after a commit cut short failed: {e:?}"),
    }
    // Other customers match `short03` within one typo; the renamed one must not.
    assert!(!ids(&t, &CustomerQuery::text("short03")).contains(&renamed));
    assert_eq!(ids(&t, &CustomerQuery::all().last_name("Short03")), []);
    assert_eq!(t.search(&CustomerQuery::all()).unwrap().total, 20);
}

// ---------------------------------------------------------------------------------------------
// c) a damaged index folder is rebuilt

/// Builds a two-tenant store through a workload, records its answers, applies `damage` to its
/// closed index folder, reopens it and checks it answers the same, takes writes and reopens.
fn damaged_store_case(damage: impl Fn(&Path)) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    let names = ["agency", "other"];
    let before = {
        let crm = Crm::open(&path).unwrap();
        let tenants: Vec<Tenant> = names.iter().map(|n| tenant(&crm, n)).collect();
        let mut rng = Rng(0xD1B5_4A32_D192_ED03);
        for t in &tenants {
            mutate(t, &mut rng, 100, 50);
        }
        answers(&tenants)
    };
    let index = index_dir(&path);
    let files = files_under(&index);
    assert!(
        files.iter().any(|f| f.ends_with("meta.json")),
        "no index was written: {files:?}"
    );
    damage(&index);

    let crm = match Crm::open(&path) {
        Ok(crm) => crm,
        Err(e) => panic!(
            "reopening over a damaged index failed: {e} ({:?})",
            e.kind()
        ),
    };
    let tenants: Vec<Tenant> = names.iter().map(|n| crm.tenant(n).unwrap()).collect();
    let mut after = Vec::new();
    for t in &tenants {
        for (_, q) in queries() {
            match t.search(&q) {
                Ok(page) => after.push((page.total, page.items)),
                Err(e) => panic!("search over a damaged index failed: {e} ({:?})", e.kind()),
            }
        }
    }
    assert_same_answers("after the damage", &before, &after);
    // The rebuilt index takes writes again, and survives another reopen.
    let newcomer = tenants[0]
        .create_customer(&actor(), customer("Newcomer", "Afterwards"))
        .unwrap();
    assert_eq!(
        ids(&tenants[0], &CustomerQuery::text("afterw")),
        [newcomer.id]
    );
    drop(tenants);
    drop(crm);
    let crm = Crm::open(&path).unwrap();
    let t = crm.tenant("agency").unwrap();
    assert_eq!(ids(&t, &CustomerQuery::text("afterw")), [newcomer.id]);
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn junk(len: usize) -> Vec<u8> {
    let mut rng = Rng(0xBAD5_EED5);
    (0..len.max(64)).map(|_| rng.next() as u8).collect()
}

#[test]
fn junk_in_every_index_file_is_rebuilt() {
    damaged_store_case(|index| {
        for f in files_under(index) {
            let len = std::fs::metadata(&f).unwrap().len() as usize;
            std::fs::write(&f, junk(len)).unwrap();
        }
    });
}

#[test]
fn emptied_index_files_are_rebuilt() {
    damaged_store_case(|index| {
        for f in files_under(index) {
            std::fs::write(&f, b"").unwrap();
        }
    });
}

#[test]
fn junk_in_segment_files_under_an_intact_meta_is_rebuilt() {
    damaged_store_case(|index| {
        for f in files_under(index) {
            if !f.ends_with("meta.json") {
                let len = std::fs::metadata(&f).unwrap().len() as usize;
                std::fs::write(&f, junk(len)).unwrap();
            }
        }
    });
}

#[test]
fn deleted_segment_files_under_an_intact_meta_are_rebuilt() {
    damaged_store_case(|index| {
        for f in files_under(index) {
            if !f.ends_with("meta.json") {
                std::fs::remove_file(&f).unwrap();
            }
        }
    });
}

#[test]
fn junk_files_added_to_the_index_folder_do_no_harm() {
    damaged_store_case(|index| {
        std::fs::write(index.join("garbage.bin"), junk(4096)).unwrap();
        std::fs::write(
            index.join("0123456789abcdef0123456789abcdef.idx"),
            junk(300),
        )
        .unwrap();
        std::fs::create_dir_all(index.join("subdir")).unwrap();
        std::fs::write(index.join("subdir").join("x"), junk(10)).unwrap();
    });
}

// ---------------------------------------------------------------------------------------------
// d) large backlogs and concurrent rebuilds

/// A bulk load into an in-memory store is caught up by a rebuild; searches and later writes work
/// on the result.
#[test]
fn in_memory_store_rebuilds_a_bulk_load() {
    let crm = Crm::open_in_memory().unwrap();
    let t = tenant(&crm, "agency");
    // More than the 20,000 change events from which a backlog is caught up by a rebuild.
    for round in 0..4 {
        let batch = (0..5_500)
            .map(|i| customer("Bulk", &format!("Load{round}x{i}")))
            .collect();
        t.create_customers(&actor(), batch).unwrap();
    }
    assert_eq!(t.search(&CustomerQuery::all()).unwrap().total, 22_000);
    assert_eq!(
        ids(&t, &CustomerQuery::all().last_name("Load3x5499")).len(),
        1
    );
    let more = t
        .create_customers(&actor(), vec![customer("After", "Rebuild")])
        .unwrap();
    assert_eq!(ids(&t, &CustomerQuery::text("after rebuild")), [more[0].id]);
    assert_eq!(t.search(&CustomerQuery::all()).unwrap().total, 22_001);
}

/// While one thread rebuilds, another thread's searches answer from the index as it was instead
/// of waiting for the rebuild.
#[test]
fn searches_answer_from_the_old_index_during_a_rebuild() {
    let db = common::open();
    let t = db.tenant("agency");
    let batch = (0..3_000)
        .map(|i| customer("During", &format!("Rebuild{i}")))
        .collect();
    t.create_customers(&actor(), batch).unwrap();
    assert_eq!(t.search(&CustomerQuery::all()).unwrap().total, 3_000);
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let crm = &db.crm;
        scope.spawn(move || {
            let mut first = true;
            crm.reindex(|_, _| {
                if first {
                    first = false;
                    started_tx.send(()).unwrap();
                    // Hold the rebuild open until the other thread has searched.
                    let _ = done_rx.recv_timeout(Duration::from_secs(20));
                }
            })
            .unwrap();
        });
        started_rx.recv().unwrap();
        let searched = Instant::now();
        let page = t
            .search(&CustomerQuery::all().last_name("Rebuild2999"))
            .unwrap();
        let waited = searched.elapsed();
        done_tx.send(()).unwrap();
        assert_eq!(page.total, 1);
        assert!(
            waited < Duration::from_secs(10),
            "the search waited {waited:?} for the rebuild"
        );
    });
    assert_eq!(t.search(&CustomerQuery::all()).unwrap().total, 3_000);
}
