//! CSV import: the export round trip, matching (email, customer no., an external reference),
//! the dry run, all-or-nothing, the row report, presets, hostile files, lenient cells,
//! duplicates flagged, anonymised and suppressed people, and tenant isolation.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::BTreeMap;

use common::*;
use crm_core::{
    Consent, CustomerQuery, ErrorKind, ExportOptions, ImportMatch, ImportOptions, ImportPreset,
    ImportReport, ImportTarget, IssueKind, NewCustomer, Role, Tenant,
};

fn import(t: &Tenant, csv: &[u8], options: &ImportOptions) -> ImportReport {
    t.import_csv(&actor(), csv, options, |_, _| true).unwrap()
}

fn count(t: &Tenant) -> u64 {
    t.search(&CustomerQuery::all()).unwrap().total
}

/// Every editable field of every customer of `t`, by customer no.
fn snapshot(t: &Tenant) -> Vec<NewCustomer> {
    let mut out = Vec::new();
    let mut no = 1;
    while out.len() as u64 != count(t) {
        if let Ok(c) = t.get_customer_by_no(no) {
            out.push(c.edit());
        }
        no += 1;
    }
    out
}

fn full_customer(i: u32) -> NewCustomer {
    NewCustomer {
        company: Some(format!("=Acme {i}, \"Travel\"")),
        email: Some(format!("Person.{i}@Example.com")),
        phone: Some("04 72 00 00 00".into()),
        mobile: Some(format!("+33 6 12 34 56 {:02}", i % 100)),
        fax: Some("+41 44 668 18 00".into()),
        emergency_phone: Some("06 98 76 54 32".into()),
        secondary_emails: vec![format!("p{i}@work.example"), "shared@example.org".into()],
        secondary_phones: vec!["+49 30 901820".into()],
        address: crm_core::Address {
            street: Some("12, rue de la République".into()),
            zip: Some("69002".into()),
            city: Some("Lyon".into()),
            region: Some("Auvergne-Rhône-Alpes".into()),
            country: Some("FR".into()),
        },
        contact_person: Some("-Marie".into()),
        birth_date: chrono::NaiveDate::from_ymd_opt(1980, 2, 29),
        language: Some("fr-CH".into()),
        notes: Some(format!(
            "line 1\nline 2; with \"quotes\", commas\n@mention {i}"
        )),
        consent: Consent {
            email: Some("2026-01-02T03:04:05Z".parse().unwrap()),
            sms: None,
        },
        salesperson: Some("'t Hooft".into()),
        lists: ["VIP".to_owned(), "Brochure 2027".to_owned()].into(),
        custom_fields: BTreeMap::from([
            ("crm_ref".to_owned(), format!("R-{i}")),
            ("diet".to_owned(), "vegan; no nuts".to_owned()),
        ]),
        ..customer(&format!("Hélène {i}"), "Dupont-Núñez")
    }
}

#[test]
fn an_export_imported_into_a_fresh_tenant_gives_the_same_customers() {
    let db = open();
    let a = db.tenant("agency-a");
    let b = db.tenant("agency-b");
    for i in 0..25 {
        a.create_customer(&actor(), full_customer(i)).unwrap();
    }
    a.create_customer(&actor(), customer("Only", "Names"))
        .unwrap();
    let mut csv = Vec::new();
    a.export_csv(&ExportOptions::all().bom(true), &mut csv, |_, _| {})
        .unwrap();

    let report = import(&b, &csv, &ImportOptions::new().batch_size(7));
    assert_eq!(report.preset, ImportPreset::Crm);
    assert_eq!((report.rows, report.created, report.failed), (26, 26, 0));
    assert!(report.issues.is_empty(), "{:?}", report.issues);
    assert!(report.committed);
    assert_eq!(snapshot(&b), snapshot(&a));

    // The same file again, matched on email: nothing changes.
    let again = import(&b, &csv, &ImportOptions::new());
    assert_eq!((again.created, again.updated, again.unchanged), (1, 0, 25));
    // The row without email created a second "Only Names".
    assert_eq!(count(&b), 27);
    // And the imported customers are found by search at once.
    assert_eq!(
        b.search(&CustomerQuery::text("hel dupont-nunez"))
            .unwrap()
            .total,
        25
    );
}

#[test]
fn an_edited_export_updates_by_customer_no() {
    let db = open();
    let t = db.tenant("agency-a");
    let anne = t
        .create_customer(&actor(), customer_with_email("Anne", "Martin", "a@x.fr"))
        .unwrap();
    t.create_customer(&actor(), customer("Bob", "Durand"))
        .unwrap();
    let csv = "customer_no;first_name;last_name;city;lists\n\
               1;Anne;Martin;Nantes;Newsletter\n\
               2;Bob;Durand;;\n\
               9;Nobody;Here;Paris;\n\
               ;New;Person;Lille;\n";
    let report = import(
        &t,
        csv.as_bytes(),
        &ImportOptions::new().match_on(ImportMatch::CustomerNo),
    );
    assert_eq!(
        (
            report.updated,
            report.unchanged,
            report.failed,
            report.created
        ),
        (1, 1, 1, 1)
    );
    let issue = &report.issues[0];
    assert_eq!((issue.row, issue.field.as_str()), (4, "customer_no"));
    assert!(issue.reason.contains("no customer no. 9"), "{issue:?}");
    let anne = t.get_customer(&anne.id).unwrap();
    assert_eq!(anne.address.city.as_deref(), Some("Nantes"));
    // Cells left empty keep the stored value; lists are added to.
    assert_eq!(anne.email.as_deref(), Some("a@x.fr"));
    assert!(anne.lists.contains("Newsletter"));
    assert_eq!(anne.version, 2);
    assert_eq!(t.get_customer_by_no(3).unwrap().first_name, "New");
}

#[test]
fn a_dry_run_reports_and_writes_nothing() {
    let db = open();
    let t = db.tenant("agency-a");
    t.create_customer(
        &actor(),
        NewCustomer {
            mobile: Some("06 12 34 56 78".into()),
            ..customer_with_email("Hélène", "Dupont", "helene@x.fr")
        },
    )
    .unwrap();
    let feed = t.changes_since(0, 1000).unwrap().len();
    let csv = "First Name,Last Name,E-mail Address,Mobile Phone\n\
               Hélène,Dupont,HELENE@x.fr,\n\
               Helene,Dupont,other@x.fr,+33 6 12 34 56 78\n\
               Jean,Neuf,jean@x.fr,\n\
               Jean,Neuf,Jean@X.fr,0611111111\n\
               ,,,\n\
               Bad,Email,not-an-email,\n";
    let report = import(&t, csv.as_bytes(), &ImportOptions::new().dry_run(true));
    assert_eq!(report.preset, ImportPreset::Outlook);
    assert!(report.dry_run && !report.committed);
    // Row 5 updates the customer row 4 would create: the dry run sees its own rows.
    assert_eq!(
        (
            report.rows,
            report.created,
            report.updated,
            report.unchanged,
            report.skipped,
            report.failed
        ),
        (6, 2, 1, 1, 1, 1)
    );
    assert_eq!(report.flagged.len(), 1);
    assert_eq!(report.flagged[0].row, 3);
    assert_eq!(report.flagged[0].customer_id, None);
    assert!(report.flagged[0].matches[0].score >= 0.8);
    let bad = report
        .issues
        .iter()
        .find(|i| i.kind == IssueKind::Error)
        .unwrap();
    assert_eq!((bad.row, bad.field.as_str()), (7, "email"));
    assert_eq!(count(&t), 1);
    assert_eq!(t.changes_since(0, 1000).unwrap().len(), feed);

    // Applied, the same file does what the dry run said.
    let applied = import(&t, csv.as_bytes(), &ImportOptions::new());
    assert_eq!(
        (applied.created, applied.updated, applied.unchanged),
        (2, 1, 1)
    );
    assert!(applied.flagged[0].customer_id.is_some());
    assert_eq!(count(&t), 3);
}

#[test]
fn all_or_nothing_writes_nothing_when_a_row_fails() {
    let db = open();
    let t = db.tenant("agency-a");
    let csv = "first_name,last_name,email,birth_date,notes\n\
               Anne,Martin,a@x.fr,1980-01-01,\"two\nlines\"\n\
               Bob,Durand,b@x.fr,31.12.1979,\n\
               Carl,Petit,c@x.fr,1979-13-01,\n";
    let report = import(
        &t,
        csv.as_bytes(),
        &ImportOptions::new().all_or_nothing(true),
    );
    assert!(!report.committed);
    assert_eq!((report.created, report.failed), (2, 1));
    // The row number counts records, not lines: the notes of row 2 span two lines.
    let issue = &report.issues[0];
    assert_eq!((issue.row, issue.field.as_str()), (4, "birth_date"));
    assert!(issue.reason.contains("not a date"), "{issue:?}");
    assert_eq!(count(&t), 0);
    assert!(t.changes_since(0, 100).unwrap().len() <= 1);

    // Row by row, the good rows go in.
    let report = import(&t, csv.as_bytes(), &ImportOptions::new());
    assert!(report.committed);
    assert_eq!((report.created, report.failed), (2, 1));
    assert_eq!(count(&t), 2);
    let bob = &t.find_customers_by_email("b@x.fr").unwrap()[0];
    assert_eq!(bob.birth_date.unwrap().to_string(), "1979-12-31");
}

#[test]
fn lenient_imports_leave_bad_optional_cells_out() {
    let db = open();
    let t = db.tenant("agency-a");
    let csv = "first_name,last_name,email,country,mobile,secondary_emails\n\
               Anne,Martin,a@x.fr,Atlantis,12,ok@x.fr; bad@\n\
               Bob,Durand,b@x.fr,germany,,\n";
    let strict = import(&t, csv.as_bytes(), &ImportOptions::new().dry_run(true));
    assert_eq!((strict.created, strict.failed), (1, 1));
    let report = import(&t, csv.as_bytes(), &ImportOptions::new().lenient(true));
    assert_eq!((report.created, report.failed), (2, 0));
    let warnings: Vec<&str> = report
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Warning && i.row == 2)
        .map(|i| i.field.as_str())
        .collect();
    assert_eq!(
        warnings,
        ["address.country", "secondary_emails[1]", "mobile"]
    );
    let anne = &t.find_customers_by_email("a@x.fr").unwrap()[0];
    assert_eq!(anne.address.country, None);
    assert_eq!(anne.secondary_emails, ["ok@x.fr"]);
    let bob = &t.find_customers_by_email("b@x.fr").unwrap()[0];
    assert_eq!(bob.address.country.as_deref(), Some("DE"));
}

#[test]
fn presets_and_explicit_mapping_read_other_tools_files() {
    let db = open();
    let t = db.tenant("agency-a");
    let google = "Name,Given Name,Family Name,E-mail 1 - Value,E-mail 2 - Value,Phone 1 - Value,\
                  Address 1 - City,Address 1 - Country,Birthday\n\
                  Anne Martin,Anne,Martin,a@x.fr,a2@x.fr,+33 4 72 00 00 00,Lyon,France,1980-05-06\n";
    let report = import(&t, google.as_bytes(), &ImportOptions::new());
    assert_eq!(report.preset, ImportPreset::GoogleContacts);
    assert_eq!(report.columns[0].target, ImportTarget::Ignore);
    let anne = &t.find_customers_by_email("a@x.fr").unwrap()[0];
    assert_eq!(anne.secondary_emails, ["a2@x.fr"]);
    assert_eq!(anne.address.country.as_deref(), Some("FR"));

    let hubspot = "Record ID,First Name,Last Name,Email,Mobile Phone Number,Contact owner\n\
                   901,Bob,Durand,b@x.fr,06 11 22 33 44,Sam\n";
    let options = ImportOptions::new().match_on(ImportMatch::Custom("hubspot_id".into()));
    let report = import(&t, hubspot.as_bytes(), &options);
    assert_eq!((report.preset, report.created), (ImportPreset::Hubspot, 1));
    // The same record id, another email: the reference finds Bob.
    let moved = "Record ID,First Name,Last Name,Email\n901,Bob,Durand,bob@new.fr\n";
    let report = import(&t, moved.as_bytes(), &options);
    assert_eq!((report.created, report.updated), (0, 1));
    let bob = &t.find_customers_by_email("bob@new.fr").unwrap()[0];
    assert_eq!(bob.salesperson.as_deref(), Some("Sam"));
    assert_eq!(bob.customer_no, 2);

    let french = "Prénom;Nom;Courriel;Réf\nZoé;Petit;z@x.fr;A-1\n";
    let options = ImportOptions::new()
        .map("Prénom", "first_name".parse().unwrap())
        .map("Nom", "last_name".parse().unwrap())
        .map("Courriel", "email".parse().unwrap())
        .map("Réf", "custom:ref".parse().unwrap());
    let report = import(&t, french.as_bytes(), &options);
    assert_eq!(report.created, 1);
    let zoe = &t.find_customers_by_email("z@x.fr").unwrap()[0];
    assert_eq!(zoe.custom_fields["ref"], "A-1");
}

#[test]
fn hostile_files_get_a_clear_report_and_no_partial_write() {
    let db = open();
    let t = db.tenant("agency-a");
    let err = |csv: &[u8], options: &ImportOptions| {
        t.import_csv(&actor(), csv, options, |_, _| true)
            .unwrap_err()
    };
    // Not a usable header: nothing imported, the reason says why.
    let e = err(b"", &ImportOptions::new());
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert!(e.to_string().contains("empty"), "{e}");
    let e = err(
        b"first_name,last_name,email,email\nA,B,a@x.fr,b@x.fr\n",
        &ImportOptions::new(),
    );
    assert!(e.to_string().contains("same header"), "{e}");
    let e = err(b"x,y\n1,2\n", &ImportOptions::new());
    assert!(e.to_string().contains("first_name"), "{e}");
    let e = err(b"\xff\xfe\x00garbage", &ImportOptions::new());
    assert_eq!(e.kind(), ErrorKind::Validation);
    let e = err(
        b"first_name,last_name\nA,B\n",
        &ImportOptions::new().encoding("klingon"),
    );
    assert!(e.to_string().starts_with("encoding:"), "{e}");

    // Windows-1252 without saying so: the rows fail and say why; said, they import.
    let latin = b"first_name,last_name,city\nH\xe9l\xe8ne,Dupont,Orl\xe9ans\n";
    let report = import(&t, latin, &ImportOptions::new().dry_run(true));
    assert_eq!(report.failed, 1);
    assert!(report.issues[0].reason.contains("UTF-8"));
    let report = import(&t, latin, &ImportOptions::new().encoding("windows-1252"));
    assert_eq!(report.created, 1);
    assert_eq!(
        t.search(&CustomerQuery::text("helene")).unwrap().items[0].first_name,
        "Hélène"
    );
    // UTF-16 with its byte order mark, tab-separated (Excel's "Unicode text").
    let mut utf16 = vec![0xff, 0xfe];
    for unit in "first_name\tlast_name\nZoé\tPetit\n".encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    assert_eq!(import(&t, &utf16, &ImportOptions::new()).created, 1);

    // Ragged rows, a formula, a 10 MB cell: each row fails alone, the others go in.
    let mut csv = b"first_name,last_name,notes,unused\n\
                    A,One,fine,\n\
                    B,Two,too,many,cells\n\
                    C,Three\n\
                    D,Four,\"=cmd|' /C calc'!A0\",\n\
                    E,Five,'=1+1,\n"
        .to_vec();
    csv.extend(b"F,Six,\"");
    csv.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    csv.extend(b"\",\nG,Seven,,\"");
    csv.extend(std::iter::repeat_n(b'y', 10 * 1024 * 1024));
    csv.extend(b"\"\n");
    let before = count(&t);
    let report = import(&t, &csv, &ImportOptions::new().all_or_nothing(true));
    assert!(!report.committed);
    assert_eq!(count(&t), before);
    let failed: Vec<(u64, &str)> = report
        .issues
        .iter()
        .map(|i| (i.row, i.field.as_str()))
        .collect();
    assert_eq!(failed, [(3, ""), (4, ""), (5, "notes"), (7, "notes")]);
    assert!(report.issues[0].reason.contains("has 5 cells"));
    assert!(report.issues[2].reason.contains("formula"));
    assert!(report.issues[3].reason.contains("bytes"));
    let report = import(&t, &csv, &ImportOptions::new());
    assert_eq!((report.created, report.failed), (3, 4));
    let five = t.search(&CustomerQuery::text("five")).unwrap().items[0].id;
    assert_eq!(
        t.get_customer(&five).unwrap().notes.as_deref(),
        Some("=1+1")
    );
}

#[test]
fn anonymised_people_are_skipped_and_their_contacts_flagged() {
    let db = open();
    let t = db.tenant("agency-a");
    let gone = t
        .create_customer(&actor(), customer_with_email("Gone", "Person", "gone@x.fr"))
        .unwrap();
    let boss = crm_core::Actor::new("dpo", Role::Organisation);
    t.anonymise(&boss, &gone.id, "asked to be forgotten")
        .unwrap();
    let csv = format!(
        "customer_no,first_name,last_name,email\n{},Gone,Person,\n,New,Person,gone@x.fr\n",
        gone.customer_no
    );
    let by_no = import(
        &t,
        csv.as_bytes(),
        &ImportOptions::new().match_on(ImportMatch::CustomerNo),
    );
    assert_eq!((by_no.skipped, by_no.created), (1, 1));
    assert_eq!(by_no.issues[0].kind, IssueKind::Skipped);
    assert!(by_no.issues[0].reason.contains("anonymised"));
    let warning = &by_no.issues[1];
    assert_eq!(
        (warning.row, warning.field.as_str(), warning.kind),
        (3, "email", IssueKind::Warning)
    );
    let still = t.get_customer(&gone.id).unwrap();
    assert!(still.anonymised_at.is_some());
    assert_eq!(still.email, None);
}

#[test]
fn an_import_never_touches_another_tenant() {
    let db = open();
    let a = db.tenant("agency-a");
    let b = db.tenant("agency-b");
    let anne = a
        .create_customer(
            &actor(),
            NewCustomer {
                custom_fields: BTreeMap::from([("ref".to_owned(), "X".to_owned())]),
                ..customer_with_email("Anne", "Martin", "anne@x.fr")
            },
        )
        .unwrap();
    let before = a.get_customer(&anne.id).unwrap();
    let feed = a.changes_since(0, 100).unwrap();
    for (csv, on) in [
        (
            "customer_no,first_name,last_name\n1,Anne,Martin\n",
            ImportMatch::CustomerNo,
        ),
        (
            "first_name,last_name,email\nAnne,Martin,anne@x.fr\n",
            ImportMatch::Email,
        ),
        (
            "first_name,last_name,custom:ref\nAnne,Martin,X\n",
            ImportMatch::Custom("ref".into()),
        ),
    ] {
        let report = import(
            &b,
            csv.as_bytes(),
            &ImportOptions::new().match_on(on.clone()),
        );
        assert_eq!(report.updated + report.unchanged, 0, "{on}");
        // Nor does a flag reveal a's customer.
        assert!(report.flagged.is_empty(), "{on}");
    }
    assert_eq!(a.get_customer(&anne.id).unwrap(), before);
    assert_eq!(a.changes_since(0, 100).unwrap(), feed);
    assert_eq!(count(&a), 1);
}

#[test]
fn bad_options_are_refused_before_reading() {
    let db = open();
    let t = db.tenant("agency-a");
    let csv = b"first_name,last_name\nA,B\n";
    for (options, field) in [
        (ImportOptions::new().batch_size(0), "batch_size"),
        (ImportOptions::new().delimiter(b'a'), "delimiter"),
        (
            ImportOptions::new().match_on(ImportMatch::CustomerNo),
            "match_on",
        ),
        (
            ImportOptions::new().map("nope", ImportTarget::Ignore),
            "mapping",
        ),
    ] {
        let e = t
            .import_csv(&actor(), &csv[..], &options, |_, _| true)
            .unwrap_err();
        assert!(e.to_string().starts_with(field), "{e}");
    }
    assert_eq!(count(&t), 0);
    let reader = crm_core::Actor::new("", Role::Agent);
    assert!(
        t.import_csv(&reader, &csv[..], &ImportOptions::new(), |_, _| true)
            .is_err()
    );
}

#[test]
fn a_file_import_reports_progress_in_bytes() {
    let db = open();
    let t = db.tenant("agency-a");
    let path = db.dir.path().join("people.csv");
    let mut text = String::from("first_name,last_name\n");
    for i in 0..1200 {
        text.push_str(&format!("P{i},Q{i}\n"));
    }
    std::fs::write(&path, &text).unwrap();
    let mut seen = Vec::new();
    let report = t
        .import_csv_file(
            &actor(),
            &path,
            &ImportOptions::new().batch_size(500).flag_duplicates(None),
            |done, total| {
                seen.push((done, total));
                true
            },
        )
        .unwrap();
    assert_eq!(report.created, 1200);
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|(_, total)| *total == text.len() as u64));
    assert_eq!(seen.last().unwrap().0, text.len() as u64);
    let e = t
        .import_csv_file(
            &actor(),
            db.dir.path().join("missing.csv"),
            &ImportOptions::new(),
            |_, _| true,
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert!(!e.to_string().contains("missing"), "{e}");

    // From a reader the size is unknown: bytes read, and 0.
    let mut last = (0, 1);
    t.import_csv(
        &actor(),
        text.as_bytes(),
        &ImportOptions::new().dry_run(true),
        |d, n| {
            last = (d, n);
            true
        },
    )
    .unwrap();
    assert_eq!(last, (text.len() as u64, 0));

    // A progress callback that says stop: row by row, the batches done stay...
    let before = count(&t);
    let stop_after_one = ImportOptions::new()
        .batch_size(500)
        .match_on(ImportMatch::None)
        .flag_duplicates(None);
    let report = t
        .import_csv(&actor(), text.as_bytes(), &stop_after_one, |_, _| false)
        .unwrap();
    assert!(report.stopped && report.committed);
    assert_eq!((report.rows, report.created), (500, 500));
    assert_eq!(count(&t), before + 500);
    // ...all or nothing, none do.
    let report = t
        .import_csv(
            &actor(),
            text.as_bytes(),
            &stop_after_one.all_or_nothing(true),
            |_, _| false,
        )
        .unwrap();
    assert!(report.stopped && !report.committed);
    assert_eq!(count(&t), before + 500);
}

#[test]
fn row_numbers_are_those_a_spreadsheet_shows() {
    let db = open();
    let t = db.tenant("agency-a");
    // An empty line is a row in a spreadsheet; a quoted cell over two lines is one row.
    let csv = "first_name,last_name,email,notes\n\nA,One,bad,\nB,Two,b@x.fr,\"two\nlines\"\n\n\nC,Three,worse,\n";
    let report = import(&t, csv.as_bytes(), &ImportOptions::new().dry_run(true));
    let rows: Vec<u64> = report.issues.iter().map(|i| i.row).collect();
    assert_eq!(rows, [3, 7]);
    assert_eq!((report.rows, report.created, report.failed), (3, 1, 2));
}

/// Rows are numbered as a spreadsheet shows them whatever the line endings: `\n`, `\r\n`, and
/// the lone `\r` of old Mac exports, with empty lines and line breaks inside quoted cells.
#[test]
fn bad_rows_are_numbered_alike_with_every_kind_of_line_ending() {
    let lines = [
        "first_name,last_name,email,notes",
        "Ann,One,ann@x.fr,",
        "Bob,Two,not-an-email,",
        "",
        "Cid,Three,cid@x.fr,\"two{NL}lines\"",
        "Dan,Four,also bad,",
        "Eve,Five,eve@x.fr,",
    ];
    for newline in ["\n", "\r\n", "\r"] {
        let csv = lines.join(newline).replace("{NL}", newline) + newline;
        let db = open();
        let t = db.tenant("agency-a");
        let report = import(&t, csv.as_bytes(), &ImportOptions::new());
        let rows: Vec<(u64, &str)> = report
            .issues
            .iter()
            .map(|i| (i.row, i.field.as_str()))
            .collect();
        assert_eq!(rows, [(3, "email"), (6, "email")], "{newline:?}");
        assert_eq!(report.created, 3, "{newline:?}");
        let cid = t.search(&CustomerQuery::text("cid")).unwrap().items[0].id;
        let notes = t.get_customer(&cid).unwrap().notes.unwrap();
        assert_eq!(notes, format!("two{newline}lines"), "{newline:?}");
    }
}

/// A quote never closed makes the rest of the file one row: past the longest row an import
/// reads, the import stops with an error naming the line where that row began, and memory never
/// holds more than that row.
#[test]
fn a_quote_never_closed_stops_the_import_at_the_row_bound() {
    let db = open();
    let t = db.tenant("agency-a");
    let mut csv = b"first_name,last_name,notes\nAnn,One,fine\nBob,Two,\"never closed\n".to_vec();
    let line = b"Cid,Three,more text that the open quote swallows\n";
    while csv.len() < 40 * 1024 * 1024 {
        csv.extend_from_slice(line);
    }
    let e = t
        .import_csv(&actor(), &csv[..], &ImportOptions::new(), |_, _| true)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(e.field(), Some("file"));
    assert!(e.to_string().contains("line 3"), "{e}");
    assert!(e.to_string().contains("longer than"), "{e}");
    // The rows before it were read into the same batch, which is never written.
    assert_eq!(count(&t), 0);
}

/// An error reading a later batch (read while the batch before it is written) leaves the batches
/// before it written, and the rows read after them are not.
#[test]
fn an_error_part_way_keeps_the_batches_before_it() {
    let db = open();
    let t = db.tenant("agency-a");
    let mut csv =
        b"first_name,last_name,notes\nAnn,One,fine\nBea,Two,fine\nBob,Two,\"never closed\n"
            .to_vec();
    let line = b"Cid,Three,more text that the open quote swallows\n";
    while csv.len() < 40 * 1024 * 1024 {
        csv.extend_from_slice(line);
    }
    let mut progress = Vec::new();
    let e = t
        .import_csv(
            &actor(),
            &csv[..],
            &ImportOptions::new().batch_size(1),
            |done, _| {
                progress.push(done);
                true
            },
        )
        .unwrap_err();
    assert_eq!(e.field(), Some("file"));
    assert_eq!(count(&t), 2, "Ann and Bea were written, one batch each");
    // Progress came after each batch written, with the bytes read by then (in the reader's
    // blocks), before the bad row's 32 MiB were read.
    assert_eq!(progress.len(), 2);
    assert!(
        progress[0] <= progress[1] && progress[1] < 1024 * 1024,
        "{progress:?}"
    );
}

/// A reader that hands over its lines one read at a time, then fails once, then says the file
/// ended: an import must report that failure, never take the file as complete.
struct FailsOnce {
    lines: Vec<&'static [u8]>,
    failed: bool,
}

impl std::io::Read for FailsOnce {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Some(line) = self.lines.first_mut() {
            let n = line.len().min(buf.len());
            buf[..n].copy_from_slice(&line[..n]);
            *line = &line[n..];
            if line.is_empty() {
                self.lines.remove(0);
            }
            return Ok(n);
        }
        if !self.failed {
            self.failed = true;
            return Err(std::io::Error::other("the disk went away"));
        }
        Ok(0)
    }
}

#[test]
fn a_read_error_while_the_next_batch_is_read_ahead_is_not_lost() {
    let db = open();
    let t = db.tenant("agency-a");
    let input = FailsOnce {
        lines: vec![b"first_name,last_name\n", b"Ann,One\n", b"Bea,Two\n"],
        failed: false,
    };
    let e = t
        .import_csv(
            &actor(),
            input,
            &ImportOptions::new().batch_size(1),
            |_, _| true,
        )
        .unwrap_err();
    assert_eq!(e.field(), Some("file"), "{e}");
    assert_eq!(count(&t), 2, "the batches before the error were written");
}
