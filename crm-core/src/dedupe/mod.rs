//! Likely duplicates: explainable pair matching (`score`), candidates for one record, and the
//! batch finder over a whole tenant (`finder`), which groups matching pairs into clusters.
//!
//! A pair's score is in [0, 1]: the evidence for it (same email, same phone, similar names
//! backed by the address...) combined as independent signals, `1 - Π(1 - weight)`, then damped
//! by the evidence against it (different birth dates; contact details shared by people whose
//! names differ, as in a household). Every rule and weight is data: [`MatchConfig`].

mod finder;
mod incoming;
mod names;
mod profile;
mod score;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::CustomerId;
use crate::model::limits::{DEFAULT_WINDOW, MAX_WINDOW};

pub(crate) use finder::find;
pub(crate) use incoming::{Incoming, settle as settle_matches};
pub(crate) use names::nicknames;
pub(crate) use profile::Profile;
pub(crate) use score::score;

crate::model::string_enum::string_enum!(
    /// One value of [`MatchConfig`], by the name the C and Python faces use for it.
    MatchRule, "rule" {
        /// [`MatchConfig::threshold`].
        Threshold = "threshold",
        /// [`MatchConfig::same_email`].
        SameEmail = "same_email",
        /// [`MatchConfig::same_mailbox`].
        SameMailbox = "same_mailbox",
        /// [`MatchConfig::same_phone`].
        SamePhone = "same_phone",
        /// [`MatchConfig::same_name_and_birth_date`].
        SameNameAndBirthDate = "same_name_and_birth_date",
        /// [`MatchConfig::similar_name`].
        SimilarName = "similar_name",
        /// [`MatchConfig::same_street`].
        SameStreet = "same_street",
        /// [`MatchConfig::same_zip`].
        SameZip = "same_zip",
        /// [`MatchConfig::same_city`].
        SameCity = "same_city",
        /// [`MatchConfig::name_similarity`].
        NameSimilarity = "name_similarity",
        /// [`MatchConfig::contact_with_other_name`].
        ContactWithOtherName = "contact_with_other_name",
        /// [`MatchConfig::different_birth_date`].
        DifferentBirthDate = "different_birth_date",
    }
);

/// The rules of matching and their weights. The defaults suit agencies' customer files; a
/// weight of 0 turns a rule off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct MatchConfig {
    /// Pairs scoring at least this are duplicates (default 0.7).
    pub threshold: f64,
    /// Same email, main or secondary, ignoring case.
    pub same_email: f64,
    /// Same mailbox once the provider's aliases are folded (dots and `+tags` at gmail.com,
    /// `+tags` at outlook, hotmail, icloud...), but not the same address.
    pub same_mailbox: f64,
    /// Same phone in E.164, whatever the format typed (any phone field of either).
    pub same_phone: f64,
    /// Same first and last name (folded) and the same birth date.
    pub same_name_and_birth_date: f64,
    /// Similar names: accents folded, transliterated, typos, nicknames, first and last swapped.
    pub similar_name: f64,
    /// Same street and number (folded), counted only with similar names.
    pub same_street: f64,
    /// Same postal code, counted only with similar names.
    pub same_zip: f64,
    /// Same city, counted only with similar names.
    pub same_city: f64,
    /// Jaro-Winkler similarity from which two folded names count as the same name typed
    /// differently (default 0.9).
    pub name_similarity: f64,
    /// Factor on contact evidence (email, mailbox, phone) when the names are not similar: a
    /// household shares a landline or an address without being one person.
    pub contact_with_other_name: f64,
    /// Factor on the score when both birth dates are known and differ.
    pub different_birth_date: f64,
}

impl Default for MatchConfig {
    fn default() -> Self {
        Self {
            threshold: 0.7,
            same_email: 0.95,
            same_mailbox: 0.8,
            same_phone: 0.85,
            same_name_and_birth_date: 0.95,
            similar_name: 0.35,
            same_street: 0.6,
            same_zip: 0.35,
            same_city: 0.2,
            name_similarity: 0.9,
            contact_with_other_name: 0.45,
            different_birth_date: 0.15,
        }
    }
}

impl MatchConfig {
    /// The default rules with another threshold.
    pub fn with_threshold(mut self, threshold: f64) -> Self {
        self.threshold = threshold;
        self
    }

    /// The default rules with these set, checked once all are set.
    ///
    /// # Errors
    /// Validation naming the first rule at fault, as [`validate`](Self::validate) says.
    pub fn with_rules(rules: impl IntoIterator<Item = (MatchRule, f64)>) -> Result<Self> {
        let mut config = Self::default();
        for (rule, value) in rules {
            *config.slot(rule) = value;
        }
        config.validate()?;
        Ok(config)
    }

    /// The value of one rule.
    pub fn get(&self, rule: MatchRule) -> f64 {
        let mut config = self.clone();
        *config.slot(rule)
    }

    /// Sets one rule, if the rules stay valid; else nothing changes.
    ///
    /// # Errors
    /// Validation naming the rule, as [`validate`](Self::validate) says.
    pub fn set(&mut self, rule: MatchRule, value: f64) -> Result<()> {
        let mut next = self.clone();
        *next.slot(rule) = value;
        next.validate()?;
        *self = next;
        Ok(())
    }

    fn slot(&mut self, rule: MatchRule) -> &mut f64 {
        match rule {
            MatchRule::Threshold => &mut self.threshold,
            MatchRule::SameEmail => &mut self.same_email,
            MatchRule::SameMailbox => &mut self.same_mailbox,
            MatchRule::SamePhone => &mut self.same_phone,
            MatchRule::SameNameAndBirthDate => &mut self.same_name_and_birth_date,
            MatchRule::SimilarName => &mut self.similar_name,
            MatchRule::SameStreet => &mut self.same_street,
            MatchRule::SameZip => &mut self.same_zip,
            MatchRule::SameCity => &mut self.same_city,
            MatchRule::NameSimilarity => &mut self.name_similarity,
            MatchRule::ContactWithOtherName => &mut self.contact_with_other_name,
            MatchRule::DifferentBirthDate => &mut self.different_birth_date,
        }
    }

    /// Checks every value is in [0, 1] and the threshold above 0 (a threshold of 0 would make
    /// the whole tenant one cluster).
    ///
    /// # Errors
    /// Validation naming the rule at fault.
    pub fn validate(&self) -> Result<()> {
        for &rule in MatchRule::ALL {
            if !(0.0..=1.0).contains(&self.get(rule)) {
                return Err(crate::error::Error::validation(
                    rule.as_str(),
                    "must be between 0 and 1",
                ));
            }
        }
        if self.threshold <= 0.0 {
            return Err(crate::error::Error::validation(
                "threshold",
                "must be above 0",
            ));
        }
        Ok(())
    }
}

crate::model::string_enum::string_enum!(
    /// Why a pair matched (or matched less).
    MatchReason, "reason" {
        /// The same email, main or secondary, ignoring case.
        SameEmail = "same_email",
        /// The same mailbox once the provider's aliases are folded.
        SameMailbox = "same_mailbox",
        /// The same phone number in E.164.
        SamePhone = "same_phone",
        /// The same first and last name and the same birth date.
        SameNameAndBirthDate = "same_name_and_birth_date",
        /// The same first and last name (folded).
        SameName = "same_name",
        /// Names that differ by typos or transliteration.
        SimilarName = "similar_name",
        /// First names that are a known nickname pair (`Bob` and `Robert`).
        NicknameName = "nickname_name",
        /// First and last name swapped.
        SwappedName = "swapped_name",
        /// The same street and number.
        SameStreet = "same_street",
        /// The same postal code.
        SameZip = "same_zip",
        /// The same city.
        SameCity = "same_city",
        /// Both birth dates are known and differ (evidence against).
        DifferentBirthDate = "different_birth_date",
        /// Shared contact details but names that are not similar (evidence against: a household).
        DifferentName = "different_name",
    }
);

/// A customer that is likely the same person as the one asked about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DuplicateMatch {
    /// The likely duplicate.
    pub customer_id: CustomerId,
    /// How likely, in [0, 1].
    pub score: f64,
    /// What made the score, strongest evidence first.
    pub reasons: Vec<MatchReason>,
}

/// Two customers of a cluster that matched each other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DuplicatePair {
    /// One customer.
    pub a: CustomerId,
    /// The other.
    pub b: CustomerId,
    /// How likely they are one person, in [0, 1].
    pub score: f64,
    /// What made the score.
    pub reasons: Vec<MatchReason>,
}

/// Customers linked by matching pairs: likely all one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DuplicateCluster {
    /// The customers, oldest first (a natural primary for a merge).
    pub customers: Vec<CustomerId>,
    /// The pairs that matched, best first.
    pub pairs: Vec<DuplicatePair>,
    /// The best pair score.
    pub score: f64,
}

/// Options of [`Tenant::find_duplicates`](crate::Tenant::find_duplicates).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FindOptions {
    /// The rules and threshold.
    pub config: MatchConfig,
    /// Within a large block of customers sharing a key (a common name), how many neighbours in
    /// name order each one is compared with: from 1 to
    /// [`MAX_WINDOW`](crate::limits::MAX_WINDOW), by default
    /// [`DEFAULT_WINDOW`](crate::limits::DEFAULT_WINDOW).
    pub window: usize,
}

impl Default for FindOptions {
    fn default() -> Self {
        Self {
            config: MatchConfig::default(),
            window: DEFAULT_WINDOW,
        }
    }
}

impl FindOptions {
    /// Checks the rules and the window.
    ///
    /// # Errors
    /// Validation on `window` of 0 or over [`MAX_WINDOW`], or on a rule (see
    /// [`MatchConfig::validate`]).
    pub(crate) fn validate(&self) -> Result<()> {
        if self.window == 0 {
            return Err(Error::validation("window", "must be at least 1"));
        }
        if self.window > MAX_WINDOW {
            return Err(Error::validation(
                "window",
                format!("must be at most {MAX_WINDOW}"),
            ));
        }
        self.config.validate()
    }

    /// The defaults with these rules.
    pub fn with_config(config: MatchConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }
}
