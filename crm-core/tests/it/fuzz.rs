//! Fuzzing of the two doors a stranger's bytes come through: the CSV import and the search
//! query. Every file of the corpus (`tests/fuzz-corpus/`) runs as is, then proptest mutates
//! corpus entries and makes new inputs from fragments. Whatever the input, a call answers `Ok`
//! or a validation error naming its field, writes all or nothing of a failed all-or-nothing
//! import, never touches another tenant, and never panics, aborts or hangs.
//!
//! CI runs a bounded number of cases (`CRM_FUZZ_CASES`, default 64 per target); a longer run:
//!
//! ```text
//! CRM_FUZZ_CASES=200000 cargo test --release -p crm-core --test it fuzz:: -- --nocapture
//! ```
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use crm_core::{
    CustomerQuery, ErrorKind, ImportOptions, SearchSort, Tenant, limits::MAX_SEARCH_DEPTH,
};
use proptest::prelude::*;
use proptest::test_runner::Config;

use crate::common::alloc::peak_of;
use crate::common::*;

/// Cases per target: `CRM_FUZZ_CASES`, else 64.
fn cases() -> u32 {
    std::env::var("CRM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

fn config() -> Config {
    Config {
        cases: cases(),
        // A failure is reported with its input; nothing is written beside the sources.
        failure_persistence: None,
        ..Config::default()
    }
}

fn corpus(kind: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-corpus")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// A fresh in-memory store with the tenant under test and a bystander tenant.
fn two_tenants() -> (crm_core::Crm, Tenant, Tenant) {
    let crm = crm_core::Crm::open_in_memory().unwrap();
    let t = tenant(&crm, "fuzzed");
    let other = tenant(&crm, "bystander");
    other
        .create_customer(&actor(), customer_with_email("Bob", "Stander", "bob@x.fr"))
        .unwrap();
    (crm, t, other)
}

/// The import target: every option set on one input. Panics on any broken promise.
fn import_target(csv: &[u8]) {
    let (_crm, t, other) = two_tenants();
    let count = |t: &Tenant| t.search(&CustomerQuery::all()).unwrap().total;
    let options = [
        ImportOptions::new().all_or_nothing(true),
        ImportOptions::new().dry_run(true).lenient(true),
        ImportOptions::new().lenient(true).batch_size(3),
        ImportOptions::new(),
    ];
    for options in options {
        let before = count(&t);
        match t.import_csv(&actor(), csv, &options, |_, _| true) {
            Ok(report) => {
                let after = count(&t);
                assert!(report.issues.len() as u64 <= report.issues_total);
                assert!(report.created + report.updated + report.unchanged <= report.rows);
                if options.dry_run || (options.all_or_nothing && !report.committed) {
                    assert_eq!(after, before, "a dry or failed all-or-nothing run wrote");
                } else {
                    assert_eq!(after, before + report.created, "{report:?}");
                }
            }
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
                assert!(e.field().is_some(), "{e}");
                if options.all_or_nothing || options.dry_run {
                    assert_eq!(count(&t), before, "a refused import wrote");
                }
            }
        }
    }
    assert_eq!(count(&other), 1, "another tenant changed");
}

/// The query target: `text` as the typed text and as every text filter, in every sort, at a
/// page from `offset` and `limit`. Panics on any broken promise.
fn query_target(text: &str, offset: u64, limit: u32, t: &Tenant) {
    type Filter = fn(CustomerQuery, String) -> CustomerQuery;
    let filters: [Filter; 16] = [
        CustomerQuery::first_name,
        CustomerQuery::last_name,
        CustomerQuery::company,
        CustomerQuery::email,
        CustomerQuery::phone,
        CustomerQuery::zip,
        CustomerQuery::city,
        CustomerQuery::address,
        CustomerQuery::contact_person,
        CustomerQuery::country,
        CustomerQuery::region,
        CustomerQuery::language,
        CustomerQuery::salesperson,
        CustomerQuery::list,
        CustomerQuery::transport,
        CustomerQuery::hotel,
    ];
    let mut queries = vec![CustomerQuery::text(text)];
    queries.extend(
        filters
            .iter()
            .map(|f| f(CustomerQuery::all(), text.to_owned())),
    );
    for sort in [
        SearchSort::Relevance,
        SearchSort::Name,
        SearchSort::LastBooking,
        SearchSort::CreatedAt,
    ] {
        for q in &queries {
            let q = q.clone().sort(sort).offset(offset).limit(limit);
            let (result, peak) = peak_of(|| t.search(&q));
            assert!(peak < 64 * 1024 * 1024, "{peak} bytes for {q:?}");
            match result {
                Ok(page) => {
                    assert!(page.items.len() <= limit as usize);
                    assert!(offset + u64::from(limit) <= MAX_SEARCH_DEPTH);
                    // Only this tenant's customers.
                    assert!(page.items.iter().all(|r| r.last_name != "Stander"));
                }
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
                    assert!(e.field().is_some(), "{e}");
                }
            }
        }
    }
}

/// A tenant with customers whose words the fuzzed queries can hit, beside a bystander.
fn searchable() -> (crm_core::Crm, Tenant) {
    let (crm, t, _other) = two_tenants();
    let people = [
        (
            "Hélène",
            "Dupont",
            "helene.dupont@example.fr",
            "06 12 34 56 78",
        ),
        ("Seán", "O'Brien", "sean@example.ie", "+353 1 234 5678"),
        (
            "Jürgen",
            "Müller",
            "j.mueller@example.de",
            "+49 151 2564251",
        ),
    ];
    for (first, last, email, phone) in people {
        let mut c = customer_with_email(first, last, email);
        c.mobile = Some(phone.into());
        c.company = Some("Acme Travel".into());
        c.address.city = Some("Lyon".into());
        t.create_customer(&actor(), c).unwrap();
    }
    (crm, t)
}

#[test]
fn the_csv_corpus_imports_or_is_refused_cleanly() {
    for (path, bytes) in corpus("csv") {
        eprintln!("{}", path.display());
        import_target(&bytes);
    }
}

#[test]
fn the_query_corpus_searches_or_is_refused_cleanly() {
    let (_crm, t) = searchable();
    for (path, bytes) in corpus("query") {
        eprintln!("{}", path.display());
        let text = String::from_utf8_lossy(&bytes);
        query_target(&text, 0, 20, &t);
        query_target(&text, MAX_SEARCH_DEPTH - 1, 1, &t);
        query_target(&text, 1 << 63, 20, &t);
    }
}

/// One mutation of a byte string: flip, insert, delete, repeat a slice, or splice a fragment.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Repeat(usize, usize, usize),
}

fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len();
        match m {
            Mutation::Flip(at, bits) if len > 0 => bytes[at % len] ^= bits,
            Mutation::Insert(at, piece) => {
                let at = at % (len + 1);
                bytes.splice(at..at, piece.iter().copied());
            }
            Mutation::Delete(at, n) if len > 0 => {
                let at = at % len;
                let end = (at + n).min(len);
                bytes.drain(at..end);
            }
            Mutation::Repeat(at, n, times) if len > 0 => {
                let at = at % len;
                let end = (at + n % 64 + 1).min(len);
                let piece = bytes[at..end].repeat(*times % 200 + 1);
                bytes.splice(at..at, piece);
            }
            _ => {}
        }
    }
    bytes
}

/// Pieces that matter to a CSV reader or to the fields read from it.
const FRAGMENTS: &[&[u8]] = &[
    b",",
    b";",
    b"\t",
    b"\"",
    b"\"\"",
    b"\n",
    b"\r",
    b"\r\n",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x00",
    b"\xc3",
    b"=1+1",
    b"@",
    b"first_name",
    b"last_name",
    b"email",
    b"phone",
    b"customer_no",
    b"birth_date",
    b"custom_fields",
    b"{\"k\":",
    b"+33 6 12 34 56 78",
    b"9999-99-99",
    b"\xf0\x9f\x98\x80",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(a, b)| Mutation::Flip(a, b)),
        (any::<usize>(), prop::sample::select(FRAGMENTS))
            .prop_map(|(a, f)| Mutation::Insert(a, f.to_vec())),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(a, b)| Mutation::Insert(a, b)),
        (any::<usize>(), 1usize..64).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), any::<usize>(), any::<usize>())
            .prop_map(|(a, n, t)| Mutation::Repeat(a, n, t)),
    ]
}

#[test]
fn mutated_and_made_up_csv_files_import_or_are_refused_cleanly() {
    let seeds: Vec<Vec<u8>> = corpus("csv").into_iter().map(|(_, b)| b).collect();
    let n = seeds.len();
    let made_up = prop::collection::vec(prop::sample::select(FRAGMENTS), 0..80)
        .prop_map(|parts| parts.concat());
    let mutated = (0..n, prop::collection::vec(mutation(), 1..12))
        .prop_map(move |(i, ms)| apply(seeds[i].clone(), &ms));
    let input = prop_oneof![mutated, made_up];
    proptest!(config(), |(csv in input)| {
        import_target(&csv);
    });
}

#[test]
fn mutated_and_made_up_queries_search_or_are_refused_cleanly() {
    let (_crm, t) = searchable();
    let seeds: Vec<Vec<u8>> = corpus("query").into_iter().map(|(_, b)| b).collect();
    let n = seeds.len();
    let mutated = (0..n, prop::collection::vec(mutation(), 1..8)).prop_map(move |(i, ms)| {
        String::from_utf8_lossy(&apply(seeds[i].clone(), &ms)).into_owned()
    });
    let input = prop_oneof![mutated, any::<String>(), "[a-zA-Z0-9 .@'+-]{0,1200}"];
    let offset = prop_oneof![0u64..100, Just(MAX_SEARCH_DEPTH), any::<u64>()];
    let limit = prop_oneof![1u32..50, Just(0), any::<u32>()];
    proptest!(config(), |(text in input, offset in offset, limit in limit)| {
        query_target(&text, offset, limit, &t);
    });
}
