//! Real-world contact data: phones typed nationally are read in the customer's country and
//! checked against the numbering plans, a number that fits no plan is kept as typed (shown,
//! exported, found) but never texted nor matched, the tenant's name rule, and files of the
//! previous schema whose phones were misread.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use crm_core::{
    Actor, Address, Channel, CustomerId, CustomerListQuery, CustomerQuery, CustomerSort,
    ExportColumn, ExportOptions, ImportOptions, MatchConfig, MatchField, MatchLevel, MergeField,
    MergeRequest, NameRule, NewCustomer, Role, Tenant, TenantSettings,
};

fn living_in(first: &str, last: &str, country: Option<&str>) -> NewCustomer {
    NewCustomer {
        address: Address {
            country: country.map(Into::into),
            ..Default::default()
        },
        ..customer(first, last)
    }
}

fn with_mobile(fields: NewCustomer, mobile: &str) -> NewCustomer {
    NewCustomer {
        mobile: Some(mobile.into()),
        ..fields
    }
}

fn e164(t: &Tenant, id: &CustomerId) -> Option<String> {
    t.get_customer(id).unwrap().mobile.unwrap().e164
}

fn hits(t: &Tenant, text: &str) -> Vec<CustomerId> {
    let mut ids: Vec<_> = t
        .search(&CustomerQuery::text(text).limit(100))
        .unwrap()
        .items
        .into_iter()
        .map(|h| h.id)
        .collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<CustomerId>) -> Vec<CustomerId> {
    ids.sort();
    ids
}

#[test]
fn a_national_number_is_read_in_the_customers_country_else_the_tenants_region() {
    let db = open();
    let t = db.tenant("agency"); // region FR
    let create = |fields| t.create_customer(&actor(), fields).unwrap();
    // A German mobile typed nationally, for a customer in Germany: a German number.
    let german = create(with_mobile(
        living_in("Jörg", "Keller", Some("DE")),
        "0151 25642510",
    ));
    assert_eq!(e164(&t, &german.id).as_deref(), Some("+4915125642510"));
    // The same digits for a customer without a country are read in FR, where they fit no plan:
    // kept as typed, with no E.164 form (not `+33151...`).
    let nowhere = create(with_mobile(living_in("Ana", "Ruiz", None), "0151 25642510"));
    let mobile = t.get_customer(&nowhere.id).unwrap().mobile.unwrap();
    assert_eq!(
        (mobile.typed.as_str(), mobile.e164),
        ("0151 25642510", None)
    );
    // A French number for the customer without a country is French, as before.
    let french = create(with_mobile(
        living_in("Zoé", "Moreau", None),
        "06 12 34 56 78",
    ));
    assert_eq!(e164(&t, &french.id).as_deref(), Some("+33612345678"));
    // Numbers of other countries, typed as their people type them.
    for (country, typed, expected) in [
        ("US", "(212) 555-0123", "+12125550123"),
        ("GB", "07400 123456", "+447400123456"),
        ("ES", "612 34 56 78", "+34612345678"),
        ("IT", "06 1234 5678", "+390612345678"),
        ("CH", "044 668 18 00", "+41446681800"),
        ("NL", "06 12345678", "+31612345678"),
    ] {
        let c = create(with_mobile(living_in("A", "B", Some(country)), typed));
        assert_eq!(e164(&t, &c.id).as_deref(), Some(expected), "{country}");
    }
    // `+country` wins over the customer's country.
    let abroad = create(with_mobile(
        living_in("Paul", "Martin", Some("DE")),
        "+33 6 98 76 54 32",
    ));
    assert_eq!(e164(&t, &abroad.id).as_deref(), Some("+33698765432"));
}

#[test]
fn changing_the_country_reads_national_numbers_again() {
    let db = open();
    let t = db.tenant("agency");
    let c = t
        .create_customer(
            &actor(),
            NewCustomer {
                phone: Some("+44 20 7946 0958".into()),
                secondary_phones: vec!["0170 1234567".into()],
                ..with_mobile(living_in("Jörg", "Keller", None), "0170 1234567")
            },
        )
        .unwrap();
    // Read in FR, it fits no plan.
    assert_eq!(c.mobile.as_ref().unwrap().e164, None);
    assert_eq!(c.secondary_phones[0].e164, None);
    // The customer's address turns out to be in Germany: the national numbers are German.
    let mut edit = c.edit();
    edit.address.country = Some("DE".into());
    let moved = t.update_customer(&actor(), &c.id, c.version, edit).unwrap();
    assert_eq!(
        moved.mobile.as_ref().unwrap().e164.as_deref(),
        Some("+491701234567")
    );
    assert_eq!(
        moved.secondary_phones[0].e164.as_deref(),
        Some("+491701234567")
    );
    assert_eq!(
        moved.phone.as_ref().unwrap().e164.as_deref(),
        Some("+442079460958"),
        "an international number stays"
    );
    let event = all_changes(&t).pop().unwrap();
    assert!(event.fields.contains(&"mobile".to_owned()), "{event:?}");
    // Another edit that keeps the country keeps the readings, even after the tenant's region
    // changed: those of a customer without a country too, read in the tenant's region of the
    // time.
    let french = t
        .create_customer(
            &actor(),
            with_mobile(customer("Zoé", "Moreau"), "06 12 34 56 78"),
        )
        .unwrap();
    t.set_settings(&actor(), TenantSettings::with_region("US"))
        .unwrap();
    for (before, company) in [(&moved, "Keller GmbH"), (&french, "Moreau SA")] {
        let mut edit = before.edit();
        edit.company = Some(company.into());
        let kept = t
            .update_customer(&actor(), &before.id, before.version, edit)
            .unwrap();
        assert_eq!(kept.mobile, before.mobile);
        assert_eq!(all_changes(&t).pop().unwrap().fields, ["company"]);
    }
    assert_eq!(
        french.mobile.as_ref().unwrap().e164.as_deref(),
        Some("+33612345678")
    );
    // Capture without a country for this customer (found by the booking) reads a new number in
    // the customer's country.
    let booked = t
        .upsert_booking(
            &actor(),
            booking_for("BK-1", "2026-07-14T08:30:00+02:00", &c),
        )
        .unwrap();
    assert!(booked.created);
    let captured = t
        .capture_booking(
            &actor(),
            NewCustomer {
                emergency_phone: Some("030 1234567".into()),
                ..customer("Jörg", "Keller")
            },
            booking("BK-1", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    assert_eq!(
        captured.customer.emergency_phone.unwrap().e164.as_deref(),
        Some("+49301234567")
    );
}

#[test]
fn a_number_that_fits_no_plan_is_kept_shown_exported_and_found_but_never_texted() {
    let db = open();
    let t = db.tenant("agency");
    let sms = |fields: NewCustomer| NewCustomer {
        consent: crm_core::Consent {
            sms: Some(chrono::Utc::now()),
            email: None,
        },
        ..fields
    };
    let create = |fields| t.create_customer(&actor(), fields).unwrap();
    // A mobile typed one pair short: it fits no plan; so does a landline without its area code.
    let short = create(sms(NewCustomer {
        secondary_phones: vec!["36 08 07".into()],
        ..with_mobile(customer("Jean", "Dupont"), "06 12 34 56")
    }));
    assert_eq!(short.secondary_phones[0].e164, None);
    let twin = create(sms(with_mobile(customer("Jean", "Dupond"), "06 12 34 56")));
    let mobile = short.mobile.clone().unwrap();
    assert_eq!((mobile.typed.as_str(), mobile.e164), ("06 12 34 56", None));
    // The same two people with a number that fits: a likely duplicate through the phone.
    let full = create(sms(with_mobile(
        customer("Marc", "Petit"),
        "06 98 76 54 32",
    )));
    let full_twin = create(sms(with_mobile(
        customer("Marc", "Petitt"),
        "06 98 76 54 32",
    )));
    let matches = t.duplicates_of(&full.id, &MatchConfig::default()).unwrap();
    assert_eq!(matches.len(), 1);
    assert_eq!(matches[0].customer_id, full_twin.id);
    assert!(
        matches[0]
            .contributions
            .iter()
            .any(|c| (c.field, c.level) == (MatchField::Phone, MatchLevel::Same))
    );
    // The unverified number is never the same phone; typed alike it is the same subscriber
    // digits, which with a name one letter apart makes a likely duplicate.
    let matches = t.duplicates_of(&short.id, &MatchConfig::default()).unwrap();
    assert!(
        matches.iter().all(|m| !m
            .contributions
            .iter()
            .any(|c| (c.field, c.level) == (MatchField::Phone, MatchLevel::Same))),
        "{matches:?}"
    );
    let found = matches.iter().find(|m| m.customer_id == twin.id).unwrap();
    assert!(
        found
            .contributions
            .iter()
            .any(|c| (c.field, c.level) == (MatchField::Phone, MatchLevel::SameSubscriber))
    );
    let clusters = t.find_duplicates(&Default::default(), |_, _| {}).unwrap();
    let in_clusters: Vec<CustomerId> = clusters.iter().flat_map(|c| c.customers.clone()).collect();
    assert_eq!(
        sorted(in_clusters),
        sorted(vec![full.id, full_twin.id, short.id, twin.id])
    );
    // Never texted: SMS outreach skips it for want of an address.
    let outreach = t.outreach(&CustomerQuery::all(), Channel::Sms).unwrap();
    let texted: Vec<CustomerId> = outreach.recipients.iter().map(|r| r.customer_id).collect();
    assert_eq!(sorted(texted), sorted(vec![full.id, full_twin.id]));
    assert_eq!(outreach.skipped.no_address, 2);
    // Shown as typed, exported as typed, found by its digits.
    assert_eq!(
        t.get_customer(&short.id).unwrap().mobile.unwrap().typed,
        "06 12 34 56"
    );
    let mut csv = Vec::new();
    t.export_csv(
        &ExportOptions::all().columns([ExportColumn::LastName, ExportColumn::Mobile]),
        &mut csv,
        |_, _| {},
    )
    .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("Dupont,06 12 34 56"), "{csv}");
    assert_eq!(hits(&t, "06 12 34 56"), sorted(vec![short.id, twin.id]));
    assert_eq!(hits(&t, "3456"), sorted(vec![short.id, twin.id]));
    // Past six digits: the range of whole forms, from the start and from the end.
    assert_eq!(hits(&t, "06 12 34 5"), sorted(vec![short.id, twin.id]));
    assert_eq!(hits(&t, "6 12 34 56"), sorted(vec![short.id, twin.id]));
    assert!(hits(&t, "06 12 34 57").is_empty());
    assert_eq!(hits(&t, "36 08 07"), vec![short.id]);
    db.crm.reindex(|_, _| {}).unwrap();
    assert_eq!(hits(&t, "36 08 07"), vec![short.id], "after a rebuild too");
    assert_eq!(hits(&t, "06 12 34 56"), sorted(vec![short.id, twin.id]));
    // Text that is no phone number at all is refused, naming the field.
    assert_invalid(
        t.create_customer(&actor(), with_mobile(customer("A", "B"), "call me")),
        "mobile",
    );
}

#[test]
fn plus_country_finds_that_countrys_numbers_and_national_digits_find_theirs() {
    let db = open();
    let t = db.tenant("agency");
    let create = |fields| t.create_customer(&actor(), fields).unwrap().id;
    let french = create(with_mobile(
        living_in("Zoé", "Moreau", Some("FR")),
        "06 12 34 56 78",
    ));
    let german = create(with_mobile(
        living_in("Jörg", "Keller", Some("DE")),
        "0151 25642510",
    ));
    // A US number whose national form starts with the digits 33.
    let american = create(with_mobile(
        living_in("Amy", "Lee", Some("US")),
        "(330) 555-0123",
    ));
    let unverified = create(with_mobile(living_in("Ana", "Ruiz", None), "0151 2564251"));
    assert_eq!(hits(&t, "+33"), vec![french]);
    assert_eq!(hits(&t, "0033"), vec![french]);
    assert_eq!(hits(&t, "+49 151"), vec![german]);
    assert_eq!(hits(&t, "0151"), sorted(vec![german, unverified]));
    assert_eq!(hits(&t, "+1 330"), vec![american]);
    assert_eq!(hits(&t, "330 555"), vec![american]);
    let phone_filter = |typed: &str| {
        let mut ids: Vec<_> = t
            .search(&CustomerQuery::all().phone(typed))
            .unwrap()
            .items
            .into_iter()
            .map(|h| h.id)
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(phone_filter("+33"), vec![french]);
    assert_eq!(phone_filter("0151"), sorted(vec![german, unverified]));
}

fn tenant_with(db: &Db, id: &str, rule: NameRule) -> Tenant {
    let t = db.crm.tenant(id).unwrap();
    t.set_settings(
        &actor(),
        TenantSettings::with_region("FR").with_name_rule(rule),
    )
    .unwrap();
    t
}

#[test]
fn the_tenants_name_rule_holds_in_create_import_and_capture() {
    let db = open();
    // (first, last) -> the field refused under Both, Either, LastName (None: accepted).
    let cases = [
        (("", "Dupont"), [Some("first_name"), None, None]),
        (("Jean", ""), [Some("last_name"), None, Some("last_name")]),
        (
            ("", " "),
            [Some("first_name"), Some("last_name"), Some("last_name")],
        ),
        (("Jean", "Dupont"), [None, None, None]),
    ];
    let rules = [NameRule::Both, NameRule::Either, NameRule::LastName];
    for (r, rule) in rules.into_iter().enumerate() {
        let t = tenant_with(&db, rule.as_str(), rule);
        assert_eq!(t.settings().unwrap().name_rule, rule);
        for ((first, last), refused) in cases {
            let fields = customer(first, last);
            match refused[r] {
                Some(field) => {
                    assert_invalid(t.create_customer(&actor(), fields.clone()), field);
                    let captured = t.capture_booking(
                        &actor(),
                        fields,
                        booking(&format!("C-{first}-{last}"), "2026-07-14T08:30:00+02:00"),
                    );
                    assert_invalid(captured, field);
                }
                None => {
                    let c = t.create_customer(&actor(), fields.clone()).unwrap();
                    assert_eq!((c.first_name.as_str(), c.last_name.as_str()), (first, last));
                    assert_eq!(c.full_name(), format!("{first} {last}").trim());
                    t.capture_booking(
                        &actor(),
                        fields,
                        booking(&format!("C-{first}-{last}"), "2026-07-14T08:30:00+02:00"),
                    )
                    .unwrap();
                }
            }
        }
        // The same records in a file: the rows the rule accepts are created, the others
        // reported with the field.
        let csv = "first_name,last_name,email\n,Martin,m@example.com\nLouis,,l@example.com\n,,n@example.com\nAnne,Roux,a@example.com\n";
        let report = t
            .import_csv(
                &actor(),
                csv.as_bytes(),
                &ImportOptions::new().match_on(crm_core::ImportMatch::None),
                |_, _| true,
            )
            .unwrap();
        let expected = [1, 3, 2][r];
        assert_eq!(report.created, expected, "{rule}: {report:?}");
        assert_eq!(report.failed, 4 - expected, "{rule}");
    }
}

#[test]
fn a_customer_with_one_name_shows_sorts_merges_and_captures_sensibly() {
    let db = open();
    let t = tenant_with(&db, "agency", NameRule::Either);
    let create =
        |first: &str, last: &str| t.create_customer(&actor(), customer(first, last)).unwrap();
    let young = create("Ann", "Young");
    let zoe = create("Zoé", "");
    let zola = create("Émile", "Zola");
    let adam = create("", "Adam");
    assert_eq!(zoe.full_name(), "Zoé");
    assert_eq!(adam.full_name(), "Adam");
    let by_name: Vec<CustomerId> = all_rows(&t, CustomerListQuery::new(CustomerSort::Name))
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(by_name, vec![adam.id, young.id, zoe.id, zola.id]);
    let searched: Vec<CustomerId> = t
        .search(&CustomerQuery::all().sort(crm_core::SearchSort::Name))
        .unwrap()
        .items
        .into_iter()
        .map(|h| h.id)
        .collect();
    assert_eq!(searched, by_name);
    assert_eq!(hits(&t, "zoe"), vec![zoe.id]);
    // A capture with only a last name keeps the stored first name.
    let mut with_email = zola.edit();
    with_email.email = Some("emile@example.com".into());
    t.update_customer(&actor(), &zola.id, zola.version, with_email)
        .unwrap();
    let captured = t
        .capture_booking(
            &actor(),
            customer_with_email("", "Zola", "emile@example.com"),
            booking("BK-Z", "2026-07-14T08:30:00+02:00"),
        )
        .unwrap();
    assert_eq!(captured.customer.id, zola.id);
    assert_eq!(captured.customer.first_name, "Émile");
    // Under the rule "both", a merge that would take the empty first name is refused.
    let dupont = create("", "Dupont");
    let jean = create("Jean", "Dupont");
    t.set_settings(
        &actor(),
        TenantSettings::with_region("FR").with_name_rule(NameRule::Both),
    )
    .unwrap();
    let take_empty =
        MergeRequest::new(jean.id, vec![dupont.id]).choose(MergeField::FirstName, dupont.id);
    assert_invalid(t.merge(&actor(), &take_empty), "first_name");
    // By default the merge keeps the first name there is.
    let merged = t
        .merge(&actor(), &MergeRequest::new(dupont.id, vec![jean.id]))
        .unwrap();
    assert_eq!(merged.customer.full_name(), "Jean Dupont");
}

#[test]
fn name_rules_are_per_tenant() {
    let db = open();
    let loose = tenant_with(&db, "loose", NameRule::Either);
    let strict = db.tenant("strict");
    assert_eq!(strict.settings().unwrap().name_rule, NameRule::Both);
    loose
        .create_customer(&actor(), customer("", "Dupont"))
        .unwrap();
    assert_invalid(
        strict.create_customer(&actor(), customer("", "Dupont")),
        "first_name",
    );
    assert_eq!(count_customers(&strict), 0);
    // The settings event of one tenant is not in the other's feed.
    assert!(
        all_changes(&strict)
            .iter()
            .all(|e| !e.fields.contains(&"name_rule".to_owned()))
    );
}

/// A file of the previous schema, whose national numbers were read in the tenant's region
/// whatever the customer's country, and stored whatever their length.
#[test]
fn a_file_of_the_previous_schema_gets_its_phones_read_again() {
    let db = open_sqlite();
    let t = db.tenant("agency"); // FR
    let other = db.tenant("other"); // FR too: its misread phone is fixed alike, in its feed
    let create = |t: &Tenant, fields| t.create_customer(&actor(), fields).unwrap();
    let german = create(
        &t,
        with_mobile(living_in("Jörg", "Keller", Some("DE")), "0170 1234567"),
    );
    let american = create(
        &t,
        NewCustomer {
            phone: Some("(212) 555-0123".into()),
            ..living_in("Amy", "Lee", Some("US"))
        },
    );
    let british = create(
        &t,
        NewCustomer {
            secondary_phones: vec!["07400 123456".into()],
            ..living_in("Tom", "Hardy", Some("GB"))
        },
    );
    let french = create(
        &t,
        with_mobile(living_in("Zoé", "Moreau", Some("FR")), "06 12 34 56 78"),
    );
    let elsewhere = create(
        &other,
        with_mobile(living_in("Jan", "Smit", Some("NL")), "06 12345678"),
    );
    // Without a country: read in the tenant's region of the time (FR), which changed since.
    let stayed = create(
        &t,
        with_mobile(living_in("Paul", "Roux", None), "06 98 76 54 32"),
    );
    let impossible = create(
        &t,
        with_mobile(living_in("Luc", "Blanc", None), "0151 2564251"),
    );
    let extension = create(
        &t,
        with_mobile(living_in("Eva", "Noir", Some("FR")), "06 11 22 33 44"),
    );
    t.set_settings(&actor(), TenantSettings::with_region("DE"))
        .unwrap();
    let last_seq = last_seq(&t);
    let path = db.path.clone();
    let dir = db.dir;
    drop((t, other, db.crm));
    {
        // What the earlier version stored: every national number read in FR.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "UPDATE customers SET mobile_e164 = '+331701234567' WHERE first_name = 'Jörg';
             UPDATE customers SET phone_e164 = '+332125550123' WHERE first_name = 'Amy';
             UPDATE customer_contacts SET match_key = '+337400123456' WHERE typed = '07400 123456';
             UPDATE customers SET mobile_e164 = '+33612345678' WHERE first_name = 'Jan';
             UPDATE customers SET mobile_e164 = '+331512564251' WHERE first_name = 'Luc';
             UPDATE customers SET mobile = '06 11 22 33 44 ext. 5' WHERE first_name = 'Eva';
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
             PRAGMA user_version = 6;",
        )
        .unwrap();
    }
    let crm = crm_core::Crm::open(&path).unwrap();
    let t = crm.tenant("agency").unwrap();
    let other = crm.tenant("other").unwrap();
    assert_eq!(t.settings().unwrap().name_rule, NameRule::Both);
    let got = |id| t.get_customer(id).unwrap();
    assert_eq!(
        got(&german.id).mobile.unwrap().e164.as_deref(),
        Some("+491701234567")
    );
    assert_eq!(
        got(&american.id).phone.unwrap().e164.as_deref(),
        Some("+12125550123")
    );
    assert_eq!(
        got(&british.id).secondary_phones[0].e164.as_deref(),
        Some("+447400123456")
    );
    assert_eq!(got(&french.id), french, "a right reading is left alone");
    assert_eq!(
        got(&stayed.id),
        stayed,
        "without a country, a valid reading stays whatever the region now"
    );
    assert_eq!(
        got(&impossible.id).mobile.unwrap().e164,
        None,
        "no such number"
    );
    let eva = got(&extension.id);
    assert_eq!(
        (eva.mobile.as_ref().unwrap().typed.as_str(), eva.version),
        ("06 11 22 33 44 ext. 5", extension.version),
        "a value no longer taken as a phone keeps its reading"
    );
    assert_eq!(eva.mobile.unwrap().e164.as_deref(), Some("+33611223344"));
    assert_eq!(
        other
            .get_customer(&elsewhere.id)
            .unwrap()
            .mobile
            .unwrap()
            .e164
            .as_deref(),
        Some("+31612345678")
    );
    // Each fixed customer has a new version and an event naming the fields, by the migration.
    assert_eq!(got(&german.id).version, german.version + 1);
    let events = changes_after(&t, last_seq);
    let fixed: Vec<(CustomerId, Vec<String>)> = events
        .iter()
        .map(|e| (e.customer_id.unwrap(), e.fields.clone()))
        .collect();
    assert_eq!(fixed.len(), 4, "{events:?}");
    for (id, field) in [
        (german.id, "mobile"),
        (american.id, "phone"),
        (british.id, "secondary_phones"),
        (impossible.id, "mobile"),
    ] {
        assert!(
            fixed.contains(&(id, vec![field.to_owned()])),
            "{id}: {fixed:?}"
        );
    }
    assert!(
        events
            .iter()
            .all(|e| e.actor == Actor::new("crm:phone-migration", Role::System))
    );
    // The index follows: `+33` finds the French numbers only, national digits the German.
    assert_eq!(
        hits(&t, "+33"),
        sorted(vec![french.id, stayed.id, extension.id])
    );
    assert_eq!(hits(&t, "0170"), vec![german.id]);
    assert_eq!(hits(&t, "+1 212"), vec![american.id]);
    drop((t, other, crm));
    // Opening again changes nothing more.
    let crm = crm_core::Crm::open(&path).unwrap();
    let t = crm.tenant("agency").unwrap();
    assert_eq!(changes_after(&t, last_seq).len(), 4);
    drop(dir);
}

/// Flags the rows of `csv` imported into `t` in batches of two: row number -> the customers
/// each was flagged against.
fn flagged(t: &Tenant, csv: &str) -> Vec<(u64, Vec<CustomerId>)> {
    let report = t
        .import_csv(
            &actor(),
            csv.as_bytes(),
            &ImportOptions::new()
                .match_on(crm_core::ImportMatch::None)
                .batch_size(2)
                .flag_duplicates(Some(MatchConfig::default())),
            |_, _| true,
        )
        .unwrap();
    assert_eq!(report.failed, 0, "{report:?}");
    report
        .flagged
        .iter()
        .map(|f| {
            (
                f.row,
                sorted(f.matches.iter().map(|m| m.customer_id).collect()),
            )
        })
        .collect()
}

/// The ids of the customers the rows of a report created, by row.
fn created_by_row(t: &Tenant, first_no: i64, rows: u64) -> Vec<CustomerId> {
    (0..rows as i64)
        .map(|i| t.get_customer_by_no(first_no + i).unwrap().id)
        .collect()
}

const FLAGGED_FILE: &str = "first_name,last_name,email,mobile\n\
    Hélène,Dupont,helene.dupont@example.fr,\n\
    Marc,Petit,marc@example.com,06 98 76 54 32\n\
    Zoé,Moreau,zoe@example.fr,\n\
    Marc,Petitt,,06 98 76 54 32\n\
    Zoé,Moreau,zoe@example.fr,\n";

/// Rows 2, 5 and 6 of [`FLAGGED_FILE`] are flagged: row 2 resembles a stored customer, rows 5 and
/// 6 an earlier row of the file (rows 3 and 4, in another batch of two).
fn assert_flagged(t: &Tenant, stored: CustomerId, first_no: i64) {
    let flags = flagged(t, FLAGGED_FILE);
    let rows = created_by_row(t, first_no, 5);
    assert_eq!(
        flags,
        vec![(2, vec![stored]), (5, vec![rows[1]]), (6, vec![rows[2]]),],
        "rows: {rows:?}"
    );
}

/// The stored customer row 2 of [`FLAGGED_FILE`] resembles.
fn stored_helene(t: &Tenant) -> crm_core::Customer {
    t.create_customer(
        &actor(),
        customer_with_email("Helene", "Dupont", "Helene.Dupont@example.fr"),
    )
    .unwrap()
}

#[test]
fn the_flagging_of_a_batch_finds_duplicates_in_the_store_and_earlier_in_the_file() {
    let db = open();
    let t = db.tenant("agency");
    let stored = stored_helene(&t);
    assert_flagged(&t, stored.id, 2);
}

/// A store too large to read for a small file: its candidates come from the search index, the
/// file's own rows from the blocks.
#[test]
fn a_small_file_into_a_large_store_is_flagged_alike() {
    let db = open();
    let t = db.tenant("agency");
    let stored = stored_helene(&t);
    let others: Vec<NewCustomer> = (0..2_100)
        .map(|i| customer(&format!("Person{i}"), &format!("Number{i}")))
        .collect();
    t.create_customers(&actor(), others).unwrap();
    assert_flagged(&t, stored.id, 2_102);
}

/// A row that updates a stored customer gives it contacts a later row can be flagged against,
/// and a row may name the customer no. an earlier row of its batch is about to get.
#[test]
fn rows_see_what_earlier_rows_of_their_batch_did() {
    let db = open();
    let t = db.tenant("agency");
    let stored = t
        .create_customer(
            &actor(),
            customer_with_email("Marc", "Petit", "marc@example.com"),
        )
        .unwrap();
    let csv = "first_name,last_name,email,mobile\n\
        Marc,Petit,marc@example.com,06 98 76 54 32\n\
        Marc,Petitt,other@example.com,06 98 76 54 32\n";
    let report = t
        .import_csv(
            &actor(),
            csv.as_bytes(),
            &ImportOptions::new().flag_duplicates(Some(MatchConfig::default())),
            |_, _| true,
        )
        .unwrap();
    assert_eq!((report.updated, report.created), (1, 1), "{report:?}");
    assert_eq!(report.flagged.len(), 1);
    assert_eq!(report.flagged[0].row, 3);
    assert_eq!(report.flagged[0].matches[0].customer_id, stored.id);
    assert!(
        report.flagged[0].matches[0]
            .contributions
            .iter()
            .any(|c| (c.field, c.level) == (MatchField::Phone, MatchLevel::Same))
    );

    // Matched on customer no.: the first row creates no. 3, the second updates it.
    let csv = "customer_no,first_name,last_name,city\n,Anne,Roux,Lyon\n3,Anne,Roux,Paris\n";
    let report = t
        .import_csv(
            &actor(),
            csv.as_bytes(),
            &ImportOptions::new().match_on(crm_core::ImportMatch::CustomerNo),
            |_, _| true,
        )
        .unwrap();
    assert_eq!((report.created, report.updated), (1, 1), "{report:?}");
    let anne = t.get_customer_by_no(3).unwrap();
    assert_eq!(anne.address.city.as_deref(), Some("Paris"));
}
