//! Shared fixtures of the integration tests: a real SQLite file in a temporary directory, a tenant
//! with default phone region FR, an actor, builders for customers and bookings, and observations
//! made through the public API only.
#![allow(dead_code, clippy::unwrap_used)]

pub(crate) mod alloc;
pub(crate) mod smtp;

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};
use crm_core::{
    Actor, Booking, ChangeEvent, Crm, Customer, CustomerListQuery, CustomerRow, CustomerSort,
    ErrorKind, Invoice, Money, NewBooking, NewCustomer, PaymentStatus, Role, Tenant,
    TenantSettings,
};
use tempfile::TempDir;

/// An open store: a real SQLite file in a temporary directory, or, when the suite runs against
/// PostgreSQL (`CRM_TEST_STORE=postgres`), a schema of its own on the test server
/// (`CRM_TEST_POSTGRES`) with its index in the temporary directory.
pub(crate) struct Db {
    /// The handle on the store.
    pub(crate) crm: Crm,
    /// Where the SQLite file lives (or would: not made on PostgreSQL).
    pub(crate) path: PathBuf,
    /// The PostgreSQL connection string of the store's schema, on PostgreSQL.
    pub(crate) url: Option<String>,
    /// Keeps the directory alive; dropped last.
    pub(crate) dir: TempDir,
}

/// The connection string of the test server when the suite runs against PostgreSQL. With `CI`
/// set, asking for PostgreSQL without a server fails rather than testing SQLite twice.
pub(crate) fn postgres_server() -> Option<String> {
    let wanted = std::env::var("CRM_TEST_STORE").is_ok_and(|s| s == "postgres");
    if !wanted {
        return None;
    }
    match std::env::var("CRM_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => panic!("CRM_TEST_STORE=postgres needs CRM_TEST_POSTGRES (the test server)"),
    }
}

/// A new, empty schema on the test server; the connection string that works in it.
pub(crate) fn postgres_schema(server: &str) -> String {
    let name = format!("t_{}", uuid::Uuid::now_v7().simple());
    let mut client = postgres::Client::connect(server, postgres::NoTls).unwrap();
    client
        .batch_execute(&format!("CREATE SCHEMA {name}"))
        .unwrap();
    format!("{server} options='-c search_path={name}'")
}

/// Opens a fresh store in a new temporary directory: on the store the suite runs against.
pub(crate) fn open() -> Db {
    match postgres_server() {
        Some(server) => {
            let dir = tempfile::tempdir().unwrap();
            let url = postgres_schema(&server);
            let crm = Crm::connect(&url, dir.path().join("index")).unwrap();
            Db {
                crm,
                path: dir.path().join("crm.db"),
                url: Some(url),
                dir,
            }
        }
        None => open_sqlite(),
    }
}

/// Opens a fresh SQLite file in a new temporary directory, whichever store the suite runs
/// against (for tests of the file itself).
pub(crate) fn open_sqlite() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    let crm = Crm::open(&path).unwrap();
    Db {
        crm,
        path,
        url: None,
        dir,
    }
}

impl Db {
    /// A tenant whose default phone region is FR (this appends one settings event to its feed).
    pub(crate) fn tenant(&self, id: &str) -> Tenant {
        tenant(&self.crm, id)
    }

    /// Opens a second handle on the same store (as another process would), sharing the index
    /// folder.
    pub(crate) fn reopen(&self) -> Crm {
        match &self.url {
            Some(url) => Crm::connect(url, self.dir.path().join("index")).unwrap(),
            None => Crm::open(&self.path).unwrap(),
        }
    }

    /// A handle on the same store as another application server would open it: PostgreSQL
    /// with an index folder of its own (`name`); on SQLite, a second handle on the file.
    pub(crate) fn server(&self, name: &str) -> Crm {
        match &self.url {
            Some(url) => Crm::connect(url, self.dir.path().join(name)).unwrap(),
            None => Crm::open(&self.path).unwrap(),
        }
    }
}

/// A tenant of `crm` whose default phone region is FR.
pub(crate) fn tenant(crm: &Crm, id: &str) -> Tenant {
    let t = crm.tenant(id).unwrap();
    t.set_settings(&actor(), TenantSettings::with_region("FR"))
        .unwrap();
    t
}

/// The clerk making the changes.
pub(crate) fn actor() -> Actor {
    Actor::new("u-17", Role::Agent)
}

/// A customer with only the required fields.
pub(crate) fn customer(first: &str, last: &str) -> NewCustomer {
    NewCustomer {
        first_name: first.into(),
        last_name: last.into(),
        ..Default::default()
    }
}

/// A customer with an email.
pub(crate) fn customer_with_email(first: &str, last: &str, email: &str) -> NewCustomer {
    NewCustomer {
        email: Some(email.into()),
        ..customer(first, last)
    }
}

/// Parses an RFC 3339 date-time.
pub(crate) fn at(rfc3339: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap()
}

/// A confirmed booking with a route, picked up at `pickup` (RFC 3339).
pub(crate) fn booking(reference: &str, pickup: &str) -> NewBooking {
    let mut b = NewBooking::new(reference, at(pickup));
    b.route_from = "Lyon Part-Dieu".into();
    b.route_to = "Aéroport LYS".into();
    b
}

/// A booking linked to `customer`.
pub(crate) fn booking_for(reference: &str, pickup: &str, customer: &Customer) -> NewBooking {
    NewBooking {
        customer_id: Some(customer.id),
        ..booking(reference, pickup)
    }
}

/// An invoice of `minor` units of `currency`.
pub(crate) fn invoice(number: &str, minor: i64, currency: &str) -> Invoice {
    Invoice::new(
        number,
        Money {
            minor,
            currency: currency.into(),
        },
        PaymentStatus::Paid,
    )
}

/// How many customers the tenant holds, as the list reports it.
pub(crate) fn count_customers(t: &Tenant) -> u64 {
    t.list_customers(&CustomerListQuery::new(CustomerSort::Name).limit(1))
        .unwrap()
        .total
}

/// Every change event of the tenant, in order.
pub(crate) fn all_changes(t: &Tenant) -> Vec<ChangeEvent> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = t.changes_since(after, 10_000).unwrap();
        let Some(last) = page.last() else {
            return out;
        };
        // Guards the loop: a feed that served `after` again would never end.
        assert!(
            page[0].seq > after,
            "changes_since({after}) served seq {}",
            page[0].seq
        );
        after = last.seq;
        out.extend(page);
    }
}

/// The change events of the tenant after `seq`.
pub(crate) fn changes_after(t: &Tenant, seq: i64) -> Vec<ChangeEvent> {
    all_changes(t).into_iter().filter(|e| e.seq > seq).collect()
}

/// The sequence number of the tenant's latest change event (0 if none).
pub(crate) fn last_seq(t: &Tenant) -> i64 {
    all_changes(t).last().map_or(0, |e| e.seq)
}

/// Every row of the list for `query`, walking all pages.
pub(crate) fn all_rows(t: &Tenant, query: CustomerListQuery) -> Vec<CustomerRow> {
    let mut out: Vec<CustomerRow> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut page = t.list_customers(&query).unwrap();
    loop {
        // Guards the loop: pagination that served a row again might never end.
        for r in &page.items {
            assert!(seen.insert(r.id), "the list served customer {} twice", r.id);
        }
        out.extend(page.items);
        match page.next {
            Some(cursor) => page = t.list_customers(&query.clone().after(cursor)).unwrap(),
            None => return out,
        }
    }
}

/// Every customer of the tenant, fully read, in name order.
pub(crate) fn all_customers(t: &Tenant) -> Vec<Customer> {
    all_rows(t, CustomerListQuery::new(CustomerSort::Name).limit(1_000))
        .iter()
        .map(|r| t.get_customer(&r.id).unwrap())
        .collect()
}

/// What can be observed of a tenant through the public API: its customers (with history and
/// stats), the bookings with the given references, its settings and its change feed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Snapshot {
    pub(crate) customers: Vec<Customer>,
    pub(crate) histories: Vec<Vec<Booking>>,
    pub(crate) stats: Vec<crm_core::CustomerStats>,
    pub(crate) bookings: Vec<Option<Booking>>,
    pub(crate) settings: TenantSettings,
    pub(crate) changes: Vec<ChangeEvent>,
    pub(crate) total: u64,
}

/// Observes the tenant, including the bookings with `references` (absent ones as `None`).
pub(crate) fn snapshot(t: &Tenant, references: &[&str]) -> Snapshot {
    let customers = all_customers(t);
    Snapshot {
        histories: customers
            .iter()
            .map(|c| t.booking_history(&c.id).unwrap())
            .collect(),
        stats: customers
            .iter()
            .map(|c| t.customer_stats(&c.id).unwrap())
            .collect(),
        bookings: references
            .iter()
            .map(|r| match t.get_booking(r) {
                Ok(b) => Some(b),
                Err(e) if e.kind() == ErrorKind::NotFound => None,
                Err(e) => panic!("get_booking({r}): {e}"),
            })
            .collect(),
        settings: t.settings().unwrap(),
        changes: all_changes(t),
        total: count_customers(t),
        customers,
    }
}

/// Asserts `result` failed with `kind`.
#[track_caller]
pub(crate) fn assert_kind<T: std::fmt::Debug>(result: crm_core::Result<T>, kind: ErrorKind) {
    match result {
        Ok(v) => panic!("expected a {kind} error, got Ok({v:?})"),
        Err(e) => assert_eq!(e.kind(), kind, "unexpected error: {e}"),
    }
}

/// Asserts `result` failed validation on `field`.
#[track_caller]
pub(crate) fn assert_invalid<T: std::fmt::Debug>(result: crm_core::Result<T>, field: &str) {
    match result {
        Ok(v) => panic!("expected a validation error on {field}, got Ok({v:?})"),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Validation, "unexpected error: {e}");
            assert_eq!(e.field(), Some(field), "wrong field in: {e}");
        }
    }
}

/// Files under `dir` (recursively) whose bytes, ASCII-lowercased, hold one of the needles.
pub(crate) fn files_holding(dir: &std::path::Path, needles: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let lower = bytes.to_ascii_lowercase();
            for needle in needles {
                if lower.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                    found.push(format!("{} holds {needle:?}", path.display()));
                }
            }
        }
    }
    found
}
