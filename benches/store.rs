//! Store benchmark: creating customers one call at a time and as one batch, and customer-list
//! page latency, on real SQLite files. Prints figures; asserts nothing.
//!
//! `make bench` (or `cargo bench -p crm-bench --bench store`); `CRM_BENCH_N` sets the customer
//! count (default 100,000).
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use crm_bench::Synth;
use crm_core::{
    Actor, Crm, CustomerListQuery, CustomerSort, NewCustomer, Role, Tenant, TenantSettings,
};

fn open(dir: &std::path::Path, name: &str) -> (Crm, Tenant, Actor) {
    let crm = Crm::open(dir.join(name)).unwrap();
    let tenant = crm.tenant("bench").unwrap();
    let actor = Actor::new("bench", Role::System);
    tenant
        .set_settings(&actor, TenantSettings::with_region("FR"))
        .unwrap();
    (crm, tenant, actor)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{label:<44} n={:<5} p50={:>9.3?} p99={:>9.3?} max={:>9.3?}",
        samples.len(),
        percentile(&samples, 0.5),
        percentile(&samples, 0.99),
        samples[samples.len() - 1]
    );
}

fn main() {
    let n: usize = std::env::var("CRM_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    println!(
        "crm-core store bench, {n} customers, files in {}",
        dir.path().display()
    );

    let mut synth = Synth::new(1, "B");
    let people: Vec<NewCustomer> = (0..n).map(|_| synth.customer()).collect();

    let (_crm, tenant, actor) = open(dir.path(), "one-by-one.db");
    let started = Instant::now();
    for c in people.iter().cloned() {
        tenant.create_customer(&actor, c).unwrap();
    }
    let one_by_one = started.elapsed();
    println!(
        "create one call at a time: {one_by_one:.2?} ({:.0} customers/s)",
        n as f64 / one_by_one.as_secs_f64()
    );

    let (_crm, tenant, actor) = open(dir.path(), "batch.db");
    let started = Instant::now();
    let created = tenant.create_customers(&actor, people).unwrap();
    let batch = started.elapsed();
    println!(
        "create as one batch:       {batch:.2?} ({:.0} customers/s)",
        n as f64 / batch.as_secs_f64()
    );

    let started = Instant::now();
    let mut trips = Vec::new();
    for c in &created {
        for _ in 0..synth.booking_count(20) {
            trips.push(synth.booking(c));
        }
    }
    let count = trips.len();
    tenant.upsert_bookings(&actor, trips).unwrap();
    println!(
        "upsert {count} bookings as one batch: {:.2?}",
        started.elapsed()
    );

    for sort in [
        CustomerSort::Name,
        CustomerSort::LastBooking,
        CustomerSort::CreatedAt,
    ] {
        let mut first = Vec::new();
        for _ in 0..200 {
            let started = Instant::now();
            tenant
                .list_customers(&CustomerListQuery::new(sort).limit(50))
                .unwrap();
            first.push(started.elapsed());
        }
        report(&format!("list page 1 (50 rows) by {sort:?}"), first);

        let mut walk = Vec::new();
        let mut query = CustomerListQuery::new(sort).limit(50);
        let started_walk = Instant::now();
        loop {
            let started = Instant::now();
            let page = tenant.list_customers(&query).unwrap();
            walk.push(started.elapsed());
            match page.next {
                Some(next) => query = CustomerListQuery::new(sort).limit(50).after(next),
                None => break,
            }
        }
        let total = started_walk.elapsed();
        report(&format!("list every page (50 rows) by {sort:?}"), walk);
        println!("  walked all {n} rows in {total:.2?}");
    }
}
