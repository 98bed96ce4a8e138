//! How two names compare: the same, typed differently (typos, transliteration), a nickname
//! pair, or first and last name swapped.

use std::collections::HashMap;
use std::sync::OnceLock;

/// How the names of two customers compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameMatch {
    /// Identical once folded.
    Same,
    /// Typos or transliteration apart.
    Similar,
    /// The first names are a known nickname pair; the last names are alike.
    Nickname,
    /// First and last name swapped.
    Swapped,
    /// Not alike.
    Different,
}

impl NameMatch {
    /// Whether the names could be one person's.
    pub(crate) fn alike(self) -> bool {
        self != Self::Different
    }
}

/// Groups of first names that are one name (folded).
const NICKNAMES: &[&[&str]] = &[
    &["robert", "bob", "bobby", "rob", "robbie"],
    &["william", "bill", "billy", "will", "willy"],
    &["james", "jim", "jimmy", "jamie"],
    &["john", "johnny", "jack"],
    &[
        "katherine",
        "catherine",
        "kate",
        "katie",
        "kathy",
        "cathy",
        "kat",
    ],
    &[
        "elizabeth",
        "liz",
        "lizzie",
        "beth",
        "betty",
        "eliza",
        "elisabeth",
        "lisa",
    ],
    &["margaret", "maggie", "meg", "peggy", "marguerite"],
    &["michael", "mike", "mick", "mikey"],
    &["richard", "rick", "ricky", "dick", "rich"],
    &["thomas", "tom", "tommy"],
    &["joseph", "joe", "joey"],
    &["charles", "charlie", "chuck"],
    &["edward", "ed", "eddie", "ted", "teddy"],
    &[
        "alexander",
        "alex",
        "sasha",
        "alexandre",
        "alejandro",
        "alessandro",
    ],
    &["alexandra", "alex", "sasha", "sandra"],
    &["daniel", "dan", "danny"],
    &["david", "dave", "davy"],
    &["matthew", "matt", "matthias", "mathieu", "matteo"],
    &["andrew", "andy", "drew"],
    &["anthony", "tony", "antoine", "antonio", "toni"],
    &["christopher", "chris", "kit"],
    &["christine", "chris", "tina", "christina", "kristina"],
    &["nicholas", "nick", "nicolas", "nico", "nicola"],
    &["jennifer", "jenny", "jen"],
    &["susan", "sue", "suzy", "susanne", "suzanne"],
    &["patricia", "pat", "patty", "trish"],
    &["patrick", "pat", "paddy"],
    &["benjamin", "ben", "benny"],
    &["samuel", "sam", "sammy"],
    &["stephanie", "steph", "stefanie"],
    &[
        "frederic",
        "fred",
        "freddy",
        "frederick",
        "friedrich",
        "fritz",
    ],
    &["johannes", "hans", "johann", "jan"],
    &["wolfgang", "wolf"],
    &["maximilian", "max", "maxime"],
    &["francisco", "paco", "pancho", "frank"],
    &["francois", "frank", "franz"],
    &["jose", "pepe"],
    &["dolores", "lola"],
    &["giuseppe", "beppe", "peppe"],
    &["francesco", "franco", "cesco"],
    &["isabelle", "isabel", "isabella", "isa", "bella"],
    &["guillaume", "guillermo", "william"],
    &["jacqueline", "jackie"],
    &["dominique", "dom"],
    &["emmanuel", "manu"],
    &["valentina", "vale"],
];

fn groups() -> &'static HashMap<&'static str, Vec<usize>> {
    static GROUPS: OnceLock<HashMap<&'static str, Vec<usize>>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let mut map: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, names) in NICKNAMES.iter().enumerate() {
            for name in *names {
                map.entry(name).or_default().push(i);
            }
        }
        map
    })
}

/// The nickname groups a folded first name belongs to (none for most names).
pub(crate) fn nickname_groups(first: &str) -> &'static [usize] {
    groups().get(first).map_or(&[], Vec::as_slice)
}

/// The other names of a first name's nickname groups (`Bob` gives `robert`, `rob`...).
pub(crate) fn nicknames(first: &str) -> impl Iterator<Item = &'static str> {
    let first = crate::model::fold(first.trim());
    let mut names: Vec<&'static str> = nickname_groups(&first)
        .iter()
        .flat_map(|&g| NICKNAMES[g].iter().copied())
        .filter(|name| *name != first)
        .collect();
    names.sort_unstable();
    names.dedup();
    names.into_iter()
}

/// Whether two different folded first names are a known nickname pair.
pub(crate) fn nickname(a: &str, b: &str) -> bool {
    let groups = groups();
    match (groups.get(a), groups.get(b)) {
        (Some(x), Some(y)) => x.iter().any(|g| y.contains(g)),
        _ => false,
    }
}

/// Whether two folded names are one name typed differently.
pub(crate) fn similar(a: &str, b: &str, threshold: f64) -> bool {
    if a == b {
        return true;
    }
    if a.is_empty() || b.is_empty() {
        return false;
    }
    // Short names differ by too little to tell a typo from another name (`Jon`/`Joan`).
    let shorter = a.chars().count().min(b.chars().count());
    if shorter < 4 {
        return false;
    }
    strsim::damerau_levenshtein(a, b) <= 1 || strsim::jaro_winkler(a, b) >= threshold
}

/// Whether two folded first names are one name typed differently. Stricter than for last
/// names: a first name and its other-gender form (`francois`/`francoise`, `louis`/`louise`,
/// `mario`/`maria`, `michel`/`michele`) are two people, not a typo.
pub(crate) fn similar_first(a: &str, b: &str, threshold: f64) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let gendered = long
        .strip_prefix(short)
        .is_some_and(|rest| matches!(rest, "e" | "a" | "ne" | "le" | "te"))
        || (a.ends_with(['a', 'e', 'o'])
            && b.ends_with(['a', 'e', 'o'])
            && a[..a.len() - 1] == b[..b.len() - 1]);
    !gendered && similar(a, b, threshold)
}

/// How the (folded) names `a` and `b` compare. A name that folds to nothing (`?`, `.`) is
/// unknown, never the same as another.
pub(crate) fn compare(a: (&str, &str), b: (&str, &str), threshold: f64) -> NameMatch {
    let ((a_first, a_last), (b_first, b_last)) = (a, b);
    if [a_first, a_last, b_first, b_last]
        .iter()
        .any(|n| n.is_empty())
    {
        // A record kept with one name (the tenant's name rule allows it): the same last name
        // is alike when a first name is missing on one side; a first name alone says too little.
        let partial = !a_last.is_empty()
            && !b_last.is_empty()
            && similar(a_last, b_last, threshold)
            && (a_first.is_empty() || b_first.is_empty());
        return match partial {
            true => NameMatch::Similar,
            false => NameMatch::Different,
        };
    }
    if a_first == b_first && a_last == b_last {
        return NameMatch::Same;
    }
    if similar(a_last, b_last, threshold) {
        if similar_first(a_first, b_first, threshold) {
            return NameMatch::Similar;
        }
        if nickname(a_first, b_first) {
            return NameMatch::Nickname;
        }
    }
    if similar(a_first, b_last, threshold) && similar(a_last, b_first, threshold) {
        return NameMatch::Swapped;
    }
    NameMatch::Different
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_first_name_compares_on_the_last() {
        let t = 0.9;
        assert_eq!(
            compare(("", "dupont"), ("helene", "dupont"), t),
            NameMatch::Similar
        );
        assert_eq!(
            compare(("", "dupont"), ("", "dupond"), t),
            NameMatch::Similar
        );
        assert_eq!(
            compare(("", "dupont"), ("helene", "martin"), t),
            NameMatch::Different
        );
        assert_eq!(
            compare(("helene", ""), ("helene", "dupont"), t),
            NameMatch::Different
        );
    }

    #[test]
    fn names_compare_as_people_do() {
        let t = 0.9;
        assert_eq!(
            compare(("helene", "dupont"), ("helene", "dupont"), t),
            NameMatch::Same
        );
        assert_eq!(
            compare(("helene", "dupont"), ("hlene", "dupond"), t),
            NameMatch::Similar
        );
        assert_eq!(
            compare(("jurgen", "muller"), ("juergen", "mueller"), t),
            NameMatch::Similar
        );
        assert_eq!(
            compare(("bob", "smith"), ("robert", "smith"), t),
            NameMatch::Nickname
        );
        assert_eq!(
            compare(("dupont", "helene"), ("helene", "dupont"), t),
            NameMatch::Swapped
        );
        assert_eq!(
            compare(("anna", "dupont"), ("marc", "dupont"), t),
            NameMatch::Different
        );
        assert_eq!(
            compare(("jon", "smith"), ("joan", "smith"), t),
            NameMatch::Different
        );
        assert_eq!(
            compare(("anna", "smith"), ("anna", "jones"), t),
            NameMatch::Different
        );
    }

    #[test]
    fn other_gender_forms_and_empty_names_are_different() {
        let t = 0.9;
        for (x, y) in [
            ("francois", "francoise"),
            ("louis", "louise"),
            ("mario", "maria"),
            ("michel", "michele"),
            ("martin", "martine"),
        ] {
            assert_eq!(
                compare((x, "dupont"), (y, "dupont"), t),
                NameMatch::Different,
                "{x}/{y}"
            );
        }
        assert_eq!(compare(("jean", ""), ("jean", ""), t), NameMatch::Different);
        // A typo in a first name is still a typo.
        assert_eq!(
            compare(("francois", "dupont"), ("fracnois", "dupont"), t),
            NameMatch::Similar
        );
    }
}
