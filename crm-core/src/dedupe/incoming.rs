//! Duplicates of records about to be created in bulk (an import): each is compared with the
//! customers that share a blocking key of the batch finder with it, among the stored customers
//! given and the records checked before it, in one pass and no index query.

use std::collections::HashMap;

use super::finder::keys;
use super::profile::Profile;
use super::score::score;
use super::{DuplicateMatch, MatchConfig};
use crate::model::Customer;

/// Most members of a block of a contact (an email, a mailbox, a phone) a record is compared
/// with: the latest ones. Such blocks are small but for shared household contacts.
const CONTACT_BLOCK_CAP: usize = 64;
/// The same for the other blocks (name keys, birth date, address), which for a common name or
/// a busy street hold thousands; the batch finder bounds the same work with its window.
const BLOCK_CAP: usize = 16;

/// The blocks of the customers seen so far, and the matching rules.
pub(crate) struct Incoming {
    config: MatchConfig,
    profiles: Vec<Profile>,
    blocks: HashMap<u64, Vec<u32>>,
    keys: Vec<u64>,
}

impl Incoming {
    /// Blocks over no one yet.
    pub(crate) fn new(config: MatchConfig) -> Self {
        Self {
            config,
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
        self.keys.clear();
        keys(&p, &mut self.keys);
        self.keys.sort_unstable();
        self.keys.dedup();
        for key in &self.keys {
            self.blocks.entry(*key).or_default().push(index);
        }
        self.profiles.push(p);
    }

    /// The customers seen so far that score at or above the threshold against `c`, best first;
    /// then `c` joins the blocks, so the records after it are compared with it.
    pub(crate) fn check(&mut self, c: &Customer) -> Vec<DuplicateMatch> {
        if c.anonymised_at.is_some() {
            return Vec::new();
        }
        let me = Profile::of(c);
        self.keys.clear();
        let contacts = keys(&me, &mut self.keys);
        let mut candidates: Vec<u32> = Vec::new();
        for (i, key) in self.keys.iter().enumerate() {
            let cap = if i < contacts {
                CONTACT_BLOCK_CAP
            } else {
                BLOCK_CAP
            };
            if let Some(block) = self.blocks.get(key) {
                candidates.extend(block.iter().rev().take(cap));
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut out: Vec<DuplicateMatch> = candidates
            .into_iter()
            .filter_map(|i| {
                let other = &self.profiles[i as usize];
                let (score, reasons) = score(&me, other, &self.config);
                (other.id != me.id && score >= self.config.threshold).then_some(DuplicateMatch {
                    customer_id: other.id,
                    score,
                    reasons,
                })
            })
            .collect();
        sort(&mut out);
        // A customer changed by the import is in the blocks once more: its best score stays.
        let mut seen = std::collections::HashSet::new();
        out.retain(|m| seen.insert(m.customer_id));
        self.add_profile(me);
        out
    }
}

/// Best first; ties by id, so the order is stable.
pub(crate) fn sort(matches: &mut [DuplicateMatch]) {
    matches.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.customer_id.cmp(&b.customer_id))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TenantSettings;
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
    fn records_meet_the_stored_and_the_earlier_ones_only() {
        let mut incoming = Incoming::new(MatchConfig::default());
        let stored = customer("Hélène", "Dupont", Some("helene@example.fr"));
        incoming.add(&stored);
        // Same email, same name: matches the stored one.
        let first = customer("Helene", "Dupont", Some("Helene@example.fr"));
        let found = incoming.check(&first);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].customer_id, stored.id);
        // The next one meets both, best first.
        let second = customer("Hélène", "Dupont", Some("helene@example.fr"));
        let found = incoming.check(&second);
        let ids: Vec<_> = found.iter().map(|m| m.customer_id).collect();
        assert_eq!(ids.len(), 2, "{found:?}");
        assert!(ids.contains(&stored.id) && ids.contains(&first.id));
        // Someone else meets no one.
        assert!(incoming.check(&customer("Marc", "Petit", None)).is_empty());
        assert_eq!(incoming.profiles.len(), 4);
    }
}
