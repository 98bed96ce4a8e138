//! Customer lists and brochure requests: make, fill, search by, delete; request, mark sent,
//! pending; merges, anonymisation and tenants.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::BTreeSet;

use common::*;
use crm_core::{Actor, ChangeKind, CustomerQuery, ErrorKind, MergeRequest, Role};

#[test]
fn lists_are_made_filled_searched_and_deleted() {
    let db = open();
    let a = db.tenant("agency-a");
    let ana = a
        .create_customer(&actor(), customer("Ana", "Lopez"))
        .unwrap();
    let bo = a.create_customer(&actor(), customer("Bo", "Berg")).unwrap();
    assert!(a.create_list(&actor(), " Newsletter ").unwrap());
    assert!(!a.create_list(&actor(), "Newsletter").unwrap());
    assert_invalid(a.create_list(&actor(), "  "), "list");
    let seq = last_seq(&a);
    assert_eq!(
        a.add_to_list(&actor(), "Newsletter", &[ana.id, bo.id])
            .unwrap(),
        2
    );
    assert_eq!(a.add_to_list(&actor(), "Newsletter", &[ana.id]).unwrap(), 0);
    let events = changes_after(&a, seq);
    assert_eq!(events.len(), 2);
    assert!(
        events
            .iter()
            .all(|e| e.kind == ChangeKind::CustomerUpdated && e.fields == ["lists"])
    );
    let got = a.get_customer(&ana.id).unwrap();
    assert_eq!(got.lists, BTreeSet::from(["Newsletter".to_string()]));
    assert_eq!(got.version, ana.version + 1);
    let lists = a.lists().unwrap();
    assert_eq!(lists.len(), 1);
    assert_eq!(
        (lists[0].name.as_str(), lists[0].members),
        ("Newsletter", 2)
    );
    let page = a.search(&CustomerQuery::all().list("Newsletter")).unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(
        a.remove_from_list(&actor(), "Newsletter", &[bo.id])
            .unwrap(),
        1
    );
    assert_eq!(
        a.search(&CustomerQuery::all().list("Newsletter"))
            .unwrap()
            .total,
        1
    );
    // A list made by editing a customer is listed too.
    let bo = a.get_customer(&bo.id).unwrap();
    let mut edit = bo.edit();
    edit.lists.insert("VIP".into());
    a.update_customer(&actor(), &bo.id, bo.version, edit)
        .unwrap();
    let names: Vec<String> = a.lists().unwrap().into_iter().map(|l| l.name).collect();
    assert_eq!(names, ["Newsletter", "VIP"]);
    assert_eq!(a.delete_list(&actor(), "Newsletter").unwrap(), 1);
    assert!(a.get_customer(&ana.id).unwrap().lists.is_empty());
    assert_eq!(
        a.search(&CustomerQuery::all().list("Newsletter"))
            .unwrap()
            .total,
        0
    );
    assert_kind(a.delete_list(&actor(), "Newsletter"), ErrorKind::NotFound);
    assert_kind(
        a.add_to_list(&actor(), "Nope", &[ana.id]),
        ErrorKind::NotFound,
    );
}

#[test]
fn adding_is_all_or_nothing() {
    let db = open();
    let a = db.tenant("agency-a");
    let ana = a
        .create_customer(&actor(), customer("Ana", "Lopez"))
        .unwrap();
    a.create_list(&actor(), "VIP").unwrap();
    let unknown = "0190f5e4-0000-7000-8000-000000000000".parse().unwrap();
    let before = snapshot(&a, &[]);
    assert_kind(
        a.add_to_list(&actor(), "VIP", &[ana.id, unknown]),
        ErrorKind::NotFound,
    );
    assert_eq!(snapshot(&a, &[]), before);
}

#[test]
fn brochure_requests_are_pending_until_sent() {
    let db = open();
    let a = db.tenant("agency-a");
    let ana = a
        .create_customer(&actor(), customer("Ana", "Lopez"))
        .unwrap();
    let bo = a.create_customer(&actor(), customer("Bo", "Berg")).unwrap();
    let first = a.request_brochure(&actor(), &ana.id).unwrap();
    assert_eq!(
        a.request_brochure(&actor(), &ana.id).unwrap(),
        first,
        "one pending at a time"
    );
    let second = a.request_brochure(&actor(), &bo.id).unwrap();
    assert_eq!(
        a.pending_brochure_requests(None, 10).unwrap(),
        vec![first.clone(), second.clone()]
    );
    assert_eq!(
        a.pending_brochure_requests(Some(&first.id), 10).unwrap(),
        vec![second.clone()]
    );
    assert_invalid(a.pending_brochure_requests(None, 0), "limit");
    let sent = a.mark_brochure_sent(&actor(), &first.id, None).unwrap();
    assert!(sent.sent_at.unwrap() >= sent.requested_at);
    assert_kind(
        a.mark_brochure_sent(&actor(), &first.id, None),
        ErrorKind::Conflict,
    );
    let early = first.requested_at - chrono::Duration::days(1);
    assert_invalid(
        a.mark_brochure_sent(&actor(), &second.id, Some(early)),
        "sent_at",
    );
    assert_eq!(a.pending_brochure_requests(None, 10).unwrap(), vec![second]);
    // A new request after the sent one.
    let again = a.request_brochure(&actor(), &ana.id).unwrap();
    assert_ne!(again.id, first.id);
    assert_eq!(a.brochure_requests(&ana.id).unwrap(), vec![sent, again]);
    let kinds: Vec<ChangeKind> = all_changes(&a).iter().map(|e| e.kind).collect();
    assert!(
        kinds.contains(&ChangeKind::BrochureRequested) && kinds.contains(&ChangeKind::BrochureSent)
    );
}

#[test]
fn merges_move_brochure_requests_and_anonymised_customers_get_none() {
    let db = open();
    let a = db.tenant("agency-a");
    let keep = a
        .create_customer(&actor(), customer("Hélène", "Dupont"))
        .unwrap();
    let dup = a
        .create_customer(&actor(), customer("Helene", "Dupont"))
        .unwrap();
    let request = a.request_brochure(&actor(), &dup.id).unwrap();
    let merge = a
        .merge(&actor(), &MergeRequest::new(keep.id, [dup.id]))
        .unwrap()
        .record;
    assert_eq!(a.brochure_requests(&keep.id).unwrap()[0].id, request.id);
    assert_eq!(
        a.pending_brochure_requests(None, 10).unwrap()[0].customer_id,
        keep.id
    );
    a.unmerge(&actor(), &merge.id).unwrap();
    assert_eq!(a.brochure_requests(&dup.id).unwrap()[0].id, request.id);
    a.anonymise(
        &Actor::new("dpo", Role::Organisation),
        &dup.id,
        "GDPR Art. 17 request",
    )
    .unwrap();
    assert_kind(a.request_brochure(&actor(), &dup.id), ErrorKind::Conflict);
    a.create_list(&actor(), "VIP").unwrap();
    assert_kind(
        a.add_to_list(&actor(), "VIP", &[dup.id]),
        ErrorKind::Conflict,
    );
    // Deleting a customer deletes its requests.
    a.delete_customer(&actor(), &keep.id).unwrap();
    a.delete_customer(&actor(), &dup.id).unwrap();
    assert!(a.pending_brochure_requests(None, 10).unwrap().is_empty());
}

#[test]
fn lists_and_requests_never_cross_tenants() {
    let db = open();
    let a = db.tenant("agency-a");
    let b = db.tenant("agency-b");
    let ana = a
        .create_customer(&actor(), customer("Ana", "Lopez"))
        .unwrap();
    a.create_list(&actor(), "VIP").unwrap();
    a.add_to_list(&actor(), "VIP", &[ana.id]).unwrap();
    let request = a.request_brochure(&actor(), &ana.id).unwrap();
    let before = snapshot(&a, &[]);
    assert!(b.lists().unwrap().is_empty());
    assert_kind(
        b.add_to_list(&actor(), "VIP", &[ana.id]),
        ErrorKind::NotFound,
    );
    b.create_list(&actor(), "VIP").unwrap();
    assert_kind(
        b.add_to_list(&actor(), "VIP", &[ana.id]),
        ErrorKind::NotFound,
    );
    assert_eq!(b.delete_list(&actor(), "VIP").unwrap(), 0);
    assert_kind(b.request_brochure(&actor(), &ana.id), ErrorKind::NotFound);
    assert_kind(
        b.mark_brochure_sent(&actor(), &request.id, None),
        ErrorKind::NotFound,
    );
    assert!(b.pending_brochure_requests(None, 10).unwrap().is_empty());
    assert_kind(b.brochure_requests(&ana.id), ErrorKind::NotFound);
    assert_eq!(snapshot(&a, &[]), before);
    assert_eq!(a.lists().unwrap()[0].members, 1);
}
