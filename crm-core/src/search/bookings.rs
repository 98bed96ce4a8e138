//! Booking filters held to one booking: the terms of each booking's facts taken together, so
//! that "departing in July, at hotel X, confirmed" is one lookup that only a booking holding all
//! three matches, not a customer with a July train and an October stay at hotel X.
//!
//! Each booking gives one term for every combination of two or more of its facts (transport,
//! hotel, status, salesperson) and one term for every combination of them with its pickup day.
//! A term spells each fact with a letter and the length of its value (`h13:hotel du parc`), in
//! that fixed order, so no two combinations spell alike; the day follows an `@` as eight
//! hexadecimal digits, so the days of a period are one range of terms.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{InvertedIndexRangeQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

use super::document::normalise_value;
use crate::model::IndexedBooking;

/// A fact of a booking that the find form filters on, in the order its terms spell them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Fact {
    Transport,
    Hotel,
    Status,
    Salesperson,
}

impl Fact {
    fn letter(self) -> char {
        match self {
            Self::Transport => 't',
            Self::Hotel => 'h',
            Self::Status => 's',
            Self::Salesperson => 'p',
        }
    }
}

/// Spells `facts` (in [`Fact`] order, values already normalised) as the start of a term.
fn spell(facts: &[(Fact, &str)]) -> String {
    let mut term = String::new();
    for (fact, value) in facts {
        let _ = write!(term, "{}{}:{value}", fact.letter(), value.len());
    }
    term
}

/// The day part of a term: `@` and the day as eight hexadecimal digits, shifted so every day a
/// booking can have is positive and the digits sort as the days do.
fn day_part(day: i64) -> String {
    let shifted = day.saturating_add(1 << 31).clamp(0, i64::from(u32::MAX));
    format!("@{shifted:08x}")
}

/// The combined terms of a customer's bookings, each once.
pub(super) fn terms(bookings: &[IndexedBooking]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for b in bookings {
        let values: Vec<(Fact, String)> = [
            (Fact::Transport, b.transport.as_deref()),
            (Fact::Hotel, b.hotel.as_deref()),
            (Fact::Status, Some(b.status.as_str())),
            (Fact::Salesperson, b.salesperson.as_deref()),
        ]
        .into_iter()
        .filter_map(|(fact, v)| v.map(|v| (fact, normalise_value(v))))
        .filter(|(_, v)| !v.is_empty())
        .collect();
        let day = day_part(b.day);
        // Every non-empty subset of the facts, by its bit mask.
        for mask in 1u32..(1 << values.len()) {
            let chosen: Vec<(Fact, &str)> = values
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, (fact, v))| (*fact, v.as_str()))
                .collect();
            let spelt = spell(&chosen);
            if chosen.len() >= 2 {
                out.insert(spelt.clone());
            }
            out.insert(spelt + &day);
        }
    }
    out
}

/// The clause of booking filters given together: facts (one value each, normalised) and a
/// departure period of day numbers `[from, to)`, all held by one booking. Needs two or more
/// of them in all.
pub(super) fn together(
    field: Field,
    facts: &mut [(Fact, String)],
    period: Option<(Option<i64>, Option<i64>)>,
) -> Box<dyn Query> {
    facts.sort_by_key(|(fact, _)| *fact);
    let chosen: Vec<(Fact, &str)> = facts.iter().map(|(f, v)| (*f, v.as_str())).collect();
    let spelt = spell(&chosen);
    let Some((from, to)) = period else {
        return Box::new(TermQuery::new(
            Term::from_field_text(field, &spelt),
            IndexRecordOption::Basic,
        ));
    };
    let lower = format!("{spelt}{}", day_part(from.unwrap_or(i64::MIN)));
    let upper = match to {
        Some(to) => Bound::Excluded(Term::from_field_text(
            field,
            &format!("{spelt}{}", day_part(to)),
        )),
        // Past every day of these facts: `@` then a byte no day's digits hold.
        None => {
            let mut upper = format!("{spelt}@").into_bytes();
            upper.push(0xFF);
            Bound::Excluded(Term::from_field_bytes(field, &upper))
        }
    };
    Box::new(InvertedIndexRangeQuery::new(
        Bound::Included(Term::from_field_text(field, &lower)),
        upper,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn booking(day: i64, hotel: Option<&str>, status: &str) -> IndexedBooking {
        IndexedBooking {
            day,
            transport: Some("TGV".into()),
            hotel: hotel.map(Into::into),
            status: status.into(),
            salesperson: None,
            payments: Vec::new(),
            owes: false,
        }
    }

    #[test]
    fn each_combination_of_one_booking_is_a_term() {
        let terms = terms(&[booking(20_000, Some("Hôtel du Parc"), "confirmed")]);
        let day = day_part(20_000);
        assert!(terms.contains("t3:tgvh13:hotel du parc"));
        assert!(terms.contains(&format!("h13:hotel du parcs9:confirmed{day}")));
        assert!(terms.contains(&format!("t3:tgv{day}")));
        // Single facts without a day are the plain fields' terms, not these.
        assert!(!terms.contains("h13:hotel du parc"));
        // 3 facts: 4 combinations of two or more, 7 with the day.
        assert_eq!(terms.len(), 11);
    }

    #[test]
    fn facts_of_two_bookings_do_not_combine() {
        let terms = terms(&[
            booking(20_000, None, "confirmed"),
            booking(20_100, Some("Le Méridien"), "cancelled"),
        ]);
        assert!(!terms.iter().any(|t| t.contains("meridiens9:confirmed")));
        assert!(terms.contains("h11:le meridiens9:cancelled"));
    }

    #[test]
    fn days_sort_as_their_terms() {
        for (a, b) in [(-1, 0), (0, 1), (15, 16), (255, 256), (-40_000, 90_000)] {
            assert!(day_part(a) < day_part(b), "{a} {b}");
        }
    }
}
