//! Email addresses and phone numbers: checked, kept as typed, with a form for matching.

use phonenumber::Mode;
use phonenumber::country::Id as Region;
use serde::{Deserialize, Serialize};

use super::limits::{MAX_EMAIL_CHARS, MAX_PHONE_CHARS};
use super::text;
use crate::error::{Error, Result};

/// Checks an email address for syntax and returns it trimmed, as typed.
pub(crate) fn email(field: &str, value: &str) -> Result<String> {
    let value = text::required(field, value, MAX_EMAIL_CHARS, false)?;
    let strict = email_address::Options::default()
        .without_display_text()
        .without_domain_literal()
        .with_required_tld();
    if email_address::EmailAddress::parse_with_options(&value, strict).is_err() {
        return Err(Error::validation(field, "not a valid email address"));
    }
    Ok(value)
}

/// The form of an email used to match it: lowercased (addresses are matched case-insensitively).
pub(crate) fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A phone number as typed and, when it fits a numbering plan, in E.164 form (`+33612345678`),
/// the form used to match it and to send it SMS.
///
/// A number that fits no plan (a landline typed without its area code, a national number of a
/// country the library cannot tell) is kept as typed with no E.164 form: it is shown, exported
/// and found by its digits, but never used for SMS nor for phone-based duplicate matching.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Phone {
    /// The number exactly as typed (trimmed).
    pub typed: String,
    /// The number in E.164 form; `None` when it fits no numbering plan (unverified).
    pub e164: Option<String>,
}

impl Phone {
    /// Whether the number fits its country's numbering plan (it has an E.164 form).
    pub fn is_verified(&self) -> bool {
        self.e164.is_some()
    }

    /// The digits of the number as typed (`0612345678` of `06 12 34 56 78`).
    pub(crate) fn typed_digits(&self) -> String {
        self.typed.chars().filter(char::is_ascii_digit).collect()
    }

    /// What tells two numbers apart: the E.164 form, or for an unverified number its digits as
    /// typed (no E.164 form starts with a digit, so the two never meet).
    pub(crate) fn key(&self) -> String {
        self.e164.clone().unwrap_or_else(|| self.typed_digits())
    }

    /// The E.164 form to send an SMS to, if the number has the form of a mobile number.
    pub(crate) fn sms_address(&self) -> Option<&str> {
        self.e164.as_deref().filter(|e| takes_sms(e))
    }
}

/// Fewest digits of a phone number: fewer is not a number at all.
const MIN_PHONE_DIGITS: usize = 3;
/// Most digits of a phone number: 15 of E.164 behind a three-digit international prefix, and two
/// more for the trunk prefix some people keep (`+44 (0)20...`).
const MAX_PHONE_DIGITS: usize = 20;

/// Reads a phone number: one with `+country` (or `00country`) as it says, one without in
/// `region` (the customer's country, else the tenant's default region).
///
/// The number gets an E.164 form only when it is a valid number of its country: a length and a
/// pattern of an existing number type of that country's plan, as libphonenumber's validity check
/// says. A number that fits no plan, or typed nationally with no region to read it in, is kept
/// as typed and unverified. Only text that is not a phone number at all is an error: letters,
/// fewer than 3 or more than 20 digits, a `+` not in front, more than
/// [`MAX_PHONE_CHARS`] characters.
pub(crate) fn phone(field: &str, value: &str, region: Option<Region>) -> Result<Phone> {
    let typed = text::required(field, value, MAX_PHONE_CHARS, false)?;
    let mut digits = 0;
    let mut plus = false;
    for c in typed.chars() {
        match c {
            '0'..='9' => digits += 1,
            // In front, perhaps in parentheses: `+33 6...`, `(+33) 6...`.
            '+' if digits == 0 && !plus => plus = true,
            ' ' | '-' | '.' | '/' | '(' | ')' => {}
            '+' => return Err(Error::validation(field, "has a '+' that is not in front")),
            _ => {
                return Err(Error::validation(
                    field,
                    "not a phone number: only digits, spaces, '+', '-', '.', '/' and parentheses",
                ));
            }
        }
    }
    if !(MIN_PHONE_DIGITS..=MAX_PHONE_DIGITS).contains(&digits) {
        return Err(Error::validation(
            field,
            format!("not a phone number: {MIN_PHONE_DIGITS} to {MAX_PHONE_DIGITS} digits"),
        ));
    }
    let e164 = phonenumber::parse(region, &typed)
        .ok()
        .filter(|number| plan::is_valid(number.code().value(), &number.national().to_string()))
        .map(|number| number.format().mode(Mode::E164).to_string());
    Ok(Phone { typed, e164 })
}

/// Whether an E.164 number (`+33612345678`) is a valid number of its country's plan.
pub(crate) fn valid_e164(e164: &str) -> bool {
    phonenumber::parse(None, e164)
        .is_ok_and(|number| plan::is_valid(number.code().value(), &number.national().to_string()))
}

/// Whether an E.164 number can take an SMS: it has the form of a mobile number in its country's
/// numbering plan (where mobile and fixed numbers look alike, as in the US, any number does). A
/// landline typed into the mobile field cannot.
pub(crate) fn takes_sms(e164: &str) -> bool {
    let Ok(number) = phonenumber::parse(None, e164) else {
        return false;
    };
    plan::is_mobile(number.code().value(), &number.national().to_string())
}

/// The region a number typed without `+country` is read in: the customer's country when the
/// numbering plans know it, else the tenant's default region.
pub(crate) fn reading_region(country: Option<&str>, tenant: Option<Region>) -> Option<Region> {
    country.and_then(country_region).or(tenant)
}

/// The phone region of a customer's country (`DE`), if the numbering plans know it.
fn country_region(country: &str) -> Option<Region> {
    let region = country.parse::<Region>().ok()?;
    phonenumber::metadata::DATABASE
        .by_id(country)
        .map(|_| region)
}

/// Numbering plans compiled once per calling code, so a validity check is a few anchored regex
/// matches. `phonenumber::is_valid` runs the same checks through a 100-entry shared regex cache
/// that numbers from a handful of countries thrash, at about a millisecond a number; it also
/// matches a pattern at the start of the number only, where libphonenumber matches it whole.
mod plan {
    use std::collections::HashMap;
    use std::sync::{Arc, OnceLock, RwLock};

    use phonenumber::metadata::{DATABASE, Descriptor, Metadata};
    use regex::Regex;

    /// Compiles a pattern of the metadata, which is written with insignificant whitespace.
    fn compile(pattern: &str) -> Option<Regex> {
        regex::RegexBuilder::new(pattern)
            .ignore_whitespace(true)
            .build()
            .ok()
    }

    /// A pattern of a numbering plan and the lengths it allows.
    struct Kind {
        lengths: Vec<u16>,
        pattern: Regex,
    }

    impl Kind {
        fn of(descriptor: &Descriptor) -> Option<Self> {
            let source = descriptor.national_number().as_str();
            Some(Self {
                lengths: descriptor.possible_length().to_vec(),
                pattern: compile(&format!("^(?:{source})$"))?,
            })
        }

        fn matches(&self, national: &str) -> bool {
            (self.lengths.is_empty() || self.lengths.contains(&(national.len() as u16)))
                && self.pattern.is_match(national)
        }
    }

    /// The plan of one region: its leading digits (where regions share a calling code), its
    /// general pattern, the patterns of its number types, and its mobile pattern.
    struct Plan {
        leading: Option<Regex>,
        general: Kind,
        types: Vec<Kind>,
        mobile: Option<Kind>,
    }

    impl Plan {
        fn of(meta: &Metadata) -> Option<Self> {
            let d = meta.descriptors();
            let types = [
                d.premium_rate(),
                d.toll_free(),
                d.shared_cost(),
                d.voip(),
                d.personal_number(),
                d.pager(),
                d.uan(),
                d.voicemail(),
                d.fixed_line(),
                d.mobile(),
            ];
            Some(Self {
                leading: meta
                    .leading_digits()
                    .and_then(|l| compile(&format!("^(?:{})", l.as_str()))),
                general: Kind::of(d.general())?,
                types: types.into_iter().flatten().filter_map(Kind::of).collect(),
                mobile: d.mobile().and_then(Kind::of),
            })
        }

        /// Whether the national number is of a known type of this region.
        fn has_type(&self, national: &str) -> bool {
            self.general.matches(national) && self.types.iter().any(|k| k.matches(national))
        }
    }

    type Plans = Arc<Vec<Plan>>;

    /// The plans of a calling code's regions, main region first, compiled on first use.
    fn plans(code: u16) -> Plans {
        static CACHE: OnceLock<RwLock<HashMap<u16, Plans>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(plans) = cache.read().unwrap_or_else(|e| e.into_inner()).get(&code) {
            return plans.clone();
        }
        let plans: Plans = Arc::new(
            DATABASE
                .by_code(&code)
                .unwrap_or_default()
                .into_iter()
                .filter_map(Plan::of)
                .collect(),
        );
        cache
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .entry(code)
            .or_insert(plans)
            .clone()
    }

    /// The region a number belongs to, as libphonenumber picks it among the regions of its
    /// calling code: the only one, else the first whose leading digits it starts with or, for
    /// a region without leading digits, whose number types it has.
    fn region_of<'a>(plans: &'a [Plan], national: &str) -> Option<&'a Plan> {
        if plans.len() == 1 {
            return plans.first();
        }
        plans.iter().find(|p| match &p.leading {
            Some(leading) => leading.is_match(national),
            None => p.has_type(national),
        })
    }

    /// libphonenumber's `isValidNumber`: the number is of a known type of its region.
    pub(super) fn is_valid(code: u16, national: &str) -> bool {
        let plans = plans(code);
        region_of(&plans, national).is_some_and(|p| p.has_type(national))
    }

    /// Whether the number has the form of a mobile number of its region.
    pub(super) fn is_mobile(code: u16, national: &str) -> bool {
        let plans = plans(code);
        region_of(&plans, national).is_some_and(|p| {
            p.general.matches(national) && p.mobile.as_ref().is_some_and(|m| m.matches(national))
        })
    }
}

/// Parses a region code (ISO 3166-1 alpha-2, as used for phone numbers), case-insensitively.
pub(crate) fn region(field: &str, value: &str) -> Result<Region> {
    value
        .trim()
        .to_ascii_uppercase()
        .parse::<Region>()
        .map_err(|_| Error::validation(field, "not a known region code (ISO 3166-1 alpha-2)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_kept_as_typed_and_matched_lowercase() {
        assert_eq!(
            email("email", " Jean.Dupont@Example.FR ").unwrap(),
            "Jean.Dupont@Example.FR"
        );
        assert_eq!(
            email_key("Jean.Dupont@Example.FR"),
            "jean.dupont@example.fr"
        );
        for bad in [
            "jean",
            "jean@",
            "@example.fr",
            "jean dupont@example.fr",
            "jean@localhost",
        ] {
            assert_eq!(
                email("email", bad).unwrap_err().field(),
                Some("email"),
                "{bad}"
            );
        }
    }

    #[test]
    fn phone_parsed_against_region_in_any_format() {
        let fr = Some(Region::FR);
        for typed in [
            "06 12 34 56 78",
            "+33 6 12 34 56 78",
            "0033612345678",
            "06.12.34.56.78",
        ] {
            assert_eq!(
                phone("phone", typed, fr).unwrap().e164.as_deref(),
                Some("+33612345678"),
                "{typed}"
            );
        }
        assert_eq!(
            phone("phone", "+49 30 1234567", fr)
                .unwrap()
                .e164
                .as_deref(),
            Some("+49301234567")
        );
        for bad in [
            "not a number",
            "12",
            "06 12 34 56 78 ext 5",
            "06+12",
            &"1".repeat(21),
        ] {
            assert_eq!(
                phone("mobile", bad, fr).unwrap_err().field(),
                Some("mobile"),
                "{bad}"
            );
        }
    }

    #[test]
    fn national_numbers_are_read_in_the_region_given_and_checked() {
        let read = |typed: &str, region: Option<Region>| phone("phone", typed, region).unwrap();
        // A German mobile and a Berlin landline, typed nationally.
        assert_eq!(
            read("0151 25642510", Some(Region::DE)).e164.as_deref(),
            Some("+4915125642510")
        );
        assert_eq!(
            read("030 1234567", Some(Region::DE)).e164.as_deref(),
            Some("+49301234567")
        );
        assert_eq!(
            read("(212) 555-0123", Some(Region::US)).e164.as_deref(),
            Some("+12125550123")
        );
        assert_eq!(
            read("07400 123456", Some(Region::GB)).e164.as_deref(),
            Some("+447400123456")
        );
        // Read in the wrong country they fit no plan: kept as typed, with no E.164 form.
        for (typed, region) in [
            ("0151 25642510", Region::FR),
            ("0151 2564251", Region::DE),
            ("(229) 118-4279", Region::FR),
            ("07320452650", Region::FR),
        ] {
            let p = read(typed, Some(region));
            assert_eq!(
                (p.typed.as_str(), p.e164.as_deref()),
                (typed, None),
                "{typed}"
            );
            assert!(!p.is_verified());
        }
        // A landline without its area code, a national number with no region: unverified.
        assert_eq!(read("36 08 07", Some(Region::FR)).e164, None);
        assert_eq!(read("06 12 34 56 78", None).e164, None);
        assert_eq!(read("+33 1512564251", None).e164, None, "wrong length");
        // The validity check is libphonenumber's, number types included.
        for (typed, valid) in [
            ("+33 6 12 34 56 78", true),
            ("(+33) 6 12 34 56 78", true),
            ("+33 8 00 12 34 56", true),
            ("+44 20 7946 0958", true),
            ("+41 44 668 18 00", true),
            ("+39 06 1234 5678", true),
            ("+1 650 253 0000", true),
            ("+1 253 0000", false),
            ("+44 791234567", false),
            ("+49 1234", false),
        ] {
            let p = read(typed, None);
            assert_eq!(p.is_verified(), valid, "{typed}");
            let theirs = phonenumber::parse(None, typed).is_ok_and(|n| phonenumber::is_valid(&n));
            assert_eq!(theirs, valid, "libphonenumber on {typed}");
        }
    }

    #[test]
    fn only_mobile_numbers_take_sms() {
        assert!(takes_sms("+33612345678"));
        assert!(takes_sms("+4915125642510"));
        assert!(!takes_sms("+33472360807"));
        assert!(takes_sms("+12125550123"), "US numbers look alike");
    }
}
