//! Duplicate finder benchmark: `find_duplicates` (learning the tenant's model, then comparing)
//! over a whole tenant of the seeded generator's customers, a tenth of them entered twice with
//! the corruptions of another channel (typos, swapped names, phone formats, email case, missing
//! fields), then `duplicates_of` with the learned model. Prints figures; asserts nothing.
//!
//! `make bench-dedupe` (or `cargo bench -p crm-bench --bench dedupe`); `CRM_BENCH_N` sets the
//! customer count (default 1,000,000); `CRM_BENCH_DIR` keeps the data for a second run.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::Instant;

use crm_bench::Synth;
use crm_core::{
    Actor, Crm, CustomerListQuery, CustomerQuery, CustomerSort, FindOptions, MatchConfig,
    NewCustomer, Role, TenantSettings,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The same person typed again: one or two corruptions.
fn again(rng: &mut ChaCha8Rng, base: &NewCustomer) -> NewCustomer {
    let mut c = base.clone();
    for _ in 0..rng.random_range(1..=2) {
        match rng.random_range(0..5) {
            0 => {
                let mut chars: Vec<char> = c.last_name.chars().collect();
                if chars.len() > 3 {
                    chars.swap(1, 2);
                }
                c.last_name = chars.into_iter().collect();
            }
            1 => std::mem::swap(&mut c.first_name, &mut c.last_name),
            2 => c.email = c.email.map(|e| e.to_uppercase()),
            3 => c.mobile = c.mobile.map(|m| m.replace(' ', "")),
            _ => c.email = None,
        }
    }
    c
}

fn main() {
    let n = env("CRM_BENCH_N", 1_000_000);
    let temp = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("CRM_BENCH_DIR").map_or_else(|| temp.path().to_owned(), Into::into);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("dedupe.db");
    println!(
        "crm-core dedupe bench: {n} customers, files in {}",
        dir.display()
    );
    let actor = Actor::new("bench", Role::System);
    let fresh = !db.exists();
    let crm = Crm::open(&db).unwrap();
    let tenant = crm.tenant("agency").unwrap();
    if fresh {
        tenant
            .set_settings(&actor, TenantSettings::with_region("FR"))
            .unwrap();
        let mut synth = Synth::new(5, "P");
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let started = Instant::now();
        let mut batch = Vec::new();
        let mut made = 0;
        // The generator draws names and mail domains from small pools: two people would often
        // get one address. Real addresses belong to one person, so repeats are made unique.
        let mut emails = std::collections::HashSet::new();
        while made < n {
            let mut base = synth.customer();
            if let Some(email) = &base.email {
                let mut email = email.to_lowercase();
                while !emails.insert(email.clone()) {
                    email = format!("{}{email}", rng.random_range(0..10));
                }
                base.email = Some(email);
            }
            if rng.random_bool(0.1) && made + 1 < n {
                let mut twin = again(&mut rng, &base);
                // A corruption that makes the record invalid (a phone format of another
                // country) is one the create form would have refused: keep the email change.
                if tenant.validate_customer(twin.clone()).is_err() {
                    twin = base.clone();
                    twin.email = twin.email.map(|e| e.to_uppercase());
                }
                batch.push(twin);
                made += 1;
            }
            batch.push(base);
            made += 1;
            if batch.len() >= 50_000 {
                tenant
                    .create_customers(&actor, std::mem::take(&mut batch))
                    .unwrap();
            }
        }
        tenant.create_customers(&actor, batch).unwrap();
        println!("load (not timed below): {:.2?}", started.elapsed());
    }

    let started = Instant::now();
    let mut read_at = None;
    // CRM_BENCH_SKIP_FIND: only the single-customer figures (on the first customers by name).
    let clusters = if std::env::var_os("CRM_BENCH_SKIP_FIND").is_some() {
        Vec::new()
    } else {
        tenant
            .find_duplicates(&FindOptions::default(), |done, total| {
                if read_at.is_none() && done >= total / 2 {
                    read_at = Some(started.elapsed());
                }
            })
            .unwrap()
    };
    let elapsed = started.elapsed();
    let pairs: usize = clusters.iter().map(|c| c.pairs.len()).sum();
    let in_clusters: usize = clusters.iter().map(|c| c.customers.len()).sum();
    println!(
        "find_duplicates: {elapsed:.2?} (reading customers {:.2?}, comparing {:.2?})",
        read_at.unwrap_or_default(),
        elapsed - read_at.unwrap_or_default()
    );
    println!(
        "  {} clusters, {in_clusters} customers in them, {pairs} matching pairs",
        clusters.len()
    );
    let model = tenant.match_model().unwrap();
    if let Some(learning) = &model.learning {
        println!(
            "  model learned from {} customers: {} candidate pairs, {} random pairs, {} rounds, prior {:.2e}",
            learning.customers,
            learning.candidate_pairs,
            learning.random_pairs,
            learning.iterations,
            model.prior
        );
    }

    if std::env::var_os("CRM_BENCH_MODEL").is_some() {
        print!("{}", crm_bench::measure::model_table(&model));
    }

    // One customer's candidates come from the search index: bring it up to date first.
    let started = Instant::now();
    tenant.search(&CustomerQuery::all().limit(1)).unwrap();
    println!(
        "index brought up to date (not timed below): {:.2?}",
        started.elapsed()
    );
    let queries = env("CRM_BENCH_QUERIES", 200);
    let mut samples = Vec::with_capacity(queries);
    let mut found = 0;
    for cluster in clusters.iter().take(queries / 2) {
        for id in cluster.customers.iter().take(1) {
            let started = Instant::now();
            found += tenant
                .duplicates_of(id, &MatchConfig::default())
                .unwrap()
                .len();
            samples.push(started.elapsed());
        }
    }
    let page = tenant
        .list_customers(&CustomerListQuery::new(CustomerSort::Name).limit(100))
        .unwrap();
    for row in page.items.iter().take(queries - samples.len()) {
        let started = Instant::now();
        found += tenant
            .duplicates_of(&row.id, &MatchConfig::default())
            .unwrap()
            .len();
        samples.push(started.elapsed());
    }
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "duplicates_of: n={} p50={:.2?} p99={:.2?} max={:.2?} ({found} matches)",
        samples.len(),
        at(0.5),
        at(0.99),
        samples[samples.len() - 1]
    );
}
