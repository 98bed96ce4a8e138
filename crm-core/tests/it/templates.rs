//! Message templates: checked when saved (only known fields, a bounded subset), a variant per
//! language, rendered per customer with its salutation, bookings, dates and money in its
//! language, HTML escaped, SMS encoding and parts; another tenant's out of reach.
#![allow(clippy::unwrap_used)]

use crate::common;

use chrono::{Duration, Utc};
use common::*;
use crm_core::{ErrorKind, NewCustomer, NewTemplate, SmsEncoding, TemplateKind, Tenant};

fn traveller(
    t: &Tenant,
    title: &str,
    first: &str,
    last: &str,
    language: &str,
) -> crm_core::Customer {
    t.create_customer(
        &actor(),
        NewCustomer {
            title: Some(title.into()),
            language: Some(language.into()),
            ..customer_with_email(
                first,
                last,
                &format!("{}@example.com", first.to_lowercase()),
            )
        },
    )
    .unwrap()
}

fn welcome() -> NewTemplate {
    NewTemplate::new(
        "Departure",
        TemplateKind::Email,
        "{{ customer.salutation }}\n{% if next_booking %}Departure {{ next_booking.departure }} at \
         {{ next_booking.departure_time }}, {{ next_booking.amount }}.{% else %}No trip.{% endif %}",
    )
    .subject("Your trip, {{ customer.first_name }}")
    .html("<p>{{ customer.salutation }} {{ customer.company | default(\"-\", true) }}</p>")
}

#[test]
fn a_template_renders_each_customer_in_its_language() {
    let db = open();
    let t = db.tenant("agency");
    let helene = traveller(&t, "Mme", "Hélène", "Dupont & Fils", "fr");
    let john = traveller(&t, "Mr", "John", "Smith", "en");
    let day = (Utc::now() + Duration::days(10)).date_naive();
    let mut trip = booking_for("T-1", &format!("{day}T08:30:00+02:00"), &helene);
    trip.invoices = vec![invoice("F-1", 123_450, "EUR")];
    t.upsert_booking(&actor(), trip).unwrap();

    let saved = t.save_template(&actor(), welcome()).unwrap();
    assert_eq!(
        (saved.name.as_str(), saved.kind),
        ("Departure", TemplateKind::Email)
    );
    assert_eq!(saved.updated_by, actor().user_id);

    let fr = t.preview("Departure", &helene.id).unwrap();
    assert_eq!(fr.subject.as_deref(), Some("Your trip, Hélène"));
    let months = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let month = months[chrono::Datelike::month0(&day) as usize];
    assert!(
        fr.text.starts_with("Chère Madame Dupont & Fils,\n"),
        "{}",
        fr.text
    );
    let departure = format!(
        "Departure {} {month} {} at 08:30,",
        chrono::Datelike::day(&day),
        chrono::Datelike::year(&day)
    );
    assert!(fr.text.contains(&departure), "{}", fr.text);
    assert!(fr.text.contains("1\u{202f}234,50\u{a0}€"), "{}", fr.text);
    // HTML escaped in the HTML body only.
    assert_eq!(
        fr.html.as_deref(),
        Some("<p>Chère Madame Dupont &amp; Fils, -</p>")
    );
    assert_eq!(fr.sms, None);

    let en = t.preview("Departure", &john.id).unwrap();
    assert!(
        en.text.starts_with("Dear Mr Smith,\nNo trip."),
        "{}",
        en.text
    );

    // A variant per language: the French one for fr and fr-CH, the default for the others.
    t.save_template(
        &actor(),
        NewTemplate::new(
            "Departure",
            TemplateKind::Email,
            "{{ customer.salutation }} (fr)",
        )
        .subject("Votre voyage")
        .language("fr"),
    )
    .unwrap();
    let swiss = traveller(&t, "M.", "Luc", "Favre", "fr-CH");
    assert_eq!(
        t.preview("Departure", &swiss.id).unwrap().text,
        "Cher Monsieur Favre, (fr)"
    );
    assert_eq!(
        t.preview("Departure", &swiss.id)
            .unwrap()
            .language
            .as_deref(),
        Some("fr")
    );
    assert!(
        t.preview("Departure", &john.id)
            .unwrap()
            .text
            .starts_with("Dear Mr Smith")
    );
    assert_eq!(t.template_variants("Departure").unwrap().len(), 2);
    assert_eq!(t.templates().unwrap().len(), 2);
    // One kind per name across its languages.
    assert_invalid(
        t.save_template(
            &actor(),
            NewTemplate::new("Departure", TemplateKind::Sms, "x").language("de"),
        ),
        "kind",
    );
    t.delete_template(&actor(), "Departure", Some("fr"))
        .unwrap();
    assert_eq!(t.preview("Departure", &swiss.id).unwrap().language, None);
    assert_kind(
        t.delete_template(&actor(), "Departure", Some("fr")),
        ErrorKind::NotFound,
    );
}

#[test]
fn an_sms_reports_its_encoding_and_parts() {
    let db = open();
    let t = db.tenant("agency");
    let lukasz = traveller(&t, "Pan", "Łukasz", "Nowak", "pl");
    let anne = traveller(&t, "Ms", "Anne", "Martin", "en");
    t.save_template(
        &actor(),
        NewTemplate::new(
            "Reminder",
            TemplateKind::Sms,
            "Hi {{ customer.first_name }}, see you soon!",
        ),
    )
    .unwrap();
    let pl = t.preview("Reminder", &lukasz.id).unwrap();
    let sms = pl.sms.unwrap();
    assert_eq!((sms.encoding, sms.segments), (SmsEncoding::Ucs2, 1));
    let en = t.preview("Reminder", &anne.id).unwrap();
    assert_eq!(en.text, "Hi Anne, see you soon!");
    let sms = en.sms.unwrap();
    assert_eq!(
        (sms.encoding, sms.units, sms.segments),
        (SmsEncoding::Gsm7, 22, 1)
    );
}

#[test]
fn templates_are_checked_when_saved() {
    let db = open();
    let t = db.tenant("agency");
    for (template, field) in [
        (
            NewTemplate::new("A", TemplateKind::Letter, "{{ customer.shoe_size }}"),
            "text",
        ),
        (
            NewTemplate::new("A", TemplateKind::Letter, "{% for x in y %}{% endfor %}"),
            "text",
        ),
        (
            NewTemplate::new("A", TemplateKind::Letter, "{{ \"x\" * 1000000 }}"),
            "text",
        ),
        (
            NewTemplate::new("A", TemplateKind::Letter, "{{ customer.first_name"),
            "text",
        ),
        (NewTemplate::new("A", TemplateKind::Email, "x"), "subject"),
        (
            NewTemplate::new("A", TemplateKind::Email, "x").subject("{{ agency }}"),
            "subject",
        ),
        (
            NewTemplate::new("A", TemplateKind::Email, "x")
                .subject("s")
                .html("{% set a = 1 %}"),
            "html",
        ),
        (
            NewTemplate::new("A", TemplateKind::Sms, "x").subject("s"),
            "subject",
        ),
        (NewTemplate::new(" ", TemplateKind::Sms, "x"), "name"),
        (
            NewTemplate::new("A", TemplateKind::Sms, "x").language("not a tag!"),
            "language",
        ),
    ] {
        assert_invalid(t.save_template(&actor(), template), field);
    }
    assert!(t.templates().unwrap().is_empty());
}

#[test]
fn a_booking_the_customer_lacks_fails_its_render_only() {
    let db = open();
    let t = db.tenant("agency");
    let anne = traveller(&t, "Ms", "Anne", "Martin", "en");
    t.save_template(
        &actor(),
        NewTemplate::new(
            "Voucher",
            TemplateKind::Letter,
            "Ref {{ next_booking.reference }}",
        ),
    )
    .unwrap();
    assert_invalid(t.preview("Voucher", &anne.id), "text");
    assert_kind(t.preview("Nothing", &anne.id), ErrorKind::NotFound);
}

#[test]
fn another_tenant_reaches_no_template_and_no_customer() {
    let db = open();
    let t = db.tenant("agency");
    let other = db.tenant("other");
    let anne = traveller(&t, "Ms", "Anne", "Martin", "en");
    t.save_template(&actor(), welcome()).unwrap();
    assert!(other.templates().unwrap().is_empty());
    assert_kind(other.template_variants("Departure"), ErrorKind::NotFound);
    assert_kind(other.preview("Departure", &anne.id), ErrorKind::NotFound);
    assert_kind(
        other.delete_template(&actor(), "Departure", None),
        ErrorKind::NotFound,
    );
    other.save_template(&actor(), welcome()).unwrap();
    assert_kind(other.preview("Departure", &anne.id), ErrorKind::NotFound);
    assert_eq!(t.templates().unwrap().len(), 1);
}
