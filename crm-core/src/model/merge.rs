//! The values of a merge of duplicate customers: what the caller asks ([`MergeRequest`]), what
//! would happen ([`MergePlan`]), and what was done ([`MergeRecord`]), which `unmerge` undoes.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::limits::MAX_MERGE_OTHERS;
use crate::model::{Actor, Customer, CustomerId};

crate::model::uuid_id!(
    /// The id of a merge: a UUID v7, so ids sort by the time of the merge.
    MergeId,
    "merge_id"
);

/// A field whose value a merge takes from one record, which the caller may choose
/// ([`MergeRequest::choose`]).
///
/// The address is one field (street, zip, city, region and country travel together, so a merge
/// never mixes two addresses). Secondary contacts, lists and custom fields are not chosen: the
/// merge keeps the union of them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MergeField {
    /// Title or form of address.
    Title,
    /// First name.
    FirstName,
    /// Last name.
    LastName,
    /// Company.
    Company,
    /// Main email (the others become secondary emails).
    Email,
    /// Landline phone (the others become secondary phones).
    Phone,
    /// Mobile phone.
    Mobile,
    /// Fax.
    Fax,
    /// Emergency phone.
    EmergencyPhone,
    /// The whole postal address.
    Address,
    /// Contact person.
    ContactPerson,
    /// Birth date.
    BirthDate,
    /// Preferred language.
    Language,
    /// Notes: by default those of every record are joined; choosing keeps one record's only.
    Notes,
    /// Consent to marketing email (with the time it was given).
    ConsentEmail,
    /// Consent to SMS (with the time it was given).
    ConsentSms,
    /// Salesperson in charge.
    Salesperson,
}

impl MergeField {
    /// Every field, in the order of the customer record.
    pub const ALL: [MergeField; 17] = [
        Self::Title,
        Self::FirstName,
        Self::LastName,
        Self::Company,
        Self::Email,
        Self::Phone,
        Self::Mobile,
        Self::Fax,
        Self::EmergencyPhone,
        Self::Address,
        Self::ContactPerson,
        Self::BirthDate,
        Self::Language,
        Self::Notes,
        Self::ConsentEmail,
        Self::ConsentSms,
        Self::Salesperson,
    ];

    /// The stable text form (`first_name`, `address`, `consent_email`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::Company => "company",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Mobile => "mobile",
            Self::Fax => "fax",
            Self::EmergencyPhone => "emergency_phone",
            Self::Address => "address",
            Self::ContactPerson => "contact_person",
            Self::BirthDate => "birth_date",
            Self::Language => "language",
            Self::Notes => "notes",
            Self::ConsentEmail => "consent_email",
            Self::ConsentSms => "consent_sms",
            Self::Salesperson => "salesperson",
        }
    }
}

impl fmt::Display for MergeField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MergeField {
    type Err = Error;

    /// Parses the text form; anything else is a Validation error on `choices`.
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|f| f.as_str()).collect();
                Error::validation(
                    "choices",
                    format!("not a field a merge chooses; one of: {}", names.join(" ")),
                )
            })
    }
}

/// What to merge: the customer that stays (`primary`), those merged into it (`others`), which
/// record each chosen field comes from, and optionally the versions the caller saw.
///
/// ```
/// # use crm_core::{CustomerId, MergeField, MergeRequest};
/// # fn build(primary: CustomerId, other: CustomerId) -> MergeRequest {
/// MergeRequest::new(primary, [other])
///     .choose(MergeField::Email, other) // the other record's email becomes the main one
///     .expect_version(primary, 3) // Conflict if the primary changed since it was read at 3
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct MergeRequest {
    /// The customer that stays, keeping its id and customer no.
    pub primary: CustomerId,
    /// The customers merged into it, which disappear (their ids and numbers then resolve to the
    /// primary). At least one, at most [`MAX_MERGE_OTHERS`].
    pub others: Vec<CustomerId>,
    /// For each field listed, the record (the primary or one of the others) whose value the
    /// merged customer takes, even an empty one. Fields not listed keep the primary's value, or
    /// when it is empty take the most recently updated other record's non-empty value.
    #[serde(default)]
    pub choices: BTreeMap<MergeField, CustomerId>,
    /// For each record listed, the version the caller read: the merge is refused with Conflict
    /// if the record changed since (e.g. pass [`MergePlan::versions`] to merge what was shown).
    #[serde(default)]
    pub expected_versions: BTreeMap<CustomerId, i64>,
}

impl MergeRequest {
    /// Merges `others` into `primary`, with the default survivorship rules.
    pub fn new(primary: CustomerId, others: impl IntoIterator<Item = CustomerId>) -> Self {
        Self {
            primary,
            others: others.into_iter().collect(),
            choices: BTreeMap::new(),
            expected_versions: BTreeMap::new(),
        }
    }

    /// Takes `field` from the record `from` (the primary or one of the others).
    pub fn choose(mut self, field: MergeField, from: CustomerId) -> Self {
        self.choices.insert(field, from);
        self
    }

    /// Refuses the merge (Conflict) unless the record `id` is still at `version`.
    pub fn expect_version(mut self, id: CustomerId, version: i64) -> Self {
        self.expected_versions.insert(id, version);
        self
    }

    /// Refuses the merge unless every record is at the version given (see
    /// [`MergePlan::versions`]).
    pub fn expect_versions(mut self, versions: &BTreeMap<CustomerId, i64>) -> Self {
        self.expected_versions
            .extend(versions.iter().map(|(id, v)| (*id, *v)));
        self
    }

    /// Checks the shape of the request: at least one other, none twice, not the primary, and
    /// choices and versions that name only the records merged.
    pub(crate) fn validate(&self) -> Result<()> {
        if self.others.is_empty() {
            return Err(Error::validation(
                "others",
                "is empty: name at least one customer to merge into the primary",
            ));
        }
        if self.others.len() > MAX_MERGE_OTHERS {
            return Err(Error::validation(
                "others",
                format!("more than {MAX_MERGE_OTHERS} customers in one merge"),
            ));
        }
        for (i, id) in self.others.iter().enumerate() {
            if *id == self.primary {
                return Err(Error::validation(
                    format!("others[{i}]"),
                    "is the primary: a customer cannot be merged with itself",
                ));
            }
            if self.others[..i].contains(id) {
                return Err(Error::validation(format!("others[{i}]"), "given twice"));
            }
        }
        for (field, from) in &self.choices {
            if !self.involves(from) {
                return Err(Error::validation(
                    format!("choices.{field}"),
                    "names a customer that is not part of the merge",
                ));
            }
        }
        for id in self.expected_versions.keys() {
            if !self.involves(id) {
                return Err(Error::validation(
                    "expected_versions",
                    format!("names customer {id}, which is not part of the merge"),
                ));
            }
        }
        Ok(())
    }

    fn involves(&self, id: &CustomerId) -> bool {
        *id == self.primary || self.others.contains(id)
    }
}

/// A booking a merge moves from a merged record to the primary (or `unmerge` moves back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BookingMove {
    /// The booking's reference.
    pub reference: String,
    /// The merged customer it belonged to.
    pub from: CustomerId,
}

/// What a merge would do, computed without writing anything ([`Tenant::plan_merge`]).
///
/// [`Tenant::plan_merge`]: crate::Tenant::plan_merge
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MergePlan {
    /// The primary as the merge would leave it (its version and update time are those of the
    /// records now: the merge sets them).
    pub customer: Customer,
    /// For each field with a value in the result, the record it comes from (for joined notes,
    /// the first record that contributed).
    pub sources: BTreeMap<MergeField, CustomerId>,
    /// The records that would disappear into the primary, as they are now.
    pub merged: Vec<Customer>,
    /// The bookings that would move to the primary.
    pub bookings: Vec<BookingMove>,
    /// The version of each record read (primary and others), to pin the merge to what was shown
    /// ([`MergeRequest::expect_versions`]).
    pub versions: BTreeMap<CustomerId, i64>,
}

/// Who undid a merge, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Undo {
    /// When it was undone.
    pub at: DateTime<Utc>,
    /// Who undid it.
    pub actor: Actor,
}

/// A merge as recorded: who, when, and a snapshot of every record it changed, which is what
/// `unmerge` restores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MergeRecord {
    /// The merge's id.
    pub id: MergeId,
    /// The customer that stayed.
    pub primary_id: CustomerId,
    /// When the merge was made.
    pub at: DateTime<Utc>,
    /// Who made it.
    pub actor: Actor,
    /// The primary as it was just before the merge.
    pub primary_before: Customer,
    /// The records merged into it, as they were just before the merge.
    pub merged: Vec<Customer>,
    /// The bookings the merge moved to the primary.
    pub bookings: Vec<BookingMove>,
    /// Set once the merge was undone.
    pub undone: Option<Undo>,
}

/// The outcome of [`Tenant::merge`](crate::Tenant::merge): the record of the merge and the
/// customer as it now stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Merged {
    /// What was done (its id is what `unmerge` takes).
    pub record: MergeRecord,
    /// The primary after the merge.
    pub customer: Customer,
}
