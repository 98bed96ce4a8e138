//! Dates and money as a customer's language writes them, from the glibc locale data chrono's
//! localised formats use: `14 juillet 2026`, `14. Juli 2026`, `1 234,50 €`, `€1,234.50`.

use chrono::{NaiveDate, NaiveTime};
use pure_rust_locales::{Locale, locale_match};

use crate::model::Money;

/// The region a language is most often written in here, for a tag without one.
const REGIONS: &[(&str, &str)] = &[
    ("en", "GB"),
    ("cs", "CZ"),
    ("da", "DK"),
    ("el", "GR"),
    ("ja", "JP"),
    ("ko", "KR"),
    ("nb", "NO"),
    ("no", "NO"),
    ("sl", "SI"),
    ("sv", "SE"),
    ("uk", "UA"),
    ("zh", "CN"),
    ("he", "IL"),
    ("ar", "SA"),
    ("ca", "ES"),
];

/// The locale of a BCP 47 tag (`fr-CH` → `fr_CH`, `de` → `de_DE`), British English when none
/// fits.
pub(crate) fn locale(tag: Option<&str>) -> Locale {
    let fallback = Locale::en_GB;
    let Some(tag) = tag else { return fallback };
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or_default().to_ascii_lowercase();
    if language.len() < 2 || language.len() > 3 {
        return fallback;
    }
    let region = parts
        .find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
        .map(str::to_ascii_uppercase);
    let default_region = REGIONS
        .iter()
        .find(|(l, _)| *l == language)
        .map_or_else(|| language.to_ascii_uppercase(), |(_, r)| (*r).to_owned());
    [region, Some(default_region)]
        .into_iter()
        .flatten()
        .find_map(|r| Locale::try_from(format!("{language}_{r}").as_str()).ok())
        .unwrap_or(fallback)
}

/// The primary language of a locale (`fr` of `fr_CH`).
pub(crate) fn language(locale: Locale) -> String {
    format!("{locale:?}")
        .split('_')
        .next()
        .unwrap_or("en")
        .to_owned()
}

/// A date written out: `14 July 2026`, `14 juillet 2026`, `14. Juli 2026`, `July 14, 2026`.
pub(crate) fn long_date(day: NaiveDate, locale: Locale) -> String {
    let format = match locale {
        Locale::en_US | Locale::en_PH | Locale::en_CA => "%B %-d, %Y",
        _ if language(locale) == "de" => "%-d. %B %Y",
        _ if matches!(language(locale).as_str(), "ja" | "zh" | "ko") => "%Y-%m-%d",
        _ => "%-d %B %Y",
    };
    localized(day, format, locale)
}

/// A date in the locale's short form: `14/07/2026`, `14.07.2026`, `07/14/2026`.
pub(crate) fn short_date(day: NaiveDate, locale: Locale) -> String {
    localized(day, locale_match!(locale => LC_TIME::D_FMT), locale)
}

/// `day` in `format` with the locale's names; a format chrono cannot read (the `%E` and `%O`
/// forms of some locales: Thai, Persian, Lao) gives `14/07/2026`.
fn localized(day: NaiveDate, format: &str, locale: Locale) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if write!(out, "{}", day.format_localized(format, locale)).is_ok() {
        return out;
    }
    day.format("%d/%m/%Y").to_string()
}

/// A time of day: `08:30`, or `8:30 AM` in American English.
pub(crate) fn time(at: NaiveTime, locale: Locale) -> String {
    let format = match locale {
        Locale::en_US => "%-I:%M %p",
        _ => "%H:%M",
    };
    at.format(format).to_string()
}

/// An amount as the locale writes money, in its own currency's decimals and symbol:
/// `€1,234.50` (en), `1 234,50 €` (fr), `1.234,50 €` (de), `-¥300` (ja).
pub(crate) fn money(m: &Money, locale: Locale) -> String {
    let currency = iso_currency::Currency::from_code(&m.currency);
    let exponent = currency.and_then(|c| c.exponent()).unwrap_or(2) as u32;
    let symbol = currency.map_or_else(|| m.currency.clone(), |c| c.symbol().symbol);
    let decimal_point = non_empty(locale_match!(locale => LC_MONETARY::MON_DECIMAL_POINT), ".");
    let thousands = locale_match!(locale => LC_MONETARY::MON_THOUSANDS_SEP);
    let grouping = locale_match!(locale => LC_MONETARY::MON_GROUPING);
    let before = locale_match!(locale => LC_MONETARY::P_CS_PRECEDES) == 1;
    let spaced = locale_match!(locale => LC_MONETARY::P_SEP_BY_SPACE) == 1;

    let abs = m.minor.unsigned_abs();
    let unit = 10u64.pow(exponent);
    let whole = group(
        abs / unit,
        thousands,
        grouping.first().copied().unwrap_or(-1),
    );
    let mut number = whole;
    if exponent > 0 {
        number.push_str(decimal_point);
        number.push_str(&format!(
            "{:0width$}",
            abs % unit,
            width = exponent as usize
        ));
    }
    let space = if spaced { "\u{a0}" } else { "" };
    let amount = if before {
        format!("{symbol}{space}{number}")
    } else {
        format!("{number}{space}{symbol}")
    };
    if m.minor < 0 {
        format!("-{amount}")
    } else {
        amount
    }
}

fn non_empty<'a>(value: &'a str, default: &'a str) -> &'a str {
    if value.is_empty() { default } else { value }
}

/// The digits of `n` in groups of `size` (none when `size` is not positive) joined by `sep`.
fn group(n: u64, sep: &str, size: i64) -> String {
    let digits = n.to_string();
    let Ok(size) = usize::try_from(size) else {
        return digits;
    };
    if size == 0 || sep.is_empty() {
        return digits;
    }
    let mut out = String::with_capacity(digits.len() + digits.len() / size * sep.len());
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(size) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(minor: i64) -> Money {
        Money {
            minor,
            currency: "EUR".into(),
        }
    }

    #[test]
    fn tags_find_their_locale() {
        assert_eq!(locale(Some("fr")), Locale::fr_FR);
        assert_eq!(locale(Some("fr-CH")), Locale::fr_CH);
        assert_eq!(locale(Some("de-AT")), Locale::de_AT);
        assert_eq!(locale(Some("en")), Locale::en_GB);
        assert_eq!(locale(Some("en-US")), Locale::en_US);
        assert_eq!(locale(Some("zh-Hans-CN")), Locale::zh_CN);
        assert_eq!(locale(Some("sv")), Locale::sv_SE);
        assert_eq!(locale(Some("xx")), Locale::en_GB);
        assert_eq!(locale(None), Locale::en_GB);
        assert_eq!(language(Locale::fr_CH), "fr");
    }

    #[test]
    fn dates_and_money_read_as_each_language_writes_them() {
        let day = NaiveDate::from_ymd_opt(2026, 7, 14).unwrap();
        assert_eq!(long_date(day, Locale::en_GB), "14 July 2026");
        assert_eq!(long_date(day, Locale::fr_FR), "14 juillet 2026");
        assert_eq!(long_date(day, Locale::de_DE), "14. Juli 2026");
        assert_eq!(long_date(day, Locale::en_US), "July 14, 2026");
        assert_eq!(short_date(day, Locale::fr_FR), "14/07/2026");
        assert_eq!(short_date(day, Locale::de_DE), "14.07.2026");
        assert_eq!(short_date(day, Locale::en_US), "07/14/2026");
        // Locales whose format chrono cannot read fall back rather than panic.
        for loc in [Locale::th_TH, Locale::fa_IR, Locale::lo_LA, Locale::my_MM] {
            assert!(!short_date(day, loc).is_empty());
            assert!(!long_date(day, loc).is_empty());
        }
        assert_eq!(short_date(day, locale(Some("th"))), "14/07/2026");
        let t = NaiveTime::from_hms_opt(8, 30, 0).unwrap();
        assert_eq!(time(t, Locale::fr_FR), "08:30");
        assert_eq!(time(t, Locale::en_US), "8:30 AM");
        assert_eq!(money(&eur(123_450), Locale::en_GB), "€1,234.50");
        assert_eq!(
            money(&eur(123_450), Locale::fr_FR),
            "1\u{202f}234,50\u{a0}€"
        );
        assert_eq!(money(&eur(123_450), Locale::de_DE), "1.234,50\u{a0}€");
        assert_eq!(money(&eur(-5), Locale::en_GB), "-€0.05");
        let yen = Money {
            minor: 300_000,
            currency: "JPY".into(),
        };
        assert_eq!(money(&yen, Locale::ja_JP), "¥300,000");
        let unknown = Money {
            minor: 100,
            currency: "XTS".into(),
        };
        assert!(money(&unknown, Locale::en_GB).contains("1.00"));
    }
}
