//! What the index holds for a customer and what a typed query looks up: folded words, their edge
//! n-grams (so a prefix is one term lookup), and phone digits as prefixes and as last digits.

use crate::model::{Customer, Phone, fold};

/// Longest edge n-gram indexed: a longer typed word is looked up by its first `MAX_GRAM`
/// characters and then checked as a whole word prefix by the other words of the query.
pub(super) const MAX_GRAM: usize = 24;
/// Shortest run of last digits that finds a phone number.
pub(super) const MIN_TAIL: usize = 4;
/// Marks a gram of a phone's national form, so digits typed never match a customer number or a
/// street number.
pub(super) const PHONE_PREFIX: char = '#';
/// Marks a gram of a phone's international form (country code first): a query typed with `+`
/// or `00` looks up these only, so `+33` finds French numbers and no national form that happens
/// to start with `33`.
pub(super) const PHONE_INTL: char = '+';
/// Marks a phone's last digits.
pub(super) const PHONE_TAIL: char = '$';
/// Longest phone prefix (or run of last digits) indexed as a term of its own. Past it a term
/// would be held by one number or two: each number's whole forms are indexed instead (about
/// four terms a number, forwards and reversed), and a longer typed run is looked up as the
/// range of whole forms that start with it. A million numbers then add a few million distinct
/// terms to the index rather than tens of millions: a rebuild takes a quarter less time.
pub(super) const PHONE_GRAM: usize = 6;
/// Marks a phone's digits reversed (each whole form), for last digits longer than
/// [`PHONE_GRAM`].
pub(super) const PHONE_REVERSED: char = '~';

/// Starts the phone terms of the customer's `phone` field only (`p#0612`), beside those of any
/// phone (`#0612`): the filter of one phone field looks these up. A letter then a phone marker
/// is no word's gram (words hold letters and digits only).
pub(super) const FIELD_PHONE: &str = "p";
/// Starts the phone terms of the `mobile` field only.
pub(super) const FIELD_MOBILE: &str = "m";
/// Starts the phone terms of the `fax` field only.
pub(super) const FIELD_FAX: &str = "f";
/// Starts the phone terms of the `emergency_phone` field only.
pub(super) const FIELD_EMERGENCY: &str = "e";

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

/// The digits of a phone as people type them, international and national.
#[derive(Debug, Default, PartialEq, Eq)]
struct Forms {
    /// International (`33612345678`).
    international: Vec<String>,
    /// National with the trunk prefix where the country has one (`0612345678`), and national
    /// without it where that prefix is not `0` (`2125551234` in the US, where few type the
    /// leading `1`).
    national: Vec<String>,
}

/// The forms of a phone: of its E.164 form, or for an unverified number its digits as typed
/// (international if typed with `+` or `00`, else national).
fn phone_forms(phone: &Phone, out: &mut Forms) {
    let Some(e164) = &phone.e164 else {
        match phone_digits(&phone.typed) {
            Typed::International(digits) => out.international.push(digits),
            Typed::Digits(digits) | Typed::Word(digits) => out.national.push(digits),
        }
        return;
    };
    let digits: String = e164.chars().filter(char::is_ascii_digit).collect();
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
            out.national.push(format!("{trunk}{national}"));
            if !trunk.is_empty() && trunk != "0" {
                out.national.push(national.to_owned());
            }
        }
    }
    out.international.push(digits);
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

    each_phone_term(c.phones(), "", emit);
    for (field, phone) in [
        (FIELD_PHONE, &c.phone),
        (FIELD_MOBILE, &c.mobile),
        (FIELD_FAX, &c.fax),
        (FIELD_EMERGENCY, &c.emergency_phone),
    ] {
        if let Some(phone) = phone {
            each_phone_term(std::iter::once(phone), field, emit);
        }
    }
}

/// Calls `emit` once with each term of `phones` (see [`each_gram`]), each term starting with
/// `field` (empty for the terms of any phone, one of the `FIELD_` letters for those of one field).
fn each_phone_term<'a>(
    phones: impl Iterator<Item = &'a Phone>,
    field: &str,
    emit: &mut dyn FnMut(&str),
) {
    let mut forms = Forms::default();
    phones.for_each(|p| phone_forms(p, &mut forms));
    let mut term = String::new();
    let mut emit_marked = |marker: char, digits: &str| {
        term.clear();
        term.push_str(field);
        term.push(marker);
        term.push_str(digits);
        emit(&term);
    };
    for (marker, forms) in [
        (PHONE_PREFIX, &forms.national),
        (PHONE_INTL, &forms.international),
    ] {
        let mut prefixes: Vec<&str> = forms.iter().map(String::as_str).collect();
        each_new_prefix(&mut prefixes, &mut |form, shared| {
            for end in shared + 1..=form.len().min(PHONE_GRAM) {
                emit_marked(marker, &form[..end]);
            }
            if form.len() > PHONE_GRAM {
                emit_marked(marker, form);
            }
        });
    }
    // The same on reversed digits: both forms of a number end with the same digits.
    let mut tails: Vec<&str> = forms
        .national
        .iter()
        .chain(&forms.international)
        .map(String::as_str)
        .collect();
    each_new_suffix(&mut tails, &mut |form, shared| {
        for len in MIN_TAIL.max(shared + 1)..=form.len().min(PHONE_GRAM) {
            emit_marked(PHONE_TAIL, &form[form.len() - len..]);
        }
        if form.len() > PHONE_GRAM {
            emit_marked(PHONE_REVERSED, &reversed(form));
        }
    });
}

/// Digits in reverse order.
pub(super) fn reversed(digits: &str) -> String {
    digits.chars().rev().collect()
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
    /// Digits typed after `+` or `00`: the start of an international form only.
    International(String),
}

/// Reads what was typed into lookups. A query of phone characters only (digits, spaces, `+`,
/// `.`, `-`, `/`, parentheses) is one phone number, whatever its spacing; typed with `+` or `00`
/// in front it is the start of an international number. Otherwise each whitespace-separated
/// word is looked up on its own, and a word holding `@` or `.` is also an email (part).
pub(super) fn typed(query: &str) -> Vec<Typed> {
    let query = query.trim();
    let phone_chars = |c: char| c.is_ascii_digit() || " +.-/()".contains(c);
    if query.chars().any(|c| c.is_ascii_digit()) && query.chars().all(phone_chars) {
        return vec![phone_digits(query)];
    }
    query
        .split_whitespace()
        .map(fold)
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_owned())
        .filter(|w| !w.is_empty())
        .map(Typed::Word)
        .collect()
}

/// The lookup of typed phone characters: [`Typed::International`] after a leading `+` or `00`,
/// else [`Typed::Digits`].
pub(super) fn phone_digits(typed: &str) -> Typed {
    let typed = typed.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    match (typed.starts_with('+'), digits.strip_prefix("00")) {
        (true, _) => Typed::International(digits),
        (false, Some(rest)) if !rest.is_empty() => Typed::International(rest.to_owned()),
        _ => Typed::Digits(digits),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::unwrap_used)]
    fn customer(fields: crate::model::NewCustomer, no: i64) -> Customer {
        let rules = crate::model::Rules::new(
            &crate::TenantSettings::with_region("FR"),
            chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        );
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
        // Every prefix of every word; every prefix and every tail of 4+ digits of every form up to
        // `PHONE_GRAM` digits, and each whole form forwards and reversed.
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
        // The terms of every phone, then those of each phone field alone.
        let fields = [
            (
                "",
                vec![
                    c.phone.as_ref(),
                    c.mobile.as_ref(),
                    c.secondary_phones.first(),
                ],
            ),
            (FIELD_PHONE, vec![c.phone.as_ref()]),
            (FIELD_MOBILE, vec![c.mobile.as_ref()]),
        ];
        for (field, phones) in fields {
            let mut forms = Forms::default();
            for p in phones.into_iter().flatten() {
                phone_forms(p, &mut forms);
            }
            for (marker, list) in [
                (PHONE_PREFIX, &forms.national),
                (PHONE_INTL, &forms.international),
            ] {
                for form in list {
                    for end in 1..=form.len().min(PHONE_GRAM) {
                        expected.push(format!("{field}{marker}{}", &form[..end]));
                    }
                    for len in MIN_TAIL..=form.len().min(PHONE_GRAM) {
                        expected.push(format!("{field}{PHONE_TAIL}{}", &form[form.len() - len..]));
                    }
                    assert!(form.len() > PHONE_GRAM);
                    expected.push(format!("{field}{marker}{form}"));
                    expected.push(format!("{field}{PHONE_REVERSED}{}", reversed(form)));
                }
            }
        }
        expected.sort();
        expected.dedup();
        assert_eq!(distinct, expected);
    }

    #[test]
    fn phone_forms_follow_each_country_trunk_prefix() {
        let forms = |typed: &str, e164: Option<&str>| {
            let mut out = Forms::default();
            let phone = Phone {
                typed: typed.into(),
                e164: e164.map(Into::into),
            };
            phone_forms(&phone, &mut out);
            (out.national, out.international)
        };
        let verified = |e164: &str| forms(e164, Some(e164));
        // France: trunk 0, nobody types the number without it.
        assert_eq!(
            verified("+33612345678"),
            (vec!["0612345678".into()], vec!["33612345678".into()])
        );
        // Spain: no trunk prefix; Italy: the leading 0 belongs to the number.
        assert_eq!(
            verified("+34612345678"),
            (vec!["612345678".into()], vec!["34612345678".into()])
        );
        assert_eq!(
            verified("+390612345678"),
            (vec!["0612345678".into()], vec!["390612345678".into()])
        );
        // United States: trunk 1 (the same digits as the international form), usually left out.
        assert_eq!(
            verified("+12125551234"),
            (
                vec!["12125551234".into(), "2125551234".into()],
                vec!["12125551234".into()]
            )
        );
        // Unverified: the digits as typed, international after `+` or `00`.
        assert_eq!(
            forms("04 72 36 08", None),
            (vec!["04723608".into()], vec![])
        );
        assert_eq!(forms("+49 151", None), (vec![], vec!["49151".into()]));
        assert_eq!(forms("0049 151", None), (vec![], vec!["49151".into()]));
    }

    #[test]
    fn phone_queries_read_whatever_the_format() {
        for q in ["0612", "06 12", "33 6 12"] {
            let t = typed(q);
            assert_eq!(t.len(), 1, "{q}");
            assert!(matches!(&t[0], Typed::Digits(_)), "{q}");
        }
        for q in ["+33612", "+33 6 12", "0033 6 12", "(+33) 6 12"] {
            assert_eq!(typed(q), vec![Typed::International("33612".into())], "{q}");
        }
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
