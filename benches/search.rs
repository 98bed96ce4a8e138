//! Search benchmark on the shared seeded generator: bulk load and index, index size, per-keystroke
//! type-ahead latency, find-customer filter latency, and SQLite FTS5 with prefix indexes answering
//! the same keystrokes on the same data. Prints figures; asserts nothing.
//!
//! `make bench-search` (or `cargo bench -p crm-bench --bench search`); `CRM_BENCH_N` sets the
//! customer count (default 1,000,000), `CRM_BENCH_QUERIES` the typed queries (default 200),
//! `CRM_BENCH_DIR` a folder that keeps the data for the next run (which then times the queries
//! only), `CRM_BENCH_NO_BOOKINGS` loads customers only, `CRM_BENCH_NO_FTS` skips the baseline.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{Duration as Days, NaiveDate};
use crm_bench::Synth;
use crm_bench::measure::{keystrokes, report};
use crm_core::{
    Actor, BookingStatus, Crm, Customer, CustomerQuery, NewCustomer, Role, Tenant, TenantSettings,
    fold,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn size_of(path: &Path) -> u64 {
    if path.is_dir() {
        std::fs::read_dir(path)
            .unwrap()
            .map(|e| size_of(&e.unwrap().path()))
            .sum()
    } else {
        std::fs::metadata(path).map_or(0, |m| m.len())
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// What a clerk types to find `c`: a name with its accents, a name without them, last name first,
/// an email, or a phone in another format than the one stored.
fn typed_query(rng: &mut ChaCha8Rng, c: &Customer) -> String {
    let phone = c.mobile.as_ref().or(c.phone.as_ref());
    match rng.random_range(0..10) {
        0..=2 => format!("{} {}", c.first_name, c.last_name),
        3 => fold(&c.last_name),
        4 => format!("{} {}", c.last_name, c.first_name),
        5 | 6 if c.email.is_some() => c.email.clone().unwrap_or_default().to_lowercase(),
        7 | 8 if phone.is_some_and(|p| p.e164.is_some()) => {
            let e164 = phone.and_then(|p| p.e164.as_deref()).unwrap_or_default();
            let digits = &e164[1..];
            match rng.random_range(0..3) {
                // National form, as a French clerk types a French number.
                0 if e164.starts_with("+33") => format!("0{}", &digits[2..]),
                1 => format!("00{digits}"),
                _ => {
                    let mut spaced = String::from("+");
                    for (i, d) in digits.chars().enumerate() {
                        if i > 1 && i % 2 == 0 {
                            spaced.push(' ');
                        }
                        spaced.push(d);
                    }
                    spaced
                }
            }
        }
        _ => format!("{} {}", fold(&c.first_name), fold(&c.last_name)),
    }
}

/// The FTS5 baseline: the same customers in an FTS5 table with prefix indexes on 1 to 4
/// characters, names folded by the `unicode61` tokenizer, phones as their digit forms.
struct Fts {
    conn: rusqlite::Connection,
}

impl Fts {
    fn build(path: &Path, customers: impl Iterator<Item = Customer>) -> Self {
        let mut conn = rusqlite::Connection::open(path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
             CREATE VIRTUAL TABLE fts USING fts5(
                 names, email, phones,
                 tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4');",
        )
        .unwrap();
        let tx = conn.transaction().unwrap();
        {
            let mut insert = tx
                .prepare("INSERT INTO fts (rowid, names, email, phones) VALUES (?1, ?2, ?3, ?4)")
                .unwrap();
            for c in customers {
                let c = &c;
                let names = format!(
                    "{} {} {} {}",
                    c.first_name,
                    c.last_name,
                    c.company.as_deref().unwrap_or(""),
                    c.customer_no
                );
                let phones: Vec<String> = c
                    .phones()
                    .filter_map(|p| p.e164.as_deref())
                    .flat_map(|e164| {
                        let digits = e164[1..].to_owned();
                        let national = digits.strip_prefix("33").map(|n| format!("0{n}"));
                        [Some(digits), national]
                    })
                    .flatten()
                    .collect();
                insert
                    .execute(rusqlite::params![
                        c.customer_no,
                        names,
                        c.email.as_deref().unwrap_or(""),
                        phones.join(" ")
                    ])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
        conn.execute_batch("INSERT INTO fts (fts) VALUES ('optimize');")
            .unwrap();
        Self { conn }
    }

    /// The MATCH expression of what was typed: phone digits as one prefix, else every word as a
    /// prefix, ANDed.
    fn expression(typed: &str) -> Option<String> {
        let trimmed = typed.trim();
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        if !digits.is_empty()
            && trimmed
                .chars()
                .all(|c| c.is_ascii_digit() || " +.-/()".contains(c))
        {
            let digits = digits.strip_prefix("00").unwrap_or(&digits).to_owned();
            return (!digits.is_empty()).then(|| format!("phones : \"{digits}\"*"));
        }
        let words: Vec<String> = trimmed
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| format!("\"{w}\"*"))
            .collect();
        (!words.is_empty()).then(|| words.join(" AND "))
    }

    /// Top 20 by rank and the total count, as the type-ahead does.
    fn search(&self, typed: &str) -> usize {
        let Some(expr) = Self::expression(typed) else {
            return 0;
        };
        let mut top = self
            .conn
            .prepare_cached("SELECT rowid FROM fts WHERE fts MATCH ?1 ORDER BY rank LIMIT 20")
            .unwrap();
        let hits = top
            .query_map([&expr], |r| r.get::<_, i64>(0))
            .unwrap()
            .count();
        let total: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM fts WHERE fts MATCH ?1")
            .unwrap()
            .query_row([&expr], |r| r.get(0))
            .unwrap();
        hits + total as usize
    }
}

fn load(tenant: &Tenant, actor: &Actor, people: Vec<NewCustomer>) -> Vec<Customer> {
    let mut created = Vec::with_capacity(people.len());
    let mut people = people.into_iter().peekable();
    while people.peek().is_some() {
        let batch: Vec<NewCustomer> = people.by_ref().take(50_000).collect();
        created.extend(tenant.create_customers(actor, batch).unwrap());
    }
    created
}

/// Loads `n` customers and their bookings, timing the SQLite writes and the index separately.
fn populate(tenant: &Tenant, actor: &Actor, n: usize) {
    let started = Instant::now();
    let mut synth = Synth::new(11, "S");
    let people: Vec<NewCustomer> = (0..n).map(|_| synth.customer()).collect();
    println!(
        "generate {n} customers (not timed below): {:.2?}",
        started.elapsed()
    );

    println!("bulk load and index");
    let started = Instant::now();
    let customers = load(tenant, actor, people);
    let loaded = started.elapsed();
    let total = tenant.search(&CustomerQuery::all().limit(1)).unwrap().total;
    let indexed = started.elapsed() - loaded;
    assert_eq!(total, n as u64);
    println!(
        "  {n} customers: SQLite {loaded:.2?} + index {indexed:.2?} = {:.2?}",
        loaded + indexed
    );

    if std::env::var_os("CRM_BENCH_NO_BOOKINGS").is_some() {
        return;
    }
    let started = Instant::now();
    let mut trips = Vec::new();
    let mut bookings = 0;
    for c in &customers {
        for _ in 0..synth.booking_count(20) {
            trips.push(synth.booking(c));
        }
        if trips.len() >= 50_000 {
            bookings += trips.len();
            tenant
                .upsert_bookings(actor, std::mem::take(&mut trips))
                .unwrap();
        }
    }
    bookings += trips.len();
    tenant.upsert_bookings(actor, trips).unwrap();
    let booked = started.elapsed();
    tenant.search(&CustomerQuery::all().limit(1)).unwrap();
    let reindexed = started.elapsed() - booked;
    println!("  {bookings} bookings: SQLite {booked:.2?} + index catch-up {reindexed:.2?}");
}

/// Builds (or reuses) the FTS5 baseline and times the same keystrokes on it.
fn fts_baseline(
    dir: &Path,
    total: u64,
    customer: &dyn Fn(i64) -> Customer,
    strokes: &[&str],
    (o50, o99, t50, t99): (Duration, Duration, Duration, Duration),
) {
    let fts_path = dir.join("fts.db");
    let fts = if fts_path.exists() {
        Fts {
            conn: rusqlite::Connection::open(&fts_path).unwrap(),
        }
    } else {
        let started = Instant::now();
        let all = (1..=total as i64).map(customer);
        let fts = Fts::build(&fts_path, all);
        println!(
            "SQLite FTS5 baseline built in {:.2?} ({})",
            started.elapsed(),
            mib(size_of(&fts_path) + size_of(&dir.join("fts.db-wal")))
        );
        fts
    };
    for q in strokes.iter().take(200) {
        fts.search(q);
    }
    let mut theirs = Vec::new();
    let mut theirs_from3 = Vec::new();
    for q in strokes {
        let started = Instant::now();
        fts.search(q);
        let took = started.elapsed();
        theirs.push(took);
        if q.chars().count() >= 3 {
            theirs_from3.push(took);
        }
    }
    let (f50, f99) = report("FTS5, every keystroke", &theirs);
    let (g50, g99) = report("FTS5, from the 3rd character", &theirs_from3);
    let ratio = |a: Duration, b: Duration| b.as_secs_f64() / a.as_secs_f64();
    println!(
        "  FTS5 / crm-core: every keystroke p50 x{:.1} p99 x{:.1}; from the 3rd p50 x{:.1} p99 x{:.1}",
        ratio(o50, f50),
        ratio(o99, f99),
        ratio(t50, g50),
        ratio(t99, g99)
    );
}

fn main() {
    let n = env("CRM_BENCH_N", 1_000_000);
    let queries = env("CRM_BENCH_QUERIES", 200);
    // CRM_BENCH_DIR keeps the data between runs: a second run measures the queries only.
    let temp = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("CRM_BENCH_DIR").map_or_else(|| temp.path().to_owned(), Into::into);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("bench.db");
    println!(
        "crm-core search bench: {n} customers, {queries} typed queries, files in {}",
        dir.display()
    );
    let actor = Actor::new("bench", Role::System);
    if !db.exists() {
        let crm = Crm::open(&db).unwrap();
        let tenant = crm.tenant("agency").unwrap();
        tenant
            .set_settings(&actor, TenantSettings::with_region("FR"))
            .unwrap();
        populate(&tenant, &actor, n);
    }

    let crm = Crm::open(&db).unwrap();
    let tenant = crm.tenant("agency").unwrap();
    let started = Instant::now();
    let total = tenant.search(&CustomerQuery::all().limit(1)).unwrap().total;
    println!(
        "reopened: {total} customers, first search {:.2?} (rebuilds an index of another version)",
        started.elapsed()
    );
    let sqlite = size_of(&db) + size_of(&dir.join("bench.db-wal"));
    let index = size_of(&dir.join("bench.db.index"));
    println!(
        "size on disk: SQLite {} (file + WAL), index {} ({:.0}% of SQLite)",
        mib(sqlite),
        mib(index),
        100.0 * index as f64 / sqlite as f64
    );
    let customer = |no: i64| tenant.get_customer_by_no(no).unwrap();

    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let targets: Vec<Customer> = (0..queries)
        .map(|_| customer(rng.random_range(1..=total as i64)))
        .collect();
    let typed: Vec<String> = targets.iter().map(|c| typed_query(&mut rng, c)).collect();
    let strokes: Vec<&str> = typed.iter().flat_map(|q| keystrokes(q)).collect();
    println!(
        "type-ahead: {} keystrokes over {queries} queries (e.g. {:?}, {:?}, {:?}), top 20 + total",
        strokes.len(),
        typed[0],
        typed[1],
        typed[2]
    );
    // Warm the reader and the page cache once, as a running application would be.
    for q in strokes.iter().take(200) {
        tenant.search(&CustomerQuery::text(*q)).unwrap();
    }
    let mut ours = Vec::new();
    let mut ours_from3 = Vec::new();
    let mut found = 0;
    for q in &strokes {
        let started = Instant::now();
        let page = tenant.search(&CustomerQuery::text(*q)).unwrap();
        let took = started.elapsed();
        ours.push(took);
        if q.chars().count() >= 3 {
            ours_from3.push(took);
        }
        found += usize::from(page.total > 0);
    }
    let in_top = typed
        .iter()
        .zip(&targets)
        .filter(|(q, c)| {
            let page = tenant.search(&CustomerQuery::text(q.as_str())).unwrap();
            page.items.iter().any(|row| row.id == c.id)
        })
        .count();
    let floor: Vec<Duration> = targets
        .iter()
        .map(|c| {
            let started = Instant::now();
            tenant
                .search(&CustomerQuery::all().customer_no(c.customer_no))
                .unwrap();
            started.elapsed()
        })
        .collect();
    report("one customer by customer no. (floor)", &floor);
    let long_word: Vec<Duration> = targets
        .iter()
        .map(|c| {
            let started = Instant::now();
            tenant
                .search(&CustomerQuery::text(fold(&c.last_name)))
                .unwrap();
            started.elapsed()
        })
        .collect();
    report("a whole last name", &long_word);
    let (o50, o99) = report("crm-core, every keystroke", &ours);
    let (t50, t99) = report("crm-core, from the 3rd character", &ours_from3);
    for (label, lengths) in [
        ("  typed 1 character", 1..2),
        ("  typed 2 characters", 2..3),
        ("  typed 3-4 characters", 3..5),
        ("  typed 5-8 characters", 5..9),
        ("  typed 9+ characters", 9..usize::MAX),
    ] {
        let of_length: Vec<Duration> = strokes
            .iter()
            .zip(&ours)
            .filter(|(q, _)| lengths.contains(&q.chars().count()))
            .map(|(_, d)| *d)
            .collect();
        if !of_length.is_empty() {
            report(label, &of_length);
        }
    }
    println!(
        "  {found} of {} keystrokes had hits; {in_top} of {queries} whole queries had their customer in the top 20",
        strokes.len()
    );

    if std::env::var_os("CRM_BENCH_NO_FTS").is_none() {
        fts_baseline(&dir, total, &customer, &strokes, (o50, o99, t50, t99));
    }

    println!("find-customer filters: city + country + departure period, top 20 + total");
    let today = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let mut only = Vec::new();
    let mut with_text = Vec::new();
    let mut hits = 0u64;
    for _ in 0..queries {
        let c = customer(rng.random_range(1..=total as i64));
        let from = today - Days::days(rng.random_range(-120..1000));
        let to = from + Days::days(rng.random_range(1..60));
        let q = CustomerQuery::all()
            .city(c.address.city.clone().unwrap_or_default())
            .country(c.address.country.clone().unwrap_or_default())
            .departure_between(Some(from), Some(to));
        let started = Instant::now();
        hits += tenant.search(&q).unwrap().total;
        only.push(started.elapsed());
        let prefix: String = fold(&c.last_name).chars().take(3).collect();
        let q = CustomerQuery::text(prefix)
            .city(c.address.city.clone().unwrap_or_default())
            .country(c.address.country.clone().unwrap_or_default())
            .departure_between(Some(from), Some(to));
        let started = Instant::now();
        tenant.search(&q).unwrap();
        with_text.push(started.elapsed());
    }
    report("filters only", &only);
    report("filters + 3 typed letters", &with_text);
    println!(
        "  {:.0} hits per filter query on average",
        hits as f64 / queries as f64
    );
    booking_filters(&tenant, queries, &mut rng, today);
}

/// Times the booking filters of the find form given together: a departure month with a hotel
/// and a status, and with a transport too (one booking must match them all), top 20 + total.
fn booking_filters(tenant: &Tenant, queries: usize, rng: &mut ChaCha8Rng, today: NaiveDate) {
    const HOTELS: &[&str] = &["Hôtel du Parc", "Le Méridien", "Ibis Styles", "Hotel Adlon"];
    const TRANSPORTS: &[&str] = &["Sedan", "Van", "TGV", "Coach"];
    println!(
        "booking filters together: departure month + hotel + status (+ transport), top 20 + total"
    );
    let mut three = Vec::new();
    let mut four = Vec::new();
    let (mut hits3, mut hits4) = (0u64, 0u64);
    for _ in 0..queries {
        let from = today - Days::days(rng.random_range(-120..1000));
        let to = from + Days::days(30);
        let hotel = HOTELS[rng.random_range(0..HOTELS.len())];
        let status = if from > today {
            BookingStatus::Confirmed
        } else {
            BookingStatus::Completed
        };
        let q = CustomerQuery::all()
            .departure_between(Some(from), Some(to))
            .hotel(hotel)
            .booking_status(status);
        let started = Instant::now();
        hits3 += tenant.search(&q).unwrap().total;
        three.push(started.elapsed());
        let q = q.transport(TRANSPORTS[rng.random_range(0..TRANSPORTS.len())]);
        let started = Instant::now();
        hits4 += tenant.search(&q).unwrap().total;
        four.push(started.elapsed());
    }
    report("departure month + hotel + status", &three);
    report("  + transport", &four);
    println!(
        "  {:.0} and {:.0} hits per query on average",
        hits3 as f64 / queries as f64,
        hits4 as f64 / queries as f64
    );
}
