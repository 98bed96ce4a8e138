//! Customers: the fields a caller gives ([`NewCustomer`]), their checks, and the stored record
//! ([`Customer`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use phonenumber::country::Id as Region;
use serde::{Deserialize, Serialize};

use super::contact::{self, Phone};
use super::limits::*;
use super::tenant::{NameRule, TenantSettings};
use super::text;
use crate::error::{Error, Result};

super::ids::uuid_id!(
    /// The id of a customer: a UUID v7, unique across tenants and time-ordered.
    CustomerId,
    "customer_id"
);

/// A postal address. Every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Street and number.
    pub street: Option<String>,
    /// Postal code, as written in the country.
    pub zip: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Region, state or province.
    pub region: Option<String>,
    /// Country, ISO 3166-1 alpha-2 (`FR`); stored uppercase.
    pub country: Option<String>,
}

/// Communication consent: when the customer agreed to be contacted on each channel
/// (`None`: no consent).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// When consent to marketing email was given.
    pub email: Option<DateTime<Utc>>,
    /// When consent to SMS was given.
    pub sms: Option<DateTime<Utc>>,
}

/// The fields of a customer as a caller types them, for a create or an update.
///
/// The names the tenant's [`NameRule`](crate::NameRule) asks for are required (by default both);
/// everything else is optional. Text is trimmed; blank optional text counts as absent. A phone
/// typed without `+country` is read in the customer's address country, else in the tenant's
/// default region; one that fits no numbering plan is kept as typed, unverified (see
/// [`Phone`]). The checks and bounds are those
/// of [`limits`](crate::limits); a broken rule is an [`Error::Validation`] naming the field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NewCustomer {
    /// Title or form of address as typed (`Mr`, `Mme`, `Dr`, `Frau`), for salutations.
    pub title: Option<String>,
    /// First name, kept as typed (empty: none, if the tenant's name rule allows it).
    pub first_name: String,
    /// Last name, kept as typed (empty: none, if the tenant's name rule allows it).
    pub last_name: String,
    /// Company.
    pub company: Option<String>,
    /// Main email, kept as typed, matched case-insensitively.
    pub email: Option<String>,
    /// Landline phone.
    pub phone: Option<String>,
    /// Mobile phone.
    pub mobile: Option<String>,
    /// Fax.
    pub fax: Option<String>,
    /// Emergency (or event) phone.
    pub emergency_phone: Option<String>,
    /// Further email addresses (a merge keeps the other record's addresses here).
    pub secondary_emails: Vec<String>,
    /// Further phone numbers.
    pub secondary_phones: Vec<String>,
    /// Postal address.
    pub address: Address,
    /// Additional contact person.
    pub contact_person: Option<String>,
    /// Birth date, not in the future.
    pub birth_date: Option<NaiveDate>,
    /// Preferred language, a BCP 47 tag (`fr`, `de-CH`).
    pub language: Option<String>,
    /// Internal notes for the agency team (multi-line).
    pub notes: Option<String>,
    /// Communication consent.
    pub consent: Consent,
    /// Salesperson (user) in charge.
    pub salesperson: Option<String>,
    /// Names of the customer lists the customer belongs to.
    pub lists: BTreeSet<String>,
    /// Custom fields: a bounded string map.
    pub custom_fields: BTreeMap<String, String>,
}

/// A stored customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Customer {
    /// Id, unique across tenants.
    pub id: CustomerId,
    /// Number shown to people, a per-tenant sequence from 1.
    pub customer_no: i64,
    /// Title or form of address (`Mr`, `Mme`, `Dr`), as typed.
    pub title: Option<String>,
    /// First name (empty when the tenant's name rule let it be left out).
    pub first_name: String,
    /// Last name (empty when the tenant's name rule let it be left out).
    pub last_name: String,
    /// Company.
    pub company: Option<String>,
    /// Main email, as typed.
    pub email: Option<String>,
    /// Landline phone.
    pub phone: Option<Phone>,
    /// Mobile phone.
    pub mobile: Option<Phone>,
    /// Fax.
    pub fax: Option<Phone>,
    /// Emergency (or event) phone.
    pub emergency_phone: Option<Phone>,
    /// Further email addresses.
    pub secondary_emails: Vec<String>,
    /// Further phone numbers.
    pub secondary_phones: Vec<Phone>,
    /// Postal address; the country is uppercase ISO 3166-1 alpha-2.
    pub address: Address,
    /// Additional contact person.
    pub contact_person: Option<String>,
    /// Birth date.
    pub birth_date: Option<NaiveDate>,
    /// Preferred language (BCP 47).
    pub language: Option<String>,
    /// Internal notes.
    pub notes: Option<String>,
    /// Communication consent.
    pub consent: Consent,
    /// Salesperson in charge.
    pub salesperson: Option<String>,
    /// Customer lists the customer belongs to.
    pub lists: BTreeSet<String>,
    /// Custom fields.
    pub custom_fields: BTreeMap<String, String>,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// When the record was last changed.
    pub updated_at: DateTime<Utc>,
    /// Version for optimistic concurrency: an update names the version it read.
    pub version: i64,
    /// When the customer was anonymised (its personal data erased for good), if it was.
    #[serde(default)]
    pub anonymised_at: Option<DateTime<Utc>>,
}

impl Customer {
    /// The names of its fields: the keys of its serialised form, and the attributes the Python
    /// face shows.
    pub const FIELDS: &'static [&'static str] = &[
        "id",
        "customer_no",
        "title",
        "first_name",
        "last_name",
        "company",
        "email",
        "phone",
        "mobile",
        "fax",
        "emergency_phone",
        "secondary_emails",
        "secondary_phones",
        "address",
        "contact_person",
        "birth_date",
        "language",
        "notes",
        "consent",
        "salesperson",
        "lists",
        "custom_fields",
        "created_at",
        "updated_at",
        "version",
        "anonymised_at",
    ];

    /// Whether the customer was anonymised: its personal data is erased for good, and it can
    /// no longer be edited, merged, put on a list, sent a brochure, given a document or written
    /// to.
    pub fn is_anonymised(&self) -> bool {
        self.anonymised_at.is_some()
    }

    /// First and last name joined by a space; the one name a customer has, alone.
    pub fn full_name(&self) -> String {
        full_name(&self.first_name, &self.last_name)
    }

    /// Every phone of the customer: phone, mobile, fax, emergency phone, then the secondary ones.
    pub fn phones(&self) -> impl Iterator<Item = &Phone> {
        [&self.phone, &self.mobile, &self.fax, &self.emergency_phone]
            .into_iter()
            .flatten()
            .chain(&self.secondary_phones)
    }

    /// The key of the name sort: last name, then first name, folded. The separator sorts before
    /// any character a name may hold (names have no control characters), so `Le, Zoé` comes
    /// before `Le Blanc, Anne`. A customer with a first name only sorts by it among the last
    /// names (`Zoé` between `Young` and `Zola`), not before everyone.
    pub(crate) fn sort_name(&self) -> String {
        let (last, first) = match self.last_name.is_empty() {
            true => (&self.first_name, &self.last_name),
            false => (&self.last_name, &self.first_name),
        };
        format!(
            "{}\u{1}{}",
            super::text::fold(last),
            super::text::fold(first)
        )
    }

    /// The editable fields of this customer, to change some and pass to an update.
    pub fn edit(&self) -> NewCustomer {
        let typed = |p: &Option<Phone>| p.as_ref().map(|p| p.typed.clone());
        NewCustomer {
            title: self.title.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            company: self.company.clone(),
            email: self.email.clone(),
            phone: typed(&self.phone),
            mobile: typed(&self.mobile),
            fax: typed(&self.fax),
            emergency_phone: typed(&self.emergency_phone),
            secondary_emails: self.secondary_emails.clone(),
            secondary_phones: self
                .secondary_phones
                .iter()
                .map(|p| p.typed.clone())
                .collect(),
            address: self.address.clone(),
            contact_person: self.contact_person.clone(),
            birth_date: self.birth_date,
            language: self.language.clone(),
            notes: self.notes.clone(),
            consent: self.consent,
            salesperson: self.salesperson.clone(),
            lists: self.lists.clone(),
            custom_fields: self.custom_fields.clone(),
        }
    }

    /// Checks the bounds on counts that laying one valid record over another could break.
    pub(crate) fn check_counts(&self) -> Result<()> {
        bounded_count(
            "secondary_emails",
            self.secondary_emails.len(),
            MAX_SECONDARY_CONTACTS,
        )?;
        bounded_count(
            "secondary_phones",
            self.secondary_phones.len(),
            MAX_SECONDARY_CONTACTS,
        )?;
        bounded_count("lists", self.lists.len(), MAX_LISTS)?;
        bounded_count("custom_fields", self.custom_fields.len(), MAX_CUSTOM_FIELDS)
    }

    /// The names of the editable fields whose values differ between `self` and `other`.
    pub(crate) fn changed_fields(&self, other: &Customer) -> Vec<&'static str> {
        let mut out = Vec::new();
        macro_rules! cmp {
            ($($f:ident),*) => { $( if self.$f != other.$f { out.push(stringify!($f)); } )* };
        }
        cmp!(
            title,
            first_name,
            last_name,
            company,
            email,
            phone,
            mobile,
            fax,
            emergency_phone,
            secondary_emails,
            secondary_phones,
            address,
            contact_person,
            birth_date,
            language,
            notes,
            consent,
            salesperson,
            lists,
            custom_fields
        );
        out
    }
}

/// What validation needs to know besides the fields: the tenant's phone region and name rule,
/// today's date, and, for an update, the stored customer's phones and country (a phone typed as
/// stored keeps its reading while the country stays).
#[derive(Debug, Clone, Default)]
pub(crate) struct Rules {
    pub(crate) region: Option<Region>,
    pub(crate) names: NameRule,
    pub(crate) today: NaiveDate,
    known_phones: Vec<Phone>,
    known_country: Option<String>,
}

impl Rules {
    /// The rules of a tenant's settings, on `today`.
    pub(crate) fn new(settings: &TenantSettings, today: NaiveDate) -> Self {
        Self {
            region: settings.region(),
            names: settings.name_rule,
            today,
            known_phones: Vec::new(),
            known_country: None,
        }
    }

    /// The region a number typed without `+country` is read in: the customer's country when the
    /// numbering plans know it, else the tenant's default region.
    pub(crate) fn phone_region(&self, country: Option<&str>) -> Option<Region> {
        contact::reading_region(country, self.region)
    }

    /// Reads a phone in `region`, or takes the stored reading of a number typed exactly as stored
    /// when the customer's country did not change: a change of the tenant's region must not
    /// rewrite numbers nobody edited, a change of the customer's country re-reads them.
    fn phone(
        &self,
        field: &str,
        value: &str,
        country: Option<&str>,
        region: Option<Region>,
    ) -> Result<Phone> {
        let known = (self.known_country.as_deref() == country)
            .then(|| self.known_phones.iter().find(|p| p.typed == value.trim()))
            .flatten();
        match known {
            Some(known) => Ok(known.clone()),
            None => contact::phone(field, value, region),
        }
    }

    /// The same rules, remembering the phones and country of `customer`.
    pub(crate) fn keeping_phones_of(mut self, customer: &Customer) -> Self {
        self.known_phones = customer.phones().cloned().collect();
        self.known_country = customer.address.country.clone();
        self
    }
}

impl NewCustomer {
    /// The names of its fields: the keys of its serialised form, and the keyword arguments the
    /// Python face takes for a customer.
    pub const FIELDS: &'static [&'static str] = &[
        "title",
        "first_name",
        "last_name",
        "company",
        "email",
        "phone",
        "mobile",
        "fax",
        "emergency_phone",
        "secondary_emails",
        "secondary_phones",
        "address",
        "contact_person",
        "birth_date",
        "language",
        "notes",
        "consent",
        "salesperson",
        "lists",
        "custom_fields",
    ];

    /// Checks and normalises every field into a customer record with a fresh id; the store
    /// assigns the customer no., times and version.
    pub(crate) fn validate(self, rules: &Rules) -> Result<Customer> {
        let country = self
            .address
            .country
            .map(|c| country(&c))
            .transpose()?
            .flatten();
        let region = rules.phone_region(country.as_deref());
        let known_country = country.clone();
        let read = |field: &str, v: &str| rules.phone(field, v, known_country.as_deref(), region);
        let phone = |field: &str, v: Option<String>| -> Result<Option<Phone>> {
            match v {
                Some(v) if !v.trim().is_empty() => read(field, &v).map(Some),
                _ => Ok(None),
            }
        };
        let short =
            |field: &str, v: Option<String>| text::optional(field, v, MAX_TEXT_CHARS, false);

        let email = match self.email {
            Some(e) if !e.trim().is_empty() => Some(contact::email("email", &e)?),
            _ => None,
        };
        bounded_count(
            "secondary_emails",
            self.secondary_emails.len(),
            MAX_SECONDARY_CONTACTS,
        )?;
        let secondary_emails = self
            .secondary_emails
            .iter()
            .enumerate()
            .map(|(i, e)| contact::email(&format!("secondary_emails[{i}]"), e))
            .collect::<Result<Vec<_>>>()?;
        bounded_count(
            "secondary_phones",
            self.secondary_phones.len(),
            MAX_SECONDARY_CONTACTS,
        )?;
        let secondary_phones = self
            .secondary_phones
            .iter()
            .enumerate()
            .map(|(i, p)| read(&format!("secondary_phones[{i}]"), p))
            .collect::<Result<Vec<_>>>()?;

        let address = Address {
            street: short("address.street", self.address.street)?,
            zip: text::optional("address.zip", self.address.zip, 20, false)?,
            city: short("address.city", self.address.city)?,
            region: short("address.region", self.address.region)?,
            country,
        };
        super::dates::check_utc("consent.email", self.consent.email)?;
        super::dates::check_utc("consent.sms", self.consent.sms)?;
        if let Some(born) = self.birth_date {
            if born > rules.today {
                return Err(Error::validation("birth_date", "is in the future"));
            }
            if born.year() < 1850 {
                return Err(Error::validation("birth_date", "is before 1850"));
            }
        }

        let name = |field: &str, v: String| {
            text::optional(field, Some(v), MAX_NAME_CHARS, false).map(Option::unwrap_or_default)
        };
        let first_name = name("first_name", self.first_name)?;
        let last_name = name("last_name", self.last_name)?;
        rules.names.check(&first_name, &last_name)?;

        let now = Utc::now();
        Ok(Customer {
            id: CustomerId::new(),
            customer_no: 0,
            title: short("title", self.title)?,
            first_name,
            last_name,
            company: short("company", self.company)?,
            email,
            phone: phone("phone", self.phone)?,
            mobile: phone("mobile", self.mobile)?,
            fax: phone("fax", self.fax)?,
            emergency_phone: phone("emergency_phone", self.emergency_phone)?,
            secondary_emails,
            secondary_phones,
            address,
            contact_person: short("contact_person", self.contact_person)?,
            birth_date: self.birth_date,
            language: self.language.map(|l| language(&l)).transpose()?.flatten(),
            notes: text::optional("notes", self.notes, MAX_NOTES_CHARS, true)?,
            consent: self.consent,
            salesperson: short("salesperson", self.salesperson)?,
            lists: lists(self.lists)?,
            custom_fields: custom_fields(self.custom_fields)?,
            created_at: now,
            updated_at: now,
            version: 0,
            anonymised_at: None,
        })
    }
}

use chrono::Datelike;

/// First and last name joined by a space; a name that is empty is left out.
pub(crate) fn full_name(first: &str, last: &str) -> String {
    match (first.is_empty(), last.is_empty()) {
        (false, false) => format!("{first} {last}"),
        (true, _) => last.to_owned(),
        (false, true) => first.to_owned(),
    }
}

fn bounded_count(field: &str, count: usize, max: usize) -> Result<()> {
    if count > max {
        return Err(Error::validation(field, format!("more than {max} entries")));
    }
    Ok(())
}

fn country(value: &str) -> Result<Option<String>> {
    let code = value.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Ok(None);
    }
    match isocountry::CountryCode::for_alpha2(&code) {
        Ok(_) => Ok(Some(code)),
        Err(_) => Err(Error::validation(
            "address.country",
            "not an ISO 3166-1 alpha-2 country code",
        )),
    }
}

pub(crate) fn language(value: &str) -> Result<Option<String>> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    match oxilangtag::LanguageTag::parse(value) {
        Ok(tag) if value.len() <= 35 => Ok(Some(tag.as_str().to_owned())),
        _ => Err(Error::validation("language", "not a BCP 47 language tag")),
    }
}

fn lists(values: BTreeSet<String>) -> Result<BTreeSet<String>> {
    bounded_count("lists", values.len(), MAX_LISTS)?;
    values
        .iter()
        .map(|name| text::required("lists", name, MAX_TEXT_CHARS, false))
        .collect()
}

fn custom_fields(values: BTreeMap<String, String>) -> Result<BTreeMap<String, String>> {
    bounded_count("custom_fields", values.len(), MAX_CUSTOM_FIELDS)?;
    let mut out = BTreeMap::new();
    for (key, value) in values {
        let key = text::required("custom_fields", &key, MAX_CUSTOM_KEY_CHARS, false)?;
        let field = format!("custom_fields.{key}");
        if value.chars().count() > MAX_CUSTOM_VALUE_CHARS {
            return Err(Error::validation(
                field,
                format!("longer than {MAX_CUSTOM_VALUE_CHARS} characters"),
            ));
        }
        if out.insert(key, value).is_some() {
            return Err(Error::validation(field, "given twice (names are trimmed)"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_lists_are_the_serialised_keys() {
        use crate::model::{serialised_keys, sorted};
        assert_eq!(
            serialised_keys(&NewCustomer::default()),
            sorted(NewCustomer::FIELDS)
        );
        let customer = NewCustomer {
            first_name: "Jean".into(),
            last_name: "Dupont".into(),
            ..NewCustomer::default()
        }
        .validate(&rules())
        .unwrap();
        assert_eq!(serialised_keys(&customer), sorted(Customer::FIELDS));
    }

    fn rules() -> Rules {
        Rules::new(
            &TenantSettings::with_region("FR"),
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        )
    }

    fn named(first: &str, last: &str) -> NewCustomer {
        NewCustomer {
            first_name: first.into(),
            last_name: last.into(),
            ..Default::default()
        }
    }

    #[test]
    fn unicode_names_kept_as_typed() {
        for (f, l) in [
            ("Hélène", "Dupont"),
            ("José", "Núñez"),
            ("Jürgen", "Müller"),
            ("伟", "王"),
        ] {
            let c = named(&format!("  {f} "), l).validate(&rules()).unwrap();
            assert_eq!((c.first_name.as_str(), c.last_name.as_str()), (f, l));
        }
    }

    #[test]
    fn each_rule_names_its_field() {
        let today = rules().today;
        let cases: Vec<(NewCustomer, &str)> = vec![
            (named("", "X"), "first_name"),
            (named("X", "  "), "last_name"),
            (named(&"a".repeat(MAX_NAME_CHARS + 1), "X"), "first_name"),
            (
                NewCustomer {
                    email: Some("nope".into()),
                    ..named("a", "b")
                },
                "email",
            ),
            (
                NewCustomer {
                    phone: Some("12".into()),
                    ..named("a", "b")
                },
                "phone",
            ),
            (
                NewCustomer {
                    mobile: Some("abc".into()),
                    ..named("a", "b")
                },
                "mobile",
            ),
            (
                NewCustomer {
                    fax: Some("0".into()),
                    ..named("a", "b")
                },
                "fax",
            ),
            (
                NewCustomer {
                    emergency_phone: Some("1".into()),
                    ..named("a", "b")
                },
                "emergency_phone",
            ),
            (
                NewCustomer {
                    secondary_emails: vec!["x@y.fr".into(), "bad".into()],
                    ..named("a", "b")
                },
                "secondary_emails[1]",
            ),
            (
                NewCustomer {
                    secondary_phones: vec!["bad".into()],
                    ..named("a", "b")
                },
                "secondary_phones[0]",
            ),
            (
                NewCustomer {
                    address: Address {
                        country: Some("XX".into()),
                        ..Default::default()
                    },
                    ..named("a", "b")
                },
                "address.country",
            ),
            (
                NewCustomer {
                    address: Address {
                        country: Some("FRA".into()),
                        ..Default::default()
                    },
                    ..named("a", "b")
                },
                "address.country",
            ),
            (
                NewCustomer {
                    birth_date: today.succ_opt(),
                    ..named("a", "b")
                },
                "birth_date",
            ),
            (
                NewCustomer {
                    language: Some("not a tag!".into()),
                    ..named("a", "b")
                },
                "language",
            ),
            (
                NewCustomer {
                    custom_fields: (0..=MAX_CUSTOM_FIELDS)
                        .map(|i| (i.to_string(), String::new()))
                        .collect(),
                    ..named("a", "b")
                },
                "custom_fields",
            ),
            (
                NewCustomer {
                    custom_fields: [("k".to_string(), "v".repeat(MAX_CUSTOM_VALUE_CHARS + 1))]
                        .into(),
                    ..named("a", "b")
                },
                "custom_fields.k",
            ),
            (
                NewCustomer {
                    notes: Some("x".repeat(MAX_NOTES_CHARS + 1)),
                    ..named("a", "b")
                },
                "notes",
            ),
        ];
        for (input, field) in cases {
            let err = input.validate(&rules()).unwrap_err();
            assert_eq!(err.field(), Some(field), "{err}");
        }
    }

    #[test]
    fn country_uppercased_and_blank_optional_text_dropped() {
        let c = NewCustomer {
            address: Address {
                country: Some("fr".into()),
                city: Some("  ".into()),
                ..Default::default()
            },
            company: Some(String::new()),
            ..named("a", "b")
        }
        .validate(&rules())
        .unwrap();
        assert_eq!(c.address.country.as_deref(), Some("FR"));
        assert_eq!(c.address.city, None);
        assert_eq!(c.company, None);
    }

    #[test]
    fn edit_round_trips_through_validation() {
        let input = NewCustomer {
            email: Some("A@B.fr".into()),
            mobile: Some("06 12 34 56 78".into()),
            secondary_phones: vec!["+44 20 7946 0958".into()],
            ..named("Zoé", "Ündset")
        };
        let c = input.clone().validate(&rules()).unwrap();
        assert_eq!(c.edit(), input);
        let again = c.edit().validate(&rules()).unwrap();
        assert!(c.changed_fields(&again).is_empty());
    }
}
