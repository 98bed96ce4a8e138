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

/// A phone number as typed and in E.164 form (`+33612345678`), the form used to match it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Phone {
    /// The number exactly as typed (trimmed).
    pub typed: String,
    /// The number in E.164 form.
    pub e164: String,
}

/// Parses a phone number against the tenant's default region (used when the number has no
/// `+country` prefix).
pub(crate) fn phone(field: &str, value: &str, region: Option<Region>) -> Result<Phone> {
    let typed = text::required(field, value, MAX_PHONE_CHARS, false)?;
    let number = phonenumber::parse(region, &typed).map_err(|_| {
        let reason = if region.is_none() && !typed.starts_with('+') {
            "not an international number (+country code) and the tenant has no default region"
        } else {
            "not a phone number"
        };
        Error::validation(field, reason)
    })?;
    if !fits_numbering_plan(&number) {
        return Err(Error::validation(field, "not a valid phone number"));
    }
    let e164 = number.format().mode(Mode::E164).to_string();
    Ok(Phone { typed, e164 })
}

/// Whether an E.164 number can take an SMS: it has the form of a mobile number in its country's
/// numbering plan (where mobile and fixed numbers look alike, as in the US, any number does). A
/// landline typed into the mobile field cannot. One regex of the plan, as
/// [`fits_numbering_plan`], not `phonenumber`'s per-type walk.
pub(crate) fn takes_sms(e164: &str) -> bool {
    let Ok(number) = phonenumber::parse(None, e164) else {
        return false;
    };
    let national = number.national().to_string();
    phonenumber::metadata::DATABASE
        .by_code(&number.code().value())
        .and_then(|plans| plans.into_iter().next())
        .and_then(|plan| plan.descriptors().mobile().map(|m| m.is_match(&national)))
        .unwrap_or(false)
}

/// Whether the number has a length and a form its country's numbering plan allows.
///
/// This is `phonenumber::is_valid` less its per-type check (mobile, fixed line, premium...): that
/// one runs a dozen regexes per number through a 100-entry shared cache, which numbers from a
/// handful of countries thrash, at about a millisecond a number.
fn fits_numbering_plan(number: &phonenumber::PhoneNumber) -> bool {
    let national = number.national().to_string();
    phonenumber::metadata::DATABASE
        .by_code(&number.code().value())
        .and_then(|plans| plans.into_iter().next())
        .is_some_and(|plan| {
            let general = plan.descriptors().general();
            let lengths = general.possible_length();
            (lengths.is_empty() || lengths.contains(&(national.len() as u16)))
                && general.is_match(&national)
        })
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
                phone("phone", typed, fr).unwrap().e164,
                "+33612345678",
                "{typed}"
            );
        }
        assert_eq!(
            phone("phone", "+49 30 1234567", fr).unwrap().e164,
            "+49301234567"
        );
        assert_eq!(
            phone("mobile", "not a number", fr).unwrap_err().field(),
            Some("mobile")
        );
        assert!(phone("fax", "06 12 34 56 78", None).is_err());
        assert!(phone("fax", "12", fr).is_err());
    }
}
