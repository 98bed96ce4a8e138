//! Learning a tenant's model without labels, as Fellegi-Sunter record linkage does:
//!
//! - **u** (how often a level occurs between customers taken at random) by comparing random
//!   pairs; the exact agreement of names, emails and phones from the value counts themselves;
//! - **m** (how often it occurs between duplicates) by expectation-maximisation over the
//!   candidate pairs of the blocks compared whole (see the finder), in passes: the pairs that
//!   agree on a field (the same names, birth date, email or phone) teach the m of the *other*
//!   fields, for among them the non-duplicates look like random pairs on those fields, as the
//!   fixed u assumes;
//! - the **prior** (the chance two random customers are one person) from the expected
//!   duplicates among the pairs learned from (a lower bound at scale: duplicates met only in a
//!   block larger than the window are not counted);
//! - **term frequencies** of names, birth dates, mailboxes and phone numbers, so that a shared
//!   rare value counts for more than a shared common one (a birth date far commoner than the
//!   others, typed for unknown dates, is kept out of what counts as typical).

use rustc_hash::FxHashMap;

use chrono::Utc;

use super::compare::{FIELDS, MatchField, NULL, SLOTS, birth_key, compare, key, unpack};
use super::model::{
    Frequencies, Learning, LevelWeight, MAX_FREQUENT_VALUES, MatchModel, SPLIT_LEVELS, STRATA,
    own_weights, stratum, weighs_as_all,
};
use super::profile::Profile;

/// Below this many customers a tenant keeps the built-in model: too few pairs to learn from.
pub(crate) const MIN_CUSTOMERS: usize = 1_000;

/// The most random pairs compared to estimate u.
const RANDOM_PAIRS: u64 = 2_000_000;

/// Expectation-maximisation rounds per pass at most.
const MAX_ROUNDS: u32 = 60;

/// The weight of the built-in m against the data: pseudo-pairs per field.
const PRIOR_PAIRS: f64 = 5.0;

/// The weight of the built-in u among pairs sharing a contact (households), in pseudo-pairs:
/// a few households should not teach that a shared first name is common among them.
const HOUSEHOLD_PRIOR_PAIRS: f64 = 100.0;

/// Random pairs with a field on both sides below which its u are the built-in ones.
const MIN_KNOWN_PAIRS: f64 = 1_000.0;

/// The least m of a field's `different` level: one field that differs (a new phone, a moved
/// home) is evidence against a duplicate, not a veto.
const MIN_M_DIFFERENT: f64 = 0.002;

/// Counts of comparison patterns (see [`super::compare::pack`]).
pub(crate) type Patterns = FxHashMap<u32, u64>;

/// A deterministic random sequence (SplitMix64): the same customers learn the same model.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        // Multiply-shift: unbiased enough for sampling pairs.
        usize::try_from((u128::from(self.next()) * n as u128) >> 64).unwrap_or(0)
    }
}

/// The value counts of the frequency-adjusted fields (all values).
fn counts(profiles: &[Profile]) -> [foldhash::HashMap<u64, u32>; FIELDS] {
    let mut out: [foldhash::HashMap<u64, u32>; FIELDS] = Default::default();
    for p in profiles {
        let mut add = |f: MatchField, value: &str| {
            *out[f.index()].entry(key(value)).or_default() += 1;
        };
        if !p.first.is_empty() {
            add(MatchField::FirstName, &p.first);
        }
        if !p.last.is_empty() {
            add(MatchField::LastName, &p.last);
        }
        for m in &p.mailboxes {
            add(MatchField::Email, m);
        }
        for t in &p.tails {
            add(MatchField::Phone, t);
        }
        if let Some(birth) = p.birth {
            *out[MatchField::BirthDate.index()]
                .entry(birth_key(birth))
                .or_default() += 1;
        }
    }
    out
}

/// The stored form of the counts: the values held at least twice, the most frequent first up
/// to [`MAX_FREQUENT_VALUES`]; any other value counts as the floor.
fn frequencies(
    profiles: &[Profile],
    counts: &[foldhash::HashMap<u64, u32>; FIELDS],
) -> [Frequencies; FIELDS] {
    let mut out: [Frequencies; FIELDS] = Default::default();
    for &field in MatchField::ALL {
        let f = field.index();
        if !field.frequency_adjusted() {
            continue;
        }
        let known = profiles
            .iter()
            .filter(|p| match field {
                MatchField::FirstName => !p.first.is_empty(),
                MatchField::LastName => !p.last.is_empty(),
                MatchField::BirthDate => p.birth.is_some(),
                MatchField::Email => !p.mailboxes.is_empty(),
                _ => !p.tails.is_empty(),
            })
            .count();
        let mut frequent: Vec<(u64, u32)> = counts[f]
            .iter()
            .filter(|&(_, &c)| c >= 2)
            .map(|(&k, &c)| (k, c))
            .collect();
        frequent.sort_unstable_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
        let floor = if frequent.len() > MAX_FREQUENT_VALUES {
            frequent.truncate(MAX_FREQUENT_VALUES);
            frequent.last().map_or(1, |x| x.1)
        } else {
            1
        };
        // Over the pairs agreeing on a value (c(c-1) of them), the mean share of its holders.
        // Birth dates are spread evenly over the days of the years: a date far commoner than
        // the others shared is one typed for unknown dates, left out of that mean so that it
        // weighs as common as it is (else it alone would set the mean).
        let shared: Vec<f64> = counts[f]
            .values()
            .filter(|&&c| c >= 2)
            .map(|&c| f64::from(c))
            .collect();
        let (sum, n) = (shared.iter().sum::<f64>(), shared.len() as f64);
        // Each date against the mean of those shared (its own count included: with fewer than
        // about ten dates shared a placeholder is not told apart).
        let placeholder =
            |c: f64| field == MatchField::BirthDate && n > 0.0 && c > PLACEHOLDER_RATIO * sum / n;
        let (mut pairs, mut weighted) = (0.0, 0.0);
        for &c in shared.iter().filter(|&&c| !placeholder(c)) {
            pairs += c * (c - 1.0);
            weighted += c * (c - 1.0) * c;
        }
        let typical = if pairs > 0.0 && known > 0 {
            weighted / pairs / known as f64
        } else {
            0.0
        };
        out[f] = Frequencies {
            customers: known as u64,
            typical,
            counts: frequent.into_iter().collect(),
            floor,
        };
    }
    out
}

/// A birth date held by this many times more customers than the mean of the dates shared is a
/// placeholder (see [`frequencies`]).
const PLACEHOLDER_RATIO: f64 = 10.0;

/// Parts the random pairs are drawn in, each from its own seed: the same customers give the
/// same counts whatever the number of cores.
const RANDOM_PARTS: u64 = 16;

/// Level counts per field among random pairs (every pair of a small tenant), and the pairs
/// compared.
fn random_levels(profiles: &[Profile]) -> ([[u64; SLOTS]; FIELDS], u64) {
    let n = profiles.len();
    // Drawn among the customers in id order: the same pairs whatever order they come in.
    let mut by_id: Vec<usize> = (0..n).collect();
    by_id.sort_unstable_by_key(|&i| profiles[i].id);
    let all = (n as u64) * (n as u64).saturating_sub(1) / 2;
    let per_part = all.min(RANDOM_PAIRS).div_ceil(RANDOM_PARTS);
    let part = |p: u64| {
        let mut levels = [[0u64; SLOTS]; FIELDS];
        let mut tally = |i: usize, j: usize| {
            let g = compare(&profiles[by_id[i]], &profiles[by_id[j]]);
            for (f, &l) in g.levels.iter().enumerate() {
                levels[f][usize::from(l)] += 1;
            }
        };
        if all <= RANDOM_PAIRS {
            // Every pair, split by first member.
            for i in (p as usize..n).step_by(RANDOM_PARTS as usize) {
                for j in i + 1..n {
                    tally(i, j);
                }
            }
        } else {
            let mut random = Random(0x5eed ^ (p << 32));
            for _ in 0..per_part {
                let i = random.below(n);
                let j = random.below(n - 1);
                let j = if j >= i { j + 1 } else { j };
                tally(i, j);
            }
        }
        levels
    };
    let parts = crate::parallel::map((0..RANDOM_PARTS).collect(), 2, part);
    let mut levels = [[0u64; SLOTS]; FIELDS];
    for part in parts {
        for f in 0..FIELDS {
            for l in 0..usize::from(NULL) {
                levels[f][l] += part[f][l];
            }
        }
    }
    (levels, all.min(per_part * RANDOM_PARTS))
}

/// The u of every level: random pairs, and for the exact agreement of a frequency-adjusted
/// field, its value counts (random pairs rarely agree on an email; the counts say how rarely).
fn estimate_u(
    profiles: &[Profile],
    counts: &[foldhash::HashMap<u64, u32>; FIELDS],
    defaults: &MatchModel,
) -> (Table, u64, [f64; FIELDS]) {
    let (levels, pairs) = random_levels(profiles);
    let mut u = [[1.0; SLOTS]; FIELDS];
    let mut known_share = [0.0; FIELDS];
    for &field in MatchField::ALL {
        let f = field.index();
        let known: u64 = levels[f][..usize::from(NULL)].iter().sum();
        known_share[f] = known as f64 / pairs.max(1) as f64;
        for (l, &level) in field.levels().iter().enumerate() {
            u[f][l] = if (known as f64) < MIN_KNOWN_PAIRS {
                defaults.level(field, level, None).map_or(0.5, |w| w.u)
            } else {
                (levels[f][l] as f64).max(0.5) / known as f64
            };
        }
        if field.frequency_adjusted() && levels[f][0] < 100 {
            // Σ c(c-1) over values, over k(k-1): the chance two random holders share one.
            let holders: f64 = counts[f].values().map(|&c| f64::from(c)).sum();
            let shared: f64 = counts[f]
                .values()
                .map(|&c| f64::from(c) * (f64::from(c) - 1.0))
                .sum();
            if holders > 1.0 {
                u[f][0] = (shared / (holders * (holders - 1.0))).max(0.1 / holders.powi(2));
            }
        }
    }
    (u, pairs, known_share)
}

/// Parameters by field and level index.
type Table = [[f64; SLOTS]; FIELDS];

/// One expectation-maximisation over `chosen` patterns (with their counts), on the fields
/// `fields`: the m of each level (and the u too when `free_u`), starting from and drawn
/// towards `m0` and `u0` by [`PRIOR_PAIRS`] pseudo-pairs. Returns m, u, the expected
/// duplicates per field and level, and the rounds.
fn expectation_maximisation(
    chosen: &[([u8; FIELDS], f64)],
    fields: &[usize],
    m0: &Table,
    u0: &Table,
    free_u: bool,
) -> (Table, Table, Table, u32) {
    let (mut m, mut u) = (*m0, *u0);
    let mut lambda: f64 = 0.5;
    let mut expected = [[0.0; SLOTS]; FIELDS];
    let mut rounds = 0;
    if chosen.iter().map(|x| x.1).sum::<f64>() < 50.0 {
        return (m, u, expected, 0);
    }
    while rounds < MAX_ROUNDS {
        rounds += 1;
        expected = [[0.0; SLOTS]; FIELDS];
        let mut others = [[0.0; SLOTS]; FIELDS];
        let (mut matches, mut total) = (0.0, 0.0);
        for (levels, n) in chosen {
            let (mut lm, mut lu) = (lambda.ln(), (1.0 - lambda).ln());
            for &f in fields {
                if levels[f] != NULL {
                    let l = usize::from(levels[f]);
                    lm += m[f][l].ln();
                    lu += u[f][l].ln();
                }
            }
            let p = 1.0 / (1.0 + (lu - lm).exp());
            matches += n * p;
            total += n;
            for &f in fields {
                if levels[f] != NULL {
                    expected[f][usize::from(levels[f])] += n * p;
                    others[f][usize::from(levels[f])] += n * (1.0 - p);
                }
            }
        }
        let mut change: f64 = 0.0;
        for &f in fields {
            let levels = usize::from(NULL);
            let sum: f64 = expected[f].iter().sum();
            let rest: f64 = others[f].iter().sum();
            for l in 0..levels {
                let next = ((expected[f][l] + PRIOR_PAIRS * m0[f][l]) / (sum + PRIOR_PAIRS))
                    .clamp(1e-6, 1.0);
                change = change.max((next - m[f][l]).abs());
                m[f][l] = next;
                if free_u {
                    let next = ((others[f][l] + HOUSEHOLD_PRIOR_PAIRS * u0[f][l])
                        / (rest + HOUSEHOLD_PRIOR_PAIRS))
                        .clamp(1e-6, 1.0);
                    change = change.max((next - u[f][l]).abs());
                    u[f][l] = next;
                }
            }
        }
        lambda = (matches / total).clamp(1e-9, 1.0 - 1e-9);
        if change < 1e-5 {
            break;
        }
    }
    (m, u, expected, rounds)
}

/// The patterns (with counts) that `keep` accepts.
fn chosen(
    patterns: &[(u32, u64)],
    keep: impl Fn(&[u8; FIELDS]) -> bool,
) -> Vec<([u8; FIELDS], f64)> {
    patterns
        .iter()
        .map(|&(p, n)| (unpack(p), n as f64))
        .filter(|(levels, _)| keep(levels))
        .collect()
}

/// The m and u of `model` by stratum, field and level index.
fn tables(model: &MatchModel) -> ([Table; 4], [Table; 4]) {
    let (mut m, mut u) = ([[[0.0; SLOTS]; FIELDS]; 4], [[[1.0; SLOTS]; FIELDS]; 4]);
    for w in &model.levels {
        let (Some(l), Some(s)) = (
            w.field.level_index(w.level),
            STRATA.iter().position(|&g| g == w.given),
        ) else {
            continue;
        };
        m[s][w.field.index()][l] = w.m;
        u[s][w.field.index()][l] = w.u;
    }
    (m, u)
}

/// m and u by stratum, and the share of duplicates among the candidates, given the u of
/// random pairs.
fn fit(
    list: &[(u32, u64)],
    all: &[([u8; FIELDS], f64)],
    u_random: &Table,
    m_default: &[Table; 4],
    u_default: &[Table; 4],
    iterations: &mut u32,
) -> ([Table; 4], [Table; 4], f64) {
    // Among all pairs: the pairs with the same names teach the m of the other fields, those
    // with the same birth date the m of the names and contacts. The non-duplicates among
    // them look like random pairs on those other fields, as the u of random pairs assumes.
    let exact_name = |l: u8| l <= 2; // same, folded, swapped
    let indexes = |fields: &[MatchField]| fields.iter().map(|f| f.index()).collect::<Vec<_>>();
    let passes = [
        (
            chosen(list, |l| {
                exact_name(l[MatchField::FirstName.index()])
                    && exact_name(l[MatchField::LastName.index()])
            }),
            indexes(&[
                MatchField::BirthDate,
                MatchField::Email,
                MatchField::Phone,
                MatchField::Address,
            ]),
        ),
        (
            chosen(list, |l| l[MatchField::BirthDate.index()] == 0),
            indexes(&[
                MatchField::FirstName,
                MatchField::LastName,
                MatchField::Email,
                MatchField::Phone,
                MatchField::Address,
            ]),
        ),
    ];
    let mut pooled = [[0.0; SLOTS]; FIELDS];
    for (pairs, fields) in &passes {
        let (_, _, expected, rounds) =
            expectation_maximisation(pairs, fields, &m_default[0], u_random, false);
        *iterations += rounds;
        for f in fields {
            for l in 0..usize::from(NULL) {
                pooled[*f][l] += expected[*f][l];
            }
        }
    }
    let mut m = [[[0.0; SLOTS]; FIELDS]; 4];
    let mut u = [[[1.0; SLOTS]; FIELDS]; 4];
    for f in 0..FIELDS {
        let sum: f64 = pooled[f].iter().sum();
        for l in 0..usize::from(NULL) {
            m[0][f][l] = ((pooled[f][l] + PRIOR_PAIRS * m_default[0][f][l]) / (sum + PRIOR_PAIRS))
                .clamp(1e-6, 1.0);
        }
    }
    u[0] = *u_random;

    // Among pairs sharing a contact, both m and u are learned: the non-duplicates there are
    // households, not random pairs.
    for (s, given) in STRATA.iter().enumerate().skip(1) {
        let pairs = chosen(list, |l| stratum(l) == s);
        let fields: Vec<usize> = MatchField::ALL
            .iter()
            .filter(|&&f| Some(f) != *given)
            .map(|f| f.index())
            .collect();
        let (ms, us, _, rounds) =
            expectation_maximisation(&pairs, &fields, &m[0], &u_default[s], true);
        *iterations += rounds;
        // Two classes found by expectation-maximisation may come out the wrong way round (the
        // households taken for the duplicates): duplicates agree on the first name more, and
        // differ on it less, than the others. Otherwise the built-in weights of the stratum
        // stand.
        let first = MatchField::FirstName.index();
        let different = MatchField::FirstName.levels().len() - 1;
        if ms[first][0] > us[first][0] && ms[first][different] < us[first][different] {
            m[s] = ms;
            u[s] = us;
        } else {
            m[s] = m[0];
            u[s] = u_default[s];
        }
    }
    // A field that differs is evidence against, never a veto; and a level split from another
    // (first names alike in their first letter, from names unlike) never weighs less than it.
    for (table, u) in m.iter_mut().zip(&u) {
        for (f, levels) in table.iter_mut().enumerate() {
            let last = MatchField::ALL[f].levels().len() - 1;
            levels[last] = levels[last].max(MIN_M_DIFFERENT);
        }
        for &(field, added, from) in SPLIT_LEVELS {
            let (Some(added), Some(from)) = (field.level_index(added), field.level_index(from))
            else {
                continue;
            };
            let (m, u) = (&mut table[field.index()], &u[field.index()]);
            m[added] = m[added].max(m[from] * u[added] / u[from]).min(1.0);
        }
    }

    // The share of duplicates among the candidates.
    let total: f64 = all.iter().map(|x| x.1).sum();
    let mut lambda: f64 = 0.01;
    for _ in 0..MAX_ROUNDS {
        let mut sum = 0.0;
        for (levels, n) in all {
            sum += n * posterior(levels, &m, &u, lambda);
        }
        let next = (sum / total.max(1.0)).clamp(1e-12, 0.5);
        let done = (next - lambda).abs() < lambda * 1e-4;
        lambda = next;
        *iterations += 1;
        if done {
            break;
        }
    }
    (m, u, lambda)
}

/// The probability that a pair with these levels is one person, among the candidates whose
/// share of duplicates is `lambda`.
fn posterior(levels: &[u8; FIELDS], m: &[Table; 4], u: &[Table; 4], lambda: f64) -> f64 {
    let s = stratum(levels);
    let (mut lm, mut lu) = (lambda.ln(), (1.0 - lambda).ln());
    for (f, &l) in levels.iter().enumerate() {
        if l != NULL {
            let t = if weighs_as_all(s, MatchField::ALL[f], usize::from(l)) {
                0
            } else {
                s
            };
            lm += m[t][f][usize::from(l)].ln();
            lu += u[t][f][usize::from(l)].ln();
        }
    }
    1.0 / (1.0 + (lu - lm).exp())
}

/// The expected duplicates among the candidates per field and level.
fn expected_matches(
    all: &[([u8; FIELDS], f64)],
    m: &[Table; 4],
    u: &[Table; 4],
    lambda: f64,
) -> Table {
    let mut out = [[0.0; SLOTS]; FIELDS];
    for (levels, n) in all {
        let p = n * posterior(levels, m, u, lambda);
        for (f, &l) in levels.iter().enumerate() {
            if l != NULL {
                out[f][usize::from(l)] += p;
            }
        }
    }
    out
}

/// Learns the model of `profiles` from the counts of the patterns of their candidate pairs.
/// A tenant smaller than [`MIN_CUSTOMERS`] gets the built-in model.
pub(crate) fn learn(profiles: &[Profile], patterns: &Patterns) -> MatchModel {
    let defaults = MatchModel::default();
    if profiles.len() < MIN_CUSTOMERS {
        return defaults;
    }
    let counts = counts(profiles);
    let (u_sampled, random_pairs, known_share) = estimate_u(profiles, &counts, &defaults);
    let (m_default, u_default) = tables(&defaults);
    let mut list: Vec<(u32, u64)> = patterns.iter().map(|(&p, &n)| (p, n)).collect();
    list.sort_unstable();
    let all = chosen(&list, |_| true);
    let candidates: u64 = list.iter().map(|x| x.1).sum();
    let n = profiles.len() as f64;
    let pairs = n * (n - 1.0) / 2.0;
    let mut iterations = 0;
    // Random pairs hold duplicates too: most pairs sharing an email are one person. The u of
    // each level is taken again without the duplicates expected among the candidates.
    let refit =
        |u: &Table, iterations: &mut u32| fit(&list, &all, u, &m_default, &u_default, iterations);
    let mut u_random = u_sampled;
    let mut fitted = refit(&u_random, &mut iterations);
    for _ in 0..2 {
        let (m, u, lambda) = &fitted;
        let expected = expected_matches(&all, m, u, *lambda);
        for f in 0..FIELDS {
            let known = known_share[f] * pairs;
            if known_share[f] * (random_pairs as f64) < MIN_KNOWN_PAIRS {
                // Too few random pairs had the field on both sides to say more.
                continue;
            }
            let matched: f64 = expected[f].iter().sum();
            for l in 0..usize::from(NULL) {
                let count = u_sampled[f][l] * known;
                let without = (count - expected[f][l]).max(0.05 * count).max(0.5);
                u_random[f][l] = (without / (known - matched).max(1.0)).clamp(1e-12, 1.0);
            }
        }
        fitted = refit(&u_random, &mut iterations);
    }
    let (m, u, lambda) = fitted;
    let prior = (lambda * candidates as f64 / pairs).clamp(1e-12, 0.5);
    let mut levels = Vec::new();
    for (s, &given) in STRATA.iter().enumerate() {
        for &field in MatchField::ALL {
            if !own_weights(s, field) {
                continue;
            }
            for (l, &level) in field.levels().iter().enumerate() {
                // A level weighing as among all pairs is kept as the scorer weighs it.
                let t = if weighs_as_all(s, field, l) { 0 } else { s };
                levels.push(LevelWeight {
                    field,
                    level,
                    given,
                    m: m[t][field.index()][l],
                    u: u[t][field.index()][l].clamp(1e-12, 1.0),
                });
            }
        }
    }
    MatchModel {
        prior,
        levels,
        learning: Some(Learning {
            learned_at: Utc::now(),
            customers: profiles.len() as u64,
            candidate_pairs: candidates,
            random_pairs,
            iterations,
        }),
        frequencies: frequencies(profiles, &counts),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CustomerId;

    fn born(day: chrono::NaiveDate) -> Profile {
        Profile {
            id: CustomerId::new(),
            created: 0,
            updated: 0,
            first: "anna".into(),
            first_lower: "anna".into(),
            last: String::new(),
            last_lower: String::new(),
            emails: Vec::new(),
            mailboxes: Vec::new(),
            phones: Vec::new(),
            tails: Vec::new(),
            birth: Some(day),
            street: None,
            number: None,
            zip: None,
            city: None,
            sketch: Default::default(),
        }
    }

    #[test]
    fn a_placeholder_birth_date_weighs_as_common_as_it_is() {
        let start = chrono::NaiveDate::from_ymd_opt(1960, 1, 1).unwrap();
        let placeholder = chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
        // 300 dates held by two customers each, one held by 100.
        let mut profiles: Vec<Profile> = (0..600)
            .map(|i| born(start + chrono::Duration::days(i / 2)))
            .collect();
        profiles.extend((0..100).map(|_| born(placeholder)));
        let tables = frequencies(&profiles, &counts(&profiles));
        let table = &tables[MatchField::BirthDate.index()];
        assert_eq!(table.customers, 700);
        // The share of the dates two customers typically agree on: two in 700, not the
        // placeholder's hundred.
        assert!(
            (table.typical - 2.0 / 700.0).abs() < 1e-12,
            "{}",
            table.typical
        );
        let share = |d| f64::from(table.counts[&birth_key(d)]) / 700.0;
        assert!((table.typical / share(placeholder)).log2() < -5.0);
        assert!((table.typical / share(start)).log2().abs() < 1e-9);
        // Names are not held to it: their commonest values are common indeed (everyone here is
        // an Anna, and two of them share the name every time).
        let names = &tables[MatchField::FirstName.index()];
        assert!((names.typical - 1.0).abs() < 1e-12, "{}", names.typical);
    }
}
