//! Loading benchmark, from files to searchable: a generated CSV of `CRM_BENCH_N` customers
//! (default 1,000,000) of eight countries with phones typed nationally, imported into a fresh
//! store whose default region is FR (`import_csv_file`, `match_on = none`), without duplicate
//! flagging and, into another fresh store, with it; then a CSV of about ten bookings per
//! customer read and written with `upsert_bookings` in batches of 50,000. Each step ends with a
//! search that must find the last row: its time is part of the step. Prints rows/s, the share of
//! phones read in E.164, peak memory, and the total from files to searchable. Asserts nothing
//! but the counts.
//!
//! `make bench-load`; `CRM_BENCH_N=100000 make bench-load` for a quicker run;
//! `CRM_BENCH_FLAGGED=0` skips the import with flagging, `CRM_BENCH_BOOKINGS_PER=0` the
//! bookings; `CRM_BENCH_SHUFFLED=1` writes the bookings file in random order rather than
//! customer by customer.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::DateTime;
use crm_bench::Synth;
use crm_core::{
    Actor, BookingStatus, Crm, CustomerId, CustomerListQuery, CustomerQuery, CustomerSort,
    ImportMatch, ImportOptions, Invoice, MatchConfig, Money, NewBooking, PaymentStatus, Role,
    Tenant, TenantSettings,
};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

const CUSTOMER_COLUMNS: [&str; 12] = [
    "first_name",
    "last_name",
    "email",
    "mobile",
    "phone",
    "company",
    "street",
    "zip",
    "city",
    "country",
    "birth_date",
    "language",
];
const BOOKING_BATCH: usize = 50_000;

fn main() {
    let n: usize = env("CRM_BENCH_N", 1_000_000);
    let per_customer: usize = env("CRM_BENCH_BOOKINGS_PER", 10);
    let flagged = env("CRM_BENCH_FLAGGED", 1) == 1;
    let shuffled = env("CRM_BENCH_SHUFFLED", 0) == 1;
    let dir = tempfile::tempdir().unwrap();
    println!(
        "load: {n} customers of eight countries, about {per_customer} bookings each, on {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    let customers_csv = dir.path().join("customers.csv");
    let started = Instant::now();
    let countries = write_customers(&customers_csv, n);
    println!(
        "  generated {:.1} MB of customers in {:.1?} (not counted)",
        size(&customers_csv) as f64 / 1e6,
        started.elapsed()
    );

    let (tenant, plain) = import(dir.path(), "plain", &customers_csv, n, None);
    if flagged {
        let (flagging, _) = import(
            dir.path(),
            "flagged",
            &customers_csv,
            n,
            Some(MatchConfig::default()),
        );
        drop(flagging);
    }
    phones_read(&tenant, n);
    if per_customer == 0 {
        println!("  peak memory: {}", peak_memory());
        return;
    }

    let bookings_csv = dir.path().join("bookings.csv");
    let started = Instant::now();
    let written = write_bookings(&bookings_csv, &countries, per_customer, shuffled);
    println!(
        "  generated {written} bookings, {:.1} MB, in {:.1?} (not counted)",
        size(&bookings_csv) as f64 / 1e6,
        started.elapsed()
    );
    let ids = ids_by_no(&tenant, n);
    let bookings = load_bookings(&tenant, &bookings_csv, &ids, written);
    let total = plain + bookings;
    println!(
        "  from files to searchable: {:.1} s for {n} customers and {written} bookings",
        total.as_secs_f64()
    );
    println!("  peak memory: {}", peak_memory());
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Peak resident memory of this process (Linux), as `/proc/self/status` says.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l["VmHWM:".len()..].trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Writes `n` customers; returns each one's country, in order (customer no. `i + 1`).
fn write_customers(path: &Path, n: usize) -> Vec<String> {
    let mut synth = Synth::new(16, "L");
    let mut out = csv::Writer::from_path(path).unwrap();
    out.write_record(CUSTOMER_COLUMNS).unwrap();
    let mut countries = Vec::with_capacity(n);
    for _ in 0..n {
        let c = synth.traveller();
        let country = c.address.country.clone().unwrap_or_default();
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        out.write_record([
            c.first_name,
            c.last_name,
            text(&c.email),
            text(&c.mobile),
            text(&c.phone),
            text(&c.company),
            text(&c.address.street),
            text(&c.address.zip),
            text(&c.address.city),
            country.clone(),
            c.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            text(&c.language),
        ])
        .unwrap();
        countries.push(country);
    }
    out.flush().unwrap();
    countries
}

/// Imports the file into a fresh store, then searches for the last row; returns the tenant and
/// the time both took.
fn import(
    dir: &Path,
    name: &str,
    csv: &Path,
    n: usize,
    flag: Option<MatchConfig>,
) -> (Tenant, Duration) {
    let crm = Crm::open(dir.join(format!("{name}.db"))).unwrap();
    let tenant = crm.tenant("agency").unwrap();
    let actor = Actor::new("bench", Role::System);
    tenant
        .set_settings(&actor, TenantSettings::with_region("FR"))
        .unwrap();
    let options = ImportOptions::new()
        .match_on(ImportMatch::None)
        .lenient(true)
        .flag_duplicates(flag.clone());
    if std::env::var_os("CRM_BENCH_DRY_RUN").is_some() {
        let mut synth = Synth::new(16, "L");
        let records: Vec<_> = (0..n.min(100_000)).map(|_| synth.traveller()).collect();
        let count = records.len();
        let started = Instant::now();
        for r in records {
            tenant.validate_customer(r).unwrap();
        }
        println!(
            "  validate_customer: {count} records in {:.2} s on one thread",
            started.elapsed().as_secs_f64()
        );
        let started = Instant::now();
        let report = tenant
            .import_csv_file(&actor, csv, &options.clone().dry_run(true), |_, _| true)
            .unwrap();
        println!(
            "  import_csv dry run: {} rows in {:.1} s (read, checked, written and rolled back)",
            report.rows,
            started.elapsed().as_secs_f64()
        );
    }
    let started = Instant::now();
    let report = tenant
        .import_csv_file(&actor, csv, &options, |_, _| true)
        .unwrap();
    let imported = started.elapsed();
    let last = tenant.get_customer_by_no(n as i64).unwrap();
    let found = tenant
        .search(&CustomerQuery::all().customer_no(last.customer_no))
        .unwrap();
    let took = started.elapsed();
    assert_eq!(report.created, n as u64, "{:?}", report.issues.first());
    assert_eq!(found.total, 1);
    if std::env::var_os("CRM_BENCH_DRY_RUN").is_some() {
        let started = Instant::now();
        crm.reindex(|_, _| {}).unwrap();
        println!(
            "  reindex after the import: {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    println!(
        "  import_csv {}: {n} rows in {:.1} s, searchable after {:.1} s ({:.0} rows/s){}",
        if flag.is_some() {
            "with duplicate flagging"
        } else {
            "without flagging"
        },
        imported.as_secs_f64(),
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64(),
        if flag.is_some() {
            format!(", {} rows flagged", report.flagged_total)
        } else {
            String::new()
        }
    );
    (tenant, took)
}

/// How many of the stored phones were read in E.164 form.
fn phones_read(tenant: &Tenant, n: usize) {
    let (mut phones, mut read) = (0, 0);
    let step = (n / 2_000).max(1);
    for no in (1..=n).step_by(step) {
        let c = tenant.get_customer_by_no(no as i64).unwrap();
        for p in c.phones() {
            phones += 1;
            read += usize::from(p.is_verified());
        }
    }
    println!(
        "  phones read in E.164 (a sample of {phones}): {:.1} %",
        100.0 * read as f64 / phones.max(1) as f64
    );
}

/// Writes about `per_customer` bookings per customer, customer by customer, or in random order
/// when `shuffled` (as a file sorted by date or reference would be).
fn write_bookings(path: &Path, countries: &[String], per_customer: usize, shuffled: bool) -> usize {
    let mut synth = Synth::new(17, "BK");
    let mut out = csv::Writer::from_path(path).unwrap();
    out.write_record([
        "reference",
        "customer_no",
        "status",
        "pickup_at",
        "return_at",
        "route_from",
        "route_to",
        "transport",
        "hotel",
        "salesperson",
        "invoice_number",
        "amount_minor",
        "currency",
        "payment_status",
    ])
    .unwrap();
    // Kept in memory only to be shuffled.
    let mut records = Vec::new();
    let mut written = 0;
    for (i, country) in countries.iter().enumerate() {
        let count = synth.booking_count((3 * per_customer) as u32);
        for _ in 0..count.max(1) {
            let b = synth.booking_in(Some(country));
            let text = |v: &Option<String>| v.clone().unwrap_or_default();
            let invoice = b.invoices.first();
            let record = [
                b.reference.clone(),
                (i + 1).to_string(),
                b.status.as_str().to_owned(),
                b.pickup_at.to_rfc3339(),
                b.return_at.map(|r| r.to_rfc3339()).unwrap_or_default(),
                b.route_from.clone(),
                b.route_to.clone(),
                text(&b.transport),
                text(&b.hotel),
                text(&b.salesperson),
                invoice.map(|i| i.number.clone()).unwrap_or_default(),
                invoice
                    .map(|i| i.amount.minor.to_string())
                    .unwrap_or_default(),
                invoice
                    .map(|i| i.amount.currency.clone())
                    .unwrap_or_default(),
                invoice
                    .map(|i| i.payment_status.as_str().to_owned())
                    .unwrap_or_default(),
            ];
            if shuffled {
                records.push(record);
            } else {
                out.write_record(&record).unwrap();
                written += 1;
            }
        }
    }
    if shuffled {
        records.shuffle(&mut ChaCha8Rng::seed_from_u64(18));
    }
    for record in &records {
        out.write_record(record).unwrap();
        written += 1;
    }
    out.flush().unwrap();
    written
}

/// The id of each customer no. (the host keeps these; not counted).
fn ids_by_no(tenant: &Tenant, n: usize) -> HashMap<i64, CustomerId> {
    let mut ids = HashMap::with_capacity(n);
    let mut query = CustomerListQuery::new(CustomerSort::CreatedAt).limit(1000);
    loop {
        let page = tenant.list_customers(&query).unwrap();
        for row in &page.items {
            ids.insert(row.customer_no, row.id);
        }
        match page.next {
            Some(next) => query = query.after(next),
            None => break,
        }
    }
    ids
}

/// Reads the bookings file and writes it in batches, then searches for a customer by the
/// transport of a booking: returns the time both took.
fn load_bookings(
    tenant: &Tenant,
    path: &Path,
    ids: &HashMap<i64, CustomerId>,
    expected: usize,
) -> Duration {
    let actor = Actor::new("bench", Role::System);
    let started = Instant::now();
    let mut input = csv::Reader::from_path(path).unwrap();
    let mut batch = Vec::with_capacity(BOOKING_BATCH);
    let mut created = 0;
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    for record in input.records() {
        let r = record.unwrap();
        let invoice = opt(&r[10]).map(|number| {
            Invoice::new(
                number,
                Money {
                    minor: r[11].parse().unwrap(),
                    currency: r[12].to_owned(),
                },
                r[13].parse::<PaymentStatus>().unwrap(),
            )
        });
        batch.push(NewBooking {
            reference: r[0].to_owned(),
            customer_id: ids.get(&r[1].parse::<i64>().unwrap()).copied(),
            status: r[2].parse::<BookingStatus>().unwrap(),
            pickup_at: DateTime::parse_from_rfc3339(&r[3]).unwrap(),
            return_at: opt(&r[4]).map(|t| DateTime::parse_from_rfc3339(&t).unwrap()),
            route_from: r[5].to_owned(),
            route_to: r[6].to_owned(),
            transport: opt(&r[7]),
            hotel: opt(&r[8]),
            salesperson: opt(&r[9]),
            invoices: invoice.into_iter().collect(),
        });
        if batch.len() == BOOKING_BATCH {
            created += tenant
                .upsert_bookings(&actor, std::mem::take(&mut batch))
                .unwrap();
        }
    }
    if !batch.is_empty() {
        created += tenant.upsert_bookings(&actor, batch).unwrap();
    }
    let written = started.elapsed();
    let found = tenant
        .search(&CustomerQuery::all().transport("Helicopter").limit(1))
        .unwrap();
    let took = started.elapsed();
    assert_eq!(created, expected);
    assert!(found.total > 0);
    println!(
        "  upsert_bookings: {created} bookings in {:.1} s ({:.0}/s), searchable after {:.1} s ({:.0}/s)",
        written.as_secs_f64(),
        created as f64 / written.as_secs_f64(),
        took.as_secs_f64(),
        created as f64 / took.as_secs_f64()
    );
    took
}
