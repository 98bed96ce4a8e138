//! Privacy: anonymise (no old value left in any file of the data folder), the plan, rights,
//! retention, suppression, the personal-data export against its JSON Schema, and the exclusion
//! of anonymised customers from duplicates and merges.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use crm_core::{
    Actor, Address, ChangeKind, Channel, Consent, CustomerQuery, ErrorKind, MatchConfig,
    MergeRequest, NewCommunication, NewCustomer, NewDocument, PersonalDataExport, Role,
};

pub(crate) fn dpo() -> Actor {
    Actor::new("dpo-1", Role::Organisation)
}

/// Marks every personal value: the byte scan looks for it.
pub(crate) const MARK: &str = "qwyz";
/// The digits every marked phone shares.
pub(crate) const PHONE_MARK: &str = "7182930";
pub(crate) const BIRTH_MARK: &str = "1911-11-11";
pub(crate) const CONSENT_MARK: &str = "1999-09-09";

/// A customer with a marked value in every personal field. The set of fields is checked against
/// `NewCustomer` itself: a field added later fails this test until it is marked here too.
pub(crate) fn marked(tag: &str) -> NewCustomer {
    let consent_at = at(&format!("{CONSENT_MARK}T09:09:09Z")).to_utc();
    let fields = NewCustomer {
        title: Some(format!("Qwyz{tag}title")),
        first_name: format!("Qwyz{tag}first"),
        last_name: format!("Qwyz{tag}last"),
        company: Some(format!("Qwyz{tag} SARL")),
        email: Some(format!("qwyz.{tag}@qwyzmail.example")),
        phone: Some(format!("+33 1 {PHONE_MARK}1")),
        mobile: Some(format!("+33 6 {PHONE_MARK}2")),
        fax: Some(format!("+33 1 {PHONE_MARK}3")),
        emergency_phone: Some(format!("+33 6 {PHONE_MARK}4")),
        secondary_emails: vec![format!("qwyz.{tag}.second@qwyzmail.example")],
        secondary_phones: vec![format!("+33 6 {PHONE_MARK}5")],
        address: Address {
            street: Some(format!("12 rue Qwyz{tag}")),
            zip: Some("QWYZ9".into()),
            city: Some("Qwyzville".into()),
            region: Some("Qwyzshire".into()),
            country: Some("NZ".into()),
        },
        contact_person: Some("Qwyzcontact".into()),
        birth_date: chrono::NaiveDate::parse_from_str(BIRTH_MARK, "%Y-%m-%d").ok(),
        language: Some("en-x-qwyz".into()),
        notes: Some(format!("Qwyz{tag} notes\nsecond line")),
        consent: Consent {
            email: Some(consent_at),
            sms: Some(consent_at),
        },
        salesperson: Some("Paul".into()),
        lists: ["Qwyzlist".to_string()].into(),
        custom_fields: [("qwyzkey".to_string(), "Qwyzvalue".to_string())].into(),
    };
    // Every field of NewCustomer, nested ones included, is set (no null, no empty list or map):
    // none escapes the scan.
    assert_all_set(&serde_json::to_value(&fields).unwrap(), "fields");
    fields
}

fn assert_all_set(value: &serde_json::Value, path: &str) {
    match value {
        serde_json::Value::Null => panic!("{path} is not marked: mark it in `marked`"),
        serde_json::Value::Array(items) => {
            assert!(
                !items.is_empty(),
                "{path} is not marked: mark it in `marked`"
            );
            for (i, v) in items.iter().enumerate() {
                assert_all_set(v, &format!("{path}[{i}]"));
            }
        }
        serde_json::Value::Object(map) => {
            assert!(!map.is_empty(), "{path} is not marked: mark it in `marked`");
            for (k, v) in map {
                assert_all_set(v, &format!("{path}.{k}"));
            }
        }
        _ => {}
    }
}

/// The fields of a stored customer that are not personal data: what anonymising keeps.
const NOT_PERSONAL: &[&str] = &[
    "id",
    "customer_no",
    "salesperson",
    "created_at",
    "updated_at",
    "version",
    "anonymised_at",
];

pub(crate) const NEEDLES: &[&str] = &[MARK, PHONE_MARK, BIRTH_MARK, CONSENT_MARK];

#[test]
fn anonymise_leaves_no_old_value_in_any_file() {
    let db = open_sqlite();
    let a = db.tenant("agency-a");
    // One batch: one index segment holding them and a bystander, so that the segment outlives
    // the customer's documents and must be rewritten.
    let made = a
        .create_customers(
            &actor(),
            vec![marked("a"), marked("b"), customer("Bob", "Stander")],
        )
        .unwrap();
    assert_eq!(a.search(&CustomerQuery::text("stander")).unwrap().total, 1);
    let (c, twin) = (made[0].clone(), made[1].clone());
    // A document of each: an ID copy whose name and bytes hold the mark.
    for (who, tag) in [(&c, "a"), (&twin, "b")] {
        let doc = NewDocument::new(
            format!("qwyz-{tag}-passport.txt"),
            "text/plain",
            format!("Passport of Qwyz{tag}, born {BIRTH_MARK}").into_bytes(),
        );
        a.attach_document(&actor(), &who.id, doc).unwrap();
        // A message logged as sent: its address, subject and reference hold the mark.
        let mut sent = NewCommunication::new(who.id, Channel::Sms, format!("Offer for Qwyz{tag}"));
        sent.reference = Some(format!("qwyz-msg-{tag}"));
        a.record_communications(&actor(), vec![sent]).unwrap();
    }
    let mut trip = booking_for("BK-1", "2026-07-14T08:30:00+02:00", &c);
    trip.invoices = vec![invoice("F-1", 12000, "EUR")];
    a.upsert_booking(&actor(), trip).unwrap();
    a.upsert_booking(
        &actor(),
        booking_for("BK-2", "2026-08-01T10:00:00+02:00", &twin),
    )
    .unwrap();
    // A merge keeps snapshots of both records; the search index holds their words.
    a.merge(
        &actor(),
        &MergeRequest::new(c.id, [twin.id]).choose(crm_core::MergeField::Notes, c.id),
    )
    .unwrap();
    for text in ["qwyzafirst", "qwyz", "0171829301", "qwyzmail"] {
        assert!(
            a.search(&CustomerQuery::text(text)).unwrap().total >= 1,
            "{text}"
        );
    }
    // The scan sees the values while they are there.
    drop(a);
    let held = files_holding(db.dir.path(), NEEDLES);
    for needle in NEEDLES {
        assert!(
            held.iter().any(|h| h.ends_with(&format!("{needle:?}"))),
            "the scan does not see {needle}: {held:?}"
        );
    }

    let a = db.crm.tenant("agency-a").unwrap();
    assert_eq!(a.documents(&c.id).unwrap().len(), 2);
    let report = a.anonymise(&dpo(), &c.id, "GDPR Art. 17 request").unwrap();
    assert!(report.erased.contains(&"email".to_string()));
    assert!(report.erased.contains(&"documents".to_string()));
    assert!(report.erased.contains(&"communications".to_string()));
    // The log keeps that both were written to, and when; not where or what.
    let log = a.communications(&c.id).unwrap();
    assert_eq!(log.len(), 2);
    assert!(
        log.iter()
            .all(|e| e.address.is_empty() && e.subject.is_empty() && e.reference.is_none())
    );
    assert!(a.documents(&c.id).unwrap().is_empty());
    assert_eq!(report.bookings, 2);
    assert_eq!(report.merges, 1);
    // Open, after the call: nothing in the file, the log or the index.
    assert_eq!(files_holding(db.dir.path(), NEEDLES), Vec::<String>::new());
    for text in ["qwyzafirst", "qwyz", "0171829301", "qwyzmail"] {
        assert_eq!(
            a.search(&CustomerQuery::text(text)).unwrap().total,
            0,
            "{text}"
        );
    }
    // Closed: still nothing.
    let dir = db.dir;
    drop(a);
    drop(db.crm);
    assert_eq!(files_holding(dir.path(), NEEDLES), Vec::<String>::new());
}

#[test]
fn an_anonymised_customer_keeps_its_number_bookings_and_invoices_only() {
    let db = open();
    let a = db.tenant("agency-a");
    let c = a.create_customer(&actor(), marked("a")).unwrap();
    let mut trip = booking_for("BK-1", "2026-07-14T08:30:00+02:00", &c);
    trip.invoices = vec![invoice("F-1", 12000, "EUR")];
    a.upsert_booking(&actor(), trip).unwrap();
    let seq = last_seq(&a);
    let plan = a.plan_anonymise(&c.id).unwrap();
    assert_eq!(last_seq(&a), seq, "plan_anonymise wrote something");
    assert_eq!(a.get_customer(&c.id).unwrap(), c);
    // Every field of the stored record is either erased or known not to be personal: a field
    // added to `Customer` fails here until anonymising handles it.
    let mut erased: BTreeSet<&str> = plan.erased.iter().map(String::as_str).collect();
    // Its consent records go too: their times are the person's.
    assert!(erased.remove("consent_records"), "{erased:?}");
    let stored = serde_json::to_value(&c).unwrap();
    let all: BTreeSet<&str> = stored
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let kept: BTreeSet<&str> = NOT_PERSONAL.iter().copied().collect();
    let personal: BTreeSet<&str> = all.difference(&kept).copied().collect();
    assert_eq!(erased, personal);
    assert!(
        plan.kept
            .iter()
            .any(|k| k.what.contains("invoice") && k.why.contains("17(3)(b)"))
    );
    assert_eq!(plan.suppressed_contacts, 7);

    let done = a.anonymise(&dpo(), &c.id, "GDPR Art. 17 request").unwrap();
    assert_eq!(done, plan);
    let after = a.get_customer(&c.id).unwrap();
    assert_eq!(
        after.full_name(),
        format!("Anonymised customer {}", c.customer_no)
    );
    assert_eq!(
        (after.id, after.customer_no, after.created_at),
        (c.id, c.customer_no, c.created_at)
    );
    assert_eq!(after.salesperson.as_deref(), Some("Paul"));
    assert!(after.anonymised_at.is_some());
    assert_eq!(
        after.edit(),
        NewCustomer {
            first_name: "Anonymised".into(),
            last_name: format!("customer {}", c.customer_no),
            salesperson: Some("Paul".into()),
            ..Default::default()
        }
    );
    let history = a.booking_history(&c.id).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].invoices[0].amount.minor, 12000);
    let stats = a.customer_stats(&c.id).unwrap();
    assert_eq!(stats.total_spent[0].minor, 12000);
    // Its list, which had no other member, went with it (its name may say who it was for).
    let events = changes_after(&a, seq);
    let kinds: Vec<ChangeKind> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [ChangeKind::ListDeleted, ChangeKind::CustomerAnonymised]
    );
    assert!(a.lists().unwrap().is_empty());
    assert_eq!(events[1].actor, dpo());
    assert!(events[1].fields.contains(&"email".to_string()));

    // Irreversible, and the record takes no personal data back.
    assert_kind(a.anonymise(&dpo(), &c.id, "again"), ErrorKind::Conflict);
    assert_kind(a.plan_anonymise(&c.id), ErrorKind::Conflict);
    let mut edit = after.edit();
    edit.email = Some("back@example.fr".into());
    assert_kind(
        a.update_customer(&actor(), &c.id, after.version, edit),
        ErrorKind::Conflict,
    );
    let captured = a
        .capture_booking(
            &actor(),
            customer_with_email("Qwyzafirst", "Qwyzalast", "qwyz.a@qwyzmail.example"),
            booking("BK-1", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    assert_eq!(captured.customer, after);
}

#[test]
fn only_the_organisation_role_may_anonymise_and_nothing_changes_otherwise() {
    let db = open();
    let a = db.tenant("agency-a");
    let c = a.create_customer(&actor(), marked("a")).unwrap();
    let before = snapshot(&a, &[]);
    for role in [Role::Agent, Role::System] {
        let who = Actor::new("u-9", role);
        assert_kind(
            a.anonymise(&who, &c.id, "because"),
            ErrorKind::PermissionDenied,
        );
        let far = chrono::Utc::now() + chrono::Duration::days(1);
        assert_kind(
            a.anonymise_inactive(&who, far, true, |_, _| {}),
            ErrorKind::PermissionDenied,
        );
        assert_kind(
            a.anonymise_inactive(&who, far, false, |_, _| {}),
            ErrorKind::PermissionDenied,
        );
    }
    assert_invalid(a.anonymise(&dpo(), &c.id, "  "), "reason");
    assert_invalid(
        a.anonymise(&dpo(), &c.id, "asked by jean@example.fr"),
        "reason",
    );
    assert_invalid(
        a.anonymise(&dpo(), &c.id, "called from 06 12 34 56 78"),
        "reason",
    );
    assert_eq!(snapshot(&a, &[]), before);
}

#[test]
fn retention_anonymises_the_inactive_in_batches_and_a_dry_run_writes_nothing() {
    let db = open();
    let a = db.tenant("agency-a");
    let idle = a
        .create_customer(&actor(), customer("Ida", "Idle"))
        .unwrap();
    let future = a
        .create_customer(&actor(), customer("Fred", "Future"))
        .unwrap();
    let past = a
        .create_customer(&actor(), customer("Paula", "Past"))
        .unwrap();
    a.upsert_booking(
        &actor(),
        booking_for("BK-F", "2030-01-01T10:00:00+01:00", &future),
    )
    .unwrap();
    a.upsert_booking(
        &actor(),
        booking_for("BK-P", "2020-01-01T10:00:00+01:00", &past),
    )
    .unwrap();
    let cutoff = chrono::Utc::now() + chrono::Duration::days(1);

    let before = snapshot(&a, &[]);
    let mut calls = Vec::new();
    let dry = a
        .anonymise_inactive(&dpo(), cutoff, true, |done, total| {
            calls.push((done, total))
        })
        .unwrap();
    assert!(dry.dry_run);
    assert_eq!(dry.customers, vec![idle.id, past.id]);
    assert_eq!(calls.last(), Some(&(2, 2)));
    assert_eq!(snapshot(&a, &[]), before);

    let mut calls = Vec::new();
    let done = a
        .anonymise_inactive(&dpo(), cutoff, false, |done, total| {
            calls.push((done, total))
        })
        .unwrap();
    assert_eq!(done.customers, vec![idle.id, past.id]);
    assert_eq!(calls.first(), Some(&(0, 2)));
    assert_eq!(calls.last(), Some(&(2, 2)));
    assert!(a.get_customer(&idle.id).unwrap().anonymised_at.is_some());
    assert!(a.get_customer(&past.id).unwrap().anonymised_at.is_some());
    assert!(a.get_customer(&future.id).unwrap().anonymised_at.is_none());
    assert_eq!(a.get_booking("BK-P").unwrap().customer_id, Some(past.id));
    // Anonymised ones are not candidates again; an old cut-off finds no one.
    let again = a
        .anonymise_inactive(&dpo(), cutoff, true, |_, _| {})
        .unwrap();
    assert!(again.customers.is_empty());
    let old = at("2000-01-01T00:00:00Z").to_utc();
    assert!(
        a.anonymise_inactive(&dpo(), old, true, |_, _| {})
            .unwrap()
            .customers
            .is_empty()
    );
}

#[test]
fn suppressed_contacts_are_recognised_in_any_form_only_by_their_tenant() {
    let db = open();
    let a = db.tenant("agency-a");
    let b = db.tenant("agency-b");
    let c = a.create_customer(&actor(), marked("a")).unwrap();
    let probe = NewCustomer {
        email: Some("QWYZ.A@QwyzMail.example".into()),
        mobile: Some(format!("06 {}2", PHONE_MARK)),
        secondary_phones: vec!["+44 20 7946 0958".into(), format!("+33 1{PHONE_MARK}3")],
        ..customer("New", "Person")
    };
    assert!(a.suppressed_fields(probe.clone()).unwrap().is_empty());
    a.anonymise(&dpo(), &c.id, "GDPR Art. 17 request").unwrap();
    assert_eq!(
        a.suppressed_fields(probe.clone()).unwrap(),
        ["email", "mobile", "secondary_phones[1]"]
    );
    assert!(b.suppressed_fields(probe).unwrap().is_empty());
    // A booking captured with those contacts is made, and flagged.
    let captured = a
        .capture_booking(
            &actor(),
            customer_with_email("Jean", "Neuf", "QWYZ.A@qwyzmail.example"),
            booking("BK-9", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    assert_eq!(captured.suppressed_fields, ["email"]);
    let fresh = a
        .capture_booking(
            &actor(),
            customer_with_email("Jean", "Neuf", "jean.neuf@example.fr"),
            booking("BK-10", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    assert!(fresh.suppressed_fields.is_empty());
    assert_invalid(
        a.suppressed_fields(NewCustomer {
            email: Some("nope".into()),
            ..customer("A", "B")
        }),
        "email",
    );
}

/// The JSON Schema of the export, as committed.
fn schema() -> serde_json::Value {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/personal-data-export.schema.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_schema_names_every_change_kind_of_the_core() {
    let root = schema();
    let text = serde_json::to_string(&root).unwrap();
    let at = text.find(r#""kind":{"enum":["customer_created""#).unwrap();
    let list = &text[at..];
    let list = &list[..list.find(']').unwrap()];
    for kind in ChangeKind::ALL {
        assert!(
            list.contains(&format!("\"{kind}\"")),
            "{kind} is not in the schema"
        );
    }
    assert_eq!(list.matches(',').count() + 1, ChangeKind::ALL.len());
}

/// Checks that every object in `value` has exactly the properties the schema node lists
/// (following `$ref`, arrays and `oneOf` with null), recursively: the structural half of the
/// schema. The Python tests validate exports with a full JSON Schema validator.
fn conforms(
    value: &serde_json::Value,
    node: &serde_json::Value,
    root: &serde_json::Value,
    path: &str,
) {
    let node = match node.get("$ref").and_then(|r| r.as_str()) {
        Some(r) => root.pointer(r.trim_start_matches('#')).unwrap(),
        None => node,
    };
    if let Some(options) = node.get("oneOf").and_then(|o| o.as_array()) {
        if value.is_null() {
            return;
        }
        let other = options
            .iter()
            .find(|o| o.get("type") != Some(&"null".into()))
            .unwrap();
        return conforms(value, other, root, path);
    }
    if let (Some(props), Some(obj)) = (
        node.get("properties").and_then(|p| p.as_object()),
        value.as_object(),
    ) {
        let want: BTreeSet<&String> = props.keys().collect();
        let got: BTreeSet<&String> = obj.keys().collect();
        assert_eq!(got, want, "properties of {path}");
        for (k, v) in obj {
            conforms(v, &props[k], root, &format!("{path}.{k}"));
        }
    }
    if let (Some(items), Some(array)) = (node.get("items"), value.as_array()) {
        for (i, v) in array.iter().enumerate() {
            conforms(v, items, root, &format!("{path}[{i}]"));
        }
    }
}

#[test]
fn the_export_holds_everything_round_trips_and_follows_the_schema() {
    let db = open();
    let a = db.tenant("agency-a");
    let c = a.create_customer(&actor(), marked("a")).unwrap();
    let twin = a.create_customer(&actor(), marked("b")).unwrap();
    let mut trip = booking_for("BK-1", "2026-07-14T08:30:00+02:00", &c);
    trip.invoices = vec![invoice("F-1", 12000, "EUR")];
    a.upsert_booking(&actor(), trip).unwrap();
    a.upsert_booking(
        &actor(),
        booking_for("BK-2", "2026-08-01T10:00:00+02:00", &twin),
    )
    .unwrap();
    let id_copy = a
        .attach_document(
            &actor(),
            &twin.id,
            NewDocument::new("id.png", "image/png", vec![1, 2, 3]),
        )
        .unwrap();
    let merged = a
        .merge(
            &actor(),
            &MergeRequest::new(c.id, [twin.id]).choose(crm_core::MergeField::Notes, c.id),
        )
        .unwrap();

    // A merged id exports the customer it went into.
    let export = a.export_personal_data(&actor(), &twin.id).unwrap();
    assert_eq!(export.format, crm_core::EXPORT_FORMAT);
    assert_eq!(export.tenant, "agency-a");
    assert_eq!(export.profile, merged.customer);
    assert_eq!(
        export.secondary_contacts.emails,
        merged.customer.secondary_emails
    );
    // The consent records of both records merged: the history of the one person.
    assert_eq!(export.consents.len(), 4);
    assert!(
        export
            .consents
            .iter()
            .all(|r| r.source == "customer record")
    );
    assert_eq!(export.bookings.len(), 2);
    assert_eq!(export.invoices.len(), 1);
    assert_eq!(export.invoices[0].booking_reference, "BK-1");
    assert_eq!(export.lists, ["Qwyzlist"]);
    // The twin's document moved to the customer it was merged into.
    assert_eq!(export.documents.len(), 1);
    assert_eq!(
        (export.documents[0].id, export.documents[0].customer_id),
        (id_copy.id, c.id)
    );
    assert_eq!(export.documents[0].sha256, id_copy.sha256);
    assert_eq!(export.merges, vec![merged.record.clone()]);
    let kinds: Vec<ChangeKind> = export.changes.iter().map(|e| e.kind).collect();
    assert!(
        kinds.contains(&ChangeKind::CustomerCreated) && kinds.contains(&ChangeKind::CustomerMerged)
    );
    assert!(export.changes.iter().all(|e| e.customer_id == Some(c.id)
        || e.customer_id == Some(twin.id)
        || e.previous_customer_id == Some(twin.id)));
    assert!(export.anonymisation.is_none());

    let json = serde_json::to_value(&export).unwrap();
    let schema = schema();
    conforms(&json, &schema, &schema, "export");
    let back: PersonalDataExport = serde_json::from_value(json).unwrap();
    assert_eq!(back, export);

    // After anonymising: nothing personal left in it, and it says when and why.
    a.anonymise(&dpo(), &c.id, "GDPR Art. 17 request").unwrap();
    let export = a.export_personal_data(&actor(), &c.id).unwrap();
    let text = serde_json::to_string(&export).unwrap().to_ascii_lowercase();
    for needle in NEEDLES {
        assert!(
            !text.contains(needle),
            "{needle} in the export of an anonymised customer"
        );
    }
    assert_eq!(export.anonymisation.unwrap().reason, "GDPR Art. 17 request");
    conforms(
        &serde_json::to_value(a.export_personal_data(&actor(), &c.id).unwrap()).unwrap(),
        &schema,
        &schema,
        "export",
    );
}

#[test]
fn anonymised_customers_are_no_ones_duplicates_and_cannot_be_merged() {
    let db = open();
    let a = db.tenant("agency-a");
    let one = a
        .create_customer(
            &actor(),
            customer_with_email("Hélène", "Dupont", "h@example.fr"),
        )
        .unwrap();
    let two = a
        .create_customer(
            &actor(),
            customer_with_email("Hélène", "Dupont", "h@example.fr"),
        )
        .unwrap();
    let config = MatchConfig::default();
    assert_eq!(a.duplicates_of(&one.id, &config).unwrap().len(), 1);
    a.anonymise(&dpo(), &two.id, "GDPR Art. 17 request")
        .unwrap();
    assert!(a.duplicates_of(&one.id, &config).unwrap().is_empty());
    assert!(a.duplicates_of(&two.id, &config).unwrap().is_empty());
    // Two anonymised records look alike ("Anonymised customer"): still nobody's duplicates.
    let three = a.create_customer(&actor(), customer("X", "Y")).unwrap();
    a.anonymise(&dpo(), &three.id, "GDPR Art. 17 request")
        .unwrap();
    let clusters = a
        .find_duplicates(&crm_core::FindOptions::default(), |_, _| {})
        .unwrap();
    assert!(clusters.is_empty(), "{clusters:?}");
    let before = snapshot(&a, &[]);
    assert_kind(
        a.merge(&actor(), &MergeRequest::new(one.id, [two.id])),
        ErrorKind::Conflict,
    );
    assert_kind(
        a.merge(&actor(), &MergeRequest::new(two.id, [one.id])),
        ErrorKind::Conflict,
    );
    assert_kind(
        a.plan_merge(&MergeRequest::new(one.id, [two.id])),
        ErrorKind::Conflict,
    );
    assert_eq!(snapshot(&a, &[]), before);
}

#[test]
fn a_merge_of_an_anonymised_person_can_no_longer_be_undone() {
    let db = open();
    let a = db.tenant("agency-a");
    let c = a.create_customer(&actor(), marked("a")).unwrap();
    let twin = a.create_customer(&actor(), marked("b")).unwrap();
    let merge = a
        .merge(
            &actor(),
            &MergeRequest::new(c.id, [twin.id]).choose(crm_core::MergeField::Notes, c.id),
        )
        .unwrap()
        .record;
    a.anonymise(&dpo(), &c.id, "GDPR Art. 17 request").unwrap();
    let kept = a.get_merge(&merge.id).unwrap();
    let text = serde_json::to_string(&kept).unwrap().to_ascii_lowercase();
    assert!(!text.contains(MARK), "{text}");
    assert_kind(a.unmerge(&actor(), &merge.id), ErrorKind::Conflict);
    // Its old id still resolves, to the anonymised record.
    assert_eq!(a.get_customer(&twin.id).unwrap().id, c.id);
}

#[test]
fn an_undone_merge_keeps_nothing_of_the_person_and_exports_nothing_of_others() {
    let db = open();
    let a = db.tenant("agency-a");
    let made = a
        .create_customers(
            &actor(),
            vec![
                marked("a"),
                customer("Other", "Person"),
                customer("Bob", "Stander"),
            ],
        )
        .unwrap();
    let (x, p) = (made[0].clone(), made[1].clone());
    let mut notes = p.edit();
    notes.notes = Some("Other person's private note".into());
    let p = a.update_customer(&actor(), &p.id, 1, notes).unwrap();
    // X merged into P, then undone: the merge record keeps X's data in P's merged result.
    let merge = a
        .merge(&actor(), &MergeRequest::new(p.id, [x.id]))
        .unwrap()
        .record;
    std::thread::sleep(std::time::Duration::from_millis(5));
    let cutoff = chrono::Utc::now();
    std::thread::sleep(std::time::Duration::from_millis(5));
    a.unmerge(&actor(), &merge.id).unwrap();
    // X's export shows the merge, but not the other person's data.
    let export = a.export_personal_data(&actor(), &x.id).unwrap();
    assert_eq!(export.merges.len(), 1);
    let text = serde_json::to_string(&export).unwrap();
    assert!(!text.contains("private note"), "{text}");
    assert!(text.contains("Qwyzafirst"));
    // Retention leaves alone a record an unmerge brought back after the cut-off, though the
    // update time it got back is older; P was changed by the unmerge; the bystander is idle.
    let candidates = a
        .anonymise_inactive(&dpo(), cutoff, true, |_, _| {})
        .unwrap()
        .customers;
    assert_eq!(candidates, vec![made[2].id]);
    a.anonymise(&dpo(), &x.id, "GDPR Art. 17 request").unwrap();
    drop(a);
    assert_eq!(files_holding(db.dir.path(), NEEDLES), Vec::<String>::new());
}

#[test]
fn privacy_calls_never_cross_tenants() {
    let db = open();
    let a = db.tenant("agency-a");
    let b = db.tenant("agency-b");
    let c = a.create_customer(&actor(), marked("a")).unwrap();
    let before = snapshot(&a, &[]);
    assert_kind(b.plan_anonymise(&c.id), ErrorKind::NotFound);
    assert_kind(b.anonymise(&dpo(), &c.id, "GDPR"), ErrorKind::NotFound);
    assert_kind(b.export_personal_data(&actor(), &c.id), ErrorKind::NotFound);
    let far = chrono::Utc::now() + chrono::Duration::days(1);
    let report = b.anonymise_inactive(&dpo(), far, false, |_, _| {}).unwrap();
    assert!(report.customers.is_empty());
    assert_eq!(snapshot(&a, &[]), before);
}

#[test]
fn a_file_of_an_earlier_schema_is_rewritten_once_so_free_space_keeps_nothing() {
    let db = open_sqlite();
    let a = db.tenant("agency-a");
    a.create_customer(&actor(), customer("Bob", "Stander"))
        .unwrap();
    drop(a);
    let Db { crm, path, dir, .. } = db;
    drop(crm);
    // As an earlier version left it: a customer deleted without `secure_delete`, schema 2.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "secure_delete", false).unwrap();
        conn.execute_batch(
            "INSERT INTO customers (id, tenant_id, customer_no, first_name, last_name, sort_name,
                custom_fields, created_at, created_ms, updated_at, version)
             VALUES (x'00', 'agency-a', 99, 'Qwyzgone', 'Qwyzgone', 'qwyzgone', '{}',
                '2026-01-01T00:00:00Z', 0, '2026-01-01T00:00:00Z', 1);
             DELETE FROM customers WHERE customer_no = 99;
             DROP TABLE merge_communications; DROP TABLE communications;
             DROP TABLE saved_search_matches; DROP TABLE saved_searches;
             DROP TABLE merge_brochure_requests; DROP TABLE brochure_requests; DROP TABLE lists;
             DROP TABLE merge_documents; DROP TABLE documents;
             DROP TABLE anonymisations; DROP TABLE suppressions;
             ALTER TABLE customers DROP COLUMN anonymised_at;
             ALTER TABLE tenants DROP COLUMN suppression_key;
             ALTER TABLE tenants DROP COLUMN name_rule;
             ALTER TABLE tenants DROP COLUMN feed_compacted;
             DROP TABLE feed_cursors;
             DROP TABLE match_models; DROP TABLE not_duplicates;
             ALTER TABLE tenants DROP COLUMN time_zone;
             DROP TABLE schedule_runs; DROP TABLE schedules;
             ALTER TABLE customers DROP COLUMN title;
             DROP TABLE templates;
             ALTER TABLE tenants DROP COLUMN email_uniqueness;
             ALTER TABLE tenants DROP COLUMN hard_delete;
             ALTER TABLE tenants DROP COLUMN merge_policy;
             DROP TABLE privacy_log;
             DROP TABLE opt_outs;
             ALTER TABLE bookings DROP COLUMN invoices;
             ALTER TABLE bookings ADD COLUMN invoice_number TEXT;
             ALTER TABLE bookings ADD COLUMN amount_minor INTEGER;
             ALTER TABLE bookings ADD COLUMN currency TEXT;
             ALTER TABLE bookings ADD COLUMN payment_status TEXT;
             DROP TABLE merge_consents; DROP TABLE consent_records;
             PRAGMA user_version = 2;",
        )
        .unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
    }
    assert!(
        !files_holding(dir.path(), &[MARK]).is_empty(),
        "the old value is not in free space"
    );
    let crm = crm_core::Crm::open(&path).unwrap();
    let a = crm.tenant("agency-a").unwrap();
    assert_eq!(count_customers(&a), 1);
    drop(a);
    drop(crm);
    assert_eq!(files_holding(dir.path(), &[MARK]), Vec::<String>::new());
}

/// Delete leaves no value of the customer in any file either: the row is zeroed, the log is
/// checkpointed and truncated, and the index segments that held it are rewritten before
/// `delete_customer` returns.
#[test]
fn delete_leaves_no_old_value_in_any_file() {
    let db = open();
    let a = db.tenant("agency-a");
    // One batch: one index segment holding it and a bystander, so that the segment outlives the
    // customer's document and must be rewritten.
    let made = a
        .create_customers(&actor(), vec![marked("a"), customer("Bob", "Stander")])
        .unwrap();
    let c = made[0].clone();
    a.upsert_booking(
        &actor(),
        booking_for("BK-1", "2026-07-14T08:30:00+02:00", &c),
    )
    .unwrap();
    for text in ["qwyzafirst", "0171829301", "qwyzmail", "stander"] {
        assert_eq!(a.search(&CustomerQuery::text(text)).unwrap().total, 1);
    }
    drop(a);
    let held = files_holding(db.dir.path(), NEEDLES);
    assert!(!held.is_empty(), "the scan does not see the values");

    let a = db.crm.tenant("agency-a").unwrap();
    assert_eq!(a.delete_customer(&actor(), &c.id).unwrap(), 1);
    assert_eq!(files_holding(db.dir.path(), NEEDLES), Vec::<String>::new());
    assert_eq!(a.search(&CustomerQuery::text("stander")).unwrap().total, 1);
    assert_eq!(a.search(&CustomerQuery::text("qwyz")).unwrap().total, 0);
    let dir = db.dir;
    drop(a);
    drop(db.crm);
    assert_eq!(files_holding(dir.path(), NEEDLES), Vec::<String>::new());
}
