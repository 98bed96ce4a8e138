//! Duplicates: candidates before and after a create, the batch finder with its clusters and
//! contributions, the learned model, tenant isolation, and the quality of the defaults on two
//! labelled corpora.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use crate::common;

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use common::{actor, customer, customer_with_email, open};
use crm_bench::Synth;
use crm_core::{
    Address, CustomerId, FindOptions, MatchConfig, MatchContribution, MatchField, MatchLevel,
    NewCustomer, Tenant,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn cfg() -> MatchConfig {
    MatchConfig::default()
}

/// The level a field compared at, if it was known on both sides.
fn level(contributions: &[MatchContribution], field: MatchField) -> Option<MatchLevel> {
    contributions
        .iter()
        .find(|c| c.field == field)
        .map(|c| c.level)
}

fn with_address(mut c: NewCustomer, street: &str, zip: &str, city: &str) -> NewCustomer {
    c.address = Address {
        street: Some(street.into()),
        zip: Some(zip.into()),
        city: Some(city.into()),
        region: None,
        country: Some("FR".into()),
    };
    c
}

#[test]
fn the_create_form_is_warned_before_saving() {
    let db = open();
    let t = db.tenant("agency");
    let mut helene = customer_with_email("Hélène", "Dupont", "helene.dupont@example.fr");
    helene.mobile = Some("06 12 34 56 78".into());
    let stored = t.create_customer(&actor(), helene).unwrap();
    let _other = t
        .create_customer(
            &actor(),
            customer_with_email("Marc", "Durand", "marc@example.fr"),
        )
        .unwrap();

    // The same email in capitals, the name without accents.
    let typed = customer_with_email("Helene", "DUPONT", "HELENE.DUPONT@EXAMPLE.FR");
    let found = t.possible_duplicates(typed, &cfg()).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].customer_id, stored.id);
    assert!(found[0].score >= 0.9, "{}", found[0].score);
    let why = &found[0].contributions;
    assert_eq!(
        (why[0].field, why[0].level),
        (MatchField::Email, MatchLevel::Same)
    );
    assert_eq!(level(why, MatchField::LastName), Some(MatchLevel::Same));
    assert_eq!(level(why, MatchField::FirstName), Some(MatchLevel::Folded));
    assert!(why.windows(2).all(|w| w[0].weight >= w[1].weight));

    // The phone in another format, a typo in the last name.
    let mut typed = customer("Hélène", "Dupond");
    typed.mobile = Some("+33612345678".into());
    let found = t.possible_duplicates(typed, &cfg()).unwrap();
    assert_eq!(found.len(), 1);
    let why = &found[0].contributions;
    assert_eq!(level(why, MatchField::Phone), Some(MatchLevel::Same));
    assert_eq!(level(why, MatchField::LastName), Some(MatchLevel::OneEdit));

    // Nothing is written, and a stranger matches nobody.
    assert_eq!(common::count_customers(&t), 2);
    assert!(
        t.possible_duplicates(customer("Zoé", "Lambert"), &cfg())
            .unwrap()
            .is_empty()
    );
    // Fields a create would refuse are refused here too.
    common::assert_invalid(
        t.possible_duplicates(customer_with_email("A", "B", "nope"), &cfg()),
        "email",
    );
}

#[test]
fn duplicates_of_a_stored_customer_explain_themselves() {
    let db = open();
    let t = db.tenant("agency");
    let street = ("12 rue Mercière", "69002", "Lyon");
    let a = t
        .create_customer(
            &actor(),
            with_address(
                customer("Jean-Pierre", "Martin"),
                street.0,
                street.1,
                street.2,
            ),
        )
        .unwrap();
    // Swapped names at the same address.
    let b = t
        .create_customer(
            &actor(),
            with_address(
                customer("Martin", "Jean-Pierre"),
                street.0,
                street.1,
                street.2,
            ),
        )
        .unwrap();
    // A nickname with the same phone.
    let mut bob = customer("Bob", "Smith");
    bob.mobile = Some("06 11 22 33 44".into());
    let bob = t.create_customer(&actor(), bob).unwrap();
    let mut robert = customer("Robert", "Smith");
    robert.phone = Some("+33 6 11 22 33 44".into());
    let robert = t.create_customer(&actor(), robert).unwrap();

    let of_a = t.duplicates_of(&a.id, &cfg()).unwrap();
    assert_eq!(of_a.len(), 1);
    assert_eq!(of_a[0].customer_id, b.id);
    let why = &of_a[0].contributions;
    assert_eq!(level(why, MatchField::FirstName), Some(MatchLevel::Swapped));
    assert_eq!(level(why, MatchField::Address), Some(MatchLevel::Same));

    let of_bob = t.duplicates_of(&bob.id, &cfg()).unwrap();
    assert_eq!(of_bob.len(), 1);
    assert_eq!(of_bob[0].customer_id, robert.id);
    let why = &of_bob[0].contributions;
    assert_eq!(level(why, MatchField::Phone), Some(MatchLevel::Same));
    assert_eq!(
        level(why, MatchField::FirstName),
        Some(MatchLevel::Nickname)
    );
    assert_eq!(why.len(), 3, "{why:?}");
    common::assert_kind(
        t.duplicates_of(
            &"0190c6d4-1b2c-7d3e-8f40-123456789abc".parse().unwrap(),
            &cfg(),
        ),
        crm_core::ErrorKind::NotFound,
    );
}

#[test]
fn households_and_namesakes_are_not_duplicates() {
    let db = open();
    let t = db.tenant("agency");
    let home = ("3 place Bellecour", "69002", "Lyon");
    let mut anna = with_address(customer("Anna", "Keller"), home.0, home.1, home.2);
    anna.phone = Some("04 72 00 00 01".into());
    anna.email = Some("famille.keller@example.fr".into());
    let anna = t.create_customer(&actor(), anna).unwrap();
    // Her husband: same landline, same family email, same address, another first name.
    let mut paul = with_address(customer("Paul", "Keller"), home.0, home.1, home.2);
    paul.phone = Some("+33 4 72 00 00 01".into());
    paul.email = Some("famille.keller@example.fr".into());
    t.create_customer(&actor(), paul).unwrap();
    // A namesake born on another day, in the same city.
    let mut namesake = with_address(
        customer("Anna", "Keller"),
        "8 rue de la République",
        "69001",
        "Lyon",
    );
    namesake.birth_date = NaiveDate::from_ymd_opt(1990, 5, 1);
    let mut anna_born = t.get_customer(&anna.id).unwrap().edit();
    anna_born.birth_date = NaiveDate::from_ymd_opt(1962, 3, 9);
    t.update_customer(&actor(), &anna.id, 1, anna_born).unwrap();
    t.create_customer(&actor(), namesake).unwrap();

    assert!(t.duplicates_of(&anna.id, &cfg()).unwrap().is_empty());
    assert!(
        t.find_duplicates(&FindOptions::default(), |_, _| {})
            .unwrap()
            .is_empty()
    );
    // The household shows up with the evidence against it when the threshold is lowered.
    let lax = MatchConfig::default().with_threshold(1e-9);
    let found = t.duplicates_of(&anna.id, &lax).unwrap();
    let paul = found
        .iter()
        .find(|m| level(&m.contributions, MatchField::Email) == Some(MatchLevel::Same))
        .unwrap();
    let first = paul
        .contributions
        .iter()
        .find(|c| c.field == MatchField::FirstName)
        .unwrap();
    assert_eq!(first.level, MatchLevel::Different);
    assert!(first.weight < 0.0, "{first:?}");
    assert_eq!(paul.contributions.last(), Some(first));
}

#[test]
fn find_duplicates_groups_pairs_into_clusters_oldest_first() {
    let db = open();
    let t = db.tenant("agency");
    let mut first = customer_with_email("Zoë", "Ørsted", "zoe.orsted@gmail.com");
    first.mobile = Some("06 98 76 54 32".into());
    let first = t.create_customer(&actor(), first).unwrap();
    // Same mailbox at gmail (dots and a tag), same person.
    let second = t
        .create_customer(
            &actor(),
            customer_with_email("Zoe", "Orsted", "ZoeOrsted+voyages@gmail.com"),
        )
        .unwrap();
    // Same phone as the first, name typed with a typo.
    let mut third = customer("Zoe", "Orstedt");
    third.mobile = Some("+33698765432".into());
    let third = t.create_customer(&actor(), third).unwrap();
    let _alone = t
        .create_customer(&actor(), customer("Paul", "Martin"))
        .unwrap();

    let mut calls = Vec::new();
    let clusters = t
        .find_duplicates(&FindOptions::default(), |done, total| {
            calls.push((done, total))
        })
        .unwrap();
    assert_eq!(clusters.len(), 1, "{clusters:?}");
    let cluster = &clusters[0];
    assert_eq!(cluster.customers, vec![first.id, second.id, third.id]);
    assert!(cluster.pairs.len() >= 2);
    assert!(cluster.pairs.windows(2).all(|w| w[0].score >= w[1].score));
    assert_eq!(cluster.score, cluster.pairs[0].score);
    let mailbox_pair = cluster
        .pairs
        .iter()
        .find(|p| (p.a == first.id && p.b == second.id) || (p.a == second.id && p.b == first.id))
        .unwrap();
    assert_eq!(
        level(&mailbox_pair.contributions, MatchField::Email),
        Some(MatchLevel::SameMailbox)
    );
    // Progress moves forward through reading and comparing, and ends at its total.
    assert!(calls.len() >= 3, "{calls:?}");
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0));
    assert!(calls.iter().any(|&(done, total)| done > 0 && done < total));
    let (done, total) = *calls.last().unwrap();
    assert_eq!(done, total);
}

#[test]
fn no_match_ever_crosses_tenants() {
    let db = open();
    let mine = db.tenant("mine");
    let theirs = db.tenant("theirs");
    let person = || {
        let mut c = customer_with_email("Hélène", "Dupont", "helene@example.fr");
        c.mobile = Some("06 12 34 56 78".into());
        c
    };
    let a = mine.create_customer(&actor(), person()).unwrap();
    let b = theirs.create_customer(&actor(), person()).unwrap();
    assert!(mine.duplicates_of(&a.id, &cfg()).unwrap().is_empty());
    let in_theirs = theirs.possible_duplicates(person(), &cfg()).unwrap();
    assert_eq!(
        in_theirs.iter().map(|m| m.customer_id).collect::<Vec<_>>(),
        vec![b.id]
    );
    assert!(
        mine.find_duplicates(&FindOptions::default(), |_, _| {})
            .unwrap()
            .is_empty()
    );
    common::assert_kind(
        theirs.duplicates_of(&a.id, &cfg()),
        crm_core::ErrorKind::NotFound,
    );
    // The same person twice in one tenant is found there only.
    mine.create_customer(&actor(), person()).unwrap();
    let clusters = mine
        .find_duplicates(&FindOptions::default(), |_, _| {})
        .unwrap();
    assert_eq!(clusters.len(), 1);
    assert!(!clusters[0].customers.contains(&b.id));
    assert!(
        theirs
            .find_duplicates(&FindOptions::default(), |_, _| {})
            .unwrap()
            .is_empty()
    );
}

/// Three records of one person: Zoë Ørsted twice by email (gmail aliases) and once by phone.
fn zoe_three_times(t: &Tenant) -> [crm_core::Customer; 3] {
    let mut first = customer_with_email("Zoë", "Ørsted", "zoe.orsted@gmail.com");
    first.mobile = Some("06 98 76 54 32".into());
    let first = t.create_customer(&actor(), first).unwrap();
    let mut second = customer_with_email("Zoe", "Orsted", "ZoeOrsted+voyages@gmail.com");
    second.mobile = Some("+33 6 98 76 54 32".into());
    let second = t.create_customer(&actor(), second).unwrap();
    let mut third = customer("Zoe", "Orstedt");
    third.mobile = Some("+33698765432".into());
    let third = t.create_customer(&actor(), third).unwrap();
    [first, second, third]
}

fn clusters_of(t: &Tenant) -> Vec<crm_core::DuplicateCluster> {
    t.find_duplicates(&FindOptions::default(), |_, _| {})
        .unwrap()
}

fn pair_reported(clusters: &[crm_core::DuplicateCluster], x: CustomerId, y: CustomerId) -> bool {
    clusters.iter().any(|c| {
        c.pairs
            .iter()
            .any(|p| (p.a, p.b) == (x, y) || (p.a, p.b) == (y, x))
    })
}

fn together(clusters: &[crm_core::DuplicateCluster], x: CustomerId, y: CustomerId) -> bool {
    clusters
        .iter()
        .any(|c| c.customers.contains(&x) && c.customers.contains(&y))
}

#[test]
fn a_pair_marked_not_duplicate_is_never_reported_again_until_unmarked() {
    let db = open();
    let t = db.tenant("agency");
    let [first, second, third] = zoe_three_times(&t);
    let before = clusters_of(&t);
    assert!(pair_reported(&before, first.id, third.id), "{before:?}");
    assert!(together(&before, first.id, third.id));
    assert!(
        t.duplicates_of(&first.id, &cfg())
            .unwrap()
            .iter()
            .any(|m| m.customer_id == third.id)
    );

    let seq = common::last_seq(&t);
    let reviewer = crm_core::Actor::new("reviewer-7", crm_core::Role::Agent);
    let decision = t
        .mark_not_duplicate(&reviewer, &third.id, &first.id)
        .unwrap();
    let (low, high) = if first.id < third.id {
        (first.id, third.id)
    } else {
        (third.id, first.id)
    };
    assert_eq!((decision.a, decision.b), (low, high));
    assert_eq!(decision.marked_by, "reviewer-7");
    assert_eq!(decision.other(&first.id), third.id);
    let events = common::changes_after(&t, seq);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].kind, crm_core::ChangeKind::NotDuplicateMarked);
    assert_eq!(
        (events[0].customer_id, events[0].previous_customer_id),
        (Some(low), Some(high))
    );
    assert_eq!(events[0].actor, reviewer);

    // Neither the pair nor a cluster holding both through the second record.
    let after = clusters_of(&t);
    assert!(!pair_reported(&after, first.id, third.id), "{after:?}");
    assert!(!together(&after, first.id, third.id), "{after:?}");
    assert!(together(&after, first.id, second.id), "{after:?}");
    assert!(
        !t.duplicates_of(&first.id, &cfg())
            .unwrap()
            .iter()
            .any(|m| m.customer_id == third.id)
    );
    assert!(
        !t.duplicates_of(&third.id, &cfg())
            .unwrap()
            .iter()
            .any(|m| m.customer_id == first.id)
    );
    // With the kept model too.
    let mut kept = FindOptions::default();
    kept.learn = false;
    let again = t.find_duplicates(&kept, |_, _| {}).unwrap();
    assert!(!together(&again, first.id, third.id), "{again:?}");

    // Marking again changes nothing and answers the decision that stands.
    let seq = common::last_seq(&t);
    let same = t
        .mark_not_duplicate(&actor(), &first.id, &third.id)
        .unwrap();
    assert_eq!(same, decision);
    assert_eq!(common::last_seq(&t), seq);
    assert_eq!(t.not_duplicates(&first.id).unwrap(), vec![decision.clone()]);
    assert_eq!(t.not_duplicates(&third.id).unwrap(), vec![decision.clone()]);
    assert!(t.not_duplicates(&second.id).unwrap().is_empty());
    let export = t.export_personal_data(&actor(), &third.id).unwrap();
    assert_eq!(export.not_duplicates, vec![decision.clone()]);
    assert!(
        export
            .changes
            .iter()
            .any(|e| e.kind == crm_core::ChangeKind::NotDuplicateMarked)
    );

    // Undone: reported again.
    assert!(
        t.unmark_not_duplicate(&reviewer, &first.id, &third.id)
            .unwrap()
    );
    let events = common::changes_after(&t, seq);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].kind, crm_core::ChangeKind::NotDuplicateUnmarked);
    assert!(
        !t.unmark_not_duplicate(&reviewer, &first.id, &third.id)
            .unwrap()
    );
    assert!(t.not_duplicates(&first.id).unwrap().is_empty());
    assert!(together(&clusters_of(&t), first.id, third.id));
}

#[test]
fn not_duplicate_decisions_are_checked_and_kept_per_tenant() {
    let db = open();
    let mine = db.tenant("mine");
    let theirs = db.tenant("theirs");
    let [first, _, third] = zoe_three_times(&mine);
    let [other, _, _] = zoe_three_times(&theirs);
    common::assert_invalid(mine.mark_not_duplicate(&actor(), &first.id, &first.id), "b");
    common::assert_invalid(
        mine.mark_not_duplicate(
            &crm_core::Actor::new(" ", crm_core::Role::Agent),
            &first.id,
            &third.id,
        ),
        "actor.user_id",
    );
    // Another tenant's customers are unknown here, both ways.
    common::assert_kind(
        mine.mark_not_duplicate(&actor(), &first.id, &other.id),
        crm_core::ErrorKind::NotFound,
    );
    mine.mark_not_duplicate(&actor(), &first.id, &third.id)
        .unwrap();
    common::assert_kind(
        theirs.mark_not_duplicate(&actor(), &first.id, &third.id),
        crm_core::ErrorKind::NotFound,
    );
    common::assert_kind(
        theirs.unmark_not_duplicate(&actor(), &first.id, &third.id),
        crm_core::ErrorKind::NotFound,
    );
    common::assert_kind(
        theirs.not_duplicates(&first.id),
        crm_core::ErrorKind::NotFound,
    );
    assert!(theirs.not_duplicates(&other.id).unwrap().is_empty());
    assert_eq!(mine.not_duplicates(&first.id).unwrap().len(), 1);
    // Their clusters are untouched by my decision, mine hold it.
    let theirs_found = clusters_of(&theirs);
    assert_eq!(theirs_found.len(), 1);
    assert_eq!(theirs_found[0].customers.len(), 3);
    assert!(!together(&clusters_of(&mine), first.id, third.id));
    // A deleted customer takes its decisions with it.
    mine.delete_customer(&actor(), &third.id).unwrap();
    assert!(mine.not_duplicates(&first.id).unwrap().is_empty());
}

#[test]
fn a_decision_follows_a_merge_and_comes_back_with_its_undo() {
    let db = open();
    let t = db.tenant("agency");
    let [first, second, third] = zoe_three_times(&t);
    // The second is not the third; then the second is merged into the first.
    let decision = t
        .mark_not_duplicate(&actor(), &second.id, &third.id)
        .unwrap();
    let merged = t
        .merge(
            &actor(),
            &crm_core::MergeRequest::new(first.id, vec![second.id]),
        )
        .unwrap();
    assert_eq!(t.not_duplicates(&first.id).unwrap(), vec![decision.clone()]);
    assert!(!together(&clusters_of(&t), first.id, third.id));
    assert!(
        !t.duplicates_of(&first.id, &cfg())
            .unwrap()
            .iter()
            .any(|m| m.customer_id == third.id)
    );
    // Taken back through the customer the merged record went into.
    assert!(
        t.unmark_not_duplicate(&actor(), &third.id, &first.id)
            .unwrap()
    );
    assert!(together(&clusters_of(&t), first.id, third.id));
    // The merged record itself takes no decision: the customer it went into does.
    common::assert_kind(
        t.mark_not_duplicate(&actor(), &second.id, &first.id),
        crm_core::ErrorKind::Conflict,
    );
    // Marked again on the first (which now holds the second), then the merge undone: the
    // decision stays the first's, and the second is back with none.
    let again = t
        .mark_not_duplicate(&actor(), &first.id, &third.id)
        .unwrap();
    t.unmerge(&actor(), &merged.record.id).unwrap();
    assert_eq!(t.not_duplicates(&first.id).unwrap(), vec![again]);
    assert!(t.not_duplicates(&second.id).unwrap().is_empty());
    assert!(!together(&clusters_of(&t), first.id, third.id));

    // Deleting a customer takes the decisions of the records merged into it too.
    let decision = t
        .mark_not_duplicate(&actor(), &second.id, &third.id)
        .unwrap();
    t.merge(
        &actor(),
        &crm_core::MergeRequest::new(third.id, vec![second.id]),
    )
    .unwrap();
    assert!(t.not_duplicates(&third.id).unwrap().contains(&decision));
    t.delete_customer(&actor(), &third.id).unwrap();
    assert!(t.not_duplicates(&first.id).unwrap().is_empty());
}

#[test]
fn anonymised_customers_take_no_decision_and_decisions_are_bounded() {
    let db = open();
    let t = db.tenant("agency");
    let [first, second, third] = zoe_three_times(&t);
    common::assert_invalid(t.unmark_not_duplicate(&actor(), &first.id, &first.id), "b");
    let dpo = crm_core::Actor::new("dpo-1", crm_core::Role::Organisation);
    t.anonymise(&dpo, &third.id, "asked to be forgotten")
        .unwrap();
    common::assert_kind(
        t.mark_not_duplicate(&actor(), &first.id, &third.id),
        crm_core::ErrorKind::Conflict,
    );
    // At most MAX_NOT_DUPLICATES decisions per customer.
    let max = crm_core::limits::MAX_NOT_DUPLICATES;
    let others = t
        .create_customers(
            &actor(),
            (0..max)
                .map(|i| customer("Other", &format!("Person{i}")))
                .collect(),
        )
        .unwrap();
    for other in &others[..max - 1] {
        t.mark_not_duplicate(&actor(), &first.id, &other.id)
            .unwrap();
    }
    t.mark_not_duplicate(&actor(), &second.id, &first.id)
        .unwrap();
    assert_eq!(t.not_duplicates(&first.id).unwrap().len(), max);
    // Marked already: answered as it stands; a new one refused, naming the full one.
    t.mark_not_duplicate(&actor(), &first.id, &second.id)
        .unwrap();
    common::assert_invalid(
        t.mark_not_duplicate(&actor(), &first.id, &others[max - 1].id),
        "a",
    );
    common::assert_invalid(
        t.mark_not_duplicate(&actor(), &others[max - 1].id, &first.id),
        "b",
    );
}

#[test]
fn find_duplicates_since_a_run_returns_only_clusters_with_new_pairs() {
    let db = open();
    let t = db.tenant("agency");
    let [first, second, _] = zoe_three_times(&t);
    let mut marc = customer_with_email("Marc", "Lefèvre", "marc.lefevre@example.fr");
    marc.mobile = Some("06 11 22 33 44".into());
    let marc = t.create_customer(&actor(), marc).unwrap();
    let mut marc_again = customer_with_email("Marc", "Lefevre", "MARC.LEFEVRE@example.fr");
    marc_again.mobile = Some("0611223344".into());
    let marc_again = t.create_customer(&actor(), marc_again).unwrap();
    assert_eq!(clusters_of(&t).len(), 2);

    std::thread::sleep(std::time::Duration::from_millis(5));
    let run = chrono::Utc::now();
    let mut since = FindOptions::default();
    since.since = Some(run);
    assert!(t.find_duplicates(&since, |_, _| {}).unwrap().is_empty());
    // A change to one of Marc's records makes his cluster new again, whole.
    let mut edit = marc_again.edit();
    edit.company = Some("Voyages Lefèvre".into());
    t.update_customer(&actor(), &marc_again.id, marc_again.version, edit)
        .unwrap();
    let new = t.find_duplicates(&since, |_, _| {}).unwrap();
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0].customers, vec![marc.id, marc_again.id]);
    // A new record of Zoë likewise.
    t.create_customer(
        &actor(),
        customer_with_email("Zoé", "Orsted", "zoe.orsted@gmail.com"),
    )
    .unwrap();
    let new = t.find_duplicates(&since, |_, _| {}).unwrap();
    assert_eq!(new.len(), 2, "{new:?}");
    // A decision taken back since makes its pair new again, though neither record changed.
    let zoe = clusters_of(&t)
        .into_iter()
        .find(|c| c.customers.contains(&first.id))
        .unwrap();
    t.mark_not_duplicate(&actor(), &first.id, &second.id)
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let mut later = FindOptions::default();
    later.since = Some(chrono::Utc::now());
    assert!(t.find_duplicates(&later, |_, _| {}).unwrap().is_empty());
    t.unmark_not_duplicate(&actor(), &second.id, &first.id)
        .unwrap();
    let new = t.find_duplicates(&later, |_, _| {}).unwrap();
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0].customers, zoe.customers);
    assert!(
        new.iter()
            .any(|c| c.customers.contains(&first.id) && c.customers.contains(&second.id))
    );
}

#[test]
fn large_blocks_keep_swapped_and_identical_names_side_by_side() {
    let db = open();
    let t = db.tenant("agency");
    // Sixty Martins of the same city: one name block far larger than the window.
    let mut batch: Vec<NewCustomer> = (0..60)
        .map(|i| {
            // First names far apart: a name one letter from another, born a year apart, would
            // be one person typed twice.
            let first = format!("Prénom{:08x}", (i as u32).wrapping_mul(2_654_435_761));
            let mut c = customer(&first, "Martin");
            c.birth_date = NaiveDate::from_ymd_opt(1950 + i, 1, 1);
            c
        })
        .collect();
    // The same person entered first and last, and a swapped entry in between.
    let mut anne = with_address(customer("Anne", "Martin"), "4 rue Neuve", "69001", "Lyon");
    anne.birth_date = NaiveDate::from_ymd_opt(1975, 6, 2);
    batch.insert(0, anne.clone());
    let mut swapped = anne.clone();
    std::mem::swap(&mut swapped.first_name, &mut swapped.last_name);
    batch.insert(30, swapped);
    batch.push(anne);
    let created = t.create_customers(&actor(), batch).unwrap();
    let annes = [created[0].id, created[30].id, created[62].id];
    let mut options = FindOptions::default();
    options.window = 4;
    let clusters = t.find_duplicates(&options, |_, _| {}).unwrap();
    assert_eq!(clusters.len(), 1, "{clusters:?}");
    assert_eq!(clusters[0].customers, annes);
}

#[test]
fn rules_are_checked() {
    let db = open();
    let t = db.tenant("agency");
    let a = t.create_customer(&actor(), customer("A", "B")).unwrap();
    common::assert_invalid(
        t.duplicates_of(&a.id, &cfg().with_threshold(0.0)),
        "threshold",
    );
    common::assert_invalid(
        t.duplicates_of(&a.id, &cfg().with_threshold(f64::NAN)),
        "threshold",
    );
    common::assert_invalid(
        t.duplicates_of(&a.id, &cfg().with_threshold(1.0)),
        "threshold",
    );
    let mut bad = cfg();
    bad.weights
        .push((MatchField::Phone, MatchLevel::Nickname, 3.0));
    common::assert_invalid(
        t.find_duplicates(&FindOptions::with_config(bad), |_, _| {}),
        "weights",
    );
    let mut bad = cfg();
    bad.weights
        .push((MatchField::Phone, MatchLevel::Same, f64::INFINITY));
    common::assert_invalid(t.duplicates_of(&a.id, &bad), "weights");
    let mut set = cfg();
    common::assert_invalid(
        set.set_weight(MatchField::Email, MatchLevel::Same, 500.0),
        "weights",
    );
    assert_eq!(set, cfg(), "a refused weight changes nothing");
    set.set_weight(MatchField::Email, MatchLevel::Same, 2.0)
        .unwrap();
    assert_eq!(set.weight(MatchField::Email, MatchLevel::Same), Some(2.0));
    // A window of 0 compares nothing: refused, as the C and Python faces refuse it (C's 0 is
    // "not given", the default). A window of 1 still compares neighbours.
    t.create_customer(&actor(), customer_with_email("A", "B", "ab@example.fr"))
        .unwrap();
    t.create_customer(&actor(), customer_with_email("A", "B", "AB@example.fr"))
        .unwrap();
    let mut options = FindOptions::default();
    options.window = 0;
    common::assert_invalid(t.find_duplicates(&options, |_, _| {}), "window");
    options.window = 1;
    assert_eq!(t.find_duplicates(&options, |_, _| {}).unwrap().len(), 1);
}

#[test]
fn a_name_and_its_other_gender_form_at_one_home_are_two_people() {
    let db = open();
    let t = db.tenant("agency");
    let home = ("9 quai Saint-Antoine", "69002", "Lyon");
    let mut francois = with_address(customer("François", "Girard"), home.0, home.1, home.2);
    francois.phone = Some("04 78 00 00 02".into());
    let francois = t.create_customer(&actor(), francois).unwrap();
    let mut francoise = with_address(customer("Françoise", "Girard"), home.0, home.1, home.2);
    francoise.phone = Some("04 78 00 00 02".into());
    t.create_customer(&actor(), francoise).unwrap();
    assert!(t.duplicates_of(&francois.id, &cfg()).unwrap().is_empty());
}

#[test]
fn a_cluster_never_joins_people_born_on_different_days() {
    let db = open();
    let t = db.tenant("agency");
    let home = ("5 rue Juiverie", "69005", "Lyon");
    let person = |birth: Option<NaiveDate>| {
        let mut c = with_address(customer("Jean", "Moreau"), home.0, home.1, home.2);
        c.birth_date = birth;
        c
    };
    // A father and his namesake son at one address, and a record without a birth date that
    // matches both.
    let father = t
        .create_customer(&actor(), person(NaiveDate::from_ymd_opt(1950, 3, 1)))
        .unwrap();
    let son = t
        .create_customer(&actor(), person(NaiveDate::from_ymd_opt(1980, 7, 9)))
        .unwrap();
    let unknown = t.create_customer(&actor(), person(None)).unwrap();
    let clusters = t
        .find_duplicates(&FindOptions::default(), |_, _| {})
        .unwrap();
    assert_eq!(clusters.len(), 1, "{clusters:?}");
    let members = &clusters[0].customers;
    assert_eq!(members.len(), 2);
    assert!(members.contains(&unknown.id));
    assert!(members.contains(&father.id) != members.contains(&son.id));
    assert!(
        clusters[0]
            .pairs
            .iter()
            .all(|p| members.contains(&p.a) && members.contains(&p.b))
    );
}

#[test]
fn one_pair_does_not_join_two_people_the_other_records_tell_apart() {
    let db = open();
    let t = db.tenant("agency");
    // Two people of one rare name: one in Paris with an email and a mobile, one in Lyon born
    // on a day, each typed twice; and a record with the name and that day alone.
    let paris = |first: &str| {
        let mut c = with_address(
            customer(first, "Willois"),
            "60 rue de Rivoli",
            "75001",
            "Paris",
        );
        c.email = Some("owillois@example.com".into());
        c.mobile = Some("06 11 22 33 44".into());
        c
    };
    let lyon = |first: &str| {
        let mut c = with_address(
            customer(first, "Willois"),
            "136 cours Lafayette",
            "69003",
            "Lyon",
        );
        c.birth_date = NaiveDate::from_ymd_opt(1963, 1, 22);
        c.mobile = Some("06 55 66 77 88".into());
        c
    };
    let x = [paris("Olivier"), paris("Oliveir")].map(|c| t.create_customer(&actor(), c).unwrap());
    let y = [lyon("Olivier"), lyon("Olivier")].map(|c| t.create_customer(&actor(), c).unwrap());
    let mut bare = customer("Olivier", "Willois");
    bare.birth_date = NaiveDate::from_ymd_opt(1963, 1, 22);
    let bare = t.create_customer(&actor(), bare).unwrap();
    // At a low threshold the bare record matches the Paris records by name alone; the Paris
    // and Lyon records weigh against each other, so the two people stay apart.
    let mut options = FindOptions::default();
    options.config = MatchConfig::default().with_threshold(0.5);
    let clusters = t.find_duplicates(&options, |_, _| {}).unwrap();
    assert!(pair_reported(&clusters, bare.id, y[0].id), "{clusters:?}");
    assert!(together(&clusters, x[0].id, x[1].id), "{clusters:?}");
    assert!(together(&clusters, y[0].id, y[1].id), "{clusters:?}");
    assert!(!together(&clusters, x[0].id, y[0].id), "{clusters:?}");
    assert!(together(&clusters, bare.id, y[0].id), "{clusters:?}");
}

/// Options weighing the same first name and the same last name so that a pair agreeing on
/// the names alone weighs `names_alone` bits (the tenant's model's prior counted), and a street
/// typed two ways `street` bits; the default threshold.
fn names_weigh(t: &Tenant, names_alone: f64, street: f64) -> FindOptions {
    let prior = t.match_model().unwrap().prior;
    let prior_bits = (prior / (1.0 - prior)).log2();
    let name = (names_alone - prior_bits) / 2.0;
    let mut config = MatchConfig::default();
    config
        .set_weight(MatchField::FirstName, MatchLevel::Same, name)
        .unwrap();
    config
        .set_weight(MatchField::LastName, MatchLevel::Same, name)
        .unwrap();
    config
        .set_weight(MatchField::Address, MatchLevel::SimilarStreet, street)
        .unwrap();
    let mut options = FindOptions::default();
    options.config = config;
    options
}

#[test]
fn a_record_holding_only_a_name_two_people_bear_is_put_with_neither() {
    let db = open();
    let t = db.tenant("agency");
    // Two Jean Moreaus, born thirty years apart, each typed twice; and a record of the name
    // alone.
    let person = |born: (i32, u32, u32), phone: &str, street: &str, zip: &str, city: &str| {
        let mut c = with_address(customer("Jean", "Moreau"), street, zip, city);
        c.birth_date = NaiveDate::from_ymd_opt(born.0, born.1, born.2);
        c.mobile = Some(phone.into());
        c
    };
    let lyon = || {
        person(
            (1950, 3, 1),
            "06 11 22 33 44",
            "5 rue Juiverie",
            "69005",
            "Lyon",
        )
    };
    let paris = || {
        person(
            (1987, 7, 9),
            "06 55 66 77 88",
            "60 rue de Rivoli",
            "75001",
            "Paris",
        )
    };
    let x = [lyon(), lyon()].map(|c| t.create_customer(&actor(), c).unwrap());
    let y = [paris(), paris()].map(|c| t.create_customer(&actor(), c).unwrap());
    let bare = t
        .create_customer(&actor(), customer("Jean", "Moreau"))
        .unwrap();
    // The name alone weighs three bits: the bare record matches all four records alike.
    let options = names_weigh(&t, 3.0, 0.0);
    let matches = t.duplicates_of(&bare.id, &options.config).unwrap();
    assert_eq!(matches.len(), 4, "{matches:?}");
    let clusters = t.find_duplicates(&options, |_, _| {}).unwrap();
    assert!(together(&clusters, x[0].id, x[1].id), "{clusters:?}");
    assert!(together(&clusters, y[0].id, y[1].id), "{clusters:?}");
    assert!(!together(&clusters, x[0].id, y[0].id), "{clusters:?}");
    // Which of the two it is, nothing tells: it is in no cluster, and no pair of it is reported.
    assert!(
        clusters.iter().all(|c| !c.customers.contains(&bare.id)),
        "{clusters:?}"
    );
    // A record with the Lyon mobile is that one's; the bare record is still no one's.
    let mut closer = customer("Jean", "Moreau");
    closer.mobile = Some("06 11 22 33 44".into());
    let closer = t.create_customer(&actor(), closer).unwrap();
    let clusters = t.find_duplicates(&options, |_, _| {}).unwrap();
    assert!(together(&clusters, closer.id, x[0].id), "{clusters:?}");
    assert!(!together(&clusters, closer.id, y[0].id), "{clusters:?}");
    assert!(
        clusters.iter().all(|c| !c.customers.contains(&bare.id)),
        "{clusters:?}"
    );
}

#[test]
fn a_record_torn_between_two_people_is_weighed_so_for_each_of_its_pairs() {
    let db = open();
    let t = db.tenant("agency");
    // Jean Moreau of Lyon, born 1950, without an email; Jean Moreau of Paris, born 1987, with
    // one; each typed twice. And a Jean Moreau with another email and nothing else.
    let person = |born: (i32, u32, u32), email: Option<&str>, zip: &str, city: &str| {
        let mut c = with_address(customer("Jean", "Moreau"), "1 place Bellecour", zip, city);
        c.birth_date = NaiveDate::from_ymd_opt(born.0, born.1, born.2);
        c.email = email.map(Into::into);
        c
    };
    let lyon = || person((1950, 3, 1), None, "69002", "Lyon");
    let paris = || person((1987, 7, 9), Some("jm@example.fr"), "75001", "Paris");
    let x = [lyon(), lyon()].map(|c| t.create_customer(&actor(), c).unwrap());
    let y = [paris(), paris()].map(|c| t.create_customer(&actor(), c).unwrap());
    let mut one = customer("Jean", "Moreau");
    one.email = Some("jean.moreau@example.com".into());
    let one = t.create_customer(&actor(), one).unwrap();
    // The names alone weigh five bits (the pairs with Lyon), an email that differs two bits
    // against (the pairs with Paris, three bits: still above the threshold).
    let mut options = names_weigh(&t, 5.0, 0.0);
    options
        .config
        .set_weight(MatchField::Email, MatchLevel::Different, -2.0)
        .unwrap();
    let matches = t.duplicates_of(&one.id, &options.config).unwrap();
    assert_eq!(matches.len(), 4, "{matches:?}");
    // Lyon's by five bits against Paris' three, it is not surely Lyon's (odds 32 to 9, under
    // the threshold's); nor then Paris', though that pair agrees on more than the names.
    let clusters = t.find_duplicates(&options, |_, _| {}).unwrap();
    assert!(together(&clusters, x[0].id, x[1].id), "{clusters:?}");
    assert!(together(&clusters, y[0].id, y[1].id), "{clusters:?}");
    assert!(
        clusters.iter().all(|c| !c.customers.contains(&one.id)),
        "{clusters:?}"
    );
    // The names alone weighing twelve bits, Paris' pairs nine bits less: Lyon's by far.
    let options = names_weigh(&t, 12.0, 0.0);
    let mut options = options;
    options
        .config
        .set_weight(MatchField::Email, MatchLevel::Different, -9.0)
        .unwrap();
    let clusters = t.find_duplicates(&options, |_, _| {}).unwrap();
    assert!(together(&clusters, one.id, x[0].id), "{clusters:?}");
    assert!(!together(&clusters, one.id, y[0].id), "{clusters:?}");
}

#[test]
fn a_record_joins_a_group_only_when_its_records_weigh_for_on_average() {
    let db = open();
    let t = db.tenant("agency");
    // One Marie Dubois typed three times with her mobile (once without her address), and
    // another at another number of the same street with an email.
    let marie_at = |street| with_address(customer("Marie", "Dubois"), street, "69002", "Lyon");
    let mut phone_only = customer("Marie", "Dubois");
    phone_only.mobile = Some("06 12 34 56 78".into());
    let at_twelve = || {
        let mut c = marie_at("12 rue Mercière");
        c.mobile = Some("06 12 34 56 78".into());
        c
    };
    let first =
        [phone_only, at_twelve(), at_twelve()].map(|c| t.create_customer(&actor(), c).unwrap());
    let mut other = marie_at("14 rue Mercière");
    other.email = Some("marie.dubois@example.fr".into());
    let other = t.create_customer(&actor(), other).unwrap();
    // The names alone weigh three bits (the record without an address matches the other
    // one), the street one number off four bits against (each record at number 12 weighs one
    // bit against the other one): on average a third of a bit for, short of two to one.
    let options = names_weigh(&t, 3.0, -4.0);
    let matches = t.duplicates_of(&other.id, &options.config).unwrap();
    assert_eq!(matches.len(), 1, "{matches:?}");
    assert_eq!(matches[0].customer_id, first[0].id);
    let clusters = t.find_duplicates(&options, |_, _| {}).unwrap();
    assert_eq!(clusters.len(), 1, "{clusters:?}");
    assert_eq!(clusters[0].customers.len(), 3, "{clusters:?}");
    assert!(!clusters[0].customers.contains(&other.id), "{clusters:?}");
    // Its street weighing nothing, the others weigh for on average: one group of four.
    let options = names_weigh(&t, 3.0, 0.0);
    let clusters = t.find_duplicates(&options, |_, _| {}).unwrap();
    assert_eq!(clusters.len(), 1, "{clusters:?}");
    assert!(clusters[0].customers.contains(&other.id), "{clusters:?}");
}

#[test]
fn the_learned_model_is_kept_per_tenant_and_scores_every_finder_alike() {
    let db = open();
    let t = db.tenant("agency");
    let other = db.tenant("other");
    t.set_settings(&actor(), crm_core::TenantSettings::with_region("AU"))
        .unwrap();
    let records: Vec<NewCustomer> = crm_bench::linkage::Linkage::new(5)
        .corpus(600)
        .into_iter()
        .map(|r| r.0)
        .collect();
    let n = records.len() as u64;
    assert!(n >= 1_000, "{n} records: enough to learn from");
    t.create_customers(&actor(), records).unwrap();
    other
        .create_customer(&actor(), customer("Anne", "Other"))
        .unwrap();
    // Before any learning: the built-in model.
    assert_eq!(t.match_model().unwrap(), crm_core::MatchModel::default());

    let clusters = t
        .find_duplicates(&FindOptions::default(), |_, _| {})
        .unwrap();
    assert!(clusters.len() > 100, "{} clusters", clusters.len());
    let model = t.match_model().unwrap();
    let learning = model.learning.clone().unwrap();
    assert_eq!(learning.customers, n);
    assert!(learning.candidate_pairs > 0 && learning.random_pairs > 0);
    assert!(model.prior > 0.0 && model.prior < 0.01, "{}", model.prior);
    // Learned, not the built-in weights; each level of each stratum has its m and u.
    assert_ne!(model.levels, crm_core::MatchModel::default().levels);
    assert_eq!(
        model.levels.len(),
        crm_core::MatchModel::default().levels.len()
    );
    let email = model
        .level(MatchField::Email, MatchLevel::Same, None)
        .unwrap();
    assert!(email.weight() > 10.0, "{email:?}");
    // Another tenant's model is its own.
    assert_eq!(
        other.match_model().unwrap(),
        crm_core::MatchModel::default()
    );

    // duplicates_of scores with the kept model: a pair of the finder scores the same.
    let pair = &clusters[0].pairs[0];
    let found = t.duplicates_of(&pair.a, &cfg()).unwrap();
    let same = found.iter().find(|m| m.customer_id == pair.b).unwrap();
    assert!((same.score - pair.score).abs() < 1e-12, "{same:?} {pair:?}");
    assert_eq!(same.contributions, pair.contributions);

    // Learning again gives the same weights (the same customers), a later stamp.
    let again = t.learn_match_model().unwrap();
    assert_eq!(again.levels, model.levels);
    assert!(again.learning.unwrap().learned_at >= learning.learned_at);
    // find_duplicates may keep the model as it is.
    let mut options = FindOptions::default();
    options.learn = false;
    let kept = t.find_duplicates(&options, |_, _| {}).unwrap();
    assert_eq!(kept, clusters);
}

// ---------------------------------------------------------------------------------------------
// The labelled corpus

/// A typo a person makes: two letters swapped, one dropped, or one doubled.
fn typo(rng: &mut ChaCha8Rng, word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return word.to_owned();
    }
    // Mostly inside the word, sometimes its first letter.
    let i = if rng.random_bool(0.15) {
        0
    } else {
        rng.random_range(1..chars.len() - 1)
    };
    let mut out = chars.clone();
    match rng.random_range(0..3) {
        0 => out.swap(i, i + 1),
        1 => {
            out.remove(i);
        }
        _ => out.insert(i, chars[i]),
    }
    out.into_iter().collect()
}

/// A duplicate of `base` as another channel would have typed it.
fn corrupt(rng: &mut ChaCha8Rng, base: &NewCustomer) -> NewCustomer {
    let mut c = base.clone();
    let mut changes = rng.random_range(1..=3);
    while changes > 0 {
        changes -= 1;
        match rng.random_range(0..8) {
            6 => {
                // A nickname where the first name has one.
                let folded = crm_core::fold(&c.first_name);
                if let Some(group) = NICKNAMES.iter().find(|g| g.contains(&folded.as_str())) {
                    let other = group[rng.random_range(0..group.len())];
                    let mut letters = other.chars();
                    c.first_name = letters
                        .next()
                        .map(|f| f.to_uppercase().chain(letters).collect())
                        .unwrap_or_default();
                }
            }
            7 => {
                // Dots in a gmail address: the same mailbox.
                c.email = c.email.map(|e| match e.split_once("@gmail.com") {
                    Some((local, _)) if local.len() > 2 => {
                        let at = rng.random_range(1..local.len());
                        let bytes = local.as_bytes();
                        // No dot next to another: that would not be an address.
                        if local.is_char_boundary(at) && bytes[at - 1] != b'.' && bytes[at] != b'.'
                        {
                            format!("{}.{}@gmail.com", &local[..at], &local[at..])
                        } else {
                            e
                        }
                    }
                    _ => e,
                });
            }
            0 => c.last_name = typo(rng, &c.last_name),
            1 => c.first_name = typo(rng, &c.first_name),
            2 => std::mem::swap(&mut c.first_name, &mut c.last_name),
            3 => {
                c.email = c.email.map(|e| {
                    if rng.random_bool(0.5) {
                        e.to_uppercase()
                    } else if let Some((local, domain)) = e.split_once('@') {
                        format!("{local}+{}@{domain}", rng.random_range(1..99))
                    } else {
                        e
                    }
                });
            }
            4 => {
                // The mobile in international form without spaces.
                c.mobile = c.mobile.map(|m| {
                    let digits: String = m
                        .chars()
                        .filter(|ch| ch.is_ascii_digit() || *ch == '+')
                        .collect();
                    match digits.strip_prefix('0') {
                        Some(national) => format!("+33{national}"),
                        None => digits,
                    }
                });
            }
            _ => match rng.random_range(0..3) {
                0 => c.email = None,
                1 => c.mobile = None,
                _ => c.address = Address::default(),
            },
        }
    }
    c.birth_date = if rng.random_bool(0.5) {
        None
    } else {
        base.birth_date
    };
    // A record keeps something besides a name (an email, a phone, an address or a birth
    // date): a bare common name is no one in particular.
    if c.email.is_none()
        && c.mobile.is_none()
        && c.phone.is_none()
        && c.address == Address::default()
    {
        c.address = base.address.clone();
    }
    c
}

/// Generates a corpus of `entities` people with labels: duplicates with corruptions, and true
/// non-duplicates that share a name (namesakes) or a home (households).
fn corpus(seed: u64, entities: usize) -> (Vec<NewCustomer>, Vec<usize>) {
    let mut synth = Synth::new(seed, "D");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut records = Vec::new();
    let mut labels = Vec::new();
    // Each person's email name (the part before the @) is their own: two people of one name
    // whose addresses at two providers share the name and its number by an accident of the
    // generator's small ranges (`malvarez86`) would be one person to any reader.
    let mut used_names = BTreeSet::new();
    let mut unique = |c: &mut NewCustomer, rng: &mut ChaCha8Rng| {
        if let Some(email) = &c.email {
            let mut email = email.to_lowercase();
            while !used_names.insert(email.split('@').next().unwrap_or_default().to_owned()) {
                email = format!("{}{}", rng.random_range(0..10), email);
            }
            c.email = Some(email);
        }
    };
    // Two people never share both a full name and a full address: a record of the same name at
    // the same address is one person in any real file, and an accident of the generator's small
    // pools is not a namesake to be told apart.
    let mut homes = BTreeSet::new();
    let mut home = |c: &NewCustomer| {
        homes.insert((
            crm_core::fold(&c.first_name),
            crm_core::fold(&c.last_name),
            c.address.street.clone(),
            c.address.zip.clone(),
        ))
    };
    let mut entity = 0;
    while entity < entities {
        let mut base = synth.customer();
        while !home(&base) {
            base = synth.customer();
        }
        unique(&mut base, &mut rng);
        records.push(base.clone());
        labels.push(entity);
        let me = entity;
        entity += 1;
        let roll: f64 = rng.random();
        if roll < 0.3 {
            for _ in 0..rng.random_range(1..=2) {
                records.push(corrupt(&mut rng, &base));
                labels.push(me);
            }
        } else if roll < 0.38 {
            // A namesake: another person with the same name.
            let mut other = synth.customer();
            other.first_name = base.first_name.clone();
            other.last_name = base.last_name.clone();
            while !home(&other) {
                other.address = synth.customer().address;
            }
            unique(&mut other, &mut rng);
            records.push(other);
            labels.push(entity);
            entity += 1;
        } else if roll < 0.46 {
            // A household member: same last name, home and landline; another first name.
            let mut other = synth.customer();
            unique(&mut other, &mut rng);
            other.last_name = base.last_name.clone();
            other.address = base.address.clone();
            other.phone = base.phone.clone().or_else(|| base.mobile.clone());
            // Another first name: drawn again when the same (or the same but for accents).
            while crm_core::fold(&other.first_name) == crm_core::fold(&base.first_name)
                || !home(&other)
            {
                other.first_name = synth.customer().first_name;
            }
            records.push(other);
            labels.push(entity);
            entity += 1;
        }
    }
    // Duplicates come in any order, not right after their original.
    let mut order: Vec<usize> = (0..records.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.random_range(0..=i));
    }
    let records = order.iter().map(|&i| records[i].clone()).collect();
    let labels = order.iter().map(|&i| labels[i]).collect();
    (records, labels)
}

/// First names with common nicknames among the generator's names.
const NICKNAMES: &[&[&str]] = &[
    &["thomas", "tom"],
    &["nicolas", "nico"],
    &["alexandre", "alex"],
    &["antoine", "tony"],
    &["francois", "franz"],
    &["guillaume", "william"],
    &["stephanie", "steph"],
    &["isabelle", "isa"],
    &["maximilian", "max"],
    &["johannes", "hans"],
    &["giuseppe", "beppe"],
    &["francesco", "franco"],
    &["jose", "pepe"],
    &["alejandro", "alex"],
];

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy)]
struct Figures {
    precision: f64,
    recall: f64,
    f1: f64,
}

impl Figures {
    fn of(predicted: &BTreeSet<(usize, usize)>, truth: &BTreeSet<(usize, usize)>) -> Self {
        let hits = predicted.intersection(truth).count() as f64;
        let precision = hits / predicted.len().max(1) as f64;
        let recall = hits / truth.len().max(1) as f64;
        let f1 = 2.0 * precision * recall / (precision + recall).max(f64::EPSILON);
        Self {
            precision,
            recall,
            f1,
        }
    }
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "precision {:.4}, recall {:.4}, F1 {:.4}",
            self.precision, self.recall, self.f1
        )
    }
}

/// The quality of `find_duplicates` at its defaults over pairs: the matching pairs it reports
/// (pairwise), and every two customers of one cluster (after merging clusters).
fn quality(t: &Tenant, ids: &[crm_core::CustomerId], labels: &[usize]) -> (Figures, Figures) {
    let at: HashMap<_, _> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let clusters = t
        .find_duplicates(&FindOptions::default(), |_, _| {})
        .unwrap();
    let mut pairwise = BTreeSet::new();
    let mut clustered = BTreeSet::new();
    for cluster in &clusters {
        for pair in &cluster.pairs {
            let (x, y) = (at[&pair.a], at[&pair.b]);
            pairwise.insert((x.min(y), x.max(y)));
        }
        let members: Vec<usize> = cluster.customers.iter().map(|id| at[id]).collect();
        for (n, &x) in members.iter().enumerate() {
            for &y in &members[n + 1..] {
                clustered.insert((x.min(y), x.max(y)));
            }
        }
    }
    let mut by_label: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, &label) in labels.iter().enumerate() {
        by_label.entry(label).or_default().push(i);
    }
    let mut truth = BTreeSet::new();
    for members in by_label.values() {
        for (n, &x) in members.iter().enumerate() {
            for &y in &members[n + 1..] {
                truth.insert((x.min(y), x.max(y)));
            }
        }
    }
    if std::env::var_os("CRM_DEDUPE_MISSES").is_some() {
        let show = |i: usize| {
            let c = t.get_customer(&ids[i]).unwrap();
            format!(
                "{} {} | {:?} | {:?} {:?} | {:?} | {:?} {:?} {:?}",
                c.first_name,
                c.last_name,
                c.email,
                c.mobile.as_ref().map(|p| &p.typed),
                c.phone.as_ref().map(|p| &p.typed),
                c.birth_date,
                c.address.street,
                c.address.zip,
                c.address.city
            )
        };
        // How `duplicates_of` scores a pair (at any score), if it finds it at all.
        let low = MatchConfig::default().with_threshold(1e-9);
        let threshold = MatchConfig::default().threshold;
        let scored = |x: usize, y: usize| {
            let found = t.duplicates_of(&ids[x], &low).unwrap();
            found.into_iter().find(|m| m.customer_id == ids[y])
        };
        let why = |x: usize, y: usize| {
            scored(x, y).map_or_else(
                || "not a candidate".to_owned(),
                |m| {
                    let why: Vec<String> = m.contributions.iter().map(|c| c.describe()).collect();
                    format!("{:.4} {}", m.score, why.join(", "))
                },
            )
        };
        // Truth pairs missing from `found`, by how they score alone: below the threshold, at
        // or above it, not a candidate at all.
        let tally = |found: &BTreeSet<(usize, usize)>| {
            let (mut below, mut above, mut unseen) = (0, 0, 0);
            for &(x, y) in truth.difference(found) {
                match scored(x, y) {
                    Some(m) if m.score >= threshold => above += 1,
                    Some(_) => below += 1,
                    None => unseen += 1,
                }
            }
            (below, above, unseen)
        };
        // Left out of the clusters, though it may score above the threshold alone.
        let (below, left_out, unseen) = tally(&clustered);
        let direct_below = truth
            .iter()
            .filter(|&&(x, y)| scored(x, y).is_none_or(|m| m.score < threshold))
            .count();
        println!(
            "MISSED TALLY of {}: below {below}, left out {left_out}, not a candidate {unseen}; \
             truth pairs scoring below the threshold {direct_below}",
            truth.len()
        );
        // Not reported as a pair.
        let (below, above, unseen) = tally(&pairwise);
        println!(
            "UNPAIRED TALLY: below {below}, at or above the threshold {above}, not a candidate \
             {unseen}"
        );
        for &(x, y) in truth.difference(&clustered).take(60) {
            println!("MISSED {}\n  {}\n  {}", why(x, y), show(x), show(y));
        }
        for &(x, y) in truth.difference(&pairwise).take(120) {
            println!("UNPAIRED {}\n  {}\n  {}", why(x, y), show(x), show(y));
        }
        for &(x, y) in clustered.difference(&truth).take(40) {
            println!("WRONG {}\n  {}\n  {}", why(x, y), show(x), show(y));
        }
        for cluster in &clusters {
            for pair in &cluster.pairs {
                let (x, y) = (at[&pair.a], at[&pair.b]);
                if !truth.contains(&(x.min(y), x.max(y))) {
                    let why: Vec<String> =
                        pair.contributions.iter().map(|c| c.describe()).collect();
                    println!(
                        "PAIR {:.4} {}\n  {}\n  {}",
                        pair.score,
                        why.join(", "),
                        show(x),
                        show(y)
                    );
                }
            }
        }
    }
    (
        Figures::of(&pairwise, &truth),
        Figures::of(&clustered, &truth),
    )
}

/// Loads labelled records into a fresh tenant of `region` and measures the finder's quality.
fn measure(records: Vec<NewCustomer>, labels: &[usize], region: &str) -> (Figures, Figures) {
    let db = open();
    let t = db.tenant("agency");
    t.set_settings(&actor(), crm_core::TenantSettings::with_region(region))
        .unwrap();
    let created = t.create_customers(&actor(), records).unwrap();
    let ids: Vec<_> = created.iter().map(|c| c.id).collect();
    let figures = quality(&t, &ids, labels);
    if std::env::var_os("CRM_DEDUPE_MODEL").is_some() {
        print!(
            "{}",
            crm_bench::measure::model_table(&t.match_model().unwrap())
        );
    }
    figures
}

/// The seeds measured; `CRM_DEDUPE_SEEDS` (comma-separated) measures others.
fn seeds(default: &[u64]) -> Vec<u64> {
    std::env::var("CRM_DEDUPE_SEEDS").map_or_else(
        |_| default.to_vec(),
        |v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect(),
    )
}

/// Measures every seed, then checks each against the floors: precision and F1, pairwise and
/// after merging clusters.
fn check_seeds(
    name: &str,
    seeds: &[u64],
    corpus: impl Fn(u64) -> (Vec<NewCustomer>, Vec<usize>),
    region: &str,
    floors: (f64, f64),
) {
    let mut failed = Vec::new();
    for &seed in seeds {
        let (records, labels) = corpus(seed);
        let n = records.len();
        let (pairwise, clustered) = measure(records, &labels, region);
        println!("{name}, seed {seed}, {n} records: pairwise {pairwise}; clusters {clustered}");
        for figures in [pairwise, clustered] {
            if figures.precision < floors.0 || figures.f1 < floors.1 {
                failed.push(format!("seed {seed}: {figures}"));
            }
        }
    }
    assert!(failed.is_empty(), "{name}: {failed:?}");
}

// Measured (`cargo test --release -p crm-core --test it dedupe::defaults_keep -- --nocapture`,
// `CRM_DEDUPE_SEEDS=11,12,13,2026,1,7,99,5,42,3,100,200,...,2000` for others), precision /
// F1, pairwise and after clusters (README has every seed):
// - linkage corpus, seed 11: 1.0000 / 0.9973, 1.0000 / 0.9988; seed 42: 1.0000 / 0.9945,
//   1.0000 / 0.9980; seed 2000: 0.9995 / 0.9949, 0.9976 / 0.9971; the 27 other seeds:
//   precision 0.9990 (seed 1900 after clusters: 6,014 of 6,020 pairs) to 1.0000, F1 0.9960 to
//   0.9998.
// - agency corpus, seed 2026: 1.0000 / 0.9976, 1.0000 / 0.9988; the 29 other seeds: precision
//   0.9993 to 1.0000, F1 0.9957 to 1.0000.
// The floors sit just below the seed run by default: a change that loses quality fails here.
// They are above the line the finder is held to (precision 0.999, F1 0.995); the figures under
// that line are record-linkage seeds 42 (pairwise F1) and 2000 (README, "Quality of the
// defaults", says why).

#[test]
fn defaults_keep_their_quality_on_the_record_linkage_corpus() {
    check_seeds(
        "linkage corpus",
        &seeds(&[11]),
        |seed| {
            crm_bench::linkage::Linkage::new(seed)
                .corpus(2_000)
                .into_iter()
                .unzip()
        },
        "AU",
        (0.9995, 0.997),
    );
}

#[test]
fn defaults_keep_their_quality_on_the_agency_corpus() {
    check_seeds(
        "agency corpus",
        &seeds(&[2026]),
        |seed| corpus(seed, 3000),
        "FR",
        (0.9995, 0.9975),
    );
}
