//! Checks and normalisation shared by every text field.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::error::{Error, Result};

/// Trims `value` and checks it is non-empty, within `max` characters and free of control
/// characters (newlines and tabs allowed when `multiline`).
pub(crate) fn required(field: &str, value: &str, max: usize, multiline: bool) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::validation(field, "must not be empty"));
    }
    check(field, trimmed, max, multiline)?;
    Ok(trimmed.to_owned())
}

/// Like [`required`] for an optional field: `None` or blank becomes `None`.
pub(crate) fn optional(
    field: &str,
    value: Option<String>,
    max: usize,
    multiline: bool,
) -> Result<Option<String>> {
    match value {
        Some(v) if !v.trim().is_empty() => required(field, &v, max, multiline).map(Some),
        _ => Ok(None),
    }
}

/// A value a call looks a record up by (a booking reference, an email, a list name), trimmed
/// as stored values are: refused (Validation naming the field) when it still holds control
/// characters, which no stored value of a single-line field does, rather than looked for (a
/// store may not even take them: PostgreSQL text cannot hold a NUL).
pub(crate) fn lookup<'a>(field: &str, value: &'a str) -> Result<&'a str> {
    let value = value.trim();
    if value.chars().any(char::is_control) {
        return Err(Error::validation(field, "contains control characters"));
    }
    Ok(value)
}

fn check(field: &str, value: &str, max: usize, multiline: bool) -> Result<()> {
    if value.chars().count() > max {
        return Err(Error::validation(
            field,
            format!("longer than {max} characters"),
        ));
    }
    let bad = value
        .chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')));
    if bad {
        return Err(Error::validation(field, "contains control characters"));
    }
    Ok(())
}

/// Folds text for matching and sorting: Unicode-decomposed, combining marks dropped, lowercased
/// (`Hélène` → `helene`, `Núñez` → `nunez`, `Müller` → `muller`). Scripts without marks are kept.
///
/// Latin letters with no Unicode decomposition are spelt in plain letters too (`Łukasz` →
/// `lukasz`, `Øster` → `oster`, `Straße` → `strasse`), so people can type them on any keyboard.
pub fn fold(value: &str) -> String {
    if value.is_ascii() {
        // Nothing to decompose or transliterate.
        return value.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(value.len());
    for c in value
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
    {
        match c {
            'ł' => out.push('l'),
            'ø' => out.push('o'),
            'đ' | 'ð' => out.push('d'),
            'ħ' => out.push('h'),
            'ı' => out.push('i'),
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'þ' => out.push_str("th"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_drops_accents_and_case() {
        assert_eq!(fold("Hélène"), "helene");
        assert_eq!(fold("NÚÑEZ"), "nunez");
        assert_eq!(fold("Müller"), "muller");
        assert_eq!(fold("王"), "王");
        assert_eq!(fold("Łukasz Dąbrowski"), "lukasz dabrowski");
        assert_eq!(fold("Straße Øster Æsir"), "strasse oster aesir");
    }

    #[test]
    fn required_trims_and_rejects_blank_and_controls() {
        assert_eq!(required("f", "  Zoé ", 10, false).unwrap(), "Zoé");
        assert!(required("f", "   ", 10, false).is_err());
        assert!(required("f", "a\u{0}b", 10, false).is_err());
        assert!(required("f", "a\nb", 10, false).is_err());
        assert!(required("f", "a\nb", 10, true).is_ok());
        assert!(required("f", "abcdefghijk", 10, false).is_err());
        assert!(required("f", "ééééééééé", 10, false).is_ok());
    }
}
