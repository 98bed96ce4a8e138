//! Type-ahead under write load: keystroke latency on a store of `CRM_BENCH_N` customers (default
//! 100,000) while nothing else writes, while another thread writes 1,000 customers a second
//! (through another handle, then through the same one), and while another process imports a
//! CSV file into the same store. Prints p50/p99/max and how far behind the answers were;
//! asserts nothing.
//!
//! `make bench-write-load` (or `cargo bench -p crm-bench --bench write_load`);
//! `CRM_BENCH_RATE` sets the writes per second (default 1,000), `CRM_BENCH_IMPORT` the rows the
//! other process imports (default 100,000; `CRM_BENCH_IMPORT_FLAG=1` flags duplicates as it
//! goes, which also makes the importing process index each batch itself).
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crm_bench::Synth;
use crm_bench::measure::{keystrokes, report};
use crm_core::{
    Actor, Crm, CustomerQuery, ImportOptions, NewCustomer, Role, Tenant, TenantSettings,
};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn actor() -> Actor {
    Actor::new("bench", Role::System)
}

/// Set in the child process that imports.
const CHILD_IMPORT: &str = "CRM_BENCH_IMPORT_CHILD";

/// The keystrokes of typing the names of 100 customers of the store.
fn strokes(t: &Tenant, total: u64) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..100u64 {
        let no = (i * 7919) % total + 1;
        let c = t.get_customer_by_no(no as i64).unwrap();
        let typed = format!("{} {}", c.first_name, c.last_name);
        out.extend(keystrokes(&typed).into_iter().map(str::to_owned));
    }
    out
}

/// Types every keystroke (one every 20 ms, as a quick typist) `passes` times or until `until`,
/// timing each search; prints the figures under `label` with how far behind the answers were.
fn type_ahead(
    label: &str,
    t: &Tenant,
    strokes: &[String],
    passes: usize,
    until: impl Fn() -> bool,
) {
    let mut took = Vec::new();
    let mut behind = Vec::new();
    for q in strokes.iter().cycle() {
        if until() || took.len() >= strokes.len() * passes {
            break;
        }
        let started = Instant::now();
        let page = t.search(&CustomerQuery::text(q)).unwrap();
        took.push(started.elapsed());
        behind.push(page.behind);
        std::thread::sleep(Duration::from_millis(20));
    }
    report(label, &took);
    behind.sort_unstable();
    let current = behind.iter().filter(|b| **b == 0).count();
    println!(
        "  {:<40} current {:.0}%, behind p50={} p99={} max={} changes",
        "",
        100.0 * current as f64 / behind.len() as f64,
        behind[behind.len() / 2],
        behind[(behind.len() - 1) * 99 / 100],
        behind[behind.len() - 1]
    );
}

/// Writes `rate` customers a second through `w` (ten at a time, one transaction each) until
/// `stop`; counts them in `written`.
fn write_steadily(w: Tenant, rate: usize, stop: Arc<AtomicBool>, written: Arc<AtomicU64>) {
    let mut synth = Synth::new(99, "W");
    let started = Instant::now();
    let per_tick = 10;
    let mut ticks = 0u64;
    while !stop.load(Ordering::SeqCst) {
        for _ in 0..per_tick {
            w.create_customer(&actor(), synth.customer()).unwrap();
        }
        written.fetch_add(per_tick as u64, Ordering::SeqCst);
        ticks += 1;
        let due = Duration::from_secs_f64(ticks as f64 * per_tick as f64 / rate as f64);
        if let Some(wait) = due.checked_sub(started.elapsed()) {
            std::thread::sleep(wait);
        }
    }
}

fn under_writes(label: &str, t: &Tenant, w: Tenant, rate: usize, strokes: &[String]) {
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let writer = {
        let (stop, written) = (Arc::clone(&stop), Arc::clone(&written));
        std::thread::spawn(move || write_steadily(w, rate, stop, written))
    };
    let started = Instant::now();
    type_ahead(label, t, strokes, 1, || false);
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    let n = written.load(Ordering::SeqCst);
    println!(
        "  {:<40} {n} customers written meanwhile, {:.0}/s",
        "",
        n as f64 / started.elapsed().as_secs_f64()
    );
}

/// A CSV file of `rows` new customers.
fn csv_file(path: &Path, rows: usize) {
    let mut synth = Synth::new(7, "I");
    let mut out = String::from("first_name,last_name,email,mobile,city,country\n");
    let cell = |v: Option<&String>| v.map_or(String::new(), |s| s.replace([',', '"'], " "));
    for _ in 0..rows {
        let c: NewCustomer = synth.customer();
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            cell(Some(&c.first_name)),
            cell(Some(&c.last_name)),
            cell(c.email.as_ref()),
            cell(c.mobile.as_ref()),
            cell(c.address.city.as_ref()),
            cell(c.address.country.as_ref()),
        ));
    }
    std::fs::write(path, out).unwrap();
}

/// The child process: imports the file into the store, in batches of one transaction each.
fn import_child(db: &Path, file: &Path) {
    let crm = Crm::open(db).unwrap();
    let t = crm.tenant("agency").unwrap();
    let started = Instant::now();
    let flag = std::env::var_os("CRM_BENCH_IMPORT_FLAG").is_some();
    let options = ImportOptions::new()
        .match_on(crm_core::ImportMatch::None)
        .lenient(true)
        .flag_duplicates(flag.then(crm_core::MatchConfig::default));
    let report = t
        .import_csv_file(&actor(), file, &options, |_, _| true)
        .unwrap();
    println!(
        "  {:<40} {} rows imported in {:.1?}, {:.0} rows/s",
        "",
        report.created,
        started.elapsed(),
        report.created as f64 / started.elapsed().as_secs_f64()
    );
}

fn main() {
    if let Ok(spec) = std::env::var(CHILD_IMPORT) {
        let (db, file) = spec.split_once('\n').unwrap();
        import_child(Path::new(db), Path::new(file));
        return;
    }
    let n = env("CRM_BENCH_N", 100_000);
    let rate = env("CRM_BENCH_RATE", 1_000);
    let import_rows = env("CRM_BENCH_IMPORT", 100_000);
    let temp = tempfile::tempdir().unwrap();
    let db: PathBuf = temp.path().join("bench.db");
    println!(
        "crm-core write-load bench: {n} customers, files in {}",
        temp.path().display()
    );
    {
        let crm = Crm::open(&db).unwrap();
        let t = crm.tenant("agency").unwrap();
        t.set_settings(&actor(), TenantSettings::with_region("FR"))
            .unwrap();
        let mut synth = Synth::new(1, "A");
        let mut left = n;
        while left > 0 {
            let batch = left.min(50_000);
            let customers = (0..batch).map(|_| synth.customer()).collect();
            t.create_customers(&actor(), customers).unwrap();
            left -= batch;
        }
        t.search(&CustomerQuery::all().limit(1)).unwrap();
    }
    let crm = Crm::open(&db).unwrap();
    let t = crm.tenant("agency").unwrap();
    let total = t.search(&CustomerQuery::all().limit(1)).unwrap().total;
    let strokes = strokes(&t, total);
    println!(
        "type-ahead: {} keystrokes, one every 20 ms, top 20 + total",
        strokes.len()
    );
    for q in strokes.iter().take(100) {
        t.search(&CustomerQuery::text(q)).unwrap();
    }
    type_ahead("no other writes", &t, &strokes, 1, || false);

    let other = Crm::open(&db).unwrap();
    under_writes(
        &format!("{rate} customers/s, another handle"),
        &t,
        other.tenant("agency").unwrap(),
        rate,
        &strokes,
    );
    under_writes(
        &format!("{rate} customers/s, the same handle"),
        &t,
        crm.tenant("agency").unwrap(),
        rate,
        &strokes,
    );
    // Let the index take the last writes in before the next round.
    while t.search(&CustomerQuery::all().limit(1)).unwrap().behind > 0 {}

    let file = temp.path().join("import.csv");
    csv_file(&file, import_rows);
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .env(
            CHILD_IMPORT,
            format!("{}\n{}", db.display(), file.display()),
        )
        .spawn()
        .unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let status = child.wait().unwrap();
            done.store(true, Ordering::SeqCst);
            status
        })
    };
    // From the child's first rows to its end.
    std::thread::sleep(Duration::from_millis(500));
    type_ahead(
        &format!("another process imports {import_rows} rows"),
        &t,
        &strokes,
        10,
        || done.load(Ordering::SeqCst),
    );
    assert!(watcher.join().unwrap().success());
}
