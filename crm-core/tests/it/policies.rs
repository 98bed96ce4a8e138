//! Tenant policies and the privacy log: email uniqueness (allow, warn, refuse) on every path that
//! sets a main email (create, bulk create, update, capture, import, merge), who may delete and
//! who may merge, and the log of exports, anonymisations and deletions (who, when, which
//! customer no., which request, no personal value), each tenant's own.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use crm_core::{
    Actor, ChangeKind, EmailUniqueness, ErrorKind, ImportMatch, ImportOptions, MergeField,
    MergeRequest, NewCustomer, Permission, Policy, PrivacyAction, Role, Tenant, TenantSettings,
};

fn boss() -> Actor {
    Actor::new("boss", Role::Organisation)
}

fn with_policy(t: &Tenant, policy: Policy, value: &str) {
    t.update_settings(&boss(), |s| s.with_policy(policy, value))
        .unwrap();
}

fn emails(first: &str, email: &str) -> NewCustomer {
    customer_with_email(first, "Martin", email)
}

#[track_caller]
fn assert_email_refused<T: std::fmt::Debug>(result: crm_core::Result<T>, no: i64) {
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation, "{err}");
    assert_eq!(err.field(), Some("email"), "{err}");
    assert!(
        err.to_string().contains(&format!("customer no. {no}")),
        "{err}"
    );
}

#[test]
fn refuse_keeps_one_customer_per_email_on_every_path() {
    let db = open();
    let t = db.tenant("agency");
    let other = db.tenant("other");
    with_policy(&t, Policy::EmailUniqueness, "refuse");
    assert_eq!(
        t.settings().unwrap().email_uniqueness,
        EmailUniqueness::Refuse
    );
    let anne = t
        .create_customer(&actor(), emails("Anne", "anne@example.fr"))
        .unwrap();
    let mut second = emails("Bea", "bea@example.fr");
    second.secondary_emails = vec!["bea.work@example.fr".into()];
    let bea = t.create_customer(&actor(), second).unwrap();
    let before = all_customers(&t).len();

    // Create: the same email in any case, or another's secondary email.
    assert_email_refused(
        t.create_customer(&actor(), emails("Anna", " ANNE@example.FR ")),
        anne.customer_no,
    );
    assert_email_refused(
        t.create_customer(&actor(), emails("Bee", "bea.work@example.fr")),
        bea.customer_no,
    );
    // A batch: with a stored customer, or within itself; nothing of it is written.
    assert_email_refused(
        t.create_customers(
            &actor(),
            vec![
                emails("New", "new@example.fr"),
                emails("Twin", "new@example.fr"),
            ],
        ),
        anne.customer_no + 2,
    );
    assert_eq!(all_customers(&t).len(), before);
    // Update: to another's email refused; an edit keeping its own email, and a new free one,
    // are fine.
    let mut edit = bea.edit();
    edit.email = Some("anne@example.fr".into());
    assert_email_refused(
        t.update_customer(&actor(), &bea.id, bea.version, edit),
        anne.customer_no,
    );
    let mut edit = anne.edit();
    edit.address.city = Some("Lyon".into());
    let anne = t
        .update_customer(&actor(), &anne.id, anne.version, edit)
        .unwrap();
    // Capture: a booking linked to Bea whose contact gives Anne's email.
    let b = booking_for("BK-1", "2026-07-14T08:30:00+02:00", &bea);
    t.upsert_booking(&actor(), b.clone()).unwrap();
    assert_email_refused(
        t.capture_booking(&actor(), emails("Bea", "anne@example.fr"), b),
        anne.customer_no,
    );
    // Import by customer no.: the row giving Bea Anne's email fails, the other row goes in.
    let csv = format!(
        "customer_no,first_name,last_name,email\n{},Bea,Martin,anne@example.fr\n,Carl,Martin,carl@example.fr\n",
        bea.customer_no
    );
    let report = t
        .import_csv(
            &actor(),
            csv.as_bytes(),
            &ImportOptions::new().match_on(ImportMatch::CustomerNo),
            |_, _| true,
        )
        .unwrap();
    assert_eq!((report.failed, report.created), (1, 1), "{report:?}");
    assert_eq!(report.issues[0].field, "email");
    assert_eq!(t.get_customer(&bea.id).unwrap().email, bea.email);
    // New rows: one with a stored customer's email, two sharing one; each fails alone.
    let csv = "first_name,last_name,email\nDup,Martin,ANNE@example.fr\nEve,Martin,eve@example.fr\nEva,Martin,eve@example.fr\nFay,Martin,fay@example.fr\n";
    let report = t
        .import_csv(
            &actor(),
            csv.as_bytes(),
            &ImportOptions::new().match_on(ImportMatch::None),
            |_, _| true,
        )
        .unwrap();
    assert_eq!((report.failed, report.created), (2, 2), "{report:?}");
    let failed: Vec<(u64, &str)> = report
        .issues
        .iter()
        .map(|i| (i.row, i.field.as_str()))
        .collect();
    assert_eq!(failed, [(2, "email"), (4, "email")]);
    assert!(report.issues[1].reason.contains("same batch"), "{report:?}");
    // A new row waiting for its batch loses its email to a later row updating a customer:
    // the new row fails alone at the insert.
    let gus = t
        .create_customer(&actor(), customer("Gus", "Martin"))
        .unwrap();
    let csv = format!(
        "customer_no,first_name,last_name,email\n,Hal,Martin,hal@example.fr\n{},Gus,Martin,hal@example.fr\n",
        gus.customer_no
    );
    let report = t
        .import_csv(
            &actor(),
            csv.as_bytes(),
            &ImportOptions::new().match_on(ImportMatch::CustomerNo),
            |_, _| true,
        )
        .unwrap();
    assert_eq!(
        (report.failed, report.updated, report.created),
        (1, 1, 0),
        "{report:?}"
    );
    assert_eq!(report.issues[0].row, 2);
    // A refused row leaves no trace: a later row with its other email goes in.
    let csv = "first_name,last_name,email,secondary_emails\nIda,Martin,ida@example.fr,bea@example.fr\nIdo,Martin,ida@example.fr,\n";
    let report = t
        .import_csv(
            &actor(),
            csv.as_bytes(),
            &ImportOptions::new().match_on(ImportMatch::None),
            |_, _| true,
        )
        .unwrap();
    assert_eq!((report.failed, report.created), (1, 1), "{report:?}");
    assert_eq!(report.issues[0].field, "secondary_emails");
    // A secondary email is an email too.
    let mut edit = bea.edit();
    edit.secondary_emails = vec!["anne@example.fr".into()];
    let err = t
        .update_customer(&actor(), &bea.id, bea.version, edit)
        .unwrap_err();
    assert_eq!(err.field(), Some("secondary_emails"));
    // Merge: taking a third customer's email is refused; merging two that share none is not.
    let carl = t.find_customers_by_email("carl@example.fr").unwrap()[0].clone();
    let dup = t
        .create_customer(&actor(), customer("Bea", "Martin"))
        .unwrap();
    let mut edit = dup.edit();
    edit.email = Some("dup@example.fr".into());
    let dup = t
        .update_customer(&actor(), &dup.id, dup.version, edit)
        .unwrap();
    // Carl takes Dup's email through a merge of Dup into Carl: allowed (Dup leaves).
    let merged = t
        .merge(
            &actor(),
            &MergeRequest::new(carl.id, [dup.id]).choose(MergeField::Email, dup.id),
        )
        .unwrap();
    assert_eq!(merged.customer.email.as_deref(), Some("dup@example.fr"));
    // The other tenant has its own policy (allow) and its own customers.
    other
        .create_customer(&actor(), emails("Anne", "anne@example.fr"))
        .unwrap();
    other
        .create_customer(&actor(), emails("Anne", "anne@example.fr"))
        .unwrap();
    // Back to allow: the same email may be shared again.
    with_policy(&t, Policy::EmailUniqueness, "allow");
    t.create_customer(&actor(), emails("Anna", "anne@example.fr"))
        .unwrap();
}

#[test]
fn merges_and_their_undo_go_through_whatever_the_email_policy() {
    let db = open();
    let t = db.tenant("agency");
    let a = t
        .create_customer(&actor(), emails("Anne", "anne@example.fr"))
        .unwrap();
    let b = t
        .create_customer(&actor(), emails("Anne", "shared@example.fr"))
        .unwrap();
    let c = t
        .create_customer(&actor(), emails("Cleo", "shared@example.fr"))
        .unwrap();
    with_policy(&t, Policy::EmailUniqueness, "refuse");
    // B and C shared an email before: merging B into A makes no new sharing, even taking B's
    // email as the main one. A merge is the remedy.
    let req = MergeRequest::new(a.id, [b.id]).choose(MergeField::Email, b.id);
    let merged = t.merge(&actor(), &req).unwrap();
    assert_eq!(merged.customer.email.as_deref(), Some("shared@example.fr"));
    assert_eq!(merged.customer.secondary_emails, ["anne@example.fr"]);
    // Undoing it brings the records back as they were; C still shares B's email, and a third
    // customer who took A's meanwhile (while the tenant allowed it) shares it: the undo goes
    // through and the feed names who shares.
    with_policy(&t, Policy::EmailUniqueness, "allow");
    let d = t
        .create_customer(&actor(), emails("Dora", "anne@example.fr"))
        .unwrap();
    with_policy(&t, Policy::EmailUniqueness, "refuse");
    let seq = last_seq(&t);
    t.unmerge(&actor(), &merged.record.id).unwrap();
    let mut shared: Vec<_> = changes_after(&t, seq)
        .into_iter()
        .filter(|e| e.kind == ChangeKind::CustomerEmailShared)
        .map(|e| (e.customer_id.unwrap(), e.previous_customer_id.unwrap()))
        .collect();
    shared.sort();
    let mut expected = vec![(a.id, d.id), (b.id, c.id)];
    expected.sort();
    assert_eq!(shared, expected);
}

#[test]
fn warn_makes_the_write_and_names_the_customer_in_the_feed() {
    let db = open();
    let t = db.tenant("agency");
    let anne = t
        .create_customer(&actor(), emails("Anne", "anne@example.fr"))
        .unwrap();
    with_policy(&t, Policy::EmailUniqueness, "warn");
    let seq = last_seq(&t);
    let twin = t
        .create_customer(&actor(), emails("Anna", "Anne@Example.fr"))
        .unwrap();
    let shared: Vec<_> = changes_after(&t, seq)
        .into_iter()
        .filter(|e| e.kind == ChangeKind::CustomerEmailShared)
        .collect();
    assert_eq!(shared.len(), 1);
    assert_eq!(shared[0].customer_id, Some(twin.id));
    assert_eq!(shared[0].previous_customer_id, Some(anne.id));
    assert_eq!(shared[0].fields, vec!["email".to_owned()]);
    // An edit that does not touch the email warns of nothing; one that sets a shared one does.
    let seq = last_seq(&t);
    let mut edit = twin.edit();
    edit.first_name = "Annabelle".into();
    let twin = t
        .update_customer(&actor(), &twin.id, twin.version, edit)
        .unwrap();
    let bea = t
        .create_customer(&actor(), emails("Bea", "bea@example.fr"))
        .unwrap();
    let mut edit = bea.edit();
    edit.email = Some("anne@example.fr".into());
    t.update_customer(&actor(), &bea.id, bea.version, edit)
        .unwrap();
    let kinds: Vec<_> = changes_after(&t, seq)
        .into_iter()
        .filter(|e| e.kind == ChangeKind::CustomerEmailShared)
        .map(|e| e.customer_id)
        .collect();
    assert_eq!(kinds, vec![Some(bea.id)]);
    assert_eq!(
        t.find_customers_by_email("anne@example.fr").unwrap().len(),
        3
    );
    drop(twin);
}

#[test]
fn delete_and_merge_follow_the_tenants_permissions() {
    let db = open();
    let t = db.tenant("agency");
    let agent = actor();
    let boss = boss();
    // An agent cannot change a policy, not even one that restricts it.
    let err = t
        .update_settings(&agent, |s| s.with_policy(Policy::HardDelete, "nobody"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    assert_eq!(t.settings().unwrap().hard_delete, Permission::Anyone);
    // Other settings stay the agent's to change, and a policy set again as it is changes
    // nothing.
    t.update_settings(&agent, |s| Ok(s.with_time_zone("Europe/Paris")))
        .unwrap();
    let a = t
        .create_customer(&agent, customer("Anne", "Martin"))
        .unwrap();
    let b = t
        .create_customer(&agent, customer("Anne", "Martin"))
        .unwrap();
    let c = t.create_customer(&agent, customer("Cleo", "Roux")).unwrap();

    with_policy(&t, Policy::HardDelete, "organisation");
    assert_eq!(t.settings().unwrap().hard_delete, Permission::Organisation);
    assert_kind(
        t.delete_customer(&agent, &c.id),
        ErrorKind::PermissionDenied,
    );
    with_policy(&t, Policy::Merge, "organisation");
    let req = MergeRequest::new(a.id, [b.id]);
    assert_kind(t.merge(&agent, &req), ErrorKind::PermissionDenied);
    let merged = t.merge(&boss, &req).unwrap();
    with_policy(&t, Policy::Merge, "nobody");
    assert_kind(
        t.unmerge(&boss, &merged.record.id),
        ErrorKind::PermissionDenied,
    );
    with_policy(&t, Policy::Merge, "anyone");
    t.unmerge(&agent, &merged.record.id).unwrap();

    with_policy(&t, Policy::HardDelete, "nobody");
    let err = t.delete_customer(&boss, &c.id).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    assert!(err.to_string().contains("hard_delete"), "{err}");
    // Anonymising is not deleting: it keeps its own rule.
    t.anonymise(&boss, &c.id, "asked to be forgotten").unwrap();
    t.get_customer(&c.id).unwrap();
    with_policy(&t, Policy::HardDelete, "organisation");
    t.delete_customer(&boss, &c.id).unwrap();
    // Another tenant keeps its defaults.
    let other = db.tenant("other");
    let x = other.create_customer(&agent, customer("X", "Y")).unwrap();
    other.delete_customer(&agent, &x.id).unwrap();
    assert_eq!(other.settings().unwrap(), TenantSettings::with_region("FR"));
}

#[test]
fn the_privacy_log_records_exports_anonymisations_and_deletions() {
    let db = open();
    let t = db.tenant("agency");
    let other = db.tenant("other");
    let dpo = Actor::new("dpo-1", Role::Organisation).with_request("DSAR-2026-114");
    let a = t
        .create_customer(&actor(), emails("Anne", "anne@example.fr"))
        .unwrap();
    let b = t
        .create_customer(&actor(), customer("Bea", "Noir"))
        .unwrap();
    let c = t
        .create_customer(&actor(), customer("Cleo", "Roux"))
        .unwrap();
    other
        .create_customer(&actor(), customer("Xavier", "Other"))
        .unwrap();

    t.export_personal_data(&dpo, &a.id).unwrap();
    t.anonymise(&dpo, &a.id, "asked to be forgotten").unwrap();
    t.delete_customer(&actor(), &b.id).unwrap();
    // The retention pass logs each customer it anonymises.
    let later = chrono::Utc::now() + chrono::Duration::days(1);
    t.anonymise_inactive(&dpo.clone().with_request("RET-7"), later, false, |_, _| {})
        .unwrap();

    let log = t.privacy_log(0, 100).unwrap();
    let got: Vec<_> = log
        .iter()
        .map(|e| {
            (
                e.seq,
                e.action,
                e.customer_no,
                e.user_id.as_str(),
                e.request.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                1,
                PrivacyAction::Export,
                a.customer_no,
                "dpo-1",
                Some("DSAR-2026-114")
            ),
            (
                2,
                PrivacyAction::Anonymise,
                a.customer_no,
                "dpo-1",
                Some("DSAR-2026-114")
            ),
            (3, PrivacyAction::Delete, b.customer_no, "u-17", None),
            (
                4,
                PrivacyAction::Anonymise,
                c.customer_no,
                "dpo-1",
                Some("RET-7")
            ),
        ]
    );
    assert_eq!(log[0].role, Role::Organisation);
    // A reference is an identifier: an email or a sentence in it is refused, so the log, kept
    // for good, holds no personal value.
    for bad in ["anne@example.fr", "Anne Martin", " DSAR-1", "", "a\u{7}b"] {
        let actor = Actor::new("dpo-1", Role::Organisation).with_request(bad);
        assert_invalid(t.export_personal_data(&actor, &c.id), "actor.request");
    }
    // Paging, bounds, and each tenant's own log.
    assert_eq!(t.privacy_log(2, 1).unwrap()[0].seq, 3);
    assert!(t.privacy_log(4, 10).unwrap().is_empty());
    assert_invalid(t.privacy_log(0, 0), "limit");
    assert_invalid(t.privacy_log(0, 1001), "limit");
    assert!(other.privacy_log(0, 100).unwrap().is_empty());
    other
        .export_personal_data(&actor(), &all_customers(&other)[0].id)
        .unwrap();
    assert_eq!(other.privacy_log(0, 100).unwrap()[0].seq, 1);
    assert_eq!(t.privacy_log(0, 100).unwrap().len(), 4);
    // Another tenant's customer is not found, and nothing is logged.
    assert_kind(
        other.export_personal_data(&actor(), &c.id),
        ErrorKind::NotFound,
    );
    assert_eq!(other.privacy_log(0, 100).unwrap().len(), 1);
    // The refused requests were refused before anything was done.
    assert_eq!(t.privacy_log(0, 100).unwrap().len(), 4);
}
