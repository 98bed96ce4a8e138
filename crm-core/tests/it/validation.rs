//! Every validation rule rejects with `ErrorKind::Validation` naming the field, and a rejected
//! call writes nothing: the customer count and the change feed are unchanged.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate, Utc};
use common::*;
use crm_core::limits::{
    MAX_CUSTOM_FIELDS, MAX_CUSTOM_KEY_CHARS, MAX_CUSTOM_VALUE_CHARS, MAX_ID_CHARS, MAX_LISTS,
    MAX_NAME_CHARS, MAX_NOTES_CHARS, MAX_PAGE, MAX_SECONDARY_CONTACTS, MAX_TEXT_CHARS,
};
use crm_core::{
    Actor, Address, Crm, Cursor, Customer, CustomerListQuery, CustomerSort, ErrorKind, NewBooking,
    NewCustomer, Role, Tenant, TenantSettings,
};

/// What a rejected call must leave as it was.
#[derive(Debug, PartialEq)]
struct Written {
    total: u64,
    changes: Vec<crm_core::ChangeEvent>,
    customers: Vec<Customer>,
}

fn written(t: &Tenant) -> Written {
    Written {
        total: count_customers(t),
        changes: t.changes_since(0, 10_000).unwrap(),
        customers: all_customers(t),
    }
}

/// A tenant holding one customer (with a booking) to update, and the state to compare against.
struct Fixture {
    _db: Db,
    t: Tenant,
    existing: Customer,
}

impl Fixture {
    fn new() -> Self {
        let db = open();
        let t = db.tenant("agency");
        let existing = t
            .create_customer(
                &actor(),
                customer_with_email("Hélène", "Dupont", "helene@example.fr"),
            )
            .unwrap();
        t.upsert_booking(
            &actor(),
            booking_for("BK-0", "2026-01-10T09:00:00+01:00", &existing),
        )
        .unwrap();
        Self {
            _db: db,
            t,
            existing,
        }
    }

    /// Asserts that creating `input`, updating the existing customer with it, validating it, and
    /// creating it at position 2 of a batch are each rejected on `field`, writing nothing.
    #[track_caller]
    fn rejects(&self, input: NewCustomer, field: &str) {
        let before = written(&self.t);
        assert_invalid(self.t.validate_customer(input.clone()), field);
        assert_invalid(self.t.create_customer(&actor(), input.clone()), field);
        assert_eq!(written(&self.t), before, "rejected create of {field} wrote");
        assert_invalid(
            self.t.update_customer(
                &actor(),
                &self.existing.id,
                self.existing.version,
                input.clone(),
            ),
            field,
        );
        assert_eq!(written(&self.t), before, "rejected update of {field} wrote");
        let batch = vec![
            customer("Zoé", "Moreau"),
            customer("Théo", "Girard"),
            input.clone(),
            customer("Léa", "Faure"),
        ];
        assert_invalid(
            self.t.create_customers(&actor(), batch),
            &format!("[2].{field}"),
        );
        assert_eq!(
            written(&self.t),
            before,
            "rejected batch with bad {field} wrote"
        );
        assert_invalid(
            self.t.capture_booking(
                &actor(),
                input,
                booking("BK-CAPTURE", "2026-05-01T09:00:00+02:00"),
            ),
            field,
        );
        assert_eq!(
            written(&self.t),
            before,
            "rejected capture of {field} wrote"
        );
        assert_kind(self.t.get_booking("BK-CAPTURE"), ErrorKind::NotFound);
    }

    /// Asserts that upserting `input`, upserting it at position 1 of a batch, and capturing it are
    /// each rejected on `field`, writing nothing.
    #[track_caller]
    fn rejects_booking(&self, input: NewBooking, field: &str) {
        let before = written(&self.t);
        let reference = input.reference.clone();
        let stored = self.t.get_booking(&reference).ok();
        assert_invalid(self.t.upsert_booking(&actor(), input.clone()), field);
        assert_eq!(written(&self.t), before, "rejected upsert of {field} wrote");
        let batch = vec![
            booking("BK-OK-1", "2026-05-01T09:00:00+02:00"),
            input.clone(),
            booking("BK-OK-2", "2026-05-02T09:00:00+02:00"),
        ];
        assert_invalid(
            self.t.upsert_bookings(&actor(), batch),
            &format!("[1].{field}"),
        );
        assert_eq!(
            written(&self.t),
            before,
            "rejected batch with bad {field} wrote"
        );
        assert_kind(self.t.get_booking("BK-OK-1"), ErrorKind::NotFound);
        assert_invalid(
            self.t.capture_booking(
                &actor(),
                customer_with_email("Noël", "Faure", "noel@example.fr"),
                input,
            ),
            field,
        );
        assert_eq!(
            written(&self.t),
            before,
            "rejected capture of {field} wrote"
        );
        assert_eq!(self.t.get_booking(&reference).ok(), stored);
    }
}

fn named(first: &str, last: &str) -> NewCustomer {
    customer(first, last)
}

#[test]
fn names_are_required() {
    let f = Fixture::new();
    f.rejects(named("", "Dupont"), "first_name");
    f.rejects(named("   ", "Dupont"), "first_name");
    f.rejects(named("Zoé", ""), "last_name");
    f.rejects(named("Zoé", " \t "), "last_name");
}

#[test]
fn names_are_bounded_and_free_of_control_characters() {
    let f = Fixture::new();
    f.rejects(
        named(&"é".repeat(MAX_NAME_CHARS + 1), "Dupont"),
        "first_name",
    );
    f.rejects(named("Zoé", &"王".repeat(MAX_NAME_CHARS + 1)), "last_name");
    f.rejects(named("Zo\u{0}é", "Dupont"), "first_name");
    f.rejects(named("Zoé", "Du\npont"), "last_name");
}

#[test]
fn names_are_trimmed_before_being_bounded() {
    let f = Fixture::new();
    let exact = "é".repeat(MAX_NAME_CHARS);
    let c =
        f.t.create_customer(&actor(), named(&format!("  {exact}  "), " Núñez\t"))
            .unwrap();
    assert_eq!(c.first_name, exact);
    assert_eq!(c.last_name, "Núñez");
    assert_eq!(f.t.get_customer(&c.id).unwrap().first_name, exact);
}

#[test]
fn email_syntax_is_checked() {
    let f = Fixture::new();
    for bad in [
        "Jean <jean@example.fr>",
        "jean@[192.168.0.1]",
        "jean@example",
        "jean@@example.fr",
        "nope",
        "jean@",
        "@example.fr",
        "jean dupont@example.fr",
        "jean@localhost",
    ] {
        f.rejects(
            NewCustomer {
                email: Some(bad.into()),
                ..named("Jean", "Dupont")
            },
            "email",
        );
    }
    f.rejects(
        NewCustomer {
            email: Some(format!("{}@example.fr", "a".repeat(250))),
            ..named("Jean", "Dupont")
        },
        "email",
    );
}

#[test]
fn each_phone_field_rejects_an_unparseable_number() {
    let f = Fixture::new();
    for bad in ["12", "abc", "not a number"] {
        f.rejects(
            NewCustomer {
                phone: Some(bad.into()),
                ..named("a", "b")
            },
            "phone",
        );
        f.rejects(
            NewCustomer {
                mobile: Some(bad.into()),
                ..named("a", "b")
            },
            "mobile",
        );
        f.rejects(
            NewCustomer {
                fax: Some(bad.into()),
                ..named("a", "b")
            },
            "fax",
        );
        f.rejects(
            NewCustomer {
                emergency_phone: Some(bad.into()),
                ..named("a", "b")
            },
            "emergency_phone",
        );
    }
    f.rejects(
        NewCustomer {
            mobile: Some("+33 6 12 34 56 78 99 99 99 99 99 99 99 99 99".into()),
            ..named("a", "b")
        },
        "mobile",
    );
}

#[test]
fn national_numbers_without_a_region_are_kept_unverified() {
    let db = open();
    let t = db.crm.tenant("no-region").unwrap();
    let input = NewCustomer {
        mobile: Some("06 12 34 56 78".into()),
        ..named("a", "b")
    };
    let kept = t.create_customer(&actor(), input).unwrap();
    let mobile = kept.mobile.unwrap();
    assert_eq!(mobile.typed, "06 12 34 56 78");
    assert_eq!(mobile.e164, None, "no region to read it in");
    assert!(!mobile.is_verified());
    let ok = NewCustomer {
        mobile: Some("+33 6 12 34 56 78".into()),
        ..named("a", "b")
    };
    assert_eq!(
        t.create_customer(&actor(), ok)
            .unwrap()
            .mobile
            .unwrap()
            .e164
            .as_deref(),
        Some("+33612345678")
    );
}

#[test]
fn secondary_emails_and_phones_are_checked_one_by_one() {
    let f = Fixture::new();
    f.rejects(
        NewCustomer {
            secondary_emails: vec!["ok@example.fr".into(), "bad".into()],
            ..named("a", "b")
        },
        "secondary_emails[1]",
    );
    f.rejects(
        NewCustomer {
            secondary_phones: vec!["bad".into()],
            ..named("a", "b")
        },
        "secondary_phones[0]",
    );
    f.rejects(
        NewCustomer {
            secondary_phones: vec![
                "+44 20 7946 0958".into(),
                "06 12 34 56 78".into(),
                "0".into(),
            ],
            ..named("a", "b")
        },
        "secondary_phones[2]",
    );
    f.rejects(
        NewCustomer {
            secondary_emails: (0..=MAX_SECONDARY_CONTACTS)
                .map(|i| format!("e{i}@example.fr"))
                .collect(),
            ..named("a", "b")
        },
        "secondary_emails",
    );
    f.rejects(
        NewCustomer {
            secondary_phones: (0..=MAX_SECONDARY_CONTACTS)
                .map(|i| format!("+33 6 12 34 56 {:02}", i))
                .collect(),
            ..named("a", "b")
        },
        "secondary_phones",
    );
}

#[test]
fn country_must_be_iso_alpha_2() {
    let f = Fixture::new();
    for bad in ["XX", "FRA", "France", "F", "1"] {
        f.rejects(
            NewCustomer {
                address: Address {
                    country: Some(bad.into()),
                    ..Default::default()
                },
                ..named("a", "b")
            },
            "address.country",
        );
    }
}

#[test]
fn address_parts_are_bounded() {
    let f = Fixture::new();
    f.rejects(
        NewCustomer {
            address: Address {
                city: Some("x".repeat(MAX_TEXT_CHARS + 1)),
                ..Default::default()
            },
            ..named("a", "b")
        },
        "address.city",
    );
    f.rejects(
        NewCustomer {
            address: Address {
                zip: Some("1".repeat(21)),
                ..Default::default()
            },
            ..named("a", "b")
        },
        "address.zip",
    );
    f.rejects(
        NewCustomer {
            company: Some("c".repeat(MAX_TEXT_CHARS + 1)),
            ..named("a", "b")
        },
        "company",
    );
}

#[test]
fn birth_date_must_not_be_in_the_future_nor_before_1850() {
    let f = Fixture::new();
    let tomorrow = Utc::now().date_naive() + Duration::days(2);
    f.rejects(
        NewCustomer {
            birth_date: Some(tomorrow),
            ..named("a", "b")
        },
        "birth_date",
    );
    f.rejects(
        NewCustomer {
            birth_date: NaiveDate::from_ymd_opt(1849, 12, 31),
            ..named("a", "b")
        },
        "birth_date",
    );
    let ok = NewCustomer {
        birth_date: NaiveDate::from_ymd_opt(1850, 1, 1),
        ..named("a", "b")
    };
    assert!(f.t.create_customer(&actor(), ok).is_ok());
}

#[test]
fn language_must_be_a_bcp47_tag() {
    let f = Fixture::new();
    for bad in ["not a tag!", "fr_FR!", "x"] {
        f.rejects(
            NewCustomer {
                language: Some(bad.into()),
                ..named("a", "b")
            },
            "language",
        );
    }
    let ok =
        f.t.create_customer(
            &actor(),
            NewCustomer {
                language: Some("de-CH".into()),
                ..named("a", "b")
            },
        )
        .unwrap();
    assert_eq!(ok.language.as_deref(), Some("de-CH"));
}

#[test]
fn custom_fields_are_bounded_in_count_and_size() {
    let f = Fixture::new();
    f.rejects(
        NewCustomer {
            custom_fields: (0..=MAX_CUSTOM_FIELDS)
                .map(|i| (format!("k{i}"), "v".into()))
                .collect(),
            ..named("a", "b")
        },
        "custom_fields",
    );
    f.rejects(
        NewCustomer {
            custom_fields: [("seat".to_string(), "w".repeat(MAX_CUSTOM_VALUE_CHARS + 1))].into(),
            ..named("a", "b")
        },
        "custom_fields.seat",
    );
    f.rejects(
        NewCustomer {
            custom_fields: [("k".repeat(MAX_CUSTOM_KEY_CHARS + 1), "v".to_string())].into(),
            ..named("a", "b")
        },
        "custom_fields",
    );
    f.rejects(
        NewCustomer {
            custom_fields: [(" ".to_string(), "v".to_string())].into(),
            ..named("a", "b")
        },
        "custom_fields",
    );
    // Names are trimmed, so two keys that differ only by spaces collide.
    f.rejects(
        NewCustomer {
            custom_fields: BTreeMap::from([
                ("seat".to_string(), "1".to_string()),
                (" seat ".to_string(), "2".to_string()),
            ]),
            ..named("a", "b")
        },
        "custom_fields.seat",
    );
    // At the bounds: accepted.
    let ok = NewCustomer {
        custom_fields: (0..MAX_CUSTOM_FIELDS)
            .map(|i| {
                (
                    format!("{i:0>width$}", width = MAX_CUSTOM_KEY_CHARS),
                    "é".repeat(MAX_CUSTOM_VALUE_CHARS),
                )
            })
            .collect(),
        ..named("a", "b")
    };
    let c = f.t.create_customer(&actor(), ok.clone()).unwrap();
    assert_eq!(
        f.t.get_customer(&c.id).unwrap().custom_fields,
        ok.custom_fields
    );
}

#[test]
fn lists_are_bounded() {
    let f = Fixture::new();
    f.rejects(
        NewCustomer {
            lists: (0..=MAX_LISTS)
                .map(|i| format!("list {i}"))
                .collect::<BTreeSet<_>>(),
            ..named("a", "b")
        },
        "lists",
    );
    f.rejects(
        NewCustomer {
            lists: BTreeSet::from(["  ".to_string()]),
            ..named("a", "b")
        },
        "lists",
    );
}

#[test]
fn notes_are_bounded_but_may_span_lines() {
    let f = Fixture::new();
    f.rejects(
        NewCustomer {
            notes: Some("x".repeat(MAX_NOTES_CHARS + 1)),
            ..named("a", "b")
        },
        "notes",
    );
    f.rejects(
        NewCustomer {
            notes: Some("bell\u{7}".into()),
            ..named("a", "b")
        },
        "notes",
    );
    let notes = format!(
        "Ligne 1\nLigne 2\r\n\tindentée {}",
        "é".repeat(MAX_NOTES_CHARS - 30)
    );
    let c =
        f.t.create_customer(
            &actor(),
            NewCustomer {
                notes: Some(notes.clone()),
                ..named("a", "b")
            },
        )
        .unwrap();
    assert_eq!(f.t.get_customer(&c.id).unwrap().notes, Some(notes));
}

#[test]
fn booking_reference_is_required_and_bounded() {
    let f = Fixture::new();
    f.rejects_booking(booking("", "2026-05-01T09:00:00+02:00"), "reference");
    f.rejects_booking(booking("   ", "2026-05-01T09:00:00+02:00"), "reference");
    f.rejects_booking(
        booking(&"R".repeat(MAX_ID_CHARS + 1), "2026-05-01T09:00:00+02:00"),
        "reference",
    );
    f.rejects_booking(booking("BK\n1", "2026-05-01T09:00:00+02:00"), "reference");
}

#[test]
fn booking_currency_must_be_iso_4217() {
    let f = Fixture::new();
    for bad in ["EURO", "XYZ", "", "€"] {
        let mut b = booking("BK-CUR", "2026-05-01T09:00:00+02:00");
        b.invoices = vec![invoice("F-1", 100, bad)];
        f.rejects_booking(b, "invoices[0].amount.currency");
    }
    let mut b = booking("BK-CUR", "2026-05-01T09:00:00+02:00");
    b.invoices = vec![invoice("  ", 100, "EUR")];
    f.rejects_booking(b, "invoices[0].number");
}

#[test]
fn booking_return_must_not_be_before_pickup() {
    let f = Fixture::new();
    let mut b = booking("BK-RET", "2026-05-01T09:00:00+02:00");
    // 08:30 in London is 09:30 in Paris: after pickup, fine; 06:59Z is before 07:00Z.
    b.return_at = Some(at("2026-05-01T06:59:59Z"));
    f.rejects_booking(b.clone(), "return_at");
    b.return_at = Some(at("2026-04-30T09:00:00+02:00"));
    f.rejects_booking(b.clone(), "return_at");
    b.return_at = Some(at("2026-05-01T08:30:00+01:00"));
    assert!(f.t.upsert_booking(&actor(), b).unwrap().created);
}

#[test]
fn booking_times_must_be_storable() {
    use chrono::{FixedOffset, TimeZone};
    let f = Fixture::new();
    f.rejects_booking(booking("BK-Y", "1899-12-31T23:59:59+00:00"), "pickup_at");
    f.rejects_booking(booking("BK-Y", "9999-12-31T23:30:00-01:00"), "pickup_at");
    let odd = FixedOffset::east_opt(-(3 * 3600 + 30 * 60 + 15)).unwrap();
    f.rejects_booking(
        NewBooking::new("BK-Y", odd.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).unwrap()),
        "pickup_at",
    );
    let mut b = booking("BK-Y", "2026-05-01T09:00:00+02:00");
    b.return_at = Some(odd.with_ymd_and_hms(2026, 5, 2, 9, 0, 0).unwrap());
    f.rejects_booking(b.clone(), "return_at");
    b.return_at = Some(
        Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0)
            .unwrap()
            .fixed_offset(),
    );
    f.rejects_booking(b, "return_at");
}

#[test]
fn consent_times_must_be_storable() {
    use chrono::TimeZone;
    let f = Fixture::new();
    let year = |y: i32| Some(Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).unwrap());
    f.rejects(
        NewCustomer {
            consent: crm_core::Consent {
                email: year(1899),
                sms: None,
            },
            ..named("a", "b")
        },
        "consent.email",
    );
    f.rejects(
        NewCustomer {
            consent: crm_core::Consent {
                email: None,
                sms: year(10_000),
            },
            ..named("a", "b")
        },
        "consent.sms",
    );
}

#[test]
fn booking_text_fields_are_bounded() {
    let f = Fixture::new();
    let mut b = booking("BK-TXT", "2026-05-01T09:00:00+02:00");
    b.route_from = "x".repeat(MAX_TEXT_CHARS + 1);
    f.rejects_booking(b, "route_from");
    let mut b = booking("BK-TXT", "2026-05-01T09:00:00+02:00");
    b.hotel = Some("h".repeat(MAX_TEXT_CHARS + 1));
    f.rejects_booking(b, "hotel");
}

#[test]
fn an_update_of_an_existing_booking_that_breaks_a_rule_changes_nothing() {
    let f = Fixture::new();
    let stored = f.t.get_booking("BK-0").unwrap();
    let mut b = booking_for("BK-0", "2026-01-10T09:00:00+01:00", &f.existing);
    b.return_at = Some(at("2026-01-09T09:00:00+01:00"));
    f.rejects_booking(b, "return_at");
    assert_eq!(f.t.get_booking("BK-0").unwrap(), stored);
}

#[test]
fn a_blank_or_oversized_actor_user_id_is_rejected_by_every_mutation() {
    let f = Fixture::new();
    f.t.upsert_booking(&actor(), booking("BK-1", "2026-05-01T09:00:00+02:00"))
        .unwrap();
    let before = written(&f.t);
    for bad in [
        Actor::new("", Role::Agent),
        Actor::new("  ", Role::System),
        Actor::new("u".repeat(MAX_ID_CHARS + 1), Role::Organisation),
    ] {
        let a = &bad;
        let e = &f.existing;
        assert_invalid(
            f.t.create_customer(a, named("Zoé", "Moreau")),
            "actor.user_id",
        );
        assert_invalid(
            f.t.create_customers(a, vec![named("Zoé", "Moreau")]),
            "actor.user_id",
        );
        assert_invalid(
            f.t.update_customer(a, &e.id, e.version, named("Zoé", "Moreau")),
            "actor.user_id",
        );
        assert_invalid(f.t.delete_customer(a, &e.id), "actor.user_id");
        assert_invalid(
            f.t.upsert_booking(a, booking("BK-9", "2026-05-01T09:00:00+02:00")),
            "actor.user_id",
        );
        assert_invalid(
            f.t.upsert_bookings(a, vec![booking("BK-9", "2026-05-01T09:00:00+02:00")]),
            "actor.user_id",
        );
        assert_invalid(f.t.link_booking(a, "BK-1", Some(&e.id)), "actor.user_id");
        assert_invalid(
            f.t.capture_booking(
                a,
                named("Zoé", "Moreau"),
                booking("BK-9", "2026-05-01T09:00:00+02:00"),
            ),
            "actor.user_id",
        );
        assert_invalid(
            f.t.set_settings(a, TenantSettings::with_region("DE")),
            "actor.user_id",
        );
        assert_eq!(written(&f.t), before);
        assert_eq!(
            f.t.settings().unwrap().default_region.as_deref(),
            Some("FR")
        );
    }
}

#[test]
fn a_malformed_tenant_id_is_rejected() {
    let db = open();
    for bad in ["", "a b", "agence-é", "x/y", &"t".repeat(MAX_ID_CHARS + 1)] {
        assert_invalid(db.crm.tenant(bad), "tenant");
    }
    assert!(db.crm.tenant(&"t".repeat(MAX_ID_CHARS)).is_ok());
    assert!(db.crm.tenant("agency_42.eu:lyon-1").is_ok());
    assert_invalid(Crm::open_in_memory().unwrap().tenant(" a"), "tenant");
}

#[test]
fn a_bad_default_region_is_rejected_and_keeps_the_old_one() {
    let f = Fixture::new();
    let before = written(&f.t);
    assert_invalid(
        f.t.set_settings(&actor(), TenantSettings::with_region("QQ")),
        "default_region",
    );
    assert_invalid(
        f.t.set_settings(&actor(), TenantSettings::with_region("FRA")),
        "default_region",
    );
    assert_eq!(written(&f.t), before);
    assert_eq!(
        f.t.settings().unwrap().default_region.as_deref(),
        Some("FR")
    );
}

#[test]
fn a_list_limit_out_of_range_is_rejected() {
    let f = Fixture::new();
    for sort in [
        CustomerSort::Name,
        CustomerSort::LastBooking,
        CustomerSort::CreatedAt,
    ] {
        assert_invalid(
            f.t.list_customers(&CustomerListQuery::new(sort).limit(0)),
            "limit",
        );
        assert_invalid(
            f.t.list_customers(&CustomerListQuery::new(sort).limit(MAX_PAGE + 1)),
            "limit",
        );
        assert!(
            f.t.list_customers(&CustomerListQuery::new(sort).limit(MAX_PAGE))
                .is_ok()
        );
        assert!(
            f.t.list_customers(&CustomerListQuery::new(sort).limit(1))
                .is_ok()
        );
    }
}

#[test]
fn a_change_feed_limit_out_of_range_is_rejected() {
    let f = Fixture::new();
    assert_invalid(f.t.changes_since(0, 0), "limit");
    assert_invalid(f.t.changes_since(0, 10_001), "limit");
    assert_eq!(f.t.changes_since(0, 1).unwrap().len(), 1);
}

#[test]
fn a_malformed_cursor_is_rejected() {
    for bad in [
        "",
        "garbage!",
        "bm90IGpzb24",
        "e30",
        "not base64 at all ***",
    ] {
        assert_invalid(Cursor::parse(bad), "cursor");
    }
    // A cursor that went through its text form works again.
    let f = Fixture::new();
    f.t.create_customer(&actor(), named("Zoé", "Moreau"))
        .unwrap();
    let query = CustomerListQuery::new(CustomerSort::Name).limit(1);
    let cursor = f.t.list_customers(&query).unwrap().next.unwrap();
    let parsed = Cursor::parse(cursor.as_str()).unwrap();
    assert_eq!(parsed, cursor);
    let page = f.t.list_customers(&query.after(parsed)).unwrap();
    assert_eq!(page.items.len(), 1);
}

#[test]
fn a_large_batch_is_checked_ahead_of_its_writes_and_still_all_or_nothing() {
    let f = Fixture::new();
    let before = written(&f.t);
    // A large batch is checked a chunk ahead of its writes: a bad record in a later chunk rolls
    // back the chunks already written, and the first bad record by position is the one named.
    let mut large: Vec<NewCustomer> = (0..3_500)
        .map(|i| named(&format!("L{i}"), "Large"))
        .collect();
    large[3_210].phone = Some("not a phone".into());
    large[2_999].email = Some("broken@".into());
    assert_invalid(
        f.t.create_customers(&actor(), large.clone()),
        "[2999].email",
    );
    assert_eq!(written(&f.t), before);
    large[2_999].email = None;
    assert_invalid(
        f.t.create_customers(&actor(), large.clone()),
        "[3210].phone",
    );
    assert_eq!(written(&f.t), before);
    large[3_210].phone = None;
    let created = f.t.create_customers(&actor(), large).unwrap();
    assert_eq!(created.len(), 3_500);
    let numbers: Vec<i64> = created.iter().map(|c| c.customer_no).collect();
    assert!(
        numbers.windows(2).all(|w| w[1] == w[0] + 1),
        "consecutive numbers in order"
    );
    assert_eq!(created[3_499].first_name, "L3499");
}

#[test]
fn a_malformed_customer_id_is_rejected() {
    for bad in [
        "",
        "42",
        "not-a-uuid",
        "0195d2a4-0000-7000-8000-00000000000",
    ] {
        let err = bad.parse::<crm_core::CustomerId>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
        assert_eq!(err.field(), Some("customer_id"));
    }
}

#[test]
fn a_batch_with_one_bad_record_writes_nothing_and_names_its_position() {
    let f = Fixture::new();
    let before = written(&f.t);
    let mut batch: Vec<NewCustomer> = (0..20).map(|i| named(&format!("P{i}"), "Batch")).collect();
    batch[13].email = Some("broken@".into());
    assert_invalid(f.t.create_customers(&actor(), batch), "[13].email");
    assert_eq!(written(&f.t), before);

    let mut bookings: Vec<NewBooking> = (0..10)
        .map(|i| {
            booking_for(
                &format!("BK-B{i}"),
                "2026-05-01T09:00:00+02:00",
                &f.existing,
            )
        })
        .collect();
    bookings[7].invoices = vec![invoice("F-7", 10, "ZZZ")];
    assert_invalid(
        f.t.upsert_bookings(&actor(), bookings),
        "[7].invoices[0].amount.currency",
    );
    assert_eq!(written(&f.t), before);
    assert_eq!(f.t.booking_history(&f.existing.id).unwrap().len(), 1);
    assert_eq!(f.t.customer_stats(&f.existing.id).unwrap().bookings, 1);
    // Customer numbers were not consumed by the failed batch.
    let next =
        f.t.create_customer(&actor(), named("Zoé", "Moreau"))
            .unwrap();
    assert_eq!(next.customer_no, f.existing.customer_no + 1);
}

#[test]
fn an_empty_batch_writes_nothing() {
    let f = Fixture::new();
    let before = written(&f.t);
    assert!(
        f.t.create_customers(&actor(), Vec::new())
            .unwrap()
            .is_empty()
    );
    assert_eq!(f.t.upsert_bookings(&actor(), Vec::new()).unwrap(), 0);
    assert_eq!(written(&f.t), before);
}

/// A lookup by a value holding control characters (a NUL, say), which no stored reference,
/// email or list name holds, is refused naming the field, on every store (PostgreSQL text
/// cannot even carry a NUL), and writes nothing.
#[test]
fn lookups_by_text_with_control_characters_are_refused_naming_the_field() {
    let db = open();
    let t = db.tenant("agency");
    let c = t
        .create_customer(&actor(), customer("Ana", "Núñez"))
        .unwrap();
    t.upsert_booking(
        &actor(),
        booking_for("BK-1", "2026-07-14T08:30:00+02:00", &c),
    )
    .unwrap();
    t.create_list(&actor(), "VIP").unwrap();
    let before = snapshot(&t, &["BK-1"]);
    assert_invalid(t.get_booking("BK-1\0"), "reference");
    assert_invalid(t.link_booking(&actor(), "BK\u{1}", None), "reference");
    assert_invalid(t.find_customers_by_email("a\0@b.example"), "email");
    assert_invalid(t.delete_list(&actor(), "VIP\0"), "list");
    assert_invalid(t.add_to_list(&actor(), "V\0", &[c.id]), "list");
    assert_invalid(t.remove_from_list(&actor(), "V\0", &[c.id]), "list");
    assert_eq!(snapshot(&t, &["BK-1"]), before);
    assert_eq!(t.get_booking("BK-1").unwrap().reference, "BK-1");
    // Whitespace around a value, line ends included, is trimmed as stored values are.
    assert_eq!(t.get_booking(" BK-1\r\n").unwrap().reference, "BK-1");
    assert_eq!(t.add_to_list(&actor(), "VIP\n", &[c.id]).unwrap(), 1);
}
