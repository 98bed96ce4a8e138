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
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Calls `emit` with the edge n-grams of a word: its first 1, 2, ... `MAX_GRAM` characters.
pub(super) fn each_prefix(word: &str, emit: &mut dyn FnMut(&str)) {
    for (count, (i, c)) in word.char_indices().enumerate() {
        if count == MAX_GRAM {
            break;
        }
        emit(&word[..i + c.len_utf8()]);
    }
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

/// Calls `emit` with the search terms of a customer for type-ahead (a term may come more than
/// once): edge n-grams of every word of the names, company, customer no. and emails, phone
/// prefixes (`#0612`...) and last digits (`$5678`...).
pub(super) fn each_gram(c: &Customer, emit: &mut dyn FnMut(&str)) {
    let texts = [Some(&c.first_name), Some(&c.last_name), c.company.as_ref()];
    for text in texts.into_iter().flatten() {
        for w in words(text) {
            each_prefix(&w, emit);
        }
    }
    each_prefix(&c.customer_no.to_string(), emit);
    // An email's words (`jean`, `dupont`, `gmail`, `com`); its local part is also a term of its
    // own (see `local_parts`).
    for email in c.email.iter().chain(&c.secondary_emails) {
        for w in words(email) {
            each_prefix(&w, emit);
        }
    }
    let mut term = String::new();
    for phone in c.phones() {
        for form in phone_forms(phone) {
            for end in 1..=form.len() {
                term.clear();
                term.push(PHONE_PREFIX);
                term.push_str(&form[..end]);
                emit(&term);
            }
            for start in 0..form.len().saturating_sub(MIN_TAIL - 1) {
                term.clear();
                term.push(PHONE_TAIL);
                term.push_str(&form[start..]);
                emit(&term);
            }
        }
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
pub(super) enum Typed {
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

    #[test]
    fn grams_are_prefixes_up_to_the_cap() {
        let mut out = Vec::new();
        each_prefix("hélène", &mut |g| out.push(g.to_owned()));
        assert_eq!(out, ["h", "hé", "hél", "hélè", "hélèn", "hélène"]);
        let mut long = 0;
        each_prefix(&"a".repeat(40), &mut |_| long += 1);
        assert_eq!(long, MAX_GRAM);
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
