//! SQLite beside PostgreSQL on the same machine and data: loading customers, type-ahead
//! keystrokes, a write's latency, writes per second of one tenant and of 4 tenants from 4
//! threads, how long after a write through one handle a search through another finds it, and
//! how fast the change feed is compacted (and what a write waits meanwhile).
//! Prints figures; asserts nothing.
//!
//! `make bench-servers` starts a private PostgreSQL server (or uses `CRM_TEST_POSTGRES`);
//! `CRM_BENCH_N` sets the customer count (default 100,000).
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crm_bench::Synth;
use crm_bench::measure::{keystrokes, report};
use crm_core::{Actor, Crm, CustomerQuery, NewCustomer, Role, Tenant, TenantSettings};

/// One store under test: how to open a handle on it (`index` names the handle's index folder:
/// another server on PostgreSQL; on SQLite the handles of a file share its index).
struct Store {
    name: &'static str,
    open: Box<dyn Fn(&str) -> Crm>,
}

fn actor() -> Actor {
    Actor::new("bench", Role::System)
}

fn tenant(crm: &Crm, id: &str) -> Tenant {
    let t = crm.tenant(id).unwrap();
    t.set_settings(&actor(), TenantSettings::with_region("FR"))
        .unwrap();
    t
}

fn stores(dir: &std::path::Path) -> Vec<Store> {
    let file = dir.join("bench.db");
    let sqlite = Store {
        name: "SQLite",
        open: Box::new(move |_| Crm::open(&file).unwrap()),
    };
    let server = std::env::var("CRM_TEST_POSTGRES")
        .expect("CRM_TEST_POSTGRES: run through `make bench-servers`, which starts a server");
    let database = format!("bench_{}", std::process::id());
    let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {database}"))
        .unwrap();
    let url = format!("{server} dbname={database}");
    let dir = dir.to_owned();
    let postgres = Store {
        name: "PostgreSQL",
        open: Box::new(move |index| Crm::connect(&url, dir.join(index)).unwrap()),
    };
    vec![sqlite, postgres]
}

/// Creates `people` in batches of 1,000, as an import or a bulk load does; returns the time.
fn load(t: &Tenant, people: &[NewCustomer]) -> Duration {
    let started = Instant::now();
    for chunk in people.chunks(1_000) {
        t.create_customers(&actor(), chunk.to_vec()).unwrap();
    }
    started.elapsed()
}

/// Creates one customer after another on each of `tenants` (a thread each) for `secs`;
/// returns the writes per second of all threads together.
fn writes_per_second(tenants: Vec<Tenant>, secs: u64) -> f64 {
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let threads: Vec<_> = tenants
        .into_iter()
        .enumerate()
        .map(|(k, t)| {
            let (stop, done) = (Arc::clone(&stop), Arc::clone(&done));
            std::thread::spawn(move || {
                let mut synth = Synth::new(100 + k as u64, "W");
                while !stop.load(Ordering::Relaxed) {
                    t.create_customer(&actor(), synth.customer()).unwrap();
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(secs));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let n: usize = std::env::var("CRM_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    println!("SQLite and PostgreSQL side by side, {n} customers, 2-core machine");
    let mut synth = Synth::new(1, "B");
    let people: Vec<NewCustomer> = (0..n).map(|_| synth.customer()).collect();
    let typed: Vec<String> = people
        .iter()
        .step_by((n / 200).max(1))
        .map(|c| format!("{} {}", c.first_name, c.last_name))
        .collect();
    let strokes: Vec<&str> = typed.iter().flat_map(|q| keystrokes(q)).collect();

    for store in stores(dir.path()) {
        println!("{}:", store.name);
        let one = (store.open)("index-one");
        let t = tenant(&one, "agency");
        let took = load(&t, &people);
        println!(
            "  load {n} customers in batches of 1,000: {took:.2?} ({:.0} rows/s)",
            n as f64 / took.as_secs_f64()
        );
        let started = Instant::now();
        t.search(&CustomerQuery::all().limit(1)).unwrap();
        println!("  first search (index built): {:.2?}", started.elapsed());

        for q in strokes.iter().take(100) {
            t.search(&CustomerQuery::text(*q)).unwrap();
        }
        let mut samples = Vec::new();
        for q in &strokes {
            let started = Instant::now();
            t.search(&CustomerQuery::text(*q)).unwrap();
            samples.push(started.elapsed());
        }
        report("keystroke (top 20 + total)", &samples);

        let mut samples = Vec::new();
        let mut edit = t.get_customer_by_no(1).unwrap();
        for i in 0..500 {
            let mut fields = edit.edit();
            fields.notes = Some(format!("call {i}"));
            let started = Instant::now();
            edit = t
                .update_customer(&actor(), &edit.id, edit.version, fields)
                .unwrap();
            samples.push(started.elapsed());
        }
        report("a write (update a customer)", &samples);

        let one_tenant = writes_per_second(vec![tenant(&one, "w-1")], 3);
        println!("  writes/s, one tenant, 1 thread: {one_tenant:.0}");
        let four: Vec<Tenant> = (0..4).map(|k| tenant(&one, &format!("w4-{k}"))).collect();
        let four = writes_per_second(four, 3);
        println!("  writes/s, 4 tenants, 4 threads: {four:.0}");
        let same: Vec<Tenant> = (0..4).map(|_| one.tenant("w-1").unwrap()).collect();
        let same = writes_per_second(same, 3);
        println!("  writes/s, one tenant, 4 threads: {same:.0}");

        // Another server (PostgreSQL: its own index folder, built first) finds a write.
        let two = (store.open)("index-two");
        let t2 = two.tenant("agency").unwrap();
        let started = Instant::now();
        t2.search(&CustomerQuery::all().limit(1)).unwrap();
        println!(
            "  second server's first search (its index built): {:.2?}",
            started.elapsed()
        );
        let mut samples = Vec::new();
        for i in 0..100 {
            let name = format!("Zyxw{i:03}");
            let mut fields = synth.customer();
            fields.last_name = name.clone();
            t.create_customer(&actor(), fields).unwrap();
            let started = Instant::now();
            while t2.search(&CustomerQuery::text(&name)).unwrap().total == 0 {
                std::thread::sleep(Duration::from_micros(200));
            }
            samples.push(started.elapsed());
        }
        report("write found through the other handle", &samples);

        compaction(&one, &t);
    }
}

/// Compacts every tenant's feed (no retention, no cursor: every event goes) while a thread
/// updates a customer of the largest tenant: how fast events go, and what a write waits.
fn compaction(crm: &Crm, t: &Tenant) {
    let events: i64 = ["agency", "w-1"]
        .iter()
        .chain(&["w4-0", "w4-1", "w4-2", "w4-3"])
        .map(|id| crm.tenant(id).unwrap().feed_bounds().unwrap().head)
        .max()
        .unwrap_or(0);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (stop, t) = (Arc::clone(&stop), t.clone());
        std::thread::spawn(move || {
            let mut samples = Vec::new();
            let mut edit = t.get_customer_by_no(2).unwrap();
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let mut fields = edit.edit();
                fields.notes = Some(format!("compaction {i}"));
                i += 1;
                let started = Instant::now();
                edit = t
                    .update_customer(&actor(), &edit.id, edit.version, fields)
                    .unwrap();
                samples.push(started.elapsed());
                std::thread::sleep(Duration::from_millis(2));
            }
            samples
        })
    };
    std::thread::sleep(Duration::from_millis(5));
    let started = Instant::now();
    let done = crm.compact_feeds(Duration::ZERO).unwrap();
    let took = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let samples = writer.join().unwrap();
    println!(
        "  feed compaction: {} events of {} tenants in {took:.2?} ({:.0} events/s; last sequence \
         before: {events})",
        done.events,
        done.tenants,
        done.events as f64 / took.as_secs_f64()
    );
    report("a write while the feed is compacted", &samples);
}
