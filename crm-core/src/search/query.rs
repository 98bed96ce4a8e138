//! From a [`CustomerQuery`] to a tantivy query: the tenant always, typed words as gram lookups
//! (exact word above prefix above typo), filters as unscored clauses.

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::document::{Fields, day_of, normalise_value};
use super::terms::{self, MAX_GRAM, MIN_TAIL, PHONE_PREFIX, PHONE_TAIL, Typed};
use super::{CustomerQuery, TextFilter};
use crate::error::{Error, Result};

/// Score of a typed word that is a whole word of the customer.
const EXACT: f32 = 3.0;
/// Score of a typed word that starts a word of the customer.
const PREFIX: f32 = 2.0;
/// Score of a typed word one or two typos away from a word of the customer.
const TYPO: f32 = 1.0;

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::Basic,
    ))
}

fn scored(query: Box<dyn Query>, score: f32) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(query, score))
}

fn any(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

fn first_chars(word: &str, n: usize) -> &str {
    word.char_indices().nth(n).map_or(word, |(i, _)| &word[..i])
}

/// The clause of one typed word.
fn word_clause(f: &Fields, word: &str) -> Box<dyn Query> {
    let mut options = vec![
        scored(term(f.word, word), EXACT),
        scored(term(f.gram, first_chars(word, MAX_GRAM)), PREFIX),
    ];
    let len = word.chars().count();
    if len >= 5 && !word.contains('@') {
        let distance = if len >= 9 { 2 } else { 1 };
        let fuzzy = FuzzyTermQuery::new(Term::from_field_text(f.word, word), distance, true);
        options.push(scored(Box::new(fuzzy), TYPO));
    }
    any(options)
}

/// The clauses of a typed email (part): the local part as typed is the whole local part of an
/// email, and each word after the `@` starts a word of it (`jean.dupont@gm`).
fn email_clauses(f: &Fields, typed: &str) -> Vec<Box<dyn Query>> {
    let (local, domain) = typed.split_once('@').unwrap_or((typed, ""));
    let mut clauses = Vec::new();
    if !local.is_empty() {
        clauses.push(scored(term(f.word, &terms::local_part(local)), EXACT));
    }
    for word in domain
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        clauses.push(scored(term(f.gram, first_chars(word, MAX_GRAM)), PREFIX));
    }
    clauses
}

/// The clause of phone digits: a prefix of a number form, or (from four digits) its end.
fn digits_clause(f: &Fields, digits: &str) -> Box<dyn Query> {
    let mut options = vec![term(f.gram, &format!("{PHONE_PREFIX}{digits}"))];
    if digits.len() >= MIN_TAIL {
        options.push(term(f.gram, &format!("{PHONE_TAIL}{digits}")));
    }
    scored(any(options), PREFIX)
}

/// Every word of `value` must start a word of `field`.
fn words_prefix(field: Field, value: &str) -> Result<Box<dyn Query>> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for word in terms::words(value) {
        let pattern = format!("{}.*", regex_escape(&word));
        let q = RegexQuery::from_pattern(&pattern, field)
            .map_err(|e| Error::Internal(format!("prefix pattern: {e}")))?;
        clauses.push((Occur::Must, Box::new(q)));
    }
    Ok(Box::new(BooleanQuery::new(clauses)))
}

fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~\"@<>".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
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

/// Builds the query of `q` for `tenant`.
pub(super) fn build(f: &Fields, tenant: &str, q: &CustomerQuery) -> Result<Box<dyn Query>> {
    let mut must: Vec<Box<dyn Query>> = Vec::new();
    let mut filters: Vec<Box<dyn Query>> = vec![term(f.tenant, tenant)];
    for typed in terms::typed(&q.text) {
        match typed {
            Typed::Digits(d) => must.push(digits_clause(f, &d)),
            Typed::Word(w) if w.contains('@') => must.extend(email_clauses(f, &w)),
            Typed::Word(w) => {
                // `o'brien`, `jean.dup`: each part must match on its own.
                for part in w
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|p| !p.is_empty())
                {
                    must.push(word_clause(f, part));
                }
            }
        }
    }
    for filter in &q.filters {
        filters.push(match filter {
            TextFilter::CustomerNo(no) => Box::new(TermQuery::new(
                Term::from_field_i64(f.customer_no, *no),
                IndexRecordOption::Basic,
            )),
            TextFilter::FirstName(v) => words_prefix(f.first_name, v)?,
            TextFilter::LastName(v) => words_prefix(f.last_name, v)?,
            TextFilter::Company(v) => words_prefix(f.company, v)?,
            TextFilter::Street(v) => words_prefix(f.street, v)?,
            TextFilter::City(v) => words_prefix(f.city, v)?,
            TextFilter::ContactPerson(v) => words_prefix(f.contact, v)?,
            TextFilter::Email(v) => term(f.email, &crate::model::fold(v.trim())),
            TextFilter::Phone(v) => {
                let digits: String = v.chars().filter(char::is_ascii_digit).collect();
                digits_clause(f, digits.strip_prefix("00").unwrap_or(&digits))
            }
            TextFilter::Zip(v) => term(f.zip, &normalise_value(v)),
            TextFilter::Region(v) => term(f.region, &normalise_value(v)),
            TextFilter::Country(v) => term(f.country, &normalise_value(v)),
            TextFilter::Language(v) => term(f.language, &normalise_value(v)),
            TextFilter::Salesperson(v) => term(f.salesperson, &normalise_value(v)),
            TextFilter::List(v) => term(f.list, &normalise_value(v)),
            TextFilter::Transport(v) => term(f.transport, &normalise_value(v)),
            TextFilter::Hotel(v) => term(f.hotel, &normalise_value(v)),
            TextFilter::Status(s) => term(f.status, s.as_str()),
            TextFilter::HasEmail(b) => Box::new(TermQuery::new(
                Term::from_field_bool(f.has_email, *b),
                IndexRecordOption::Basic,
            )),
            TextFilter::HasMobile(b) => Box::new(TermQuery::new(
                Term::from_field_bool(f.has_mobile, *b),
                IndexRecordOption::Basic,
            )),
            TextFilter::Departure(from, to) => range(f.departure, from.map(day_of), to.map(day_of)),
            TextFilter::Created(from, to) => range(f.created, *from, *to),
            TextFilter::LastBooking(from, to) => range(f.last_booking, *from, *to),
        });
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> =
        must.into_iter().map(|q| (Occur::Must, q)).collect();
    clauses.extend(filters.into_iter().map(|q| (Occur::Must, scored(q, 0.0))));
    Ok(Box::new(BooleanQuery::new(clauses)))
}
