//! Outreach and the communication log, saved searches with `run_saved`, and statements (with
//! their PDF read back by `pdftotext` when it is installed).
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use crm_core::{
    BookingStatus, Channel, Consent, CustomerQuery, ErrorKind, MergeRequest, NewCommunication,
    NewCustomer, Role,
};

fn consented(first: &str, email: Option<&str>, mobile: Option<&str>) -> NewCustomer {
    let at = "2026-01-01T00:00:00Z".parse().unwrap();
    NewCustomer {
        email: email.map(Into::into),
        mobile: mobile.map(Into::into),
        consent: Consent {
            email: Some(at),
            sms: Some(at),
        },
        address: crm_core::Address {
            city: Some("Lyon".into()),
            ..Default::default()
        },
        ..customer(first, "Voyageur")
    }
}

#[test]
fn forgotten_contacts_are_found_among_more_than_a_statement_holds() {
    let db = open();
    let t = db.tenant("agency-a");
    let many: Vec<NewCustomer> = (0..700)
        .map(|i| {
            consented(
                &format!("P{i:03}"),
                Some(&format!("p{i}@x.fr")),
                Some(&format!("06 12 34 {:02} {:02}", i / 100, i % 100)),
            )
        })
        .collect();
    let made = t.create_customers(&actor(), many).unwrap();
    let dpo = crm_core::Actor::new("dpo", Role::Organisation);
    // Two people forgotten; their contacts come back on records past the first few hundred.
    for gone in [&made[3], &made[640]] {
        t.anonymise(&dpo, &gone.id, "asked to be forgotten")
            .unwrap();
    }
    let mut again = vec![
        consented("Q1", Some("P640@x.fr"), None),
        consented("Q2", None, Some("+33 6 12 34 00 03")),
        // One household's two records share a forgotten address.
        consented("Q3", Some("p3@x.fr"), None),
        consented("Q4", Some("p3@x.fr"), Some("06 99 99 99 99")),
    ];
    again.push(consented("Q5", Some("q5@x.fr"), Some("06 98 98 98 98")));
    t.create_customers(&actor(), again).unwrap();
    let email = t.outreach(&CustomerQuery::all(), Channel::Email).unwrap();
    assert_eq!(email.skipped.anonymised, 2);
    assert_eq!(email.skipped.suppressed, 3, "Q1, Q3 and Q4");
    assert_eq!(email.recipients.len(), 698 + 1);
    let sms = t.outreach(&CustomerQuery::all(), Channel::Sms).unwrap();
    assert_eq!(sms.skipped.suppressed, 1, "Q2");
    assert!(
        sms.recipients
            .iter()
            .all(|r| !r.first_name.starts_with("Q2"))
    );
    assert!(sms.recipients.iter().any(|r| r.first_name == "Q4"));
}

#[test]
fn outreach_honours_consent_addresses_and_erasure() {
    let db = open();
    let t = db.tenant("agency-a");
    let other = db.tenant("agency-b");
    let ok = t
        .create_customer(
            &actor(),
            consented("Ok", Some("ok@x.fr"), Some("06 12 34 56 78")),
        )
        .unwrap();
    let mut no_consent = consented("Nocon", Some("nc@x.fr"), Some("06 11 11 11 11"));
    no_consent.consent = Consent::default();
    t.create_customer(&actor(), no_consent).unwrap();
    // A landline in the mobile field takes no SMS; no email takes no email.
    t.create_customer(
        &actor(),
        consented("Landline", None, Some("04 72 00 00 00")),
    )
    .unwrap();
    let gone = t
        .create_customer(
            &actor(),
            consented("Gone", Some("gone@x.fr"), Some("06 22 22 22 22")),
        )
        .unwrap();
    let dpo = crm_core::Actor::new("dpo", Role::Organisation);
    t.anonymise(&dpo, &gone.id, "asked to be forgotten")
        .unwrap();
    // The erased person's address, now on a new record: suppressed.
    t.create_customer(
        &actor(),
        consented("Again", Some("GONE@x.fr"), Some("06 22 22 22 22")),
    )
    .unwrap();
    other
        .create_customer(
            &actor(),
            consented("Theirs", Some("t@x.fr"), Some("06 33 33 33 33")),
        )
        .unwrap();

    let lyon = CustomerQuery::all().city("Lyon");
    let email = t.outreach(&lyon, Channel::Email).unwrap();
    let names: Vec<&str> = email
        .recipients
        .iter()
        .map(|r| r.first_name.as_str())
        .collect();
    assert_eq!(names, ["Ok"]);
    assert_eq!(email.recipients[0].address, "ok@x.fr");
    assert_eq!(
        (
            email.skipped.no_consent,
            email.skipped.no_address,
            email.skipped.suppressed
        ),
        (1, 1, 1)
    );
    let everyone = t.outreach(&CustomerQuery::all(), Channel::Sms).unwrap();
    assert_eq!(everyone.recipients.len(), 1);
    assert_eq!(everyone.recipients[0].address, "+33612345678");
    assert_eq!(everyone.skipped.anonymised, 1);
    assert_eq!(everyone.skipped.no_address, 1, "the landline");
    assert_eq!(everyone.skipped.suppressed, 1);

    // The host sends, then logs what it sent.
    let mut sent = NewCommunication::new(ok.id, Channel::Email, "Summer offers");
    sent.reference = Some("msg-1".into());
    let logged = t
        .record_communications(
            &actor(),
            vec![sent, NewCommunication::new(ok.id, Channel::Sms, "Reminder")],
        )
        .unwrap();
    assert_eq!(logged[0].address, "ok@x.fr");
    assert_eq!(logged[1].address, "+33612345678");
    let log = t.communications(&ok.id).unwrap();
    assert_eq!(log.len(), 2);
    assert!(log[0].sent_at >= log[1].sent_at);
    assert_eq!(
        all_changes(&t).last().unwrap().kind.as_str(),
        "communication_recorded"
    );
    // All or nothing: one bad entry logs none.
    let before = t.communications(&ok.id).unwrap().len();
    let landline = t.search(&CustomerQuery::text("landline")).unwrap().items[0].id;
    let err = t
        .record_communications(
            &actor(),
            vec![
                NewCommunication::new(ok.id, Channel::Email, "Fine"),
                NewCommunication::new(landline, Channel::Email, "No address"),
            ],
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(err.to_string().starts_with("[1].channel"), "{err}");
    // A landline in the mobile field takes no SMS: not logged as one either.
    let err = t
        .record_communications(
            &actor(),
            vec![NewCommunication::new(landline, Channel::Sms, "x")],
        )
        .unwrap_err();
    assert!(err.to_string().starts_with("[0].channel"), "{err}");
    // Newest first, also within a second.
    let mut early = NewCommunication::new(ok.id, Channel::Email, "early");
    early.sent_at = Some("2030-01-01T10:00:00Z".parse().unwrap());
    let mut late = NewCommunication::new(ok.id, Channel::Email, "late");
    late.sent_at = Some("2030-01-01T10:00:00.5Z".parse().unwrap());
    t.record_communications(&actor(), vec![early, late])
        .unwrap();
    let subjects: Vec<String> = t.communications(&ok.id).unwrap()[..2]
        .iter()
        .map(|e| e.subject.clone())
        .collect();
    assert_eq!(subjects, ["late", "early"]);
    let err = t
        .record_communications(
            &actor(),
            vec![NewCommunication::new(ok.id, Channel::Email, " ")],
        )
        .unwrap_err();
    assert!(err.to_string().starts_with("[0].subject"), "{err}");
    assert_eq!(t.communications(&ok.id).unwrap().len(), before + 2);
    assert_eq!(
        t.record_communications(
            &actor(),
            vec![NewCommunication::new(gone.id, Channel::Email, "x")]
        )
        .unwrap_err()
        .kind(),
        ErrorKind::Conflict
    );
    // Another tenant neither sees nor logs against ours.
    assert_eq!(
        other.communications(&ok.id).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        other
            .record_communications(
                &actor(),
                vec![NewCommunication::new(ok.id, Channel::Email, "x")]
            )
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        other
            .outreach(&lyon, Channel::Email)
            .unwrap()
            .recipients
            .len(),
        1
    );
}

#[test]
fn a_merge_moves_the_log_and_an_unmerge_brings_it_back() {
    let db = open();
    let t = db.tenant("agency-a");
    let a = t
        .create_customer(&actor(), consented("Anne", Some("a@x.fr"), None))
        .unwrap();
    let b = t
        .create_customer(&actor(), consented("Anne", Some("b@x.fr"), None))
        .unwrap();
    t.record_communications(
        &actor(),
        vec![NewCommunication::new(b.id, Channel::Email, "Hi")],
    )
    .unwrap();
    let merged = t.merge(&actor(), &MergeRequest::new(a.id, [b.id])).unwrap();
    assert_eq!(t.communications(&a.id).unwrap().len(), 1);
    assert_eq!(
        t.export_personal_data(&actor(), &a.id)
            .unwrap()
            .communications
            .len(),
        1
    );
    t.unmerge(&actor(), &merged.record.id).unwrap();
    assert!(t.communications(&a.id).unwrap().is_empty());
    assert_eq!(t.communications(&b.id).unwrap()[0].address, "b@x.fr");
}

#[test]
fn run_saved_returns_who_newly_matches() {
    let db = open();
    let t = db.tenant("agency-a");
    let other = db.tenant("agency-b");
    let lyon = CustomerQuery::all().city("Lyon").limit(1);
    let saved = t.save_search(&actor(), " Lyon follow-up ", &lyon).unwrap();
    assert_eq!(saved.name, "Lyon follow-up");
    assert_eq!(saved.last_run_at, None);
    let first = t
        .create_customer(&actor(), consented("First", None, None))
        .unwrap();
    t.create_customer(&actor(), consented("Second", None, None))
        .unwrap();

    let run1 = t.run_saved(&actor(), &saved.id, None).unwrap();
    assert_eq!((run1.total, run1.new.len()), (2, 2), "its page is ignored");
    assert_eq!(run1.previous_run_at, None);
    assert_eq!(run1.search.last_run_at, Some(run1.ran_at));

    let third = t
        .create_customer(&actor(), consented("Third", None, None))
        .unwrap();
    let mut moved = first.edit();
    moved.address.city = Some("Paris".into());
    t.update_customer(&actor(), &first.id, first.version, moved)
        .unwrap();
    let run2 = t.run_saved(&actor(), &saved.id, None).unwrap();
    assert_eq!(run2.total, 2);
    let new: Vec<_> = run2.new.iter().map(|r| r.id).collect();
    assert_eq!(new, [third.id]);
    assert_eq!(run2.previous_run_at, Some(run1.ran_at));
    // Nothing new since; everything matching since before the first run.
    assert!(
        t.run_saved(&actor(), &saved.id, None)
            .unwrap()
            .new
            .is_empty()
    );
    let since_start = t
        .run_saved(
            &actor(),
            &saved.id,
            Some(run1.ran_at - chrono::Duration::seconds(1)),
        )
        .unwrap();
    assert_eq!(since_start.new.len(), 2);
    // Back in Lyon: new again.
    let first = t.get_customer(&first.id).unwrap();
    let mut back = first.edit();
    back.address.city = Some("Lyon".into());
    t.update_customer(&actor(), &first.id, first.version, back)
        .unwrap();
    let run = t.run_saved(&actor(), &saved.id, None).unwrap();
    assert_eq!(run.new.iter().map(|r| r.id).collect::<Vec<_>>(), [first.id]);

    // Saving the same name with another query starts afresh; listing, getting, deleting.
    let paris = t
        .save_search(
            &actor(),
            "Lyon follow-up",
            &CustomerQuery::all().city("Paris"),
        )
        .unwrap();
    assert_eq!(paris.id, saved.id);
    assert_eq!(paris.last_run_at, None);
    assert_eq!(t.saved_searches().unwrap().len(), 1);
    assert_eq!(
        t.get_saved_search(&saved.id).unwrap().query,
        CustomerQuery::all().city("Paris")
    );
    assert_eq!(
        t.save_search(&actor(), "", &lyon).unwrap_err().kind(),
        ErrorKind::Validation
    );

    // Another tenant cannot see, run or delete it, and a run never returns its customers.
    assert_eq!(
        other.get_saved_search(&saved.id).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        other
            .run_saved(&actor(), &saved.id, None)
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        other
            .delete_saved_search(&actor(), &saved.id)
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    let theirs = other
        .save_search(&actor(), "Lyon follow-up", &lyon)
        .unwrap();
    assert_eq!(
        other.run_saved(&actor(), &theirs.id, None).unwrap().total,
        0
    );
    assert!(other.saved_searches().unwrap().len() == 1);

    t.delete_saved_search(&actor(), &saved.id).unwrap();
    assert!(t.saved_searches().unwrap().is_empty());
    let kinds: Vec<String> = all_changes(&t).iter().map(|e| e.kind.to_string()).collect();
    assert!(kinds.contains(&"saved_search_saved".into()));
    assert_eq!(kinds.last().unwrap(), "saved_search_deleted");
}

#[test]
fn a_statement_lists_the_period_with_totals_and_renders_a_pdf() {
    let db = open();
    let t = db.tenant("agency-a");
    let other = db.tenant("agency-b");
    let mut fields = consented("Hélène", None, None);
    fields.last_name = "Dupont".into();
    let c = t.create_customer(&actor(), fields).unwrap();
    let trips = [
        (
            "BK-0",
            "2026-05-31T23:30:00+02:00",
            Some(("F-0", 999, "EUR")),
            BookingStatus::Confirmed,
        ),
        (
            "BK-1",
            "2026-06-01T08:00:00+02:00",
            Some(("F-1", 12_050, "EUR")),
            BookingStatus::Completed,
        ),
        (
            "BK-2",
            "2026-06-15T09:00:00+01:00",
            Some(("F-2", 4_000, "GBP")),
            BookingStatus::Confirmed,
        ),
        (
            "BK-3",
            "2026-06-20T10:00:00+02:00",
            Some(("F-3", 7_000, "EUR")),
            BookingStatus::Cancelled,
        ),
        (
            "BK-4",
            "2026-06-30T22:00:00+02:00",
            Some(("F-4", 1_000, "EUR")),
            BookingStatus::Pending,
        ),
        (
            "BK-5",
            "2026-06-30T23:59:00+02:00",
            None,
            BookingStatus::Quote,
        ),
        (
            "BK-6",
            "2026-07-01T00:00:00+02:00",
            Some(("F-6", 5, "EUR")),
            BookingStatus::Confirmed,
        ),
    ];
    for (reference, pickup, inv, status) in trips {
        let mut b = booking_for(reference, pickup, &c);
        b.status = status;
        b.invoices = inv
            .map(|(n, m, cur)| invoice(n, m, cur))
            .into_iter()
            .collect();
        t.upsert_booking(&actor(), b).unwrap();
    }
    let june = |d| chrono::NaiveDate::from_ymd_opt(2026, 6, d).unwrap();
    let s = t.statement(&c.id, june(1), june(30)).unwrap();
    let refs: Vec<&str> = s.lines.iter().map(|l| l.reference.as_str()).collect();
    assert_eq!(refs, ["BK-1", "BK-2", "BK-3", "BK-4", "BK-5"]);
    let totals: Vec<(i64, &str)> = s
        .totals
        .iter()
        .map(|m| (m.minor, m.currency.as_str()))
        .collect();
    assert_eq!(totals, [(13_050, "EUR"), (4_000, "GBP")]);
    assert!(s.outstanding.is_empty(), "every invoice is paid");
    // Unpaid: BK-4 is still owed; the cancelled BK-3 is not.
    for (reference, pickup, number, minor, status) in [
        (
            "BK-3",
            "2026-06-20T10:00:00+02:00",
            "F-3",
            7_000,
            BookingStatus::Cancelled,
        ),
        (
            "BK-4",
            "2026-06-30T22:00:00+02:00",
            "F-4",
            1_000,
            BookingStatus::Pending,
        ),
    ] {
        let mut b = booking_for(reference, pickup, &c);
        b.status = status;
        let mut unpaid = invoice(number, minor, "EUR");
        unpaid.payment_status = crm_core::PaymentStatus::Unpaid;
        b.invoices = vec![unpaid];
        t.upsert_booking(&actor(), b).unwrap();
    }
    let owed = t.statement(&c.id, june(1), june(30)).unwrap();
    assert_eq!(owed.totals, s.totals);
    let owed: Vec<(i64, &str)> = owed
        .outstanding
        .iter()
        .map(|m| (m.minor, m.currency.as_str()))
        .collect();
    assert_eq!(owed, [(1_000, "EUR")]);
    assert_eq!(s.name, "Hélène Dupont");
    assert_eq!(
        t.statement(&c.id, june(2), june(1)).unwrap_err().kind(),
        ErrorKind::Validation
    );
    assert_eq!(
        other
            .statement(&c.id, june(1), june(30))
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );

    let pdf = s.to_pdf();
    assert!(pdf.starts_with(b"%PDF-"));
    let written = db.dir.path().join("written.pdf");
    s.write_pdf(&written).unwrap();
    assert_eq!(std::fs::read(&written).unwrap(), pdf);
    assert_eq!(
        s.write_pdf(db.dir.path().join("missing").join("s.pdf"))
            .unwrap_err()
            .kind(),
        ErrorKind::Io
    );
    let path = db.dir.path().join("statement.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let text = match std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(out) if out.status.success() => String::from_utf8(out.stdout).unwrap(),
        // CI installs poppler-utils (`.ci/run`); a machine without it skips the read-back.
        _ if std::env::var_os("CI").is_none() => return,
        other => panic!("pdftotext is needed on CI: {other:?}"),
    };
    for needle in [
        "Statement",
        "Hélène Dupont",
        "BK-1",
        "BK-5",
        "Lyon Part-Dieu – Aéroport LYS",
        "120.50 EUR",
        "130.50 EUR",
        "40.00 GBP",
        "2026-06-01 to 2026-06-30",
    ] {
        assert!(text.contains(needle), "{needle} not in:\n{text}");
    }
    assert!(!text.contains("BK-0") && !text.contains("BK-6"));

    // Long statements run over several pages.
    for i in 0..120 {
        let mut b = booking_for(&format!("LONG-{i:03}"), "2026-06-10T08:00:00+02:00", &c);
        b.invoices = vec![invoice(&format!("L-{i}"), 100, "EUR")];
        t.upsert_booking(&actor(), b).unwrap();
    }
    let long = t.statement(&c.id, june(1), june(30)).unwrap();
    std::fs::write(&path, long.to_pdf()).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("LONG-000") && text.contains("LONG-119"));
    assert!(text.matches('\u{c}').count() >= 3, "several pages");
    assert!(text.contains("250.50 EUR"));
}

#[test]
fn statements_of_many_come_from_a_search_or_a_saved_one() {
    let db = open();
    let t = db.tenant("agency");
    let anne = t
        .create_customer(&actor(), consented("Anne", None, None))
        .unwrap();
    let bob = t
        .create_customer(&actor(), consented("Bob", None, None))
        .unwrap();
    let _paris = t
        .create_customer(&actor(), customer("Carl", "Paris"))
        .unwrap();
    upsert_with_invoice(&t, "S-1", "2026-06-10T08:00:00+02:00", &anne, 12_050);
    upsert_with_invoice(&t, "S-2", "2026-06-11T08:00:00+02:00", &bob, 1_000);
    let lyon = t
        .save_search(&actor(), "Lyon", &CustomerQuery::all().city("Lyon"))
        .unwrap();
    let june = |d| chrono::NaiveDate::from_ymd_opt(2026, 6, d).unwrap();
    let all = t
        .statements(
            &crm_core::Audience::Query(lyon.query.clone()),
            june(1),
            june(30),
        )
        .unwrap();
    let mut names: Vec<String> = all.iter().map(|s| s.name.clone()).collect();
    names.sort();
    assert_eq!(names, ["Anne Voyageur", "Bob Voyageur"]);
    assert!(all.iter().all(|s| s.lines.len() == 1));
    let one = t
        .statements(
            &crm_core::Audience::Customers(vec![bob.id]),
            june(1),
            june(30),
        )
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].totals[0].minor, 1_000);
    assert_invalid(
        t.statements(
            &crm_core::Audience::Customers(vec![bob.id]),
            june(30),
            june(1),
        ),
        "to",
    );
    // Another tenant's statements hold none of these customers.
    let other = db.tenant("other");
    assert!(
        other
            .statements(
                &crm_core::Audience::Customers(vec![anne.id, bob.id]),
                june(1),
                june(30)
            )
            .unwrap()
            .is_empty()
    );
}

fn upsert_with_invoice(
    t: &crm_core::Tenant,
    reference: &str,
    at: &str,
    who: &crm_core::Customer,
    minor: i64,
) {
    let mut b = booking_for(reference, at, who);
    b.invoices = vec![invoice(reference, minor, "EUR")];
    t.upsert_booking(&actor(), b).unwrap();
}
