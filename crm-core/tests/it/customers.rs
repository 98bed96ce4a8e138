//! Customers: create, read (by id, number, email), Unicode, phones, updates with optimistic
//! concurrency, no-op updates, delete keeping the bookings, customer numbers.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, TimeZone, Utc};
use common::*;
use crm_core::{
    Address, Consent, Crm, CustomerListQuery, CustomerSort, ErrorKind, NewCustomer, TenantSettings,
};

fn full_customer() -> NewCustomer {
    NewCustomer {
        title: Some("Mme".into()),
        first_name: "Hélène".into(),
        last_name: "Dupont-Lefèvre".into(),
        company: Some("Voyages Dupont SARL".into()),
        email: Some("Helene.Dupont@Example.fr".into()),
        phone: Some("04 72 10 20 30".into()),
        mobile: Some("06 12 34 56 78".into()),
        fax: Some("+33 4 72 10 20 31".into()),
        emergency_phone: Some("0033 6 98 76 54 32".into()),
        secondary_emails: vec!["h.dupont@travail.fr".into(), "Helene@Perso.fr".into()],
        secondary_phones: vec!["+44 20 7946 0958".into(), "07 81 23 45 67".into()],
        address: Address {
            street: Some("12 rue de la République".into()),
            zip: Some("69002".into()),
            city: Some("Lyon".into()),
            region: Some("Auvergne-Rhône-Alpes".into()),
            country: Some("fr".into()),
        },
        contact_person: Some("Noël Dupont (époux)".into()),
        birth_date: NaiveDate::from_ymd_opt(1975, 2, 28),
        language: Some("fr-FR".into()),
        notes: Some("Préfère un siège côté fenêtre.\nAllergique aux arachides.".into()),
        consent: Consent {
            email: Some(Utc.timestamp_nanos(1_717_171_717_123_456_789)),
            sms: None,
        },
        salesperson: Some("chloé".into()),
        lists: BTreeSet::from(["VIP".to_string(), "Ski 2026".to_string()]),
        custom_fields: BTreeMap::from([
            ("siège".to_string(), "fenêtre".to_string()),
            ("fidélité".to_string(), "Gold".to_string()),
        ]),
    }
}

#[test]
fn create_then_get_by_id_and_by_number_returns_every_field() {
    let db = open();
    let t = db.tenant("agency");
    let created = t.create_customer(&actor(), full_customer()).unwrap();
    assert_eq!(created.customer_no, 1);
    assert_eq!(created.version, 1);
    assert_eq!(created.created_at, created.updated_at);
    assert_eq!(
        created.address.country.as_deref(),
        Some("FR"),
        "country uppercased"
    );
    assert_eq!(
        created.email.as_deref(),
        Some("Helene.Dupont@Example.fr"),
        "email kept as typed"
    );
    assert_eq!(
        created.edit(),
        NewCustomer {
            address: Address {
                country: Some("FR".into()),
                ..full_customer().address
            },
            ..full_customer()
        }
    );

    let by_id = t.get_customer(&created.id).unwrap();
    assert_eq!(by_id, created);
    let by_no = t.get_customer_by_no(1).unwrap();
    assert_eq!(by_no, created);
    assert_eq!(by_id.full_name(), "Hélène Dupont-Lefèvre");
    assert_eq!(
        by_id.consent.email,
        Some(Utc.timestamp_nanos(1_717_171_717_123_456_789))
    );
}

#[test]
fn unknown_ids_and_numbers_are_not_found() {
    let db = open();
    let t = db.tenant("agency");
    let c = t
        .create_customer(&actor(), customer("Zoé", "Moreau"))
        .unwrap();
    // An id minted in another store.
    let other = Crm::open_in_memory().unwrap().tenant("agency").unwrap();
    other
        .set_settings(&actor(), TenantSettings::with_region("FR"))
        .unwrap();
    let stranger = other
        .create_customer(&actor(), customer("Zoé", "Moreau"))
        .unwrap();
    assert_kind(t.get_customer(&stranger.id), ErrorKind::NotFound);
    assert_kind(t.get_customer_by_no(0), ErrorKind::NotFound);
    assert_kind(t.get_customer_by_no(2), ErrorKind::NotFound);
    assert_kind(t.get_customer_by_no(-1), ErrorKind::NotFound);
    let err = t.get_customer(&stranger.id).unwrap_err();
    assert!(err.to_string().contains(&stranger.id.to_string()));
    assert_eq!(t.get_customer(&c.id).unwrap().id, c.id);
}

#[test]
fn blank_optional_text_is_absent_and_text_is_trimmed() {
    let db = open();
    let t = db.tenant("agency");
    let c = t
        .create_customer(
            &actor(),
            NewCustomer {
                company: Some("   ".into()),
                email: Some("  Jean.Dupont@Example.FR ".into()),
                phone: Some("".into()),
                address: Address {
                    city: Some(" Lyon ".into()),
                    street: Some("".into()),
                    ..Default::default()
                },
                ..customer("  Jean ", " Dupont  ")
            },
        )
        .unwrap();
    let c = t.get_customer(&c.id).unwrap();
    assert_eq!(
        (c.first_name.as_str(), c.last_name.as_str()),
        ("Jean", "Dupont")
    );
    assert_eq!(c.company, None);
    assert_eq!(c.phone, None);
    assert_eq!(c.address.street, None);
    assert_eq!(c.address.city.as_deref(), Some("Lyon"));
    assert_eq!(c.email.as_deref(), Some("Jean.Dupont@Example.FR"));
}

#[test]
fn find_by_email_ignores_case_and_matches_secondary_emails_oldest_first() {
    let db = open();
    let t = db.tenant("agency");
    let main = t
        .create_customer(
            &actor(),
            customer_with_email("Hélène", "Dupont", "Helene.Dupont@Example.fr"),
        )
        .unwrap();
    let other = t
        .create_customer(
            &actor(),
            customer_with_email("Zoé", "Moreau", "zoe@example.fr"),
        )
        .unwrap();
    let secondary = t
        .create_customer(
            &actor(),
            NewCustomer {
                secondary_emails: vec![
                    "office@example.fr".into(),
                    "HELENE.dupont@example.FR".into(),
                ],
                ..customer_with_email("Noël", "Dupont", "noel@example.fr")
            },
        )
        .unwrap();
    let ids = |email: &str| -> Vec<_> {
        t.find_customers_by_email(email)
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect()
    };
    assert_eq!(ids("helene.dupont@example.fr"), [main.id, secondary.id]);
    assert_eq!(ids("HELENE.DUPONT@EXAMPLE.FR"), [main.id, secondary.id]);
    assert_eq!(ids("  Helene.Dupont@Example.fr "), [main.id, secondary.id]);
    assert_eq!(ids("Office@Example.FR"), [secondary.id]);
    assert_eq!(ids("ZOE@example.fr"), [other.id]);
    assert!(ids("nobody@example.fr").is_empty());
    assert!(
        ids("helene.dupont@example.f").is_empty(),
        "no prefix matching"
    );
    // Found records are complete.
    let found = t.find_customers_by_email("office@example.fr").unwrap();
    assert_eq!(found[0], t.get_customer(&secondary.id).unwrap());
}

#[test]
fn find_by_email_follows_updates_and_deletes() {
    let db = open();
    let t = db.tenant("agency");
    let c = t
        .create_customer(
            &actor(),
            customer_with_email("Zoé", "Moreau", "old@example.fr"),
        )
        .unwrap();
    let mut edit = c.edit();
    edit.email = Some("New@Example.fr".into());
    edit.secondary_emails = vec!["extra@example.fr".into()];
    let c = t.update_customer(&actor(), &c.id, c.version, edit).unwrap();
    assert!(
        t.find_customers_by_email("old@example.fr")
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        t.find_customers_by_email("new@example.fr").unwrap()[0].id,
        c.id
    );
    assert_eq!(
        t.find_customers_by_email("EXTRA@example.fr").unwrap()[0].id,
        c.id
    );
    t.delete_customer(&actor(), &c.id).unwrap();
    assert!(
        t.find_customers_by_email("new@example.fr")
            .unwrap()
            .is_empty()
    );
    assert!(
        t.find_customers_by_email("extra@example.fr")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn unicode_is_kept_exactly_as_typed() {
    let db = open();
    let t = db.tenant("agency");
    let people = [
        ("Hélène", "Dupont", "Genève"),
        ("José", "Núñez", "Málaga"),
        ("Jürgen", "Müller", "München"),
        ("伟", "王", "上海"),
        ("Łukasz", "Wójcik", "Kraków"),
        // Decomposed accents (NFD) are not recomposed.
        ("He\u{301}le\u{300}ne", "Lefe\u{300}vre", "Ze\u{301}rmatt"),
        ("Siobhán", "O'Brien", "Dún Laoghaire"),
    ];
    for (first, last, city) in people {
        let c = t
            .create_customer(
                &actor(),
                NewCustomer {
                    address: Address {
                        city: Some(city.into()),
                        ..Default::default()
                    },
                    notes: Some(format!("{first} {last} ✈️ 🏔️")),
                    custom_fields: BTreeMap::from([("clé".to_string(), "välue 値".to_string())]),
                    ..customer(first, last)
                },
            )
            .unwrap();
        let got = t.get_customer(&c.id).unwrap();
        assert_eq!(got.first_name, first);
        assert_eq!(got.last_name, last);
        assert_eq!(got.address.city.as_deref(), Some(city));
        assert_eq!(got.notes, Some(format!("{first} {last} ✈️ 🏔️")));
        assert_eq!(got.custom_fields["clé"], "välue 値");
        let rows = t
            .list_customers(&CustomerListQuery::new(CustomerSort::CreatedAt).limit(1))
            .unwrap();
        assert_eq!(
            (
                rows.items[0].first_name.as_str(),
                rows.items[0].last_name.as_str()
            ),
            (first, last)
        );
    }
}

#[test]
fn phones_are_stored_as_typed_and_in_e164() {
    let db = open();
    let t = db.tenant("agency");
    let cases = [
        ("06 12 34 56 78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("04 72 10 20 30", "+33472102030"),
        ("+49 30 1234567", "+49301234567"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+41 79 123 45 67", "+41791234567"),
        ("+1 212-736-5000", "+12127365000"),
        ("+86 139 1234 5678", "+8613912345678"),
    ];
    for (typed, e164) in cases {
        let c = t
            .create_customer(
                &actor(),
                NewCustomer {
                    phone: Some(format!("  {typed} ")),
                    mobile: Some(typed.into()),
                    fax: Some(typed.into()),
                    emergency_phone: Some(typed.into()),
                    secondary_phones: vec![typed.into()],
                    ..customer("Zoé", "Moreau")
                },
            )
            .unwrap();
        let got = t.get_customer(&c.id).unwrap();
        for p in [&got.phone, &got.mobile, &got.fax, &got.emergency_phone] {
            let p = p.as_ref().unwrap();
            assert_eq!(
                (p.typed.as_str(), p.e164.as_deref().unwrap_or_default()),
                (typed, e164),
                "{typed}"
            );
        }
        assert_eq!(got.secondary_phones[0].typed, typed);
        assert_eq!(got.secondary_phones[0].e164.as_deref(), Some(e164));
    }
}

#[test]
fn list_row_phone_is_the_landline_else_the_mobile() {
    let db = open();
    let t = db.tenant("agency");
    let both = t
        .create_customer(
            &actor(),
            NewCustomer {
                phone: Some("04 72 10 20 30".into()),
                mobile: Some("06 12 34 56 78".into()),
                ..customer("A", "A")
            },
        )
        .unwrap();
    let mobile = t
        .create_customer(
            &actor(),
            NewCustomer {
                mobile: Some("06 12 34 56 78".into()),
                ..customer("B", "B")
            },
        )
        .unwrap();
    let none = t.create_customer(&actor(), customer("C", "C")).unwrap();
    let rows = t
        .list_customers(&CustomerListQuery::new(CustomerSort::Name))
        .unwrap()
        .items;
    let phone = |id| rows.iter().find(|r| r.id == id).unwrap().phone.clone();
    assert_eq!(phone(both.id).as_deref(), Some("04 72 10 20 30"));
    assert_eq!(phone(mobile.id).as_deref(), Some("06 12 34 56 78"));
    assert_eq!(phone(none.id), None);
}

#[test]
fn stored_phones_keep_their_e164_after_a_region_change() {
    let db = open();
    let t = db.tenant("agency");
    let c = t
        .create_customer(
            &actor(),
            NewCustomer {
                mobile: Some("06 12 34 56 78".into()),
                ..customer("Zoé", "Moreau")
            },
        )
        .unwrap();
    assert_eq!(
        c.mobile.as_ref().unwrap().e164.as_deref(),
        Some("+33612345678")
    );
    t.set_settings(&actor(), TenantSettings::with_region("DE"))
        .unwrap();
    assert_eq!(
        t.get_customer(&c.id)
            .unwrap()
            .mobile
            .unwrap()
            .e164
            .as_deref(),
        Some("+33612345678"),
        "documented: stored phones keep their E.164 form"
    );
    // Change only the company, starting from `edit()` as documented.
    let mut edit = c.edit();
    edit.company = Some("Moreau SA".into());
    let updated = t.update_customer(&actor(), &c.id, c.version, edit).unwrap();
    assert_eq!(
        updated.mobile.as_ref().unwrap().e164.as_deref(),
        Some("+33612345678")
    );
    let event = all_changes(&t).pop().unwrap();
    assert_eq!(event.fields, ["company"], "only the company changed");
    // Nothing edited: nothing written.
    let seq = last_seq(&t);
    let same = t
        .update_customer(&actor(), &c.id, updated.version, updated.edit())
        .unwrap();
    assert_eq!(same, updated);
    assert_eq!(last_seq(&t), seq);
    // A number typed anew is read with the new region.
    let mut edit = updated.edit();
    edit.phone = Some("030 1234567".into());
    let again = t
        .update_customer(&actor(), &c.id, updated.version, edit)
        .unwrap();
    assert_eq!(again.phone.unwrap().e164.as_deref(), Some("+49301234567"));
    assert_eq!(again.mobile.unwrap().e164.as_deref(), Some("+33612345678"));
}

#[test]
fn update_with_the_current_version_changes_fields_and_bumps_the_version() {
    let db = open();
    let t = db.tenant("agency");
    let c = t.create_customer(&actor(), full_customer()).unwrap();
    let mut edit = c.edit();
    edit.last_name = "Martin".into();
    edit.mobile = Some("+33 7 81 23 45 67".into());
    edit.email = None;
    edit.lists.insert("Newsletter".into());
    let updated = t.update_customer(&actor(), &c.id, 1, edit).unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.id, c.id);
    assert_eq!(updated.customer_no, c.customer_no);
    assert_eq!(updated.created_at, c.created_at);
    assert_eq!(updated.last_name, "Martin");
    assert_eq!(
        updated.mobile.as_ref().unwrap().e164.as_deref(),
        Some("+33781234567")
    );
    assert_eq!(updated.email, None);
    assert!(updated.lists.contains("Newsletter"));
    assert_eq!(t.get_customer(&c.id).unwrap(), updated);
}

#[test]
fn a_stale_version_is_a_conflict_and_changes_nothing() {
    let db = open();
    let t = db.tenant("agency");
    let c = t
        .create_customer(
            &actor(),
            customer_with_email("Zoé", "Moreau", "zoe@example.fr"),
        )
        .unwrap();
    // Two clerks read version 1; the first one saves.
    let mut first = c.edit();
    first.company = Some("Moreau SA".into());
    let saved = t
        .update_customer(&actor(), &c.id, c.version, first)
        .unwrap();
    let seq = last_seq(&t);
    // The second one saves on top of what they read.
    let mut second = c.edit();
    second.last_name = "Overwritten".into();
    assert_kind(
        t.update_customer(&actor(), &c.id, c.version, second.clone()),
        ErrorKind::Conflict,
    );
    assert_kind(
        t.update_customer(&actor(), &c.id, saved.version + 1, second.clone()),
        ErrorKind::Conflict,
    );
    assert_kind(
        t.update_customer(&actor(), &c.id, 0, second),
        ErrorKind::Conflict,
    );
    assert_eq!(t.get_customer(&c.id).unwrap(), saved);
    assert_eq!(
        last_seq(&t),
        seq,
        "a conflicting update appended to the feed"
    );
    // Re-read and retry: fine.
    let mut retry = saved.edit();
    retry.last_name = "Retried".into();
    assert_eq!(
        t.update_customer(&actor(), &c.id, saved.version, retry)
            .unwrap()
            .version,
        3
    );
}

#[test]
fn update_of_an_unknown_customer_is_not_found() {
    let db = open();
    let t = db.tenant("agency");
    let c = t
        .create_customer(&actor(), customer("Zoé", "Moreau"))
        .unwrap();
    t.delete_customer(&actor(), &c.id).unwrap();
    assert_kind(
        t.update_customer(&actor(), &c.id, c.version, c.edit()),
        ErrorKind::NotFound,
    );
}

#[test]
fn an_update_that_changes_nothing_writes_nothing() {
    let db = open();
    let t = db.tenant("agency");
    let c = t.create_customer(&actor(), full_customer()).unwrap();
    let seq = last_seq(&t);
    let same = t
        .update_customer(&actor(), &c.id, c.version, c.edit())
        .unwrap();
    assert_eq!(same, c);
    // Differences that normalise away (spaces, country case, blank optional text) are no change.
    let mut padded = c.edit();
    padded.first_name = format!("  {} ", c.first_name);
    padded.address.country = Some("fr".into());
    padded.company = Some(format!("{}  ", c.company.clone().unwrap()));
    let same = t
        .update_customer(&actor(), &c.id, c.version, padded)
        .unwrap();
    assert_eq!(same, c);
    assert_eq!(t.get_customer(&c.id).unwrap(), c);
    assert_eq!(last_seq(&t), seq, "a no-op update appended to the feed");
}

#[test]
fn delete_keeps_the_bookings_detached() {
    let db = open();
    let t = db.tenant("agency");
    let c = t
        .create_customer(
            &actor(),
            customer_with_email("Zoé", "Moreau", "zoe@example.fr"),
        )
        .unwrap();
    let keep = t
        .create_customer(&actor(), customer("Théo", "Girard"))
        .unwrap();
    let mut b1 = booking_for("BK-1", "2026-07-14T08:30:00+02:00", &c);
    b1.invoices = vec![invoice("F-1", 25000, "EUR")];
    t.upsert_booking(&actor(), b1).unwrap();
    t.upsert_booking(
        &actor(),
        booking_for("BK-2", "2026-08-14T08:30:00+02:00", &c),
    )
    .unwrap();
    t.upsert_booking(
        &actor(),
        booking_for("BK-3", "2026-09-14T08:30:00+02:00", &keep),
    )
    .unwrap();
    let before1 = t.get_booking("BK-1").unwrap();
    assert_eq!(count_customers(&t), 2);

    assert_eq!(t.delete_customer(&actor(), &c.id).unwrap(), 2);

    assert_kind(t.get_customer(&c.id), ErrorKind::NotFound);
    assert_kind(t.get_customer_by_no(c.customer_no), ErrorKind::NotFound);
    assert_kind(t.booking_history(&c.id), ErrorKind::NotFound);
    assert_kind(t.customer_stats(&c.id), ErrorKind::NotFound);
    assert_kind(t.delete_customer(&actor(), &c.id), ErrorKind::NotFound);
    assert_eq!(count_customers(&t), 1);
    let after1 = t.get_booking("BK-1").unwrap();
    assert_eq!(after1.customer_id, None);
    assert_eq!(after1.invoices, before1.invoices);
    assert_eq!(after1.pickup_at, before1.pickup_at);
    assert_eq!(after1.route(), before1.route());
    assert_eq!(after1.created_at, before1.created_at);
    assert_eq!(t.get_booking("BK-2").unwrap().customer_id, None);
    assert_eq!(t.get_booking("BK-3").unwrap().customer_id, Some(keep.id));
    assert_eq!(t.customer_stats(&keep.id).unwrap().bookings, 1);
    let rows = t
        .list_customers(&CustomerListQuery::new(CustomerSort::Name))
        .unwrap();
    assert_eq!(
        rows.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        [keep.id]
    );

    // A detached booking can be linked to someone else.
    t.link_booking(&actor(), "BK-1", Some(&keep.id)).unwrap();
    assert_eq!(t.customer_stats(&keep.id).unwrap().bookings, 2);
    // Deleting a customer without bookings detaches none.
    let lone = t
        .create_customer(&actor(), customer("Léa", "Faure"))
        .unwrap();
    assert_eq!(t.delete_customer(&actor(), &lone.id).unwrap(), 0);
}

#[test]
fn customer_numbers_are_sequential_per_tenant_and_never_reused() {
    let db = open();
    let a = db.tenant("agency-a");
    let b = db.tenant("agency-b");
    let no = |c: crm_core::Customer| c.customer_no;
    assert_eq!(
        no(a.create_customer(&actor(), customer("A", "1")).unwrap()),
        1
    );
    assert_eq!(
        no(a.create_customer(&actor(), customer("A", "2")).unwrap()),
        2
    );
    assert_eq!(
        no(b.create_customer(&actor(), customer("B", "1")).unwrap()),
        1
    );
    let batch = a
        .create_customers(
            &actor(),
            vec![customer("A", "3"), customer("A", "4"), customer("A", "5")],
        )
        .unwrap();
    assert_eq!(
        batch.iter().map(|c| c.customer_no).collect::<Vec<_>>(),
        [3, 4, 5]
    );
    assert_eq!(
        batch
            .iter()
            .map(|c| c.last_name.as_str())
            .collect::<Vec<_>>(),
        ["3", "4", "5"]
    );
    // Deleting the newest does not hand its number out again.
    a.delete_customer(&actor(), &batch[2].id).unwrap();
    assert_eq!(
        no(a.create_customer(&actor(), customer("A", "6")).unwrap()),
        6
    );
    // Capture creates with the next number too.
    let captured = a
        .capture_booking(
            &actor(),
            customer_with_email("A", "7", "a7@example.fr"),
            booking("BK-7", "2026-07-01T10:00:00Z"),
        )
        .unwrap();
    assert_eq!(captured.customer.customer_no, 7);
    assert_eq!(
        no(b.create_customer(&actor(), customer("B", "2")).unwrap()),
        2
    );
    for n in [1, 2, 3, 4, 6, 7] {
        assert_eq!(a.get_customer_by_no(n).unwrap().customer_no, n);
    }
    assert_kind(a.get_customer_by_no(5), ErrorKind::NotFound);
}

#[test]
fn create_customers_returns_them_as_stored_in_order() {
    let db = open();
    let t = db.tenant("agency");
    let mut synth = crm_bench::Synth::new(42, "T");
    let input: Vec<NewCustomer> = (0..200).map(|_| synth.customer()).collect();
    let made = t.create_customers(&actor(), input.clone()).unwrap();
    assert_eq!(made.len(), 200);
    assert_eq!(count_customers(&t), 200);
    for (i, (c, typed)) in made.iter().zip(&input).enumerate() {
        assert_eq!(c.customer_no, i as i64 + 1);
        assert_eq!(&c.first_name, typed.first_name.trim());
        assert_eq!(c.email, typed.email.as_ref().map(|e| e.trim().to_string()));
        assert_eq!(&t.get_customer(&c.id).unwrap(), c);
    }
    let ids: std::collections::HashSet<_> = made.iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), 200);
}

#[test]
fn consent_times_outside_the_storable_years_are_refused() {
    let db = open();
    let t = db.tenant("agency");
    let before = count_customers(&t);
    for year in [10_000, 1899, -5] {
        let when = Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0).unwrap();
        let input = NewCustomer {
            consent: Consent {
                email: Some(when),
                sms: None,
            },
            ..customer("Zoé", "Moreau")
        };
        assert_invalid(t.create_customer(&actor(), input), "consent.email");
        let input = NewCustomer {
            consent: Consent {
                email: None,
                sms: Some(when),
            },
            ..customer("Zoé", "Moreau")
        };
        assert_invalid(t.create_customer(&actor(), input), "consent.sms");
    }
    assert_eq!(count_customers(&t), before);
    let ok = NewCustomer {
        consent: Consent {
            email: Some(Utc.with_ymd_and_hms(1900, 1, 1, 0, 0, 0).unwrap()),
            sms: None,
        },
        ..customer("Zoé", "Moreau")
    };
    let c = t.create_customer(&actor(), ok).unwrap();
    assert_eq!(t.get_customer(&c.id).unwrap(), c);
}
