//! Opt-outs: an address the tenant must not write to on a channel blocks every record that
//! holds it, now or later (a second record, a capture, an import, a merge), until the person
//! opts in again; each tenant keeps its own.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use crm_core::{
    Channel, Consent, CustomerQuery, ImportMatch, ImportOptions, MergeRequest, NewCustomer, Tenant,
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
