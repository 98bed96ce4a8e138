//! How two customers compare, field by field, in graded levels: the comparison vector of the
//! Fellegi-Sunter model. Each field has its levels, best first and `different` last; a field
//! missing on either side has no level (it says nothing either way).

use super::names::{nickname, other_gender_form};
use super::profile::{Profile, digits_apart, digits_apart_bytes, mailbox};

crate::model::string_enum::string_enum!(
    /// A field compared by duplicate detection.
    MatchField, "field" {
        /// The first name.
        FirstName = "first_name",
        /// The last name.
        LastName = "last_name",
        /// The birth date.
        BirthDate = "birth_date",
        /// Every email, main and secondary.
        Email = "email",
        /// Every phone but the emergency phone (someone else's).
        Phone = "phone",
        /// Street, postal code and town.
        Address = "address",
    }
);

crate::model::string_enum::string_enum!(
    /// How a field of two customers compares. Each [`MatchField`] has its own levels
    /// ([`MatchField::levels`]).
    MatchLevel, "level" {
        /// The same (names ignoring case, emails ignoring case, phones in E.164, dates).
        Same = "same",
        /// The same once accents are folded and scripts transliterated.
        Folded = "folded",
        /// The same name, in the other name field (first and last swapped).
        Swapped = "swapped",
        /// First names that are a known nickname pair (`Bob` and `Robert`).
        Nickname = "nickname",
        /// One letter apart (one typed wrong, missing, extra, or two swapped).
        OneEdit = "one_edit",
        /// Similar: two letters apart or close by Jaro-Winkler.
        Similar = "similar",
        /// A date or phone number one digit apart, or with two neighbouring digits swapped.
        OneDigit = "one_digit",
        /// Birth dates with day and month swapped.
        DayMonthSwapped = "day_month_swapped",
        /// Birth dates two digits apart (two typos, or a year typed one off across a decade).
        TwoDigits = "two_digits",
        /// Birth dates in the same year.
        SameYear = "same_year",
        /// Emails delivering to the same mailbox once provider aliases are folded
        /// (`j.doe+trips@gmail.com` and `jdoe@gmail.com`).
        SameMailbox = "same_mailbox",
        /// Emails with the same name before the `@` at different domains.
        SameLocalPart = "same_local_part",
        /// Phones with the same subscriber digits, one typed without its country or area code.
        SameSubscriber = "same_subscriber",
        /// The same place with the street typed differently.
        SimilarStreet = "similar_street",
        /// The same postal code or town, another street.
        SamePlace = "same_place",
        /// Nothing alike.
        Different = "different",
    }
);

impl MatchField {
    /// The levels of this field, best first, [`MatchLevel::Different`] last.
    pub fn levels(self) -> &'static [MatchLevel] {
        use MatchLevel as L;
        match self {
            Self::FirstName => &[
                L::Same,
                L::Folded,
                L::Swapped,
                L::Nickname,
                L::OneEdit,
                L::Similar,
                L::Different,
            ],
            Self::LastName => &[
                L::Same,
                L::Folded,
                L::Swapped,
                L::OneEdit,
                L::Similar,
                L::Different,
            ],
            Self::BirthDate => &[
                L::Same,
                L::OneDigit,
                L::DayMonthSwapped,
                L::TwoDigits,
                L::SameYear,
                L::Different,
            ],
            Self::Email => &[
                L::Same,
                L::SameMailbox,
                L::OneEdit,
                L::SameLocalPart,
                L::Different,
            ],
            Self::Phone => &[L::Same, L::SameSubscriber, L::OneDigit, L::Different],
            Self::Address => &[L::Same, L::SimilarStreet, L::SamePlace, L::Different],
        }
    }

    /// The position of `level` among [`levels`](Self::levels), if it is one of them.
    pub fn level_index(self, level: MatchLevel) -> Option<usize> {
        self.levels().iter().position(|&l| l == level)
    }

    /// Words for this field in an explanation.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::FirstName => "first name",
            Self::LastName => "last name",
            Self::BirthDate => "birth date",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Address => "address",
        }
    }

    /// Whether a shared value of this field counts for more when rare (term frequency): names,
    /// emails and phones.
    pub(crate) fn frequency_adjusted(self) -> bool {
        matches!(
            self,
            Self::FirstName | Self::LastName | Self::Email | Self::Phone
        )
    }

    /// The field's position in a comparison vector.
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// How many fields are compared.
pub(crate) const FIELDS: usize = 6;

/// The level code of a field missing on either side.
pub(crate) const NULL: u8 = 7;

/// The comparison of two profiles: a level (index into [`MatchField::levels`]) per field, or
/// [`NULL`]; and, for the fields whose agreement is weighed by how rare the value is, the
/// value they agree on (its key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Gamma {
    pub(crate) levels: [u8; FIELDS],
    /// The key of the shared value of a frequency-adjusted field at its best levels.
    pub(crate) values: [u64; FIELDS],
}

impl Gamma {
    /// The levels packed into one number (three bits per field): the pattern the model learns
    /// from.
    pub(crate) fn pattern(&self) -> u32 {
        pack(&self.levels)
    }
}

/// The levels packed three bits per field.
pub(crate) fn pack(levels: &[u8; FIELDS]) -> u32 {
    levels
        .iter()
        .enumerate()
        .fold(0, |acc, (i, &l)| acc | (u32::from(l) << (3 * i)))
}

/// The levels of a packed pattern.
pub(crate) fn unpack(pattern: u32) -> [u8; FIELDS] {
    let mut out = [NULL; FIELDS];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::try_from((pattern >> (3 * i)) & 7).unwrap_or(NULL);
    }
    out
}

fn level(field: MatchField, level: MatchLevel) -> u8 {
    field
        .level_index(level)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(NULL)
}

/// How two folded names compare, given also their lower-case forms. `first` applies the
/// first-name rules: nicknames, and another name for a name's other-gender form.
fn name_level(a: (&str, &str), b: (&str, &str), first: bool) -> Option<MatchLevel> {
    let ((a_lower, a_fold), (b_lower, b_fold)) = (a, b);
    if a_fold.is_empty() || b_fold.is_empty() {
        return None;
    }
    if a_lower == b_lower {
        return Some(MatchLevel::Same);
    }
    if a_fold == b_fold {
        return Some(MatchLevel::Folded);
    }
    if first && nickname(a_fold, b_fold) {
        return Some(MatchLevel::Nickname);
    }
    if first && other_gender_form(a_fold, b_fold) {
        return Some(MatchLevel::Different);
    }
    let (la, lb) = (a_fold.chars().count(), b_fold.chars().count());
    let shorter = la.min(lb);
    // Lengths three apart are three edits apart at least: no need to count them.
    if la.abs_diff(lb) <= 2 {
        let edits = strsim::osa_distance(a_fold, b_fold);
        if edits == 1 && shorter >= 2 {
            return Some(MatchLevel::OneEdit);
        }
        if edits <= 2 && shorter >= 4 {
            return Some(MatchLevel::Similar);
        }
    }
    // Jaro-Winkler of 0.9 needs the shorter name at least half the longer.
    if shorter >= 4 && shorter * 2 >= la.max(lb) && strsim::jaro_winkler(a_fold, b_fold) >= 0.9 {
        return Some(MatchLevel::Similar);
    }
    Some(MatchLevel::Different)
}

/// A rank of a name level: lower is closer.
fn rank(level: Option<MatchLevel>) -> u8 {
    match level {
        Some(MatchLevel::Same | MatchLevel::Folded | MatchLevel::Swapped) => 0,
        Some(MatchLevel::Nickname | MatchLevel::OneEdit) => 1,
        Some(MatchLevel::Similar) => 2,
        None => 3,
        _ => 4,
    }
}

/// The name levels of two profiles: in the order typed, or first and last swapped when that
/// matches better (then exact agreements are [`MatchLevel::Swapped`]).
fn names(a: &Profile, b: &Profile) -> (Option<MatchLevel>, Option<MatchLevel>, bool) {
    let first = name_level((&a.first_lower, &a.first), (&b.first_lower, &b.first), true);
    let last = name_level((&a.last_lower, &a.last), (&b.last_lower, &b.last), false);
    let straight = rank(first) + rank(last);
    // Swapped only between two full names: the same whichever customer comes first; and only
    // when a name of one starts as the other name of the other (a swap, maybe with typos after).
    let starts = |x: &str, y: &str| x.chars().next() == y.chars().next();
    if straight == 0
        || [&a.first, &a.last, &b.first, &b.last]
            .iter()
            .any(|n| n.is_empty())
        || !(starts(&a.first, &b.last) || starts(&a.last, &b.first))
    {
        return (first, last, false);
    }
    let cross_first = name_level((&a.first_lower, &a.first), (&b.last_lower, &b.last), false);
    let cross_last = name_level((&a.last_lower, &a.last), (&b.first_lower, &b.first), false);
    if rank(cross_first) + rank(cross_last) < straight {
        let swap = |l: Option<MatchLevel>| match l {
            Some(MatchLevel::Same | MatchLevel::Folded) => Some(MatchLevel::Swapped),
            other => other,
        };
        // The closer of the two cross comparisons in the first-name field: the same levels
        // whichever customer comes first.
        let (x, y) = (swap(cross_first), swap(cross_last));
        if rank(x) <= rank(y) {
            (x, y, true)
        } else {
            (y, x, true)
        }
    } else {
        (first, last, false)
    }
}

/// How two birth dates compare.
pub(crate) fn birth_level(
    a: Option<chrono::NaiveDate>,
    b: Option<chrono::NaiveDate>,
) -> Option<MatchLevel> {
    use chrono::Datelike;
    let (x, y) = (a?, b?);
    if x == y {
        return Some(MatchLevel::Same);
    }
    // The eight digits YYYYMMDD, without formatting text.
    let digits = |d: chrono::NaiveDate| {
        let mut out = [0u8; 8];
        let mut n = u32::try_from(d.year().clamp(0, 9999)).unwrap_or(0) * 10_000
            + d.month() * 100
            + d.day();
        for slot in out.iter_mut().rev() {
            *slot = b'0' + u8::try_from(n % 10).unwrap_or(0);
            n /= 10;
        }
        out
    };
    let (dx, dy) = (digits(x), digits(y));
    if digits_apart_bytes(&dx, &dy) {
        return Some(MatchLevel::OneDigit);
    }
    if x.year() == y.year() && x.month() == y.day() && x.day() == y.month() {
        return Some(MatchLevel::DayMonthSwapped);
    }
    if dx.iter().zip(&dy).filter(|(a, b)| a != b).count() <= 2 {
        return Some(MatchLevel::TwoDigits);
    }
    if x.year() == y.year() {
        return Some(MatchLevel::SameYear);
    }
    Some(MatchLevel::Different)
}

/// The part of an address before the `@`, and after.
fn split(email: &str) -> (&str, &str) {
    email.rsplit_once('@').unwrap_or((email, ""))
}

/// Whether an email name is only the person's names (`jean.dupont`): shared at two domains
/// by namesakes as much as by one person.
fn only_names(local: &str, p: &Profile) -> bool {
    let mut rest = crate::model::fold(local);
    for name in p.first.split(' ').chain(p.last.split(' ')) {
        if name.len() >= 2 {
            rest = rest.replacen(name, "", 1);
        }
    }
    rest.chars().filter(char::is_ascii_alphanumeric).count() < 2
}

/// The digits of a text.
fn digits_of(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().filter(char::is_ascii_digit)
}

fn email_level(a: &Profile, b: &Profile) -> (Option<MatchLevel>, u64) {
    if a.emails.is_empty() || b.emails.is_empty() {
        return (None, 0);
    }
    // Frequencies are counted by mailbox, the one value both levels share.
    if let Some(shared) = first_shared(&a.emails, &b.emails) {
        return (Some(MatchLevel::Same), key(&mailbox(shared)));
    }
    if let Some(shared) = first_shared(&a.mailboxes, &b.mailboxes) {
        return (Some(MatchLevel::SameMailbox), key(shared));
    }
    let mut best = MatchLevel::Different;
    for x in &a.mailboxes {
        for y in &b.mailboxes {
            let ((xl, xd), (yl, yd)) = (split(x), split(y));
            // Another number is another person's address (`anna.k1970`, `anna.k1990`).
            if x.chars().count().abs_diff(y.chars().count()) <= 1
                && strsim::osa_distance(x, y) <= 1
                && digits_of(xl).eq(digits_of(yl))
            {
                return (Some(MatchLevel::OneEdit), 0);
            }
            if xl == yl && xd != yd && !only_names(xl, a) && !only_names(yl, b) {
                best = MatchLevel::SameLocalPart;
            }
        }
    }
    (Some(best), 0)
}

fn phone_level(a: &Profile, b: &Profile) -> (Option<MatchLevel>, u64) {
    if a.tails.is_empty() || b.tails.is_empty() {
        return (None, 0);
    }
    // Frequencies are counted by subscriber digits, the one value both levels share.
    if first_shared(&a.phones, &b.phones).is_some() {
        let shared = first_shared(&a.tails, &b.tails).unwrap_or_default();
        return (Some(MatchLevel::Same), key(shared));
    }
    if let Some(shared) = first_shared(&a.tails, &b.tails) {
        return (Some(MatchLevel::SameSubscriber), key(shared));
    }
    for x in &a.tails {
        for y in &b.tails {
            if digits_apart(x, y) {
                return (Some(MatchLevel::OneDigit), 0);
            }
        }
    }
    (Some(MatchLevel::Different), 0)
}

fn address_level(a: &Profile, b: &Profile) -> Option<MatchLevel> {
    let known = |p: &Profile| p.street.is_some() || p.zip.is_some() || p.city.is_some();
    if !known(a) || !known(b) {
        return None;
    }
    let same =
        |x: &Option<String>, y: &Option<String>| matches!((x, y), (Some(x), Some(y)) if x == y);
    let both = |x: &Option<String>, y: &Option<String>| x.is_some() && y.is_some();
    let place = same(&a.zip, &b.zip) || same(&a.city, &b.city);
    let place_unknown = !both(&a.zip, &b.zip) && !both(&a.city, &b.city);
    if let (Some(x), Some(y)) = (&a.street, &b.street) {
        if x == y && (place || place_unknown) {
            return Some(MatchLevel::Same);
        }
        if place {
            let same_number = a.number.is_some() && a.number == b.number;
            let close = strsim::osa_distance(x, y) <= 2
                || strsim::jaro_winkler(x, y) >= 0.9
                || (same_number && strsim::jaro_winkler(x, y) >= 0.75);
            if close {
                return Some(MatchLevel::SimilarStreet);
            }
        }
    }
    if place {
        return Some(MatchLevel::SamePlace);
    }
    Some(MatchLevel::Different)
}

/// Whether two customers are surely two people whatever else they share: birth dates far
/// apart (not a typo away), or first names with nothing in common (not a nickname, not typed
/// from one another, in either order of the names).
pub(crate) fn conflict(a: &Profile, b: &Profile) -> bool {
    if matches!(birth_level(a.birth, b.birth), Some(MatchLevel::Different)) {
        return true;
    }
    let (first, _, swapped) = names(a, b);
    // A swap means the names meet.
    if swapped || first != Some(MatchLevel::Different) {
        return false;
    }
    let (x, y) = (&a.first, &b.first);
    other_gender_form(x, y) || strsim::jaro_winkler(x, y) < 0.75
}

/// The first value two sorted lists share.
fn first_shared<'a>(a: &'a [String], b: &[String]) -> Option<&'a str> {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return Some(&a[i]),
        }
    }
    None
}

/// The stable key of a value in the term-frequency tables (FNV-1a: the same in every build,
/// so that stored tables stay readable).
pub(crate) fn key(value: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in value.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Compares two profiles field by field.
pub(crate) fn compare(a: &Profile, b: &Profile) -> Gamma {
    let mut levels = [NULL; FIELDS];
    let mut values = [0; FIELDS];
    let (first, last, swapped) = names(a, b);
    let set = |levels: &mut [u8; FIELDS], field: MatchField, l: Option<MatchLevel>| {
        if let Some(l) = l {
            levels[field.index()] = level(field, l);
        }
    };
    set(&mut levels, MatchField::FirstName, first);
    set(&mut levels, MatchField::LastName, last);
    let exact = |l: Option<MatchLevel>| {
        matches!(
            l,
            Some(MatchLevel::Same | MatchLevel::Folded | MatchLevel::Swapped)
        )
    };
    if exact(first) {
        values[MatchField::FirstName.index()] = key(if swapped { &a.last } else { &a.first });
    }
    if exact(last) {
        values[MatchField::LastName.index()] = key(if swapped { &a.first } else { &a.last });
    }
    set(
        &mut levels,
        MatchField::BirthDate,
        birth_level(a.birth, b.birth),
    );
    let (email, shared) = email_level(a, b);
    set(&mut levels, MatchField::Email, email);
    values[MatchField::Email.index()] = shared;
    let (phone, shared) = phone_level(a, b);
    set(&mut levels, MatchField::Phone, phone);
    values[MatchField::Phone.index()] = shared;
    set(&mut levels, MatchField::Address, address_level(a, b));
    Gamma { levels, values }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_round_trip() {
        let levels = [0, 6, NULL, 3, 1, 2];
        assert_eq!(unpack(pack(&levels)), levels);
    }

    #[test]
    fn every_field_ends_with_different_and_fits_three_bits() {
        for &field in MatchField::ALL {
            let levels = field.levels();
            assert_eq!(levels.last(), Some(&MatchLevel::Different));
            // Indexes 0 to 6; 7 is the code of a field missing.
            assert!(levels.len() <= usize::from(NULL));
        }
        assert_eq!(MatchField::ALL.len(), FIELDS);
        // The strata and the training passes read these positions.
        assert_eq!(
            MatchField::Email.level_index(MatchLevel::SameMailbox),
            Some(1)
        );
        assert_eq!(
            MatchField::Phone.level_index(MatchLevel::SameSubscriber),
            Some(1)
        );
        assert_eq!(MatchField::Address.level_index(MatchLevel::Same), Some(0));
        assert_eq!(MatchField::BirthDate.level_index(MatchLevel::Same), Some(0));
        for field in [MatchField::FirstName, MatchField::LastName] {
            assert_eq!(field.level_index(MatchLevel::Folded), Some(1));
            assert_eq!(field.level_index(MatchLevel::Swapped), Some(2));
        }
    }

    #[test]
    fn names_grade_typos_nicknames_and_swaps() {
        let l = |a: (&str, &str), b: (&str, &str), first| name_level(a, b, first);
        assert_eq!(
            l(("hélène", "helene"), ("hélène", "helene"), true),
            Some(MatchLevel::Same)
        );
        assert_eq!(
            l(("hélène", "helene"), ("helene", "helene"), true),
            Some(MatchLevel::Folded)
        );
        assert_eq!(
            l(("bob", "bob"), ("robert", "robert"), true),
            Some(MatchLevel::Nickname)
        );
        assert_eq!(
            l(("mikhvyla", "mikhvyla"), ("mikhayla", "mikhayla"), true),
            Some(MatchLevel::OneEdit)
        );
        assert_eq!(
            l(("hannagan", "hannagan"), ("hannaan", "hannaan"), false),
            Some(MatchLevel::OneEdit)
        );
        assert_eq!(
            l(("francois", "francois"), ("francoise", "francoise"), true),
            Some(MatchLevel::Different)
        );
        assert_eq!(
            l(("green", "green"), ("white", "white"), false),
            Some(MatchLevel::Different)
        );
        assert_eq!(l(("", ""), ("white", "white"), false), None);
    }
}
