//! A customer reduced to what matching compares, normalised once: folded names, lower-case
//! emails and their provider-folded mailboxes, E.164 phones, birth date, address keys.

use chrono::NaiveDate;

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

/// Domains whose mailboxes ignore `+tags`.
const PLUS_TAG_DOMAINS: &[&str] = &[
    "gmail.com",
    "outlook.com",
    "hotmail.com",
    "hotmail.fr",
    "live.com",
    "live.fr",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "fastmail.com",
    "protonmail.com",
    "proton.me",
];

/// The mailbox an address delivers to: `googlemail.com` is `gmail.com`, dots don't count at
/// gmail, and `+tags` don't count at the providers that ignore them.
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
    let mut local = local;
    if PLUS_TAG_DOMAINS.contains(&domain) {
        local = local.split('+').next().unwrap_or(local);
    }
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
        }
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
    let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).take(3).collect();
    match diff.as_slice() {
        [_] => true,
        [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailboxes_fold_provider_aliases_only() {
        assert_eq!(mailbox("J.Doe+trips@GMail.com"), "jdoe@gmail.com");
        assert_eq!(mailbox("jdoe@googlemail.com"), "jdoe@gmail.com");
        assert_eq!(mailbox("j.doe+x@outlook.com"), "j.doe@outlook.com");
        assert_eq!(mailbox("j.doe+x@example.fr"), "j.doe+x@example.fr");
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
