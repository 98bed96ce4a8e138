//! How two customers compare, field by field, in graded levels: the comparison vector of the
//! Fellegi-Sunter model. Each field has its levels, best first and `different` last; a field
//! missing on either side has no level (it says nothing either way), nor have emails whose one
//! shared thing is a name made only of the customers' names (see [`MatchLevel::SameLocalPart`]).

use super::distance;
use super::names::{mistyped_nickname, nickname, other_gender_form};
use super::profile::{Profile, Sketch, digits_apart, digits_apart_bytes, mailbox, may_be_one_edit};

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
        /// First names that are a known nickname pair (`Bob` and `Robert`), or a nickname and
        /// a name of its group typed with one typo (`Mike` and `Micahel`).
        Nickname = "nickname",
        /// One letter apart (one typed wrong, missing, extra, or two swapped).
        OneEdit = "one_edit",
        /// Similar: two letters apart or close by Jaro-Winkler, or a letter dropped and two
        /// swapped across it (`Oliver` and `Ovler`); for first names also a nickname of the
        /// other's name typed with a letter doubled or two swapped (`Riick` and `Richard`).
        Similar = "similar",
        /// A date or phone number one digit apart, or with two neighbouring digits swapped.
        OneDigit = "one_digit",
        /// Birth dates with day and month swapped.
        DayMonthSwapped = "day_month_swapped",
        /// Birth dates two digits apart (two typos, or a year typed one off across a decade).
        TwoDigits = "two_digits",
        /// Birth dates in the same year.
        SameYear = "same_year",
        /// Emails delivering to the same mailbox once provider aliases are folded: a `+tag`
        /// at any domain, dots at gmail (`j.doe+trips@gmail.com` and `jdoe@gmail.com`).
        SameMailbox = "same_mailbox",
        /// Emails with the same name before the `@` (dots aside) at different domains. A name
        /// made only of the two customers' names (`jean.dupont`) is shared by namesakes as much
        /// as by one person: such emails are left uncompared, neither same nor different.
        SameLocalPart = "same_local_part",
        /// Phones with the same subscriber digits, one typed without its country or area code.
        SameSubscriber = "same_subscriber",
        /// One address typed two ways: the same place with the street typed differently, or
        /// the same street with its postal code or town one letter off.
        SimilarStreet = "similar_street",
        /// The same postal code or town, another street.
        SamePlace = "same_place",
        /// First names that start with the same letter and are otherwise unlike: a name
        /// typed with many typos (`Miichele` and `Mihcelle`), or another name (`Li`, `Lea`).
        SameInitial = "same_initial",
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
                L::SameInitial,
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
    /// birth dates (a date typed when the real one was unknown is shared by many), emails and
    /// phones.
    pub(crate) fn frequency_adjusted(self) -> bool {
        !matches!(self, Self::Address)
    }

    /// The field's position in a comparison vector.
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// How many fields are compared.
pub(crate) const FIELDS: usize = 6;

/// The level code of a field missing on either side.
pub(crate) const NULL: u8 = 8;

/// The slots of a table by level code: each level, then [`NULL`].
pub(crate) const SLOTS: usize = NULL as usize + 1;

/// The bits of a level code in a packed pattern.
const LEVEL_BITS: usize = 4;

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
    /// The levels packed into one number (four bits per field): the pattern the model learns
    /// from.
    pub(crate) fn pattern(&self) -> u32 {
        pack(&self.levels)
    }

    /// Whether the names are all the two profiles can be compared on: every other field is
    /// missing on one side or the other, or says only the names (emails sharing a name made of
    /// them at two domains).
    pub(crate) fn names_only(&self) -> bool {
        let names = [MatchField::FirstName.index(), MatchField::LastName.index()];
        self.levels
            .iter()
            .enumerate()
            .all(|(f, &l)| l == NULL || names.contains(&f))
    }
}

/// The levels packed four bits per field.
pub(crate) fn pack(levels: &[u8; FIELDS]) -> u32 {
    levels
        .iter()
        .enumerate()
        .fold(0, |acc, (i, &l)| acc | (u32::from(l) << (LEVEL_BITS * i)))
}

/// The levels of a packed pattern.
pub(crate) fn unpack(pattern: u32) -> [u8; FIELDS] {
    let mut out = [NULL; FIELDS];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::try_from((pattern >> (LEVEL_BITS * i)) & 15).unwrap_or(NULL);
    }
    out
}

fn level(field: MatchField, level: MatchLevel) -> u8 {
    debug_assert!(
        field.level_index(level).is_some(),
        "{level} is no level of {field}"
    );
    field
        .level_index(level)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(NULL)
}

/// How two folded names compare, given also their lower-case forms. `first` applies the
/// first-name rules: nicknames, another name for a name's other-gender form, and names unlike
/// but for their first letter ([`MatchLevel::SameInitial`]).
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
        let edits = distance::osa(a_fold, b_fold);
        if edits == 1 && shorter >= 2 {
            return Some(MatchLevel::OneEdit);
        }
        // Two letters apart: among long names; among short ones when they start alike (a typo
        // seldom hits the first letter: `zeo` and `zpe`, where `mia` and `ava` are two names),
        // or when the shorter is the longer with letters dropped (`ma` and `miia`, two typos
        // of `mia`).
        let short_alike = || {
            (shorter >= 3 && a_fold.chars().next() == b_fold.chars().next())
                || (shorter >= 2 && dropped_from(a_fold, b_fold))
        };
        if edits <= 2 && (shorter >= 4 || short_alike()) {
            return Some(MatchLevel::Similar);
        }
        // Two typos the alignment counts as three: a letter dropped and two swapped across it
        // (`oliver` and `ovler`), among names long enough to tell.
        if edits == 3 && shorter >= 5 && distance::dropped_and_one_edit(a_fold, b_fold) {
            return Some(MatchLevel::Similar);
        }
    }
    // Jaro-Winkler of 0.9 needs the shorter name at least half the longer.
    if shorter >= 4 && shorter * 2 >= la.max(lb) && distance::jaro_winkler(a_fold, b_fold) >= 0.9 {
        return Some(MatchLevel::Similar);
    }
    // A nickname typed with a typo: maybe one name, less surely than a nickname pair.
    if first && mistyped_nickname(a_fold, b_fold) {
        return Some(MatchLevel::Similar);
    }
    // A typo seldom hits the first letter: names typed with many keep it more often than
    // two people's names share it.
    if first && a_fold.chars().next() == b_fold.chars().next() {
        return Some(MatchLevel::SameInitial);
    }
    Some(MatchLevel::Different)
}

/// Whether the shorter of two names is the longer with letters dropped (its letters all in the
/// longer, in order).
fn dropped_from(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let mut rest = long.chars();
    short.chars().all(|c| rest.any(|l| l == c))
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

/// The levels of two names a letter or two apart, which the scorer may read across the fields
/// as a surname shared ([`weighed_names`]; its codes are `FIRST_NEAR` and `LAST_NEAR` in
/// `model.rs`).
pub(crate) const NEAR_NAMES: [MatchLevel; 2] = [MatchLevel::OneEdit, MatchLevel::Similar];

/// How two profiles' names compare ([`names`]).
struct NameReading<'a> {
    /// The first-name level.
    first: Option<MatchLevel>,
    /// The last-name level.
    last: Option<MatchLevel>,
    /// The names of the first profile each level compares.
    typed: [&'a str; 2],
    /// When read swapped, the two names the first-name level compares: the one typed as a last
    /// name, then the one typed as a first name.
    across: Option<[&'a str; 2]>,
}

/// The name levels of two profiles: in the order typed, or first and last swapped when that
/// matches better (then exact agreements are [`MatchLevel::Swapped`]).
fn names<'a>(a: &'a Profile, b: &'a Profile) -> NameReading<'a> {
    let first = name_level((&a.first_lower, &a.first), (&b.first_lower, &b.first), true);
    let last = name_level((&a.last_lower, &a.last), (&b.last_lower, &b.last), false);
    let straight = rank(first) + rank(last);
    let as_typed = NameReading {
        first,
        last,
        typed: [a.first.as_str(), a.last.as_str()],
        across: None,
    };
    // Swapped only between two full names: the same whichever customer comes first; and only
    // when a name of one starts as the other name of the other (a swap, maybe with typos after).
    if straight == 0 || !may_swap(initials(a), initials(b)) {
        return as_typed;
    }
    // Across the fields one of the two is a first name: its rules apply (`Willey Maggie` and
    // `Margaret Willey`).
    let cross_first = name_level((&a.first_lower, &a.first), (&b.last_lower, &b.last), true);
    let cross_last = name_level((&a.last_lower, &a.last), (&b.first_lower, &b.first), true);
    if rank(cross_first) + rank(cross_last) >= straight {
        return as_typed;
    }
    let swap = |l: Option<MatchLevel>| match l {
        Some(MatchLevel::Same | MatchLevel::Folded) => Some(MatchLevel::Swapped),
        other => other,
    };
    // The closer of the two cross comparisons in the first-name field (a nickname pair there
    // always: last names have none), the same levels whichever customer comes first.
    let (x, y) = (swap(cross_first), swap(cross_last));
    let nickname = |l| l == Some(MatchLevel::Nickname);
    let (first, last, typed, across) = if nickname(x) || (!nickname(y) && rank(x) <= rank(y)) {
        (x, y, as_typed.typed, [b.last.as_str(), a.first.as_str()])
    } else {
        (
            y,
            x,
            [a.last.as_str(), a.first.as_str()],
            [a.last.as_str(), b.first.as_str()],
        )
    };
    // Two nickname pairs across (`Jack Thomas`, `Tom John`): the last-name field has no
    // nickname level, the second reads as similar; nor a level for names alike only in their
    // first letter, the second reads as different.
    let last = match last {
        Some(MatchLevel::Nickname) => Some(MatchLevel::Similar),
        Some(MatchLevel::SameInitial) => Some(MatchLevel::Different),
        other => other,
    };
    NameReading {
        first,
        last,
        typed,
        across: Some(across),
    }
}

/// Whether [`names`] may find the names swapped: only between two full names, one starting as
/// the other name of the other.
fn may_swap(a: [char; 2], b: [char; 2]) -> bool {
    let ([af, al], [bf, bl]) = (a, b);
    [af, al, bf, bl].iter().all(|&c| c != '\0') && (af == bl || al == bf)
}

/// The first letters of a profile's first and last names folded (`\0` when empty), as its
/// sketch holds them.
pub(crate) fn initials(p: &Profile) -> [char; 2] {
    let initial = |s: &str| s.chars().next().unwrap_or('\0');
    [initial(&p.first), initial(&p.last)]
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

/// Whether two birth dates are one date typed wrong twice over, as two records of one person
/// each typed with one typo of the date are: at most two typos apart, a typo being one digit of
/// the year, a month or a day one off or one digit off, or day and month swapped (`1977-08-12`
/// beside `1977-12-08` and `1978-08-12`; `1964-10-28` beside `1954-10-28` and `1964-09-28`).
/// A date of another person is further.
fn two_typos_apart(a: Option<chrono::NaiveDate>, b: Option<chrono::NaiveDate>) -> bool {
    use chrono::Datelike;
    let (Some(x), Some(y)) = (a, b) else {
        return false;
    };
    // Typos between two numbers of two digits (a month, a day): none, one, or more.
    let part = |p: u32, q: u32| -> usize {
        let one_digit = (p / 10 == q / 10) != (p % 10 == q % 10);
        match p.abs_diff(q) {
            0 => 0,
            1 => 1,
            _ if one_digit => 1,
            _ => 2,
        }
    };
    // The year's digits that differ (validated birth years have four).
    let (p, q) = (x.year().unsigned_abs(), y.year().unsigned_abs());
    let years = (0..4)
        .filter(|&i| p / 10u32.pow(i) % 10 != q / 10u32.pow(i) % 10)
        .count();
    let straight = part(x.month(), y.month()) + part(x.day(), y.day());
    let swapped = 1 + part(x.month(), y.day()) + part(x.day(), y.month());
    years + straight.min(swapped) <= 2
}

/// The key of a birth date in the term-frequency tables: its day number, never 0.
pub(crate) fn birth_key(d: chrono::NaiveDate) -> u64 {
    use chrono::Datelike;
    (1 << 32) | u64::from(d.num_days_from_ce().unsigned_abs())
}

/// How two birth dates compare, with the key of the date when it is the same.
fn weighed_birth(
    a: Option<chrono::NaiveDate>,
    b: Option<chrono::NaiveDate>,
) -> (Option<MatchLevel>, u64) {
    let l = birth_level(a, b);
    let value = match (l, a) {
        (Some(MatchLevel::Same), Some(d)) => birth_key(d),
        _ => 0,
    };
    (l, value)
}

/// The part of an address before the `@`, and after.
fn split(email: &str) -> (&str, &str) {
    email.rsplit_once('@').unwrap_or((email, ""))
}

/// Whether an email name is only names the two customers bear (`jean.dupont`,
/// `jdupont`, `thomas.smithson` for `Thomas Smitjson` and `Smithson Tom`): shared at two
/// domains by namesakes as much as by one person, so it tells nothing the names do not. Its
/// letters and digits are read, each name's every occurrence is taken out at once, and at most
/// one is left: the same whichever customer comes first, whichever way the name was dotted,
/// and whatever the order of the names.
fn only_names(local: &str, a: &Profile, b: &Profile) -> bool {
    let alphanumeric =
        |s: &str| -> Vec<char> { s.chars().filter(|c| c.is_alphanumeric()).collect() };
    let text = alphanumeric(&crate::model::fold(local));
    let mut covered = vec![false; text.len()];
    for name in [&a.first, &a.last, &b.first, &b.last]
        .iter()
        .flat_map(|n| n.split(' '))
    {
        let name = alphanumeric(name);
        if name.len() < 2 || name.len() > text.len() {
            continue;
        }
        for start in 0..=text.len() - name.len() {
            if text[start..start + name.len()] == name[..] {
                covered[start..start + name.len()].fill(true);
            }
        }
    }
    covered.iter().filter(|&&c| !c).count() < 2
}

/// Whether two email names are the same but for dots (`amanda.fitzby41` and
/// `amandafitzby41`: gmail drops them from its mailboxes, and people type them or not).
fn same_local_part(x: &str, y: &str) -> bool {
    x.chars()
        .filter(|&c| c != '.')
        .eq(y.chars().filter(|&c| c != '.'))
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
    if let Some(shared) = shared_min(&a.emails, &b.emails, |e| key(&mailbox(e))) {
        return (Some(MatchLevel::Same), shared);
    }
    if let Some(shared) = shared_min(&a.mailboxes, &b.mailboxes, key) {
        return (Some(MatchLevel::SameMailbox), shared);
    }
    // A name shared at two domains that is only the customers' names says no more than the
    // names do: the emails are then not compared (neither same nor different).
    let mut best = MatchLevel::Different;
    let mut names_only = false;
    for x in &a.mailboxes {
        for y in &b.mailboxes {
            let ((xl, xd), (yl, yd)) = (split(x), split(y));
            // Another number is another person's address (`anna.k1970`, `anna.k1990`).
            if x.chars().count().abs_diff(y.chars().count()) <= 1
                && distance::within_one_edit(x, y)
                && digits_of(xl).eq(digits_of(yl))
            {
                return (Some(MatchLevel::OneEdit), 0);
            }
            if xd != yd && same_local_part(xl, yl) {
                if only_names(xl, a, b) {
                    names_only = true;
                } else {
                    best = MatchLevel::SameLocalPart;
                }
            }
        }
    }
    if best == MatchLevel::Different && names_only {
        return (None, 0);
    }
    (Some(best), 0)
}

fn phone_level(a: &Profile, b: &Profile) -> (Option<MatchLevel>, u64) {
    if a.tails.is_empty() || b.tails.is_empty() {
        return (None, 0);
    }
    // Frequencies are counted by subscriber digits, the one value both levels share.
    if shared_min(&a.phones, &b.phones, key).is_some() {
        let shared = shared_min(&a.tails, &b.tails, key).unwrap_or_default();
        return (Some(MatchLevel::Same), shared);
    }
    if let Some(shared) = shared_min(&a.tails, &b.tails, key) {
        return (Some(MatchLevel::SameSubscriber), shared);
    }
    (Some(digit_typo(a, b)), 0)
}

/// How phones sharing no number nor subscriber digits compare: one digit apart, or different.
fn digit_typo(a: &Profile, b: &Profile) -> MatchLevel {
    let apart = a
        .tails
        .iter()
        .any(|x| b.tails.iter().any(|y| digits_apart(x, y)));
    if apart {
        MatchLevel::OneDigit
    } else {
        MatchLevel::Different
    }
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
        // The same street with its postal code or town mistyped, the other part mistyped too or
        // unknown (were it the same, the place would be): one place typed two ways
        // (neighbouring towns have codes one digit apart).
        let near = |x: &Option<String>, y: &Option<String>| match (x, y) {
            (Some(x), Some(y)) => distance::within_one_edit(x, y),
            _ => true,
        };
        let typo = |x: &Option<String>, y: &Option<String>| both(x, y) && near(x, y);
        if x == y
            && (typo(&a.zip, &b.zip) || typo(&a.city, &b.city))
            && near(&a.zip, &b.zip)
            && near(&a.city, &b.city)
        {
            return Some(MatchLevel::SimilarStreet);
        }
        if place {
            let same_number = a.number.is_some() && a.number == b.number;
            let chars = |s: &str| {
                if s.is_ascii() {
                    s.len()
                } else {
                    s.chars().count()
                }
            };
            let close = (chars(x).abs_diff(chars(y)) <= 2 && distance::osa(x, y) <= 2) || {
                let similarity = distance::jaro_winkler(x, y);
                similarity >= 0.9 || (same_number && similarity >= 0.75)
            };
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
/// apart (more than two typos: two records of one person may each hold a typo of the date, see
/// [`two_typos_apart`]), or first names that are one name in its two gender forms
/// (`Louis`, `Louise`). First names otherwise unlike are weighed with the rest when groups are
/// joined (a typo of a short name is often unlike it).
pub(crate) fn conflict(a: &Profile, b: &Profile) -> bool {
    if matches!(birth_level(a.birth, b.birth), Some(MatchLevel::Different))
        && !two_typos_apart(a.birth, b.birth)
    {
        return true;
    }
    let (x, y) = (&a.first, &b.first);
    !x.is_empty() && !y.is_empty() && x != y && other_gender_form(x, y) && !nickname(x, y)
}

/// The least of `f` over the values two sorted lists share, if they share any (what the
/// frequency of a shared contact is read under: the same whichever way it is found).
fn shared_min(a: &[String], b: &[String], f: impl Fn(&str) -> u64) -> Option<u64> {
    let (mut i, mut j) = (0, 0);
    let mut out: Option<u64> = None;
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                let k = f(&a[i]);
                out = Some(out.map_or(k, |o| o.min(k)));
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// As [`shared_min`] over two lists of keys sorted: the least shared key.
fn shared_key(a: &[u64], b: &[u64]) -> Option<u64> {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return Some(a[i]),
        }
    }
    None
}

/// The least mailbox key of the emails two sketches share (by email key).
fn shared_email(a: &Sketch, b: &Sketch) -> Option<u64> {
    let (mut x, mut y) = (a.emails().peekable(), b.emails().peekable());
    let mut out: Option<u64> = None;
    while let (Some(&(ea, ma)), Some(&(eb, _))) = (x.peek(), y.peek()) {
        match ea.cmp(&eb) {
            std::cmp::Ordering::Less => {
                x.next();
            }
            std::cmp::Ordering::Greater => {
                y.next();
            }
            std::cmp::Ordering::Equal => {
                out = Some(out.map_or(ma, |o| o.min(ma)));
                x.next();
                y.next();
            }
        }
    }
    out
}

/// The stable key of a value in the term-frequency tables (FNV-1a: the same in every build,
/// so that stored tables stay readable).
pub(crate) fn key(value: &str) -> u64 {
    key_of_bytes(value.bytes())
}

/// The [`key`] of a text given byte by byte (a text read with some characters left out).
pub(crate) fn key_of_bytes(bytes: impl Iterator<Item = u8>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// A first look at a pair, from what is cheap to tell: each field either settled (its level in
/// `gamma`, as [`compare`] would give it) or open (`from` holds the first level it could still
/// reach: it is that one or one after it), or missing ([`NULL`] in both).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Glance {
    pub(crate) gamma: Gamma,
    pub(crate) from: [u8; FIELDS],
}

/// Whether two names (folded keys, lower-case keys) are equal as typed (`Same`) or once folded
/// (`Folded`), with the key of the folded name; `Err(())` when both are given and differ,
/// `Ok(None)` when one is missing.
fn equal_name(a: (u64, u64), b: (u64, u64)) -> Result<Option<(MatchLevel, u64)>, ()> {
    let ((a_fold, a_lower), (b_fold, b_lower)) = (a, b);
    if a_fold == 0 || b_fold == 0 {
        return Ok(None);
    }
    if a_fold != b_fold {
        return Err(());
    }
    let level = if a_lower == b_lower {
        MatchLevel::Same
    } else {
        MatchLevel::Folded
    };
    Ok(Some((level, a_fold)))
}

/// The first look at `a` and `b` (see [`Glance`]), from their sketches alone: birth dates
/// settled; phones settled unless they may be one digit apart; emails settled when they share an
/// address or a mailbox, or cannot be one edit apart nor share a local part; addresses settled
/// unless the place is the same and the streets differ, or the street is the same and the
/// places are not known to be; names settled when equal (open still
/// when a swap may do better). Both profiles carry their sketch ([`Sketch::of`]; the finder
/// makes them once in its order).
pub(crate) fn glance(a: &Profile, b: &Profile) -> Glance {
    let (a, b) = (&a.sketch, &b.sketch);
    let mut gamma = Gamma {
        levels: [NULL; FIELDS],
        values: [0; FIELDS],
    };
    let mut from = [NULL; FIELDS];
    let swap = may_swap(a.initials, b.initials);
    // Unequal names are at best a nickname pair (a first name in a nickname group: the other
    // in the group too, or long enough to be one of the group mistyped), else one edit apart
    // (lengths at most one apart), else similar.
    let near = |n: usize| a.lengths[n].abs_diff(b.lengths[n]) <= 1;
    let mistyped = |x: &Sketch, y: &Sketch| {
        x.nicknamed && usize::from(y.lengths[0]) >= super::names::MIN_MISTYPED
    };
    let first_unequal = if (a.nicknamed && b.nicknamed) || mistyped(a, b) || mistyped(b, a) {
        MatchLevel::Nickname
    } else if near(0) {
        MatchLevel::OneEdit
    } else {
        MatchLevel::Similar
    };
    let last_unequal = if near(1) {
        MatchLevel::OneEdit
    } else {
        MatchLevel::Similar
    };
    for (field, x, y, unequal) in [
        (
            MatchField::FirstName,
            (a.first, a.first_lower),
            (b.first, b.first_lower),
            first_unequal,
        ),
        (
            MatchField::LastName,
            (a.last, a.last_lower),
            (b.last, b.last_lower),
            last_unequal,
        ),
    ] {
        let f = field.index();
        let swapped = if swap {
            level(field, MatchLevel::Swapped)
        } else {
            NULL
        };
        match equal_name(x, y) {
            Ok(None) => {}
            Ok(Some((l, value))) => {
                gamma.levels[f] = level(field, l);
                gamma.values[f] = value;
                from[f] = swapped;
            }
            // Unequal: at best `unequal`, or what a swap gives.
            Err(()) => from[f] = swapped.min(level(field, unequal)),
        }
    }
    if let (Some(l), value) = weighed_birth(a.birth, b.birth) {
        gamma.levels[MatchField::BirthDate.index()] = level(MatchField::BirthDate, l);
        gamma.values[MatchField::BirthDate.index()] = value;
    }
    let e = MatchField::Email.index();
    if a.counts[0] > 0 && b.counts[0] > 0 {
        if let Some(shared) = shared_email(a, b) {
            gamma.levels[e] = level(MatchField::Email, MatchLevel::Same);
            gamma.values[e] = shared;
        } else if let Some(shared) = shared_key(a.mailboxes(), b.mailboxes()) {
            gamma.levels[e] = level(MatchField::Email, MatchLevel::SameMailbox);
            gamma.values[e] = shared;
        } else {
            // One edit apart needs shapes close; the same name at another domain, the same
            // local part (dots aside; it may settle uncompared, see `email_level`): otherwise
            // the emails are different.
            let mut one_edit = false;
            let mut local = false;
            for (xl, xs) in a.mailbox_shapes() {
                for (yl, ys) in b.mailbox_shapes() {
                    one_edit |= may_be_one_edit(xs, ys);
                    local |= xl == yl;
                }
            }
            if one_edit {
                from[e] = level(MatchField::Email, MatchLevel::OneEdit);
            } else if local {
                from[e] = level(MatchField::Email, MatchLevel::SameLocalPart);
            } else {
                gamma.levels[e] = level(MatchField::Email, MatchLevel::Different);
            }
        }
    }
    let p = MatchField::Phone.index();
    if a.counts[3] > 0 && b.counts[3] > 0 {
        let tail = shared_key(a.tails(), b.tails());
        if shared_key(a.phones(), b.phones()).is_some() {
            gamma.levels[p] = level(MatchField::Phone, MatchLevel::Same);
            gamma.values[p] = tail.unwrap_or_default();
        } else if let Some(tail) = tail {
            gamma.levels[p] = level(MatchField::Phone, MatchLevel::SameSubscriber);
            gamma.values[p] = tail;
        } else {
            from[p] = level(MatchField::Phone, MatchLevel::OneDigit);
        }
    }
    let r = MatchField::Address.index();
    let known = |s: &Sketch| s.street != 0 || s.zip != 0 || s.city != 0;
    if known(a) && known(b) {
        let same = |x: u64, y: u64| x != 0 && x == y;
        let place = same(a.zip, b.zip) || same(a.city, b.city);
        let place_unknown = (a.zip == 0 || b.zip == 0) && (a.city == 0 || b.city == 0);
        let streets = a.street != 0 && b.street != 0;
        if streets && a.street == b.street && (place || place_unknown) {
            gamma.levels[r] = level(MatchField::Address, MatchLevel::Same);
        } else if streets && (place || a.street == b.street) {
            // Streets unlike at one place, or one street at places maybe mistyped.
            from[r] = level(MatchField::Address, MatchLevel::SimilarStreet);
        } else if place {
            gamma.levels[r] = level(MatchField::Address, MatchLevel::SamePlace);
        } else {
            gamma.levels[r] = level(MatchField::Address, MatchLevel::Different);
        }
    }
    Glance { gamma, from }
}

/// What a [`Glance`] may leave open, settled one at a time (cheapest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Open {
    /// The phones, when they share no number nor subscriber digits.
    Phone,
    /// The emails, when they share no address nor mailbox.
    Email,
    /// The address, when the place is the same and the streets differ, or the street is the
    /// same and the places are not known to be.
    Address,
    /// The names (both: a swap is decided on the two).
    Names,
}

impl Open {
    /// Each, in the order the finder settles them.
    pub(crate) const ALL: [Open; 4] = [Open::Phone, Open::Email, Open::Address, Open::Names];
}

impl Glance {
    /// Whether `what` is still open.
    pub(crate) fn is_open(&self, what: Open) -> bool {
        match what {
            Open::Phone => self.from[MatchField::Phone.index()] != NULL,
            Open::Email => self.from[MatchField::Email.index()] != NULL,
            Open::Address => self.from[MatchField::Address.index()] != NULL,
            Open::Names => {
                self.from[MatchField::FirstName.index()] != NULL
                    || self.from[MatchField::LastName.index()] != NULL
            }
        }
    }

    /// Settles `what` as [`compare`] would.
    pub(crate) fn settle(&mut self, what: Open, a: &Profile, b: &Profile) {
        let g = &mut self.gamma;
        let mut set = |field: MatchField, l: Option<MatchLevel>, value: u64| {
            let f = field.index();
            g.levels[f] = l.map_or(NULL, |l| level(field, l));
            g.values[f] = value;
            self.from[f] = NULL;
        };
        match what {
            Open::Phone => {
                // Open only when the phones share no number nor subscriber digits.
                set(MatchField::Phone, Some(digit_typo(a, b)), 0);
            }
            Open::Email => {
                let (l, value) = email_level(a, b);
                set(MatchField::Email, l, value);
            }
            Open::Address => set(MatchField::Address, address_level(a, b), 0),
            Open::Names => {
                let [(first, x), (last, y)] = weighed_names(a, b);
                set(MatchField::FirstName, first, x);
                set(MatchField::LastName, last, y);
            }
        }
    }
}

/// The levels of the first and last names ([`names`]), each with the key of the name shared
/// when it is shared exactly (for its frequency), else 0. For names swapped that the
/// first-name level finds a letter or two apart while the others differ (`Tayhrust Henry` and
/// `Oliver Tayhurst`), the first name carries the key of the one of the two typed as a last
/// name and the last name the key of the other, for the scorer to read which the tenant holds
/// the name as (a surname: then the first names are what differ).
fn weighed_names(a: &Profile, b: &Profile) -> [(Option<MatchLevel>, u64); 2] {
    let NameReading {
        first,
        last,
        typed: [x, y],
        across,
    } = names(a, b);
    let value = |l: Option<MatchLevel>, name: &str| match l {
        Some(MatchLevel::Same | MatchLevel::Folded | MatchLevel::Swapped) => key(name),
        _ => 0,
    };
    match (first, last, across) {
        (Some(near), Some(MatchLevel::Different), Some([as_last, as_first]))
            if NEAR_NAMES.contains(&near) =>
        {
            [(first, key(as_last)), (last, key(as_first))]
        }
        _ => [(first, value(first, x)), (last, value(last, y))],
    }
}

/// Compares two profiles field by field (their sketches unread: a first look and what it
/// settles give the same, see [`glance`]).
pub(crate) fn compare(a: &Profile, b: &Profile) -> Gamma {
    let mut gamma = Gamma {
        levels: [NULL; FIELDS],
        values: [0; FIELDS],
    };
    let mut set = |field: MatchField, l: Option<MatchLevel>, value: u64| {
        gamma.levels[field.index()] = l.map_or(NULL, |l| level(field, l));
        gamma.values[field.index()] = value;
    };
    let [(first, x), (last, y)] = weighed_names(a, b);
    set(MatchField::FirstName, first, x);
    set(MatchField::LastName, last, y);
    let (l, v) = weighed_birth(a.birth, b.birth);
    set(MatchField::BirthDate, l, v);
    let (l, v) = email_level(a, b);
    set(MatchField::Email, l, v);
    let (l, v) = phone_level(a, b);
    set(MatchField::Phone, l, v);
    set(MatchField::Address, address_level(a, b), 0);
    gamma
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
    fn every_field_ends_with_different_and_fits_four_bits() {
        for &field in MatchField::ALL {
            let levels = field.levels();
            assert_eq!(levels.last(), Some(&MatchLevel::Different));
            // Indexes 0 to 7; 8 is the code of a field missing, within four bits.
            assert!(levels.len() <= usize::from(NULL));
            assert!(usize::from(NULL) < 1 << LEVEL_BITS);
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

    /// The sketched profile of a customer entered in an Australian tenant.
    fn profile(customer: crate::model::NewCustomer) -> Profile {
        let rules = crate::model::Rules::new(
            &crate::TenantSettings::with_region("AU"),
            chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date"),
        );
        Profile::of(&customer.validate(&rules).expect("a valid customer")).sketched()
    }

    #[test]
    fn names_swapped_keep_a_level_of_each_field() {
        let person = |first: &str, last: &str| {
            profile(crate::model::NewCustomer {
                first_name: first.into(),
                last_name: last.into(),
                ..Default::default()
            })
        };
        // `Hsnler Hunter` is `Hunter Hanler` swapped and mistyped: across the fields the
        // surnames are one letter apart and the first names share only their first letter,
        // which the last-name field reads as different (it has no such level).
        let gamma = compare(&person("Harper", "Hanler"), &person("Hsnler", "Hunter"));
        let of = |field: MatchField| field.levels()[usize::from(gamma.levels[field.index()])];
        assert_eq!(of(MatchField::FirstName), MatchLevel::OneEdit);
        assert_eq!(of(MatchField::LastName), MatchLevel::Different);
    }

    #[test]
    fn an_email_name_shared_at_another_domain_says_what_the_names_do_not() {
        let person = |first: &str, last: &str, email: &str| {
            profile(crate::model::NewCustomer {
                first_name: first.into(),
                last_name: last.into(),
                email: Some(email.into()),
                ..Default::default()
            })
        };
        let level_of = |a: &Profile, b: &Profile| {
            let full = compare(a, b);
            // The finder's first look settles it as the comparison does.
            let mut look = glance(a, b);
            for what in Open::ALL {
                if look.is_open(what) {
                    look.settle(what, a, b);
                }
            }
            assert_eq!(look.gamma, compare(b, a));
            assert_eq!(look.gamma, full);
            let l = full.levels[MatchField::Email.index()];
            (l != NULL).then(|| MatchField::Email.levels()[usize::from(l)])
        };
        // A name other than the names, with or without its dots (gmail drops them).
        let amanda = person("Amanda", "Fitzby", "amanda.fitzby41@gmail.com");
        assert_eq!(
            level_of(
                &amanda,
                &person("Amanda", "Fitzby", "amanda.fitzby41@hotmail.com")
            ),
            Some(MatchLevel::SameLocalPart)
        );
        assert_eq!(
            level_of(
                &amanda,
                &person("Amanda", "Fitzby", "Amanda.Fitzby.41@bigpond.com")
            ),
            Some(MatchLevel::SameLocalPart)
        );
        // Only the names, of either customer (a typo on one, a nickname on the other):
        // namesakes have such names as much as one person; the emails are not compared.
        // Whichever way it is dotted or joined, whichever names come first (`marie` is in
        // `annmarie`), and a name used twice: the same both ways.
        let melissa = person("Melissa", "Smithwell", "melissa.smithwell@iinet.net.au");
        for (x, y) in [
            (
                ("Melissa", "Smithwell", "melissa.smithwell@iinet.net.au"),
                ("Melisda", "Smithwell", "melissa.smithwell@gmail.com"),
            ),
            (
                ("Melissa", "Smithwell", "melissa.smithwell@iinet.net.au"),
                ("Elizabeth", "Whitier", "melissasmithwell@gmail.com"),
            ),
            (
                ("Thomas", "Smitjson", "thomas.smithson@hotmail.com"),
                ("Tom", "Smithson", "thomas.smithson@iinet.net.au"),
            ),
            (
                ("Ana", "Desouza", "ana.de.souza@hotmail.com"),
                ("Ana", "Desouza", "anadesouza@gmail.com"),
            ),
            (
                ("Marie", "Smith", "annmarie.smith@hotmail.com"),
                ("Annmarie", "Smith", "annmarie.smith@gmail.com"),
            ),
            (
                ("Jeanpierre", "Lee", "jean_pierre.lee@hotmail.com"),
                ("Jean Pierre", "Lee", "jean_pierre.lee@gmail.com"),
            ),
            (
                ("Lee", "Lee", "lee.lee@hotmail.com"),
                ("Lee", "Lee", "lee.lee@gmail.com"),
            ),
        ] {
            let (a, b) = (person(x.0, x.1, x.2), person(y.0, y.1, y.2));
            assert_eq!(level_of(&a, &b), None, "{x:?} {y:?}");
        }
        // Another name at another domain, or the names at one domain one letter apart.
        assert_eq!(
            level_of(
                &melissa,
                &person("Melissa", "Smithwell", "msmithwell@gmail.com")
            ),
            Some(MatchLevel::Different)
        );
        assert_eq!(
            level_of(
                &melissa,
                &person("Melissa", "Smithwell", "melissa.smithwel@iinet.net.au")
            ),
            Some(MatchLevel::OneEdit)
        );
    }

    #[test]
    fn one_street_with_its_place_mistyped_is_one_address_typed_two_ways() {
        let at = |street: &str, zip: &str, city: &str| {
            profile(crate::model::NewCustomer {
                first_name: "Lukasz".into(),
                last_name: "Johnstrom".into(),
                address: crate::model::Address {
                    street: Some(street.into()),
                    zip: Some(zip.into()),
                    city: Some(city.into()),
                    ..Default::default()
                },
                ..Default::default()
            })
        };
        let home = at("94 Hume Crescent", "4215", "Southport");
        let level_of = |other: &Profile| {
            let full = compare(&home, other);
            // The finder's first look leaves it open, and settles it as the comparison does.
            let mut look = glance(&home, other);
            if look.is_open(Open::Address) {
                look.settle(Open::Address, &home, other);
            }
            assert_eq!(look.gamma, full);
            MatchField::Address.levels()[usize::from(full.levels[MatchField::Address.index()])]
        };
        assert_eq!(
            level_of(&at("94 Hume Crescent", "415", "Souuthport")),
            MatchLevel::SimilarStreet
        );
        assert_eq!(
            level_of(&at("94 Hume Crescent", "4215", "Brisbane")),
            MatchLevel::Same
        );
        assert_eq!(
            level_of(&at("94 Hume Crescent", "3000", "Melbourne")),
            MatchLevel::Different,
            "one street name in another town is another address"
        );
        assert_eq!(
            level_of(&at("94 Hume Crescent", "4216", "Labrador")),
            MatchLevel::Different,
            "a neighbouring town's code is one digit off: its town says it is another place"
        );
    }

    #[test]
    fn names_grade_typos_nicknames_and_swaps() {
        let l = |a: (&str, &str), b: (&str, &str), first| name_level(a, b, first);
        // A letter dropped and two swapped across it: two typos, though the alignment counts
        // three; not among short names, nor for two names three letters apart (those only
        // share their first letter).
        assert_eq!(
            l(("oliver", "oliver"), ("ovler", "ovler"), true),
            Some(MatchLevel::Similar)
        );
        assert_eq!(
            l(("olive", "olive"), ("ovle", "ovle"), true),
            Some(MatchLevel::SameInitial)
        );
        // Three typos keep the first letter; another first letter is another name. Last
        // names have no such level (a household shares its surname).
        assert_eq!(
            l(("miichele", "miichele"), ("mihcelle", "mihcelle"), true),
            Some(MatchLevel::SameInitial)
        );
        assert_eq!(
            l(("miichele", "miichele"), ("mihcelle", "mihcelle"), false),
            Some(MatchLevel::Different)
        );
        assert_eq!(
            l(("hunter", "hunter"), ("sophie", "sophie"), true),
            Some(MatchLevel::Different)
        );
        assert_eq!(
            l(("samuel", "samuel"), ("saeul", "saeul"), true),
            Some(MatchLevel::Similar)
        );
        assert_eq!(
            l(("daniel", "daniel"), ("nadia", "nadia"), true),
            Some(MatchLevel::Different)
        );
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
        assert_eq!(
            l(("ma", "ma"), ("miia", "miia"), true),
            Some(MatchLevel::Similar)
        );
        assert_eq!(
            l(("zoe", "zoe"), ("zpe", "zpe"), true),
            Some(MatchLevel::OneEdit)
        );
        assert_eq!(
            l(("zeo", "zeo"), ("zpe", "zpe"), true),
            Some(MatchLevel::Similar)
        );
        assert_eq!(
            l(("mia", "mia"), ("ava", "ava"), true),
            Some(MatchLevel::Different)
        );
        assert_eq!(l(("", ""), ("white", "white"), false), None);
        // A nickname typed with a typo is similar, no more.
        assert_eq!(
            l(("richard", "richard"), ("riick", "riick"), true),
            Some(MatchLevel::Similar)
        );
        assert_eq!(
            l(("richard", "richard"), ("riick", "riick"), false),
            Some(MatchLevel::Different)
        );
    }

    #[test]
    fn birth_dates_two_typos_apart_are_one_date_typed_twice() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        for (x, y) in [
            ("1977-12-08", "1978-08-12"),
            ("1954-10-28", "1964-09-28"),
            ("1981-10-08", "1991-09-08"),
            ("1990-01-30", "1991-01-29"),
        ] {
            assert_eq!(
                birth_level(d(x), d(y)),
                Some(MatchLevel::Different),
                "{x} {y}"
            );
            assert!(two_typos_apart(d(x), d(y)), "{x} {y}");
            assert!(two_typos_apart(d(y), d(x)), "{y} {x}");
        }
        // A father and his son; three typos; a date unknown.
        for (x, y) in [
            ("1950-03-01", "1980-07-09"),
            ("1950-03-01", "1961-03-02"),
            ("1977-12-08", "1988-08-12"),
        ] {
            assert!(!two_typos_apart(d(x), d(y)), "{x} {y}");
        }
        assert!(!two_typos_apart(d("1950-03-01"), None));
    }
}
