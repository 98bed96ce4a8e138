//! Opt-outs: an address the tenant must not write to on a channel blocks every record that
//! holds it, now or later (a second record, a capture, an import, a merge), until the person
//! opts in again; each tenant keeps its own.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use crm_core::{
    ChangeKind, Channel, Consent, ConsentPurpose, ConsentState, CustomerQuery, ErrorKind,
    ImportMatch, ImportOptions, MergeRequest, NewConsent, NewCustomer, Tenant,
};

fn consented(first: &str, email: &str, mobile: &str) -> NewCustomer {
    let at = "2026-01-01T00:00:00Z".parse().unwrap();
    NewCustomer {
        email: Some(email.into()),
        mobile: Some(mobile.into()),
        consent: Consent {
            email: Some(at),
            sms: Some(at),
        },
        ..customer(first, "Voyageur")
    }
}

/// The first names of the recipients on `channel`, sorted, and how many were opted out.
fn reached(t: &Tenant, channel: Channel) -> (Vec<String>, u64) {
    let o = t.outreach(&CustomerQuery::all(), channel).unwrap();
    let mut names: Vec<String> = o.recipients.into_iter().map(|r| r.first_name).collect();
    names.sort();
    (names, o.skipped.opted_out)
}

#[test]
fn an_opted_out_address_is_left_out_on_every_record_that_holds_it() {
    let db = open();
    let t = db.tenant("agency");
    let other = db.tenant("other");
    for tenant in [&t, &other] {
        tenant
            .set_settings(&actor(), crm_core::TenantSettings::with_region("FR"))
            .unwrap();
    }
    let anne = t
        .create_customer(&actor(), consented("Anne", "anne@x.fr", "06 12 34 56 78"))
        .unwrap();
    t.create_customer(&actor(), consented("Bea", "bea@x.fr", "06 99 99 99 99"))
        .unwrap();
    other
        .create_customer(&actor(), consented("Xena", "anne@x.fr", "06 12 34 56 78"))
        .unwrap();

    assert!(
        t.opt_out(&actor(), Channel::Email, " ANNE@x.fr", "unsubscribe link")
            .unwrap()
    );
    assert!(
        !t.opt_out(&actor(), Channel::Email, "anne@x.fr", "again")
            .unwrap()
    );
    assert!(t.is_opted_out(Channel::Email, "Anne@X.fr").unwrap());
    assert_eq!(reached(&t, Channel::Email), (vec!["Bea".to_owned()], 1));
    // Only that channel: the SMS still goes.
    assert_eq!(reached(&t, Channel::Sms).0, ["Anne", "Bea"]);
    // A number opts out as the channel reads it: typed another way, in the tenant's region.
    t.opt_out(&actor(), Channel::Sms, "+33 6 12 34 56 78", "phone call")
        .unwrap();
    assert!(t.is_opted_out(Channel::Sms, "06.12.34.56.78").unwrap());
    assert_eq!(reached(&t, Channel::Sms), (vec!["Bea".to_owned()], 1));

    // A second record, made by a capture or an import, is held too; so is a merge of them.
    let captured = t
        .capture_booking(
            &actor(),
            consented("Annie", "anne@x.fr", "06 00 00 00 01"),
            booking("CAP-1", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    assert_eq!(
        captured.customer.id, anne.id,
        "the capture found Anne by her email"
    );
    let csv =
        "first_name,last_name,email,consent_email\nAnna,Double,anne@x.fr,2026-01-01T00:00:00Z\n";
    let report = t
        .import_csv(
            &actor(),
            csv.as_bytes(),
            &ImportOptions::new().match_on(ImportMatch::None),
            |_, _| true,
        )
        .unwrap();
    assert_eq!(report.created, 1);
    let (names, opted_out) = reached(&t, Channel::Email);
    assert_eq!((names, opted_out), (vec!["Bea".to_owned()], 2));
    let double = t.find_customers_by_email("anne@x.fr").unwrap();
    assert_eq!(double.len(), 2);
    t.merge(&actor(), &MergeRequest::new(double[0].id, [double[1].id]))
        .unwrap();
    assert_eq!(reached(&t, Channel::Email), (vec!["Bea".to_owned()], 1));

    // The other tenant keeps its own list.
    assert!(!other.is_opted_out(Channel::Email, "anne@x.fr").unwrap());
    assert_eq!(reached(&other, Channel::Email).0, ["Xena"]);
    assert!(!other.opt_in(&actor(), Channel::Email, "anne@x.fr").unwrap());
    assert!(t.is_opted_out(Channel::Email, "anne@x.fr").unwrap());

    // Opting in again lifts it.
    let seq = last_seq(&t);
    assert!(t.opt_in(&actor(), Channel::Email, "anne@x.fr").unwrap());
    assert_eq!(
        changes_after(&t, seq)[0].kind,
        crm_core::ChangeKind::AddressOptedIn
    );
    assert!(!t.opt_in(&actor(), Channel::Email, "anne@x.fr").unwrap());
    assert_eq!(reached(&t, Channel::Email).1, 0);
}

#[test]
fn bad_addresses_and_sources_are_refused_by_name() {
    let db = open();
    let t = db.tenant("agency");
    assert_invalid(
        t.opt_out(&actor(), Channel::Email, "not an email", "form"),
        "address",
    );
    assert_invalid(
        t.opt_out(&actor(), Channel::Sms, "call me", "form"),
        "address",
    );
    assert_invalid(t.opt_out(&actor(), Channel::Email, "a@x.fr", " "), "source");
    assert_invalid(
        t.opt_out(&actor(), Channel::Email, "a@x.fr", &"s".repeat(101)),
        "source",
    );
    assert_invalid(t.is_opted_out(Channel::Email, ""), "address");
    // A source is a label, never an address.
    for bad in ["from a@x.fr", "called from 0612345678"] {
        assert_invalid(t.opt_out(&actor(), Channel::Email, "a@x.fr", bad), "source");
    }
    // A number of no plan could never match an SMS address: refused, not silently kept.
    assert_invalid(
        t.opt_out(&actor(), Channel::Sms, "12345", "form"),
        "address",
    );
    assert!(
        t.opt_out(&actor(), Channel::Sms, "+33 6 12 34 56 78", "form")
            .unwrap()
    );
    assert!(!t.is_opted_out(Channel::Email, "a@x.fr").unwrap());
}

/// The (channel, purpose, state, source) of each of the customer's records, the latest first.
fn history(
    t: &Tenant,
    id: &crm_core::CustomerId,
) -> Vec<(Channel, ConsentPurpose, ConsentState, String)> {
    t.consents(id)
        .unwrap()
        .into_iter()
        .map(|r| (r.channel, r.purpose, r.state, r.source))
        .collect()
}

fn decision(channel: Channel, purpose: ConsentPurpose, state: ConsentState) -> NewConsent {
    NewConsent::new(channel, purpose, state, "phone call")
}

#[test]
fn a_decision_is_kept_with_its_history_and_the_marketing_one_is_the_customers_consent() {
    use ConsentPurpose::*;
    use ConsentState::*;
    let db = open();
    let t = db.tenant("agency");
    let anne = t
        .create_customer(&actor(), customer_with_email("Anne", "Martin", "anne@x.fr"))
        .unwrap();
    assert!(t.consents(&anne.id).unwrap().is_empty());
    let seq = last_seq(&t);
    let given = NewConsent {
        at: Some("2026-03-01T10:00:00Z".parse().unwrap()),
        ..NewConsent::new(Channel::Email, Marketing, Given, "booking form")
    };
    let record = t.record_consent(&actor(), &anne.id, given).unwrap();
    assert_eq!(
        record.at,
        "2026-03-01T10:00:00Z"
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    );
    assert_eq!(record.recorded_by, actor().user_id);
    let now = t.get_customer(&anne.id).unwrap();
    assert_eq!(now.consent.email, Some(record.at));
    assert_eq!(now.version, anne.version + 1);
    let kinds: Vec<(ChangeKind, Vec<String>)> = changes_after(&t, seq)
        .into_iter()
        .map(|e| (e.kind, e.fields))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                ChangeKind::ConsentRecorded,
                vec!["email".to_owned(), "marketing".to_owned()]
            ),
            (ChangeKind::CustomerUpdated, vec!["consent".to_owned()]),
        ]
    );
    // A service decision is kept, and leaves the customer's (marketing) consent alone.
    t.record_consent(
        &actor(),
        &anne.id,
        decision(Channel::Sms, Service, Withdrawn),
    )
    .unwrap();
    assert_eq!(t.get_customer(&anne.id).unwrap(), now);
    // Withdrawing clears it; the history keeps every decision, the latest first.
    t.record_consent(
        &actor(),
        &anne.id,
        decision(Channel::Email, Marketing, Withdrawn),
    )
    .unwrap();
    assert_eq!(t.get_customer(&anne.id).unwrap().consent.email, None);
    assert_eq!(
        history(&t, &anne.id),
        [
            (
                Channel::Email,
                Marketing,
                Withdrawn,
                "phone call".to_owned()
            ),
            (Channel::Sms, Service, Withdrawn, "phone call".to_owned()),
            (Channel::Email, Marketing, Given, "booking form".to_owned()),
        ]
    );
    // In the personal-data export, whole.
    let export = t.export_personal_data(&actor(), &anne.id).unwrap();
    assert_eq!(export.consents, t.consents(&anne.id).unwrap());
}

#[test]
fn setting_the_consent_on_the_record_records_it_from_its_path() {
    use ConsentPurpose::Marketing;
    use ConsentState::*;
    let db = open();
    let t = db.tenant("agency");
    t.set_settings(&actor(), crm_core::TenantSettings::with_region("FR"))
        .unwrap();
    let anne = t
        .create_customer(&actor(), consented("Anne", "anne@x.fr", "06 12 34 56 78"))
        .unwrap();
    let from_record = |state| {
        (
            Channel::Email,
            Marketing,
            state,
            "customer record".to_owned(),
        )
    };
    assert_eq!(
        history(&t, &anne.id),
        [
            (Channel::Sms, Marketing, Given, "customer record".to_owned()),
            from_record(Given),
        ]
    );
    let mut edit = anne.edit();
    edit.consent.email = None;
    t.update_customer(&actor(), &anne.id, anne.version, edit)
        .unwrap();
    assert_eq!(history(&t, &anne.id)[0], from_record(Withdrawn));
    // An update that leaves the consent alone records nothing.
    let now = t.get_customer(&anne.id).unwrap();
    let mut edit = now.edit();
    edit.notes = Some("window seat".into());
    t.update_customer(&actor(), &anne.id, now.version, edit)
        .unwrap();
    assert_eq!(history(&t, &anne.id).len(), 3);

    let captured = t
        .capture_booking(
            &actor(),
            consented("Bea", "bea@x.fr", "06 99 99 99 99"),
            booking("CAP-1", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    assert!(
        history(&t, &captured.customer.id)
            .iter()
            .all(|r| r.3 == "booking capture")
    );
    let csv = "first_name,last_name,email,consent_email\nCleo,Import,cleo@x.fr,2026-01-01\n";
    t.import_csv(
        &actor(),
        csv.as_bytes(),
        &ImportOptions::new().match_on(ImportMatch::None),
        |_, _| true,
    )
    .unwrap();
    let cleo = t.search(&CustomerQuery::text("cleo")).unwrap().items[0].id;
    assert_eq!(
        history(&t, &cleo),
        [(Channel::Email, Marketing, Given, "import".to_owned())]
    );
}

#[test]
fn outreach_honours_purpose_withdrawal_and_opt_outs() {
    use ConsentPurpose::*;
    use ConsentState::*;
    let db = open();
    let t = db.tenant("agency");
    let with = t
        .create_customer(&actor(), consented("With", "with@x.fr", "06 12 34 56 78"))
        .unwrap();
    let without = t
        .create_customer(
            &actor(),
            customer_with_email("Without", "Consent", "without@x.fr"),
        )
        .unwrap();
    let stopped = t
        .create_customer(
            &actor(),
            customer_with_email("Stopped", "Service", "stopped@x.fr"),
        )
        .unwrap();
    t.record_consent(
        &actor(),
        &stopped.id,
        decision(Channel::Email, Service, Withdrawn),
    )
    .unwrap();
    let names = |o: crm_core::Outreach| {
        let mut n: Vec<String> = o.recipients.into_iter().map(|r| r.first_name).collect();
        n.sort();
        (n, o.skipped.no_consent, o.skipped.opted_out)
    };
    let all = CustomerQuery::all();
    assert_eq!(
        names(t.outreach_for(&all, Channel::Email, Marketing).unwrap()),
        (vec!["With".to_owned()], 2, 0)
    );
    assert_eq!(
        names(t.outreach_for(&all, Channel::Email, Service).unwrap()),
        (vec!["With".to_owned(), "Without".to_owned()], 1, 0),
        "service messages need no consent; a withdrawal holds"
    );
    // An opted-out address: out of marketing, still reached by service messages.
    t.opt_out(&actor(), Channel::Email, "with@x.fr", "unsubscribe link")
        .unwrap();
    assert_eq!(
        names(t.outreach_for(&all, Channel::Email, Marketing).unwrap()),
        (vec![], 2, 1)
    );
    assert_eq!(
        names(t.outreach_for(&all, Channel::Email, Service).unwrap()).0,
        ["With", "Without"]
    );
    // Given again, service messages reach the customer again.
    t.record_consent(
        &actor(),
        &stopped.id,
        decision(Channel::Email, Service, Given),
    )
    .unwrap();
    assert_eq!(
        names(t.outreach_for(&all, Channel::Email, Service).unwrap()).0,
        ["Stopped", "With", "Without"]
    );
    // Withdrawing marketing through a record: out of marketing too.
    t.opt_in(&actor(), Channel::Email, "with@x.fr").unwrap();
    t.record_consent(
        &actor(),
        &with.id,
        decision(Channel::Email, Marketing, Withdrawn),
    )
    .unwrap();
    assert_eq!(
        t.outreach(&all, Channel::Email).unwrap().recipients.len(),
        0
    );
    assert_eq!(t.get_customer(&without.id).unwrap().consent.email, None);
}

#[test]
fn a_merge_moves_the_records_an_unmerge_moves_them_back_and_a_last_withdrawal_holds() {
    use ConsentPurpose::Marketing;
    use ConsentState::*;
    let db = open();
    let t = db.tenant("agency");
    let anne = t
        .create_customer(&actor(), consented("Anne", "anne@x.fr", "06 12 34 56 78"))
        .unwrap();
    let twin = t
        .create_customer(
            &actor(),
            customer_with_email("Anne", "Voyageur", "anne@x.fr"),
        )
        .unwrap();
    // The same person, on the second record, said no to marketing email last.
    t.record_consent(
        &actor(),
        &twin.id,
        decision(Channel::Email, Marketing, Withdrawn),
    )
    .unwrap();
    let request = MergeRequest::new(anne.id, [twin.id]);
    let plan = t.plan_merge(&request).unwrap();
    assert_eq!(plan.customer.consent.email, None, "the withdrawal holds");
    assert!(plan.customer.consent.sms.is_some());
    let merged = t.merge(&actor(), &request).unwrap();
    assert_eq!(merged.customer.consent, plan.customer.consent);
    assert_eq!(t.consents(&anne.id).unwrap().len(), 3);
    assert_eq!(t.consents(&twin.id).unwrap(), t.consents(&anne.id).unwrap());
    assert_eq!(
        t.outreach(&CustomerQuery::all(), Channel::Email)
            .unwrap()
            .recipients
            .len(),
        0
    );
    t.unmerge(&actor(), &merged.record.id).unwrap();
    assert_eq!(
        history(&t, &twin.id),
        [(
            Channel::Email,
            Marketing,
            Withdrawn,
            "phone call".to_owned()
        )]
    );
    assert_eq!(t.consents(&anne.id).unwrap().len(), 2);
    assert_eq!(t.get_customer(&anne.id).unwrap().consent, anne.consent);
    // A withdrawal recorded while merged (it changes no field: the merge had dropped the
    // consent) holds after the unmerge.
    let merged = t.merge(&actor(), &request).unwrap();
    assert_eq!(merged.customer.consent.email, None);
    t.record_consent(
        &actor(),
        &anne.id,
        decision(Channel::Email, Marketing, Withdrawn),
    )
    .unwrap();
    t.unmerge(&actor(), &merged.record.id).unwrap();
    let back = t.get_customer(&anne.id).unwrap();
    assert_eq!(back.consent.email, None, "the withdrawal holds");
    assert_eq!(back.consent.sms, anne.consent.sms);
    assert_eq!(t.consents(&anne.id).unwrap().len(), 3);
}

#[test]
fn consent_records_are_each_tenants_own_and_bad_decisions_write_nothing() {
    use ConsentPurpose::*;
    use ConsentState::*;
    let db = open();
    let a = db.tenant("agency-a");
    let b = db.tenant("agency-b");
    let anne = a
        .create_customer(&actor(), customer_with_email("Anne", "Martin", "anne@x.fr"))
        .unwrap();
    let bea = b
        .create_customer(&actor(), customer_with_email("Bea", "Martin", "anne@x.fr"))
        .unwrap();
    a.record_consent(
        &actor(),
        &anne.id,
        decision(Channel::Email, Marketing, Given),
    )
    .unwrap();
    assert_kind(
        b.record_consent(
            &actor(),
            &anne.id,
            decision(Channel::Email, Marketing, Given),
        ),
        ErrorKind::NotFound,
    );
    assert_kind(b.consents(&anne.id), ErrorKind::NotFound);
    assert!(b.consents(&bea.id).unwrap().is_empty());
    assert_eq!(b.get_customer(&bea.id).unwrap(), bea);
    assert_eq!(
        b.outreach_for(&CustomerQuery::all(), Channel::Email, Marketing)
            .unwrap()
            .recipients
            .len(),
        0
    );
    assert_eq!(a.consents(&anne.id).unwrap().len(), 1);

    let before = (a.consents(&anne.id).unwrap(), last_seq(&a));
    let future = NewConsent {
        at: Some(chrono::Utc::now() + chrono::Duration::days(1)),
        ..decision(Channel::Email, Service, Given)
    };
    assert_invalid(a.record_consent(&actor(), &anne.id, future), "at");
    let with_address = NewConsent::new(Channel::Email, Service, Given, "mail from anne@x.fr");
    assert_invalid(a.record_consent(&actor(), &anne.id, with_address), "source");
    assert_kind(
        a.record_consent(
            &actor(),
            &"0190f5e4-0000-7000-8000-000000000000".parse().unwrap(),
            decision(Channel::Email, Service, Given),
        ),
        ErrorKind::NotFound,
    );
    assert_eq!((a.consents(&anne.id).unwrap(), last_seq(&a)), before);
    // An anonymised customer has no consent left to record, and its records are gone.
    a.anonymise(&crate::privacy::dpo(), &anne.id, "GDPR Art. 17 request")
        .unwrap();
    assert!(a.consents(&anne.id).unwrap().is_empty());
    assert_kind(
        a.record_consent(
            &actor(),
            &anne.id,
            decision(Channel::Email, Marketing, Given),
        ),
        ErrorKind::Conflict,
    );
}
