//! Printed letters and address labels: a customer's postal address as it goes on an envelope,
//! a letter laid out for a window envelope (DIN 5008, form B: the address field 45 mm from the
//! top and 20 mm from the left, 85 × 45 mm, seen through the window of a DL or C5/6
//! envelope; fold marks at 105 and 210 mm, the hole mark at 148.5 mm), and a sheet of A4
//! labels (3 × 7 labels of 63.5 × 38.1 mm, Avery L7160 and its kin).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::{Customer, CustomerId};
use crate::pdf::Doc;

/// How a letter run prints (see [`Tenant::print_letters`](crate::Tenant::print_letters)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct LetterOptions {
    /// The letter template to print.
    pub template: String,
    /// The sender: the agency's name and address lines, printed at the top right of each
    /// letter and, joined on one small line, above the recipient's address (the return
    /// address of the window).
    pub sender: Vec<String>,
    /// The country the letters are posted from (ISO 3166-1 alpha-2): an address in it has
    /// no country line; one abroad ends with the country's name.
    pub home_country: Option<String>,
    /// Font files (TrueType or OpenType) tried after the built-in DejaVu Sans for characters
    /// it lacks: a CJK font for `王`.
    pub fonts: Vec<PathBuf>,
    /// With [`Audience::PendingBrochures`](crate::Audience::PendingBrochures): mark the
    /// requests of the customers printed as sent, in the same call.
    pub mark_sent: bool,
}

impl LetterOptions {
    /// Letters of `template` sent by `sender` (its lines).
    pub fn new(template: impl Into<String>, sender: Vec<String>) -> Self {
        Self {
            template: template.into(),
            sender,
            ..Self::default()
        }
    }
}

/// Why a customer of a letter run got no letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LetterSkip {
    /// The customer.
    pub customer_id: CustomerId,
    /// Why: no postal address, anonymised, the template's render, a character no font has.
    pub reason: String,
}

/// What a letter run printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LetterRun {
    /// The letters, one PDF (a letter starts on a new page).
    pub letters: Vec<u8>,
    /// The address labels of the same customers, one PDF of A4 sheets of 3 × 7.
    pub labels: Vec<u8>,
    /// The customers printed, in order.
    pub printed: Vec<CustomerId>,
    /// The customers not printed, and why.
    pub skipped: Vec<LetterSkip>,
    /// The pending brochure requests of the customers printed (with
    /// [`Audience::PendingBrochures`](crate::Audience::PendingBrochures)): to mark sent with
    /// [`Tenant::mark_brochures_sent`](crate::Tenant::mark_brochures_sent) once the letters are
    /// safely written, when `mark_sent` was not asked.
    pub requests: Vec<crate::model::BrochureRequestId>,
    /// How many brochure requests were marked sent (in one transaction).
    pub marked_sent: u64,
}

/// The lines of `c`'s postal address as they go on an envelope, or `None` without a street
/// and a city: company, title and name, street, the place as its country writes it, and the
/// country's name when it is not `home`.
pub(crate) fn postal_lines(c: &Customer, home: Option<&str>) -> Option<Vec<String>> {
    let a = &c.address;
    let street = a.street.as_deref().filter(|s| !s.trim().is_empty())?;
    let city = a.city.as_deref().filter(|s| !s.trim().is_empty())?;
    let mut lines = Vec::new();
    if let Some(company) = c.company.as_deref().filter(|s| !s.trim().is_empty()) {
        lines.push(company.trim().to_owned());
    }
    let name = crate::model::full_name(&c.first_name, &c.last_name);
    let named = match c.title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(title) => format!("{title} {name}"),
        None => name,
    };
    if !named.trim().is_empty() {
        lines.push(named);
    }
    lines.extend(
        street
            .lines()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty()),
    );
    let zip = a.zip.as_deref().unwrap_or_default().trim();
    let region = a.region.as_deref().unwrap_or_default().trim();
    let country = a.country.as_deref().map(str::to_ascii_uppercase);
    let join = |parts: &[&str]| {
        parts
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    };
    match country.as_deref() {
        Some("GB" | "IE") => {
            lines.push(city.trim().to_uppercase());
            if !zip.is_empty() {
                lines.push(zip.to_owned());
            }
        }
        Some("US" | "CA" | "AU") => lines.push(join(&[&city.trim().to_uppercase(), region, zip])),
        _ => lines.push(join(&[zip, city.trim()])),
    }
    if let Some(code) = country.as_deref()
        && home.is_none_or(|h| !h.eq_ignore_ascii_case(code))
        && let Ok(found) = isocountry::CountryCode::for_alpha2(code)
    {
        lines.push(found.name().to_uppercase());
    }
    Some(lines)
}

/// A letter's texts, ready to lay out.
pub(crate) struct Letter<'a> {
    pub(crate) sender: &'a [String],
    pub(crate) address: &'a [String],
    pub(crate) date: &'a str,
    pub(crate) subject: Option<&'a str>,
    pub(crate) body: &'a str,
}

impl Letter<'_> {
    /// Every text of the letter, to check the fonts cover them before laying it out.
    pub(crate) fn texts(&self) -> impl Iterator<Item = &str> {
        self.sender
            .iter()
            .chain(self.address)
            .map(String::as_str)
            .chain([self.date, self.subject.unwrap_or_default(), self.body])
    }
}

/// Left margin of the text, and of the address field (millimetres).
const LEFT: f32 = 25.0;
const FIELD_LEFT: f32 = 20.0;
const FIELD_WIDTH: f32 = 85.0;
/// The right edge of the text.
const RIGHT: f32 = 190.0;
/// The last baseline of a page's text.
const BOTTOM: f32 = 277.0;

/// Lays `letter` out on new pages of `doc`.
pub(crate) fn lay_out(doc: &mut Doc, letter: &Letter<'_>) -> Result<()> {
    doc.page();
    marks(doc);
    // The letterhead, top right.
    let mut y = 15.0;
    for line in letter.sender.iter().take(6) {
        let line = doc.fit(line, 9.0, 80.0)?;
        doc.text_right(RIGHT, y, 9.0, &line)?;
        y += 4.0;
    }
    // The return address, small, at the top of the address field.
    if !letter.sender.is_empty() {
        let back = doc.fit(&letter.sender.join(" · "), 7.0, FIELD_WIDTH)?;
        doc.text(FIELD_LEFT, 52.0, 7.0, &back)?;
        doc.line((FIELD_LEFT, 53.2), (FIELD_LEFT + FIELD_WIDTH, 53.2), 0.3);
    }
    // The recipient: the address zone, 62.7 mm from the top, six lines at most.
    let mut y = 67.0;
    for line in letter.address.iter().take(6) {
        let line = doc.fit(line, 10.0, FIELD_WIDTH)?;
        doc.text(FIELD_LEFT, y, 10.0, &line)?;
        y += 4.5;
    }
    doc.text_right(RIGHT, 98.0, 10.0, letter.date)?;
    let mut y = 106.0;
    if let Some(subject) = letter.subject.filter(|s| !s.trim().is_empty()) {
        for line in doc.wrap(subject, 11.5, RIGHT - LEFT)? {
            doc.text(LEFT, y, 11.5, &line)?;
            y += 5.5;
        }
        y += 4.0;
    }
    for line in doc.wrap(letter.body, 11.0, RIGHT - LEFT)? {
        if y > BOTTOM {
            doc.page();
            marks(doc);
            y = 25.0;
        }
        doc.text(LEFT, y, 11.0, &line)?;
        y += 5.0;
    }
    Ok(())
}

/// The fold marks (105 and 210 mm) and the hole mark (148.5 mm) at the left edge.
fn marks(doc: &mut Doc) {
    for (y, length) in [(105.0, 5.0), (148.5, 8.0), (210.0, 5.0)] {
        doc.line((3.0, y), (3.0 + length, y), 0.3);
    }
}

/// Label sheet geometry (millimetres): 3 columns, 7 rows.
const LABEL_COLUMNS: usize = 3;
const LABEL_ROWS: usize = 7;
const LABEL_LEFT: f32 = 7.25;
const LABEL_TOP: f32 = 15.15;
const LABEL_PITCH_X: f32 = 66.04;
const LABEL_PITCH_Y: f32 = 38.1;
const LABEL_WIDTH: f32 = 63.5;

/// Puts the `n`th label (from 0) of a run on `doc`, a new sheet every 21.
pub(crate) fn label(doc: &mut Doc, n: usize, address: &[String]) -> Result<()> {
    let per_sheet = LABEL_COLUMNS * LABEL_ROWS;
    if n.is_multiple_of(per_sheet) {
        doc.page();
    }
    let slot = n % per_sheet;
    let (column, row) = (slot % LABEL_COLUMNS, slot / LABEL_COLUMNS);
    let x = LABEL_LEFT + column as f32 * LABEL_PITCH_X + 4.0;
    let mut y = LABEL_TOP + row as f32 * LABEL_PITCH_Y + 7.0;
    for line in address.iter().take(6) {
        let line = doc.fit(line, 9.0, LABEL_WIDTH - 8.0)?;
        doc.text(x, y, 9.0, &line)?;
        y += 4.2;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Address, NewCustomer, Rules, TenantSettings};

    fn customer(country: &str, company: Option<&str>) -> Customer {
        let rules = Rules::new(&TenantSettings::default(), chrono::Utc::now().date_naive());
        NewCustomer {
            title: Some("Mme".into()),
            first_name: "Hélène".into(),
            last_name: "Dupont".into(),
            company: company.map(Into::into),
            address: Address {
                street: Some("12 rue de la République".into()),
                zip: Some("69002".into()),
                city: Some("Lyon".into()),
                region: Some("ARA".into()),
                country: Some(country.into()),
            },
            ..Default::default()
        }
        .validate(&rules)
        .unwrap()
    }

    #[test]
    fn addresses_go_as_their_country_writes_them() {
        assert_eq!(
            postal_lines(&customer("FR", Some("Voyages Dupont")), Some("FR")).unwrap(),
            [
                "Voyages Dupont",
                "Mme Hélène Dupont",
                "12 rue de la République",
                "69002 Lyon"
            ]
        );
        assert_eq!(
            postal_lines(&customer("FR", None), Some("DE"))
                .unwrap()
                .last()
                .unwrap(),
            "FRANCE"
        );
        assert_eq!(
            postal_lines(&customer("GB", None), Some("GB")).unwrap()[2..],
            ["LYON".to_owned(), "69002".to_owned()]
        );
        assert_eq!(
            postal_lines(&customer("US", None), None).unwrap()[2..],
            [
                "LYON ARA 69002".to_owned(),
                "UNITED STATES OF AMERICA".to_owned()
            ]
        );
        let mut no_street = customer("FR", None);
        no_street.address.street = None;
        assert_eq!(postal_lines(&no_street, None), None);
    }
}
