//! The Fellegi-Sunter model: for each level of each field, how likely it is among true
//! duplicates (m) and among customers taken at random (u); a level weighs `log2(m / u)` bits,
//! and a shared name, birth date, email or phone weighs more when rare in the tenant (term
//! frequency).
//! A pair's weights and the prior odds add up to its match weight; its probability of being
//! one person is `1 / (1 + 2^-weight)`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::compare::{FIELDS, Gamma, Glance, MatchField, MatchLevel, NULL, Open, SLOTS, glance};
use super::profile::Profile;

/// The m and u of one level of one field, among all pairs or among those sharing a contact.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LevelWeight {
    /// The field.
    pub field: MatchField,
    /// The level.
    pub level: MatchLevel,
    /// `None` for pairs sharing no contact; else the contact the pairs share: their email
    /// (same or same mailbox), else their phone (same or same subscriber digits), else their
    /// address. Among people sharing a contact, a shared surname or home says little (a
    /// household shares them), a different first name or birth date says much.
    pub given: Option<MatchField>,
    /// How often duplicates compare at this level (among those with the field on both sides).
    pub m: f64,
    /// How often customers taken at random compare at this level.
    pub u: f64,
}

impl LevelWeight {
    /// The weight of this level in bits: `log2(m / u)`, before any term-frequency adjustment.
    pub fn weight(&self) -> f64 {
        (self.m / self.u).log2()
    }
}

/// How a model was learned from a tenant's customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Learning {
    /// When.
    pub learned_at: DateTime<Utc>,
    /// The customers learned from.
    pub customers: u64,
    /// The candidate pairs learned from: those of the blocks compared whole, every two
    /// members (the expectation-maximisation ran on them).
    pub candidate_pairs: u64,
    /// The pairs taken at random to estimate the u of each level.
    pub random_pairs: u64,
    /// Expectation-maximisation rounds, over all training passes.
    pub iterations: u32,
}

/// How often each value of a frequency-adjusted field occurs: the values held by at least two
/// customers (the most frequent ones, up to a bound), by key; any other value counts as
/// `floor`.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Frequencies {
    /// Customers with the field.
    pub(crate) customers: u64,
    /// Occurrences of the frequent values.
    pub(crate) counts: foldhash::HashMap<u64, u32>,
    /// The count of a value not in `counts`.
    pub(crate) floor: u32,
    /// The share of customers holding the value two customers agree on, on average over the
    /// pairs that agree (for birth dates, leaving out placeholder dates): a value rarer than
    /// that weighs more, a commoner one less.
    pub(crate) typical: f64,
}

/// The most values kept per field in a stored frequency table.
pub(crate) const MAX_FREQUENT_VALUES: usize = 20_000;

/// The most a value's rarity (or commonness) moves a level's weight, in bits.
const FREQUENCY_CAP: f64 = 10.0;

/// The duplicate-detection model of a tenant: learned from its customers, or the built-in
/// defaults for a tenant too small to learn from. Serialized (for the C and Python faces) as
/// its prior, levels and learning; the value frequencies stay inside.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct MatchModel {
    /// The probability that two customers taken at random are one person.
    pub prior: f64,
    /// The m and u of every level of every field: among all pairs (`given` `None`), then among
    /// those sharing an email, a phone, an address; by [`MatchField`] then level order.
    pub levels: Vec<LevelWeight>,
    /// How the model was learned; `None` for the built-in defaults.
    pub learning: Option<Learning>,
    /// Value frequencies by field (empty for the defaults: no adjustment).
    #[serde(skip)]
    pub(crate) frequencies: [Frequencies; FIELDS],
}

/// The built-in m and u per field, level order: of the kind learned on agencies' files.
const DEFAULTS: [&[(f64, f64)]; FIELDS] = [
    // first name: same, folded, swapped, nickname, one edit, similar, same initial, different
    &[
        (0.83, 0.01),
        (0.05, 0.0005),
        (0.02, 0.000_02),
        (0.01, 0.000_05),
        (0.05, 0.0005),
        (0.03, 0.003),
        (0.006, 0.06),
        (0.004, 0.926),
    ],
    // last name: same, folded, swapped, one edit, similar, different
    &[
        (0.83, 0.005),
        (0.05, 0.0003),
        (0.02, 0.000_02),
        (0.05, 0.0002),
        (0.03, 0.002),
        (0.02, 0.992),
    ],
    // birth date: same, one digit, day-month swapped, two digits, same year, different
    &[
        (0.93, 0.000_05),
        (0.04, 0.0008),
        (0.005, 0.000_05),
        (0.005, 0.003),
        (0.005, 0.012),
        (0.015, 0.984),
    ],
    // email: same, same mailbox, one edit, same local part, different
    &[
        (0.78, 0.000_01),
        (0.06, 0.000_001),
        (0.03, 0.000_001),
        (0.01, 0.000_01),
        (0.12, 0.999_98),
    ],
    // phone: same, same subscriber, one digit, different
    &[
        (0.85, 0.000_02),
        (0.07, 0.000_002),
        (0.03, 0.000_02),
        (0.05, 0.999_96),
    ],
    // address: same, similar street, same place, different
    &[(0.8, 0.0001), (0.08, 0.0001), (0.07, 0.02), (0.05, 0.98)],
];

/// The built-in u per field among people sharing a contact who are not one person (a
/// household): the same surname and home, another first name and birth date.
const HOUSEHOLD_U: [&[f64]; FIELDS] = [
    &[0.03, 0.001, 0.001, 0.002, 0.005, 0.01, 0.06, 0.891],
    &[0.7, 0.005, 0.001, 0.01, 0.01, 0.274],
    &[0.01, 0.01, 0.001, 0.02, 0.05, 0.909],
    &[0.2, 0.01, 0.01, 0.02, 0.76],
    &[0.5, 0.02, 0.01, 0.47],
    &[0.8, 0.05, 0.05, 0.1],
];

/// The level code of the same name, for both names ([`Scorer::arranged`] reads and writes it).
const SAME: u8 = 0;
/// The level code of a name in the other name field, for both names.
const SWAPPED: u8 = 2;
/// The level code of first names that differ.
const FIRST_DIFFERENT: u8 = 7;
/// The level code of last names that differ.
const LAST_DIFFERENT: u8 = 5;
/// The level codes of first names a letter or two apart (`compare::NEAR_NAMES`).
const FIRST_NEAR: [u8; 2] = [4, 5];
/// The level codes of last names a letter or two apart, in the same order.
const LAST_NEAR: [u8; 2] = [3, 4];

/// The built-in prior: one pair in 10,000 customers taken at random.
const DEFAULT_PRIOR: f64 = 1e-4;

/// The strata of pairs: sharing no contact, else sharing an email, else a phone, else an
/// address.
pub(crate) const STRATA: [Option<MatchField>; 4] = [
    None,
    Some(MatchField::Email),
    Some(MatchField::Phone),
    Some(MatchField::Address),
];

/// The stratum of a comparison (an index into [`STRATA`]).
pub(crate) fn stratum(levels: &[u8; FIELDS]) -> usize {
    // Same or same mailbox; same or same subscriber digits; the same address.
    if levels[MatchField::Email.index()] <= 1 {
        1
    } else if levels[MatchField::Phone.index()] <= 1 {
        2
    } else if levels[MatchField::Address.index()] == 0 {
        3
    } else {
        0
    }
}

/// Whether `field` has weights of its own in `stratum` (the shared contact itself weighs as
/// among all pairs).
pub(crate) fn own_weights(stratum: usize, field: MatchField) -> bool {
    stratum == 0 || STRATA[stratum] != Some(field)
}

/// Whether level `level` (an index) of `field` weighs in `stratum` as among all pairs: the
/// shared contact itself, and two contacts that differ of a stratum before (a pair sharing an
/// address shares no email: among those pairs alone, emails that differ would tell nothing,
/// while among all pairs they tell against one person). A contact only near (one digit off)
/// keeps the stratum's weight: households share those too.
pub(crate) fn weighs_as_all(stratum: usize, field: MatchField, level: usize) -> bool {
    !own_weights(stratum, field)
        || (STRATA
            .get(1..stratum)
            .is_some_and(|before| before.contains(&Some(field)))
            && level + 1 == field.levels().len())
}

impl Default for MatchModel {
    fn default() -> Self {
        let mut levels = Vec::new();
        for (s, &given) in STRATA.iter().enumerate() {
            for &field in MatchField::ALL {
                if !own_weights(s, field) {
                    continue;
                }
                for (i, &level) in field.levels().iter().enumerate() {
                    let (m, u) = DEFAULTS[field.index()][i];
                    // A level weighing as among all pairs is kept as the scorer weighs it.
                    let u = if s == 0 || weighs_as_all(s, field, i) {
                        u
                    } else {
                        HOUSEHOLD_U[field.index()][i]
                    };
                    levels.push(LevelWeight {
                        field,
                        level,
                        given,
                        m,
                        u,
                    });
                }
            }
        }
        Self {
            prior: DEFAULT_PRIOR,
            levels,
            learning: None,
            frequencies: Default::default(),
        }
    }
}

/// What one field said about a pair: its level and the weight that level carried.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MatchContribution {
    /// The field.
    pub field: MatchField,
    /// How it compared.
    pub level: MatchLevel,
    /// The weight it added, in bits (negative: evidence against).
    pub weight: f64,
}

impl MatchContribution {
    /// In words, with the weight: `same email (+8.1)`, `birth date one digit off (+2.3)`,
    /// `last name different (-1.2)`.
    pub fn describe(&self) -> String {
        let field = self.field.label();
        let what = match (self.field, self.level) {
            (MatchField::Email, MatchLevel::Same) => "same email ignoring case".to_owned(),
            (MatchField::Phone, MatchLevel::Same) => "same phone number".to_owned(),
            (MatchField::Address, MatchLevel::Same) => "same address".to_owned(),
            (_, MatchLevel::Same) => format!("same {field}"),
            (_, MatchLevel::Folded) => format!("same {field} once accents are folded"),
            (_, MatchLevel::Swapped) => format!("same {field} in the other name field"),
            (_, MatchLevel::Nickname) => "first names a nickname pair".to_owned(),
            (_, MatchLevel::OneEdit) => format!("{field} one letter apart"),
            (_, MatchLevel::Similar) => format!("similar {field}"),
            (_, MatchLevel::SameInitial) => format!("{field} unlike but for its first letter"),
            (_, MatchLevel::OneDigit) => format!("{field} one digit off"),
            (_, MatchLevel::DayMonthSwapped) => format!("{field} with day and month swapped"),
            (_, MatchLevel::SameYear) => format!("{field} in the same year"),
            (_, MatchLevel::TwoDigits) => format!("{field} two digits off"),
            (_, MatchLevel::SameMailbox) => "same mailbox once provider aliases are folded".into(),
            (_, MatchLevel::SameLocalPart) => "same email name at another domain".to_owned(),
            (_, MatchLevel::SameSubscriber) => {
                "same phone digits, one without country or area code".to_owned()
            }
            (_, MatchLevel::SimilarStreet) => "one address typed two ways".into(),
            (_, MatchLevel::SamePlace) => "same postal code or town".to_owned(),
            (_, MatchLevel::Different) => format!("{field} different"),
        };
        format!("{what} ({:+.1})", self.weight)
    }
}

/// A model made ready for scoring: weights by stratum, field and level index, with the
/// configured overrides applied, and the threshold in bits.
#[derive(Debug, Clone)]
pub(crate) struct Scorer {
    prior_bits: f64,
    /// Weight by stratum, field and level index.
    weights: [[[f64; SLOTS]; FIELDS]; 4],
    /// Whether the level's weight among all pairs is adjusted by the frequency of the shared
    /// value.
    adjusted: [[bool; SLOTS]; FIELDS],
    frequencies: [Frequencies; FIELDS],
    /// Pairs at or above this many bits are duplicates.
    pub(crate) threshold_bits: f64,
}

/// The match weight (bits) of a probability.
pub(crate) fn bits(probability: f64) -> f64 {
    let p = probability.clamp(1e-12, 1.0 - 1e-12);
    (p / (1.0 - p)).log2()
}

/// The probability of a match weight.
pub(crate) fn probability(bits: f64) -> f64 {
    1.0 / (1.0 + (-bits).exp2())
}

impl Scorer {
    /// `model`'s weights, with `overrides` (bits by field and level) in place of its own, and
    /// the threshold (a probability).
    pub(crate) fn new(
        model: &MatchModel,
        overrides: &[(MatchField, MatchLevel, f64)],
        threshold: f64,
    ) -> Self {
        let mut weights = [[[0.0; SLOTS]; FIELDS]; 4];
        let mut adjusted = [[false; SLOTS]; FIELDS];
        for lw in &model.levels {
            let Some(i) = lw.field.level_index(lw.level) else {
                continue;
            };
            let Some(s) = STRATA.iter().position(|&g| g == lw.given) else {
                continue;
            };
            let f = lw.field.index();
            weights[s][f][i] = lw.weight();
            if s == 0 {
                // Not a swapped name: which of its two tables the value belongs to is unknown.
                adjusted[f][i] = lw.field.frequency_adjusted()
                    && matches!(
                        lw.level,
                        MatchLevel::Same
                            | MatchLevel::Folded
                            | MatchLevel::SameMailbox
                            | MatchLevel::SameSubscriber
                    );
            }
        }
        let all = weights[0];
        for (s, stratum) in weights.iter_mut().enumerate().skip(1) {
            for &field in MatchField::ALL {
                let f = field.index();
                for (l, weight) in stratum[f].iter_mut().enumerate() {
                    if l < field.levels().len() && weighs_as_all(s, field, l) {
                        *weight = all[f][l];
                    }
                }
            }
        }
        for &(field, level, bits) in overrides {
            if let Some(i) = field.level_index(level) {
                for stratum in &mut weights {
                    stratum[field.index()][i] = bits;
                }
                adjusted[field.index()][i] = false;
            }
        }
        // A level split from another takes the weight set for that one, unless set itself: a
        // caller's weight for first names unlike still holds for those sharing their first
        // letter, as before the split.
        let set = |field: MatchField, level: MatchLevel| {
            overrides
                .iter()
                .rfind(|&&(f, l, _)| f == field && l == level)
                .map(|o| o.2)
        };
        for &(field, added, from) in SPLIT_LEVELS {
            if let (None, Some(bits), Some(i)) = (
                set(field, added),
                set(field, from),
                field.level_index(added),
            ) {
                for stratum in &mut weights {
                    stratum[field.index()][i] = bits;
                }
                adjusted[field.index()][i] = false;
            }
        }
        Self {
            prior_bits: bits(model.prior),
            weights,
            adjusted,
            frequencies: model.frequencies.clone(),
            threshold_bits: bits(threshold),
        }
    }

    /// Whether the weight of field `f` at level `l` in stratum `s` is adjusted by frequency.
    fn adjusts(&self, s: usize, f: usize, l: usize) -> bool {
        self.adjusted[f][l]
            && self.frequencies[f].customers > 0
            && self.frequencies[f].typical > 0.0
            && (s == 0 || STRATA[s].map(MatchField::index) == Some(f))
    }

    /// The weight of one field's level in stratum `s`, adjusted by the frequency of the value
    /// shared.
    fn weight(&self, s: usize, f: usize, l: usize, value: u64) -> f64 {
        let base = self.weights[s][f][l];
        if !self.adjusts(s, f, l) || value == 0 {
            return base;
        }
        let table = &self.frequencies[f];
        let count = table
            .counts
            .get(&value)
            .copied()
            .unwrap_or(table.floor)
            .max(1);
        let frequency = f64::from(count) / table.customers as f64;
        base + (table.typical / frequency)
            .log2()
            .clamp(-FREQUENCY_CAP, FREQUENCY_CAP)
    }

    /// The most a pair could weigh given a first look at it: settled fields as they weigh, open
    /// ones at the best level they could still reach. A pair whose bound is below the
    /// threshold cannot reach it.
    pub(crate) fn bound(&self, glance: &Glance) -> f64 {
        let gamma = &self.arranged(&glance.gamma);
        let levels = &gamma.levels;
        let s = stratum(levels);
        let mut total = self.prior_bits;
        // The first name's best, added with the last name's (they may settle together).
        let mut first_name = 0.0;
        for (f, &field) in MatchField::ALL.iter().enumerate() {
            let settled = (levels[f] != NULL)
                .then(|| self.weight(s, f, usize::from(levels[f]), gamma.values[f]));
            // An email open may also settle uncompared (a name shared at two domains that is
            // only the customers' names): no weight.
            let uncompared = if field == MatchField::Email {
                0.0
            } else {
                f64::NEG_INFINITY
            };
            let open = (glance.from[f] != NULL).then(|| {
                (usize::from(glance.from[f])..field.levels().len())
                    .map(|l| self.weights[s][f][l])
                    .fold(uncompared, f64::max)
            });
            let best = match (settled, open) {
                (Some(x), Some(y)) => x.max(y),
                (Some(x), None) | (None, Some(x)) => x,
                (None, None) => 0.0,
            };
            match field {
                MatchField::FirstName => first_name = best,
                MatchField::LastName => {
                    let first = MatchField::FirstName.index();
                    if glance.from[first] != NULL || glance.from[f] != NULL {
                        // Names still open may also settle as [`Scorer::arranged`] reads
                        // them: first names different and the same surname (weighed by its
                        // rarity, at most the cap). A surname a letter or two apart is among
                        // the levels left open: names are read across only when they may be
                        // swapped, and then the last name is open from `swapped` on.
                        let rarity = if self.adjusts(s, f, usize::from(SAME)) {
                            FREQUENCY_CAP
                        } else {
                            0.0
                        };
                        let arranged = self.weights[s][first][usize::from(FIRST_DIFFERENT)]
                            + self.weights[s][f][usize::from(SAME)]
                            + rarity;
                        total += (first_name + best).max(arranged);
                    } else {
                        // Both settled: added as [`Scorer::total`] adds them.
                        total += first_name;
                        total += best;
                    }
                }
                _ => total += best,
            }
        }
        total
    }

    /// The comparison of `a` and `b` and its weight, if the weight reaches the threshold. A
    /// first look says whether it can at all (most pairs cannot, and are not compared further);
    /// what it leaves open is settled cheapest first, looking again after each.
    pub(crate) fn reaching(&self, a: &Profile, b: &Profile) -> Option<(f64, Gamma)> {
        let mut look = glance(a, b);
        if self.bound(&look) < self.threshold_bits {
            return None;
        }
        for what in Open::ALL {
            if look.is_open(what) {
                look.settle(what, a, b);
                if self.bound(&look) < self.threshold_bits {
                    return None;
                }
            }
        }
        let total = self.total(&look.gamma);
        (total >= self.threshold_bits).then_some((total, look.gamma))
    }

    /// `gamma` with its names read as the tenant holds them. When one name is shared across the
    /// fields (the first name of one customer is the last name of the other, exactly or a
    /// letter or two apart) and the other two names differ, which of the two a name is decides:
    /// a name the tenant holds more often as a last name than as a first name is a surname (a
    /// household's, one record typed with the names swapped), so the names that differ are the
    /// first names; otherwise the shared name stays the first name (as [`super::compare`]
    /// reads it). A name shared a letter or two apart is a surname when either of its two
    /// spellings is held as a last name more often than either is held as a first name
    /// (`Tayhurst` and `Tayhrust`; not `Oliver` and `Oliveer`, though `Oliver` was typed in the
    /// last-name field twice).
    fn arranged(&self, gamma: &Gamma) -> Gamma {
        let (f, l) = (MatchField::FirstName.index(), MatchField::LastName.index());
        let value = gamma.values[f];
        // The surname's level once arranged, and the other spelling of the name.
        let (surname_level, spelling) = match gamma.levels[f] {
            SWAPPED => (SAME, value),
            level => match FIRST_NEAR.iter().position(|&near| near == level) {
                Some(i) if gamma.values[l] != 0 => (LAST_NEAR[i], gamma.values[l]),
                _ => return *gamma,
            },
        };
        if gamma.levels[l] != LAST_DIFFERENT || value == 0 {
            return *gamma;
        }
        // Held as a last name by a known count (a truncated table's floor only bounds the
        // others), more than as a first name.
        let (first, last) = (&self.frequencies[f], &self.frequencies[l]);
        let as_first = |v: &u64| first.counts.get(v).copied().unwrap_or(first.floor);
        let as_last = last.counts.get(&value).max(last.counts.get(&spelling));
        if as_last.is_none_or(|&n| n <= as_first(&value).max(as_first(&spelling))) {
            return *gamma;
        }
        let mut out = *gamma;
        out.levels[f] = FIRST_DIFFERENT;
        out.values[f] = 0;
        out.levels[l] = surname_level;
        // The frequency of a name shared exactly counts, as for any surname shared.
        out.values[l] = if surname_level == SAME { value } else { 0 };
        out
    }

    /// The match weight of a comparison, in bits.
    pub(crate) fn total(&self, gamma: &Gamma) -> f64 {
        let gamma = &self.arranged(gamma);
        let s = stratum(&gamma.levels);
        let mut total = self.prior_bits;
        for (f, &l) in gamma.levels.iter().enumerate() {
            if l != NULL {
                total += self.weight(s, f, usize::from(l), gamma.values[f]);
            }
        }
        total
    }

    /// Each known field's contribution, strongest evidence for first and evidence against last.
    pub(crate) fn contributions(&self, gamma: &Gamma) -> Vec<MatchContribution> {
        let gamma = &self.arranged(gamma);
        let s = stratum(&gamma.levels);
        let mut out: Vec<MatchContribution> = MatchField::ALL
            .iter()
            .filter_map(|&field| {
                let f = field.index();
                let l = gamma.levels[f];
                (l != NULL).then(|| MatchContribution {
                    field,
                    level: field.levels()[usize::from(l)],
                    weight: self.weight(s, f, usize::from(l), gamma.values[f]),
                })
            })
            .collect();
        out.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        out
    }
}

// ---- storage form ---------------------------------------------------------------------------

/// The levels added since models were first stored, each with the level it was split from
/// (which a comparison gave for it before): field, added level, former level. A model stored
/// before reads the added level with the former's weights; learning never weighs it below the
/// former.
pub(crate) const SPLIT_LEVELS: &[(MatchField, MatchLevel, MatchLevel)] = &[(
    MatchField::FirstName,
    MatchLevel::SameInitial,
    MatchLevel::Different,
)];

/// The parameters of a model as stored (JSON); the frequencies go in a binary table beside.
#[derive(Serialize, Deserialize)]
pub(crate) struct Stored {
    prior: f64,
    levels: Vec<LevelWeight>,
    learning: Option<Learning>,
    /// Per field: customers with the field, the count of a value not in the table, and the
    /// typical share of a value agreed on.
    frequency_totals: Vec<(u64, u32, f64)>,
}

impl MatchModel {
    /// The parameters as JSON and the frequency tables as bytes (per entry: field, key, count).
    pub(crate) fn to_stored(&self) -> (String, Vec<u8>) {
        let stored = Stored {
            prior: self.prior,
            levels: self.levels.clone(),
            learning: self.learning.clone(),
            frequency_totals: self
                .frequencies
                .iter()
                .map(|t| (t.customers, t.floor, t.typical))
                .collect(),
        };
        let mut table = Vec::new();
        for (f, t) in self.frequencies.iter().enumerate() {
            let mut entries: Vec<(&u64, &u32)> = t.counts.iter().collect();
            entries.sort_unstable();
            for (key, count) in entries {
                table.push(u8::try_from(f).unwrap_or(u8::MAX));
                table.extend_from_slice(&key.to_le_bytes());
                table.extend_from_slice(&count.to_le_bytes());
            }
        }
        (serde_json::to_string(&stored).unwrap_or_default(), table)
    }

    /// The model stored as [`to_stored`](Self::to_stored) made it; `None` if it does not read
    /// (a model of a later version): the caller learns again.
    pub(crate) fn from_stored(params: &str, table: &[u8]) -> Option<Self> {
        let stored: Stored = serde_json::from_str(params).ok()?;
        let mut frequencies: [Frequencies; FIELDS] = Default::default();
        for (t, &(customers, floor, typical)) in
            frequencies.iter_mut().zip(&stored.frequency_totals)
        {
            t.customers = customers;
            t.floor = floor;
            t.typical = typical;
        }
        for entry in table.chunks_exact(13) {
            let f = usize::from(entry[0]);
            let key = u64::from_le_bytes(entry[1..9].try_into().ok()?);
            let count = u32::from_le_bytes(entry[9..13].try_into().ok()?);
            frequencies.get_mut(f)?.counts.insert(key, count);
        }
        let mut levels = stored.levels;
        // A model stored before a level was added reads as it scored: the new level weighs as
        // the one it was split from, until the next learning.
        let mut added_any = false;
        for &(field, added, from) in SPLIT_LEVELS {
            if levels.iter().any(|w| w.field == field && w.level == added) {
                continue;
            }
            let split: Vec<LevelWeight> = levels
                .iter()
                .filter(|w| w.field == field && w.level == from)
                .map(|w| LevelWeight { level: added, ..*w })
                .collect();
            added_any |= !split.is_empty();
            levels.extend(split);
        }
        if added_any {
            // In the order of [`MatchModel::levels`]: by stratum, field, then level.
            levels.sort_by_key(|w| {
                (
                    STRATA.iter().position(|&g| g == w.given),
                    w.field.index(),
                    w.field.level_index(w.level),
                )
            });
        }
        let complete = MatchField::ALL.iter().all(|&field| {
            field
                .levels()
                .iter()
                .all(|&l| levels.iter().any(|w| w.field == field && w.level == l))
        });
        let sane = levels
            .iter()
            .all(|w| w.m > 0.0 && w.m <= 1.0 && w.u > 0.0 && w.u <= 1.0)
            && stored.prior > 0.0
            && stored.prior < 1.0;
        (complete && sane).then_some(Self {
            prior: stored.prior,
            levels,
            learning: stored.learning,
            frequencies,
        })
    }

    /// The m and u of one level among pairs sharing no contact (`given` `None`), or sharing
    /// the contact `given` (see [`LevelWeight::given`]).
    pub fn level(
        &self,
        field: MatchField,
        level: MatchLevel,
        given: Option<MatchField>,
    ) -> Option<&LevelWeight> {
        self.levels
            .iter()
            .find(|w| w.field == field && w.level == level && w.given == given)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedupe::Profile;
    use crate::dedupe::profile::mailbox;
    use crate::model::CustomerId;

    #[test]
    fn contacts_that_differ_count_against_a_pair_in_every_stratum() {
        // A model whose weights differ by stratum (as a learned one's do).
        let mut model = MatchModel::default();
        for (n, w) in model.levels.iter_mut().enumerate() {
            w.m = 0.01 + (n % 7) as f64 * 0.1;
        }
        let scorer = Scorer::new(&model, &[], 0.85);
        let at = |s: usize, field: MatchField, level: MatchLevel| {
            scorer.weights[s][field.index()][field.level_index(level).unwrap()]
        };
        let address = STRATA.len() - 1;
        let phone = address - 1;
        // Sharing an address (or a phone), two emails that differ weigh as among all pairs.
        for s in [phone, address] {
            let (email, different) = (MatchField::Email, MatchLevel::Different);
            assert_eq!(at(s, email, different), at(0, email, different));
        }
        let (phone_field, different) = (MatchField::Phone, MatchLevel::Different);
        assert_eq!(
            at(address, phone_field, different),
            at(0, phone_field, different)
        );
        // A phone one digit off is a household's as much as a shared one: the stratum's own.
        let near = MatchLevel::OneDigit;
        assert_ne!(at(address, phone_field, near), at(0, phone_field, near));
        // The names weigh as among the pairs sharing that contact.
        let (first, same) = (MatchField::FirstName, MatchLevel::Same);
        assert_ne!(at(address, first, same), at(0, first, same));
    }

    #[test]
    fn the_name_level_codes_are_the_fields_own() {
        for field in [MatchField::FirstName, MatchField::LastName] {
            let code = |l| field.level_index(l).and_then(|i| u8::try_from(i).ok());
            assert_eq!(code(MatchLevel::Same), Some(SAME));
            assert_eq!(code(MatchLevel::Swapped), Some(SWAPPED));
        }
        let different = |f: MatchField| f.level_index(MatchLevel::Different);
        assert_eq!(
            different(MatchField::FirstName),
            Some(usize::from(FIRST_DIFFERENT))
        );
        assert_eq!(
            different(MatchField::LastName),
            Some(usize::from(LAST_DIFFERENT))
        );
        for (field, codes) in [
            (MatchField::FirstName, FIRST_NEAR),
            (MatchField::LastName, LAST_NEAR),
        ] {
            let near = super::super::compare::NEAR_NAMES.map(|l| field.level_index(l));
            assert_eq!(near, codes.map(|c| Some(usize::from(c))));
        }
    }

    #[test]
    fn defaults_cover_every_level_and_store_round_trip() {
        let mut model = MatchModel::default();
        // Every level among all pairs, and in each stratum every level of the fields other than
        // the contact shared.
        let all: usize = MatchField::ALL.iter().map(|f| f.levels().len()).sum();
        let shared: usize = [MatchField::Email, MatchField::Phone, MatchField::Address]
            .iter()
            .map(|f| f.levels().len())
            .sum();
        assert_eq!(model.levels.len(), all * 4 - shared);
        model.frequencies[1].customers = 10;
        model.frequencies[1].floor = 1;
        model.frequencies[1].typical = 0.25;
        model.frequencies[1].counts.insert(42, 7);
        let (params, table) = model.to_stored();
        assert_eq!(MatchModel::from_stored(&params, &table), Some(model));
        assert_eq!(MatchModel::from_stored("{}", &[]), None);
    }

    #[test]
    fn a_model_stored_before_a_level_was_added_scores_as_it_did() {
        let model = MatchModel::default();
        let mut older = model.clone();
        older
            .levels
            .retain(|w| !(w.field == MatchField::FirstName && w.level == MatchLevel::SameInitial));
        let (params, table) = older.to_stored();
        let read = MatchModel::from_stored(&params, &table).expect("an older model reads");
        let order = |m: &MatchModel| -> Vec<_> {
            m.levels
                .iter()
                .map(|w| (w.given, w.field, w.level))
                .collect()
        };
        assert_eq!(
            order(&read),
            order(&model),
            "levels in their documented order"
        );
        for given in STRATA {
            let was = model
                .level(MatchField::FirstName, MatchLevel::Different, given)
                .copied();
            let now = read
                .level(MatchField::FirstName, MatchLevel::SameInitial, given)
                .map(|w| (w.m, w.u));
            assert_eq!(now, was.map(|w| (w.m, w.u)), "{given:?}");
        }
        // A level missing that was not added since is a model this version cannot read.
        let mut broken = model;
        broken
            .levels
            .retain(|w| !(w.field == MatchField::Email && w.level == MatchLevel::OneEdit));
        let (params, table) = broken.to_stored();
        assert_eq!(MatchModel::from_stored(&params, &table), None);
    }

    /// Profiles drawn from small pools, so that every level of every field occurs often.
    fn tangled_profiles(count: usize, seed: u64) -> Vec<Profile> {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let firsts = [
            "anna", "ana", "anne", "an", "bob", "robert", "jean", "jan", "maria", "mario", "li",
            "mike", "michael", "micahel", "dan", "daiel", "",
        ];
        let lasts = [
            "dupont", "dupond", "martin", "martine", "smith", "smyth", "lee", "li", "",
        ];
        let emails = [
            "a@x.com",
            "a@y.com",
            "ab@x.com",
            "b@x.com",
            "anna@x.com",
            "a.n.na@gmail.com",
            "anna+trips@gmail.com",
            "ann@gmail.com",
            "anna.dupont@x.com",
            "añna@x.com",
            "anna7@x.com",
            "anna+x@x.com",
            // Names only at another domain (dots aside): uncompared; another name: the same
            // name at another domain.
            "anna.dupont@y.com",
            "annadupont@gmail.com",
            "an.na7@y.com",
        ];
        let tails = ["12345678", "12345679", "21345678", "87654321"];
        let dates = [
            "1980-01-02",
            "1980-02-01",
            "1980-01-03",
            "1981-01-02",
            "1990-05-05",
        ];
        let streets = ["1 rue a", "1 rue b", "2 rue a", "1 rue aa"];
        let pick = |rng: &mut rand_chacha::ChaCha8Rng, items: &[&str]| {
            items[rng.random_range(0..items.len())].to_owned()
        };
        (0..count)
            .map(|_| {
                let (mut first, mut last) = (pick(&mut rng, &firsts), pick(&mut rng, &lasts));
                if rng.random_bool(0.1) {
                    std::mem::swap(&mut first, &mut last);
                }
                // An accent typed on some: the same once folded.
                let accent = |rng: &mut rand_chacha::ChaCha8Rng, s: &str| {
                    if rng.random_bool(0.2) && !s.is_empty() {
                        format!("{s}\u{301}")
                    } else {
                        s.to_owned()
                    }
                };
                let emails: Vec<String> = (0..rng.random_range(0..3))
                    .map(|_| pick(&mut rng, &emails))
                    .collect();
                let tails: Vec<String> = (0..rng.random_range(0..3))
                    .map(|_| pick(&mut rng, &tails))
                    .collect();
                let phones = tails
                    .iter()
                    .filter(|_| rng.random_bool(0.4))
                    .map(|t| format!("+33{t}"))
                    .collect();
                let street = rng.random_bool(0.8).then(|| pick(&mut rng, &streets));
                let sorted = |mut v: Vec<String>| {
                    v.sort();
                    v.dedup();
                    v
                };
                Profile {
                    id: CustomerId::new(),
                    created: 0,
                    updated: 0,
                    first_lower: accent(&mut rng, &first),
                    first,
                    last_lower: accent(&mut rng, &last),
                    last,
                    mailboxes: sorted(emails.iter().map(|e| mailbox(e)).collect()),
                    emails: sorted(emails),
                    phones: sorted(phones),
                    tails: sorted(tails),
                    birth: rng
                        .random_bool(0.7)
                        .then(|| pick(&mut rng, &dates).parse().unwrap_or_default()),
                    number: street.as_ref().map(|s| s[..1].to_owned()),
                    street,
                    zip: rng
                        .random_bool(0.6)
                        .then(|| pick(&mut rng, &["75001", "75002"])),
                    city: rng
                        .random_bool(0.5)
                        .then(|| pick(&mut rng, &["paris", "lyon"])),
                    sketch: Default::default(),
                }
                .sketched()
            })
            .collect()
    }

    #[test]
    fn a_first_look_never_weighs_less_than_the_comparison() {
        use super::super::compare::{compare, glance};
        use super::super::learn::{Patterns, learn};
        let profiles = tangled_profiles(1_200, 7);
        let mut patterns = Patterns::default();
        for (i, a) in profiles.iter().enumerate().take(400) {
            for b in &profiles[i + 1..400] {
                *patterns.entry(compare(a, b).pattern()).or_default() += 1;
            }
        }
        let learned = learn(&profiles, &patterns);
        assert!(learned.learning.is_some());
        assert!(learned.frequencies.iter().any(|f| f.customers > 0));
        let defaults = MatchModel::default();
        let scorers = [
            Scorer::new(&defaults, &[], 0.95),
            Scorer::new(&learned, &[], 0.95),
            Scorer::new(
                &learned,
                &[
                    (MatchField::FirstName, MatchLevel::Swapped, 30.0),
                    (MatchField::Email, MatchLevel::OneEdit, 25.0),
                    (MatchField::Address, MatchLevel::SimilarStreet, -3.0),
                    // Below the uncompared email a name shared at another domain may settle.
                    (MatchField::Email, MatchLevel::SameLocalPart, -4.0),
                ],
                0.5,
            ),
            // A surname shared across the fields weighing far more than any name left open.
            Scorer::new(
                &learned,
                &[(MatchField::LastName, MatchLevel::Same, 25.0)],
                0.5,
            ),
            // Likewise a surname shared across the fields a letter or two apart.
            Scorer::new(
                &learned,
                &[
                    (MatchField::LastName, MatchLevel::OneEdit, 25.0),
                    (MatchField::LastName, MatchLevel::Similar, 25.0),
                ],
                0.5,
            ),
        ];
        let mut checked = 0;
        for (i, a) in profiles.iter().enumerate().take(300) {
            for b in &profiles[i + 1..300] {
                let (look, full) = (glance(a, b), compare(a, b));
                // The same levels whichever customer comes first (the keys of names read
                // across may change sides).
                assert_eq!(full.levels, compare(b, a).levels, "{a:?}\n{b:?}");
                // At the first look and after each field settled, as the finder goes.
                let mut stages = vec![look];
                for what in Open::ALL {
                    let mut next = *stages.last().unwrap_or(&look);
                    if next.is_open(what) {
                        next.settle(what, a, b);
                    }
                    stages.push(next);
                }
                assert_eq!(stages.last().map(|s| s.gamma), Some(full));
                assert_eq!(stages.len(), 5);
                for (n, scorer) in scorers.iter().enumerate() {
                    let total = scorer.total(&full);
                    for stage in &stages {
                        let bound = scorer.bound(stage);
                        assert!(
                            bound >= total - 1e-9,
                            "scorer {n}: bound {bound} < total {total}\n{a:?}\n{b:?}\n{full:?}"
                        );
                    }
                    let settled = scorer.bound(&stages[4]);
                    assert!((settled - total).abs() < 1e-9, "{settled} {total}");
                    // The finder's path: the same pairs, weights and comparisons.
                    let reached = scorer.reaching(a, b);
                    let expected = (total >= scorer.threshold_bits).then_some((total, full));
                    assert_eq!(reached.map(|r| r.1), expected.map(|e| e.1), "scorer {n}");
                    if let (Some((x, _)), Some((y, _))) = (reached, expected) {
                        assert!((x - y).abs() < 1e-9);
                    }
                }
                // What was settled is what the comparison says.
                for f in 0..FIELDS {
                    if look.gamma.levels[f] != NULL && look.from[f] == NULL {
                        assert_eq!(look.gamma.levels[f], full.levels[f], "{a:?}\n{b:?}");
                    }
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 300 * 299 / 2);
    }

    #[test]
    fn a_weight_set_for_a_level_holds_for_the_level_split_from_it() {
        let field = MatchField::FirstName;
        let (first, initial, different) = (
            field.index(),
            field.level_index(MatchLevel::SameInitial).unwrap_or(0),
            usize::from(FIRST_DIFFERENT),
        );
        let model = MatchModel::default();
        let learned = Scorer::new(&model, &[], 0.5);
        assert!(learned.weights[0][first][initial] > learned.weights[0][first][different]);
        let unlike = Scorer::new(
            &model,
            &[(MatchField::FirstName, MatchLevel::Different, -20.0)],
            0.5,
        );
        for stratum in &unlike.weights {
            assert_eq!(stratum[first][initial], -20.0);
            assert_eq!(stratum[first][different], -20.0);
        }
        // Set itself, it keeps its own.
        let both = Scorer::new(
            &model,
            &[
                (MatchField::FirstName, MatchLevel::Different, -20.0),
                (MatchField::FirstName, MatchLevel::SameInitial, -3.0),
            ],
            0.5,
        );
        for stratum in &both.weights {
            assert_eq!(stratum[first][initial], -3.0);
            assert_eq!(stratum[first][different], -20.0);
        }
    }

    #[test]
    fn contributions_read_as_evidence() {
        let c = MatchContribution {
            field: MatchField::BirthDate,
            level: MatchLevel::OneDigit,
            weight: 2.34,
        };
        assert_eq!(c.describe(), "birth date one digit off (+2.3)");
        let c = MatchContribution {
            field: MatchField::LastName,
            level: MatchLevel::Different,
            weight: -1.2,
        };
        assert_eq!(c.describe(), "last name different (-1.2)");
    }
}
