//! Search: every type-ahead matching rule with a customer that must match and one that must not,
//! typo ranking, filters, tenant isolation, read-your-writes, reopen and reindex.
#![allow(clippy::unwrap_used)]

use crate::common;

use chrono::NaiveDate;
use common::{actor, booking_for, customer, customer_with_email, open};
use crm_core::{BookingStatus, Crm, CustomerQuery, NewCustomer, SearchSort, Tenant};

fn names(t: &Tenant, q: CustomerQuery) -> Vec<String> {
    t.search(&q)
        .unwrap()
        .items
        .into_iter()
        .map(|r| format!("{} {}", r.first_name, r.last_name))
        .collect()
}

fn finds(t: &Tenant, text: &str) -> Vec<String> {
    let mut found = names(t, CustomerQuery::text(text).limit(100));
    found.sort();
    found
}

fn people(t: &Tenant) {
    let a = actor();
    for c in [
        NewCustomer {
            mobile: Some("+33 6 12 34 56 78".into()),
            company: Some("Voyages Lumière".into()),
            ..customer_with_email("Hélène", "Dupont", "Helene.Dupont@example.fr")
        },
        NewCustomer {
            phone: Some("04 72 00 11 22".into()),
            ..customer_with_email("Jürgen", "Müller", "jm@web.de")
        },
        customer_with_email("José", "Núñez", "jose.nunez@correo.es"),
        customer("Hector", "Lambert"),
        customer("Helmut", "Schmidt"),
        customer("Zoé", "Dupond"),
        customer("Łukasz", "Wiśniewski"),
    ] {
        t.create_customer(&a, c).unwrap();
    }
}

#[test]
fn words_match_as_folded_prefixes_in_any_order() {
    let db = open();
    let t = db.tenant("agency");
    people(&t);
    assert_eq!(finds(&t, "hel"), ["Helmut Schmidt", "Hélène Dupont"]);
    assert_eq!(finds(&t, "HÉLÈ"), ["Hélène Dupont"]);
    assert_eq!(finds(&t, "mull"), ["Jürgen Müller"]);
    assert_eq!(finds(&t, "nunez"), ["José Núñez"]);
    assert_eq!(finds(&t, "lukasz wisn"), ["Łukasz Wiśniewski"]);
    assert_eq!(finds(&t, "dupont hel"), ["Hélène Dupont"]);
    assert_eq!(finds(&t, "hel dupont"), ["Hélène Dupont"]);
    assert_eq!(finds(&t, "lumi"), ["Hélène Dupont"], "company");
    assert!(finds(&t, "xyz").is_empty());
    assert!(finds(&t, "ene").is_empty(), "infixes do not match");
}

#[test]
fn emails_match_whole_local_part_and_domain() {
    let db = open();
    let t = db.tenant("agency");
    people(&t);
    assert_eq!(finds(&t, "helene.dupont@exa"), ["Hélène Dupont"]);
    assert_eq!(finds(&t, "Helene.Dupont@Example.FR"), ["Hélène Dupont"]);
    assert_eq!(finds(&t, "web.de"), ["Jürgen Müller"]);
    assert_eq!(finds(&t, "correo"), ["José Núñez"]);
    assert!(finds(&t, "dupont@web").is_empty());
}

#[test]
fn phone_digits_match_in_any_format_and_by_last_digits() {
    let db = open();
    let t = db.tenant("agency");
    people(&t);
    for typed in [
        "0612",
        "06 12 34",
        "+33612",
        "33 6 12",
        "0033 6 12",
        "5678",
        "345678",
        // Past six digits, prefixes and last digits are ranges over the whole forms.
        "06 12 34 5",
        "06 12 34 56 78",
        "+33 6 12 34 56 78",
        "0033 6 12 34 5",
        "2345678",
        "612345678",
        "33612345678",
    ] {
        assert_eq!(finds(&t, typed), ["Hélène Dupont"], "{typed}");
    }
    assert_eq!(finds(&t, "04 72"), ["Jürgen Müller"]);
    assert!(finds(&t, "0699").is_empty());
    for typed in [
        "06 12 34 56 79",
        "0612345678 9",
        "+33 6 12 34 56 7 8 9",
        "9345678",
    ] {
        assert!(finds(&t, typed).is_empty(), "{typed}");
    }
    assert!(
        finds(&t, "678").is_empty(),
        "fewer than four last digits do not match"
    );
}

#[test]
fn typos_are_tolerated_and_ranked_below_exact_and_prefix() {
    let db = open();
    let t = db.tenant("agency");
    people(&t);
    // One typo from 5 characters: "dupomt" is one edit from Dupont, two from Dupond.
    assert_eq!(finds(&t, "dupomt"), ["Hélène Dupont"]);
    assert_eq!(finds(&t, "mulller"), ["Jürgen Müller"]);
    // Exact before typo.
    let ranked = names(&t, CustomerQuery::text("dupond"));
    assert_eq!(ranked[0], "Zoé Dupond");
    assert!(ranked.contains(&"Hélène Dupont".to_string()));
    // Four characters tolerate nothing.
    assert!(finds(&t, "dupx").is_empty());
}

#[test]
fn filters_alone_and_combined_with_text() {
    let db = open();
    let t = db.tenant("agency");
    let a = actor();
    let mut lyon = customer("Anne", "Martin");
    lyon.address.city = Some("Lyon".into());
    lyon.address.country = Some("FR".into());
    lyon.salesperson = Some("Chloé".into());
    let anne = t.create_customer(&a, lyon).unwrap();
    let mut geneva = customer("Anne", "Favre");
    geneva.address.city = Some("Genève".into());
    geneva.address.country = Some("CH".into());
    t.create_customer(&a, geneva).unwrap();
    let mut trip = booking_for("BK-1", "2026-07-14T08:30:00+02:00", &anne);
    trip.transport = Some("Van".into());
    trip.hotel = Some("Hôtel du Parc".into());
    t.upsert_booking(&a, trip).unwrap();

    assert_eq!(
        names(&t, CustomerQuery::all().city("lyon")),
        ["Anne Martin"]
    );
    assert_eq!(
        names(&t, CustomerQuery::all().city("geneve")),
        ["Anne Favre"]
    );
    assert_eq!(
        names(&t, CustomerQuery::all().country("fr")),
        ["Anne Martin"]
    );
    assert_eq!(
        names(&t, CustomerQuery::all().salesperson("chloe")),
        ["Anne Martin"]
    );
    assert_eq!(
        names(&t, CustomerQuery::all().transport("van")),
        ["Anne Martin"]
    );
    assert_eq!(
        names(&t, CustomerQuery::all().hotel("hotel du parc")),
        ["Anne Martin"]
    );
    assert_eq!(
        names(
            &t,
            CustomerQuery::all().booking_status(BookingStatus::Confirmed)
        ),
        ["Anne Martin"]
    );
    let day = |d| NaiveDate::from_ymd_opt(2026, 7, d);
    assert_eq!(
        names(&t, CustomerQuery::all().departure_between(day(14), day(14))),
        ["Anne Martin"]
    );
    assert!(names(&t, CustomerQuery::all().departure_between(day(15), None)).is_empty());
    assert_eq!(
        names(&t, CustomerQuery::text("anne").city("Lyon").country("FR")),
        ["Anne Martin"]
    );
    assert!(names(&t, CustomerQuery::text("anne").city("Lyon").country("CH")).is_empty());
    assert_eq!(
        names(&t, CustomerQuery::all().customer_no(anne.customer_no)),
        ["Anne Martin"]
    );
    assert_eq!(
        names(&t, CustomerQuery::all().has_email(true)),
        Vec::<String>::new()
    );
    let everyone = t
        .search(&CustomerQuery::all().sort(SearchSort::Name))
        .unwrap();
    assert_eq!(everyone.total, 2);
    assert_eq!(everyone.items[0].last_name, "Favre");
    assert_eq!(everyone.items[0].bookings, 0);
    assert_eq!(everyone.items[1].bookings, 1);
}

#[test]
fn no_hit_crosses_a_tenant() {
    let db = open();
    let a = db.tenant("agency-a");
    let b = db.tenant("agency-b");
    people(&a);
    assert_eq!(finds(&a, "hel").len(), 2);
    assert!(finds(&b, "hel").is_empty());
    assert_eq!(b.search(&CustomerQuery::all()).unwrap().total, 0);
}

#[test]
fn writes_are_visible_to_the_next_search() {
    let db = open();
    let t = db.tenant("agency");
    let a = actor();
    let c = t
        .create_customer(&a, customer("Solène", "Garnier"))
        .unwrap();
    assert_eq!(finds(&t, "solen"), ["Solène Garnier"]);
    let mut edit = c.edit();
    edit.last_name = "Girard".into();
    t.update_customer(&a, &c.id, c.version, edit).unwrap();
    assert!(finds(&t, "garn").is_empty());
    assert_eq!(finds(&t, "gira"), ["Solène Girard"]);
    t.delete_customer(&a, &c.id).unwrap();
    assert!(finds(&t, "solen").is_empty());
}

#[test]
fn reopen_replays_missed_writes_and_a_deleted_index_is_rebuilt() {
    let db = common::open_sqlite();
    let t = db.tenant("agency");
    people(&t);
    let index_dir = {
        let mut d = db.path.clone().into_os_string();
        d.push(".index");
        std::path::PathBuf::from(d)
    };
    drop(t);
    let crm = db.crm.clone();
    drop(db.crm);
    drop(crm);
    std::fs::remove_dir_all(&index_dir).unwrap();
    let reopened = Crm::open(&db.path).unwrap();
    let t = reopened.tenant("agency").unwrap();
    assert_eq!(finds(&t, "hel"), ["Helmut Schmidt", "Hélène Dupont"]);

    let mut seen = Vec::new();
    reopened
        .reindex(|done, total| seen.push((done, total)))
        .unwrap();
    assert_eq!(seen.last(), Some(&(7, 7)));
    assert_eq!(finds(&t, "nunez"), ["José Núñez"]);
}

#[test]
fn customer_numbers_match_as_typed_digits_but_not_through_the_phone_filter() {
    let db = open();
    let t = db.tenant("agency");
    let a = actor();
    let batch = (0..120)
        .map(|i| customer("Num", &format!("Ber{i}")))
        .collect();
    let made = t.create_customers(&a, batch).unwrap();
    let c = &made[111];
    let no = c.customer_no.to_string();
    let found = t.search(&CustomerQuery::text(&no)).unwrap();
    assert!(found.items.iter().any(|r| r.id == c.id), "{no}");
    // Every hit's number starts with what was typed (nobody here has a phone).
    assert!(
        found
            .items
            .iter()
            .all(|r| r.customer_no.to_string().starts_with(&no))
    );
    assert!(
        t.search(&CustomerQuery::all().phone(&no))
            .unwrap()
            .items
            .is_empty()
    );
}

#[test]
fn email_typed_past_the_at_needs_the_whole_local_part() {
    let db = open();
    let t = db.tenant("agency");
    people(&t);
    t.create_customer(
        &actor(),
        customer_with_email("Helene", "Dupontel", "helene.dupont2@example.fr"),
    )
    .unwrap();
    assert_eq!(finds(&t, "helene.dupont@exa"), ["Hélène Dupont"]);
    assert_eq!(finds(&t, "helene.dupont2@e"), ["Helene Dupontel"]);
    assert_eq!(
        finds(&t, "@example.fr"),
        ["Helene Dupontel", "Hélène Dupont"]
    );
    assert!(finds(&t, "helene.dup@example.fr").is_empty());
}

/// A file put in the place of another (the old one deleted, its index folder left) with the
/// same tenant names: the index, ahead of the new file's feeds, is rebuilt from it, and shows
/// nothing of the old file.
#[test]
fn an_index_left_by_another_file_of_the_same_tenants_is_rebuilt() {
    let db = common::open_sqlite();
    let t = db.tenant("agency");
    for name in ["Old", "Older", "Oldest"] {
        t.create_customer(&actor(), customer(name, "Gone")).unwrap();
    }
    assert_eq!(t.search(&CustomerQuery::all()).unwrap().total, 3);
    drop(t);
    let common::Db { crm, path, dir, .. } = db;
    drop(crm);
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.clone().into_os_string();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
    let crm = Crm::open(&path).unwrap();
    let t = common::tenant(&crm, "agency");
    t.create_customer(&actor(), customer("New", "Here"))
        .unwrap();
    let page = t.search(&CustomerQuery::all()).unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].first_name, "New");
    drop(dir);
}
