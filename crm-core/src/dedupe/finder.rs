//! The batch finder: blocking keys so that only customers sharing something are compared, the
//! comparison of every candidate pair on every core, the model learned from those comparisons
//! (unless one is given), and clusters of matching pairs (union-find).

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

use super::compare::{Gamma, compare, conflict, unpack};
use super::learn::{Patterns, learn};
use super::model::{MatchModel, Scorer, probability};
use super::names::nickname_groups;
use super::profile::Profile;
use super::{DuplicateCluster, DuplicatePair, FindOptions};
use crate::error::{Error, Result};
use crate::model::CustomerId;

/// The first `n` characters of `s`.
fn head(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

fn hashed(parts: &[&str]) -> u64 {
    let mut h = DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}

/// The blocking keys of a profile: customers sharing none are never compared. The contact keys
/// (emails, mailboxes, phones) come first; returns how many there are.
pub(super) fn keys(p: &Profile, out: &mut Vec<u64>) -> usize {
    for email in &p.emails {
        out.push(hashed(&["e", email]));
    }
    for mailbox in &p.mailboxes {
        if !p.emails.contains(mailbox) {
            out.push(hashed(&["e", mailbox]));
        }
    }
    for tail in &p.tails {
        out.push(hashed(&["p", tail]));
    }
    let contacts = out.len();
    let (first, last) = (p.first.as_str(), p.last.as_str());
    if !first.is_empty() && !last.is_empty() {
        // Name keys, in both orders so that swapped names meet; a typo in the first letters of
        // one name still meets by the other.
        out.push(hashed(&["n", head(last, 4), head(first, 1)]));
        out.push(hashed(&["n", head(first, 4), head(last, 1)]));
        out.push(hashed(&["m", head(first, 3), head(last, 3)]));
        out.push(hashed(&["m", head(last, 3), head(first, 3)]));
        for group in nickname_groups(first) {
            out.push(hashed(&["k", head(last, 4), &group.to_string()]));
        }
    } else if !first.is_empty() || !last.is_empty() {
        // One name (the tenant's name rule allows it): meets the same name in either field.
        out.push(hashed(&["o", head(&format!("{first}{last}"), 6)]));
    }
    if let Some(birth) = p.birth {
        out.push(hashed(&["b", &birth.to_string()]));
    }
    if let Some(zip) = &p.zip {
        if let Some(street) = &p.street {
            out.push(hashed(&["a", zip, head(street, 10)]));
        }
        if let Some(number) = &p.number {
            out.push(hashed(&["z", zip, number]));
        }
    }
    contacts
}

/// Candidate pairs per customer at most (before the same pair found in several blocks is
/// counted once): the bound on the finder's memory, about 12 bytes a pair. A customer has at
/// most a dozen keys, so the default window (24) stays below it; windows much larger may not.
const MAX_PAIRS_PER_CUSTOMER: usize = 600;

/// The bound for a small tenant.
const MIN_PAIRS_CAP: usize = 10_000_000;

/// Blocks per unit of work between progress reports.
const BLOCKS_PER_STEP: usize = 8192;

/// Neighbours in the order of names (either order of first and last) each customer is compared
/// with, whatever it shares: the sorted-neighbourhood pass that catches what no key caught.
const NEIGHBOURS: usize = 4;

/// What a run of the finder found, and the model it scored with.
pub(crate) struct Found {
    pub(crate) clusters: Vec<DuplicateCluster>,
    pub(crate) model: MatchModel,
}

/// A pair of profile indexes, the lower first, as one number.
fn pair(x: u32, y: u32) -> u64 {
    (u64::from(x.min(y)) << 32) | u64::from(x.max(y))
}

fn halves(p: u64) -> (u32, u32) {
    (
        u32::try_from(p >> 32).unwrap_or(u32::MAX),
        u32::try_from(p & 0xffff_ffff).unwrap_or(u32::MAX),
    )
}

/// The candidate pairs of `profiles`: those sharing a blocking key (every pair of a small
/// block; in a large one, each member with its `window` neighbours in name order), and the
/// neighbours in name order. Each pair once.
fn candidates(
    profiles: &[Profile],
    window: usize,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Vec<u64>> {
    let cap = MAX_PAIRS_PER_CUSTOMER
        .saturating_mul(profiles.len())
        .max(MIN_PAIRS_CAP);
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(profiles.len() * 10);
    let mut scratch = Vec::new();
    for (i, p) in profiles.iter().enumerate() {
        scratch.clear();
        keys(p, &mut scratch);
        scratch.sort_unstable();
        scratch.dedup();
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        keyed.extend(scratch.iter().map(|&k| (k, i)));
    }
    keyed.sort_unstable();
    let mut blocks: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    while start < keyed.len() {
        let mut end = start + 1;
        while end < keyed.len() && keyed[end].0 == keyed[start].0 {
            end += 1;
        }
        if end - start > 1 {
            blocks.push(start..end);
        }
        start = end;
    }
    // Everyone in name order (either order of first and last), then birth date and zip: the
    // order of large blocks and of the sorted neighbourhood, sorted once.
    let mut order: Vec<u32> = (0..profiles.len())
        .filter_map(|i| u32::try_from(i).ok())
        .collect();
    order.sort_by(|&x, &y| {
        let (a, b) = (&profiles[x as usize], &profiles[y as usize]);
        (a.name_key(), a.birth, &a.zip).cmp(&(b.name_key(), b.birth, &b.zip))
    });
    let mut rank = vec![0u32; profiles.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i as usize] = u32::try_from(r).unwrap_or(u32::MAX);
    }
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let total = blocks.len() as u64;
    let mut pairs: Vec<u64> = Vec::new();
    for (step, chunk) in blocks.chunks(BLOCKS_PER_STEP).enumerate() {
        let per_thread = chunk.len().div_ceil(threads).max(1);
        let parts: Vec<Vec<u64>> = std::thread::scope(|scope| {
            let workers: Vec<_> = chunk
                .chunks(per_thread)
                .map(|part| scope.spawn(|| block_pairs(part, &keyed, &rank, window)))
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        for part in parts {
            pairs.extend(part);
        }
        if pairs.len() > cap {
            return Err(Error::validation(
                "window",
                format!(
                    "compares more than {cap} pairs of customers (blocks too large for it): \
                     a smaller window compares fewer"
                ),
            ));
        }
        let done = ((step * BLOCKS_PER_STEP + chunk.len()) as u64).min(total);
        progress(done, total);
    }
    // Sorted neighbourhood over the order-free name.
    for (n, &x) in order.iter().enumerate() {
        for &y in order.iter().skip(n + 1).take(NEIGHBOURS) {
            pairs.push(pair(x, y));
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    Ok(pairs)
}

/// The pairs of each block: every pair of a small block; in a large one, each member with its
/// `window` neighbours in name order.
fn block_pairs(
    blocks: &[std::ops::Range<usize>],
    keyed: &[(u64, u32)],
    rank: &[u32],
    window: usize,
) -> Vec<u64> {
    let mut out = Vec::new();
    let mut members: Vec<u32> = Vec::new();
    for block in blocks {
        members.clear();
        members.extend(keyed[block.clone()].iter().map(|&(_, i)| i));
        if members.len() > window.saturating_add(1) {
            // Side by side: the same name in either order, then the same birth date and zip.
            members.sort_by_key(|&x| rank[x as usize]);
        }
        for (n, &x) in members.iter().enumerate() {
            for &y in members.iter().skip(n + 1).take(window) {
                out.push(pair(x, y));
            }
        }
    }
    out
}

/// `f` over `0..n` cut in one range per core, the results in order.
fn on_ranges<U: Send>(n: usize, f: impl Fn(std::ops::Range<usize>) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let per_thread = n.div_ceil(threads).max(1);
    let ranges = (0..n)
        .step_by(per_thread)
        .map(|start| start..(start + per_thread).min(n))
        .collect();
    crate::parallel::map(ranges, 2, f)
}

/// A pair that scored at or above the threshold: indexes into the profiles, probability,
/// comparison.
type Scored = (u32, u32, f64, Gamma);

/// Finds the clusters of likely duplicates among `profiles`, scoring with `model`, or with a
/// model learned from them when `None`. Pairs in `reviewed` (customer ids, the lower first) are
/// never reported, nor joined in one cluster through others. `progress(done, total)` follows the blocks enumerated.
pub(crate) fn find(
    profiles: &[Profile],
    options: &FindOptions,
    model: Option<MatchModel>,
    reviewed: &HashSet<(CustomerId, CustomerId)>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Found> {
    let pairs = candidates(profiles, options.window, progress)?;
    let (model, patterns) = match model {
        Some(model) => (model, None),
        None => {
            let (model, patterns) = learn_pairs(profiles, &pairs);
            (model, Some(patterns))
        }
    };
    let scorer = Scorer::new(&model, &options.config.weights, options.config.threshold);
    let found: Vec<Scored> = on_ranges(pairs.len(), |range| {
        let mut out = Vec::new();
        for i in range {
            // The levels known from learning say whether a pair can reach the threshold at
            // all; most cannot, and are not compared again.
            if let Some(patterns) = &patterns {
                let (base, up) = scorer.base(&unpack(patterns[i]));
                if base + up < scorer.threshold_bits {
                    continue;
                }
            }
            let (x, y) = halves(pairs[i]);
            let (a, b) = (&profiles[x as usize], &profiles[y as usize]);
            let g = compare(a, b);
            let (base, up) = scorer.base(&g.levels);
            if base + up < scorer.threshold_bits {
                continue;
            }
            let total = scorer.total(&g);
            if total >= scorer.threshold_bits && !reviewed.contains(&ordered(a.id, b.id)) {
                out.push((x, y, probability(total), g));
            }
        }
        out
    })
    .into_iter()
    .flatten()
    .collect();
    let mut clusters = clusters(profiles, found, &scorer, reviewed);
    if let Some(since) = options.since {
        // A pair is new when one of its customers was made or changed since then.
        let since = since.timestamp_micros();
        let members: HashSet<CustomerId> = clusters
            .iter()
            .flat_map(|c| &c.customers)
            .copied()
            .collect();
        let new: HashSet<CustomerId> = profiles
            .iter()
            .filter(|p| p.updated >= since && members.contains(&p.id))
            .map(|p| p.id)
            .collect();
        clusters.retain(|c| {
            c.pairs
                .iter()
                .any(|pair| new.contains(&pair.a) || new.contains(&pair.b))
        });
    }
    Ok(Found { clusters, model })
}

/// The model learned from `profiles` over these candidate pairs, and the pattern of each pair.
fn learn_pairs(profiles: &[Profile], pairs: &[u64]) -> (MatchModel, Vec<u32>) {
    let parts: Vec<(Patterns, Vec<u32>)> = on_ranges(pairs.len(), |range| {
        let mut counts = Patterns::new();
        let mut each = Vec::with_capacity(range.len());
        for &p in &pairs[range] {
            let (x, y) = halves(p);
            let pattern = compare(&profiles[x as usize], &profiles[y as usize]).pattern();
            *counts.entry(pattern).or_default() += 1;
            each.push(pattern);
        }
        (counts, each)
    });
    let mut patterns = Patterns::new();
    let mut each = Vec::with_capacity(pairs.len());
    for (counts, part) in parts {
        for (p, n) in counts {
            *patterns.entry(p).or_default() += n;
        }
        each.extend(part);
    }
    (learn(profiles, &patterns), each)
}

/// The model learned from `profiles`, over the candidate pairs of blocks compared with
/// `window` neighbours.
pub(crate) fn learn_from(profiles: &[Profile], window: usize) -> Result<MatchModel> {
    let pairs = candidates(profiles, window, &mut |_, _| {})?;
    Ok(learn_pairs(profiles, &pairs).0)
}

/// Two ids, the lower first.
pub(crate) fn ordered(a: CustomerId, b: CustomerId) -> (CustomerId, CustomerId) {
    if a <= b { (a, b) } else { (b, a) }
}

/// Members of each of two groups checked against each other before they are joined: the
/// first ones (a group of hundreds sharing an office phone is not checked whole).
const CONFLICT_CHECKS: usize = 32;

/// Groups matching pairs into clusters (union-find), strongest pairs first. Two groups are not
/// joined through a pair when other members of theirs are surely two people (birth dates far
/// apart, first names with nothing in common): a customer without a birth date who matches a
/// father and his namesake son must not make them one person. A pair left between two
/// clusters that way is dropped.
fn clusters(
    profiles: &[Profile],
    mut found: Vec<Scored>,
    scorer: &Scorer,
    reviewed: &HashSet<(CustomerId, CustomerId)>,
) -> Vec<DuplicateCluster> {
    // The profiles a person said are not some others, with those others.
    let mut apart: HashMap<u32, Vec<u32>> = HashMap::new();
    if !reviewed.is_empty() {
        let index: HashMap<CustomerId, u32> = profiles
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id, i as u32))
            .collect();
        for (a, b) in reviewed {
            if let (Some(&i), Some(&j)) = (index.get(a), index.get(b)) {
                apart.entry(i).or_default().push(j);
                apart.entry(j).or_default().push(i);
            }
        }
    }
    found.sort_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
    let mut parent: HashMap<u32, u32> = HashMap::new();
    // The members of each group, by its root.
    let mut members: HashMap<u32, Vec<u32>> = HashMap::new();
    fn root(parent: &mut HashMap<u32, u32>, mut x: u32) -> u32 {
        while let Some(&p) = parent.get(&x) {
            if p == x {
                break;
            }
            let grand = parent.get(&p).copied().unwrap_or(p);
            parent.insert(x, grand);
            x = p;
        }
        x
    }
    // The root without shortening the path (for a check inside a borrow of the groups).
    fn root_of(parent: &HashMap<u32, u32>, mut x: u32) -> u32 {
        while let Some(&p) = parent.get(&x) {
            if p == x {
                break;
            }
            x = p;
        }
        x
    }
    let mut kept = Vec::with_capacity(found.len());
    for pair in found {
        let (a, b) = (pair.0, pair.1);
        for x in [a, b] {
            if parent.insert(x, *parent.get(&x).unwrap_or(&x)).is_none() {
                members.insert(x, vec![x]);
            }
        }
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            let at = |i: u32| &profiles[i as usize];
            let (x, y) = (&members[&ra], &members[&rb]);
            let conflicted = x.iter().take(CONFLICT_CHECKS).any(|&i| {
                y.iter()
                    .take(CONFLICT_CHECKS)
                    .any(|&j| (i, j) != (a, b) && (j, i) != (a, b) && conflict(at(i), at(j)))
            });
            // Nor may it join two records a person said are not one.
            let (small, other) = if x.len() <= y.len() { (x, rb) } else { (y, ra) };
            let decided = !apart.is_empty()
                && small.iter().any(|i| {
                    apart.get(i).is_some_and(|others| {
                        others
                            .iter()
                            .any(|&j| parent.contains_key(&j) && root_of(&parent, j) == other)
                    })
                });
            if conflicted || decided {
                continue;
            }
            // The larger group stays: members move once per doubling, not at every join.
            let (keep, gone) = if members[&ra].len() >= members[&rb].len() {
                (ra, rb)
            } else {
                (rb, ra)
            };
            parent.insert(gone, keep);
            let moved = members.remove(&gone).unwrap_or_default();
            members.entry(keep).or_default().extend(moved);
        }
        kept.push(pair);
    }
    let found = kept;
    let mut groups: HashMap<u32, (Vec<u32>, Vec<Scored>)> = HashMap::new();
    let all: Vec<u32> = parent.keys().copied().collect();
    for m in all {
        let r = root(&mut parent, m);
        groups.entry(r).or_default().0.push(m);
    }
    for pair in found {
        let r = root(&mut parent, pair.0);
        groups.entry(r).or_default().1.push(pair);
    }
    let mut out: Vec<DuplicateCluster> = groups
        .into_values()
        .filter(|(members, _)| members.len() > 1)
        .map(|(mut members, mut pairs)| {
            let at = |i: u32| &profiles[i as usize];
            members.sort_by_key(|&i| (at(i).created, at(i).id));
            pairs.sort_by(|x, y| y.2.total_cmp(&x.2));
            let score = pairs.first().map_or(0.0, |p| p.2);
            DuplicateCluster {
                customers: members.iter().map(|&i| at(i).id).collect(),
                pairs: pairs
                    .into_iter()
                    .map(|(a, b, score, gamma)| DuplicatePair {
                        a: at(a).id,
                        b: at(b).id,
                        score,
                        contributions: scorer.contributions(&gamma),
                    })
                    .collect(),
                score,
            }
        })
        .collect();
    out.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then_with(|| x.customers.cmp(&y.customers))
    });
    out
}
