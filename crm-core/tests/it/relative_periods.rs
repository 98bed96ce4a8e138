//! Relative periods ("departing in the next 7 days", "no booking for more than 12 months",
//! "created today"), read on the tenant's local day in its time zone, in searches, saved
//! searches, outreach and exports.
#![allow(clippy::unwrap_used)]

use crate::common;

use chrono::{Duration, NaiveDate, Utc};
use common::*;
use crm_core::{
    Channel, Consent, Customer, CustomerId, CustomerQuery, PeriodUnit, RelativePeriod,
    SearchPeriod, Tenant, TenantSettings,
};

/// The tenant's local day now, in `zone`.
fn today_in(zone: &str) -> NaiveDate {
    let tz: chrono_tz::Tz = zone.parse().unwrap();
    Utc::now().with_timezone(&tz).date_naive()
}

/// Runs `check` with the local day of `zone`; again if that day turned while it ran, so that a
/// run across local midnight cannot fail it.
fn on_one_day(zone: &str, mut check: impl FnMut(NaiveDate) -> bool) {
    for _ in 0..3 {
        let day = today_in(zone);
        let passed = check(day);
        if today_in(zone) == day {
            assert!(passed, "the check failed on {day} in {zone}");
            return;
        }
    }
    panic!("the local day kept turning");
}

fn ids(t: &Tenant, q: &CustomerQuery) -> Vec<CustomerId> {
    let mut ids: Vec<CustomerId> = t.search(q).unwrap().items.iter().map(|r| r.id).collect();
    ids.sort();
    ids
}

fn sorted(customers: &[&Customer]) -> Vec<CustomerId> {
    let mut ids: Vec<CustomerId> = customers.iter().map(|c| c.id).collect();
    ids.sort();
    ids
}

/// A pickup at 10:00 local time on `day` at UTC+14.
fn pickup(day: NaiveDate) -> String {
    format!("{day}T10:00:00+14:00")
}

fn within(period: SearchPeriod, text: &str) -> CustomerQuery {
    CustomerQuery::all().within(period, text.parse().unwrap())
}

#[test]
fn relative_periods_are_read_on_the_tenant_day() {
    let zone = "Pacific/Kiritimati";
    let db = open();
    let t = db.tenant("agency");
    t.set_settings(&actor(), TenantSettings::default().with_time_zone(zone))
        .unwrap();
    assert_eq!(t.settings().unwrap().time_zone.as_deref(), Some(zone));
    let today = today_in(zone);
    let soon = t
        .create_customer(&actor(), customer("Soon", "Away"))
        .unwrap();
    let later = t
        .create_customer(&actor(), customer("Later", "Away"))
        .unwrap();
    let lapsed = t
        .create_customer(&actor(), customer("Lapsed", "Away"))
        .unwrap();
    let recent = t
        .create_customer(&actor(), customer("Recent", "Away"))
        .unwrap();
    let days = |n: i64| today + Duration::days(n);
    t.upsert_booking(&actor(), booking_for("R-1", &pickup(days(3)), &soon))
        .unwrap();
    t.upsert_booking(&actor(), booking_for("R-2", &pickup(days(10)), &later))
        .unwrap();
    t.upsert_booking(&actor(), booking_for("R-3", &pickup(days(-400)), &lapsed))
        .unwrap();
    t.upsert_booking(&actor(), booking_for("R-4", &pickup(days(-30)), &recent))
        .unwrap();

    on_one_day(zone, |_| {
        ids(&t, &within(SearchPeriod::Departure, "next 7 days")) == sorted(&[&soon])
            && ids(&t, &within(SearchPeriod::Departure, "next 2 weeks")) == sorted(&[&soon, &later])
            && ids(
                &t,
                &within(SearchPeriod::Departure, "more than 7 days ahead"),
            ) == sorted(&[&later])
            && ids(
                &t,
                &within(SearchPeriod::LastBooking, "more than 12 months ago"),
            ) == sorted(&[&lapsed])
            && ids(&t, &within(SearchPeriod::LastBooking, "last 12 months")) == sorted(&[&recent])
            && ids(&t, &within(SearchPeriod::Created, "today"))
                == sorted(&[&soon, &later, &lapsed, &recent])
            && ids(&t, &within(SearchPeriod::Created, "yesterday")).is_empty()
            && ids(&t, &within(SearchPeriod::Created, "this month")).len() == 4
    });
    // Relative and absolute filters combine like any others.
    on_one_day(zone, |today| {
        let q = within(SearchPeriod::Departure, "next 30 days")
            .departure_between(Some(today + Duration::days(5)), None);
        ids(&t, &q) == sorted(&[&later])
    });
}

#[test]
fn each_tenant_reads_its_own_day() {
    // UTC+14 and UTC-11: their local days are never the same.
    let db = open();
    let east = db.tenant("east");
    let west = db.tenant("west");
    east.set_settings(
        &actor(),
        TenantSettings::default().with_time_zone("Pacific/Kiritimati"),
    )
    .unwrap();
    west.set_settings(
        &actor(),
        TenantSettings::default().with_time_zone("Pacific/Pago_Pago"),
    )
    .unwrap();
    on_one_day("Pacific/Kiritimati", |east_today| {
        let reference = format!("E-{east_today}");
        for (t, name) in [(&east, "East"), (&west, "West")] {
            let c = t
                .create_customer(&actor(), customer(name, "Today"))
                .unwrap();
            // A pickup on east's today, as a local date at the pickup place.
            t.upsert_booking(&actor(), booking_for(&reference, &pickup(east_today), &c))
                .unwrap();
        }
        let today = within(SearchPeriod::Departure, "today");
        east.search(&today).unwrap().total >= 1 && west.search(&today).unwrap().total == 0
    });
    // West's tomorrow or the day after is east's today; neither tenant sees the other's.
    let q = within(SearchPeriod::Departure, "next 3 days");
    let west_rows = west.search(&q).unwrap();
    assert!(west_rows.total >= 1);
    assert!(west_rows.items.iter().all(|r| r.first_name == "West"));
    let east_rows = east.search(&q).unwrap();
    assert!(east_rows.items.iter().all(|r| r.first_name == "East"));
}

#[test]
fn a_saved_search_stays_relative_and_outreach_and_exports_read_it_at_each_run() {
    let db = open();
    let t = db.tenant("agency");
    let today = today_in("UTC");
    let consent = Consent {
        email: Some("2026-01-01T00:00:00Z".parse().unwrap()),
        sms: None,
    };
    let soon = t
        .create_customer(
            &actor(),
            crm_core::NewCustomer {
                consent,
                ..customer_with_email("Soon", "Away", "soon@example.com")
            },
        )
        .unwrap();
    let later = t
        .create_customer(
            &actor(),
            crm_core::NewCustomer {
                consent,
                ..customer_with_email("Later", "Away", "later@example.com")
            },
        )
        .unwrap();
    let at = |n: i64| format!("{}T12:00:00Z", today + Duration::days(n));
    t.upsert_booking(&actor(), booking_for("S-1", &at(2), &soon))
        .unwrap();
    t.upsert_booking(&actor(), booking_for("S-2", &at(20), &later))
        .unwrap();

    let query = CustomerQuery::all().within(
        SearchPeriod::Departure,
        RelativePeriod::Next(7, PeriodUnit::Day),
    );
    let saved = t.save_search(&actor(), "Departing soon", &query).unwrap();
    // Kept relative: the stored query is the one given, its period by its text.
    let stored = t.get_saved_search(&saved.id).unwrap();
    assert_eq!(stored.query, query);
    let json = serde_json::to_string(&stored.query).unwrap();
    assert!(json.contains("next 7 days"), "{json}");

    on_one_day("UTC", |_| {
        let run = t.run_saved(&actor(), &saved.id, None).unwrap();
        let outreach = t.outreach(&stored.query, Channel::Email).unwrap();
        let mut csv = Vec::new();
        let options = crm_core::ExportOptions::all()
            .columns(vec![crm_core::ExportColumn::Email])
            .query(stored.query.clone());
        let n = t.export_csv(&options, &mut csv, |_, _| {}).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        run.total == 1
            && outreach.recipients.len() == 1
            && outreach.recipients[0].customer_id == soon.id
            && n == 1
            && csv.contains("soon@example.com")
            && !csv.contains("later@example.com")
    });
    // Another tenant has neither the search nor its customers.
    let other = db.tenant("other");
    assert!(other.saved_searches().unwrap().is_empty());
    assert_eq!(other.search(&query).unwrap().total, 0);
    let _ = later;
}

#[test]
fn a_time_zone_must_be_an_iana_name() {
    let db = open();
    let t = db.tenant("agency");
    for bad in ["Paris", "UTC+2", "Europe/Atlantis"] {
        assert_invalid(
            t.set_settings(&actor(), TenantSettings::default().with_time_zone(bad)),
            "time_zone",
        );
    }
    assert_eq!(t.settings().unwrap().time_zone, None);
    // Blank: none (UTC).
    t.set_settings(&actor(), TenantSettings::default().with_time_zone("  "))
        .unwrap();
    assert_eq!(t.settings().unwrap().time_zone, None);
    // A period built in Rust out of bounds is refused when saved or searched, naming it.
    let bad = CustomerQuery::all().within(
        SearchPeriod::Departure,
        RelativePeriod::Next(0, PeriodUnit::Day),
    );
    assert_invalid(t.save_search(&actor(), "Never", &bad), "departure_in");
    assert_invalid(t.search(&bad), "departure_in");
    assert!(t.saved_searches().unwrap().is_empty());
    // The period's text is checked where it is read.
    assert_eq!(
        "next 0 days".parse::<RelativePeriod>().unwrap_err().field(),
        Some("period")
    );
}
