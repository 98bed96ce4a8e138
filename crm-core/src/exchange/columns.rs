//! The columns a customer export can hold, and its options.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::CustomerQuery;

/// A column of a customer export. Its header is [`as_str`](Self::as_str).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExportColumn {
    /// The customer's id.
    Id,
    /// Customer no.
    CustomerNo,
    /// Title or form of address.
    Title,
    /// First name.
    FirstName,
    /// Last name.
    LastName,
    /// Company.
    Company,
    /// Main email.
    Email,
    /// Landline, as typed.
    Phone,
    /// Mobile, as typed.
    Mobile,
    /// Fax, as typed.
    Fax,
    /// Emergency phone, as typed.
    EmergencyPhone,
    /// Further emails, `; `-separated.
    SecondaryEmails,
    /// Further phones, `; `-separated.
    SecondaryPhones,
    /// Street.
    Street,
    /// Postal code.
    Zip,
    /// City.
    City,
    /// Region.
    Region,
    /// Country (ISO 3166-1 alpha-2).
    Country,
    /// Contact person.
    ContactPerson,
    /// Birth date (`YYYY-MM-DD`).
    BirthDate,
    /// Language (BCP 47).
    Language,
    /// Notes.
    Notes,
    /// When email consent was given (RFC 3339).
    ConsentEmail,
    /// When SMS consent was given (RFC 3339).
    ConsentSms,
    /// Salesperson.
    Salesperson,
    /// Customer lists, `; `-separated.
    Lists,
    /// Custom fields, as one JSON object of strings (empty when there are none).
    CustomFields,
    /// Number of bookings.
    Bookings,
    /// Pickup time of the latest booking (RFC 3339, local offset).
    LastBooking,
    /// Invoiced amounts of its bookings not cancelled, per currency (`1234.50 EUR; 20.00 USD`).
    Spent,
    /// Amounts of its invoices still owed (of unpaid or part-paid invoices, the amount less what
    /// was paid, of bookings not cancelled), per currency.
    Outstanding,
    /// When the customer was created (RFC 3339 UTC).
    CreatedAt,
    /// When it last changed (RFC 3339 UTC).
    UpdatedAt,
}

impl ExportColumn {
    /// Every column, in the default order.
    pub const ALL: [ExportColumn; 33] = [
        Self::CustomerNo,
        Self::Title,
        Self::FirstName,
        Self::LastName,
        Self::Company,
        Self::Email,
        Self::Phone,
        Self::Mobile,
        Self::Fax,
        Self::EmergencyPhone,
        Self::SecondaryEmails,
        Self::SecondaryPhones,
        Self::Street,
        Self::Zip,
        Self::City,
        Self::Region,
        Self::Country,
        Self::ContactPerson,
        Self::BirthDate,
        Self::Language,
        Self::Notes,
        Self::ConsentEmail,
        Self::ConsentSms,
        Self::Salesperson,
        Self::Lists,
        Self::CustomFields,
        Self::Bookings,
        Self::LastBooking,
        Self::Spent,
        Self::Outstanding,
        Self::CreatedAt,
        Self::UpdatedAt,
        Self::Id,
    ];

    /// The header text (`customer_no`, `first_name`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::CustomerNo => "customer_no",
            Self::Title => "title",
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::Company => "company",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Mobile => "mobile",
            Self::Fax => "fax",
            Self::EmergencyPhone => "emergency_phone",
            Self::SecondaryEmails => "secondary_emails",
            Self::SecondaryPhones => "secondary_phones",
            Self::Street => "street",
            Self::Zip => "zip",
            Self::City => "city",
            Self::Region => "region",
            Self::Country => "country",
            Self::ContactPerson => "contact_person",
            Self::BirthDate => "birth_date",
            Self::Language => "language",
            Self::Notes => "notes",
            Self::ConsentEmail => "consent_email",
            Self::ConsentSms => "consent_sms",
            Self::Salesperson => "salesperson",
            Self::Lists => "lists",
            Self::CustomFields => "custom_fields",
            Self::Bookings => "bookings",
            Self::LastBooking => "last_booking",
            Self::Spent => "spent",
            Self::Outstanding => "outstanding",
            Self::CreatedAt => "created_at",
            Self::UpdatedAt => "updated_at",
        }
    }
}

impl ExportColumn {
    /// Whether the library sets this column (id, booking facts, invoice totals, times): an
    /// import ignores it.
    pub fn is_computed(self) -> bool {
        matches!(
            self,
            Self::Id
                | Self::Bookings
                | Self::LastBooking
                | Self::Spent
                | Self::Outstanding
                | Self::CreatedAt
                | Self::UpdatedAt
        )
    }
}

impl ExportColumn {
    /// Whether the column is one of a customer's invoice totals.
    pub(crate) fn is_money(self) -> bool {
        matches!(self, Self::Spent | Self::Outstanding)
    }
}

impl fmt::Display for ExportColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ExportColumn {
    type Err = Error;

    /// Parses a header; anything else is a Validation error on `columns`.
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s.trim())
            .ok_or_else(|| Error::validation("columns", "not a column of a customer export"))
    }
}

/// What to export and how.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ExportOptions {
    /// The columns, in order (default: [`ExportColumn::ALL`]).
    pub columns: Vec<ExportColumn>,
    /// `None`: the whole tenant, by customer no.; `Some`: the customers a search finds, in its
    /// order (its page is ignored: every hit is exported).
    pub query: Option<CustomerQuery>,
    /// CSV: start with a UTF-8 byte order mark, so that Excel reads accents right.
    pub bom: bool,
    /// PDF: font files (TrueType or OpenType) for characters the built-in DejaVu Sans lacks
    /// (a CJK font); a character no font has prints as `?`.
    pub fonts: Vec<std::path::PathBuf>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            columns: ExportColumn::ALL.to_vec(),
            query: None,
            bom: false,
            fonts: Vec::new(),
        }
    }
}

impl ExportOptions {
    /// Every column of the whole tenant.
    pub fn all() -> Self {
        Self::default()
    }

    /// Only these columns, in this order.
    pub fn columns(mut self, columns: impl IntoIterator<Item = ExportColumn>) -> Self {
        self.columns = columns.into_iter().collect();
        self
    }

    /// Only the customers `query` finds.
    pub fn query(mut self, query: CustomerQuery) -> Self {
        self.query = Some(query);
        self
    }

    /// PDF: with these fonts after the built-in one.
    pub fn fonts(mut self, fonts: Vec<std::path::PathBuf>) -> Self {
        self.fonts = fonts;
        self
    }

    /// With (or without) a byte order mark.
    pub fn bom(mut self, bom: bool) -> Self {
        self.bom = bom;
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.columns.is_empty() {
            return Err(Error::validation("columns", "is empty"));
        }
        for (i, c) in self.columns.iter().enumerate() {
            if self.columns[..i].contains(c) {
                return Err(Error::validation(
                    format!("columns[{i}]"),
                    format!("{c} given twice"),
                ));
            }
        }
        Ok(())
    }
}
