//! Likely duplicates, by the Fellegi-Sunter model of record linkage: two customers are compared
//! field by field in graded levels (`compare`); each level weighs what it is worth among true
//! duplicates against among random pairs, as learned from the tenant's own customers without
//! labels (`learn`, `model`); a pair's weights add up to the probability that it is one person,
//! and each weight is shown as the reason it is (`MatchContribution`). The batch finder
//! (`finder`) compares the pairs sharing a blocking key and groups matching pairs into
//! clusters; `incoming` checks records about to be imported.

mod compare;
mod distance;
mod finder;
mod incoming;
mod learn;
/// The labelled record-linkage generator of the benchmarks, for measuring blocking here.
#[cfg(test)]
#[allow(dead_code, unreachable_pub)]
#[path = "../../../benches/linkage.rs"]
mod linkage;
mod model;
mod names;
mod profile;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::limits::{DEFAULT_WINDOW, MAX_WINDOW};
use crate::model::{Actor, CustomerId};

pub use compare::{MatchField, MatchLevel};
pub(crate) use finder::{find, learn_from};
pub(crate) use incoming::{Incoming, scored, settle as settle_matches};
pub(crate) use model::Scorer;
pub use model::{Learning, LevelWeight, MatchContribution, MatchModel};
pub(crate) use names::nicknames;
pub(crate) use profile::Profile;

/// The most weights a [`MatchConfig`] sets by hand: one per level.
pub const MAX_WEIGHT_OVERRIDES: usize = 64;

/// How matching decides: the threshold, and weights set by hand in place of the model's. The
/// model itself is the tenant's, learned by [`find_duplicates`](crate::Tenant::find_duplicates)
/// from its customers; a tenant too small to learn from (fewer than 1,000 customers) uses the
/// built-in one, [`MatchModel::default`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct MatchConfig {
    /// Pairs at least this likely to be one person are duplicates: a probability in (0, 1),
    /// by default 0.85.
    pub threshold: f64,
    /// Weights in bits (positive for, negative against) of some levels of some fields, in
    /// place of the model's; such a level is not adjusted by how rare the value is. A weight
    /// for first names `different` also holds for first names `same_initial` (a level split
    /// from it) unless that one is set too.
    pub weights: Vec<(MatchField, MatchLevel, f64)>,
}

impl Default for MatchConfig {
    fn default() -> Self {
        Self {
            threshold: 0.85,
            weights: Vec::new(),
        }
    }
}

impl MatchConfig {
    /// The defaults with another threshold.
    pub fn with_threshold(mut self, threshold: f64) -> Self {
        self.threshold = threshold;
        self
    }

    /// Sets the weight of one level by hand (replacing an earlier one for it), if valid; else
    /// nothing changes.
    ///
    /// # Errors
    /// Validation as [`validate`](Self::validate) says.
    pub fn set_weight(&mut self, field: MatchField, level: MatchLevel, bits: f64) -> Result<()> {
        let mut next = self.clone();
        next.weights.retain(|&(f, l, _)| (f, l) != (field, level));
        next.weights.push((field, level, bits));
        next.validate()?;
        *self = next;
        Ok(())
    }

    /// The weight set by hand for one level, if any.
    pub fn weight(&self, field: MatchField, level: MatchLevel) -> Option<f64> {
        self.weights
            .iter()
            .find(|&&(f, l, _)| (f, l) == (field, level))
            .map(|w| w.2)
    }

    /// Checks the threshold is a probability strictly between 0 and 1 (0 would make the whole
    /// tenant one cluster), and each weight set by hand names a level of its field, once, with a
    /// finite weight of at most 100 bits either way.
    ///
    /// # Errors
    /// Validation naming `threshold` or `weights`.
    pub fn validate(&self) -> Result<()> {
        if !(self.threshold > 0.0 && self.threshold < 1.0) {
            return Err(Error::validation(
                "threshold",
                "must be a probability above 0 and below 1",
            ));
        }
        if self.weights.len() > MAX_WEIGHT_OVERRIDES {
            return Err(Error::validation(
                "weights",
                format!("at most {MAX_WEIGHT_OVERRIDES}"),
            ));
        }
        for (n, &(field, level, bits)) in self.weights.iter().enumerate() {
            if field.level_index(level).is_none() {
                return Err(Error::validation(
                    "weights",
                    format!("{field} has no level {level}"),
                ));
            }
            if !bits.is_finite() || bits.abs() > 100.0 {
                return Err(Error::validation(
                    "weights",
                    format!("{field} {level}: a weight is a finite number of bits within ±100"),
                ));
            }
            if self.weights[..n]
                .iter()
                .any(|&(f, l, _)| (f, l) == (field, level))
            {
                return Err(Error::validation(
                    "weights",
                    format!("{field} {level} given twice"),
                ));
            }
        }
        Ok(())
    }
}

/// A customer that is likely the same person as the one asked about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DuplicateMatch {
    /// The likely duplicate.
    pub customer_id: CustomerId,
    /// How likely they are one person, in [0, 1].
    pub score: f64,
    /// What each field said, strongest evidence for first, evidence against last.
    pub contributions: Vec<MatchContribution>,
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
    /// What each field said, strongest evidence for first, evidence against last.
    pub contributions: Vec<MatchContribution>,
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

/// A reviewed pair: a person decided that these two customers are not one person. The finders
/// of duplicates never report the pair again, nor put the two in one cluster, until the decision
/// is taken back ([`Tenant::unmark_not_duplicate`](crate::Tenant::unmark_not_duplicate)). It
/// follows a merge: a record merged into another passes its decisions to that one while the
/// merge stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NotDuplicate {
    /// One customer (the lower id of the two).
    pub a: CustomerId,
    /// The other customer.
    pub b: CustomerId,
    /// The user id of who decided.
    pub marked_by: String,
    /// When.
    pub marked_at: DateTime<Utc>,
}

impl NotDuplicate {
    /// The decision about `x` and `y`, the lower id first.
    pub(crate) fn new(x: CustomerId, y: CustomerId, actor: &Actor, at: DateTime<Utc>) -> Self {
        let (a, b) = if x <= y { (x, y) } else { (y, x) };
        Self {
            a,
            b,
            marked_by: actor.user_id.clone(),
            marked_at: at,
        }
    }

    /// The customer of the pair that is not `id` (`b` when `id` is neither).
    pub fn other(&self, id: &CustomerId) -> CustomerId {
        if self.b == *id { self.a } else { self.b }
    }
}

/// Options of [`Tenant::find_duplicates`](crate::Tenant::find_duplicates).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FindOptions {
    /// The threshold and weights set by hand.
    pub config: MatchConfig,
    /// Whether to learn the tenant's model from its customers first (and keep it for
    /// [`duplicates_of`](crate::Tenant::duplicates_of), [`possible_duplicates`](crate::Tenant::possible_duplicates)
    /// and imports); when false, the model kept from the last learning is used (the built-in
    /// one if none). Default true.
    pub learn: bool,
    /// Within a large block of customers sharing a key (a common name), how many neighbours in
    /// name order each one is compared with: from 1 to
    /// [`MAX_WINDOW`](crate::limits::MAX_WINDOW), by default
    /// [`DEFAULT_WINDOW`](crate::limits::DEFAULT_WINDOW).
    pub window: usize,
    /// Only the clusters with a pair new since this time (typically when the last run
    /// started): a pair is new when one of its customers was created or changed at or after
    /// it, had a not-a-duplicate decision taken back, or took part in an unmerge (as the change
    /// feed still tells: events compacted away are not seen). The clusters returned are whole.
    /// `None` (the default): every cluster.
    pub since: Option<DateTime<Utc>>,
}

impl Default for FindOptions {
    fn default() -> Self {
        Self {
            config: MatchConfig::default(),
            learn: true,
            window: DEFAULT_WINDOW,
            since: None,
        }
    }
}

impl FindOptions {
    /// Checks the threshold, the weights and the window.
    ///
    /// # Errors
    /// Validation on `window` of 0 or over [`MAX_WINDOW`], or on the threshold or a weight (see
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

    /// The defaults with this threshold and these weights.
    pub fn with_config(config: MatchConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }
}
