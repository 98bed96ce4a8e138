//! What the index holds for a customer and what a typed query looks up: folded words, their edge
//! n-grams (so a prefix is one term lookup), and phone digits as prefixes and as last digits.

use crate::model::{Customer, Phone, fold};

/// Longest edge n-gram indexed: a longer typed word is looked up by its first `MAX_GRAM`
/// characters and then checked as a whole word prefix by the other words of the query.
pub(super) const MAX_GRAM: usize = 24;
/// Shortest run of last digits that finds a phone number.
pub(super) const MIN_TAIL: usize = 4;
/// Marks a phone gram, so digits typed never match a customer number or a street number.
pub(super) const PHONE_PREFIX: char = '#';
/// Marks a phone's last digits.
pub(super) const PHONE_TAIL: char = '$';

/// A term of a field scoped to the tenant: `agency-1/dupont`. Tenant ids never hold `/`.
pub(super) fn scoped(tenant: &str, term: &str) -> String {
    format!("{tenant}/{term}")
}

/// Splits folded text into words: runs of letters and digits. `@`, `.`, `+`, `-`, `_` and `'`
/// split too, so `jean.dupont@example.fr` gives `jean`, `dupont`, `example`, `fr`.
pub(super) fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_word(&fold(text), &mut |w| out.push(w.to_owned()));
    out
}

/// Calls `emit` with each word of text already folded, as [`words`] splits it.
pub(super) fn each_word<'a>(folded: &'a str, emit: &mut dyn FnMut(&'a str)) {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .for_each(emit);
}

/// The digits of a phone as people type them: international (`33612345678`), national with the
/// trunk prefix where the country has one (`0612345678`), and national without it where that
/// prefix is not `0` (`2125551234` in the US, where few type the leading `1`).
fn phone_forms(phone: &Phone) -> Vec<String> {
    let digits: String = phone.e164.chars().filter(char::is_ascii_digit).collect();
    let mut forms = vec![digits.clone()];
    // Calling codes are prefix-free, one to three digits.
    let found = (1..=3.min(digits.len())).find_map(|len| {
        let code: u16 = digits[..len].parse().ok()?;
        let regions = phonenumber::metadata::DATABASE.by_code(&code)?;
        let trunk = regions.first()?.national_prefix().unwrap_or("").to_owned();
        Some((len, trunk))
    });
    if let Some((len, trunk)) = found {
        let national = &digits[len..];
        if !national.is_empty() {
            forms.push(format!("{trunk}{national}"));
            if !trunk.is_empty() && trunk != "0" {
                forms.push(national.to_owned());
            }
        }
    }
    forms.sort();
    forms.dedup();
    forms
}

/// Calls `emit` once with each search term of a customer for type-ahead: edge n-grams of every
/// word of the names, company, customer no. and emails, phone prefixes (`#0612`...) and last
/// digits (`$5678`...).
pub(super) fn each_gram(c: &Customer, emit: &mut dyn FnMut(&str)) {
    // An email's words (`jean`, `dupont`, `gmail`, `com`) too; its local part is also a term of
    // its own (see `local_parts`).
    let texts = [Some(&c.first_name), Some(&c.last_name), c.company.as_ref()];
    let emails = c.email.iter().chain(&c.secondary_emails);
    let folded: Vec<String> = texts
        .into_iter()
        .flatten()
        .chain(emails)
        .map(|t| fold(t))
        .collect();
    let number = c.customer_no.to_string();
    let mut words = vec![number.as_str()];
    for text in &folded {
        each_word(text, &mut |w| words.push(w));
    }
    each_new_prefix(&mut words, &mut |word, shared| {
        // Grams are counted in characters; `shared` is a byte length on a character boundary.
        let first = word[..shared].chars().count() + 1;
        for (count, (i, ch)) in word.char_indices().enumerate().skip(first - 1) {
            if count >= MAX_GRAM {
                break;
            }
            emit(&word[..i + ch.len_utf8()]);
        }
    });

    let forms: Vec<String> = c.phones().flat_map(phone_forms).collect();
    let mut term = String::new();
    let mut prefixes: Vec<&str> = forms.iter().map(String::as_str).collect();
    each_new_prefix(&mut prefixes, &mut |form, shared| {
        for end in shared + 1..=form.len() {
            term.clear();
            term.push(PHONE_PREFIX);
            term.push_str(&form[..end]);
            emit(&term);
        }
    });
    // The same on reversed digits: both forms of a number end with the same digits.
    let mut tails: Vec<&str> = forms.iter().map(String::as_str).collect();
    each_new_suffix(&mut tails, &mut |form, shared| {
        for len in MIN_TAIL.max(shared + 1)..=form.len() {
            term.clear();
            term.push(PHONE_TAIL);
            term.push_str(&form[form.len() - len..]);
            emit(&term);
        }
    });
}

/// Sorts `items`, drops repeats, and calls `each(item, shared)` with the byte length of the
/// prefix each shares with the one before it. In sorted order that is the longest prefix it
/// shares with any earlier item, so emitting only the grams longer than `shared` emits each gram
/// once.
fn each_new_prefix<'a>(items: &mut Vec<&'a str>, each: &mut dyn FnMut(&'a str, usize)) {
    items.sort_unstable();
    items.dedup();
    let mut previous = "";
    for item in items.iter() {
        let shared = previous
            .char_indices()
            .zip(item.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8());
        each(item, shared);
        previous = item;
    }
}

/// [`each_new_prefix`] for suffixes: `items` sorted by their reversed bytes (ASCII digits), and
/// `shared` the length of the suffix shared with the one before.
fn each_new_suffix<'a>(items: &mut Vec<&'a str>, each: &mut dyn FnMut(&'a str, usize)) {
    items.sort_unstable_by(|a, b| a.bytes().rev().cmp(b.bytes().rev()));
    items.dedup();
    let mut previous: &[u8] = b"";
    for item in items.iter() {
        let shared = previous
            .iter()
            .rev()
            .zip(item.bytes().rev())
            .take_while(|(a, b)| **a == *b)
            .count();
        each(item, shared);
        previous = item.as_bytes();
    }
}

/// The whole words of a customer's names and company, for whole-word ranking and typo-tolerant
/// matching (not its emails: their words are many and rarely misspelt on purpose).
pub(super) fn customer_words(c: &Customer) -> Vec<String> {
    let mut out: Vec<String> = [Some(&c.first_name), Some(&c.last_name), c.company.as_ref()]
        .into_iter()
        .flatten()
        .flat_map(|t| words(t))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The local parts of a customer's emails, folded (`jean.dupont`): an email typed up to and past
/// its `@` is one exact lookup and prefixes of the domain's words.
pub(super) fn local_parts(c: &Customer) -> Vec<String> {
    c.email
        .iter()
        .chain(&c.secondary_emails)
        .filter_map(|e| fold(e.trim()).split_once('@').map(|(l, _)| l.to_owned()))
        .collect()
}

/// One word of a typed query, and how to look it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Typed {
    /// A word (or an email, whole or part): a gram lookup, typo-tolerant from 5 characters.
    Word(String),
    /// Digits of a phone number: a prefix of a number form, or its last digits.
    Digits(String),
}

/// Reads what was typed into lookups. A query of phone characters only (digits, spaces, `+`,
/// `.`, `-`, `/`, parentheses) is one phone number, whatever its spacing; `00` before a country
/// code reads as `+`. Otherwise each whitespace-separated word is looked up on its own, and a
/// word holding `@` or `.` is also an email (part).
pub(super) fn typed(query: &str) -> Vec<Typed> {
    let query = query.trim();
    let phone_chars = |c: char| c.is_ascii_digit() || " +.-/()".contains(c);
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    if !digits.is_empty() && query.chars().all(phone_chars) {
        let digits = match digits.strip_prefix("00") {
            Some(rest) if !rest.is_empty() => rest.to_owned(),
            _ => digits,
        };
        return vec![Typed::Digits(digits)];
    }
    query
        .split_whitespace()
        .map(fold)
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_owned())
        .filter(|w| !w.is_empty())
        .map(Typed::Word)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::unwrap_used)]
    fn customer(fields: crate::model::NewCustomer, no: i64) -> Customer {
        let rules = crate::model::Rules {
            region: Some(phonenumber::country::Id::FR),
            today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            known_phones: Vec::new(),
        };
        let mut c = fields.validate(&rules).unwrap();
        c.customer_no = no;
        c
    }

    fn grams(c: &Customer) -> Vec<String> {
        let mut out = Vec::new();
        each_gram(c, &mut |g| out.push(g.to_owned()));
        out
    }

    #[test]
    fn grams_are_prefixes_up_to_the_cap() {
        let c = customer(
            crate::model::NewCustomer {
                first_name: "Hélène".into(),
                // Two words sharing more than the longest gram: neither gives a longer one.
                last_name: format!("{0}x {0}y", "a".repeat(30)),
                ..Default::default()
            },
            7,
        );
        let out = grams(&c);
        for g in ["h", "he", "hel", "hele", "helen", "helene", "7"] {
            assert!(out.contains(&g.to_owned()), "{g}");
        }
        assert!(out.contains(&"a".repeat(MAX_GRAM)));
        assert!(out.iter().all(|g| g.chars().count() <= MAX_GRAM), "{out:?}");
        assert!(!out.iter().any(|g| g.contains('é')), "grams are folded");
    }

    #[test]
    fn every_gram_comes_once_and_none_is_missing() {
        let c = customer(
            crate::model::NewCustomer {
                first_name: "Jean".into(),
                last_name: "Dupont".into(),
                company: Some("Dupont-Jeanne SARL".into()),
                email: Some("jean.dupont@example.fr".into()),
                secondary_emails: vec!["j.dupont.1998@mail.com".into()],
                phone: Some("04 72 36 08 07".into()),
                mobile: Some("+33 6 12 34 56 78".into()),
                secondary_phones: vec!["+34 612 34 56 78".into()],
                ..Default::default()
            },
            1998,
        );
        let out = grams(&c);
        let mut distinct = out.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(out.len(), distinct.len(), "a gram came twice: {out:?}");
        // Every prefix of every word, every prefix and every tail of 4+ digits of every form.
        let mut expected = Vec::new();
        for text in [
            "jean",
            "dupont",
            "dupont jeanne sarl",
            "jean.dupont@example.fr",
        ] {
            for w in words(text)
                .into_iter()
                .chain(words("j.dupont.1998@mail.com"))
            {
                for (i, ch) in w.char_indices() {
                    expected.push(w[..i + ch.len_utf8()].to_owned());
                }
            }
        }
        for no in ["1", "19", "199", "1998"] {
            expected.push(no.to_owned());
        }
        for form in [
            c.phone.as_ref(),
            c.mobile.as_ref(),
            c.secondary_phones.first(),
        ]
        .into_iter()
        .flatten()
        .flat_map(phone_forms)
        {
            for end in 1..=form.len() {
                expected.push(format!("{PHONE_PREFIX}{}", &form[..end]));
            }
            for start in 0..=form.len() - MIN_TAIL {
                expected.push(format!("{PHONE_TAIL}{}", &form[start..]));
            }
        }
        expected.sort();
        expected.dedup();
        assert_eq!(distinct, expected);
    }

    #[test]
    fn phone_forms_follow_each_country_trunk_prefix() {
        let forms = |e164: &str| {
            phone_forms(&Phone {
                typed: e164.into(),
                e164: e164.into(),
            })
        };
        // France: trunk 0, nobody types the number without it.
        assert_eq!(forms("+33612345678"), ["0612345678", "33612345678"]);
        // Spain: no trunk prefix; Italy: the leading 0 belongs to the number.
        assert_eq!(forms("+34612345678"), ["34612345678", "612345678"]);
        assert_eq!(forms("+390612345678"), ["0612345678", "390612345678"]);
        // United States: trunk 1 (the same digits as the international form), usually left out.
        assert_eq!(forms("+12125551234"), ["12125551234", "2125551234"]);
    }

    #[test]
    fn phone_queries_read_whatever_the_format() {
        for q in ["0612", "06 12", "+33612", "33 6 12", "0033 6 12"] {
            let t = typed(q);
            assert_eq!(t.len(), 1, "{q}");
            assert!(matches!(&t[0], Typed::Digits(_)), "{q}");
        }
        assert_eq!(typed("0033 6 12"), vec![Typed::Digits("33612".into())]);
        assert_eq!(
            typed("Dupont  HÉL"),
            vec![Typed::Word("dupont".into()), Typed::Word("hel".into())]
        );
        assert_eq!(
            typed("jean.dupont@ex"),
            vec![Typed::Word("jean.dupont@ex".into())]
        );
    }
}
