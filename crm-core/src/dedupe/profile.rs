//! A customer reduced to what matching compares, normalised once: folded names, lower-case
//! emails and their provider-folded mailboxes, E.164 phones, birth date, address keys.

use chrono::NaiveDate;

use super::compare::{key as key_of, key_of_bytes};

use crate::model::{Customer, CustomerId, fold};

/// What matching compares of one customer.
#[derive(Debug, Clone)]
pub(crate) struct Profile {
    pub(crate) id: CustomerId,
    /// Creation time in microseconds: the oldest of a cluster comes first.
    pub(crate) created: i64,
    /// Last change in microseconds: whether a pair is new since a run.
    pub(crate) updated: i64,
    /// The first name folded (accents, scripts, punctuation), and in lower case as typed.
    pub(crate) first: String,
    pub(crate) first_lower: String,
    /// The last name, likewise.
    pub(crate) last: String,
    pub(crate) last_lower: String,
    /// Main and secondary emails, lower case, sorted.
    pub(crate) emails: Vec<String>,
    /// The mailboxes of those emails once provider aliases are folded, sorted.
    pub(crate) mailboxes: Vec<String>,
    /// Every phone in E.164, sorted.
    pub(crate) phones: Vec<String>,
    /// The subscriber digits of every phone (its last eight digits, or all of six or seven),
    /// verified or not, sorted: the same number typed with or without country or area code.
    pub(crate) tails: Vec<String>,
    pub(crate) birth: Option<NaiveDate>,
    pub(crate) street: Option<String>,
    /// The house number of the street (its first run of digits).
    pub(crate) number: Option<String>,
    pub(crate) zip: Option<String>,
    pub(crate) city: Option<String>,
    /// What a first look at a pair reads, in a few cache lines.
    pub(crate) sketch: Sketch,
}

/// The keys ([`key`](super::compare::key)) of a profile's values that a first look at a pair
/// compares: reading them touches no other memory than theirs (the finder looks at tens of
/// millions of pairs in no order). A key of 0 is a value missing. Equal keys are taken for equal
/// values: two values of one tenant share a 64-bit key about once in 2^64 pairs, as the
/// term-frequency tables already assume.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Sketch {
    /// The first and last names folded, and in lower case as typed.
    pub(crate) first: u64,
    pub(crate) first_lower: u64,
    pub(crate) last: u64,
    pub(crate) last_lower: u64,
    /// The first letter of the first and last names folded (`\0` when empty).
    pub(crate) initials: [char; 2],
    /// The length in characters of the first and last names folded (at most 255): names whose
    /// lengths are two apart are not one edit apart.
    pub(crate) lengths: [u8; 2],
    /// Whether the first name folded is in a nickname group.
    pub(crate) nicknamed: bool,
    pub(crate) birth: Option<NaiveDate>,
    pub(crate) street: u64,
    pub(crate) zip: u64,
    pub(crate) city: u64,
    /// How many emails, mailboxes, phones and subscriber digits `keys` holds.
    pub(crate) counts: [u8; 4],
    /// Each email's key and its mailbox's key (by email key), then the mailboxes, the phones and
    /// the subscriber digits (each part by key), then each mailbox's local part's key (dots
    /// left out) and shape.
    pub(crate) keys: Box<[u64]>,
}

impl Sketch {
    /// The sketch of `p`'s values.
    pub(crate) fn of(p: &Profile) -> Self {
        let k = |s: &str| if s.is_empty() { 0 } else { key_of(s) };
        let opt = |s: &Option<String>| s.as_deref().map_or(0, key_of);
        let take = |n: usize| u8::try_from(n).unwrap_or(u8::MAX);
        let mut emails: Vec<(u64, u64)> = p
            .emails
            .iter()
            .take(usize::from(u8::MAX))
            .map(|e| (key_of(e), key_of(&mailbox(e))))
            .collect();
        emails.sort_unstable();
        let sorted = |values: &[String]| {
            let mut keys: Vec<u64> = values
                .iter()
                .take(usize::from(u8::MAX))
                .map(|v| key_of(v))
                .collect();
            keys.sort_unstable();
            keys
        };
        let (mailboxes, phones, tails) =
            (sorted(&p.mailboxes), sorted(&p.phones), sorted(&p.tails));
        let mut keys =
            Vec::with_capacity(emails.len() * 2 + mailboxes.len() * 3 + phones.len() + tails.len());
        for (e, m) in &emails {
            keys.extend([*e, *m]);
        }
        keys.extend(&mailboxes);
        keys.extend(&phones);
        keys.extend(&tails);
        for m in p.mailboxes.iter().take(usize::from(u8::MAX)) {
            let local = m.rsplit_once('@').map_or(m.as_str(), |(local, _)| local);
            let undotted = key_of_bytes(local.bytes().filter(|&b| b != b'.'));
            keys.extend([undotted, shape(m)]);
        }
        Self {
            first: k(&p.first),
            first_lower: k(&p.first_lower),
            last: k(&p.last),
            last_lower: k(&p.last_lower),
            initials: super::compare::initials(p),
            lengths: [&p.first, &p.last].map(|name| take(name.chars().count())),
            nicknamed: !super::names::nickname_groups(&p.first).is_empty(),
            birth: p.birth,
            street: opt(&p.street),
            zip: opt(&p.zip),
            city: opt(&p.city),
            counts: [
                take(emails.len()),
                take(mailboxes.len()),
                take(phones.len()),
                take(tails.len()),
            ],
            keys: keys.into_boxed_slice(),
        }
    }

    /// The emails as (email key, mailbox key), by email key.
    pub(crate) fn emails(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.keys[..usize::from(self.counts[0]) * 2]
            .chunks_exact(2)
            .map(|pair| (pair[0], pair[1]))
    }

    fn part(&self, n: usize) -> &[u64] {
        let start = usize::from(self.counts[0]) * 2
            + self.counts[1..n]
                .iter()
                .map(|&c| usize::from(c))
                .sum::<usize>();
        &self.keys[start..start + usize::from(self.counts[n])]
    }

    /// The mailboxes' keys, sorted.
    pub(crate) fn mailboxes(&self) -> &[u64] {
        self.part(1)
    }

    /// The phones' keys, sorted.
    pub(crate) fn phones(&self) -> &[u64] {
        self.part(2)
    }

    /// The subscriber digits' keys, sorted.
    pub(crate) fn tails(&self) -> &[u64] {
        self.part(3)
    }

    /// Each mailbox's local part's key (dots left out) and [`shape`].
    pub(crate) fn mailbox_shapes(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        let start = usize::from(self.counts[0]) * 2
            + self.counts[1..]
                .iter()
                .map(|&c| usize::from(c))
                .sum::<usize>();
        self.keys[start..start + usize::from(self.counts[1]) * 2]
            .chunks_exact(2)
            .map(|pair| (pair[0], pair[1]))
    }
}

/// The shape of a text: its length in characters (top eight bits) and which characters it
/// holds (a bit per letter, digit, common sign, or group of other characters). Two texts one
/// edit apart have lengths at most one apart and differ in at most two of those bits.
pub(crate) fn shape(text: &str) -> u64 {
    let mut mask = 0u64;
    let mut length = 0u64;
    for c in text.chars() {
        length += 1;
        let bit = match c {
            'a'..='z' => u32::from(c) - u32::from('a'),
            '0'..='9' => 26 + u32::from(c) - u32::from('0'),
            '.' => 36,
            '_' => 37,
            '-' => 38,
            '+' => 39,
            '@' => 40,
            _ => 41 + u32::from(c) % 15,
        };
        mask |= 1 << bit;
    }
    (length.min(255) << 56) | mask
}

/// Whether two [`shape`]s allow their texts to be one edit apart.
pub(crate) fn may_be_one_edit(x: u64, y: u64) -> bool {
    const MASK: u64 = (1 << 56) - 1;
    (x >> 56).abs_diff(y >> 56) <= 1 && ((x ^ y) & MASK).count_ones() <= 2
}

impl Profile {
    /// The name in an order-free form (`dupont helene` for both Hélène Dupont and Dupont
    /// Hélène), so that swapped names sort side by side.
    pub(crate) fn name_key(&self) -> (&str, &str) {
        if self.first <= self.last {
            (&self.first, &self.last)
        } else {
            (&self.last, &self.first)
        }
    }
}

/// Folded, with every run of non-alphanumeric characters made one space.
fn key(value: &str) -> String {
    let folded = fold(value);
    let mut out = String::with_capacity(folded.len());
    for word in folded.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn optional_key(value: Option<&str>) -> Option<String> {
    value.map(key).filter(|k| !k.is_empty())
}

/// The mailbox an address delivers to: `googlemail.com` is `gmail.com`, dots don't count at
/// gmail, and a `+tag` (a subaddress, RFC 5233) doesn't count at any domain: most providers
/// deliver `name+tag@` to `name@`, and two people whose addresses differ only in a tag are
/// rarer than one person who tagged an address once.
pub(crate) fn mailbox(email: &str) -> String {
    let email = email.trim().to_lowercase();
    let Some((local, domain)) = email.rsplit_once('@') else {
        return email;
    };
    let domain = if domain == "googlemail.com" {
        "gmail.com"
    } else {
        domain
    };
    let local = local.split('+').next().unwrap_or(local);
    let local = if domain == "gmail.com" {
        local.replace('.', "")
    } else {
        local.to_owned()
    };
    if local.is_empty() {
        // `+x@gmail.com` is no mailbox to share.
        return email;
    }
    format!("{local}@{domain}")
}

fn sorted(mut values: Vec<String>) -> Vec<String> {
    values.sort_unstable();
    values.dedup();
    values
}

impl Profile {
    /// The profile of a customer (stored, or validated but not yet saved).
    pub(crate) fn of(c: &Customer) -> Self {
        let emails: Vec<String> = c
            .email
            .iter()
            .chain(&c.secondary_emails)
            .map(|e| e.trim().to_lowercase())
            .collect();
        let mailboxes = emails.iter().map(|e| mailbox(e)).collect();
        // The emergency phone is someone else's.
        let own = || {
            [&c.phone, &c.mobile, &c.fax]
                .into_iter()
                .flatten()
                .chain(&c.secondary_phones)
        };
        // Only numbers that fit a plan: an unverified one may be missing its area code.
        let phones = own().filter_map(|p| p.e164.clone()).collect();
        let tails = own()
            .flat_map(|p| {
                let typed = tail(&p.typed_digits());
                let e164 = p.e164.as_deref().and_then(tail);
                typed.into_iter().chain(e164)
            })
            .collect();
        let street = optional_key(c.address.street.as_deref());
        let number = street.as_deref().and_then(|s| {
            s.split(' ')
                .find(|w| w.starts_with(|ch: char| ch.is_ascii_digit()))
                .map(|w| w.chars().take_while(char::is_ascii_digit).collect())
        });
        let lower = |name: &str| name.trim().to_lowercase();
        Self {
            id: c.id,
            created: c.created_at.timestamp_micros(),
            updated: c.updated_at.timestamp_micros(),
            first: key(&c.first_name),
            first_lower: lower(&c.first_name),
            last: key(&c.last_name),
            last_lower: lower(&c.last_name),
            emails: sorted(emails),
            mailboxes: sorted(mailboxes),
            phones: sorted(phones),
            tails: sorted(tails),
            birth: c.birth_date,
            number,
            street,
            zip: optional_key(c.address.zip.as_deref()).map(|z| z.replace(' ', "")),
            city: optional_key(c.address.city.as_deref()),
            // Made by the finder, in its order (see `Sketch`).
            sketch: Sketch::default(),
        }
    }

    /// The profile with its sketch made.
    #[cfg(test)]
    pub(crate) fn sketched(mut self) -> Self {
        self.sketch = Sketch::of(&self);
        self
    }
}

/// The subscriber digits of a number: its last eight digits, or all of six or seven; none for
/// fewer.
fn tail(digits: &str) -> Option<String> {
    let digits: String = digits.chars().filter(char::is_ascii_digit).collect();
    match digits.len() {
        0..=5 => None,
        6..=8 => Some(digits),
        n => Some(digits[n - 8..].to_owned()),
    }
}

/// Whether two strings of digits (or any ASCII) of one length differ in one place, or by two
/// neighbours swapped.
pub(crate) fn digits_apart(a: &str, b: &str) -> bool {
    digits_apart_bytes(a.as_bytes(), b.as_bytes())
}

/// [`digits_apart`] on bytes.
pub(crate) fn digits_apart_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    // The first two places they differ, and whether there is a third (no allocation: every
    // pair of birth dates the finder looks at comes here).
    let mut places = (0..a.len()).filter(|&i| a[i] != b[i]);
    match (places.next(), places.next(), places.next()) {
        (Some(_), None, _) => true,
        (Some(i), Some(j), None) => j == i + 1 && a[i] == b[j] && a[j] == b[i],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailboxes_fold_tags_everywhere_and_dots_at_gmail() {
        assert_eq!(mailbox("J.Doe+trips@GMail.com"), "jdoe@gmail.com");
        assert_eq!(mailbox("jdoe@googlemail.com"), "jdoe@gmail.com");
        assert_eq!(mailbox("j.doe+x@outlook.com"), "j.doe@outlook.com");
        assert_eq!(mailbox("j.doe+x@example.fr"), "j.doe@example.fr");
        assert_eq!(mailbox("not-an-address"), "not-an-address");
        assert_eq!(mailbox("+x@gmail.com"), "+x@gmail.com");
    }

    #[test]
    fn tails_and_digit_typos() {
        assert_eq!(tail("61391234567").as_deref(), Some("91234567"));
        assert_eq!(tail("9123 4567").as_deref(), Some("91234567"));
        assert_eq!(tail("12345"), None);
        assert!(digits_apart("19161027", "19161017"));
        assert!(digits_apart("19161027", "19160127"));
        assert!(!digits_apart("19161027", "19161027"));
        assert!(!digits_apart("19161027", "19160172"));
    }

    #[test]
    fn keys_fold_and_collapse_punctuation() {
        assert_eq!(key("  12, Rue de l'Église "), "12 rue de l eglise");
        assert_eq!(key("Núñez-García"), "nunez garcia");
    }
}
