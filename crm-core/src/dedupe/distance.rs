//! String distances for comparing names, emails and streets: `strsim`'s optimal string alignment
//! and Jaro-Winkler, with the same results, computed on bytes without allocating when both
//! strings are ASCII and short (as folded names, mailboxes and streets nearly always are); other
//! strings go to `strsim` itself. The finder compares tens of millions of pairs: this is where
//! its time goes.

/// Longest string (in bytes) the fast paths take.
const SHORT: usize = 64;

/// Whether both strings take the fast paths.
fn fast(a: &str, b: &str) -> bool {
    a.len() <= SHORT && b.len() <= SHORT && a.is_ascii() && b.is_ascii()
}

/// The optimal-string-alignment distance (edits: a character changed, added, removed, or two
/// neighbours swapped), as [`strsim::osa_distance`].
pub(crate) fn osa(a: &str, b: &str) -> usize {
    if !fast(a, b) {
        return strsim::osa_distance(a, b);
    }
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    // What both begin and end with costs nothing: a typo leaves most of a name alone.
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    if a.is_empty() || b.is_empty() {
        return a.len().max(b.len());
    }
    let width = b.len() + 1;
    // Three rows, turned over rather than copied.
    let mut rows = [[0u8; SHORT + 1]; 3];
    let (mut two_back, mut back, mut row) = (0, 1, 2);
    for (j, slot) in rows[back].iter_mut().enumerate().take(width) {
        *slot = u8::try_from(j).unwrap_or(u8::MAX);
    }
    for (i, &x) in a.iter().enumerate() {
        rows[row][0] = u8::try_from(i + 1).unwrap_or(u8::MAX);
        for (j, &y) in b.iter().enumerate() {
            let cost = u8::from(x != y);
            let mut best = (rows[row][j] + 1)
                .min(rows[back][j + 1] + 1)
                .min(rows[back][j] + cost);
            if i > 0 && j > 0 && x != y && x == b[j - 1] && y == a[i - 1] {
                best = best.min(rows[two_back][j - 1] + 1);
            }
            rows[row][j + 1] = best;
        }
        (two_back, back, row) = (back, row, two_back);
    }
    usize::from(rows[back][b.len()])
}

/// Whether two strings are at most one edit apart (see [`osa`]), without counting further.
pub(crate) fn within_one_edit(a: &str, b: &str) -> bool {
    if !a.is_ascii() || !b.is_ascii() {
        return strsim::osa_distance(a, b) <= 1;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    // The first place they differ.
    let Some(i) = short.iter().zip(long).position(|(x, y)| x != y) else {
        // One is the other, or the other with one more at the end.
        return true;
    };
    if short.len() == long.len() {
        // One changed, or two neighbours swapped.
        short[i + 1..] == long[i + 1..]
            || (i + 1 < short.len()
                && short[i] == long[i + 1]
                && short[i + 1] == long[i]
                && short[i + 2..] == long[i + 2..])
    } else {
        // One added in the longer.
        short[i..] == long[i + 1..]
    }
}

/// Whether the longer of two strings one letter apart in length is the shorter with one letter
/// added and one more edit anywhere (a letter dropped and two letters swapped across it:
/// `oliver` and `ovler`). [`osa`] counts such a pair three edits apart: it never edits a
/// letter twice.
pub(crate) fn dropped_and_one_edit(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if !long.is_ascii() || !short.is_ascii() || long.len() != short.len() + 1 || long.len() > SHORT
    {
        return false;
    }
    let long = long.as_bytes();
    let mut without = [0u8; SHORT];
    (0..long.len()).any(|i| {
        without[..i].copy_from_slice(&long[..i]);
        without[i..long.len() - 1].copy_from_slice(&long[i + 1..]);
        std::str::from_utf8(&without[..long.len() - 1]).is_ok_and(|w| within_one_edit(w, short))
    })
}

/// The Jaro-Winkler similarity, as [`strsim::jaro_winkler`].
pub(crate) fn jaro_winkler(a: &str, b: &str) -> f64 {
    if !fast(a, b) {
        return strsim::jaro_winkler(a, b);
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let sim = jaro(a, b);
    if sim > 0.7 {
        let prefix = a.iter().take(4).zip(b).take_while(|(x, y)| x == y).count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// The Jaro similarity of two short byte strings, as `strsim::generic_jaro`.
fn jaro(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let range = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_flags = [false; SHORT];
    let mut b_flags = [false; SHORT];
    let mut matches = 0usize;
    for (i, &x) in a.iter().enumerate() {
        let low = i.saturating_sub(range);
        let high = b.len().min(i + range + 1);
        for j in low..high {
            if x == b[j] && !b_flags[j] {
                a_flags[i] = true;
                b_flags[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut k = 0;
    for (i, &x) in a.iter().enumerate() {
        if !a_flags[i] {
            continue;
        }
        while !b_flags[k] {
            k += 1;
        }
        if x != b[k] {
            transpositions += 1;
        }
        k += 1;
    }
    transpositions /= 2;
    let m = matches as f64;
    ((m / a.len() as f64) + (m / b.len() as f64) + ((matches - transpositions) as f64 / m)) / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Short strings over a small alphabet (so that they are often close), some not ASCII,
    /// some longer than the fast paths take.
    fn words(count: usize) -> Vec<String> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let letters = ['a', 'b', 'e', 'n', 'r', 'é', ' ', '.'];
        let mut out: Vec<String> = (0..count)
            .map(|_| {
                let len = if rng.random_bool(0.02) {
                    rng.random_range(60..80)
                } else {
                    rng.random_range(0..9)
                };
                (0..len)
                    .map(|_| {
                        let c = letters[rng.random_range(0..letters.len())];
                        if c == 'é' && rng.random_bool(0.7) {
                            'e'
                        } else {
                            c
                        }
                    })
                    .collect()
            })
            .collect();
        out.extend(
            [
                "jean", "jaen", "jena", "jeanne", "", "martha", "marhta", "dixon", "dicksonx",
            ]
            .map(String::from),
        );
        out
    }

    #[test]
    fn the_fast_paths_give_what_strsim_gives() {
        let words = words(400);
        for a in &words {
            for b in &words {
                let edits = strsim::osa_distance(a, b);
                assert_eq!(osa(a, b), edits, "{a:?} {b:?}");
                assert_eq!(within_one_edit(a, b), edits <= 1, "{a:?} {b:?}");
                let (ours, theirs) = (jaro_winkler(a, b), strsim::jaro_winkler(a, b));
                assert!(
                    (ours - theirs).abs() < 1e-12,
                    "{a:?} {b:?}: {ours} {theirs}"
                );
            }
        }
    }
}
