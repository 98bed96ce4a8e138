//! Privacy benchmark on a large store: `plan_anonymise`, `export_personal_data`, `anonymise`
//! (with its index purge and log checkpoint) and a retention dry run. Prints figures; asserts
//! nothing. It anonymises customers: run it on a copy.
//!
//! `make bench-privacy` with `CRM_BENCH_DB` naming the store (e.g. a copy of the dedupe bench's
//! `dedupe.db` with its `.index` folder); without it, `CRM_BENCH_N` customers (default 100,000)
//! are loaded into a temporary store first.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use crm_bench::Synth;
use crm_core::{Actor, Crm, CustomerListQuery, CustomerQuery, CustomerSort, Role, TenantSettings};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn summary(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name}: n={} p50={:.2?} max={:.2?}",
        times.len(),
        at(0.5),
        at(1.0)
    );
}

fn main() {
    let temp = tempfile::tempdir().unwrap();
    let db =
        std::env::var_os("CRM_BENCH_DB").map_or_else(|| temp.path().join("privacy.db"), Into::into);
    let actor = Actor::new("bench", Role::System);
    let dpo = Actor::new("dpo", Role::Organisation);
    let fresh = !db.exists();
    let crm = Crm::open(&db).unwrap();
    let tenant = crm.tenant("agency").unwrap();
    if fresh {
        let n = env("CRM_BENCH_N", 100_000);
        tenant
            .set_settings(&actor, TenantSettings::with_region("FR"))
            .unwrap();
        Synth::new(7, "P").populate(&tenant, &actor, n, 3).unwrap();
    }
    let started = Instant::now();
    tenant.search(&CustomerQuery::all().limit(1)).unwrap();
    let total = tenant
        .list_customers(&CustomerListQuery::new(CustomerSort::Name).limit(1))
        .unwrap()
        .total;
    println!(
        "crm-core privacy bench: {total} customers in {} (index up to date in {:.2?})",
        db.display(),
        started.elapsed()
    );
    // Customers spread over the store, not yet anonymised.
    let page = tenant
        .list_customers(&CustomerListQuery::new(CustomerSort::Name).limit(1000))
        .unwrap();
    let picks: Vec<_> = page
        .items
        .iter()
        .step_by(40)
        .map(|r| r.id)
        .filter(|id| tenant.get_customer(id).unwrap().anonymised_at.is_none())
        .collect();

    let mut times = Vec::new();
    for id in &picks {
        let t = Instant::now();
        tenant.plan_anonymise(id).unwrap();
        times.push(t.elapsed());
    }
    summary("plan_anonymise", times);

    let mut times = Vec::new();
    for id in &picks {
        let t = Instant::now();
        let export = tenant.export_personal_data(&dpo, id).unwrap();
        serde_json::to_string(&export).unwrap();
        times.push(t.elapsed());
    }
    summary("export_personal_data (with JSON)", times);

    let mut times = Vec::new();
    for id in picks.iter().take(5) {
        let t = Instant::now();
        tenant.anonymise(&dpo, id, "bench").unwrap();
        times.push(t.elapsed());
    }
    summary("anonymise (index segments rewritten, log truncated)", times);

    let t = Instant::now();
    let cutoff = chrono::Utc::now() + chrono::Duration::days(1);
    let report = tenant
        .anonymise_inactive(&dpo, cutoff, true, |_, _| {})
        .unwrap();
    println!(
        "anonymise_inactive dry run: {} candidates listed in {:.2?}",
        report.customers.len(),
        t.elapsed()
    );
}
