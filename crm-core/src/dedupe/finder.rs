//! The batch finder: blocking keys so that only customers sharing something are compared, pair
//! scores on every core, and clusters of matching pairs (union-find).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::names::nickname_groups;
use super::profile::Profile;
use super::score::score;
use super::{DuplicateCluster, DuplicatePair, FindOptions, MatchReason};

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
    for phone in &p.phones {
        out.push(hashed(&["p", phone]));
    }
    let contacts = out.len();
    let (first, last) = (p.first.as_str(), p.last.as_str());
    if first.is_empty() && last.is_empty() {
        // A name that folds to nothing is unknown: it would block everyone alike.
        return contacts;
    }
    if !first.is_empty() && !last.is_empty() {
        // Name keys, in both orders so that swapped names meet. A record with one name (the
        // tenant's name rule allows it) meets others by its contacts, birth date and address.
        out.push(hashed(&["n", head(last, 4), head(first, 1)]));
        out.push(hashed(&["n", head(first, 4), head(last, 1)]));
        for group in nickname_groups(first) {
            out.push(hashed(&["k", head(last, 4), &group.to_string()]));
        }
    }
    if let Some(birth) = p.birth {
        out.push(hashed(&["b", &birth.to_string(), head(first, 1)]));
    }
    if let (Some(zip), Some(street)) = (&p.zip, &p.street) {
        out.push(hashed(&["a", zip, head(street, 10)]));
    }
    contacts
}

/// A pair that scored at or above the threshold: indexes into the profiles.
type Scored = (u32, u32, f64, Vec<MatchReason>);

/// Blocks per unit of work between progress reports.
const BLOCKS_PER_STEP: usize = 8192;

/// Finds the clusters of likely duplicates among `profiles`. `progress(done, total)` follows
/// the blocks compared.
pub(crate) fn find(
    profiles: &[Profile],
    options: &FindOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Vec<DuplicateCluster> {
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(profiles.len() * 6);
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

    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let total = blocks.len() as u64;
    let mut found: Vec<Scored> = Vec::new();
    for (step, chunk) in blocks.chunks(BLOCKS_PER_STEP).enumerate() {
        let per_thread = chunk.len().div_ceil(threads).max(1);
        let scored: Vec<Vec<Scored>> = std::thread::scope(|scope| {
            let workers: Vec<_> = chunk
                .chunks(per_thread)
                .map(|part| scope.spawn(|| compare_blocks(part, &keyed, profiles, options)))
                .collect();
            workers
                .into_iter()
                .map(|w| {
                    w.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        found.extend(scored.into_iter().flatten());
        let done = ((step * BLOCKS_PER_STEP + chunk.len()) as u64).min(total);
        progress(done, total);
    }
    if blocks.is_empty() {
        progress(0, 0);
    }
    clusters(profiles, found)
}

/// Scores the pairs of each block: every pair of a small block; in a large one, each member
/// against its `window` neighbours in name order.
fn compare_blocks(
    blocks: &[std::ops::Range<usize>],
    keyed: &[(u64, u32)],
    profiles: &[Profile],
    options: &FindOptions,
) -> Vec<Scored> {
    let mut out = Vec::new();
    let mut members: Vec<u32> = Vec::new();
    for block in blocks {
        members.clear();
        members.extend(keyed[block.clone()].iter().map(|&(_, i)| i));
        let at = |i: u32| &profiles[i as usize];
        let window = options.window;
        if members.len() > window.saturating_add(1) {
            // Side by side: the same name in either order, then the same birth date and zip.
            members.sort_by(|&x, &y| {
                let (a, b) = (at(x), at(y));
                (a.name_key(), a.birth, &a.zip).cmp(&(b.name_key(), b.birth, &b.zip))
            });
        }
        for (n, &x) in members.iter().enumerate() {
            for &y in members.iter().skip(n + 1).take(window) {
                let (s, reasons) = score(at(x), at(y), &options.config);
                if s >= options.config.threshold {
                    out.push((x.min(y), x.max(y), s, reasons));
                }
            }
        }
    }
    out
}

/// Groups matching pairs into clusters (union-find), strongest pairs first. Two groups whose
/// members have different known birth dates are never joined: a customer without a birth date
/// who matches a father and his namesake son must not make them one person. A pair left
/// between two clusters that way is dropped.
fn clusters(profiles: &[Profile], mut found: Vec<Scored>) -> Vec<DuplicateCluster> {
    found.sort_by_key(|x| (x.0, x.1));
    found.dedup_by(|x, y| x.0 == y.0 && x.1 == y.1);
    found.sort_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
    let mut parent: HashMap<u32, u32> = HashMap::new();
    // The known birth date of each group, by its root.
    let mut birth: HashMap<u32, chrono::NaiveDate> = HashMap::new();
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
    let mut kept = Vec::with_capacity(found.len());
    for pair in found {
        let (a, b) = (pair.0, pair.1);
        for x in [a, b] {
            if parent.insert(x, *parent.get(&x).unwrap_or(&x)).is_none()
                && let Some(date) = profiles[x as usize].birth
            {
                birth.insert(x, date);
            }
        }
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            match (birth.get(&ra).copied(), birth.get(&rb).copied()) {
                (Some(x), Some(y)) if x != y => continue,
                (x, y) => {
                    let (keep, gone) = (ra.min(rb), ra.max(rb));
                    parent.insert(gone, keep);
                    if let Some(date) = x.or(y) {
                        birth.insert(keep, date);
                    }
                }
            }
        }
        kept.push(pair);
    }
    let found = kept;
    let mut groups: HashMap<u32, (Vec<u32>, Vec<Scored>)> = HashMap::new();
    let members: Vec<u32> = parent.keys().copied().collect();
    for m in members {
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
                    .map(|(a, b, score, reasons)| DuplicatePair {
                        a: at(a).id,
                        b: at(b).id,
                        score,
                        reasons,
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
