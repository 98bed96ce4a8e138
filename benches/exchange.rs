//! Export benchmark on a large store: CSV and XLSX of every customer. Prints figures; asserts
//! nothing; reads only.
//!
//! `make bench-exchange` with `CRM_BENCH_DB` naming the store (e.g. the dedupe bench's
//! `dedupe.db`); without it, `CRM_BENCH_N` customers (default 100,000) are loaded into a
//! temporary store first.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::Instant;

use crm_bench::Synth;
use crm_core::{Actor, Crm, ExportOptions, Role, TenantSettings};

fn main() {
    let temp = tempfile::tempdir().unwrap();
    let db = std::env::var_os("CRM_BENCH_DB")
        .map_or_else(|| temp.path().join("exchange.db"), Into::into);
    let fresh = !db.exists();
    let crm = Crm::open(&db).unwrap();
    let tenant = crm.tenant("agency").unwrap();
    if fresh {
        let actor = Actor::new("bench", Role::System);
        let n = std::env::var("CRM_BENCH_N")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000);
        tenant
            .set_settings(&actor, TenantSettings::with_region("FR"))
            .unwrap();
        Synth::new(9, "X").populate(&tenant, &actor, n, 3).unwrap();
    }
    let out = temp.path().join("customers.csv");
    let started = Instant::now();
    let file = std::io::BufWriter::new(std::fs::File::create(&out).unwrap());
    let rows = tenant
        .export_csv(&ExportOptions::all(), file, |_, _| {})
        .unwrap();
    let took = started.elapsed();
    let size = std::fs::metadata(&out).unwrap().len();
    println!(
        "export_csv: {rows} customers, every column, {:.1} MB in {took:.2?} ({:.0} rows/s)",
        size as f64 / 1e6,
        rows as f64 / took.as_secs_f64()
    );
    let out = temp.path().join("customers.xlsx");
    let started = Instant::now();
    let rows = tenant
        .export_xlsx(
            &ExportOptions::all(),
            std::fs::File::create(&out).unwrap(),
            |_, _| {},
        )
        .unwrap();
    let took = started.elapsed();
    let size = std::fs::metadata(&out).unwrap().len();
    println!(
        "export_xlsx: {rows} customers, every column, {:.1} MB in {took:.2?}",
        size as f64 / 1e6
    );
}
