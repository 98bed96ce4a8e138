//! Names that are one name: nickname groups (`Bob` and `Robert`), and the other-gender forms
//! of a first name that are another name (`Louis` and `Louise`).

use rustc_hash::FxHashMap;
use std::sync::OnceLock;

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

/// The nickname groups of each name. Looked up for most pairs of unequal first names: a fast
/// hash, safe here for the table is fixed (a crafted name can only miss it).
fn groups() -> &'static FxHashMap<&'static str, Vec<usize>> {
    static GROUPS: OnceLock<FxHashMap<&'static str, Vec<usize>>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let mut map: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
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

/// Whether two different folded first names are a known nickname pair, or a name of a group
/// and the group's full name typed with one typo (`mike` and `micahel`, `dan` and `daiel`): a
/// typo in the full name keeps the nickname match.
pub(crate) fn nickname(a: &str, b: &str) -> bool {
    let groups = groups();
    match (groups.get(a), groups.get(b)) {
        (Some(x), Some(y)) => x.iter().any(|g| y.contains(g)),
        (Some(x), None) => mistyped_full_name(a, x, b),
        (None, Some(y)) => mistyped_full_name(b, y, a),
        (None, None) => false,
    }
}

/// The least letters of a group's full name, and of the name typed for it, for a typo to be
/// told from another name: `tim` is one letter from `tom`, and someone else.
pub(crate) const MIN_MISTYPED: usize = 5;

/// Names one letter from a group's full name that are names of their own (mostly its
/// other-gender form, where [`other_gender_form`] does not tell).
const NOT_TYPOS: &[&str] = &["andrea", "christian", "johanne", "stephane"];

/// Whether `typed` (in no group) is one edit from the full name (the first) of one of `groups`
/// other than `name` itself, and neither a typo nor another form of `name` (`johann` and
/// `johanne` are two people) nor a name of its own.
fn mistyped_full_name(name: &str, groups: &[usize], typed: &str) -> bool {
    let length = typed.chars().count();
    // The cheap tests first: this runs for most pairs of unequal first names.
    length >= MIN_MISTYPED
        && groups.iter().map(|&g| NICKNAMES[g][0]).any(|full| {
            full != name
                && full.len() >= MIN_MISTYPED
                && full.len().abs_diff(length) <= 1
                && super::distance::osa(full, typed) == 1
                && !other_gender_form(full, typed)
        })
        && !NOT_TYPOS.contains(&typed)
        && !other_gender_form(name, typed)
        && super::distance::osa(name, typed) > 1
}

/// The least letters of a nickname typed with a typo for it to be told from another name.
const MIN_MISTYPED_NICKNAME: usize = 4;

/// Whether one of two different folded first names is a nickname of the other's groups typed
/// with a letter doubled or two neighbours swapped (`richard` and `riick`, `samuel` and `saam`,
/// `william` and `bilyl`): four letters at least, neither a name of any group nor one of
/// [`NOT_TYPOS`], nor the nickname's other-gender form. A letter added or changed is not taken:
/// `jean` is one letter from `jen`, `joel` from `joe`, `tammy` from `tommy`, and someone else.
pub(crate) fn mistyped_nickname(a: &str, b: &str) -> bool {
    let groups = groups();
    let mistyped = |name: &str, typed: &str| {
        let Some(of_name) = groups.get(name) else {
            return false;
        };
        typed.chars().count() >= MIN_MISTYPED_NICKNAME
            && !groups.contains_key(typed)
            && !NOT_TYPOS.contains(&typed)
            && of_name.iter().any(|&g| {
                NICKNAMES[g].iter().any(|&nick| {
                    nick != name
                        && doubled_or_swapped(nick, typed)
                        && !other_gender_form(nick, typed)
                })
            })
    };
    mistyped(a, b) || mistyped(b, a)
}

/// Whether `typed` is `name` with one letter doubled (`riick` for `rick`) or two neighbouring
/// letters swapped after the first (`bilyl` for `billy`; `ibll` begins as another name).
fn doubled_or_swapped(name: &str, typed: &str) -> bool {
    let (n, t): (Vec<char>, Vec<char>) = (name.chars().collect(), typed.chars().collect());
    let Some(i) = n.iter().zip(&t).position(|(x, y)| x != y).or_else(|| {
        // Equal up to the shorter: the extra letter is at the end.
        (t.len() == n.len() + 1).then_some(n.len())
    }) else {
        return false;
    };
    if t.len() == n.len() + 1 {
        // The letter typed twice: the one at `i` repeats the one before, the rest follows.
        i > 0 && t[i] == t[i - 1] && t[i + 1..] == n[i..]
    } else {
        t.len() == n.len()
            && i > 0
            && i + 1 < n.len()
            && n[i] == t[i + 1]
            && n[i + 1] == t[i]
            && n[i + 2..] == t[i + 2..]
    }
}

/// Whether two different folded first names are one name and its other-gender form
/// (`francois`/`francoise`, `louis`/`louise`, `mario`/`maria`, `michel`/`michele`): two people,
/// not a typo.
pub(crate) fn other_gender_form(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    // A form of a name of three letters at least (`zo` and `zoe` are one name mistyped), and
    // not a letter doubled again (`renee` and `reneee`; `rene` and `renee` are two).
    long.strip_prefix(short).is_some_and(|rest| {
        short.chars().count() >= 3
            && matches!(rest, "e" | "a" | "ne" | "le" | "te")
            && !(short.ends_with("ee") || short.ends_with("aa"))
    }) || (a.len() == b.len()
        && a.ends_with(['a', 'e', 'o'])
        && b.ends_with(['a', 'e', 'o'])
        && a.is_char_boundary(a.len() - 1)
        && b.is_char_boundary(b.len() - 1)
        && a[..a.len() - 1] == b[..b.len() - 1])
        || one_stem(a, b)
}

/// Whether two names are one stem of at least three letters with a masculine ending and a
/// feminine one (`oliver`/`olivia`, `marius`/`maria`).
fn one_stem(a: &str, b: &str) -> bool {
    const MASCULINE: [&str; 3] = ["er", "us", "o"];
    const FEMININE: [&str; 2] = ["ia", "a"];
    let meets = |m: &str, f: &str| {
        MASCULINE.iter().any(|&me| {
            m.strip_suffix(me).is_some_and(|ms| {
                ms.chars().count() >= 3
                    && FEMININE
                        .iter()
                        .any(|&fe| f.strip_suffix(fe).is_some_and(|fs| fs == ms))
            })
        })
    };
    meets(a, b) || meets(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_gender_forms_are_other_names() {
        for (x, y) in [
            ("francois", "francoise"),
            ("louis", "louise"),
            ("mario", "maria"),
            ("michel", "michele"),
            ("martin", "martine"),
            ("oliver", "olivia"),
            ("marius", "maria"),
        ] {
            assert!(other_gender_form(x, y), "{x}/{y}");
        }
        assert!(other_gender_form("rene", "renee"));
        assert!(!other_gender_form("renee", "reneee"));
        assert!(!other_gender_form("zo", "zoe"));
        assert!(!other_gender_form("francois", "fracnois"));
        assert!(!other_gender_form("oliver", "olivier"));
        assert!(!other_gender_form("olivia", "olivea"));
        assert!(nickname("bob", "robert"));
        assert!(!nickname("bob", "anna"));
    }

    #[test]
    fn a_nickname_typed_with_a_typo_is_told_from_another_name() {
        for (x, y) in [
            ("richard", "riick"),
            ("william", "biill"),
            ("katherine", "kaate"),
            ("samuel", "saam"),
            ("william", "bilyl"),
        ] {
            assert!(mistyped_nickname(x, y), "{x}/{y}");
            assert!(mistyped_nickname(y, x), "{y}/{x}");
        }
        // Too short, another first letter, a name of a group, or another gender's form.
        for (x, y) in [
            ("richard", "rck"),
            ("edward", "td"),
            ("thomas", "tim"),
            ("samuel", "pam"),
            ("jennifer", "benn"),
            ("jennifer", "ben"),
            ("anthony", "tonya"),
            ("richard", "rich"),
            ("jennifer", "jean"),
            ("joseph", "joel"),
            ("thomas", "tammy"),
            ("maximilian", "maxine"),
            ("david", "dale"),
            ("william", "ibll"),
            ("thomas", "otmmy"),
        ] {
            assert!(!mistyped_nickname(x, y), "{x}/{y}");
        }
    }

    #[test]
    fn a_nickname_meets_its_long_name_through_one_typo() {
        for (x, y) in [
            ("mike", "micahel"),
            ("dan", "daiel"),
            ("sam", "samueel"),
            ("maggie", "margraet"),
            ("kate", "katherime"),
        ] {
            assert!(nickname(x, y), "{x}/{y}");
            assert!(nickname(y, x), "{y}/{x}");
        }
        // Two typos, a short name, the name's own typo, or another name's other-gender form.
        assert!(!nickname("mike", "miicheal"));
        assert!(!nickname("jim", "jame"));
        assert!(!nickname("tom", "tim"));
        assert!(!nickname("william", "willian"));
        assert!(!nickname("dan", "daniela"));
        // Another form of the name itself, or a name one letter from a group's name.
        assert!(!nickname("johann", "johanne"));
        assert!(!nickname("frederic", "frederica"));
        for (x, y) in [
            ("ben", "kenny"),
            ("jennifer", "penny"),
            ("sam", "tammy"),
            ("james", "timmy"),
            ("richard", "vicky"),
            ("isabelle", "della"),
            ("tina", "christian"),
            ("christine", "christian"),
            ("steph", "stephane"),
            ("maximilian", "maxine"),
            ("hans", "johanne"),
            ("drew", "andrea"),
            ("jim", "janie"),
        ] {
            assert!(!nickname(x, y), "{x}/{y}");
            assert!(!nickname(y, x), "{y}/{x}");
        }
    }
}
