//! Printed letters and address labels: one PDF of letters for window envelopes and one of
//! labels, text outside Windows-1252 (Łukasz, Čapek, 王) embedded and read back with
//! `pdftotext`, brochure requests marked sent in the same call, skips with their reasons.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::{Path, PathBuf};

use common::*;
use crm_core::{
    Address, Audience, CustomerQuery, ErrorKind, LetterOptions, NewCustomer, NewTemplate,
    TemplateKind, Tenant,
};

/// A CJK font from the system (`fonts-droid-fallback`, installed by CI).
fn cjk_font() -> Option<PathBuf> {
    let path = PathBuf::from("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf");
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI installs fonts-droid-fallback (.ci/run)"
    );
    None
}

/// The text of a PDF (`pdftotext`), or `None` on a machine without it (never on CI).
fn pdf_text(dir: &Path, name: &str, pdf: &[u8]) -> Option<String> {
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    match std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(out) if out.status.success() => Some(String::from_utf8(out.stdout).unwrap()),
        _ if std::env::var_os("CI").is_none() => None,
        other => panic!("pdftotext is needed on CI: {other:?}"),
    }
}

fn resident(
    t: &Tenant,
    (first, last, language): (&str, &str, &str),
    (street, zip, city, country): (&str, &str, &str, &str),
) -> crm_core::Customer {
    t.create_customer(
        &actor(),
        NewCustomer {
            title: Some("Mr".into()),
            language: Some(language.into()),
            address: Address {
                street: Some(street.into()).filter(|s: &String| !s.is_empty()),
                zip: Some(zip.into()),
                city: Some(city.into()),
                region: None,
                country: Some(country.into()),
            },
            ..customer(first, last)
        },
    )
    .unwrap()
}

fn brochure_letter(t: &Tenant) {
    t.save_template(
        &actor(),
        NewTemplate::new(
            "Brochure",
            TemplateKind::Letter,
            "{{ customer.salutation }}\n\nPlease find enclosed the brochure you asked for, \
             {{ customer.full_name }}.\n\nKind regards",
        )
        .subject("Your brochure"),
    )
    .unwrap();
}

#[test]
fn pending_brochures_print_as_letters_and_labels_and_are_marked_sent() {
    let db = open();
    let t = db.tenant("agency");
    let lukasz = resident(
        &t,
        ("Łukasz", "Nowak", "pl"),
        ("ul. Długa 5", "00-238", "Warszawa", "PL"),
    );
    let karel = resident(
        &t,
        ("Karel", "Čapek", "cs"),
        ("Vinohradská 12", "120 00", "Praha", "CZ"),
    );
    let wang = resident(
        &t,
        ("芳", "王", "zh"),
        ("王府井大街 1号", "100006", "北京", "CN"),
    );
    let nowhere = resident(&t, ("Anne", "Martin", "en"), ("", "69002", "Lyon", "FR"));
    for c in [&lukasz, &karel, &wang, &nowhere] {
        t.request_brochure(&actor(), &c.id).unwrap();
    }
    brochure_letter(&t);
    let sender = vec![
        "Voyages Lumière".to_owned(),
        "3 place Bellecour".to_owned(),
        "69002 Lyon".to_owned(),
    ];
    let Some(font) = cjk_font() else { return };

    // Marking requests that are not the tenant's marks nothing.
    assert_kind(
        t.mark_brochures_sent(
            &actor(),
            &["01900000-0000-7000-8000-000000000000"
                .parse::<crm_core::BrochureRequestId>()
                .unwrap()],
        ),
        ErrorKind::NotFound,
    );
    // Without a CJK font, 王 has no glyph: that customer is skipped, nothing is marked.
    let latin = LetterOptions::new("Brochure", sender.clone());
    let run = t
        .print_letters(&actor(), &Audience::PendingBrochures, &latin)
        .unwrap();
    assert_eq!(run.printed, [lukasz.id, karel.id]);
    let reasons: Vec<_> = run
        .skipped
        .iter()
        .map(|s| (s.customer_id, s.reason.clone()))
        .collect();
    assert!(
        reasons
            .iter()
            .any(|(id, r)| *id == wang.id && r.contains("U+")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|(id, r)| *id == nowhere.id && r.contains("postal address"))
    );
    assert_eq!(run.marked_sent, 0);
    assert_eq!(t.pending_brochure_requests(None, 10).unwrap().len(), 4);

    let mut options = LetterOptions::new("Brochure", sender);
    options.fonts = vec![font];
    options.home_country = Some("FR".into());
    options.mark_sent = true;
    let run = t
        .print_letters(&actor(), &Audience::PendingBrochures, &options)
        .unwrap();
    assert_eq!(run.printed, [lukasz.id, karel.id, wang.id]);
    assert_eq!(run.skipped.len(), 1);
    assert_eq!(run.marked_sent, 3);
    let pending = t.pending_brochure_requests(None, 10).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].customer_id, nowhere.id);
    assert!(run.letters.starts_with(b"%PDF") && run.labels.starts_with(b"%PDF"));

    let dir = tempfile::tempdir().unwrap();
    let Some(letters) = pdf_text(dir.path(), "letters.pdf", &run.letters) else {
        return;
    };
    for needle in [
        "Łukasz Nowak",
        "ul. Długa 5",
        "00-238 Warszawa",
        "POLAND",
        "Mr Karel Čapek",
        "CZECHIA",
        "王府井大街 1号",
        "Your brochure",
        "Dear Mr Nowak,",
        "Voyages Lumière",
    ] {
        assert!(letters.contains(needle), "{needle} not in:\n{letters}");
    }
    let labels = pdf_text(dir.path(), "labels.pdf", &run.labels).unwrap();
    for needle in ["Mr Łukasz Nowak", "120 00 Praha", "Mr 芳 王"] {
        assert!(labels.contains(needle), "{needle} not in:\n{labels}");
    }
}

#[test]
fn a_search_prints_and_bad_options_print_nothing() {
    let db = open();
    let t = db.tenant("agency");
    let other = db.tenant("other");
    let karel = resident(
        &t,
        ("Karel", "Čapek", "cs"),
        ("Vinohradská 12", "120 00", "Praha", "CZ"),
    );
    brochure_letter(&t);
    let options = LetterOptions::new("Brochure", vec!["Agency".into()]);
    let run = t
        .print_letters(
            &actor(),
            &Audience::Query(CustomerQuery::all().city("Praha")),
            &options,
        )
        .unwrap();
    assert_eq!(run.printed, [karel.id]);
    // Another tenant prints none of this tenant's customers, nor with its template.
    brochure_letter(&other);
    let run = other
        .print_letters(&actor(), &Audience::Customers(vec![karel.id]), &options)
        .unwrap();
    assert!(run.printed.is_empty() && run.skipped.is_empty());

    t.save_template(
        &actor(),
        NewTemplate::new("Mail", TemplateKind::Email, "x").subject("y"),
    )
    .unwrap();
    let audience = Audience::Customers(vec![karel.id]);
    assert_invalid(
        t.print_letters(&actor(), &audience, &LetterOptions::new("Mail", vec![])),
        "template",
    );
    let mut marked = options.clone();
    marked.mark_sent = true;
    assert_invalid(t.print_letters(&actor(), &audience, &marked), "mark_sent");
    let mut home = options.clone();
    home.home_country = Some("Atlantis".into());
    assert_invalid(t.print_letters(&actor(), &audience, &home), "home_country");
    let mut font = options.clone();
    font.fonts = vec!["/nonexistent/font.ttf".into()];
    assert_kind(t.print_letters(&actor(), &audience, &font), ErrorKind::Io);
    assert_kind(
        t.print_letters(&actor(), &audience, &LetterOptions::new("None", vec![])),
        ErrorKind::NotFound,
    );
}
