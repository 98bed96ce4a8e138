//! Merge, plan and unmerge: survivorship, bookings, resolution of merged ids, the record and
//! the change feed, refusals, tenant isolation, and a property test that no merge or unmerge
//! ever loses or duplicates a booking.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use crm_core::{
    Address, ChangeKind, Consent, Customer, CustomerId, CustomerQuery, ErrorKind, MergeField,
    MergeId, MergeRequest, NewCustomer, Tenant,
};
use proptest::prelude::*;

/// Tenant "agency-a" with two records of one traveller and their bookings.
struct Pair {
    db: Db,
    a: Tenant,
    primary: Customer,
    other: Customer,
}

fn pair() -> Pair {
    let db = open();
    let a = db.tenant("agency-a");
    let primary = a
        .create_customer(
            &actor(),
            NewCustomer {
                email: Some("helene.dupont@example.fr".into()),
                phone: Some("04 78 00 00 01".into()),
                notes: Some("Prefers a window seat".into()),
                lists: ["vip".to_string()].into(),
                custom_fields: [("loyalty".to_string(), "gold".to_string())].into(),
                ..customer("Hélène", "Dupont")
            },
        )
        .unwrap();
    let other = a
        .create_customer(
            &actor(),
            NewCustomer {
                email: Some("H.Dupont@Work.example".into()),
                secondary_emails: vec!["HELENE.DUPONT@example.fr".into()],
                phone: Some("+33 4 78 00 00 01".into()),
                mobile: Some("06 12 34 56 78".into()),
                address: Address {
                    street: Some("3 rue de la Paix".into()),
                    zip: Some("69002".into()),
                    city: Some("Lyon".into()),
                    country: Some("FR".into()),
                    region: None,
                },
                birth_date: chrono::NaiveDate::from_ymd_opt(1980, 5, 17),
                notes: Some("Travels with a dog".into()),
                consent: Consent {
                    email: None,
                    sms: Some(at("2025-03-01T10:00:00Z").to_utc()),
                },
                lists: ["newsletter".to_string()].into(),
                custom_fields: [
                    ("loyalty".to_string(), "silver".to_string()),
                    ("seat".to_string(), "aisle".to_string()),
                ]
                .into(),
                ..customer("Helene", "Dupont")
            },
        )
        .unwrap();
    a.upsert_booking(
        &actor(),
        booking_for("BK-P1", "2026-05-01T09:00:00+02:00", &primary),
    )
    .unwrap();
    for (r, t) in [
        ("BK-O1", "2026-07-14T08:30:00+02:00"),
        ("BK-O2", "2025-12-24T18:00:00+01:00"),
    ] {
        a.upsert_booking(&actor(), booking_for(r, t, &other))
            .unwrap();
    }
    Pair {
        db,
        a,
        primary,
        other,
    }
}

const REFS: &[&str] = &["BK-P1", "BK-O1", "BK-O2", "BK-NEW"];

/// The snapshot less the change feed (which a merge and its undo both extend).
fn state(t: &Tenant) -> Snapshot {
    Snapshot {
        changes: Vec::new(),
        ..snapshot(t, REFS)
    }
}

#[test]
fn merge_keeps_primary_fields_fills_empty_ones_and_keeps_every_contact() {
    let p = pair();
    let merged =
        p.a.merge(&actor(), &MergeRequest::new(p.primary.id, [p.other.id]))
            .unwrap();
    let c = &merged.customer;
    assert_eq!(c.id, p.primary.id);
    assert_eq!(c.customer_no, p.primary.customer_no);
    assert_eq!(c.created_at, p.primary.created_at);
    assert_eq!(c.version, p.primary.version + 1);
    // The primary's values win; its empty fields take the other's.
    assert_eq!(c.first_name, "Hélène");
    assert_eq!(c.email.as_deref(), Some("helene.dupont@example.fr"));
    assert_eq!(c.phone.as_ref().unwrap().typed, "04 78 00 00 01");
    assert_eq!(
        c.mobile.as_ref().unwrap().e164.as_deref(),
        Some("+33612345678")
    );
    assert_eq!(c.address, p.other.address);
    assert_eq!(c.birth_date, p.other.birth_date);
    assert_eq!(c.consent.sms, p.other.consent.sms);
    // The other email is kept as a secondary one; the same address in capitals and the same
    // phone in another format are not kept twice.
    assert_eq!(
        c.secondary_emails,
        vec!["H.Dupont@Work.example".to_string()]
    );
    assert!(c.secondary_phones.is_empty(), "{:?}", c.secondary_phones);
    assert_eq!(
        c.notes.as_deref(),
        Some("Prefers a window seat\n\nTravels with a dog")
    );
    assert_eq!(
        c.lists,
        BTreeSet::from(["newsletter".to_string(), "vip".to_string()])
    );
    assert_eq!(c.custom_fields["loyalty"], "gold");
    assert_eq!(c.custom_fields["seat"], "aisle");
    // What was stored is what was returned.
    assert_eq!(&p.a.get_customer(&p.primary.id).unwrap(), c);

    let record = &merged.record;
    assert_eq!(record.primary_id, p.primary.id);
    assert_eq!(record.actor, actor());
    assert_eq!(record.primary_before, p.primary);
    assert_eq!(record.merged, vec![p.other.clone()]);
    let moved: Vec<&str> = record
        .bookings
        .iter()
        .map(|m| m.reference.as_str())
        .collect();
    assert_eq!(moved, ["BK-O1", "BK-O2"]);
    assert!(record.bookings.iter().all(|m| m.from == p.other.id));
    assert_eq!(p.a.get_merge(&record.id).unwrap(), *record);
}

#[test]
fn choices_take_the_chosen_records_value_and_demote_the_primarys() {
    let p = pair();
    let request = MergeRequest::new(p.primary.id, [p.other.id])
        .choose(MergeField::Email, p.other.id)
        .choose(MergeField::FirstName, p.other.id)
        .choose(MergeField::Notes, p.primary.id)
        .choose(MergeField::BirthDate, p.primary.id);
    let c = p.a.merge(&actor(), &request).unwrap().customer;
    assert_eq!(c.first_name, "Helene");
    assert_eq!(c.email.as_deref(), Some("H.Dupont@Work.example"));
    assert_eq!(
        c.secondary_emails,
        vec!["helene.dupont@example.fr".to_string()]
    );
    assert_eq!(c.notes.as_deref(), Some("Prefers a window seat"));
    // Chosen from a record where it is empty: empty.
    assert_eq!(c.birth_date, None);
}

#[test]
fn bookings_move_to_the_primary_and_its_counters_follow() {
    let p = pair();
    p.a.merge(&actor(), &MergeRequest::new(p.primary.id, [p.other.id]))
        .unwrap();
    let history: Vec<String> =
        p.a.booking_history(&p.primary.id)
            .unwrap()
            .into_iter()
            .map(|b| b.reference)
            .collect();
    assert_eq!(history, ["BK-O1", "BK-P1", "BK-O2"]);
    let stats = p.a.customer_stats(&p.primary.id).unwrap();
    assert_eq!(stats.bookings, 3);
    assert_eq!(stats.last_booking, Some(at("2026-07-14T08:30:00+02:00")));
    assert_eq!(count_customers(&p.a), 1);
    let row = &all_rows(
        &p.a,
        crm_core::CustomerListQuery::new(crm_core::CustomerSort::Name),
    )[0];
    assert_eq!((row.id, row.bookings), (p.primary.id, 3));
}

#[test]
fn merged_ids_and_numbers_resolve_to_the_primary() {
    let p = pair();
    let merge =
        p.a.merge(&actor(), &MergeRequest::new(p.primary.id, [p.other.id]))
            .unwrap()
            .record;
    assert_eq!(p.a.get_customer(&p.other.id).unwrap().id, p.primary.id);
    assert_eq!(
        p.a.get_customer_by_no(p.other.customer_no).unwrap().id,
        p.primary.id
    );
    assert_eq!(p.a.booking_history(&p.other.id).unwrap().len(), 3);
    assert_eq!(p.a.customer_stats(&p.other.id).unwrap().bookings, 3);
    // Which merge took it.
    let history = p.a.merges_of(&p.other.id).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].id, history[0].primary_id),
        (merge.id, p.primary.id)
    );
    assert_eq!(p.a.merges_of(&p.primary.id).unwrap()[0].id, merge.id);
    // A booking sent for the old id lands on the primary.
    let new =
        p.a.upsert_booking(
            &actor(),
            booking_for("BK-NEW", "2027-01-02T10:00:00+01:00", &p.other),
        )
        .unwrap();
    assert_eq!(new.booking.customer_id, Some(p.primary.id));
    let linked =
        p.a.link_booking(&actor(), "BK-P1", Some(&p.other.id))
            .unwrap();
    assert_eq!(linked.customer_id, Some(p.primary.id));
    // Changing the record through the old id is refused, naming the primary.
    let err =
        p.a.update_customer(&actor(), &p.other.id, p.other.version, p.other.edit())
            .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.to_string().contains(&p.primary.id.to_string()), "{err}");
    assert_kind(
        p.a.delete_customer(&actor(), &p.other.id),
        ErrorKind::Conflict,
    );
    assert_eq!(count_customers(&p.a), 1);
}

#[test]
fn merge_events_let_a_host_relink_its_rows_and_the_index_follows() {
    let p = pair();
    let before = last_seq(&p.a);
    p.a.merge(&actor(), &MergeRequest::new(p.primary.id, [p.other.id]))
        .unwrap();
    let events = changes_after(&p.a, before);
    let kinds: Vec<ChangeKind> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            ChangeKind::BookingLinked,
            ChangeKind::BookingLinked,
            ChangeKind::CustomerMerged,
            ChangeKind::CustomerUpdated
        ]
    );
    for e in &events[..3] {
        assert_eq!(e.customer_id, Some(p.primary.id));
        assert_eq!(e.previous_customer_id, Some(p.other.id));
        assert_eq!(e.actor, actor());
    }
    assert!(events[3].fields.contains(&"secondary_emails".to_string()));

    // Search finds the primary by the other's email and never returns the merged id.
    for text in ["work.example", "hel dup", "0612"] {
        let page = p.a.search(&CustomerQuery::text(text)).unwrap();
        let ids: Vec<CustomerId> = page.items.iter().map(|r| r.id).collect();
        assert_eq!(ids, [p.primary.id], "{text}");
    }
    // A reopened store (index replayed or rebuilt from SQLite) agrees.
    drop(p.a);
    let again = p.db.reopen().tenant("agency-a").unwrap();
    let page = again.search(&CustomerQuery::text("dupont")).unwrap();
    assert_eq!(page.total, 1);
}

#[test]
fn plan_shows_the_result_and_the_moves_without_writing() {
    let p = pair();
    let before = snapshot(&p.a, REFS);
    let request =
        MergeRequest::new(p.primary.id, [p.other.id]).choose(MergeField::Mobile, p.other.id);
    let plan = p.a.plan_merge(&request).unwrap();
    assert_eq!(snapshot(&p.a, REFS), before, "plan_merge wrote something");
    assert_eq!(plan.merged, vec![p.other.clone()]);
    assert_eq!(plan.bookings.len(), 2);
    assert_eq!(plan.sources[&MergeField::FirstName], p.primary.id);
    assert_eq!(plan.sources[&MergeField::Address], p.other.id);
    assert_eq!(plan.sources[&MergeField::Mobile], p.other.id);
    assert!(!plan.sources.contains_key(&MergeField::Company));
    assert_eq!(
        plan.versions,
        BTreeMap::from([(p.primary.id, 1), (p.other.id, 1)])
    );
    // The merge pinned to the plan does what the plan said.
    let merged =
        p.a.merge(&actor(), &request.clone().expect_versions(&plan.versions))
            .unwrap();
    let mut done = merged.customer;
    assert_eq!(done.version, plan.customer.version + 1);
    (done.updated_at, done.version) = (plan.customer.updated_at, plan.customer.version);
    assert_eq!(done, plan.customer);
    assert_eq!(merged.record.bookings, plan.bookings);
}

#[test]
fn a_merge_pinned_to_stale_versions_is_refused() {
    let p = pair();
    let plan =
        p.a.plan_merge(&MergeRequest::new(p.primary.id, [p.other.id]))
            .unwrap();
    let mut edit = p.other.edit();
    edit.company = Some("Acme".into());
    p.a.update_customer(&actor(), &p.other.id, 1, edit).unwrap();
    let before = state(&p.a);
    let request = MergeRequest::new(p.primary.id, [p.other.id]).expect_versions(&plan.versions);
    assert_kind(p.a.merge(&actor(), &request), ErrorKind::Conflict);
    assert_eq!(state(&p.a), before);
}

#[test]
fn malformed_requests_name_the_field_and_write_nothing() {
    let p = pair();
    let third =
        p.a.create_customer(&actor(), customer("Jean", "Martin"))
            .unwrap();
    let outsider =
        p.a.create_customer(&actor(), customer("Ana", "Lopez"))
            .unwrap();
    let before = snapshot(&p.a, REFS);
    let (pr, ot) = (p.primary.id, p.other.id);
    assert_invalid(p.a.merge(&actor(), &MergeRequest::new(pr, [])), "others");
    assert_invalid(
        p.a.merge(&actor(), &MergeRequest::new(pr, [ot, pr])),
        "others[1]",
    );
    assert_invalid(
        p.a.merge(&actor(), &MergeRequest::new(pr, [ot, third.id, ot])),
        "others[2]",
    );
    assert_invalid(
        p.a.merge(
            &actor(),
            &MergeRequest::new(pr, [ot]).choose(MergeField::Email, outsider.id),
        ),
        "choices.email",
    );
    assert_invalid(
        p.a.merge(
            &actor(),
            &MergeRequest::new(pr, [ot]).expect_version(outsider.id, 1),
        ),
        "expected_versions",
    );
    assert_invalid(p.a.plan_merge(&MergeRequest::new(pr, [pr])), "others[0]");
    let unknown: CustomerId = "0190f5e4-0000-7000-8000-000000000000".parse().unwrap();
    assert_kind(
        p.a.merge(&actor(), &MergeRequest::new(pr, [unknown])),
        ErrorKind::NotFound,
    );
    assert_kind(
        p.a.merge(&actor(), &MergeRequest::new(unknown, [ot])),
        ErrorKind::NotFound,
    );
    assert_eq!(snapshot(&p.a, REFS), before);
}

#[test]
fn a_result_breaking_a_bound_is_refused_until_a_choice_resolves_it() {
    let p = pair();
    let long = "n".repeat(crm_core::limits::MAX_NOTES_CHARS - 5);
    let mut edit = p.other.edit();
    edit.notes = Some(long);
    let other = p.a.update_customer(&actor(), &p.other.id, 1, edit).unwrap();
    let before = state(&p.a);
    let request = MergeRequest::new(p.primary.id, [other.id]);
    assert_invalid(p.a.merge(&actor(), &request), "notes");
    assert_eq!(state(&p.a), before);
    let c =
        p.a.merge(&actor(), &request.choose(MergeField::Notes, p.primary.id))
            .unwrap()
            .customer;
    assert_eq!(c.notes, p.primary.notes);
}

#[test]
fn merging_an_already_merged_customer_is_a_conflict() {
    let p = pair();
    let third =
        p.a.create_customer(&actor(), customer("Hélène", "Dupond"))
            .unwrap();
    p.a.merge(&actor(), &MergeRequest::new(p.primary.id, [p.other.id]))
        .unwrap();
    assert_kind(
        p.a.merge(&actor(), &MergeRequest::new(third.id, [p.other.id])),
        ErrorKind::Conflict,
    );
    assert_kind(
        p.a.merge(&actor(), &MergeRequest::new(p.other.id, [third.id])),
        ErrorKind::Conflict,
    );
}

#[test]
fn unmerge_restores_every_record_and_booking_exactly() {
    let p = pair();
    let before = state(&p.a);
    let merge =
        p.a.merge(&actor(), &MergeRequest::new(p.primary.id, [p.other.id]))
            .unwrap()
            .record;
    let seq = last_seq(&p.a);
    let undone = p.a.unmerge(&actor(), &merge.id).unwrap();
    assert_eq!(undone.undone.as_ref().unwrap().actor, actor());
    assert_eq!(p.a.get_merge(&merge.id).unwrap(), undone);

    let after = state(&p.a);
    // The merged record is back exactly; the primary has its fields back at a newer version.
    assert_eq!(p.a.get_customer(&p.other.id).unwrap(), p.other);
    let mut primary = p.a.get_customer(&p.primary.id).unwrap();
    assert_eq!(primary.version, p.primary.version + 2);
    (primary.version, primary.updated_at) = (p.primary.version, p.primary.updated_at);
    assert_eq!(primary, p.primary);
    // Everything else (bookings and their update times, histories, stats) as it was.
    let norm = |mut s: Snapshot| {
        for c in &mut s.customers {
            c.version = 0;
            c.updated_at = p.primary.updated_at;
        }
        s
    };
    assert_eq!(norm(after), norm(before));

    let kinds: Vec<ChangeKind> = changes_after(&p.a, seq).iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            ChangeKind::CustomerUnmerged,
            ChangeKind::BookingLinked,
            ChangeKind::BookingLinked,
            ChangeKind::CustomerUpdated
        ]
    );
    // The index follows: the restored record is found again by its own email.
    let page = p.a.search(&CustomerQuery::text("work.example")).unwrap();
    assert_eq!(
        page.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        [p.other.id]
    );
    // Twice is refused.
    assert_kind(p.a.unmerge(&actor(), &merge.id), ErrorKind::Conflict);
}

#[test]
fn unmerge_is_refused_when_the_merge_rows_were_touched_since() {
    // The primary edited.
    let p = pair();
    let merged =
        p.a.merge(&actor(), &MergeRequest::new(p.primary.id, [p.other.id]))
            .unwrap();
    let mut edit = merged.customer.edit();
    edit.company = Some("Acme".into());
    p.a.update_customer(&actor(), &p.primary.id, merged.customer.version, edit)
        .unwrap();
    let before = state(&p.a);
    let err = p.a.unmerge(&actor(), &merged.record.id).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.to_string().contains("changed since the merge"), "{err}");
    assert_eq!(state(&p.a), before);

    // A moved booking relinked, or unlinked.
    for to_primary_of_another in [false, true] {
        let p = pair();
        let third =
            p.a.create_customer(&actor(), customer("Jean", "Martin"))
                .unwrap();
        let merge =
            p.a.merge(&actor(), &MergeRequest::new(p.primary.id, [p.other.id]))
                .unwrap()
                .record;
        let to = to_primary_of_another.then_some(&third.id);
        p.a.link_booking(&actor(), "BK-O2", to).unwrap();
        let before = state(&p.a);
        let err = p.a.unmerge(&actor(), &merge.id).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
        assert!(err.to_string().contains("booking BK-O2"), "{err}");
        assert_eq!(state(&p.a), before);
    }
}

#[test]
fn a_booking_updated_since_the_merge_still_moves_back_with_its_changes() {
    let p = pair();
    let merge =
        p.a.merge(&actor(), &MergeRequest::new(p.primary.id, [p.other.id]))
            .unwrap()
            .record;
    let mut b = booking("BK-O1", "2026-07-15T08:30:00+02:00");
    b.hotel = Some("Hôtel du Parc".into());
    p.a.upsert_booking(&actor(), b).unwrap();
    p.a.unmerge(&actor(), &merge.id).unwrap();
    let back = p.a.get_booking("BK-O1").unwrap();
    assert_eq!(back.customer_id, Some(p.other.id));
    assert_eq!(back.hotel.as_deref(), Some("Hôtel du Parc"));
    // The untouched one got its update time back as well.
    let untouched = p.a.get_booking("BK-O2").unwrap();
    assert_eq!(untouched.customer_id, Some(p.other.id));
    assert!(untouched.updated_at < merge.at);
}

#[test]
fn chained_merges_resolve_through_and_undo_in_reverse_order() {
    let p = pair();
    let third =
        p.a.create_customer(&actor(), customer("Hélène", "Dupond"))
            .unwrap();
    let first =
        p.a.merge(&actor(), &MergeRequest::new(p.primary.id, [p.other.id]))
            .unwrap()
            .record;
    let second =
        p.a.merge(&actor(), &MergeRequest::new(third.id, [p.primary.id]))
            .unwrap()
            .record;
    assert_eq!(p.a.get_customer(&p.other.id).unwrap().id, third.id);
    assert_eq!(p.a.customer_stats(&p.other.id).unwrap().bookings, 3);
    let err = p.a.unmerge(&actor(), &first.id).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.to_string().contains(&second.id.to_string()), "{err}");
    p.a.unmerge(&actor(), &second.id).unwrap();
    p.a.unmerge(&actor(), &first.id).unwrap();
    assert_eq!(p.a.get_customer(&p.other.id).unwrap(), p.other);
    assert_eq!(p.a.booking_history(&p.other.id).unwrap().len(), 2);
    assert_eq!(p.a.booking_history(&third.id).unwrap().len(), 0);
    assert_eq!(count_customers(&p.a), 3);
}

#[test]
fn merges_into_one_primary_undo_newest_first() {
    let p = pair();
    // Adds nothing to the primary's fields: only the order of the merges can refuse.
    let third =
        p.a.create_customer(&actor(), customer("Hélène", "Dupont"))
            .unwrap();
    let first =
        p.a.merge(&actor(), &MergeRequest::new(p.primary.id, [p.other.id]))
            .unwrap()
            .record;
    let second =
        p.a.merge(&actor(), &MergeRequest::new(p.primary.id, [third.id]))
            .unwrap()
            .record;
    let err = p.a.unmerge(&actor(), &first.id).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.to_string().contains(&second.id.to_string()), "{err}");
    p.a.unmerge(&actor(), &second.id).unwrap();
    p.a.unmerge(&actor(), &first.id).unwrap();
    assert_eq!(
        p.a.get_customer(&p.primary.id).unwrap().edit(),
        p.primary.edit()
    );
}

#[test]
fn empty_fields_take_the_most_recently_updated_others_value() {
    let p = pair();
    let older =
        p.a.create_customer(
            &actor(),
            NewCustomer {
                company: Some("Old Ltd".into()),
                ..customer("H", "Dupont")
            },
        )
        .unwrap();
    let newer =
        p.a.create_customer(
            &actor(),
            NewCustomer {
                company: Some("New Ltd".into()),
                ..customer("H", "Dupont")
            },
        )
        .unwrap();
    // Touch the older one last: it becomes the most recently updated.
    let mut edit = older.edit();
    edit.company = Some("Renamed Ltd".into());
    p.a.update_customer(&actor(), &older.id, 1, edit).unwrap();
    let plan =
        p.a.plan_merge(&MergeRequest::new(p.primary.id, [newer.id, older.id]))
            .unwrap();
    assert_eq!(plan.customer.company.as_deref(), Some("Renamed Ltd"));
    assert_eq!(plan.sources[&MergeField::Company], older.id);
}

#[test]
fn a_consent_goes_with_the_address_it_was_given_for() {
    let p = pair();
    // The other's SMS consent came with its mobile, which the merged customer keeps...
    let kept =
        p.a.plan_merge(&MergeRequest::new(p.primary.id, [p.other.id]))
            .unwrap();
    assert_eq!(kept.customer.consent.sms, p.other.consent.sms);
    assert_eq!(kept.sources[&MergeField::ConsentSms], p.other.id);
    // ...but not when the mobile kept is another record's.
    let mut edit = p.primary.edit();
    edit.mobile = Some("06 99 88 77 66".into());
    p.a.update_customer(&actor(), &p.primary.id, 1, edit)
        .unwrap();
    let plan =
        p.a.plan_merge(&MergeRequest::new(p.primary.id, [p.other.id]))
            .unwrap();
    assert_eq!(plan.customer.consent.sms, None);
    assert!(!plan.sources.contains_key(&MergeField::ConsentSms));
}

#[test]
fn too_many_secondary_contacts_are_refused_naming_the_field() {
    let p = pair();
    let many = |tag: &str| NewCustomer {
        secondary_emails: (0..12).map(|i| format!("{tag}{i}@example.fr")).collect(),
        ..customer("Hélène", "Dupont")
    };
    let a = p.a.create_customer(&actor(), many("a")).unwrap();
    let b = p.a.create_customer(&actor(), many("b")).unwrap();
    let before = state(&p.a);
    assert_invalid(
        p.a.merge(&actor(), &MergeRequest::new(a.id, [b.id])),
        "secondary_emails",
    );
    assert_eq!(state(&p.a), before);
}

#[test]
fn deleting_the_primary_ends_what_the_merge_kept() {
    let p = pair();
    let merge =
        p.a.merge(&actor(), &MergeRequest::new(p.primary.id, [p.other.id]))
            .unwrap()
            .record;
    p.a.delete_customer(&actor(), &p.primary.id).unwrap();
    assert_kind(p.a.get_customer(&p.other.id), ErrorKind::NotFound);
    assert_kind(
        p.a.get_customer_by_no(p.other.customer_no),
        ErrorKind::NotFound,
    );
    let err = p.a.unmerge(&actor(), &merge.id).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    // The snapshots no longer hold the person's data.
    let kept = p.a.get_merge(&merge.id).unwrap();
    for c in std::iter::once(&kept.primary_before).chain(&kept.merged) {
        assert!(
            c.email.is_none() && c.notes.is_none() && c.mobile.is_none(),
            "{c:?}"
        );
        assert!(c.anonymised_at.is_some());
    }
    // The bookings stay, detached.
    assert_eq!(p.a.get_booking("BK-O1").unwrap().customer_id, None);
}

#[test]
fn merges_never_cross_tenants() {
    let p = pair();
    let b = p.db.tenant("agency-b");
    let theirs = b
        .create_customer(
            &actor(),
            customer_with_email("Hélène", "Dupont", "helene.dupont@example.fr"),
        )
        .unwrap();
    let (before_a, before_b) = (snapshot(&p.a, REFS), snapshot(&b, REFS));
    assert_kind(
        p.a.merge(&actor(), &MergeRequest::new(p.primary.id, [theirs.id])),
        ErrorKind::NotFound,
    );
    assert_kind(
        b.merge(&actor(), &MergeRequest::new(theirs.id, [p.other.id])),
        ErrorKind::NotFound,
    );
    assert_kind(
        b.plan_merge(&MergeRequest::new(theirs.id, [p.other.id])),
        ErrorKind::NotFound,
    );
    assert_eq!(
        (snapshot(&p.a, REFS), snapshot(&b, REFS)),
        (before_a, before_b)
    );

    // A merge of tenant A is invisible to tenant B, and A's merged ids do not resolve there.
    let merge =
        p.a.merge(&actor(), &MergeRequest::new(p.primary.id, [p.other.id]))
            .unwrap()
            .record;
    let before_b = snapshot(&b, REFS);
    assert_kind(b.get_merge(&merge.id), ErrorKind::NotFound);
    assert_kind(b.unmerge(&actor(), &merge.id), ErrorKind::NotFound);
    assert_kind(b.merges_of(&p.other.id), ErrorKind::NotFound);
    assert_kind(b.get_customer(&p.other.id), ErrorKind::NotFound);
    assert_kind(
        b.get_customer_by_no(p.other.customer_no),
        ErrorKind::NotFound,
    );
    let mut stray = booking_for("BK-B", "2026-01-01T10:00:00+01:00", &p.other);
    stray.customer_id = Some(p.other.id);
    assert_kind(b.upsert_booking(&actor(), stray), ErrorKind::NotFound);
    assert_eq!(snapshot(&b, REFS), before_b);
    let unknown: MergeId = "0190f5e4-0000-7000-8000-000000000000".parse().unwrap();
    assert_kind(p.a.get_merge(&unknown), ErrorKind::NotFound);
}

/// One step of the property test.
#[derive(Debug, Clone)]
enum Step {
    /// Merge customers (indexes into the live ones) into the first.
    Merge(Vec<prop::sample::Index>),
    /// Undo the latest merge still standing.
    UndoLatest,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        3 => prop::collection::vec(any::<prop::sample::Index>(), 2..4).prop_map(Step::Merge),
        1 => Just(Step::UndoLatest),
    ];
    prop::collection::vec(step, 1..8)
}

/// Every booking reference with its customer, and each live customer's booking count.
fn bookings_of(
    t: &Tenant,
    refs: &[String],
) -> (BTreeMap<String, CustomerId>, BTreeMap<CustomerId, u64>) {
    let links = refs
        .iter()
        .map(|r| (r.clone(), t.get_booking(r).unwrap().customer_id.unwrap()))
        .collect();
    let counts = all_customers(t)
        .iter()
        .map(|c| (c.id, t.customer_stats(&c.id).unwrap().bookings))
        .collect();
    (links, counts)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random merges and undos: every booking stays, linked to exactly one live customer whose
    /// counters and history agree; undoing every merge gives back the tenant as it was.
    #[test]
    fn merges_never_lose_or_duplicate_a_booking(
        per_customer in prop::collection::vec(0usize..4, 3..7),
        steps in steps(),
    ) {
        let db = open();
        let t = db.tenant("agency-p");
        let mut refs = Vec::new();
        for (i, n) in per_customer.iter().enumerate() {
            let c = t.create_customer(&actor(), customer_with_email("Anne", &format!("Roux{i}"), &format!("anne{i}@example.fr"))).unwrap();
            for k in 0..*n {
                let r = format!("BK-{i}-{k}");
                t.upsert_booking(&actor(), booking_for(&r, &format!("2026-0{}-1{}T10:00:00+02:00", k + 1, i), &c)).unwrap();
                refs.push(r);
            }
        }
        let initial = snapshot(&t, &[]);
        let mut standing: Vec<MergeId> = Vec::new();
        for step in steps {
            match step {
                Step::Merge(picks) => {
                    let live: Vec<CustomerId> = all_customers(&t).iter().map(|c| c.id).collect();
                    let mut chosen: Vec<CustomerId> = picks.iter().map(|i| live[i.index(live.len())]).collect();
                    chosen.dedup();
                    let chosen: Vec<CustomerId> = chosen.iter().enumerate().filter(|(i, id)| !chosen[..*i].contains(id)).map(|(_, id)| *id).collect();
                    if chosen.len() < 2 { continue; }
                    let request = MergeRequest::new(chosen[0], chosen[1..].iter().copied());
                    let plan = t.plan_merge(&request).unwrap();
                    let merged = t.merge(&actor(), &request).unwrap();
                    prop_assert_eq!(&merged.record.bookings, &plan.bookings);
                    standing.push(merged.record.id);
                }
                Step::UndoLatest => {
                    if let Some(id) = standing.pop() {
                        t.unmerge(&actor(), &id).unwrap();
                    }
                }
            }
            let (links, counts) = bookings_of(&t, &refs);
            prop_assert_eq!(links.len(), refs.len());
            let mut per: BTreeMap<CustomerId, u64> = counts.keys().map(|id| (*id, 0)).collect();
            for owner in links.values() {
                *per.get_mut(owner).expect("a booking is linked to a customer that is gone") += 1;
            }
            prop_assert_eq!(&per, &counts);
            let listed: usize = counts.keys().map(|id| t.booking_history(id).unwrap().len()).sum();
            prop_assert_eq!(listed, refs.len());
        }
        while let Some(id) = standing.pop() {
            t.unmerge(&actor(), &id).unwrap();
        }
        let mut now = snapshot(&t, &[]);
        let mut then = initial;
        for s in [&mut now, &mut then] {
            s.changes.clear();
            for c in &mut s.customers { c.version = 0; c.updated_at = chrono::DateTime::UNIX_EPOCH; }
        }
        prop_assert_eq!(now, then);
    }
}
