//! Duplicates of records about to be created in bulk (an import): each is compared with the
//! customers that share a blocking key of the batch finder with it, among the stored customers
//! given and the records checked before it, in one pass and no index query.

use std::collections::HashMap;

use super::compare::compare;
use super::finder::keys;
use super::model::{MatchModel, Scorer, probability};
use super::profile::Profile;
use super::{DuplicateMatch, MatchConfig};
use crate::model::Customer;

/// Most members of a block of a contact (an email, a mailbox, a phone) a record is compared
/// with: the latest ones. Such blocks are small but for shared household contacts.
const CONTACT_BLOCK_CAP: usize = 64;
/// The same for the other blocks (name keys, birth date, address), which for a common name or
/// a busy street hold thousands; the batch finder bounds the same work with its window.
const BLOCK_CAP: usize = 16;

/// The blocks of the customers seen so far, and the model with its threshold.
pub(crate) struct Incoming {
    scorer: Scorer,
    profiles: Vec<Profile>,
    blocks: HashMap<u64, Vec<u32>>,
    keys: Vec<u64>,
}

impl Incoming {
    /// Blocks over no one yet, scoring with `model` as `config` says.
    pub(crate) fn new(config: &MatchConfig, model: &MatchModel) -> Self {
        Self {
            scorer: Scorer::new(model, &config.weights, config.threshold),
            profiles: Vec::new(),
            blocks: HashMap::new(),
            keys: Vec::new(),
        }
    }

    /// Adds a customer (a stored one, or one just checked) to the blocks. Anonymised records are
    /// nobody's duplicates.
    pub(crate) fn add(&mut self, c: &Customer) {
        if c.anonymised_at.is_none() {
            self.add_profile(Profile::of(c));
        }
    }

    fn add_profile(&mut self, p: Profile) {
        let index = u32::try_from(self.profiles.len()).unwrap_or(u32::MAX);
        keys_of(&p, &mut self.keys);
        self.keys.sort_unstable();
        self.keys.dedup();
        for key in &self.keys {
            self.blocks.entry(*key).or_default().push(index);
        }
        self.profiles.push(p);
    }

    /// For each of `customers`, in order, the customers that score at or above the threshold
    /// against it among those seen so far and those before it in `customers`, best first; then
    /// they all join the blocks. The comparisons with the customers seen before the call run on
    /// every core; those within the call follow, in order.
    pub(crate) fn check_all(&mut self, customers: &[Customer]) -> Vec<Vec<DuplicateMatch>> {
        let profiles: Vec<Option<Profile>> =
            crate::parallel::map(customers.iter().collect(), PARALLEL_FROM, |c: &Customer| {
                c.anonymised_at.is_none().then(|| Profile::of(c))
            });
        let this = &*self;
        let mut out: Vec<Vec<DuplicateMatch>> = crate::parallel::map(
            profiles.iter().collect(),
            PARALLEL_FROM,
            |me: &Option<Profile>| match me {
                Some(me) => {
                    let mut keys = Vec::new();
                    let contacts = keys_of(me, &mut keys);
                    let found = candidates(&this.blocks, &keys, contacts);
                    scored(
                        me,
                        found.iter().map(|&j| &this.profiles[j as usize]),
                        &this.scorer,
                    )
                }
                None => Vec::new(),
            },
        );
        // Within the call: each against the ones before it.
        let mut local: HashMap<u64, Vec<u32>> = HashMap::new();
        let mut keys = Vec::new();
        for (i, me) in profiles.iter().enumerate() {
            let Some(me) = me else { continue };
            keys.clear();
            let contacts = keys_of(me, &mut keys);
            let found = candidates(&local, &keys, contacts);
            let earlier = found.iter().filter_map(|&j| profiles[j as usize].as_ref());
            out[i].extend(scored(me, earlier, &self.scorer));
            settle(&mut out[i]);
            keys.sort_unstable();
            keys.dedup();
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            for key in &keys {
                local.entry(*key).or_default().push(index);
            }
        }
        for p in profiles.into_iter().flatten() {
            self.add_profile(p);
        }
        out
    }
}

/// Customers per thread below which a batch is checked on one thread.
const PARALLEL_FROM: usize = 256;

/// The blocking keys of `p` into `out` (cleared first); returns how many are contact keys.
fn keys_of(p: &Profile, out: &mut Vec<u64>) -> usize {
    out.clear();
    keys(p, out)
}

/// The members of `blocks` sharing a key with a profile of `keys` (the first `contacts` of
/// them contact keys): the latest ones of each block, once each.
fn candidates(blocks: &HashMap<u64, Vec<u32>>, keys: &[u64], contacts: usize) -> Vec<u32> {
    let mut found: Vec<u32> = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let cap = if i < contacts {
            CONTACT_BLOCK_CAP
        } else {
            BLOCK_CAP
        };
        if let Some(block) = blocks.get(key) {
            found.extend(block.iter().rev().take(cap));
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// The matches of `me` among `others`, at or above the threshold.
pub(crate) fn scored<'a>(
    me: &Profile,
    others: impl Iterator<Item = &'a Profile>,
    scorer: &Scorer,
) -> Vec<DuplicateMatch> {
    others
        .filter_map(|other| {
            if other.id == me.id {
                return None;
            }
            let gamma = compare(me, other);
            let total = scorer.total(&gamma);
            (total >= scorer.threshold_bits).then(|| DuplicateMatch {
                customer_id: other.id,
                score: probability(total),
                contributions: scorer.contributions(&gamma),
            })
        })
        .collect()
}

/// Best first, ties by id so the order is stable, and one match per customer (its best): a
/// customer changed by an import is in the blocks once more, and the index may find one the
/// blocks found too.
pub(crate) fn settle(matches: &mut Vec<DuplicateMatch>) {
    matches.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.customer_id.cmp(&b.customer_id))
    });
    let mut seen = std::collections::HashSet::new();
    matches.retain(|m| seen.insert(m.customer_id));
}

#[cfg(test)]
mod tests {
    use super::super::compare::{MatchField, key};
    use super::*;
    use crate::TenantSettings;
    use crate::dedupe::MatchLevel;
    use crate::model::{NewCustomer, Rules};

    #[allow(clippy::unwrap_used)]
    fn customer(first: &str, last: &str, email: Option<&str>) -> Customer {
        let rules = Rules::new(
            &TenantSettings::with_region("FR"),
            chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        );
        NewCustomer {
            first_name: first.into(),
            last_name: last.into(),
            email: email.map(Into::into),
            ..Default::default()
        }
        .validate(&rules)
        .unwrap()
    }

    #[test]
    fn a_comparison_is_the_same_whichever_customer_comes_first() {
        let pairs = [
            (("John", "Smith"), ("Smith", "Jon")),
            (("Jean", "Dupont"), ("Dupont", "Jean")),
            (("Hélène", "Dupont"), ("Helene", "Dupond")),
            (("Bob", "Smith"), ("Robert", "Smyth")),
            (("Anna", "Keller"), ("Paul", "Keller")),
        ];
        let scorer = Scorer::new(&MatchModel::default(), &[], 0.5);
        for ((f1, l1), (f2, l2)) in pairs {
            let a = Profile::of(&customer(f1, l1, Some("a@example.fr")));
            let b = Profile::of(&customer(f2, l2, Some("A@example.fr")));
            let (ab, ba) = (compare(&a, &b), compare(&b, &a));
            assert_eq!(ab.levels, ba.levels, "{f1} {l1} / {f2} {l2}");
            assert_eq!(scorer.total(&ab), scorer.total(&ba));
            assert_eq!(
                super::super::compare::conflict(&a, &b),
                super::super::compare::conflict(&b, &a)
            );
        }
    }

    /// How `model` reads the names of two customers sharing an email (the same whichever comes
    /// first): the first- and last-name levels, and the weight.
    fn read_names(
        model: &MatchModel,
        x: (&str, &str),
        y: (&str, &str),
    ) -> (Option<MatchLevel>, Option<MatchLevel>, f64) {
        let a = Profile::of(&customer(x.0, x.1, Some("home@example.fr")));
        let b = Profile::of(&customer(y.0, y.1, Some("home@example.fr")));
        let scorer = Scorer::new(model, &[], 0.5);
        let (ab, ba) = (compare(&a, &b), compare(&b, &a));
        assert_eq!(ab, ba, "{x:?} / {y:?}");
        assert_eq!(scorer.total(&ab), scorer.total(&ba));
        let level = |field| {
            scorer
                .contributions(&ab)
                .iter()
                .find(|c| c.field == field)
                .map(|c| c.level)
        };
        (
            level(MatchField::FirstName),
            level(MatchField::LastName),
            scorer.total(&ab),
        )
    }

    #[test]
    fn a_name_shared_across_the_fields_is_read_as_the_tenant_holds_it() {
        // One member of a household, and the other typed with the names swapped.
        let (francesco, liam) = (("Francesco", "Smithfield"), ("Smithfield", "Liam"));
        // Without counts (the built-in model), the name shared stays the first name.
        let (first, last, _) = read_names(&MatchModel::default(), francesco, liam);
        assert_eq!(first, Some(MatchLevel::Swapped));
        assert_eq!(last, Some(MatchLevel::Different));
        // A tenant holding the name as a surname: the first names differ, the surname is shared.
        let shared = key("smithfield");
        let mut surname = MatchModel::default();
        surname.frequencies[MatchField::LastName.index()]
            .counts
            .insert(shared, 5);
        let (first, last, as_surname) = read_names(&surname, francesco, liam);
        assert_eq!(first, Some(MatchLevel::Different));
        assert_eq!(last, Some(MatchLevel::Same));
        // A tenant holding it as a first name more often reads it as before.
        let mut given = surname.clone();
        given.frequencies[MatchField::FirstName.index()]
            .counts
            .insert(shared, 6);
        let (first, _, as_given) = read_names(&given, francesco, liam);
        assert_eq!(first, Some(MatchLevel::Swapped));
        assert!(as_surname < as_given, "{as_surname} {as_given}");
    }

    #[test]
    fn a_name_shared_across_the_fields_with_a_typo_is_read_by_both_spellings() {
        let names = |model: &MatchModel, x, y| {
            let (first, last, _) = read_names(model, x, y);
            (first, last)
        };
        let near = (Some(MatchLevel::OneEdit), Some(MatchLevel::Different));
        let arranged = (Some(MatchLevel::Different), Some(MatchLevel::OneEdit));
        // A household member typed with the names swapped and the surname mistyped, beside
        // another typed with it right.
        let (henry, oliver) = (("Tayhrust", "Henry"), ("Oliver", "Tayhurst"));
        assert_eq!(names(&MatchModel::default(), henry, oliver), near);
        // A tenant holding `Tayhurst` as a surname: the first names are what differ.
        let last = MatchField::LastName.index();
        let mut model = MatchModel::default();
        model.frequencies[last].counts.insert(key("tayhurst"), 4);
        assert_eq!(names(&model, henry, oliver), arranged);
        // The same when it is the spelling typed as a first name that the tenant holds as a
        // surname (the one in the last-name field mistyped).
        let (henry, oliver) = (("Tayhurst", "Henry"), ("Oliver", "Tayhrust"));
        assert_eq!(names(&model, henry, oliver), arranged);
        // One person typed with the names swapped, a typo and a new surname: `Oliver` typed in
        // the last-name field twice, but held far more often as a first name.
        model.frequencies[last].counts.insert(key("oliver"), 2);
        model.frequencies[MatchField::FirstName.index()]
            .counts
            .insert(key("oliver"), 30);
        assert_eq!(
            names(&model, ("Oliveer", "Smithay"), ("Hassley", "Oliver")),
            near
        );
    }

    #[test]
    fn a_swapped_name_keeps_the_first_name_rules() {
        let a = Profile::of(&customer("Willey", "Maggie", None));
        let b = Profile::of(&customer("Margaret", "Willey", None));
        for g in [compare(&a, &b), compare(&b, &a)] {
            let level = |field: MatchField| field.levels()[usize::from(g.levels[field.index()])];
            assert_eq!(level(MatchField::FirstName), MatchLevel::Nickname);
            assert_eq!(level(MatchField::LastName), MatchLevel::Swapped);
        }
    }

    #[test]
    fn a_batch_finds_what_one_by_one_finds() {
        let people: Vec<Customer> = (0..600)
            .map(|i| {
                let email = format!("p{}@example.fr", i % 120);
                customer(
                    ["Anne", "Marc", "Zoé"][i % 3],
                    &format!("Name{}", i % 40),
                    Some(&email),
                )
            })
            .collect();
        let (stored, batch) = people.split_at(300);
        let mut one_by_one = Incoming::new(&MatchConfig::default(), &MatchModel::default());
        let mut at_once = Incoming::new(&MatchConfig::default(), &MatchModel::default());
        for c in stored {
            one_by_one.add(c);
            at_once.add(c);
        }
        let expected: Vec<Vec<DuplicateMatch>> = batch
            .iter()
            .map(|c| one_by_one.check_all(std::slice::from_ref(c)).remove(0))
            .collect();
        let got = at_once.check_all(batch);
        assert!(
            expected.iter().any(|m| !m.is_empty()),
            "the data makes matches"
        );
        assert_eq!(got, expected);
    }

    #[test]
    fn records_meet_the_stored_and_the_earlier_ones_only() {
        let mut incoming = Incoming::new(&MatchConfig::default(), &MatchModel::default());
        let stored = customer("Hélène", "Dupont", Some("helene@example.fr"));
        incoming.add(&stored);
        // Same email, same name: matches the stored one.
        let first = customer("Helene", "Dupont", Some("Helene@example.fr"));
        let found = incoming.check_all(std::slice::from_ref(&first)).remove(0);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].customer_id, stored.id);
        // The next one meets both, best first.
        let second = customer("Hélène", "Dupont", Some("helene@example.fr"));
        let found = incoming.check_all(std::slice::from_ref(&second)).remove(0);
        let ids: Vec<_> = found.iter().map(|m| m.customer_id).collect();
        assert_eq!(ids.len(), 2, "{found:?}");
        assert!(ids.contains(&stored.id) && ids.contains(&first.id));
        // Someone else meets no one.
        assert!(incoming.check_all(&[customer("Marc", "Petit", None)])[0].is_empty());
        assert_eq!(incoming.profiles.len(), 4);
    }
}
