//! The "find customer" filters of `CustomerQuery`, one by one and combined: for each filter a
//! customer that must match and near misses that must not (name-like filters match word
//! prefixes, the others the whole value folded, dates are inclusive UTC days); two and three
//! filters ANDed, filters with text; every sort gives its documented order; offset/limit paging
//! serves every hit exactly once with the right `total`; a bad `limit` is a validation error; and
//! booking and customer changes move the filters (relink, unlink, edit, delete).
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::HashSet;

use chrono::NaiveDate;
use common::{actor, assert_invalid, booking_for, customer, customer_with_email, open};
use crm_core::limits::MAX_PAGE;
use crm_core::{
    Address, BookingStatus, Customer, CustomerId, CustomerQuery, CustomerRow, ErrorKind,
    NewBooking, NewCustomer, PaymentStatus, SearchSort, Tenant,
};

// ---------------------------------------------------------------------------------------------
// Helpers

fn make(t: &Tenant, fields: NewCustomer) -> Customer {
    t.create_customer(&actor(), fields).unwrap()
}

fn upsert(t: &Tenant, booking: NewBooking) {
    t.upsert_booking(&actor(), booking).unwrap();
}

/// A booking of `who` picked up at `pickup`, with a hotel and a transport.
fn trip(
    reference: &str,
    pickup: &str,
    who: &Customer,
    hotel: Option<&str>,
    transport: Option<&str>,
) -> NewBooking {
    let mut b = booking_for(reference, pickup, who);
    b.hotel = hotel.map(Into::into);
    b.transport = transport.map(Into::into);
    b
}

fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    Some(NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

fn jul(d: u32) -> Option<NaiveDate> {
    day(2026, 7, d)
}

/// The rows of one page of `q` (the whole result when it fits in `MAX_PAGE`); checks `total`.
#[track_caller]
fn rows(t: &Tenant, q: &CustomerQuery) -> Vec<CustomerRow> {
    let page = t.search(&q.clone().limit(MAX_PAGE)).unwrap();
    assert_eq!(
        page.total,
        page.items.len() as u64,
        "total disagrees with the hits of {q:?}"
    );
    page.items
}

/// The ids of every hit of `q`, in order.
#[track_caller]
fn hits(t: &Tenant, q: &CustomerQuery) -> Vec<CustomerId> {
    rows(t, q).iter().map(|r| r.id).collect()
}

fn label(first: &str, last: &str, no: i64) -> String {
    format!("{first} {last} (#{no})")
}

/// Asserts the hits of `q` are exactly `expected`, in any order.
#[track_caller]
fn assert_hits(t: &Tenant, q: CustomerQuery, expected: &[&Customer]) {
    let got = rows(t, &q);
    let mut got_ids: Vec<CustomerId> = got.iter().map(|r| r.id).collect();
    got_ids.sort();
    let mut want_ids: Vec<CustomerId> = expected.iter().map(|c| c.id).collect();
    want_ids.sort();
    if got_ids != want_ids {
        let mut got: Vec<String> = got
            .iter()
            .map(|r| label(&r.first_name, &r.last_name, r.customer_no))
            .collect();
        got.sort();
        let mut want: Vec<String> = expected
            .iter()
            .map(|c| label(&c.first_name, &c.last_name, c.customer_no))
            .collect();
        want.sort();
        panic!("{q:?}\n  expected {want:?}\n  got      {got:?}");
    }
}

/// Asserts the hits of `q` are exactly `expected`, in this order.
#[track_caller]
fn assert_order(t: &Tenant, q: CustomerQuery, expected: &[&Customer]) {
    let got = rows(t, &q);
    let got_ids: Vec<CustomerId> = got.iter().map(|r| r.id).collect();
    let want_ids: Vec<CustomerId> = expected.iter().map(|c| c.id).collect();
    if got_ids != want_ids {
        let got: Vec<String> = got
            .iter()
            .map(|r| label(&r.first_name, &r.last_name, r.customer_no))
            .collect();
        let want: Vec<String> = expected
            .iter()
            .map(|c| label(&c.first_name, &c.last_name, c.customer_no))
            .collect();
        panic!("{q:?}\n  expected {want:?}\n  got      {got:?}");
    }
}

fn all() -> CustomerQuery {
    CustomerQuery::all()
}

// ---------------------------------------------------------------------------------------------
// Each filter on its own

#[test]
fn customer_no_matches_that_number_only() {
    let db = open();
    let t = db.tenant("agency");
    let made = t
        .create_customers(
            &actor(),
            (1..=12)
                .map(|i| customer("Anne", &format!("Number{i}")))
                .collect(),
        )
        .unwrap();
    assert_eq!(made[0].customer_no, 1);
    assert_eq!(made[11].customer_no, 12);
    // 1 is not a prefix match of 10, 11, 12.
    assert_hits(&t, all().customer_no(1), &[&made[0]]);
    assert_hits(&t, all().customer_no(12), &[&made[11]]);
    assert_hits(&t, all().customer_no(13), &[]);
    assert_hits(&t, all().customer_no(0), &[]);
    assert_hits(&t, all().customer_no(-1), &[]);
    // Another tenant's customer no. 1 is its own.
    let other = db.tenant("other");
    let theirs = make(&other, customer("Zoé", "Other"));
    assert_eq!(theirs.customer_no, 1);
    assert_hits(&t, all().customer_no(1), &[&made[0]]);
    assert_hits(&other, all().customer_no(1), &[&theirs]);
}

#[test]
fn first_name_matches_word_prefixes_of_the_first_name_only() {
    let db = open();
    let t = db.tenant("agency");
    let jean_pierre = make(&t, customer("Jean-Pierre", "Martin"));
    let jeanne = make(&t, customer("Jeanne", "Martin"));
    let pierre = make(&t, customer("Pierre", "Jean"));
    let eloise = make(&t, customer("Éloïse", "Jeanson"));
    let lukasz = make(&t, customer("Łukasz", "Nowak"));

    assert_hits(&t, all().first_name("jean"), &[&jean_pierre, &jeanne]);
    assert_hits(&t, all().first_name("JEAN pierre"), &[&jean_pierre]);
    assert_hits(&t, all().first_name("pierre jean"), &[&jean_pierre]);
    assert_hits(&t, all().first_name("pierre"), &[&jean_pierre, &pierre]);
    assert_hits(&t, all().first_name("jeanne"), &[&jeanne]);
    assert_hits(&t, all().first_name("eloise"), &[&eloise]);
    assert_hits(&t, all().first_name("ÉLO"), &[&eloise]);
    assert_hits(&t, all().first_name("luk"), &[&lukasz]);
    // Near misses: infixes, a longer word, a word of the last name, words that never meet.
    assert_hits(&t, all().first_name("ean"), &[]);
    assert_hits(&t, all().first_name("jeannette"), &[]);
    assert_hits(&t, all().first_name("martin"), &[]);
    assert_hits(&t, all().first_name("jeanne pierre"), &[]);
}

#[test]
fn last_name_matches_word_prefixes_of_the_last_name_only() {
    let db = open();
    let t = db.tenant("agency");
    let martin = make(&t, customer("Jean-Pierre", "Martin"));
    let jean = make(&t, customer("Pierre", "Jean"));
    let jeanson = make(&t, customer("Éloïse", "Jeanson"));
    let cruz = make(&t, customer("Ana", "de la Cruz"));
    let muller = make(&t, customer("Jürgen", "Müller-Lüdenscheidt"));

    assert_hits(&t, all().last_name("jean"), &[&jean, &jeanson]);
    assert_hits(&t, all().last_name("jeans"), &[&jeanson]);
    assert_hits(&t, all().last_name("MART"), &[&martin]);
    assert_hits(&t, all().last_name("cruz"), &[&cruz]);
    assert_hits(&t, all().last_name("de cruz"), &[&cruz]);
    assert_hits(&t, all().last_name("mull lud"), &[&muller]);
    assert_hits(&t, all().last_name("lüdenscheidt"), &[&muller]);
    // Near misses.
    assert_hits(&t, all().last_name("pierre"), &[]);
    assert_hits(&t, all().last_name("artin"), &[]);
    assert_hits(&t, all().last_name("martins"), &[]);
    assert_hits(&t, all().last_name("de jean"), &[]);
}

#[test]
fn company_matches_word_prefixes_of_the_company_only() {
    let db = open();
    let t = db.tenant("agency");
    let with = |first: &str, company: &str| NewCustomer {
        company: Some(company.into()),
        ..customer(first, "Client")
    };
    let lumiere = make(&t, with("Anne", "Voyages Lumière SARL"));
    let lumineux = make(&t, with("Paul", "Lumineux Travel"));
    let lac = make(&t, with("Marc", "Agence du Lac"));
    let _named = make(&t, customer("Lumière", "Person"));

    assert_hits(&t, all().company("lumière"), &[&lumiere]);
    assert_hits(&t, all().company("LUMI"), &[&lumiere, &lumineux]);
    assert_hits(&t, all().company("voyages sarl"), &[&lumiere]);
    assert_hits(&t, all().company("sarl voy"), &[&lumiere]);
    assert_hits(&t, all().company("agence du lac"), &[&lac]);
    // Near misses: an infix, words of two companies, a first name.
    assert_hits(&t, all().company("umiere"), &[]);
    assert_hits(&t, all().company("voyages lac"), &[]);
    assert_hits(&t, all().company("person"), &[]);
}

#[test]
fn email_matches_the_whole_main_or_secondary_address_in_any_case() {
    let db = open();
    let t = db.tenant("agency");
    let main = make(
        &t,
        customer_with_email("Hélène", "Dupont", "Helene.Dupont@Example.fr"),
    );
    let secondary = make(
        &t,
        NewCustomer {
            secondary_emails: vec!["HD@Travel.COM".into()],
            ..customer_with_email("Other", "Person", "other@example.fr")
        },
    );
    let same_as_secondary = make(&t, customer_with_email("Hervé", "Dubois", "hd@travel.com"));
    let other_domain = make(
        &t,
        customer_with_email("Hélène", "Dupont", "helene.dupont@example.org"),
    );
    let _no_email = make(&t, customer("Helene", "Dupont"));

    assert_hits(&t, all().email("helene.dupont@example.fr"), &[&main]);
    assert_hits(&t, all().email("HELENE.DUPONT@EXAMPLE.FR"), &[&main]);
    assert_hits(&t, all().email("  Helene.Dupont@Example.fr "), &[&main]);
    assert_hits(
        &t,
        all().email("hd@travel.com"),
        &[&secondary, &same_as_secondary],
    );
    assert_hits(&t, all().email("Other@Example.FR"), &[&secondary]);
    assert_hits(
        &t,
        all().email("helene.dupont@example.org"),
        &[&other_domain],
    );
    // Near misses: parts of an address are not the address.
    assert_hits(&t, all().email("helene.dupont@example"), &[]);
    assert_hits(&t, all().email("helene.dupont"), &[]);
    assert_hits(&t, all().email("dupont"), &[]);
    assert_hits(&t, all().email("example.fr"), &[]);
    assert_hits(&t, all().email("hd@travel.co"), &[]);
}

#[test]
fn phone_matches_any_phone_field_in_any_format() {
    let db = open();
    let t = db.tenant("agency");
    let landline = make(
        &t,
        NewCustomer {
            phone: Some("04 72 00 11 22".into()),
            ..customer("Land", "Line")
        },
    );
    let mobile = make(
        &t,
        NewCustomer {
            mobile: Some("06 12 34 56 78".into()),
            ..customer("Mo", "Bile")
        },
    );
    let fax = make(
        &t,
        NewCustomer {
            fax: Some("+49 30 1234567".into()),
            ..customer("Fax", "Only")
        },
    );
    let emergency = make(
        &t,
        NewCustomer {
            emergency_phone: Some("+44 20 7946 0958".into()),
            ..customer("Emer", "Gency")
        },
    );
    let secondary = make(
        &t,
        NewCustomer {
            secondary_phones: vec!["+41 22 345 67 89".into(), "07 98 76 54 32".into()],
            ..customer("Second", "Ary")
        },
    );
    let near = make(
        &t,
        NewCustomer {
            mobile: Some("06 12 34 99 99".into()),
            ..customer("Near", "Miss")
        },
    );
    let _none = make(&t, customer("No", "Phone"));

    let cases: &[(&str, &Customer)] = &[
        // Landline: national, international, 00-prefixed, without the trunk 0, last digits.
        ("04 72 00 11 22", &landline),
        ("0472001122", &landline),
        ("+33 4 72 00 11 22", &landline),
        ("0033 4 72 00 11 22", &landline),
        ("472001122", &landline),
        ("11 22", &landline),
        // Mobile.
        ("06 12 34 56 78", &mobile),
        ("06.12.34.56.78", &mobile),
        ("+33612345678", &mobile),
        ("0033612345678", &mobile),
        ("56 78", &mobile),
        // Fax, a German number: international and German national forms.
        ("+49 30 1234567", &fax),
        ("0049 30 1234567", &fax),
        ("030 1234567", &fax),
        // Emergency phone, a UK number.
        ("+44 20 7946 0958", &emergency),
        ("020 7946 0958", &emergency),
        ("0044 20 7946 0958", &emergency),
        // Either secondary phone.
        ("+41 22 345 67 89", &secondary),
        ("022 345 67 89", &secondary),
        ("07 98 76 54 32", &secondary),
        ("+33 7 98 76 54 32", &secondary),
    ];
    for (typed, who) in cases {
        assert_hits(&t, all().phone(*typed), &[*who]);
    }
    // A prefix shared by two numbers finds both.
    assert_hits(&t, all().phone("06 12 34"), &[&mobile, &near]);
    // Near misses: one digit off, digits in the middle, fewer than four last digits, a digit
    // that is only a customer no.
    assert_hits(&t, all().phone("04 72 00 11 23"), &[]);
    assert_hits(&t, all().phone("06 12 34 56 79"), &[]);
    assert_hits(&t, all().phone("+33 6 12 34 56 79"), &[]);
    assert_hits(&t, all().phone("2345"), &[]);
    assert_hits(&t, all().phone("678"), &[]);
    assert_hits(&t, all().phone("1"), &[]);
}

#[test]
fn zip_matches_the_whole_value_folded() {
    let db = open();
    let t = db.tenant("agency");
    let at = |zip: &str| NewCustomer {
        address: Address {
            zip: Some(zip.into()),
            ..Default::default()
        },
        ..customer("Zip", zip)
    };
    let lyon3 = make(&t, at("69003"));
    let lyon4 = make(&t, at("69004"));
    let london = make(&t, at("SW1A 1AA"));

    assert_hits(&t, all().zip("69003"), &[&lyon3]);
    assert_hits(&t, all().zip(" 69004 "), &[&lyon4]);
    assert_hits(&t, all().zip("sw1a 1aa"), &[&london]);
    assert_hits(&t, all().zip("SW1A  1AA"), &[&london]);
    // Near misses: a prefix, a longer code, half a code.
    assert_hits(&t, all().zip("6900"), &[]);
    assert_hits(&t, all().zip("690031"), &[]);
    assert_hits(&t, all().zip("sw1a"), &[]);
}

#[test]
fn city_matches_word_prefixes_of_the_city() {
    let db = open();
    let t = db.tenant("agency");
    let at = |first: &str, city: &str| NewCustomer {
        address: Address {
            city: Some(city.into()),
            ..Default::default()
        },
        ..customer(first, "Citizen")
    };
    let lyon = make(&t, at("Anne", "Lyon"));
    let lyonnais = make(&t, at("Bea", "Lyonnais"));
    let st_etienne = make(&t, at("Cid", "Saint-Étienne"));
    let villeurbanne = make(&t, at("Dan", "Villeurbanne"));
    let geneve = make(&t, at("Eve", "Genève"));
    let _named_lyon = make(&t, customer("Lyon", "Nocity"));

    // Documented: name-like filters match word prefixes, so Lyon also finds Lyonnais.
    assert_hits(&t, all().city("Lyon"), &[&lyon, &lyonnais]);
    assert_hits(&t, all().city("lyonn"), &[&lyonnais]);
    assert_hits(&t, all().city("saint etienne"), &[&st_etienne]);
    assert_hits(&t, all().city("SAINT-ÉTIENNE"), &[&st_etienne]);
    assert_hits(&t, all().city("etienne"), &[&st_etienne]);
    assert_hits(&t, all().city("villeur"), &[&villeurbanne]);
    assert_hits(&t, all().city("GENEVE"), &[&geneve]);
    // Near misses: an infix, a longer word, words of two cities, another field.
    assert_hits(&t, all().city("yon"), &[]);
    assert_hits(&t, all().city("lyons"), &[]);
    assert_hits(&t, all().city("st etienne"), &[]);
    assert_hits(&t, all().city("lyon villeurbanne"), &[]);
    assert_hits(&t, all().city("citizen"), &[]);
}

#[test]
fn address_matches_word_prefixes_of_the_street() {
    let db = open();
    let t = db.tenant("agency");
    let at = |first: &str, street: &str| NewCustomer {
        address: Address {
            street: Some(street.into()),
            ..Default::default()
        },
        ..customer(first, "Resident")
    };
    let republique = make(&t, at("Anne", "12 rue de la République"));
    let jaures = make(&t, at("Bea", "3 avenue Jean Jaurès"));
    let strasse = make(&t, at("Cid", "Republikstraße 5"));

    assert_hits(&t, all().address("rue republique"), &[&republique]);
    assert_hits(&t, all().address("12 rue"), &[&republique]);
    assert_hits(&t, all().address("republ"), &[&republique, &strasse]);
    assert_hits(&t, all().address("JAURES"), &[&jaures]);
    assert_hits(&t, all().address("avenue jean 3"), &[&jaures]);
    assert_hits(&t, all().address("republikstrasse"), &[&strasse]);
    // Near misses.
    assert_hits(&t, all().address("publique"), &[]);
    assert_hits(&t, all().address("rue jean"), &[]);
    assert_hits(&t, all().address("13 rue"), &[]);
    assert_hits(&t, all().address("resident"), &[]);
}

#[test]
fn contact_person_matches_word_prefixes_of_the_contact() {
    let db = open();
    let t = db.tenant("agency");
    let with = |first: &str, contact: &str| NewCustomer {
        contact_person: Some(contact.into()),
        ..customer(first, "Company")
    };
    let marie_claire = make(&t, with("Anne", "Marie-Claire Dubois"));
    let claire = make(&t, with("Bea", "Claire Martin"));
    let _claire_herself = make(&t, customer("Claire", "Nocontact"));

    assert_hits(
        &t,
        all().contact_person("claire"),
        &[&marie_claire, &claire],
    );
    assert_hits(&t, all().contact_person("marie claire"), &[&marie_claire]);
    assert_hits(&t, all().contact_person("DUBOIS"), &[&marie_claire]);
    assert_hits(
        &t,
        all().contact_person("cla mar"),
        &[&marie_claire, &claire],
    );
    // Near misses.
    assert_hits(&t, all().contact_person("aire"), &[]);
    assert_hits(&t, all().contact_person("claire dubois martin"), &[]);
    assert_hits(&t, all().contact_person("anne"), &[]);
}

#[test]
fn country_matches_the_whole_code_in_any_case() {
    let db = open();
    let t = db.tenant("agency");
    let from = |first: &str, country: &str| NewCustomer {
        address: Address {
            country: Some(country.into()),
            ..Default::default()
        },
        ..customer(first, "Abroad")
    };
    let fr = make(&t, from("Anne", "fr"));
    let ch = make(&t, from("Bea", "CH"));
    let _none = make(&t, customer("Cid", "Nowhere"));

    assert_hits(&t, all().country("FR"), &[&fr]);
    assert_hits(&t, all().country("fr"), &[&fr]);
    assert_hits(&t, all().country(" Fr "), &[&fr]);
    assert_hits(&t, all().country("ch"), &[&ch]);
    // Near misses: half a code, an alpha-3 code, another country.
    assert_hits(&t, all().country("F"), &[]);
    assert_hits(&t, all().country("FRA"), &[]);
    assert_hits(&t, all().country("DE"), &[]);
}

#[test]
fn region_matches_the_whole_value_folded() {
    let db = open();
    let t = db.tenant("agency");
    let in_region = |first: &str, region: &str| NewCustomer {
        address: Address {
            region: Some(region.into()),
            ..Default::default()
        },
        ..customer(first, "Regional")
    };
    let ara = make(&t, in_region("Anne", "Auvergne-Rhône-Alpes"));
    let auvergne = make(&t, in_region("Bea", "Auvergne"));
    let idf = make(&t, in_region("Cid", "Île-de-France"));

    assert_hits(&t, all().region("auvergne-rhone-alpes"), &[&ara]);
    assert_hits(&t, all().region("AUVERGNE-RHÔNE-ALPES"), &[&ara]);
    assert_hits(&t, all().region("Auvergne"), &[&auvergne]);
    assert_hits(&t, all().region("ile-de-france"), &[&idf]);
    // Near misses: a part of the value is not the value.
    assert_hits(&t, all().region("auver"), &[]);
    assert_hits(&t, all().region("france"), &[]);
    assert_hits(&t, all().region("rhone"), &[]);
}

#[test]
fn language_matches_the_whole_tag_in_any_case() {
    let db = open();
    let t = db.tenant("agency");
    let speaking = |first: &str, tag: &str| NewCustomer {
        language: Some(tag.into()),
        ..customer(first, "Speaker")
    };
    let de_ch = make(&t, speaking("Anne", "de-CH"));
    let de = make(&t, speaking("Bea", "de"));
    let fr = make(&t, speaking("Cid", "fr"));
    let _none = make(&t, customer("Dan", "Silent"));

    assert_hits(&t, all().language("de-CH"), &[&de_ch]);
    assert_hits(&t, all().language("DE-ch"), &[&de_ch]);
    assert_hits(&t, all().language("de"), &[&de]);
    assert_hits(&t, all().language("FR"), &[&fr]);
    // Near misses.
    assert_hits(&t, all().language("ch"), &[]);
    assert_hits(&t, all().language("en"), &[]);
    assert_hits(&t, all().language("fr-FR"), &[]);
}

#[test]
fn salesperson_matches_the_whole_name_folded() {
    let db = open();
    let t = db.tenant("agency");
    let sold_by = |first: &str, who: &str| NewCustomer {
        salesperson: Some(who.into()),
        ..customer(first, "Buyer")
    };
    let chloe_martin = make(&t, sold_by("Anne", "Chloé Martin"));
    let chloe = make(&t, sold_by("Bea", "Chloé"));
    let martin = make(&t, sold_by("Cid", "Martin"));
    let _named = make(&t, customer("Chloé", "Martin"));

    assert_hits(&t, all().salesperson("chloe martin"), &[&chloe_martin]);
    assert_hits(&t, all().salesperson("CHLOÉ   MARTIN"), &[&chloe_martin]);
    assert_hits(&t, all().salesperson("Chloé"), &[&chloe]);
    assert_hits(&t, all().salesperson("martin"), &[&martin]);
    // Near misses.
    assert_hits(&t, all().salesperson("chlo"), &[]);
    assert_hits(&t, all().salesperson("martin chloe"), &[]);
}

#[test]
fn departure_between_takes_inclusive_local_days_and_open_ends() {
    let db = open();
    let t = db.tenant("agency");
    let morning = make(&t, customer("Morning", "Fourteenth"));
    let late = make(&t, customer("Late", "Fourteenth"));
    let midnight = make(&t, customer("Midnight", "Sixteenth"));
    let eve = make(&t, customer("Eve", "Thirteenth"));
    let around = make(&t, customer("Around", "July"));
    let _never = make(&t, customer("Never", "Travels"));
    upsert(
        &t,
        booking_for("D-1", "2026-07-14T08:30:00+02:00", &morning),
    );
    // 01:00 on the 15th in Paris (23:00 on the 14th in UTC) departs on the 15th: the day is
    // the date at the pickup place.
    upsert(&t, booking_for("D-2", "2026-07-15T01:00:00+02:00", &late));
    upsert(&t, booking_for("D-3", "2026-07-16T00:00:00Z", &midnight));
    upsert(&t, booking_for("D-4", "2026-07-13T23:59:59Z", &eve));
    // Bookings before and after July, none in it.
    upsert(&t, booking_for("D-5", "2026-06-01T10:00:00Z", &around));
    upsert(&t, booking_for("D-6", "2026-09-01T10:00:00Z", &around));

    let q = |from, to| all().departure_between(from, to);
    assert_hits(&t, q(jul(14), jul(14)), &[&morning]);
    assert_hits(&t, q(jul(15), jul(15)), &[&late]);
    assert_hits(&t, q(jul(16), jul(16)), &[&midnight]);
    assert_hits(&t, q(jul(13), jul(13)), &[&eve]);
    assert_hits(&t, q(jul(14), jul(16)), &[&morning, &late, &midnight]);
    assert_hits(&t, q(jul(10), jul(20)), &[&morning, &late, &midnight, &eve]);
    assert_hits(&t, q(None, jul(13)), &[&eve, &around]);
    assert_hits(&t, q(None, jul(14)), &[&morning, &eve, &around]);
    assert_hits(&t, q(jul(15), None), &[&late, &midnight, &around]);
    assert_hits(&t, q(jul(17), None), &[&around]);
    assert_hits(&t, q(jul(17), day(2026, 8, 31)), &[]);
    // An empty window (to before from) matches nothing.
    assert_hits(&t, q(jul(16), jul(14)), &[]);
}

#[test]
fn transport_matches_the_whole_value_of_any_booking() {
    let db = open();
    let t = db.tenant("agency");
    let van = make(&t, customer("Anne", "Van"));
    let minivan = make(&t, customer("Bea", "Minivan"));
    let train = make(&t, customer("Cid", "Train"));
    let both = make(&t, customer("Dan", "Both"));
    let _none = make(&t, customer("Eve", "Walker"));
    let p = "2026-07-14T08:30:00+02:00";
    upsert(&t, trip("T-1", p, &van, None, Some("Van")));
    upsert(&t, trip("T-2", p, &minivan, None, Some("Minivan")));
    upsert(&t, trip("T-3", p, &train, None, Some("Train TGV")));
    upsert(&t, trip("T-4", p, &both, None, Some("Bus")));
    upsert(&t, trip("T-5", p, &both, None, Some("van")));

    assert_hits(&t, all().transport("van"), &[&van, &both]);
    assert_hits(&t, all().transport(" VAN "), &[&van, &both]);
    assert_hits(&t, all().transport("bus"), &[&both]);
    assert_hits(&t, all().transport("train  tgv"), &[&train]);
    assert_hits(&t, all().transport("minivan"), &[&minivan]);
    // Near misses.
    assert_hits(&t, all().transport("train"), &[]);
    assert_hits(&t, all().transport("mini"), &[]);
    assert_hits(&t, all().transport("walker"), &[]);
}

#[test]
fn hotel_matches_the_whole_value_of_any_booking() {
    let db = open();
    let t = db.tenant("agency");
    let parc = make(&t, customer("Anne", "Guest"));
    let royal = make(&t, customer("Bea", "Guest"));
    let no_hotel = make(&t, customer("Cid", "Guest"));
    let p = "2026-07-14T08:30:00+02:00";
    upsert(&t, trip("H-1", p, &parc, Some("Hôtel du Parc"), None));
    upsert(
        &t,
        trip("H-2", p, &royal, Some("Hotel du Parc Royal"), None),
    );
    upsert(&t, trip("H-3", p, &no_hotel, None, Some("Van")));

    assert_hits(&t, all().hotel("hotel du parc"), &[&parc]);
    assert_hits(&t, all().hotel("HÔTEL DU PARC"), &[&parc]);
    assert_hits(&t, all().hotel("hotel  du parc royal"), &[&royal]);
    // Near misses.
    assert_hits(&t, all().hotel("parc"), &[]);
    assert_hits(&t, all().hotel("hotel du"), &[]);
    assert_hits(&t, all().hotel("van"), &[]);
}

#[test]
fn booking_status_matches_customers_with_a_booking_in_that_status() {
    let db = open();
    let t = db.tenant("agency");
    let p = "2026-07-14T08:30:00+02:00";
    let mut one_each = Vec::new();
    for (i, status) in BookingStatus::ALL.iter().enumerate() {
        let c = make(&t, customer("Status", status.as_str()));
        let mut b = booking_for(&format!("S-{i}"), p, &c);
        b.status = *status;
        upsert(&t, b);
        one_each.push((*status, c));
    }
    let two = make(&t, customer("Two", "Statuses"));
    for (r, status) in [
        ("S-Q", BookingStatus::Quote),
        ("S-C", BookingStatus::Cancelled),
    ] {
        let mut b = booking_for(r, p, &two);
        b.status = status;
        upsert(&t, b);
    }
    let _none = make(&t, customer("No", "Booking"));

    for status in BookingStatus::ALL {
        let mut expected: Vec<&Customer> = one_each
            .iter()
            .filter(|(s, _)| s == status)
            .map(|(_, c)| c)
            .collect();
        if matches!(status, BookingStatus::Quote | BookingStatus::Cancelled) {
            expected.push(&two);
        }
        assert_hits(&t, all().booking_status(*status), &expected);
    }
    // A status change moves the customer.
    let mut b = booking_for("S-Q", p, &two);
    b.status = BookingStatus::Confirmed;
    upsert(&t, b);
    let quote = &one_each
        .iter()
        .find(|(s, _)| *s == BookingStatus::Quote)
        .unwrap()
        .1;
    assert_hits(&t, all().booking_status(BookingStatus::Quote), &[quote]);
    let confirmed = &one_each
        .iter()
        .find(|(s, _)| *s == BookingStatus::Confirmed)
        .unwrap()
        .1;
    assert_hits(
        &t,
        all().booking_status(BookingStatus::Confirmed),
        &[confirmed, &two],
    );
}

#[test]
fn has_email_looks_at_the_main_email_only() {
    let db = open();
    let t = db.tenant("agency");
    let main = make(&t, customer_with_email("Anne", "Mail", "anne@example.fr"));
    let secondary_only = make(
        &t,
        NewCustomer {
            secondary_emails: vec!["bea@example.fr".into()],
            ..customer("Bea", "Secondary")
        },
    );
    let none = make(&t, customer("Cid", "Nomail"));

    assert_hits(&t, all().has_email(true), &[&main]);
    assert_hits(&t, all().has_email(false), &[&secondary_only, &none]);
}

#[test]
fn has_mobile_looks_at_the_mobile_field() {
    let db = open();
    let t = db.tenant("agency");
    let mobile = make(
        &t,
        NewCustomer {
            mobile: Some("06 12 34 56 78".into()),
            ..customer("Anne", "Mobile")
        },
    );
    let landline = make(
        &t,
        NewCustomer {
            phone: Some("04 72 00 11 22".into()),
            ..customer("Bea", "Landline")
        },
    );
    let none = make(&t, customer("Cid", "Nophone"));

    assert_hits(&t, all().has_mobile(true), &[&mobile]);
    assert_hits(&t, all().has_mobile(false), &[&landline, &none]);
}

#[test]
fn created_between_takes_inclusive_utc_days_and_open_ends() {
    let db = open();
    let t = db.tenant("agency");
    let c = make(&t, customer("Anne", "Created"));
    let today = c.created_at.date_naive();
    let yesterday = today.pred_opt();
    let tomorrow = today.succ_opt();
    let today = Some(today);

    let q = |from, to| all().created_between(from, to);
    assert_hits(&t, q(today, today), &[&c]);
    assert_hits(&t, q(None, today), &[&c]);
    assert_hits(&t, q(today, None), &[&c]);
    assert_hits(&t, q(yesterday, tomorrow), &[&c]);
    // Near misses: the days just before and just after.
    assert_hits(&t, q(None, yesterday), &[]);
    assert_hits(&t, q(yesterday, yesterday), &[]);
    assert_hits(&t, q(tomorrow, None), &[]);
    assert_hits(&t, q(tomorrow, tomorrow), &[]);
}

#[test]
fn last_booking_between_looks_at_the_latest_booking_only() {
    let db = open();
    let t = db.tenant("agency");
    let early_and_late = make(&t, customer("Anne", "Twice"));
    let fifth = make(&t, customer("Bea", "Once"));
    upsert(
        &t,
        booking_for("L-1", "2026-07-01T10:00:00Z", &early_and_late),
    );
    upsert(
        &t,
        booking_for("L-2", "2026-07-20T10:00:00Z", &early_and_late),
    );
    upsert(&t, booking_for("L-3", "2026-07-05T10:00:00Z", &fifth));
    // 01:00 on the 21st in Paris (the 20th in UTC) is a booking of the 21st: the day is the
    // date at the pickup place.
    let local_21st = make(&t, customer("Cid", "Late"));
    upsert(
        &t,
        booking_for("L-4", "2026-07-21T01:00:00+02:00", &local_21st),
    );

    let q = |from, to| all().last_booking_between(from, to);
    // Anne has a booking on the 1st, but her latest is the 20th.
    assert_hits(&t, q(jul(1), jul(10)), &[&fifth]);
    assert_hits(&t, q(jul(1), jul(1)), &[]);
    assert_hits(&t, q(jul(20), jul(20)), &[&early_and_late]);
    assert_hits(&t, q(jul(21), jul(21)), &[&local_21st]);
    assert_hits(&t, q(jul(5), jul(5)), &[&fifth]);
    assert_hits(&t, q(jul(6), None), &[&early_and_late, &local_21st]);
    assert_hits(&t, q(jul(22), None), &[]);
    assert_hits(&t, q(jul(6), jul(19)), &[]);
    // Moving the latest booking moves the customer.
    upsert(
        &t,
        booking_for("L-2", "2026-07-08T10:00:00Z", &early_and_late),
    );
    assert_hits(&t, q(jul(1), jul(10)), &[&early_and_late, &fifth]);
    assert_hits(&t, q(jul(20), jul(20)), &[]);
    assert_hits(&t, q(jul(21), jul(21)), &[&local_21st]);
}

#[test]
fn last_booking_between_with_an_open_start_skips_customers_without_bookings() {
    let db = open();
    let t = db.tenant("agency");
    let booked = make(&t, customer("Anne", "Booked"));
    let _never = make(&t, customer("Bea", "Never"));
    upsert(&t, booking_for("L-1", "2026-07-05T10:00:00Z", &booked));
    // "Latest booking on a day in [from, to]": a customer without bookings has no latest
    // booking, whatever the window.
    assert_hits(&t, all().last_booking_between(None, jul(10)), &[&booked]);
    assert_hits(&t, all().last_booking_between(None, jul(1)), &[]);
}

/// A store with two bookers and a customer who never booked, for the windows open at both ends.
fn two_bookers_and_a_stay_at_home() -> (common::Db, Tenant, [Customer; 3]) {
    let db = open();
    let t = db.tenant("agency");
    let a = make(&t, customer("Anne", "Booked"));
    let b = make(&t, customer("Bea", "Booked"));
    let never = make(&t, customer("Cid", "Never"));
    upsert(&t, booking_for("W-1", "2026-07-05T10:00:00Z", &a));
    upsert(&t, booking_for("W-2", "1990-01-05T10:00:00Z", &b));
    (db, t, [a, b, never])
}

#[test]
fn departure_between_open_at_both_ends_is_every_booker() {
    let (_db, t, [a, b, _never]) = two_bookers_and_a_stay_at_home();
    assert_hits(&t, all().departure_between(None, None), &[&a, &b]);
}

#[test]
fn created_between_open_at_both_ends_is_everyone() {
    let (_db, t, [a, b, never]) = two_bookers_and_a_stay_at_home();
    assert_hits(&t, all().created_between(None, None), &[&a, &b, &never]);
}

#[test]
fn last_booking_between_open_at_both_ends_is_every_booker() {
    let (_db, t, [a, b, _never]) = two_bookers_and_a_stay_at_home();
    assert_hits(&t, all().last_booking_between(None, None), &[&a, &b]);
}

// ---------------------------------------------------------------------------------------------
// Combinations

#[test]
fn two_and_three_filters_and_text_are_anded() {
    let db = open();
    let t = db.tenant("agency");
    let person = |first: &str, last: &str, city: &str, country: Option<&str>| NewCustomer {
        address: Address {
            city: Some(city.into()),
            country: country.map(Into::into),
            ..Default::default()
        },
        ..customer(first, last)
    };
    let anne = make(&t, person("Anne", "Martin", "Lyon", Some("FR")));
    let anne_ch = make(&t, person("Anne", "Favre", "Lyon", Some("CH")));
    let paul = make(&t, person("Paul", "Martin", "Paris", Some("FR")));
    let anne_home = make(&t, person("Anne", "Martinez", "Lyon", Some("FR")));
    let zoe = make(&t, person("Zoé", "Roux", "Lyon", None));
    upsert(
        &t,
        trip(
            "C-1",
            "2026-07-14T08:30:00+02:00",
            &anne,
            Some("Hôtel du Parc"),
            Some("Van"),
        ),
    );
    upsert(
        &t,
        trip(
            "C-2",
            "2026-07-14T10:00:00+02:00",
            &anne_ch,
            Some("Ibis"),
            Some("Van"),
        ),
    );
    upsert(
        &t,
        trip(
            "C-3",
            "2026-08-02T10:00:00+02:00",
            &paul,
            Some("Hôtel du Parc"),
            Some("Train"),
        ),
    );

    // Two filters.
    assert_hits(&t, all().city("lyon").country("fr"), &[&anne, &anne_home]);
    assert_hits(
        &t,
        all().country("FR").hotel("hotel du parc"),
        &[&anne, &paul],
    );
    assert_hits(&t, all().transport("van").country("ch"), &[&anne_ch]);
    assert_hits(&t, all().city("lyon").city("paris"), &[]);
    assert_hits(&t, all().country("fr").country("ch"), &[]);
    assert_hits(&t, all().last_name("martin").first_name("paul"), &[&paul]);
    // Three filters.
    assert_hits(
        &t,
        all()
            .city("lyon")
            .country("fr")
            .departure_between(jul(14), jul(14)),
        &[&anne],
    );
    assert_hits(
        &t,
        all()
            .country("fr")
            .hotel("hôtel du parc")
            .departure_between(day(2026, 8, 1), day(2026, 8, 31)),
        &[&paul],
    );
    assert_hits(
        &t,
        all()
            .city("lyon")
            .transport("van")
            .booking_status(BookingStatus::Cancelled),
        &[],
    );
    // Filters and text.
    assert_hits(
        &t,
        CustomerQuery::text("anne").city("lyon"),
        &[&anne, &anne_ch, &anne_home],
    );
    assert_hits(
        &t,
        CustomerQuery::text("anne mart").country("fr"),
        &[&anne, &anne_home],
    );
    assert_hits(
        &t,
        CustomerQuery::text("mart").departure_between(jul(14), jul(14)),
        &[&anne],
    );
    assert_hits(
        &t,
        CustomerQuery::text("zo").city("lyon").has_email(false),
        &[&zoe],
    );
    assert_hits(&t, CustomerQuery::text("paul").city("lyon"), &[]);
    assert_hits(
        &t,
        CustomerQuery::text("anne")
            .city("lyon")
            .country("fr")
            .hotel("ibis"),
        &[],
    );
}

#[test]
fn booking_filters_given_together_hold_for_one_booking() {
    let db = open();
    let t = db.tenant("agency");
    // A July train and an October stay at the Parc: no July booking at the Parc.
    let split = make(&t, customer("Split", "Trips"));
    upsert(
        &t,
        trip(
            "S-1",
            "2026-07-10T08:00:00+02:00",
            &split,
            None,
            Some("TGV"),
        ),
    );
    upsert(
        &t,
        trip(
            "S-2",
            "2026-10-03T08:00:00+02:00",
            &split,
            Some("Hôtel du Parc"),
            Some("Van"),
        ),
    );
    // One July booking at the Parc, by train, sold by Chloé.
    let whole = make(&t, customer("Whole", "Trip"));
    let mut b = trip(
        "W-1",
        "2026-07-20T08:00:00+02:00",
        &whole,
        Some("Hôtel du Parc"),
        Some("TGV"),
    );
    b.salesperson = Some("Chloé".into());
    upsert(&t, b);
    // Cancelled: July at the Parc too, but not confirmed.
    let cancelled = make(&t, customer("Can", "Celled"));
    let mut b = trip(
        "C-1",
        "2026-07-21T08:00:00+02:00",
        &cancelled,
        Some("Hôtel du Parc"),
        Some("TGV"),
    );
    b.status = BookingStatus::Cancelled;
    upsert(&t, b);

    let july = || all().departure_between(jul(1), jul(31));
    assert_hits(&t, july().hotel("hotel du parc"), &[&whole, &cancelled]);
    assert_hits(
        &t,
        july()
            .hotel("Hôtel du Parc")
            .booking_status(BookingStatus::Confirmed),
        &[&whole],
    );
    assert_hits(
        &t,
        all().hotel("hôtel du parc").transport("tgv"),
        &[&whole, &cancelled],
    );
    assert_hits(&t, all().hotel("hôtel du parc").transport("van"), &[&split]);
    assert_hits(&t, july().transport("van"), &[]);
    assert_hits(
        &t,
        all()
            .transport("TGV")
            .booking_status(BookingStatus::Cancelled),
        &[&cancelled],
    );
    // Five filters on one booking, the salesperson folded.
    assert_hits(
        &t,
        july()
            .hotel("hôtel du parc")
            .transport("tgv")
            .booking_status(BookingStatus::Confirmed)
            .booking_salesperson("CHLOE"),
        &[&whole],
    );
    assert_hits(&t, july().booking_salesperson("chloé"), &[&whole]);
    assert_hits(
        &t,
        all()
            .departure_between(jul(21), None)
            .booking_salesperson("chloé"),
        &[],
    );
    // Open ends of the period still hold to the booking.
    assert_hits(
        &t,
        all()
            .departure_between(None, jul(15))
            .hotel("hôtel du parc"),
        &[],
    );
    assert_hits(
        &t,
        all()
            .departure_between(day(2026, 9, 1), None)
            .hotel("hôtel du parc"),
        &[&split],
    );
    // A filter alone keeps matching any booking.
    assert_hits(
        &t,
        all().hotel("hôtel du parc"),
        &[&split, &whole, &cancelled],
    );
    assert_hits(&t, all().booking_salesperson("chloe"), &[&whole]);
    // A second filter of a kind already given matches any booking of the customer: the July
    // TGV booking, and some booking at the Parc.
    assert_hits(&t, july().transport("tgv").transport("van"), &[&split]);
    // With text and customer filters.
    assert_hits(
        &t,
        CustomerQuery::text("trip")
            .hotel("hôtel du parc")
            .transport("tgv"),
        &[&whole],
    );
    // Moving the October stay to July makes Split's bookings... still two different ones.
    upsert(
        &t,
        trip(
            "S-2",
            "2026-07-11T08:00:00+02:00",
            &split,
            Some("Hôtel du Parc"),
            Some("Van"),
        ),
    );
    assert_hits(
        &t,
        july().hotel("hôtel du parc").transport("tgv"),
        &[&whole, &cancelled],
    );
    assert_hits(
        &t,
        july().hotel("hôtel du parc").transport("van"),
        &[&split],
    );
}

#[test]
fn payment_status_and_outstanding_invoices_are_filters() {
    let db = open();
    let t = db.tenant("agency");
    let other = db.tenant("other");
    let owes = make(&t, customer("Owes", "Money"));
    let part = make(&t, customer("Part", "Paid"));
    let settled = make(&t, customer("All", "Settled"));
    let cancelled = make(&t, customer("Can", "Celled"));
    let never = make(&t, customer("No", "Invoice"));
    let bill = |reference: &str, who: &Customer, status: PaymentStatus, booking: BookingStatus| {
        let mut b = booking_for(reference, "2026-07-14T08:30:00+02:00", who);
        let mut i = common::invoice(&format!("F-{reference}"), 10_000, "EUR");
        i.payment_status = status;
        b.invoices = vec![i];
        b.status = booking;
        b
    };
    upsert(
        &t,
        bill(
            "O-1",
            &owes,
            PaymentStatus::Unpaid,
            BookingStatus::Confirmed,
        ),
    );
    upsert(
        &t,
        bill("O-2", &owes, PaymentStatus::Paid, BookingStatus::Completed),
    );
    upsert(
        &t,
        bill(
            "P-1",
            &part,
            PaymentStatus::PartiallyPaid,
            BookingStatus::Confirmed,
        ),
    );
    upsert(
        &t,
        bill(
            "S-1",
            &settled,
            PaymentStatus::Paid,
            BookingStatus::Confirmed,
        ),
    );
    upsert(
        &t,
        bill(
            "C-1",
            &cancelled,
            PaymentStatus::Unpaid,
            BookingStatus::Cancelled,
        ),
    );
    upsert(&t, booking_for("N-1", "2026-07-14T08:30:00+02:00", &never));
    let stranger = other.create_customer(&actor(), customer("X", "Y")).unwrap();
    other
        .upsert_booking(
            &actor(),
            bill(
                "O-1",
                &stranger,
                PaymentStatus::Unpaid,
                BookingStatus::Confirmed,
            ),
        )
        .unwrap();

    assert_hits(&t, all().has_outstanding(true), &[&owes, &part]);
    assert_hits(
        &t,
        all().has_outstanding(false),
        &[&settled, &cancelled, &never],
    );
    assert_hits(
        &t,
        all().payment_status(PaymentStatus::Unpaid),
        &[&owes, &cancelled],
    );
    assert_hits(
        &t,
        all().payment_status(PaymentStatus::Paid),
        &[&owes, &settled],
    );
    assert_hits(
        &t,
        all()
            .payment_status(PaymentStatus::Paid)
            .has_outstanding(true),
        &[&owes],
    );
    use crm_core::SearchFilter;
    let q = all()
        .filter(SearchFilter::PaymentStatus, "partially_paid")
        .unwrap();
    assert_hits(&t, q, &[&part]);
    let q = all().filter(SearchFilter::HasOutstanding, "yes").unwrap();
    assert_eq!(rows(&other, &q).len(), 1);
    assert_invalid(
        all().filter(SearchFilter::PaymentStatus, "lost"),
        "payment_status",
    );
    // Paying the invoice moves the customer out of the outstanding filter.
    upsert(
        &t,
        bill("O-1", &owes, PaymentStatus::Paid, BookingStatus::Confirmed),
    );
    assert_hits(&t, all().has_outstanding(true), &[&part]);
}

#[test]
fn each_phone_field_has_a_filter_of_its_own() {
    let db = open();
    let t = db.tenant("agency");
    let number = "06 12 34 56 78";
    let on = |field: usize, first: &str| {
        let mut c = customer(first, "Phone");
        let slot = match field {
            0 => &mut c.phone,
            1 => &mut c.mobile,
            2 => &mut c.fax,
            _ => &mut c.emergency_phone,
        };
        *slot = Some(number.into());
        make(&t, c)
    };
    let main = on(0, "Main");
    let mobile = on(1, "Mobile");
    let fax = on(2, "Fax");
    let emergency = on(3, "Emergency");
    let secondary = make(
        &t,
        NewCustomer {
            secondary_phones: vec![number.into()],
            ..customer("Second", "Phone")
        },
    );
    let every = [&main, &mobile, &fax, &emergency, &secondary];
    for typed in [
        number,
        "+33612345678",
        "0033 6 12 34 56 78",
        "56 78",
        "06 12",
    ] {
        assert_hits(&t, all().phone(typed), &every);
        assert_hits(&t, all().main_phone(typed), &[&main]);
        assert_hits(&t, all().mobile(typed), &[&mobile]);
        assert_hits(&t, all().fax(typed), &[&fax]);
        assert_hits(&t, all().emergency_phone(typed), &[&emergency]);
    }
    // A long run of last digits (a range past the grams), and near misses.
    assert_hits(&t, all().mobile("12 34 56 78"), &[&mobile]);
    assert_hits(&t, all().mobile("06 12 34 56 79"), &[]);
    assert_hits(&t, all().fax("2345"), &[]);
    // By name, as the faces set them.
    use crm_core::SearchFilter;
    let q = all().filter(SearchFilter::EmergencyPhone, number).unwrap();
    assert_hits(&t, q, &[&emergency]);
    // The field's filter follows an edit of the field.
    let mut edit = mobile.edit();
    edit.mobile = None;
    edit.fax = Some(number.into());
    t.update_customer(&actor(), &mobile.id, mobile.version, edit)
        .unwrap();
    assert_hits(&t, all().mobile(number), &[]);
    assert_hits(&t, all().fax(number), &[&fax, &mobile]);
}

#[test]
fn zip_prefix_matches_the_start_of_the_code() {
    let db = open();
    let t = db.tenant("agency");
    let at = |zip: &str| NewCustomer {
        address: Address {
            zip: Some(zip.into()),
            ..Default::default()
        },
        ..customer("Zip", zip)
    };
    let paris1 = make(&t, at("75001"));
    let paris16 = make(&t, at("75016"));
    let lyon = make(&t, at("69003"));
    let london = make(&t, at("SW1A 1AA"));
    let _none = make(&t, customer("No", "Zip"));

    assert_hits(&t, all().zip_prefix("75"), &[&paris1, &paris16]);
    assert_hits(&t, all().zip_prefix("7501"), &[&paris16]);
    assert_hits(&t, all().zip_prefix("75001"), &[&paris1]);
    assert_hits(&t, all().zip_prefix("750011"), &[]);
    assert_hits(&t, all().zip_prefix("6"), &[&lyon]);
    assert_hits(&t, all().zip_prefix("sw1a "), &[&london]);
    assert_hits(&t, all().zip_prefix("5"), &[]);
    // With the country-wide filters.
    assert_hits(&t, all().zip_prefix("75").zip("75016"), &[&paris16]);
}

// ---------------------------------------------------------------------------------------------
// Sorts and paging

#[test]
fn name_sort_orders_by_folded_last_then_first_name() {
    let db = open();
    let t = db.tenant("agency");
    // Created in scrambled order.
    let le = make(&t, customer("Zoé", "Le"));
    let le_blanc = make(&t, customer("Anne", "Le Blanc"));
    let abel = make(&t, customer("Éric", "Ábel"));
    let dupont_marc = make(&t, customer("Marc", "Dupont"));
    let babel = make(&t, customer("bob", "babel"));
    let lukas = make(&t, customer("Łukasz", "Lukas"));
    let cruz = make(&t, customer("anne", "de la Cruz"));
    let dupont_alice = make(&t, customer("Alice", "DUPONT"));
    let expected = [
        &abel,
        &babel,
        &cruz,
        &dupont_alice,
        &dupont_marc,
        &le,
        &le_blanc,
        &lukas,
    ];
    assert_order(&t, all().sort(SearchSort::Name), &expected);
    // The same order under a filter and under text.
    assert_order(
        &t,
        CustomerQuery::text("dupont").sort(SearchSort::Name),
        &[&dupont_alice, &dupont_marc],
    );
    assert_order(
        &t,
        all().last_name("le").sort(SearchSort::Name),
        &[&le, &le_blanc],
    );
}

#[test]
fn last_booking_sort_puts_the_latest_booking_first_and_non_bookers_last() {
    let db = open();
    let t = db.tenant("agency");
    let none_a = make(&t, customer("None", "Aaa"));
    let july = make(&t, customer("July", "Traveller"));
    let both = make(&t, customer("Both", "Traveller"));
    let june = make(&t, customer("June", "Traveller"));
    let west = make(&t, customer("West", "Traveller"));
    let east = make(&t, customer("East", "Traveller"));
    let none_b = make(&t, customer("None", "Bbb"));
    upsert(&t, booking_for("B-1", "2026-07-01T10:00:00Z", &july));
    upsert(&t, booking_for("B-2", "2026-05-01T10:00:00Z", &both));
    upsert(&t, booking_for("B-3", "2026-08-01T10:00:00Z", &both));
    upsert(&t, booking_for("B-4", "2026-06-01T10:00:00Z", &june));
    // Compared as instants: 23:30 on the 14th at UTC-5 (04:30Z on the 15th) is later than
    // 03:00Z on the 15th.
    upsert(&t, booking_for("B-5", "2026-07-14T23:30:00-05:00", &west));
    upsert(&t, booking_for("B-6", "2026-07-15T03:00:00Z", &east));

    let got = rows(&t, &all().sort(SearchSort::LastBooking));
    let ids: Vec<CustomerId> = got.iter().map(|r| r.id).collect();
    let booked: Vec<CustomerId> = [&both, &west, &east, &july, &june]
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids[..5], booked[..], "{got:#?}");
    let tail: HashSet<CustomerId> = ids[5..].iter().copied().collect();
    assert_eq!(tail, HashSet::from([none_a.id, none_b.id]));
    // The rows show the latest booking.
    assert_eq!(
        got[0].last_booking.map(|d| d.to_utc()),
        Some(common::at("2026-08-01T10:00:00Z").to_utc())
    );
    assert_eq!(got[6].last_booking, None);
}

#[test]
fn created_at_sort_puts_the_newest_first() {
    let db = open();
    let t = db.tenant("agency");
    let mut made = Vec::new();
    for name in ["Anne", "Bea", "Cid", "Dan", "Eve"] {
        made.push(make(&t, customer(name, "Created")));
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    for pair in made.windows(2) {
        assert!(pair[0].created_at < pair[1].created_at, "same created_at");
    }
    let newest_first: Vec<&Customer> = made.iter().rev().collect();
    assert_order(&t, all().sort(SearchSort::CreatedAt), &newest_first);
    assert_order(
        &t,
        CustomerQuery::text("created").sort(SearchSort::CreatedAt),
        &newest_first,
    );
    // The oldest customer gets a new booking: creation order does not change.
    upsert(&t, booking_for("K-1", "2026-07-14T10:00:00Z", &made[0]));
    assert_order(&t, all().sort(SearchSort::CreatedAt), &newest_first);
}

#[test]
fn relevance_ranks_exact_then_prefix_then_typo_then_latest_bookers() {
    let db = open();
    let t = db.tenant("agency");
    let exact_aug = make(&t, customer("Alice", "Dupont"));
    let exact_jul = make(&t, customer("Marc", "Dupont"));
    let exact_none = make(&t, customer("Zoé", "Dupont"));
    let prefix = make(&t, customer("Jean", "Dupontel"));
    let typo = make(&t, customer("Anne", "Dupond"));
    let _other = make(&t, customer("Paul", "Martin"));
    upsert(&t, booking_for("R-1", "2026-08-01T10:00:00Z", &exact_aug));
    upsert(&t, booking_for("R-2", "2026-07-01T10:00:00Z", &exact_jul));
    // Later bookers, but worse matches.
    upsert(&t, booking_for("R-3", "2026-09-01T10:00:00Z", &prefix));
    upsert(&t, booking_for("R-4", "2026-10-01T10:00:00Z", &typo));

    let expected = [&exact_aug, &exact_jul, &exact_none, &prefix, &typo];
    assert_order(
        &t,
        CustomerQuery::text("dupont").sort(SearchSort::Relevance),
        &expected,
    );
    // Relevance is the default.
    assert_order(&t, CustomerQuery::text("dupont"), &expected);
    // Without text every hit scores the same: latest bookers first, non-bookers last.
    let got = hits(&t, &all().last_name("dup").sort(SearchSort::Relevance));
    assert_eq!(
        got[..4],
        [typo.id, prefix.id, exact_aug.id, exact_jul.id],
        "filter-only relevance"
    );
    assert_eq!(got[4], exact_none.id);
}

/// Walks every page of `q` with `limit` and checks each hit comes once, in the order of the
/// one-page result, with the same `total` on every page.
#[track_caller]
fn check_paging(t: &Tenant, q: &CustomerQuery, limit: u32) {
    let whole = hits(t, q);
    let mut walked = Vec::new();
    let mut seen = HashSet::new();
    let mut offset = 0;
    loop {
        let page = t.search(&q.clone().offset(offset).limit(limit)).unwrap();
        assert_eq!(
            page.total,
            whole.len() as u64,
            "total at offset {offset} of {q:?}"
        );
        assert!(page.items.len() <= limit as usize);
        for r in &page.items {
            assert!(
                seen.insert(r.id),
                "{} served twice (limit {limit}) by {q:?}",
                r.id
            );
        }
        let n = page.items.len() as u32;
        walked.extend(page.items.into_iter().map(|r| r.id));
        if n < limit {
            break;
        }
        offset += u64::from(limit);
        assert!(offset as usize <= whole.len() + limit as usize, "no end");
    }
    assert_eq!(walked.len(), whole.len(), "limit {limit}: {q:?}");
    assert_eq!(walked, whole, "pages disagree with one page: {q:?}");
}

#[test]
fn offset_and_limit_serve_every_hit_exactly_once_in_every_sort() {
    let db = open();
    let t = db.tenant("agency");
    let firsts = ["Anne", "Bea", "Cid", "Dan", "Eve", "Fay", "Gus"];
    let lasts = ["Dupont", "Martin", "Dupont", "Roux"];
    let mut made = Vec::new();
    for i in 0..23 {
        // Repeated names and repeated (or no) last bookings: ties in every sort.
        let c = make(
            &t,
            NewCustomer {
                address: Address {
                    city: Some(if i % 3 == 0 { "Lyon" } else { "Paris" }.into()),
                    ..Default::default()
                },
                ..customer(firsts[i % firsts.len()], lasts[i % lasts.len()])
            },
        );
        if i % 2 == 0 {
            upsert(
                &t,
                booking_for(
                    &format!("P-{i}"),
                    &format!("2026-07-{:02}T10:00:00Z", 1 + i % 5),
                    &c,
                ),
            );
        }
        made.push(c);
    }
    let queries = [
        all(),
        all().city("paris"),
        CustomerQuery::text("dupont"),
        CustomerQuery::text("d"),
    ];
    let sorts = [
        SearchSort::Relevance,
        SearchSort::Name,
        SearchSort::LastBooking,
        SearchSort::CreatedAt,
    ];
    for q in &queries {
        for sort in sorts {
            let q = q.clone().sort(sort);
            for limit in [1, 3, 7, 23, 50] {
                check_paging(&t, &q, limit);
            }
        }
    }
    assert_eq!(hits(&t, &all()).len(), made.len());
    // Past the end: no items, the total still counts every hit.
    let past = t.search(&all().offset(100).limit(10)).unwrap();
    assert!(past.items.is_empty());
    assert_eq!(past.total, 23);
    let last = t.search(&all().offset(20).limit(10)).unwrap();
    assert_eq!((last.items.len(), last.total), (3, 23));
}

#[test]
fn limit_must_be_between_one_and_max_page() {
    let db = open();
    let t = db.tenant("agency");
    make(&t, customer("Anne", "Martin"));
    for q in [all(), CustomerQuery::text("anne"), all().city("lyon")] {
        for bad in [0, MAX_PAGE + 1, u32::MAX] {
            match t.search(&q.clone().limit(bad)) {
                Ok(page) => panic!("limit {bad} accepted: {page:?}"),
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
                    assert_eq!(e.field(), Some("limit"), "{e}");
                }
            }
        }
        t.search(&q.clone().limit(MAX_PAGE)).unwrap();
        t.search(&q.clone().limit(1)).unwrap();
    }
    // On a tenant that never wrote anything too.
    let empty = db.crm.tenant("empty").unwrap();
    assert_eq!(
        empty.search(&all().limit(0)).unwrap_err().field(),
        Some("limit")
    );
    assert_eq!(empty.search(&all()).unwrap().total, 0);
}

// ---------------------------------------------------------------------------------------------
// Changes move the filters

#[test]
fn booking_filters_follow_relinks_unlinks_and_edits() {
    let db = open();
    let t = db.tenant("agency");
    let anne = make(&t, customer("Anne", "First"));
    let bea = make(&t, customer("Bea", "Second"));
    let parc = || all().hotel("hotel du parc");
    let july14 = || all().departure_between(jul(14), jul(14));
    let van = || all().transport("van");
    let quote = || all().booking_status(BookingStatus::Quote);
    let mut b = trip(
        "M-1",
        "2026-07-14T08:30:00+02:00",
        &anne,
        Some("Hôtel du Parc"),
        Some("Van"),
    );
    b.status = BookingStatus::Quote;
    upsert(&t, b.clone());
    for q in [parc(), july14(), van(), quote()] {
        assert_hits(&t, q, &[&anne]);
    }
    assert_order(&t, all().sort(SearchSort::LastBooking), &[&anne, &bea]);

    // Relinked by an upsert naming another customer.
    b.customer_id = Some(bea.id);
    upsert(&t, b.clone());
    for q in [parc(), july14(), van(), quote()] {
        assert_hits(&t, q, &[&bea]);
    }
    assert_order(&t, all().sort(SearchSort::LastBooking), &[&bea, &anne]);
    assert_hits(&t, all().last_booking_between(jul(14), jul(14)), &[&bea]);

    // Relinked back by link_booking.
    t.link_booking(&actor(), "M-1", Some(&anne.id)).unwrap();
    for q in [parc(), july14(), van(), quote()] {
        assert_hits(&t, q, &[&anne]);
    }

    // Unlinked: nobody has it.
    t.link_booking(&actor(), "M-1", None).unwrap();
    for q in [parc(), july14(), van(), quote()] {
        assert_hits(&t, q, &[]);
    }
    assert_hits(&t, all().departure_between(day(1900, 1, 1), None), &[]);

    // Linked again, then edited in place: the old values no longer match.
    t.link_booking(&actor(), "M-1", Some(&bea.id)).unwrap();
    let mut edited = trip(
        "M-1",
        "2026-08-02T10:00:00Z",
        &bea,
        Some("Ibis"),
        Some("Train"),
    );
    edited.status = BookingStatus::Completed;
    upsert(&t, edited);
    for q in [parc(), july14(), van(), quote()] {
        assert_hits(&t, q, &[]);
    }
    assert_hits(&t, all().hotel("ibis"), &[&bea]);
    assert_hits(&t, all().transport("train"), &[&bea]);
    assert_hits(&t, all().booking_status(BookingStatus::Completed), &[&bea]);
    assert_hits(
        &t,
        all().departure_between(day(2026, 8, 2), day(2026, 8, 2)),
        &[&bea],
    );

    // A batch upsert relinks several at once.
    let batch = vec![
        trip("M-1", "2026-08-02T10:00:00Z", &anne, Some("Ibis"), None),
        trip("M-2", "2026-09-09T10:00:00Z", &bea, Some("Novotel"), None),
    ];
    t.upsert_bookings(&actor(), batch).unwrap();
    assert_hits(&t, all().hotel("ibis"), &[&anne]);
    assert_hits(&t, all().hotel("novotel"), &[&bea]);
    assert_hits(&t, all().transport("train"), &[]);
}

#[test]
fn a_deleted_customer_leaves_every_result() {
    let db = open();
    let t = db.tenant("agency");
    let gone = make(
        &t,
        NewCustomer {
            mobile: Some("06 12 34 56 78".into()),
            address: Address {
                city: Some("Lyon".into()),
                country: Some("FR".into()),
                ..Default::default()
            },
            ..customer_with_email("Anne", "Leaving", "anne@example.fr")
        },
    );
    let stays = make(
        &t,
        NewCustomer {
            address: Address {
                city: Some("Lyon".into()),
                ..Default::default()
            },
            ..customer("Bea", "Staying")
        },
    );
    upsert(
        &t,
        trip(
            "X-1",
            "2026-07-14T08:30:00+02:00",
            &gone,
            Some("Hôtel du Parc"),
            None,
        ),
    );
    let queries = || {
        [
            all(),
            all().city("lyon"),
            all().hotel("hotel du parc"),
            all().email("anne@example.fr"),
            all().phone("0612345678"),
            all().customer_no(gone.customer_no),
            all().departure_between(jul(14), jul(14)),
            all().has_email(true),
            CustomerQuery::text("leav"),
            CustomerQuery::text("anne"),
        ]
    };
    for q in queries() {
        assert!(hits(&t, &q).contains(&gone.id), "before the delete: {q:?}");
    }
    assert_eq!(t.delete_customer(&actor(), &gone.id).unwrap(), 1);
    for q in queries() {
        for sort in [
            SearchSort::Relevance,
            SearchSort::Name,
            SearchSort::LastBooking,
            SearchSort::CreatedAt,
        ] {
            assert!(
                !hits(&t, &q.clone().sort(sort)).contains(&gone.id),
                "after the delete: {q:?}"
            );
        }
    }
    assert_hits(&t, all(), &[&stays]);
    assert_hits(&t, all().city("lyon"), &[&stays]);
    // The detached booking belongs to nobody.
    assert_hits(&t, all().departure_between(day(1900, 1, 1), None), &[]);
}

#[test]
fn customer_edits_move_the_customer_filters() {
    let db = open();
    let t = db.tenant("agency");
    let c = make(
        &t,
        NewCustomer {
            mobile: Some("06 12 34 56 78".into()),
            company: Some("Voyages Lumière".into()),
            salesperson: Some("Chloé".into()),
            address: Address {
                city: Some("Lyon".into()),
                zip: Some("69003".into()),
                country: Some("FR".into()),
                ..Default::default()
            },
            ..customer_with_email("Anne", "Martin", "anne@example.fr")
        },
    );
    let other = make(&t, customer("Bea", "Other"));
    let mut edit = c.edit();
    edit.first_name = "Annabelle".into();
    edit.email = None;
    edit.secondary_emails = vec!["anne@example.fr".into()];
    edit.mobile = None;
    edit.phone = Some("04 72 00 11 22".into());
    edit.company = Some("Agence du Lac".into());
    edit.salesperson = Some("Marc".into());
    edit.address.city = Some("Genève".into());
    edit.address.zip = Some("1201".into());
    edit.address.country = Some("CH".into());
    t.update_customer(&actor(), &c.id, c.version, edit).unwrap();

    assert_hits(&t, all().has_email(true), &[]);
    assert_hits(&t, all().has_email(false), &[&c, &other]);
    assert_hits(&t, all().email("anne@example.fr"), &[&c]);
    assert_hits(&t, all().has_mobile(true), &[]);
    assert_hits(&t, all().phone("06 12 34 56 78"), &[]);
    assert_hits(&t, all().phone("04 72 00 11 22"), &[&c]);
    assert_hits(&t, all().first_name("annab"), &[&c]);
    assert_hits(&t, all().first_name("anne"), &[]);
    assert_hits(&t, all().company("lumiere"), &[]);
    assert_hits(&t, all().company("lac"), &[&c]);
    assert_hits(&t, all().salesperson("chloe"), &[]);
    assert_hits(&t, all().salesperson("marc"), &[&c]);
    assert_hits(&t, all().city("lyon"), &[]);
    assert_hits(&t, all().city("geneve"), &[&c]);
    assert_hits(&t, all().zip("69003"), &[]);
    assert_hits(&t, all().zip("1201"), &[&c]);
    assert_hits(&t, all().country("fr"), &[]);
    assert_hits(&t, all().country("ch"), &[&c]);
}
