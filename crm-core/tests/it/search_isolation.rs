//! Search never crosses a tenant: random customers drawn from small pools (so the three tenants of
//! one store share names, emails, phones, cities, booking references and hotels), random bookings
//! (relinked when a reference comes again), random deletes, and random queries (prefixes of values
//! present in any tenant, random filters, combined). For every query and every tenant, each hit
//! is a live customer of that tenant, `total` counts the hits, and the hits equal what a simple
//! reference filter over the tenant's own customers gives (a lower bound only where typo
//! tolerance may add hits). A fixed seed keeps the cases the same from run to run; every sixth
//! case runs on a SQLite file, the others in memory.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use common::{actor, tenant};
use crm_core::limits::MAX_PAGE;
use crm_core::{
    Address, BookingStatus, Crm, Customer, CustomerId, CustomerQuery, NewBooking, NewCustomer,
    SearchSort, Tenant, fold,
};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

const TENANTS: [&str; 3] = ["agency-a", "agency-b", "agency-c"];
const FIRST: &[&str] = &["Anne", "Hélène", "José", "Jürgen", "Zoé", "Marc"];
const LAST: &[&str] = &["Dupont", "Dupond", "Müller", "Núñez", "Martin", "Le Blanc"];
const COMPANIES: &[&str] = &["Voyages Lumière", "Agence du Lac", "Lumineux"];
const EMAILS: &[&str] = &[
    "anne@example.fr",
    "Helene.Dupont@Example.fr",
    "jm@web.de",
    "contact@agence-du-lac.fr",
];
/// Pool phones: E.164 and three ways of typing them.
const PHONES: &[(&str, [&str; 3])] = &[
    (
        "+33612345678",
        ["06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678"],
    ),
    (
        "+33472001122",
        ["04 72 00 11 22", "+33472001122", "0033 4 72 00 11 22"],
    ),
    (
        "+49301234567",
        ["+49 30 1234567", "030 1234567", "0049301234567"],
    ),
    (
        "+33798765432",
        ["07.98.76.54.32", "+33 7 98 76 54 32", "0798765432"],
    ),
];
const CITIES: &[&str] = &["Lyon", "Lyonnais", "Genève", "Saint-Étienne", "Paris"];
const COUNTRIES: &[&str] = &["FR", "CH", "DE"];
const HOTELS: &[&str] = &["Hôtel du Parc", "Ibis", "Hotel du Parc Royal"];
const TRANSPORTS: &[&str] = &["Van", "Bus", "Minivan"];
const SELLERS: &[&str] = &["Alice", "Bruno"];

#[derive(Debug, Clone)]
struct Person {
    tenant: usize,
    first: usize,
    last: usize,
    company: Option<usize>,
    email: Option<usize>,
    secondary: Option<usize>,
    mobile: Option<usize>,
    phone: Option<usize>,
    city: Option<usize>,
    country: Option<usize>,
}

impl Person {
    fn fields(&self) -> NewCustomer {
        // A number typed nationally is read in the customer's country (else the tenant's FR):
        // customers of another country get an international form, so the stored E.164 is the
        // one of `PHONES`.
        let national_ok = matches!(self.country, None | Some(0));
        let typed = |i: usize| {
            let forms = PHONES[i].1;
            match national_ok {
                true => forms[i % 3].to_string(),
                false => forms
                    .iter()
                    .find(|f| f.starts_with('+'))
                    .unwrap()
                    .to_string(),
            }
        };
        NewCustomer {
            first_name: FIRST[self.first].into(),
            last_name: LAST[self.last].into(),
            company: self.company.map(|i| COMPANIES[i].into()),
            email: self.email.map(|i| EMAILS[i].into()),
            secondary_emails: self
                .secondary
                .filter(|s| Some(*s) != self.email)
                .map(|i| EMAILS[i].to_string())
                .into_iter()
                .collect(),
            mobile: self.mobile.map(typed),
            phone: self.phone.filter(|p| Some(*p) != self.mobile).map(typed),
            address: Address {
                city: self.city.map(|i| CITIES[i].into()),
                country: self.country.map(|i| COUNTRIES[i].into()),
                ..Default::default()
            },
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone)]
struct Trip {
    tenant: usize,
    person: usize,
    reference: usize,
    day: i64,
    hotel: Option<usize>,
    transport: Option<usize>,
    status: usize,
    seller: Option<usize>,
}

/// One typed word: a prefix of a pool value, in some case.
#[derive(Debug, Clone)]
struct Word {
    source: usize,
    pick: usize,
    chars: usize,
    case: u8,
}

#[derive(Debug, Clone)]
enum Filter {
    Email(usize, u8),
    Country(usize, bool),
    City(usize, usize),
    LastName(usize, usize),
    CustomerNo(i64),
    Phone(usize, usize),
    Mobile(usize, usize),
    Hotel(usize),
    Seller(usize),
    Transport(usize),
    Status(usize),
    HasEmail(bool),
    HasMobile(bool),
    Departure(i64, i64),
}

#[derive(Debug, Clone)]
struct Query {
    words: Vec<Word>,
    filters: Vec<Filter>,
    sort: usize,
}

fn person() -> impl Strategy<Value = Person> {
    let opt = |n: usize| proptest::option::of(0..n);
    (
        0..3usize,
        0..FIRST.len(),
        0..LAST.len(),
        opt(COMPANIES.len()),
        opt(EMAILS.len()),
        opt(EMAILS.len()),
        opt(PHONES.len()),
        opt(PHONES.len()),
        opt(CITIES.len()),
        opt(COUNTRIES.len()),
    )
        .prop_map(
            |(tenant, first, last, company, email, secondary, mobile, phone, city, country)| {
                Person {
                    tenant,
                    first,
                    last,
                    company,
                    email,
                    secondary,
                    mobile,
                    phone,
                    city,
                    country,
                }
            },
        )
}

fn trip() -> impl Strategy<Value = Trip> {
    (
        0..3usize,
        0..1000usize,
        0..6usize,
        0..60i64,
        proptest::option::of(0..HOTELS.len()),
        proptest::option::of(0..TRANSPORTS.len()),
        0..BookingStatus::ALL.len(),
        proptest::option::of(0..SELLERS.len()),
    )
        .prop_map(
            |(tenant, person, reference, day, hotel, transport, status, seller)| Trip {
                tenant,
                person,
                reference,
                day,
                hotel,
                transport,
                status,
                seller,
            },
        )
}

fn word() -> impl Strategy<Value = Word> {
    (0..4usize, 0..1000usize, 1..26usize, 0..3u8).prop_map(|(source, pick, chars, case)| Word {
        source,
        pick,
        chars,
        case,
    })
}

fn filter() -> impl Strategy<Value = Filter> {
    prop_oneof![
        (0..EMAILS.len(), 0..3u8).prop_map(|(i, c)| Filter::Email(i, c)),
        (0..COUNTRIES.len(), any::<bool>()).prop_map(|(i, l)| Filter::Country(i, l)),
        (0..CITIES.len(), 1..14usize).prop_map(|(i, n)| Filter::City(i, n)),
        (0..LAST.len(), 1..9usize).prop_map(|(i, n)| Filter::LastName(i, n)),
        (0..14i64).prop_map(Filter::CustomerNo),
        (0..PHONES.len(), 0..3usize).prop_map(|(i, f)| Filter::Phone(i, f)),
        (0..PHONES.len(), 0..3usize).prop_map(|(i, f)| Filter::Mobile(i, f)),
        (0..HOTELS.len()).prop_map(Filter::Hotel),
        (0..SELLERS.len()).prop_map(Filter::Seller),
        (0..TRANSPORTS.len()).prop_map(Filter::Transport),
        (0..BookingStatus::ALL.len()).prop_map(Filter::Status),
        any::<bool>().prop_map(Filter::HasEmail),
        any::<bool>().prop_map(Filter::HasMobile),
        (0..60i64, 0..12i64).prop_map(|(from, len)| Filter::Departure(from, len)),
    ]
}

fn query() -> impl Strategy<Value = Query> {
    (
        proptest::collection::vec(word(), 0..3),
        proptest::collection::vec(filter(), 0..4),
        0..4usize,
    )
        .prop_map(|(words, filters, sort)| Query {
            words,
            filters,
            sort,
        })
}

// ---------------------------------------------------------------------------------------------
// The reference model

fn first_chars(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn cased(s: &str, case: u8) -> String {
    match case {
        1 => s.to_lowercase(),
        2 => s.to_uppercase(),
        _ => s.to_owned(),
    }
}

/// Folded words: runs of letters and digits.
fn words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn base_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()
}

/// A booking as the model keeps it.
#[derive(Debug, Clone)]
struct Kept {
    customer: Option<CustomerId>,
    day: i64,
    hotel: Option<usize>,
    transport: Option<usize>,
    status: usize,
    seller: Option<usize>,
}

/// What a tenant holds: its live customers and its bookings by reference.
#[derive(Debug, Default)]
struct Model {
    customers: BTreeMap<CustomerId, Customer>,
    bookings: BTreeMap<usize, Kept>,
}

impl Model {
    fn trips_of<'a>(&'a self, c: &'a Customer) -> impl Iterator<Item = &'a Kept> + 'a {
        self.bookings
            .values()
            .filter(move |b| b.customer == Some(c.id))
    }

    fn emails(c: &Customer) -> impl Iterator<Item = &String> {
        c.email.iter().chain(&c.secondary_emails)
    }

    fn phones(c: &Customer) -> Vec<&str> {
        [&c.phone, &c.mobile, &c.fax, &c.emergency_phone]
            .into_iter()
            .flatten()
            .chain(&c.secondary_phones)
            .map(|p| p.e164.as_deref().unwrap_or_default())
            .collect()
    }

    /// Whether every word of `value` starts a word of `field`.
    fn word_prefixes(value: &str, field: Option<&String>) -> bool {
        let have = field.map(|f| words(f)).unwrap_or_default();
        words(value)
            .iter()
            .all(|w| have.iter().any(|h| h.starts_with(w.as_str())))
    }

    fn filter_matches(&self, c: &Customer, f: &Filter) -> bool {
        match f {
            Filter::Email(i, _) => Self::emails(c).any(|e| fold(e) == fold(EMAILS[*i])),
            Filter::Country(i, _) => c.address.country.as_deref() == Some(COUNTRIES[*i]),
            Filter::City(i, n) => {
                Self::word_prefixes(&first_chars(CITIES[*i], *n), c.address.city.as_ref())
            }
            Filter::LastName(i, n) => {
                Self::word_prefixes(&first_chars(LAST[*i], *n), Some(&c.last_name))
            }
            Filter::CustomerNo(n) => c.customer_no == *n,
            Filter::Phone(i, _) => Self::phones(c).contains(&PHONES[*i].0),
            Filter::Mobile(i, _) => {
                c.mobile.as_ref().and_then(|p| p.e164.as_deref()) == Some(PHONES[*i].0)
            }
            Filter::HasEmail(yes) => c.email.is_some() == *yes,
            Filter::HasMobile(yes) => c.mobile.is_some() == *yes,
            _ => match Self::booking_kind(f) {
                Some(_) => self.trips_of(c).any(|b| Self::trip_matches(b, f)),
                None => unreachable!("every customer filter is matched above"),
            },
        }
    }

    /// Which booking filter `f` is (the first of each kind given together must hold for one
    /// booking), `None` for a filter of the customer.
    fn booking_kind(f: &Filter) -> Option<u8> {
        match f {
            Filter::Hotel(_) => Some(0),
            Filter::Transport(_) => Some(1),
            Filter::Status(_) => Some(2),
            Filter::Seller(_) => Some(3),
            Filter::Departure(..) => Some(4),
            _ => None,
        }
    }

    fn trip_matches(b: &Kept, f: &Filter) -> bool {
        match f {
            Filter::Hotel(i) => b.hotel == Some(*i),
            Filter::Transport(i) => b.transport == Some(*i),
            Filter::Status(i) => b.status == *i,
            Filter::Seller(i) => b.seller == Some(*i),
            Filter::Departure(from, len) => (*from..=from + len).contains(&b.day),
            _ => false,
        }
    }

    /// Whether `c` matches every filter: the first booking filter of each kind, when two or
    /// more kinds are given, on one booking; the others each on its own.
    fn filters_match(&self, c: &Customer, filters: &[Filter]) -> bool {
        let mut kinds = Vec::new();
        let mut joined = Vec::new();
        let mut alone = Vec::new();
        for f in filters {
            match Self::booking_kind(f) {
                Some(kind) if !kinds.contains(&kind) => {
                    kinds.push(kind);
                    joined.push(f);
                }
                _ => alone.push(f),
            }
        }
        if joined.len() < 2 {
            alone.append(&mut joined);
        }
        alone.iter().all(|f| self.filter_matches(c, f))
            && (joined.is_empty()
                || self
                    .trips_of(c)
                    .any(|b| joined.iter().all(|f| Self::trip_matches(b, f))))
    }

    /// Whether `typed` (one whitespace-separated word) matches `c`, and whether that answer is
    /// exact (no typo tolerance can add a hit).
    fn word_matches(c: &Customer, typed: &str) -> (bool, bool) {
        let w = fold(typed);
        let w = w.trim_matches(|ch: char| !ch.is_alphanumeric());
        if w.is_empty() {
            return (true, true);
        }
        if w.contains('@') {
            return (Self::emails(c).any(|e| fold(e).starts_with(w)), true);
        }
        let mut have: Vec<String> = words(&c.first_name);
        have.extend(words(&c.last_name));
        have.extend(c.company.iter().flat_map(|s| words(s)));
        have.extend(Self::emails(c).flat_map(|e| words(e)));
        let mut all = true;
        let mut exact = true;
        for part in w
            .split(|ch: char| !ch.is_alphanumeric())
            .filter(|p| !p.is_empty())
        {
            all &= have.iter().any(|h| h.starts_with(part));
            exact &= part.chars().count() < 5;
        }
        (all, exact)
    }

    /// The customers `q` must find, and whether the tenant may return more (typo tolerance).
    fn expected(&self, text: &str, q: &Query) -> (BTreeSet<CustomerId>, bool) {
        let mut exact = true;
        let mut out = BTreeSet::new();
        for c in self.customers.values() {
            let mut hit = self.filters_match(c, &q.filters);
            for typed in text.split_whitespace() {
                let (m, e) = Self::word_matches(c, typed);
                hit &= m;
                exact &= e;
            }
            if hit {
                out.insert(c.id);
            }
        }
        (out, exact)
    }
}

fn source_value(w: &Word) -> &'static str {
    let pool: &[&str] = match w.source {
        0 => FIRST,
        1 => LAST,
        2 => COMPANIES,
        _ => EMAILS,
    };
    pool[w.pick % pool.len()]
}

fn to_query(q: &Query) -> (String, CustomerQuery) {
    let text = q
        .words
        .iter()
        .map(|w| cased(&first_chars(source_value(w), w.chars), w.case))
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = if text.is_empty() {
        CustomerQuery::all()
    } else {
        CustomerQuery::text(text.clone())
    };
    for f in &q.filters {
        out = match f {
            Filter::Email(i, case) => out.email(cased(EMAILS[*i], *case)),
            Filter::Country(i, lower) => out.country(if *lower {
                COUNTRIES[*i].to_lowercase()
            } else {
                COUNTRIES[*i].to_owned()
            }),
            Filter::City(i, n) => out.city(first_chars(CITIES[*i], *n)),
            Filter::LastName(i, n) => out.last_name(first_chars(LAST[*i], *n)),
            Filter::CustomerNo(n) => out.customer_no(*n),
            Filter::Phone(i, f) => out.phone(PHONES[*i].1[*f]),
            Filter::Mobile(i, f) => out.mobile(PHONES[*i].1[*f]),
            Filter::Hotel(i) => out.hotel(HOTELS[*i]),
            Filter::Seller(i) => out.booking_salesperson(SELLERS[*i].to_uppercase()),
            Filter::Transport(i) => out.transport(TRANSPORTS[*i].to_lowercase()),
            Filter::Status(i) => out.booking_status(BookingStatus::ALL[*i]),
            Filter::HasEmail(yes) => out.has_email(*yes),
            Filter::HasMobile(yes) => out.has_mobile(*yes),
            Filter::Departure(from, len) => out.departure_between(
                Some(base_day() + Duration::days(*from)),
                Some(base_day() + Duration::days(from + len)),
            ),
        };
    }
    let sort = [
        SearchSort::Relevance,
        SearchSort::Name,
        SearchSort::LastBooking,
        SearchSort::CreatedAt,
    ][q.sort];
    (text, out.sort(sort).limit(MAX_PAGE))
}

// ---------------------------------------------------------------------------------------------
// The scenario

struct Scenario {
    tenants: Vec<Tenant>,
    models: Vec<Model>,
}

fn build(crm: &Crm, people: &[Person], trips: &[Trip], deletes: &[(usize, usize)]) -> Scenario {
    let tenants: Vec<Tenant> = TENANTS.iter().map(|id| tenant(crm, id)).collect();
    let mut models: Vec<Model> = TENANTS.iter().map(|_| Model::default()).collect();
    let mut order: Vec<Vec<CustomerId>> = vec![Vec::new(); 3];
    for p in people {
        let c = tenants[p.tenant]
            .create_customer(&actor(), p.fields())
            .unwrap();
        order[p.tenant].push(c.id);
        models[p.tenant].customers.insert(c.id, c);
    }
    // Index what exists so far; the rest is applied incrementally.
    for t in &tenants {
        t.search(&CustomerQuery::all()).unwrap();
    }
    for trip in trips {
        let ids = &order[trip.tenant];
        if ids.is_empty() {
            continue;
        }
        let who = ids[trip.person % ids.len()];
        let pickup = Utc
            .from_utc_datetime(&base_day().and_hms_opt(12, 0, 0).unwrap())
            .fixed_offset()
            + Duration::days(trip.day);
        // Every tenant uses the same few references: a repeat relinks and replaces.
        let mut b = NewBooking::new(format!("BK-{}", trip.reference), pickup);
        b.customer_id = Some(who);
        b.hotel = trip.hotel.map(|i| HOTELS[i].into());
        b.transport = trip.transport.map(|i| TRANSPORTS[i].into());
        b.status = BookingStatus::ALL[trip.status];
        b.salesperson = trip.seller.map(|i| SELLERS[i].into());
        tenants[trip.tenant].upsert_booking(&actor(), b).unwrap();
        models[trip.tenant].bookings.insert(
            trip.reference,
            Kept {
                customer: Some(who),
                day: trip.day,
                hotel: trip.hotel,
                transport: trip.transport,
                status: trip.status,
                seller: trip.seller,
            },
        );
    }
    for (t, pick) in deletes {
        let ids = &mut order[*t];
        if ids.is_empty() {
            continue;
        }
        let id = ids.remove(pick % ids.len());
        tenants[*t].delete_customer(&actor(), &id).unwrap();
        let model = &mut models[*t];
        model.customers.remove(&id);
        for b in model.bookings.values_mut() {
            if b.customer == Some(id) {
                b.customer = None;
            }
        }
    }
    Scenario { tenants, models }
}

/// Runs `q` on every tenant and checks each against its model and against the others.
fn check(s: &Scenario, q: &Query) -> Result<(), TestCaseError> {
    let (text, cq) = to_query(q);
    let mut seen: BTreeMap<CustomerId, usize> = BTreeMap::new();
    for (i, (t, model)) in s.tenants.iter().zip(&s.models).enumerate() {
        let page = t.search(&cq).unwrap();
        prop_assert_eq!(
            page.total,
            page.items.len() as u64,
            "total of {:?} in {}",
            &cq,
            TENANTS[i]
        );
        let mut got = BTreeSet::new();
        for row in &page.items {
            let Some(mine) = model.customers.get(&row.id) else {
                let owner = s
                    .models
                    .iter()
                    .position(|m| m.customers.contains_key(&row.id));
                return Err(TestCaseError::fail(format!(
                    "{:?} in {} served {} {} ({}), a customer of {:?}",
                    cq,
                    TENANTS[i],
                    row.first_name,
                    row.last_name,
                    row.id,
                    owner.map_or("nobody (deleted)", |o| TENANTS[o])
                )));
            };
            prop_assert_eq!(
                (&row.first_name, &row.last_name, row.customer_no),
                (&mine.first_name, &mine.last_name, mine.customer_no)
            );
            prop_assert!(got.insert(row.id), "{} served twice", row.id);
            if let Some(other) = seen.insert(row.id, i) {
                return Err(TestCaseError::fail(format!(
                    "{} found in both {} and {}",
                    row.id, TENANTS[other], TENANTS[i]
                )));
            }
        }
        let (expected, exact) = model.expected(&text, q);
        if exact {
            prop_assert_eq!(
                &got,
                &expected,
                "{:?} in {}: hits differ from the reference filter",
                &cq,
                TENANTS[i]
            );
        } else {
            let missing: Vec<_> = expected.difference(&got).collect();
            prop_assert!(
                missing.is_empty(),
                "{:?} in {}: missed {:?}",
                &cq,
                TENANTS[i],
                missing
            );
        }
    }
    Ok(())
}

static CASES: AtomicUsize = AtomicUsize::new(0);

proptest! {
    #![proptest_config(ProptestConfig {
        rng_seed: RngSeed::Fixed(0x5EA2_C415),
        failure_persistence: None,
        ..ProptestConfig::with_cases(24)
    })]

    #[test]
    fn no_hit_crosses_a_tenant_and_hits_match_the_reference_filter(
        people in proptest::collection::vec(person(), 1..30),
        trips in proptest::collection::vec(trip(), 0..20),
        deletes in proptest::collection::vec((0..3usize, 0..1000usize), 0..4),
        queries in proptest::collection::vec(query(), 1..16),
    ) {
        // Every case on PostgreSQL when the suite runs against it; else one in six on a file.
        let on_file = CASES.fetch_add(1, Ordering::SeqCst).is_multiple_of(6)
            || common::postgres_server().is_some();
        let db = on_file.then(common::open);
        let crm = match &db {
            Some(db) => db.crm.clone(),
            None => Crm::open_in_memory().unwrap(),
        };
        let s = build(&crm, &people, &trips, &deletes);
        // Every tenant sees exactly its own customers.
        for (t, model) in s.tenants.iter().zip(&s.models) {
            let everyone = t.search(&CustomerQuery::all().limit(MAX_PAGE)).unwrap();
            prop_assert_eq!(everyone.total, model.customers.len() as u64);
            let got: BTreeSet<CustomerId> = everyone.items.iter().map(|r| r.id).collect();
            let want: BTreeSet<CustomerId> = model.customers.keys().copied().collect();
            prop_assert_eq!(got, want);
        }
        for q in &queries {
            check(&s, q)?;
        }
        // The same queries on a second handle of the file see the same.
        if let Some(db) = &db {
            let again = Scenario {
                tenants: TENANTS.iter().map(|id| db.reopen().tenant(id).unwrap()).collect(),
                models: s.models,
            };
            for q in &queries {
                check(&again, q)?;
            }
        }
    }
}

/// The pools do overlap across tenants: the same name, email, phone, city, reference and hotel in
/// all three, each tenant finding only its own.
#[test]
fn the_same_values_in_three_tenants_stay_apart() {
    let crm = Crm::open_in_memory().unwrap();
    let person = Person {
        tenant: 0,
        first: 0,
        last: 0,
        company: Some(0),
        email: Some(1),
        secondary: Some(2),
        mobile: Some(0),
        phone: Some(1),
        city: Some(0),
        country: Some(0),
    };
    let people: Vec<Person> = (0..3)
        .map(|tenant| Person {
            tenant,
            ..person.clone()
        })
        .collect();
    let trips: Vec<Trip> = (0..3)
        .map(|tenant| Trip {
            tenant,
            person: 0,
            reference: 0,
            day: 13,
            hotel: Some(0),
            transport: Some(0),
            status: 2,
            seller: Some(0),
        })
        .collect();
    let s = build(&crm, &people, &trips, &[]);
    let word = |source, chars| Word {
        source,
        pick: 0,
        chars,
        case: 0,
    };
    let queries = [
        Query {
            words: vec![word(0, 3), word(1, 3)],
            filters: vec![],
            sort: 0,
        },
        Query {
            words: vec![],
            filters: vec![
                Filter::Email(1, 2),
                Filter::Phone(0, 1),
                Filter::City(0, 4),
                Filter::Country(0, true),
                Filter::Hotel(0),
                Filter::Transport(0),
                Filter::Departure(13, 0),
                Filter::CustomerNo(1),
            ],
            sort: 1,
        },
    ];
    for q in &queries {
        check(&s, q).unwrap();
        for t in &s.tenants {
            assert_eq!(t.search(&to_query(q).1).unwrap().total, 1, "{q:?}");
        }
    }
}
