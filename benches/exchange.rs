//! Exchange benchmark on a large store: CSV and XLSX export of every customer, then that CSV
//! imported into a fresh store (a dry run, then for real), and a small file imported with
//! duplicate flagging into the large store (a dry run). Prints figures; asserts nothing; writes
//! nothing to the large store.
//!
//! `make bench-exchange` with `CRM_BENCH_DB` naming the store (e.g. the dedupe bench's
//! `dedupe.db`); without it, `CRM_BENCH_N` customers (default 100,000) are loaded into a
//! temporary store first.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::Instant;

use crm_bench::Synth;
use crm_core::{Actor, Crm, ExportOptions, ImportOptions, MatchConfig, Role, TenantSettings};

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

    import(&temp.path().join("customers.csv"), temp.path());
    flagged_sample(&tenant, temp.path());
}

/// The whole export imported into a fresh store: a dry run, then for real (matched on email,
/// no duplicate flagging), with the index caught up after each batch.
fn import(csv: &std::path::Path, dir: &std::path::Path) {
    let crm = Crm::open(dir.join("imported.db")).unwrap();
    let tenant = crm.tenant("imported").unwrap();
    let actor = Actor::new("bench", Role::System);
    tenant
        .set_settings(&actor, TenantSettings::with_region("FR"))
        .unwrap();
    for dry_run in [true, false] {
        let options = ImportOptions::new().flag_duplicates(None).dry_run(dry_run);
        let started = Instant::now();
        let report = tenant
            .import_csv_file(&actor, csv, &options, |_, _| true)
            .unwrap();
        let took = started.elapsed();
        println!(
            "import_csv{}: {} rows, {} created, {} updated, {} failed in {took:.2?} ({:.0} rows/s)",
            if dry_run { " (dry run)" } else { "" },
            report.rows,
            report.created,
            report.updated,
            report.failed,
            report.rows as f64 / took.as_secs_f64()
        );
    }
    let index = dir.join("imported.db.index");
    let size = |p: &std::path::Path| -> u64 {
        std::fs::read_dir(p)
            .map(|d| {
                d.flatten()
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    };
    println!(
        "imported store: {:.1} MB SQLite, {:.1} MB index",
        std::fs::metadata(dir.join("imported.db")).map_or(0, |m| m.len()) as f64 / 1e6,
        size(&index) as f64 / 1e6
    );
}

/// 2,000 rows of new people (half resembling stored ones) checked against the large store with
/// duplicate flagging, as a dry run.
fn flagged_sample(tenant: &crm_core::Tenant, dir: &std::path::Path) {
    let mut text = String::from("first_name,last_name,email,mobile,city\n");
    let page = tenant
        .search(&crm_core::CustomerQuery::all().limit(1000))
        .unwrap();
    for (i, row) in page.items.iter().enumerate() {
        text.push_str(&format!(
            "{},{},new{i}@bench.example,,Lyon\n",
            row.first_name, row.last_name
        ));
        text.push_str(&format!("Zed{i},Unknown{i},z{i}@bench.example,,Lyon\n"));
    }
    let path = dir.join("sample.csv");
    std::fs::write(&path, text).unwrap();
    let actor = Actor::new("bench", Role::System);
    let options = ImportOptions::new()
        .dry_run(true)
        .flag_duplicates(Some(MatchConfig::default()));
    let started = Instant::now();
    let report = tenant
        .import_csv_file(&actor, &path, &options, |_, _| true)
        .unwrap();
    let took = started.elapsed();
    println!(
        "import_csv dry run with duplicate flagging: {} rows, {} flagged in {took:.2?} ({:.2} ms/row)",
        report.rows,
        report.flagged_total,
        took.as_secs_f64() * 1e3 / report.rows as f64
    );
}
