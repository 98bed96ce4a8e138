//! Which field each column of an imported file fills: our own headers, the presets that
//! recognise other tools' exports, and the caller's own mapping.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ExportColumn;
use crate::error::{Error, Result};
use crate::model::NameRule;
use crate::model::limits::MAX_CUSTOM_KEY_CHARS;

/// Where the cells of an imported column go.
///
/// Its text form (also in JSON) is the field name, `custom:<key>` or `ignore`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
#[non_exhaustive]
pub enum ImportTarget {
    /// A field of the customer, named as in an export. `customer_no` is read only to match on
    /// (a new customer gets the tenant's next number); `id`, `bookings`, `last_booking`,
    /// `created_at` and `updated_at` are set by the library and ignored.
    Column(ExportColumn),
    /// One custom field, by key (written `custom:<key>`).
    Custom(String),
    /// Not imported.
    Ignore,
}

impl ImportTarget {
    /// Whether the column is read into the customer (or used to match).
    pub(crate) fn is_read(&self) -> bool {
        match self {
            Self::Column(c) => !c.is_computed(),
            Self::Custom(_) => true,
            Self::Ignore => false,
        }
    }

    /// Whether several columns may fill this target (their values are joined).
    fn takes_many(&self) -> bool {
        matches!(
            self,
            Self::Column(
                ExportColumn::SecondaryEmails | ExportColumn::SecondaryPhones | ExportColumn::Lists
            )
        )
    }
}

impl fmt::Display for ImportTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Column(c) => f.write_str(c.as_str()),
            Self::Custom(key) => write!(f, "custom:{key}"),
            Self::Ignore => f.write_str("ignore"),
        }
    }
}

impl From<ImportTarget> for String {
    fn from(target: ImportTarget) -> Self {
        target.to_string()
    }
}

impl TryFrom<String> for ImportTarget {
    type Error = Error;

    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl FromStr for ImportTarget {
    type Err = Error;

    /// Parses `first_name` (any export column), `custom:<key>` or `ignore` (also empty).
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        if s.is_empty() || s == "ignore" {
            return Ok(Self::Ignore);
        }
        if let Some(key) = s.strip_prefix("custom:") {
            return custom_key(key).map(Self::Custom);
        }
        s.parse::<ExportColumn>()
            .map(Self::Column)
            .map_err(|_| Error::validation("mapping", format!("{s:?} is not a field to import")))
    }
}

fn custom_key(key: &str) -> Result<String> {
    let key = key.trim();
    if key.is_empty() || key.chars().count() > MAX_CUSTOM_KEY_CHARS {
        return Err(Error::validation(
            "mapping",
            format!("a custom field key has 1 to {MAX_CUSTOM_KEY_CHARS} characters"),
        ));
    }
    Ok(key.to_owned())
}

/// The export formats whose headers an import recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ImportPreset {
    /// Our own export: the headers of [`ExportColumn`], plus `custom:<key>` columns.
    Crm,
    /// Google Contacts ("Google CSV": `First Name`, `E-mail 1 - Value`, `Address 1 - City`...;
    /// also the older `Given Name`, `Family Name`).
    GoogleContacts,
    /// Microsoft Outlook (`First Name`, `E-mail Address`, `Mobile Phone`, `Home Street`...).
    Outlook,
    /// HubSpot contacts (`Email`, `Phone Number`, `Street Address`, `Record ID`...). The record
    /// id goes to the custom field `hubspot_id`.
    Hubspot,
}

impl ImportPreset {
    /// Every preset, in the order auto-detection prefers on a tie.
    pub const ALL: [ImportPreset; 4] = [
        Self::Crm,
        Self::GoogleContacts,
        Self::Outlook,
        Self::Hubspot,
    ];

    /// The stable text form: `crm`, `google_contacts`, `outlook`, `hubspot`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Crm => "crm",
            Self::GoogleContacts => "google_contacts",
            Self::Outlook => "outlook",
            Self::Hubspot => "hubspot",
        }
    }

    /// The target of a header, compared without case, spaces or punctuation.
    fn target(self, header: &str) -> Option<ImportTarget> {
        use ExportColumn as E;
        let key = squash(header);
        let column = |c: E| Some(ImportTarget::Column(c));
        let found = match self {
            Self::Crm => E::ALL.into_iter().find(|c| squash(c.as_str()) == key),
            Self::GoogleContacts => match key.as_str() {
                "nameprefix" => Some(E::Title),
                "firstname" | "givenname" => Some(E::FirstName),
                "lastname" | "familyname" => Some(E::LastName),
                "organizationname" | "organization1name" => Some(E::Company),
                "email1value" => Some(E::Email),
                "email2value" | "email3value" | "email4value" => Some(E::SecondaryEmails),
                "phone1value" => Some(E::Phone),
                "phone2value" | "phone3value" | "phone4value" => Some(E::SecondaryPhones),
                "address1street" => Some(E::Street),
                "address1city" => Some(E::City),
                "address1region" => Some(E::Region),
                "address1postalcode" => Some(E::Zip),
                "address1country" => Some(E::Country),
                "birthday" => Some(E::BirthDate),
                "notes" => Some(E::Notes),
                _ => None,
            },
            Self::Outlook => match key.as_str() {
                "title" => Some(E::Title),
                "firstname" => Some(E::FirstName),
                "lastname" => Some(E::LastName),
                "company" => Some(E::Company),
                "emailaddress" => Some(E::Email),
                "email2address" | "email3address" => Some(E::SecondaryEmails),
                "homephone" => Some(E::Phone),
                "mobilephone" => Some(E::Mobile),
                "businessfax" | "homefax" => Some(E::Fax),
                "businessphone" | "homephone2" | "businessphone2" | "otherphone" => {
                    Some(E::SecondaryPhones)
                }
                "homestreet" => Some(E::Street),
                "homecity" => Some(E::City),
                "homestate" => Some(E::Region),
                "homepostalcode" => Some(E::Zip),
                "homecountryregion" => Some(E::Country),
                "birthday" => Some(E::BirthDate),
                "notes" => Some(E::Notes),
                "categories" => Some(E::Lists),
                "language" => Some(E::Language),
                _ => None,
            },
            Self::Hubspot => match key.as_str() {
                "salutation" => Some(E::Title),
                "firstname" => Some(E::FirstName),
                "lastname" => Some(E::LastName),
                "email" => Some(E::Email),
                "phonenumber" => Some(E::Phone),
                "mobilephonenumber" => Some(E::Mobile),
                "faxnumber" => Some(E::Fax),
                "companyname" => Some(E::Company),
                "streetaddress" => Some(E::Street),
                "city" => Some(E::City),
                "stateregion" => Some(E::Region),
                "postalcode" => Some(E::Zip),
                "countryregion" => Some(E::Country),
                "dateofbirth" => Some(E::BirthDate),
                "contactowner" => Some(E::Salesperson),
                "preferredlanguage" => Some(E::Language),
                "recordid" => return Some(ImportTarget::Custom("hubspot_id".into())),
                _ => None,
            },
        };
        found.and_then(column)
    }
}

impl fmt::Display for ImportPreset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ImportPreset {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s.trim())
            .ok_or_else(|| Error::validation("preset", format!("{s:?} is not an import preset")))
    }
}

/// A header lowercased with everything but letters and digits removed (`E-mail 1 - Value` →
/// `email1value`).
fn squash(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// One column of an imported file and where it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MappedColumn {
    /// The header as written in the file.
    pub header: String,
    /// Its target ([`ImportTarget::Ignore`] for a column not imported).
    pub target: ImportTarget,
}

/// The columns of a file mapped to their targets, and the preset that recognised them.
#[derive(Debug, Clone)]
pub(crate) struct Mapping {
    pub(crate) columns: Vec<MappedColumn>,
    pub(crate) preset: ImportPreset,
}

impl Mapping {
    /// Maps `headers`: the caller's `explicit` choices first (by exact header, trimmed), then a
    /// `custom:<key>` header, then the preset (`None`: the one that recognises most headers).
    ///
    /// # Errors
    /// Validation on `columns` when a header is blank or given twice, when two columns fill a
    /// field that takes one value, when an explicit header is not in the file, or when no column
    /// gives the first or last name.
    pub(crate) fn new(
        headers: &[String],
        explicit: &[(String, ImportTarget)],
        preset: Option<ImportPreset>,
        names: NameRule,
    ) -> Result<Self> {
        for (header, _) in explicit {
            if !headers.iter().any(|h| h.trim() == header.trim()) {
                return Err(Error::validation(
                    "mapping",
                    format!("the file has no column {:?}", header.trim()),
                ));
            }
        }
        for (i, h) in headers.iter().enumerate() {
            let position = i + 1;
            if h.trim().is_empty() {
                return Err(Error::validation(
                    "columns",
                    format!("column {position} has no header"),
                ));
            }
            if let Some(j) = headers[..i].iter().position(|o| o.trim() == h.trim()) {
                return Err(Error::validation(
                    "columns",
                    format!(
                        "columns {} and {position} have the same header {:?}",
                        j + 1,
                        h.trim()
                    ),
                ));
            }
        }
        let preset = preset.unwrap_or_else(|| {
            let score = |p: ImportPreset| headers.iter().filter(|h| p.target(h).is_some()).count();
            // `max_by_key` keeps the last of equals: walk the presets backwards to prefer the first.
            ImportPreset::ALL
                .into_iter()
                .rev()
                .max_by_key(|p| score(*p))
                .unwrap_or(ImportPreset::Crm)
        });
        let columns: Vec<MappedColumn> = headers
            .iter()
            .map(|h| {
                let explicit = explicit.iter().find(|(e, _)| e.trim() == h.trim());
                let target = match explicit {
                    Some((_, t)) => Ok(t.clone()),
                    None => match h.trim().strip_prefix("custom:") {
                        Some(key) => custom_key(key).map(ImportTarget::Custom),
                        None => Ok(preset.target(h).unwrap_or(ImportTarget::Ignore)),
                    },
                };
                target.map(|target| MappedColumn {
                    header: h.clone(),
                    target,
                })
            })
            .collect::<Result<_>>()?;
        for (i, c) in columns.iter().enumerate() {
            if !c.target.is_read() || c.target.takes_many() {
                continue;
            }
            if let Some(j) = columns[..i].iter().position(|o| o.target == c.target) {
                return Err(Error::validation(
                    "columns",
                    format!(
                        "columns {} ({:?}) and {} ({:?}) both fill {}",
                        j + 1,
                        columns[j].header,
                        i + 1,
                        c.header,
                        c.target
                    ),
                ));
            }
        }
        // The name columns the tenant's name rule needs, as it checks a record's names.
        let given = |column| match columns
            .iter()
            .any(|c| c.target == ImportTarget::Column(column))
        {
            true => "given",
            false => "",
        };
        let names_given = names.check(
            given(ExportColumn::FirstName),
            given(ExportColumn::LastName),
        );
        if let Err(e) = names_given {
            let needed = match names {
                NameRule::Either => "first_name or last_name".to_owned(),
                _ => e.field().unwrap_or("last_name").to_owned(),
            };
            return Err(Error::validation(
                "columns",
                format!("no column gives {needed} (map one with the import options)"),
            ));
        }
        Ok(Self { columns, preset })
    }

    /// The position of the column that fills `target`, if any.
    pub(crate) fn position(&self, target: &ImportTarget) -> Option<usize> {
        self.columns.iter().position(|c| &c.target == target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn presets_are_recognised_by_their_headers() {
        let google = headers(&[
            "First Name",
            "Last Name",
            "E-mail 1 - Value",
            "E-mail 2 - Value",
            "Address 1 - City",
        ]);
        let m = Mapping::new(&google, &[], None, NameRule::Both).unwrap();
        assert_eq!(m.preset, ImportPreset::GoogleContacts);
        assert_eq!(
            m.columns[3].target,
            ImportTarget::Column(ExportColumn::SecondaryEmails)
        );
        let outlook = headers(&["First Name", "Last Name", "E-mail Address", "Mobile Phone"]);
        assert_eq!(
            Mapping::new(&outlook, &[], None, NameRule::Both)
                .unwrap()
                .preset,
            ImportPreset::Outlook
        );
        let ours = headers(&["customer_no", "first_name", "last_name", "custom:ref"]);
        let m = Mapping::new(&ours, &[], None, NameRule::Both).unwrap();
        assert_eq!(m.preset, ImportPreset::Crm);
        assert_eq!(m.columns[3].target, ImportTarget::Custom("ref".into()));
    }

    #[test]
    fn explicit_mapping_wins_and_bad_headers_are_refused() {
        let file = headers(&["Nom", "Prénom", "Courriel"]);
        let err = Mapping::new(&file, &[], None, NameRule::Both).unwrap_err();
        assert!(err.to_string().contains("first_name"), "{err}");
        // The tenant's name rule says which name columns a file needs.
        let last_only = headers(&["last_name", "email"]);
        assert!(Mapping::new(&last_only, &[], None, NameRule::LastName).is_ok());
        assert!(Mapping::new(&last_only, &[], None, NameRule::Either).is_ok());
        let err = Mapping::new(&last_only, &[], None, NameRule::Both).unwrap_err();
        assert!(err.to_string().contains("first_name"), "{err}");
        let first_only = headers(&["first_name", "email"]);
        assert!(Mapping::new(&first_only, &[], None, NameRule::Either).is_ok());
        let err = Mapping::new(&first_only, &[], None, NameRule::LastName).unwrap_err();
        assert!(err.to_string().contains("last_name"), "{err}");
        let err = Mapping::new(&headers(&["email"]), &[], None, NameRule::Either).unwrap_err();
        assert!(err.to_string().contains("first_name or last_name"), "{err}");
        let explicit = vec![
            (
                "Nom".to_owned(),
                ImportTarget::Column(ExportColumn::LastName),
            ),
            (
                "Prénom".to_owned(),
                ImportTarget::Column(ExportColumn::FirstName),
            ),
        ];
        let m = Mapping::new(&file, &explicit, None, NameRule::Both).unwrap();
        assert_eq!(m.columns[2].target, ImportTarget::Ignore);

        let twice = headers(&["first_name", "last_name", "email", "email"]);
        let err = Mapping::new(&twice, &[], None, NameRule::Both).unwrap_err();
        assert!(err.to_string().contains("columns 3 and 4"), "{err}");
        let both = headers(&["first_name", "last_name", "email", "E-mail"]);
        let err = Mapping::new(&both, &[], Some(ImportPreset::Crm), NameRule::Both).unwrap_err();
        assert!(err.to_string().contains("both fill email"), "{err}");
        let missing = vec![("Nope".to_owned(), ImportTarget::Ignore)];
        assert!(Mapping::new(&file, &missing, None, NameRule::Both).is_err());
    }
}
