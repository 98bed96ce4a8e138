//! Schedules benchmark: a weekly search exporting its new matches, over a tenant of
//! `CRM_BENCH_N` customers (default 1,000,000). The first run exports every customer (all are
//! new), the next week's only those added since; each run's time, rows, file size and peak
//! memory (the process's high-water mark, reset before each run). Prints figures; asserts
//! nothing.
//!
//! `make bench-schedules`; `CRM_BENCH_DIR` keeps the store between runs (it is made once).
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::Instant;

use chrono::{Duration, NaiveTime, Weekday};
use crm_bench::Synth;
use crm_core::{
    Actor, Crm, CustomerQuery, ExportColumn, ExportFormat, Repeat, Role, Schedule, ScheduleAction,
    TenantSettings,
};

/// Peak resident memory since the last reset (Linux), in MB.
fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l["VmHWM:".len()..]
                    .trim()
                    .trim_end_matches(" kB")
                    .parse::<f64>()
                    .ok()
            })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Resets the high-water mark to the current resident size (Linux 4.0 and later).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn main() {
    let temp = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("CRM_BENCH_DIR").map_or_else(|| temp.path().to_owned(), Into::into);
    std::fs::create_dir_all(&dir).unwrap();
    let n: usize = std::env::var("CRM_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let db = dir.join(format!("schedules-{n}.db"));
    let fresh = !db.exists();
    let actor = Actor::new("bench", Role::System);
    let crm = Crm::open(&db).unwrap();
    let tenant = crm.tenant("agency").unwrap();
    let mut synth = Synth::new(20, "S");
    if fresh {
        tenant
            .set_settings(
                &actor,
                TenantSettings::with_region("FR").with_time_zone("Europe/Paris"),
            )
            .unwrap();
        let started = Instant::now();
        let mut made = 0;
        while made < n {
            let batch = 5_000.min(n - made);
            tenant
                .create_customers(&actor, (0..batch).map(|_| synth.customer()).collect())
                .unwrap();
            made += batch;
        }
        println!("store: {n} customers made in {:.1?}", started.elapsed());
    }
    // A new weekly search each run of the bench: its first run finds everyone new.
    let name = format!("Weekly {}", chrono::Utc::now().timestamp());
    let search = tenant
        .save_search(&actor, &name, &CustomerQuery::all())
        .unwrap();
    let schedule = Schedule::new(
        Repeat::Weekly(Weekday::Mon),
        NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        ScheduleAction::Export {
            format: ExportFormat::Csv,
            columns: vec![
                ExportColumn::CustomerNo,
                ExportColumn::FirstName,
                ExportColumn::LastName,
                ExportColumn::Email,
                ExportColumn::City,
            ],
            bom: false,
        },
    )
    .only_new(true);
    let info = tenant
        .set_schedule(&actor, &search.id, Some(&schedule))
        .unwrap()
        .unwrap();
    let slot = info.next_slot.unwrap();
    let out = temp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let run = |label: &str, at| {
        reset_peak();
        let before = peak_mb();
        let started = Instant::now();
        let runs = tenant.run_due(&actor, at, &out).unwrap();
        let took = started.elapsed();
        let r = &runs[0];
        assert_eq!(r.error, None);
        let size = std::fs::metadata(r.file.as_ref().unwrap()).map_or(0, |m| m.len());
        println!(
            "run_due, {label}: {} matches, {} new, {} rows exported ({:.1} MB CSV) in {took:.2?}; \
             peak memory {:.0} MB (resident before {:.0} MB)",
            r.total,
            r.new,
            r.rows,
            size as f64 / 1e6,
            peak_mb(),
            before
        );
    };
    run("first week (everyone is new)", slot + Duration::minutes(1));
    let added = 1_000;
    tenant
        .create_customers(&actor, (0..added).map(|_| synth.customer()).collect())
        .unwrap();
    run(
        "next week (1,000 customers added)",
        slot + Duration::days(7) + Duration::minutes(1),
    );
    let due = tenant
        .due_schedules(slot + Duration::days(7) + Duration::minutes(2))
        .unwrap();
    println!("due after the second run: {}", due.len());
}
