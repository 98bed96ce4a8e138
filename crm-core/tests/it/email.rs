//! Sending email over SMTP to a real server started by the test (aiosmtpd on 127.0.0.1):
//! personalised messages, consent and suppression as outreach, each logged in the
//! communication log, per-recipient failures, STARTTLS with a private authority.
#![allow(clippy::unwrap_used)]

use crate::common;

use chrono::{Duration, Utc};
use common::smtp::SmtpServer;
use common::*;
use crm_core::{
    Audience, Channel, Consent, CustomerQuery, ErrorKind, NewCustomer, NewTemplate, SmtpSecurity,
    SmtpSettings, TemplateKind, Tenant,
};

fn person(t: &Tenant, first: &str, email: &str, consent: bool) -> crm_core::Customer {
    t.create_customer(
        &actor(),
        NewCustomer {
            title: Some("Ms".into()),
            language: Some("en".into()),
            consent: Consent {
                email: consent.then(|| "2026-01-01T00:00:00Z".parse().unwrap()),
                sms: None,
            },
            address: crm_core::Address {
                city: Some("Lyon".into()),
                ..Default::default()
            },
            ..customer_with_email(first, "Voyageur", email)
        },
    )
    .unwrap()
}

fn trip(t: &Tenant, reference: &str, who: &crm_core::Customer) {
    let day = (Utc::now() + Duration::days(5)).date_naive();
    t.upsert_booking(
        &actor(),
        booking_for(reference, &format!("{day}T09:00:00Z"), who),
    )
    .unwrap();
}

fn reminder(t: &Tenant) {
    t.save_template(
        &actor(),
        NewTemplate::new(
            "Reminder",
            TemplateKind::Email,
            "{{ customer.salutation }}\nYour ref {{ next_booking.reference }} on {{ next_booking.departure }}.",
        )
        .subject("Trip {{ next_booking.reference }}")
        .html("<p>Ref <b>{{ next_booking.reference }}</b></p>"),
    )
    .unwrap();
}

fn plain(server: &SmtpServer) -> SmtpSettings {
    SmtpSettings::new(
        "127.0.0.1",
        server.port,
        "Agence Lyon <bookings@agence.example>",
    )
    .security(SmtpSecurity::None)
}

#[test]
fn each_customer_gets_its_message_and_its_log_entry_failures_do_not_stop_the_others() {
    let Some(server) = SmtpServer::start(false) else {
        return;
    };
    let db = open();
    let t = db.tenant("agency");
    let anne = person(&t, "Anne", "anne@example.com", true);
    let _bob = person(&t, "Bob", "bob@example.com", false);
    let carl = person(&t, "Carl", "bounce.carl@example.com", true);
    let dora = person(&t, "Dora", "dora@example.com", true);
    trip(&t, "T-ANNE", &anne);
    trip(&t, "T-CARL", &carl);
    reminder(&t);

    let report = t
        .send_email(
            &actor(),
            "Reminder",
            &Audience::Query(CustomerQuery::all().city("Lyon")),
            &plain(&server),
        )
        .unwrap();
    assert_eq!(report.skipped.no_consent, 1);
    assert_eq!(report.sent.len(), 1);
    let sent = &report.sent[0];
    assert_eq!(
        (sent.customer_id, sent.address.as_str()),
        (anne.id, "anne@example.com")
    );
    assert_eq!(sent.subject, "Trip T-ANNE");
    let mut failed: Vec<_> = report.failed.iter().map(|f| f.customer_id).collect();
    failed.sort();
    let mut expected = vec![carl.id, dora.id];
    expected.sort();
    assert_eq!(failed, expected);
    let carl_failure = report
        .failed
        .iter()
        .find(|f| f.customer_id == carl.id)
        .unwrap();
    assert!(
        carl_failure.reason.contains("550"),
        "{}",
        carl_failure.reason
    );

    // The server holds Anne's message: personalised, text and HTML, the id the log keeps.
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert!(
        message.contains("To: \"Anne Voyageur\" <anne@example.com>"),
        "{message}"
    );
    assert!(message.contains("Subject: Trip T-ANNE"), "{message}");
    assert!(message.contains("Dear Ms Voyageur,"), "{message}");
    assert!(message.contains("Your ref T-ANNE on"), "{message}");
    assert!(message.contains("multipart/alternative"), "{message}");
    assert!(
        message.contains(&format!("Message-ID: {}", sent.message_id)),
        "{message}"
    );

    // Logged, once, with its message id; nothing for the others.
    let log = t.communications(&anne.id).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].channel, Channel::Email);
    assert_eq!(log[0].subject, "Trip T-ANNE");
    assert_eq!(log[0].reference.as_deref(), Some(sent.message_id.as_str()));
    assert!(t.communications(&carl.id).unwrap().is_empty());
    assert!(t.communications(&dora.id).unwrap().is_empty());

    // Another tenant cannot write to these customers: none of them is its own.
    let other = db.tenant("other");
    reminder(&other);
    let report = other
        .send_email(
            &actor(),
            "Reminder",
            &Audience::Customers(vec![anne.id, carl.id]),
            &plain(&server),
        )
        .unwrap();
    assert!(report.sent.is_empty() && report.failed.is_empty());
    assert_eq!(server.messages().len(), 1);
    assert_eq!(t.communications(&anne.id).unwrap().len(), 1);
}

#[test]
fn starttls_with_the_servers_authority_and_no_send_without_trust() {
    let Some(server) = SmtpServer::start(true) else {
        return;
    };
    let db = open();
    let t = db.tenant("agency");
    let anne = person(&t, "Anne", "anne@example.com", true);
    trip(&t, "T-1", &anne);
    reminder(&t);
    let audience = Audience::Customers(vec![anne.id]);
    let settings = SmtpSettings::new("127.0.0.1", server.port, "bookings@agence.example");
    // The server's certificate is signed by an authority the system does not know.
    assert_kind(
        t.send_email(&actor(), "Reminder", &audience, &settings),
        ErrorKind::Io,
    );
    assert!(server.messages().is_empty());
    assert!(t.communications(&anne.id).unwrap().is_empty());
    let trusted = settings.ca_file(server.ca.clone().unwrap());
    let report = t
        .send_email(&actor(), "Reminder", &audience, &trusted)
        .unwrap();
    assert_eq!(report.sent.len(), 1, "{report:?}");
    assert_eq!(server.messages().len(), 1);
}

#[test]
fn bad_settings_and_templates_send_nothing() {
    let db = open();
    let t = db.tenant("agency");
    let anne = person(&t, "Anne", "anne@example.com", true);
    reminder(&t);
    t.save_template(&actor(), NewTemplate::new("Text", TemplateKind::Sms, "Hi"))
        .unwrap();
    let audience = Audience::Customers(vec![anne.id]);
    // A port where nothing listens.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let nowhere = SmtpSettings::new("127.0.0.1", closed, "bookings@agence.example")
        .security(SmtpSecurity::None);
    assert_kind(
        t.send_email(&actor(), "Reminder", &audience, &nowhere),
        ErrorKind::Io,
    );
    assert_invalid(
        t.send_email(&actor(), "Text", &audience, &nowhere),
        "template",
    );
    assert_kind(
        t.send_email(&actor(), "Missing", &audience, &nowhere),
        ErrorKind::NotFound,
    );
    let bad_from = SmtpSettings::new("127.0.0.1", closed, "not an address");
    assert_invalid(
        t.send_email(&actor(), "Reminder", &audience, &bad_from),
        "from",
    );
    let mut half = nowhere.clone();
    half.username = Some("u-17".into());
    assert_invalid(
        t.send_email(&actor(), "Reminder", &audience, &half),
        "password",
    );
    let too_many = Audience::Customers(vec![anne.id; crm_core::limits::MAX_AUDIENCE + 1]);
    assert_invalid(
        t.send_email(&actor(), "Reminder", &too_many, &nowhere),
        "customers",
    );
    assert!(t.communications(&anne.id).unwrap().is_empty());
}
