//! From a [`CustomerQuery`] to tantivy queries. Typed words are lookups of terms scoped to the
//! tenant (a prefix is one gram term; phone digits past six are a range of the whole forms that
//! start with them, still scoped, so no hit can come from another tenant); filters are clauses
//! on unscoped fields, combined with the tenant term when nothing typed scopes them.
//!
//! Nothing is scored: results are ranked by tiers (typo matches below the others) and, within a
//! tier, by a fast-field column, so a query costs a walk of its posting lists (and, for a range,
//! a bit set of each segment's documents) and no more.

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, FuzzyTermQuery, InvertedIndexRangeQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::bookings::{self, Fact};
use super::document::{Fields, NO_BOOKING_DAY, normalise_value};
use super::terms::{
    self, MAX_GRAM, MIN_TAIL, PHONE_GRAM, PHONE_INTL, PHONE_PREFIX, PHONE_REVERSED, PHONE_TAIL,
    Typed,
};
use super::{CustomerQuery, TextFilter};
use crate::model::limits::{MAX_TYPO_WORD_CHARS, MAX_TYPO_WORDS};

/// The queries of one search.
pub(super) struct Built {
    /// Relevance tiers, each matching a superset of the one before, the last everything: typed
    /// words as whole words, then as prefixes, then with typos (tiers that would add nothing are
    /// left out).
    pub(super) tiers: Vec<Box<dyn Query>>,
}

impl Built {
    /// Everything that matches.
    pub(super) fn all(&self) -> &dyn Query {
        self.tiers.last().expect("at least one tier").as_ref()
    }
}

/// How strictly typed words match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strictness {
    /// A typed word is a whole word of the customer.
    Whole,
    /// A typed word starts a word of the customer.
    Prefix,
    /// A typed word starts a word of the customer, or (5+ characters) is a typo or two away.
    Typos,
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::Basic,
    ))
}

/// A term of a field whose values are scoped to the tenant.
fn scoped(field: Field, tenant: &str, text: &str) -> Box<dyn Query> {
    term(field, &terms::scoped(tenant, text))
}

fn any(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if queries.len() == 1 {
        return queries.into_iter().next().expect("one query");
    }
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

fn all_of(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if queries.len() == 1 {
        return queries.into_iter().next().expect("one query");
    }
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Must, q)).collect(),
    ))
}

fn first_chars(word: &str, n: usize) -> &str {
    word.char_indices().nth(n).map_or(word, |(i, _)| &word[..i])
}

/// The clause of one typed word: a whole word of the customer, a prefix of one, or (with typos
/// and 5+ characters) a word one or two edits away. The edit distance runs over the scoped term,
/// and the typo clause is also held to the tenant's term.
fn word_clause(f: &Fields, tenant: &str, word: &str, strictness: Strictness) -> Box<dyn Query> {
    if strictness == Strictness::Whole {
        return scoped(f.word, tenant, word);
    }
    let prefix = scoped(f.gram, tenant, first_chars(word, MAX_GRAM));
    if strictness == Strictness::Prefix || !tolerates_typos(word) {
        return prefix;
    }
    let distance = if word.chars().count() >= 9 { 2 } else { 1 };
    let fuzzy = FuzzyTermQuery::new(
        Term::from_field_text(f.word, &terms::scoped(tenant, word)),
        distance,
        true,
    );
    any(vec![
        prefix,
        all_of(vec![Box::new(fuzzy), term(f.tenant, tenant)]),
    ])
}

/// Whether a typed word gets a typo-tolerant clause: 5 characters or more, and not longer than
/// any name (the automaton of a typo-tolerant word grows with its length).
fn tolerates_typos(word: &str) -> bool {
    (5..=MAX_TYPO_WORD_CHARS).contains(&word.chars().count())
}

/// The clauses of a typed email (part): the local part as typed is the whole local part of an
/// email, and each word after the `@` starts a word of it (`jean.dupont@gm`).
fn email_clauses(f: &Fields, tenant: &str, typed: &str) -> Vec<Box<dyn Query>> {
    let (local, domain) = typed.split_once('@').unwrap_or((typed, ""));
    let mut clauses = Vec::new();
    if !local.is_empty() {
        clauses.push(scoped(f.local, tenant, local));
    }
    for word in domain
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        clauses.push(scoped(f.gram, tenant, first_chars(word, MAX_GRAM)));
    }
    clauses
}

/// The clause of phone digits: a prefix of a national or international number form, or (from
/// four digits) its end, or (typed text, not the phone filter) the start of a customer no.
/// Digits typed after `+` or `00` are the start of an international form only.
///
/// `field` is empty for any phone, or one of the `FIELD_` letters of [`terms`] for the phone
/// field it stands for.
fn digits_clause(
    f: &Fields,
    tenant: &str,
    typed: &Typed,
    customer_no: bool,
    field: &str,
) -> Box<dyn Query> {
    let digits = match typed {
        Typed::International(digits) => {
            return phone_start(f, tenant, field, PHONE_INTL, digits);
        }
        Typed::Digits(digits) | Typed::Word(digits) => digits,
    };
    let mut options = vec![
        phone_start(f, tenant, field, PHONE_PREFIX, digits),
        phone_start(f, tenant, field, PHONE_INTL, digits),
    ];
    if customer_no {
        options.push(scoped(f.gram, tenant, first_chars(digits, MAX_GRAM)));
    }
    if digits.len() > PHONE_GRAM {
        options.push(phone_start(
            f,
            tenant,
            field,
            PHONE_REVERSED,
            &terms::reversed(digits),
        ));
    } else if digits.len() >= MIN_TAIL {
        options.push(scoped(
            f.gram,
            tenant,
            &format!("{field}{PHONE_TAIL}{digits}"),
        ));
    }
    any(options)
}

/// Phone forms of `field` (see [`digits_clause`]) under `marker` that start with `digits`: one
/// gram term up to [`PHONE_GRAM`] digits, past it the range of whole forms that start with them.
fn phone_start(
    f: &Fields,
    tenant: &str,
    field: &str,
    marker: char,
    digits: &str,
) -> Box<dyn Query> {
    let start = terms::scoped(tenant, &format!("{field}{marker}{digits}"));
    if digits.len() <= PHONE_GRAM {
        return term(f.gram, &start);
    }
    let mut upper = start.as_bytes().to_vec();
    upper.push(0xFF);
    Box::new(InvertedIndexRangeQuery::new(
        Bound::Included(Term::from_field_text(f.gram, &start)),
        Bound::Excluded(Term::from_field_bytes(f.gram, &upper)),
    ))
}

/// Every word of `value` must start a word of `field`: the terms from the word up to the word
/// followed by a byte no UTF-8 text holds, so memory does not grow with the word.
fn words_prefix(field: Field, value: &str) -> Box<dyn Query> {
    let clauses = terms::words(value)
        .into_iter()
        .map(|word| {
            let mut upper = word.as_bytes().to_vec();
            upper.push(0xFF);
            let q: Box<dyn Query> = Box::new(InvertedIndexRangeQuery::new(
                Bound::Included(Term::from_field_text(field, &word)),
                Bound::Excluded(Term::from_field_bytes(field, &upper)),
            ));
            (Occur::Must, q)
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// Values of `field` in `[from, to)`; an open start still excludes `i64::MIN`, the value of "no
/// booking yet", so a period open at both ends means "has one".
fn range(field: Field, from: Option<i64>, to: Option<i64>) -> Box<dyn Query> {
    let lower = Bound::Included(Term::from_field_i64(field, from.unwrap_or(i64::MIN + 1)));
    let upper = to.map_or(Bound::Unbounded, |v| {
        Bound::Excluded(Term::from_field_i64(field, v))
    });
    Box::new(RangeQuery::new(lower, upper))
}

/// How many clauses (words) the typed text makes, as [`text_clauses`] splits it.
pub(super) fn word_count(typed: &[Typed]) -> usize {
    let parts = |text: &str| {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|p| !p.is_empty())
            .count()
    };
    typed
        .iter()
        .map(|t| match t {
            Typed::Digits(_) | Typed::International(_) => 1,
            Typed::Word(w) => match w.split_once('@') {
                Some((local, domain)) => usize::from(!local.is_empty()) + parts(domain),
                None => parts(w),
            },
        })
        .sum()
}

/// Builds the queries of `q` for `tenant`. The bounds of a caller's query are checked before
/// (see [`CustomerQuery::validate`]); the library's own queries (duplicate candidates, from
/// stored names) stay within memory bounds through the typo limits alone.
pub(super) fn build(f: &Fields, tenant: &str, q: &CustomerQuery) -> Built {
    let typed = terms::typed(&q.text);
    let parts = || {
        typed.iter().flat_map(|t| match t {
            Typed::Word(w) if !w.contains('@') => w
                .split(|c: char| !c.is_alphanumeric())
                .filter(|p| !p.is_empty())
                .collect(),
            _ => Vec::new(),
        })
    };
    let mut levels = Vec::new();
    if parts().next().is_some() {
        levels.push(Strictness::Whole);
    }
    levels.push(Strictness::Prefix);
    if parts().any(tolerates_typos) {
        levels.push(Strictness::Typos);
    }
    let filters = filters(f, tenant, q);
    let tiers = levels
        .into_iter()
        .map(|strictness| {
            let mut must = text_clauses(f, tenant, &typed, strictness);
            if must.is_empty() {
                // Nothing typed scopes the query to the tenant: its term does.
                must.push(term(f.tenant, tenant));
            }
            must.extend(filters.iter().map(|q| q.box_clone()));
            all_of(must)
        })
        .collect();
    Built { tiers }
}

/// One clause per typed word (each part of `o'brien`, `jean.dup`), all scoped to the tenant.
fn text_clauses(
    f: &Fields,
    tenant: &str,
    typed: &[Typed],
    strictness: Strictness,
) -> Vec<Box<dyn Query>> {
    let mut must = Vec::new();
    // Only the first words that tolerate typos get a typo clause (see `MAX_TYPO_WORDS`).
    let mut typos_left = MAX_TYPO_WORDS;
    for typed in typed {
        match typed {
            Typed::Digits(_) | Typed::International(_) => {
                must.push(digits_clause(f, tenant, typed, true, ""))
            }
            Typed::Word(w) if w.contains('@') => must.extend(email_clauses(f, tenant, w)),
            Typed::Word(w) => {
                for part in w
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|p| !p.is_empty())
                {
                    let mut strict = strictness;
                    if strict == Strictness::Typos && tolerates_typos(part) {
                        if typos_left == 0 {
                            strict = Strictness::Prefix;
                        }
                        typos_left = typos_left.saturating_sub(1);
                    }
                    must.push(word_clause(f, tenant, part, strict));
                }
            }
        }
    }
    must
}

/// The clauses of the find-customer filters. The booking filters (departure, transport, hotel,
/// status, booking salesperson) given together are one clause that one booking must match: the
/// first filter of each kind joins it, a further one of a kind already given matches any
/// booking.
fn filters(f: &Fields, tenant: &str, q: &CustomerQuery) -> Vec<Box<dyn Query>> {
    let mut filters: Vec<Box<dyn Query>> = Vec::new();
    let mut facts: Vec<(Fact, String)> = Vec::new();
    let mut period = None;
    let joined: Vec<bool> = {
        let mut seen = Vec::new();
        q.filters
            .iter()
            .map(|filter| {
                let kind = booking_kind(filter);
                let first = kind.is_some() && !seen.contains(&kind);
                seen.push(kind);
                first
            })
            .collect()
    };
    let together = joined.iter().filter(|j| **j).count() >= 2;
    for (filter, joins) in q.filters.iter().zip(joined) {
        if together && joins {
            match filter {
                TextFilter::Departure(from, to) => period = Some((*from, *to)),
                TextFilter::Status(s) => facts.push((Fact::Status, s.as_str().to_owned())),
                other => {
                    if let (Some(Some(fact)), Some((_, value, _))) =
                        (booking_kind(other), other.text())
                    {
                        facts.push((fact, normalise_value(value)));
                    }
                }
            }
            continue;
        }
        filters.push(match filter {
            TextFilter::CustomerNo(no) => Box::new(TermQuery::new(
                Term::from_field_i64(f.customer_no, *no),
                IndexRecordOption::Basic,
            )),
            TextFilter::FirstName(v) => words_prefix(f.first_name, v),
            TextFilter::LastName(v) => words_prefix(f.last_name, v),
            TextFilter::Company(v) => words_prefix(f.company, v),
            TextFilter::Street(v) => words_prefix(f.street, v),
            TextFilter::City(v) => words_prefix(f.city, v),
            TextFilter::ContactPerson(v) => words_prefix(f.contact, v),
            TextFilter::Email(v) => term(f.email, &crate::model::fold(v.trim())),
            TextFilter::Phone(v) => phone_of(f, tenant, v, ""),
            TextFilter::MainPhone(v) => phone_of(f, tenant, v, terms::FIELD_PHONE),
            TextFilter::Mobile(v) => phone_of(f, tenant, v, terms::FIELD_MOBILE),
            TextFilter::Fax(v) => phone_of(f, tenant, v, terms::FIELD_FAX),
            TextFilter::EmergencyPhone(v) => phone_of(f, tenant, v, terms::FIELD_EMERGENCY),
            TextFilter::E164(v) => {
                let digits: String = v.chars().filter(char::is_ascii_digit).collect();
                scoped(f.gram, tenant, &format!("{PHONE_INTL}{digits}"))
            }
            TextFilter::Zip(v) => term(f.zip, &normalise_value(v)),
            TextFilter::ZipPrefix(v) => value_prefix(f.zip, &normalise_value(v)),
            TextFilter::Region(v) => term(f.region, &normalise_value(v)),
            TextFilter::Country(v) => term(f.country, &normalise_value(v)),
            TextFilter::Language(v) => term(f.language, &normalise_value(v)),
            TextFilter::Salesperson(v) => term(f.salesperson, &normalise_value(v)),
            TextFilter::List(v) => term(f.list, &normalise_value(v)),
            TextFilter::Transport(v) => term(f.transport, &normalise_value(v)),
            TextFilter::Hotel(v) => term(f.hotel, &normalise_value(v)),
            TextFilter::BookingSalesperson(v) => term(f.booking_salesperson, &normalise_value(v)),
            TextFilter::Status(s) => term(f.status, s.as_str()),
            TextFilter::Payment(s) => term(f.payment, s.as_str()),
            TextFilter::HasOutstanding(b) => Box::new(TermQuery::new(
                Term::from_field_bool(f.outstanding, *b),
                IndexRecordOption::Basic,
            )),
            TextFilter::HasEmail(b) => Box::new(TermQuery::new(
                Term::from_field_bool(f.has_email, *b),
                IndexRecordOption::Basic,
            )),
            TextFilter::HasMobile(b) => Box::new(TermQuery::new(
                Term::from_field_bool(f.has_mobile, *b),
                IndexRecordOption::Basic,
            )),
            TextFilter::Departure(from, to) => range(f.departure, *from, *to),
            TextFilter::Created(from, to) => range(f.created, *from, *to),
            // Customers who never booked have the recency NO_BOOKING_DAY: an open start
            // begins after it.
            TextFilter::LastBooking(from, to) => {
                range(f.recency, Some(from.unwrap_or(NO_BOOKING_DAY + 1)), *to)
            }
            // Resolved before a search ([`search::ids_at`] refuses one left): matches nothing.
            TextFilter::Relative(..) => Box::new(tantivy::query::EmptyQuery),
        });
    }
    if together {
        filters.push(bookings::together(f.booking, &mut facts, period));
    }
    filters
}

/// Which booking filter `filter` is: `Some(None)` for the departure period, `Some(Some(fact))`
/// for a fact of the booking, `None` for a filter of the customer.
fn booking_kind(filter: &TextFilter) -> Option<Option<Fact>> {
    Some(match filter {
        TextFilter::Departure(..) => None,
        TextFilter::Transport(_) => Some(Fact::Transport),
        TextFilter::Hotel(_) => Some(Fact::Hotel),
        TextFilter::Status(_) => Some(Fact::Status),
        TextFilter::BookingSalesperson(_) => Some(Fact::Salesperson),
        _ => return None,
    })
}

/// The clause of a phone filter: any phone (`field` empty) or one phone field.
fn phone_of(f: &Fields, tenant: &str, typed: &str, field: &str) -> Box<dyn Query> {
    digits_clause(f, tenant, &terms::phone_digits(typed), false, field)
}

/// Whole values of `field` that start with `prefix` (a zip's first digits): the terms from the
/// prefix up to the prefix followed by a byte no UTF-8 text holds.
fn value_prefix(field: Field, prefix: &str) -> Box<dyn Query> {
    let mut upper = prefix.as_bytes().to_vec();
    upper.push(0xFF);
    Box::new(InvertedIndexRangeQuery::new(
        Bound::Included(Term::from_field_text(field, prefix)),
        Bound::Excluded(Term::from_field_bytes(field, &upper)),
    ))
}
