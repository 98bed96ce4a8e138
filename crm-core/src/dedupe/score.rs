//! The score of a pair of customers and the reasons behind it.

use super::names::{NameMatch, compare};
use super::profile::{Profile, share};
use super::{MatchConfig, MatchReason};

/// How likely `a` and `b` are one person, in [0, 1], and why: strongest evidence first, evidence
/// against last.
pub(crate) fn score(a: &Profile, b: &Profile, cfg: &MatchConfig) -> (f64, Vec<MatchReason>) {
    let names = compare(
        (&a.first, &a.last),
        (&b.first, &b.last),
        cfg.name_similarity,
    );
    let alike = names.alike();
    let contact = if alike {
        1.0
    } else {
        cfg.contact_with_other_name
    };
    let mut evidence: Vec<(MatchReason, f64)> = Vec::new();
    if share(&a.emails, &b.emails) {
        evidence.push((MatchReason::SameEmail, cfg.same_email * contact));
    } else if share(&a.mailboxes, &b.mailboxes) {
        evidence.push((MatchReason::SameMailbox, cfg.same_mailbox * contact));
    }
    if share(&a.phones, &b.phones) {
        evidence.push((MatchReason::SamePhone, cfg.same_phone * contact));
    }
    let same_birth = matches!((a.birth, b.birth), (Some(x), Some(y)) if x == y);
    if names == NameMatch::Same && same_birth {
        evidence.push((
            MatchReason::SameNameAndBirthDate,
            cfg.same_name_and_birth_date,
        ));
    }
    if alike {
        let reason = match names {
            NameMatch::Same => MatchReason::SameName,
            NameMatch::Nickname => MatchReason::NicknameName,
            NameMatch::Swapped => MatchReason::SwappedName,
            _ => MatchReason::SimilarName,
        };
        evidence.push((reason, cfg.similar_name));
        let same =
            |x: &Option<String>, y: &Option<String>| matches!((x, y), (Some(x), Some(y)) if x == y);
        if same(&a.street, &b.street) {
            evidence.push((MatchReason::SameStreet, cfg.same_street));
        }
        if same(&a.zip, &b.zip) {
            evidence.push((MatchReason::SameZip, cfg.same_zip));
        }
        if same(&a.city, &b.city) {
            evidence.push((MatchReason::SameCity, cfg.same_city));
        }
    }
    evidence.retain(|(_, weight)| *weight > 0.0);
    if evidence.is_empty() {
        return (0.0, Vec::new());
    }
    let mut score = 1.0
        - evidence
            .iter()
            .map(|(_, weight)| 1.0 - weight.clamp(0.0, 1.0))
            .product::<f64>();
    evidence.sort_by(|x, y| y.1.total_cmp(&x.1));
    let mut reasons: Vec<MatchReason> = evidence.into_iter().map(|(r, _)| r).collect();
    if !alike {
        reasons.push(MatchReason::DifferentName);
    }
    if matches!((a.birth, b.birth), (Some(x), Some(y)) if x != y) {
        score *= cfg.different_birth_date;
        reasons.push(MatchReason::DifferentBirthDate);
    }
    (score.clamp(0.0, 1.0), reasons)
}
